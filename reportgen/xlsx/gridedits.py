"""Grid cells read back: the figures, labels and totals of an entry's series and tables.

Each written cell carries, in the re-built layout of the embedded report, the
place its value came from (``CellSpec.source``); a cell whose value differs
from what was written is parsed back with
:func:`reportgen.model.numbers.parse_typed` into that place.  Totals written
as formulas are computed (left alone while the formula is ours); a typed total
becomes the row's own total, with a warning when it disagrees with the months.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any, Callable

from ..core.errors import Problem
from ..model.grids import total_warnings
from ..model.report import (
    Entry,
    Series,
    SeriesBlock,
    SeriesExtra,
    TableBlock,
    TableCell,
)
from ..model.numbers import cell_format, parse_typed

from .gridreshape import pair_rows, reshape
from .readback import cell_name, same_value

__all__ = ["GridEdits"]

_OUR_TOTAL = re.compile(r'^=IF\(COUNT\(([A-Z]+)\d+:([A-Z]+)\d+\)=0,"",(SUM|AVERAGE|LOOKUP)\(')


class GridEdits:
    """Applies the edits of one entry's grid rows; collects problems and warnings."""

    def __init__(self, source: str, sheet: str, path: str, entry: Entry,
                 problems: list[Problem], warnings: list[Problem], reached: int = 12,
                 cached: Callable[[int, int], Any] | None = None) -> None:
        self.source, self.sheet, self.path, self.entry = source, sheet, path, entry
        self.problems, self.warnings = problems, warnings
        self.reached = reached
        #: The value Excel/LibreOffice last computed for a formula cell (None: never computed).
        self.cached = cached or (lambda r, c: None)

    def _where(self, r: int, c: int, field_path: str) -> str:
        return f"{cell_name(self.sheet, r, c)}: {field_path}"

    def warn(self, r: int, c: int, field_path: str, message: str) -> None:
        self.warnings.append(Problem(self.source, None, self._where(r, c, field_path), message))

    def error(self, r: int, c: int, field_path: str, message: str) -> None:
        self.problems.append(Problem(self.source, None, self._where(r, c, field_path), message))

    def target(self, role_tail: str) -> tuple[str, Series | None, TableBlock | None]:
        """The series or table a grid role ("grid3", "gridk") was written from."""
        if role_tail == "k":
            kpi = self.entry.kpi
            return f"{self.path}.kpi.series", (kpi.series if kpi else None), None
        if not role_tail.isdigit() or not isinstance(self.entry.status, list):
            return self.path, None, None
        index = int(role_tail)
        if index >= len(self.entry.status):
            return self.path, None, None
        block = self.entry.status[index]
        if isinstance(block, SeriesBlock):
            return f"{self.path}.status[{index}].series", block.series, None
        if isinstance(block, TableBlock):
            return f"{self.path}.status[{index}].table", None, block
        return f"{self.path}.status[{index}]", None, None

    def apply(self, role_tail: str, written_rows: list[Any], seen_rows: list[tuple[int, tuple[Any, ...]]],
              typed: set[int] | frozenset[int] = frozenset()) -> None:
        """Compare the rows written for one grid with the rows the sheet shows now (``typed``:
        rows typed into untagged rows, i.e. added; see :mod:`reportgen.xlsx.gridreshape`)."""
        base, series, table = self.target(role_tail)
        typed_totals: set[int] = set()
        pairs = pair_rows(written_rows, seen_rows, set(typed))
        for w_index, s_index in pairs:
            if w_index is None or s_index is None:
                continue
            written, (r, values) = written_rows[w_index], seen_rows[s_index]
            for spec in written.cells:
                seen = values[spec.col - 1] if spec.col - 1 < len(values) else None
                value = spec.value
                ours = hasattr(value, "formula")       # our live total formula
                if ours and isinstance(seen, str) and _OUR_TOTAL.match(seen):
                    continue
                if isinstance(seen, str) and seen.startswith("="):
                    # someone's own formula: its last computed value is what the sheet shows
                    seen = self.cached(r, spec.col)
                    if seen is None:
                        field_path = base if spec.source is None else base + _source_path(spec.source)
                        self.error(r, spec.col, field_path, "a formula whose value was never computed: type the "
                                                            "figure, or save the workbook in Excel or LibreOffice "
                                                            "first")
                        continue
                if ours:
                    if seen is None:
                        value = "<formula>"
                elif same_value(value, seen):
                    continue
                if spec.source is None:
                    self.warn(r, spec.col, base, f"edit not read back: this cell is generated "
                                                 f"(written {value!r}, now {seen!r})")
                    continue
                if series is not None:
                    if self.series_cell(series, base, spec.source, seen, r, spec.col) == "total":
                        typed_totals.add(spec.source[1])
                elif table is not None:
                    self.table_cell(table, base, spec.source, seen, r, spec.col, spec.number_format)
                else:
                    self.warn(r, spec.col, base, "edit not read back (the block is no longer a grid)")
        total_rows = {id(series.rows[i]) for i in typed_totals if i < len(series.rows)} if series else set()
        sheet_rows = reshape(self, base, series, table, written_rows, seen_rows, pairs, set(typed))
        if series is not None:
            fmt_rows = sheet_rows or {i: r for i, (r, _v) in enumerate(seen_rows[1:])}
            typed_now = {i for i, row in enumerate(series.rows) if id(row) in total_rows}
            for where, message in total_warnings(series):
                if len(where) == 3 and int(where[1]) in typed_now:
                    row = fmt_rows.get(int(where[1]), 0)
                    self.warn(row, 18, f"{base}.rows[{where[1]}].total", "typed total: " + message)

    def parse(self, raw: Any, fmt: str, r: int, c: int, path: str) -> tuple[bool, Any]:
        try:
            return True, parse_typed(raw, fmt)
        except (ValueError, TypeError) as exc:
            self.error(r, c, path, str(exc))
            return False, None

    def series_cell(self, series: Series, base: str, source: tuple[Any, ...], seen: Any, r: int, c: int) -> str:
        kind = source[0]
        text = "" if seen is None else str(seen).strip()
        if kind == "corner":
            series.caption = text or None
            return kind
        if kind == "total_label":
            series.total_label = text
            return kind
        i = source[1]
        if i >= len(series.rows):
            return kind
        row = series.rows[i]
        if kind == "label":
            if not text:
                self.error(r, c, f"{base}.rows[{i}].label", "a grid row needs a label")
            else:
                row.label = text
            return kind
        path = f"{base}.rows[{i}]"
        if kind == "value":
            k = source[2]
            ok, value = self.parse(seen, series.format, r, c, f"{path}.values[{k}]")
            shown = self.reached if series.kind == "monthly" else -(-self.reached // 3)
            if ok and value is not None and k >= shown:
                self.warn(r, c, f"{path}.values[{k}]", "kept, but not printed: the report's period has not "
                                                        "reached this month (change period in the data)")
            if ok:
                while len(row.values) <= k:
                    row.values.append(None)
                row.values[k] = value
                while row.values and row.values[-1] is None:
                    row.values.pop()
        elif kind == "total":
            ok, value = self.parse(seen, series.format, r, c, f"{path}.total")
            if ok:
                row.total = "none" if value is None else value
        elif kind == "extra":
            ok, value = self.parse(seen, series.format, r, c, f"{series and base}.extra.values[{i}]")
            if ok:
                if series.extra is None:
                    series.extra = SeriesExtra("", [])
                while len(series.extra.values) <= i:
                    series.extra.values.append(None)
                series.extra.values[i] = value
        return kind

    def table_cell(self, block: TableBlock, base: str, source: tuple[Any, ...], seen: Any, r: int, c: int,
                   number_format: str | None) -> None:
        part, ti, ci = source
        rows = block.table.header if part == "th" else block.table.rows
        if ti >= len(rows) or ci >= len(rows[ti]):
            return
        old = rows[ti][ci]
        old_value = old.value if isinstance(old, TableCell) else old
        fmt = old.format if isinstance(old, TableCell) and old.format else None
        if fmt is None and part == "td" and block.table.formats and ci < len(block.table.formats):
            fmt = block.table.formats[ci]
        new: Any
        if isinstance(seen, str) and fmt not in (None, "text"):
            try:
                new = parse_typed(seen, str(cell_format(old_value, fmt)))
            except ValueError:
                new = seen            # tables mix labels (―, 未実施) with figures
        elif isinstance(seen, (_dt.date, _dt.time, _dt.timedelta)) and fmt is not None:
            ok, new = self.parse(seen, fmt, r, c, f"{base}.{'header' if part == 'th' else 'rows'}[{ti}][{ci}]")
            if not ok:
                return
        elif isinstance(seen, float) and seen.is_integer() and isinstance(old_value, int):
            new = int(seen)
        else:
            new = seen
        if isinstance(new, _dt.date):
            new = new.isoformat()
        if isinstance(old, TableCell):
            old.value = new
        else:
            rows[ti][ci] = new


def _source_path(source: tuple[Any, ...]) -> str:
    kind = source[0]
    if kind in ("label", "total"):
        return f".rows[{source[1]}].{kind}"
    if kind == "value":
        return f".rows[{source[1]}].values[{source[2]}]"
    if kind == "extra":
        return f".extra.values[{source[1]}]"
    if kind in ("th", "td"):
        return f".{'header' if kind == 'th' else 'rows'}[{source[1]}][{source[2]}]"
    return "." + {"corner": "caption"}.get(kind, kind)
