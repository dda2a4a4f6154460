"""Month grids inside the 進捗状況 column of a hand-made tracker → series.

A grid starts at a row with 4月 … 3月 in twelve cells in a row; the cell
before 4月 is the corner caption (達成率, 累計, 単月, 申請件数 …), the cell
after 3月 may be a total (計/合計/累計/平均) and a last one an extra column
such as 全国平均.  The rows below carry a label and the figures until a row
that is not a grid row (text, a new month header, the end of the entry).

One grid of the workbook can mix formats (a 達成率 row in %, count rows, a
平均所要日数 row with two decimals); a series has one format, so consecutive
rows of the same format become one series.  The total kind is the one the
workbook's totals agree with when printed (sum, mean or last value); totals
that follow no rule are kept as literal values, one series per row.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..model.calendar import FISCAL_MONTHS
from ..model.numbers import format_value, parse_time
from .tracker_cells import Figure, NotAFigure, convert_to, normal, parse_figure, row_format
from .tracker_sheet import Sheet

__all__ = ["GridHeader", "month_header", "read_grid"]

_MONTH = re.compile(r"(\d{1,2})月(?:まで|分)?")
_SUM_LABELS = frozenset({"計", "合計", "年計", "総計", "年間計", "小計"})
_MEAN_LABELS = frozenset({"平均", "月平均", "年平均"})
_LAST_LABELS = frozenset({"累計"})
_YEAR_LABEL = re.compile(r"(令和|平成|R|H)\s*(\d+|元)\s*年度?")
_PLAIN_CORNERS = frozenset({"", "単月", "累計"})


@dataclass
class GridHeader:
    row: int
    corner: str
    label_col: int | None
    months: list[int]
    total_col: int | None = None
    total_label: str | None = None
    extra_col: int | None = None
    extra_label: str | None = None


@dataclass
class GridRow:
    row: int
    label: str
    figures: list[tuple[int, Figure]]          # (column, figure) per month
    total: tuple[int, Figure] | None = None
    extra: tuple[int, Figure] | None = None
    #: the total's formula function (SUM, AVERAGE) when no value was saved with it
    total_formula: str | None = None
    format: str = "int"
    values: list[Any] = field(default_factory=list)


def _month_text(sheet: Sheet, r: int, c: int) -> str:
    """A header cell as text; a date typed for a month (2023/4/1 shown as 4月) reads as "4月"."""
    value = sheet.typed(r, c)
    if isinstance(value, (_dt.date, _dt.datetime)):
        return f"{value.month}月"
    return sheet.label(r, c)


def month_header(sheet: Sheet, r: int, first: int, last: int) -> GridHeader | None:
    """The grid header on row r between columns first..last, if the row is one."""
    filled = list(sheet.filled(r, first, last))
    if len(filled) < 12:
        return None  # no room for twelve months
    # a figure is never a month (nor 計/平均 after them): not worked out as text, and a row
    # of fewer than twelve other cells is no month header (most rows of a table of figures)
    typed = [sheet.typed(r, c) for c in filled]
    if sum(1 for value in typed if not isinstance(value, (int, float))) < 12:
        return None
    cells = [(c, "" if isinstance(value, (int, float)) else _month_text(sheet, r, c))
             for c, value in zip(filled, typed)]
    for i in range(len(cells) - 11):
        run = cells[i:i + 12]
        months = [_MONTH.fullmatch(t) for _c, t in run]
        if not all(months) or tuple(int(m.group(1)) for m in months if m) != FISCAL_MONTHS:
            continue
        before = cells[:i]
        corner_col = before[-1][0] if before else None
        label_col = corner_col if corner_col is not None else (run[0][0] - 1 if run[0][0] > first else None)
        header = GridHeader(r, sheet.text(r, corner_col) if corner_col else "", label_col, [c for c, _t in run])
        for c, _t in [*before[-1:], *run]:
            sheet.take(r, c)
        after = cells[i + 12:]
        if after and after[0][1] in _SUM_LABELS | _MEAN_LABELS | _LAST_LABELS:
            header.total_col, header.total_label = after[0][0], after[0][1]
            sheet.take(r, after[0][0])
            after = after[1:]
        if after:
            header.extra_col, header.extra_label = after[0][0], sheet.text(r, after[0][0])
            sheet.take(r, after[0][0])
        return header
    return None


def _figure(sheet: Sheet, r: int, c: int) -> Figure | None:
    """The figure in a cell, or None when it holds text (not taken then)."""
    try:
        return parse_figure(sheet.raw(r, c), sheet.number_format(r, c))
    except NotAFigure:
        return None


def _grid_row(sheet: Sheet, header: GridHeader, r: int, first: int, last: int) -> GridRow | None:
    """Row r as a row of this grid, or None when it is something else (text)."""
    used = {header.label_col, *header.months, header.total_col, header.extra_col} - {None}
    if any(c not in used for c in sheet.filled(r, first, last)):
        return None
    label_col = header.label_col
    if label_col is not None and sheet.last_col_of(r, label_col) >= header.months[0]:
        return None  # text merged across the months
    label = sheet.text(r, label_col) if label_col is not None else ""
    figures: list[tuple[int, Figure]] = []
    good = bad = 0
    for c in header.months:
        f = _figure(sheet, r, c)
        if f is None:
            bad += 1
            f = Figure(None)
        elif f.kind != "blank":
            good += 1
        figures.append((c, f))
    if good == 0 and (bad or not _YEAR_LABEL.match(normal(label))):
        return None
    if bad > good:
        return None
    row = GridRow(r, label, figures)
    row.total_formula = _unsaved_function(sheet, r, header.total_col)
    for col, attr in ((header.total_col, "total"), (header.extra_col, "extra")):
        if col is not None and not sheet.is_empty(r, col):
            f = _figure(sheet, r, col)
            if f is None:
                sheet.warn(r, col, f"could not place {sheet.text(r, col)[:30]!r}: not a figure "
                                   f"(column {header.total_label or header.extra_label})")
            else:
                setattr(row, attr, (col, f))
                sheet.take(r, col)
    for c in header.months:
        if not sheet.is_empty(r, c) and _figure(sheet, r, c) is None:
            sheet.warn(r, c, f"could not place {sheet.text(r, c)[:30]!r}: not a figure in the "
                             f"month grid; left blank")
    if label_col is not None:
        sheet.take(r, label_col)
    for c, _f in figures:
        sheet.take(r, c)
    return row


#: A total's function: plain ``=SUM(…)``/``=AVERAGE(…)`` as typed by hand, or
#: reportgen's own ``=IF(COUNT(…)=0,"",SUM|AVERAGE|LOOKUP(…))`` (LOOKUP: the last month).
_FUNCTION = re.compile(r'=\s*(?:IF\s*\(\s*COUNT\s*\([^()]*\)\s*=\s*0\s*,\s*""\s*,\s*)?'
                       r"(SUM|AVERAGE|LOOKUP)\s*\(", re.I)


def _unsaved_function(sheet: Sheet, r: int, c: int | None) -> str | None:
    """SUM/AVERAGE/LOOKUP of a total formula saved without its value (the file never opened in Excel)."""
    if c is None:
        return None
    typed = sheet.typed(r, c)
    if not isinstance(typed, str) or sheet.cached.cell(r, c).value is not None:
        return None
    m = _FUNCTION.match(typed)
    return m.group(1).upper() if m else None


def _values(sheet: Sheet, row: GridRow, fmt: str, pairs: list[tuple[int, Figure]]) -> list[Any]:
    out = []
    for c, f in pairs:
        try:
            out.append(convert_to(f, fmt))
        except NotAFigure:
            sheet.warn(row.row, c, f"could not place {f.value!r}: the row is in {fmt} format; left blank")
            out.append(None)
    return out


def _computed(values: list[Any], how: str, fmt: str) -> Any:
    present = [v for v in values if v is not None]
    if not present:
        return None
    if how == "last":
        return present[-1]
    nums = [Decimal(parse_time(v)) if fmt == "time" else Decimal(repr(v)) for v in present]
    total = sum(nums, Decimal(0))
    if how == "mean":
        total /= len(nums)
    if fmt == "time":
        m = int(total.quantize(Decimal(1), rounding="ROUND_HALF_UP"))
        return f"{m // 60}:{m % 60:02d}"
    return float(total)


def _total_kind(header: GridHeader, rows: list[GridRow], totals: list[Any], fmt: str) -> str | None:
    """sum/mean/last when every written total prints the same as that rule; else None."""
    label = header.total_label or ""
    order = (["mean", "sum", "last"] if label in _MEAN_LABELS else
             ["last", "sum", "mean"] if label in _LAST_LABELS else ["sum", "last", "mean"])
    written = [(row, t) for row, t in zip(rows, totals) if t is not None]
    if not written:
        # formulas without saved values still say how the total is made
        functions = {row.total_formula for row in rows} - {None}
        if functions == {"SUM"}:
            return "sum"
        if functions == {"AVERAGE"}:
            return "mean"
        if functions == {"LOOKUP"}:
            return "last"
        return "none"
    for how in order:
        if all(format_value(_computed(row.values, how, fmt), fmt) == format_value(t, fmt) for row, t in written):
            return how
    return None


def _series(header: GridHeader, rows: list[GridRow], fmt: str, total: Any,
            extras: list[Any]) -> dict[str, Any]:
    corner = header.corner
    cumulative = normal(corner) == "累計" or (total == "last" and header.total_label in _LAST_LABELS)
    data: dict[str, Any] = {}
    if normal(corner) not in _PLAIN_CORNERS:
        data["caption"] = corner
    data["kind"] = "monthly"
    if cumulative:
        data["cumulative"] = True
    data["format"] = fmt
    data["total"] = total
    if header.extra_col is not None:
        data["extra"] = {"label": header.extra_label or "", "values": extras}
    data["rows"] = [{"label": row.label, "values": row.values} for row in rows]
    return data


def _run_series(sheet: Sheet, header: GridHeader, rows: list[GridRow]) -> list[dict[str, Any]]:
    fmt = rows[0].format
    totals = [(_values(sheet, row, fmt, [row.total])[0] if row.total else None) for row in rows]
    extras = [(_values(sheet, row, fmt, [row.extra])[0] if row.extra else None) for row in rows]
    if header.total_col is None:
        return [_series(header, rows, fmt, "none", extras)]
    how = _total_kind(header, rows, totals, fmt)
    if how is not None:
        return [_series(header, rows, fmt, how, extras)]
    # Totals that follow no rule are kept as written: one series per row.
    return [_series(header, [row], fmt, total if total is not None else "none", [extra])
            for row, total, extra in zip(rows, totals, extras)]


def read_row_grid(sheet: Sheet, header: GridHeader, r: int, first: int, last: int) -> list[dict[str, Any]] | None:
    """Row r's figures under a month header that heads the whole sheet (a two-row header:
    進捗状況 above 4月…3月, every item's figures on its own row); None when row r holds
    text there instead."""
    row = _grid_row(sheet, header, r, first, last)
    if row is None:
        return None
    figures = [f for _c, f in row.figures] + [p[1] for p in (row.total, row.extra) if p]
    row.format = row_format(figures)
    row.values = _values(sheet, row, row.format, row.figures)
    return _run_series(sheet, header, [row])


def read_grid(sheet: Sheet, header: GridHeader, last_row: int, first: int, last: int
              ) -> tuple[list[dict[str, Any]], int]:
    """Series read from the rows under ``header`` (up to last_row); and the next row to read."""
    rows: list[GridRow] = []
    r = header.row + 1
    while r <= last_row and month_header(sheet, r, first, last) is None:
        row = _grid_row(sheet, header, r, first, last)
        if row is None:
            break
        rows.append(row)
        r += 1
    for row in rows:
        figures = [f for _c, f in row.figures] + [p[1] for p in (row.total, row.extra) if p]
        row.format = row_format(figures)
        row.values = _values(sheet, row, row.format, row.figures)
    out: list[dict[str, Any]] = []
    start = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i].format != rows[start].format:
            out.extend(_run_series(sheet, header, rows[start:i]))
            start = i
    if not rows:
        first_month = header.months[0]
        sheet.warn(header.row, first_month, "could not place this month header: no row of figures "
                                            "follows it")
    return out, r
