"""Rows added to or deleted from a grid (a series or a table) in Excel, read back.

The writer tags every row of a grid with the grid's role (``grid3``), not with
the row's place in it, so after an edit the reader has to say which written
row each tagged row of the sheet still is.  When no tagged row is missing,
they pair up in order (the common case: figures edited in place).  When the
counts differ (rows deleted, or copied with their tags), the rows are paired
by their labels (column E),
the way ``diff`` pairs lines, so that deleting 電話 from 訪問 · 電話 · 合計
deletes 電話 — pairing in order would have moved 合計's figures into 電話's
row.  Rows typed into untagged rows inside or under a grid (inserted in Excel)
are new rows of the series or table, at the place they were typed.

Why a module of its own: the cell-by-cell rules (:mod:`reportgen.xlsx.gridedits`)
stay as they were; this one decides which rows exist and in which order.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import Any

from .scan import cell_text
from .sheet import COL_MARK, COL_PROGRESS

__all__ = ["data_index", "pair_rows", "row_template"]


def _label(values: tuple[Any, ...]) -> str:
    return cell_text(values[COL_PROGRESS - 1]).strip() if len(values) >= COL_PROGRESS else ""


def _written_label(row: Any) -> str:
    for spec in row.cells:
        if spec.col == COL_PROGRESS:
            return cell_text(spec.value).strip()
    return ""


def data_index(row: Any) -> int | None:
    """The series row (``("label", i)``) or table body row (``("td", i, c)``) a written row shows."""
    for spec in row.cells:
        source = spec.source
        if source and source[0] in ("label", "value", "total", "extra") and len(source) > 1:
            return int(source[1])
        if source and source[0] == "td":
            return int(source[1])
    return None


def pair_rows(written: list[Any], seen: list[tuple[int, tuple[Any, ...]]],
              typed: set[int]) -> list[tuple[int | None, int | None]]:
    """(written index, seen index) in sheet order: both set = the same row; no seen index =
    deleted; no written index = a row typed in.  As many tagged rows as written ones pair in
    order; otherwise by their labels.  Tagged rows left unpaired (copied with their hidden
    tags, or left over from a deleted entry) pair with nothing: the caller says they are
    not read."""
    tagged = [i for i, (r, _v) in enumerate(seen) if r not in typed]
    pairs: list[tuple[int | None, int | None]] = []
    if len(tagged) == len(written):
        matched = dict(zip(tagged, range(len(written))))
    else:
        matched = {}
        a = [_written_label(w) for w in written]
        b = [_label(seen[i][1]) for i in tagged]
        for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if op in ("equal", "replace"):
                for k in range(min(i2 - i1, j2 - j1)):
                    matched[tagged[j1 + k]] = i1 + k
    taken = set(matched.values())
    missing = [w for w in range(len(written)) if w not in taken]
    for s_index, (r, _values) in enumerate(seen):
        w_index = matched.get(s_index)
        # deleted written rows go before the first seen row that comes after them
        while missing and w_index is not None and missing[0] < w_index:
            pairs.append((missing.pop(0), None))
        if r in typed:
            pairs.append((None, s_index))
        elif w_index is not None:
            pairs.append((w_index, s_index))
        else:
            pairs.append((None, s_index))       # a tagged row beyond the written ones
    pairs.extend((w, None) for w in missing)
    return pairs


def row_template(written: list[Any]) -> dict[int, tuple[Any, ...]]:
    """Column → source of a written data row with the most cells (a new row's cells go
    where that row has its label, figures and total)."""
    best: Any = None
    for row in written:
        if data_index(row) is not None and (best is None or len(row.cells) > len(best.cells)):
            best = row
    if best is None:
        return {}
    return {col: spec.source for spec in best.cells if spec.source
            for col in range(spec.col, (spec.last_col or spec.col) + 1)}


def _typed_cells(edits: Any, base: str, template: dict[int, tuple[Any, ...]], r: int,
                 values: tuple[Any, ...]) -> list[tuple[int, tuple[Any, ...], Any]]:
    """(column, source, value) of what was typed into a new grid row, one per source: a
    cell typed where the grid has none, or a second one under one merged cell, is warned."""
    out: list[tuple[int, tuple[Any, ...], Any]] = []
    taken: set[tuple[Any, ...]] = set()
    for col in range(COL_PROGRESS, COL_MARK):
        raw = values[col - 1] if col - 1 < len(values) else None
        if not _typed(raw):
            continue
        source = template.get(col)
        if source is None or source in taken:
            edits.warn(r, col, base, f"not read back: {cell_text(raw).strip()[:40]!r}: a new grid row takes one value "
                                          "per column, typed under the column's first cell")
            continue
        taken.add(source)
        out.append((col, source, raw))
    return out


def _typed(raw: Any) -> bool:
    return raw is not None and cell_text(raw).strip() != ""


def reshape(edits: Any, base: str, series: Any, table: Any, written: list[Any],
            seen: list[tuple[int, tuple[Any, ...]]], pairs: list[tuple[int | None, int | None]],
            typed: set[int]) -> dict[int, int]:
    """Delete and add the series' or table's rows as the sheet shows them; returns the
    sheet row of each (new) row index, for messages.  ``edits`` is the
    :class:`~reportgen.xlsx.gridedits.GridEdits` whose ``warn``/``error``/``parse`` report."""
    model = series.rows if series is not None else table.table.rows if table is not None else None
    other_deleted = [w for w, s in pairs if s is None and (model is None or data_index(written[w]) is None)]
    if other_deleted:
        r = next((seen[s][0] for w, s in pairs if s is not None and w is not None and w > other_deleted[0]),
                 seen[-1][0] if seen else 0)
        edits.warn(r, COL_PROGRESS, base, f"{len(other_deleted)} grid row(s) deleted; deleting rows of a grid is "
                                          "not read back (the figures are kept; clear the cells instead)")
    covered = {data_index(w) for w in written} - {None}
    if model is None or covered != set(range(len(model))):
        for w, s in pairs:
            if w is None and s is not None:
                edits.warn(seen[s][0], COL_PROGRESS, base, LEFT_OVER if seen[s][0] not in typed else NOT_A_GRID)
        return {}
    template = row_template(written)
    extra = series.extra if series is not None else None
    final: list[Any] = []
    final_extra: list[Any] = []
    sheet_rows: dict[int, int] = {}
    changed = False
    for w, s in pairs:
        if w is not None:
            i = data_index(written[w])
            if i is None:
                continue
            if s is None:
                changed = True               # a data row deleted
                continue
            final.append(model[i])
            final_extra.append(extra.values[i] if extra is not None and i < len(extra.values) else None)
            sheet_rows[len(final) - 1] = seen[s][0]
            continue
        assert s is not None
        r, values = seen[s]
        if r not in typed:
            edits.warn(r, COL_PROGRESS, base, LEFT_OVER)
            continue
        row, extra_value = (_new_series_row if series is not None else _new_table_row)(
            edits, base, series if series is not None else table, template, r, values, len(final))
        if row is None:
            continue
        final.append(row)
        final_extra.append(extra_value)
        sheet_rows[len(final) - 1] = r
        changed = True
    if changed:
        model[:] = final
        if extra is not None:
            while final_extra and final_extra[-1] is None:
                final_extra.pop()
            extra.values[:] = final_extra
    return sheet_rows


LEFT_OVER = ("not read back: a grid row left over from an entry whose first row was deleted, or a copied grid "
             "row (delete all of an entry's rows, or none)")
NOT_A_GRID = "not read back: a row typed under a grid that is printed as text (edit the data file)"


def _new_series_row(edits: Any, base: str, series: Any, template: dict[int, tuple[Any, ...]], r: int,
                    values: tuple[Any, ...], index: int) -> tuple[Any, Any]:
    from ..model.report import SeriesRow

    path = f"{base}.rows[{index}]"
    label, figures, total, extra = "", [None] * series.slots, None, None
    ok = True
    for col, source, raw in _typed_cells(edits, base, template, r, values):
        kind = source[0]
        if kind == "label":
            label = cell_text(raw).strip()
        elif kind == "value":
            good, figures[source[2]] = edits.parse(raw, series.format, r, col, f"{path}.values[{source[2]}]")
            ok = ok and good
        elif kind == "total":
            good, total = edits.parse(raw, series.format, r, col, f"{path}.total")
            ok = ok and good
        elif kind == "extra":
            good, extra = edits.parse(raw, series.format, r, col, f"{base}.extra.values[{index}]")
            ok = ok and good
    if not label:
        edits.error(r, COL_PROGRESS, f"{path}.label", "a grid row needs a label")
        return None, None
    if not ok:
        return None, None
    while figures and figures[-1] is None:
        figures.pop()
    return SeriesRow(label, figures, total), extra


def _new_table_row(edits: Any, base: str, block: Any, template: dict[int, tuple[Any, ...]], r: int,
                   values: tuple[Any, ...], index: int) -> tuple[Any, Any]:
    import datetime as dt

    from ..model.numbers import parse_typed

    table = block.table
    width = max((len(row) for row in table.rows + table.header), default=0)
    cells: list[Any] = [None] * width
    for _col, source, raw in _typed_cells(edits, base, template, r, values):
        if source[0] != "td" or source[2] >= width:
            continue
        ci = source[2]
        fmt = table.formats[ci] if table.formats and ci < len(table.formats) else None
        value: Any = raw.strip() if isinstance(raw, str) else raw
        if fmt not in (None, "text"):
            try:
                value = parse_typed(raw, fmt)
            except (ValueError, TypeError):
                value = cell_text(raw).strip()   # tables mix labels (―, 未実施) with figures
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, dt.date):
            value = value.isoformat()
        cells[ci] = value
    if all(c is None for c in cells):
        return None, None
    return cells, None
