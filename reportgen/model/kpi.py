"""KPI judgement: 達成 / 未達成 / 未確定 from target, direction and actual.

The council reads the 達成状況 column first, so it must follow the numbers the
office reported: compared after 四捨五入 to the KPI's own printed precision
(a 96.45％ actual printed as 96.5％ against a 96.5％ target is 達成, as the
reader sees it), with an explicit ``achieved: true/false`` always winning.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from .report import KPI
from .numbers import NumberFormat, parse_time, round_half_up

Judgement = Literal["達成", "未達成", "未確定"]


def _as_number(value: object, fmt: NumberFormat) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        if fmt.kind == "time":
            return Decimal(parse_time(value))
        try:
            return Decimal(value)
        except ArithmeticError:
            return None
    if isinstance(value, (int, float)):
        decimals = fmt.decimals + 2 if fmt.kind == "pct" else fmt.decimals
        if fmt.kind in ("int", "yen", "kyen"):
            decimals = 0
        if fmt.kind in ("text", "date", "time"):
            return Decimal(repr(value))
        return round_half_up(value, decimals)
    return None


def achieved(kpi: KPI) -> bool | None:
    """True/False when judged, None when the actual is not known yet."""
    if isinstance(kpi.achieved, bool):
        return kpi.achieved
    fmt = NumberFormat.parse(kpi.format)
    actual = _as_number(kpi.actual, fmt)
    target_raw = kpi.prior if kpi.target == "prior" else kpi.target
    target = _as_number(target_raw, fmt)
    if actual is None or target is None:
        return None
    return actual >= target if kpi.direction == ">=" else actual <= target


def judgement(kpi: KPI) -> Judgement:
    """The word printed in the 達成状況 column."""
    result = achieved(kpi)
    return "未確定" if result is None else ("達成" if result else "未達成")


def target_text(kpi: KPI) -> str:
    """How the target reads in a summary: 対前年度以上 or 96.5％以上."""
    from .numbers import format_value

    suffix = "以上" if kpi.direction == ">=" else "以下"
    if kpi.target == "prior":
        return "対前年度" + suffix
    if kpi.target is None:
        return ""
    return format_value(kpi.target, kpi.format) + suffix


def rank_text(kpi: KPI | None) -> str:
    """全国順位 as printed in both renderers: "46位 (前月46位)"."""
    national = kpi.national if kpi is not None else None
    if national is None:
        return ""
    parts = []
    if national.rank is not None:
        parts.append(f"{national.rank}位")
    if national.rank_prev is not None:
        parts.append(f"(前月{national.rank_prev}位)")
    return " ".join(parts)
