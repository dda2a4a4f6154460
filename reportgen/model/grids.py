"""Series → printable grid (columns, totals, blank months), shared by PDF and xlsx.

Both renderers must agree on what a series shows — the 計/累計/平均 column,
the months a quarterly report has not reached yet — so it is computed once
here and each renderer only draws it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Sequence

from .calendar import FISCAL_MONTHS, month_label
from .report import Scalar, Series
from .numbers import NumberFormat, format_value, parse_time, round_half_up

QUARTER_LABELS = ("第1四半期", "第2四半期", "第3四半期", "第4四半期")

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def entry_label(number: str | int | None, index: int) -> str:
    """The number printed before an entry: as written, or ①②③… when absent."""
    if number is not None:
        return str(number)
    return _CIRCLED[index] if index < len(_CIRCLED) else f"({index + 1})"


@dataclass(frozen=True)
class GridRow:
    label: str
    values: list[Scalar]
    total: Scalar
    extra: Scalar = None
    #: How the total was found: sum, mean, last (computed: the workbook writes
    #: a formula), literal (given: written as a value) or none.
    how: str = "none"


@dataclass(frozen=True)
class Grid:
    """A series ready to draw: header labels, rows, and the format of the values."""

    corner: str
    columns: list[str]
    total_label: str | None
    extra_label: str | None
    rows: list[GridRow]
    format: str
    reached: int

    @property
    def header(self) -> list[str]:
        out = [self.corner, *self.columns]
        if self.total_label:
            out.append(self.total_label)
        if self.extra_label:
            out.append(self.extra_label)
        return out


def _minutes_text(minutes: Decimal) -> str:
    m = int(round_half_up(minutes, 0))
    return f"{m // 60}:{m % 60:02d}"


def _total(values: Sequence[Scalar], how: str, fmt: NumberFormat) -> Scalar:
    present = [v for v in values if v is not None]
    if not present or how == "none":
        return None
    if how == "last":
        return present[-1]
    if how == "sum" and fmt.kind != "time" and all(type(v) is int for v in present):
        total_int = sum(present)   # whole figures add up exactly (what the Decimal sum below gives)
        if abs(total_int) < 10 ** 27:
            return total_int
    if fmt.kind == "time":
        nums = [Decimal(parse_time(str(v))) for v in present]
    else:
        nums = [Decimal(repr(v)) for v in present if isinstance(v, (int, float))]
        if not nums:
            return None
    total = sum(nums, Decimal(0))
    if how == "mean":
        total = total / len(nums)
    if fmt.kind == "time":
        return _minutes_text(total)
    if total == total.to_integral_value() and all(isinstance(v, int) for v in present):
        return int(total)
    return float(total)


def _how_of(t: Scalar, cumulative: bool, fmt: NumberFormat) -> tuple[str, str | None]:
    """Which total and which header label (計, 累計 or 平均) a ``total`` setting means."""
    if t == "none":
        return "none", None
    if t == "auto":
        if cumulative:
            return "last", "累計"
        if fmt.kind in ("pct", "dec", "time"):
            return "mean", "平均"
        return "sum", "計"
    if t == "sum":
        return "sum", "計"
    if t == "mean":
        return "mean", "平均"
    if t == "last":
        return "last", "累計" if cumulative else "計"
    return "literal", "累計" if cumulative else "計"


def _how(series: Series, fmt: NumberFormat) -> tuple[str, str | None]:
    """The series' own total and label; rows may override both (``row.total``, ``total_label``)."""
    how, label = _how_of(series.total, series.cumulative, fmt)
    if label is None:   # the series has none, but a row may give its own
        for row in series.rows:
            if row.total is not None and row.total != "none":
                label = _how_of(row.total, series.cumulative, fmt)[1]
                break
    if series.total_label is not None:
        label = series.total_label or None
    return how, label


def row_total(series: Series, index: int, values: Sequence[Scalar], fmt: NumberFormat) -> tuple[Scalar, str]:
    """The total of one row and how it was found (its own ``total`` first, then the series')."""
    own = series.rows[index].total if index < len(series.rows) else None
    t = series.total if own is None else own
    how = _how_of(t, series.cumulative, fmt)[0]
    if how == "literal":
        return t, how
    return _total(values, how, fmt), how


def total_warnings(series: Series, reached: int = 12) -> list[tuple[tuple[str | int, ...], str]]:
    """(path inside the series, message) for each given total its months disagree with.

    A given figure is compared, as printed (rounded to the format), with what
    the months make under the series' rule (auto: 計 sums, 平均 averages, 累計
    takes the last month); months the period has not reached count as blank.
    """
    fmt = NumberFormat.parse(series.format)
    rule = series.total if series.total in ("sum", "mean", "last") else "auto"
    how = _how_of(rule, series.cumulative, fmt)[0]
    out: list[tuple[tuple[str | int, ...], str]] = []
    shown = reached if series.kind == "monthly" else -(-reached // 3)
    for i, row in enumerate(series.rows):
        given, gh = row_total(series, i, [], fmt)
        if gh != "literal" or given is None:
            continue
        values = [v if k < shown else None for k, v in enumerate(row.values)]
        if not any(v is not None for v in values):
            continue
        computed = _total(values, how, fmt)
        if computed is None:
            continue
        shown_given, shown_computed = format_value(given, fmt), format_value(computed, fmt)
        if shown_given != shown_computed:
            where: tuple[str | int, ...] = ("rows", i, "total") if row.total is not None else ("total",)
            word = {"sum": "sum", "mean": "average", "last": "last month"}[how]
            out.append((where, f"row {row.label!r}: the total {shown_given} differs from the months' "
                               f"{word} {shown_computed}"))
    return out


def series_grid(series: Series, reached: int = 12, *, truncate: bool = False) -> Grid:
    """Lay a series out as a grid.

    ``reached`` is how many fiscal months (or quarters ×3) the report's period
    covers: later values print empty.  ``truncate`` drops those columns
    altogether, as the quarterly layout does (4月 5月 6月 小計).
    """
    fmt = NumberFormat.parse(series.format)
    how, total_label = _how(series, fmt)
    if series.kind == "monthly":
        shown = reached
        labels = [month_label(m) for m in FISCAL_MONTHS]
    else:
        shown = -(-reached // 3)
        labels = list(QUARTER_LABELS)
    width = shown if truncate else len(labels)
    if truncate and total_label == "計" and shown < len(labels):
        total_label = "小計"
    rows = []
    for i, row in enumerate(series.rows):
        values = [row.values[k] if k < len(row.values) and k < shown else None for k in range(len(labels))]
        total, row_how = row_total(series, i, values, fmt)
        extra = None
        if series.extra is not None and i < len(series.extra.values):
            extra = series.extra.values[i]
        rows.append(GridRow(row.label, values[:width], total, extra, row_how))
    corner = series.caption or ("累計" if series.cumulative else "単月")
    return Grid(
        corner=corner,
        columns=labels[:width],
        total_label=total_label,
        extra_label=series.extra.label if series.extra else None,
        rows=rows,
        format=series.format,
        reached=shown,
    )
