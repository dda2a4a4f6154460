"""Marks proposed from the figures, and a check that the stated marks agree.

Offices set each mark by hand, and a △ left over from the last quarter next to
a KPI that is now 達成 is an easy slip to make.  ``reportgen validate
--check-marks`` compares every KPI entry's stated mark with the mark its
figures suggest and prints the disagreements as warnings.  It never changes a
mark: the mark is a judgement the office makes (an entry can be ○ for its
activities while its KPI is not met yet), so a silent "correction" would be
wrong; the warning only asks someone to look.

How a mark is proposed
----------------------
From the KPI (:mod:`reportgen.model.kpi` compares at the printed precision, so
96.45％ against a 96.5％ target is 達成, as the reader sees it):

* no figure yet (actual null, no usable series) → no proposal;
* the actual comes from ``actual``; when it is null and the KPI has a series
  in the KPI's own unit, from the year so far — the last row's printed
  累計/平均 (only for ratios, averages and cumulative series: a partial-year
  sum of counts says nothing against an annual target);
* an explicit ``achieved: true/false`` decides met / not met.

Then per scale (``margin`` is how much better than the target, relative to
it: (actual − target) / target for 以上, (target − actual) / target for 以下):

============  =======================================================
standard      ◎ met with margin ≥ 5 % · ○ met · △ not met
gunma         ◎ met and above the target (目標を上回る) · ○ met exactly
              (目標達成) · △ not met (目標未達成)
quarterly     ○ met · △ not met
evaluation    by the achievement ratio r = actual/target (target/actual
              for 以下): S r ≥ 1.20 · A r ≥ 1.05 · B met · C r ≥ 0.80 · D
achievement   達成 · 未達成
inline scale  treated like standard when it has ○ and △ (◎ when it has
              one); otherwise no proposal
============  =======================================================

× (未実施) and □ (これから実施) are about whether work was done, which
figures cannot tell, so they are never proposed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Iterator

from ..core.errors import Problem
from ..model.grids import series_grid
from ..model.kpi import achieved as kpi_achieved
from ..model.marks import MarkScale
from ..model.report import KPI, Entry, Report, Scalar
from ..model.numbers import NumberFormat, format_value, parse_time, round_half_up

__all__ = [
    "EVALUATION_BANDS", "TOP_MARGIN", "Proposal", "assess", "check_file_marks", "check_marks",
    "propose", "propose_mark",
]

#: Relative margin over the target from which the standard scale proposes ◎.
TOP_MARGIN = Decimal("0.05")
#: Achievement ratio → letter for the evaluation scale (B is "met", below 1.00 C/D).
EVALUATION_BANDS = ((Decimal("1.20"), "S"), (Decimal("1.05"), "A"), (Decimal("1.00"), "B"), (Decimal("0.80"), "C"))

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class Assessment:
    """What the figures say about one KPI."""

    met: bool
    actual: Decimal | None
    target: Decimal | None
    margin: Decimal | None        # relative, positive = better than the target
    ratio: Decimal | None         # achievement ratio, ≥ 1 when met
    reason: str                   # "KPI 未達成: 80.15％ < 85.38％"


@dataclass(frozen=True)
class Proposal:
    mark: str
    reason: str


def _number(value: Scalar, fmt: NumberFormat) -> Decimal | None:
    """A figure at its printed precision (as kpi.achieved compares them)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            return Decimal(parse_time(text)) if fmt.kind == "time" else Decimal(text)
        except (ValueError, ArithmeticError):
            return None
    if fmt.kind in ("text", "date", "time"):
        return Decimal(repr(value))
    decimals = 0 if fmt.kind in ("int", "yen", "kyen") else fmt.decimals + (2 if fmt.kind == "pct" else 0)
    return round_half_up(value, decimals)


def _series_figure(kpi: KPI, reached: int) -> tuple[Scalar, str] | None:
    """The year-so-far figure of the KPI's series, and where it came from."""
    series = kpi.series
    if series is None or not series.rows:
        return None
    try:
        same = NumberFormat.parse(series.format).kind == NumberFormat.parse(kpi.format).kind
    except ValueError:
        return None
    kind = NumberFormat.parse(series.format).kind
    if not same or not (series.cumulative or kind in ("pct", "dec", "time")):
        return None
    grid = series_grid(series, reached)
    row = grid.rows[-1]
    if row.total is None:
        return None
    label = grid.total_label or "計"
    caption = f"「{series.caption}」" if series.caption else ""
    return row.total, f"系列{caption} {row.label} {label}"


def assess(kpi: KPI, *, reached: int = 12) -> Assessment | None:
    """Met or not, and by how much; None when there is no figure to judge."""
    fmt = NumberFormat.parse(kpi.format)
    actual_raw: Scalar = kpi.actual
    source = ""
    if actual_raw is None and not isinstance(kpi.achieved, bool):
        found = _series_figure(kpi, reached)
        if found is None:
            return None
        actual_raw, source = found
    target_raw = kpi.prior if kpi.target == "prior" else kpi.target
    actual = _number(actual_raw, fmt)
    target = _number(target_raw, fmt) if isinstance(target_raw, (int, float, str)) else None
    if source:
        probe = KPI(kpi.text, kpi.target, kpi.direction, kpi.format, kpi.prior, actual_raw, kpi.achieved)
        met = kpi_achieved(probe)
    else:
        met = kpi_achieved(kpi)
    if met is None:
        return None
    up = kpi.direction == ">="
    margin = ratio = None
    if actual is not None and target is not None and target != 0:
        margin = ((actual - target) if up else (target - actual)) / abs(target)
        if target > 0 and actual >= 0:
            if up:
                ratio = actual / target
            else:
                ratio = target / actual if actual else Decimal("Infinity")
    verdict = "達成" if met else "未達成"
    if isinstance(kpi.achieved, bool):
        reason = f"KPI {verdict}（achieved: {'true' if met else 'false'}）"
    elif actual is not None and target is not None:
        sign = {(True, True): "≥", (True, False): "<", (False, True): "≤", (False, False): ">"}[(up, met)]
        a = format_value(actual_raw, fmt)
        t = format_value(target_raw, fmt)
        reason = f"KPI {verdict}: {a} {sign} {t}" + ("（前年度実績）" if kpi.target == "prior" else "")
    else:
        reason = f"KPI {verdict}"
    if source:
        reason += f"（{source}）"
    return Assessment(met, actual, target, margin, ratio, reason)


def _percent(d: Decimal) -> str:
    return format_value(float(d), "pct:1")


def propose(entry: Entry, scale: MarkScale, *, reached: int = 12) -> Proposal | None:
    """The mark the figures suggest on ``scale``, with the reason; None when they cannot say."""
    if entry.kpi is None:
        return None
    a = assess(entry.kpi, reached=reached)
    if a is None:
        return None
    symbols = set(scale.allowed)
    name = scale.name if scale.builtin else None
    if name == "achievement":
        return Proposal("達成" if a.met else "未達成", a.reason)
    if name == "evaluation":
        if a.ratio is None:
            return Proposal("B" if a.met else "C", a.reason)
        letter = "D"
        for bound, band in EVALUATION_BANDS:
            if a.ratio >= bound:
                letter = band
                break
        if a.met and letter in ("C", "D"):     # achieved: true over the figures
            letter = "B"
        if not a.met and letter in ("S", "A", "B"):
            letter = "C"
        shown = "∞" if a.ratio.is_infinite() else _percent(a.ratio)
        return Proposal(letter, f"{a.reason}、達成率 {shown}")
    if name is None and not {"○", "△"} <= symbols:
        return None
    if not a.met:
        return Proposal("△", a.reason)
    if "◎" in symbols and a.margin is not None:
        if name == "gunma":
            if a.margin > 0:
                return Proposal("◎", f"{a.reason}、目標を上回る")
        elif a.margin >= TOP_MARGIN:
            return Proposal("◎", f"{a.reason}、目標より {_percent(a.margin)} 良い")
    return Proposal("○", a.reason)


def propose_mark(entry: Entry, scale: MarkScale, *, reached: int = 12) -> str | None:
    """The mark the entry's KPI figures suggest on ``scale`` (see the module docstring)."""
    p = propose(entry, scale, reached=reached)
    return p.mark if p else None


def _entries(report: Report) -> Iterator[tuple[PathKey, Entry]]:
    for s, section in enumerate(report.sections):
        for i, item in enumerate(section.items):
            for e, entry in enumerate(item.entries):
                yield ("sections", s, "items", i, "entries", e), entry
        for g, group in enumerate(section.groups):
            for i, item in enumerate(group.items):
                for e, entry in enumerate(item.entries):
                    yield ("sections", s, "groups", g, "items", i, "entries", e), entry


def check_marks(report: Report, *, source: str = "<report>",
                line_of: Callable[[PathKey], int | None] | None = None) -> list[Problem]:
    """Entries whose stated mark differs from the one their figures suggest.

    One :class:`Problem` per entry (``path.mark: stated ○ but the figures
    suggest △ (KPI 未達成: 80.15％ < 85.38％)``); entries without a mark or
    without figures are not checked.  Nothing in ``report`` is changed.
    """
    from ..core.locations import format_path

    reached = report.months_reached
    out: list[Problem] = []
    for path, entry in _entries(report):
        if entry.mark is None:
            continue
        p = propose(entry, report.marks, reached=reached)
        if p is None or p.mark == entry.mark:
            continue
        where = path + ("mark",)
        out.append(Problem(source, line_of(where) if line_of else None, format_path(where),
                           f"stated {entry.mark} but the figures suggest {p.mark} ({p.reason})"))
    return out


def check_file_marks(path: str | os.PathLike[str], report: Report) -> list[Problem]:
    """:func:`check_marks` for a loaded file, with line numbers for YAML/JSON."""
    from pathlib import Path

    line_of = None
    if Path(path).suffix.lower() != ".xlsx":
        try:
            from ..inputs.source import read_located

            line_of = read_located(path).line
        except Exception:  # noqa: BLE001 - line numbers are a nicety; the check still runs
            line_of = None
    return check_marks(report, source=str(path), line_of=line_of)
