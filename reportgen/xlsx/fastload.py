"""Loading a workbook for reading only: what the readers use, in one pass, nothing else.

openpyxl's ``load_workbook`` builds a workbook fit for editing and saving.  Two
parts of that cost far more than the cells themselves, and no reader of
reportgen uses them:

* **merged ranges** get their border styles recomputed cell by cell
  (``MergedCellRange.format``), through a style list searched linearly: a
  1,000-entry reportgen tracker (11,000 merged ranges) spent 55 of its 70 s
  of loading there — quadratic in the number of merged cells;
* **formulas and their cached values** need two loads (``data_only``), so the
  hand-made tracker importer parsed every workbook twice.

:func:`load_for_reading` uses openpyxl's own parsers (cell values, types,
dates and number formats come out exactly as ``load_workbook`` gives them)
but binds only cells and merged ranges: each merged range becomes a plain
:class:`~openpyxl.worksheet.cell_range.CellRange` in ``ws.merged_cells`` and
its covered cells are emptied (openpyxl replaces them by placeholders of value
None), without the border styles.  Cells with nothing in them (borders only)
get no cell object: they read as None either way, so a sheet's ``max_row``
may end at its last cell holding something.  The value Excel cached for each
formula is kept from the same pass (:class:`CachedValues`).  Comments,
hyperlinks, images, charts, pivot tables, conditional formats, row and column
sizes are not read: they hold nothing a reader takes in.

The workbook is for reading: saving it would lose the parts not read.
Callers pass the bytes only after :func:`reportgen.xlsx.limits.check_workbook`.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["CachedValues", "filled_cells", "load_for_reading"]

_RANGE = re.compile(r"([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})")


class CachedValues:
    """The values Excel or LibreOffice last computed for formula cells, by sheet.

    Looks like the ``data_only`` workbook the readers used to load for them:
    ``cached[sheet].cell(row, col).value`` — None where the cell holds no
    formula or the formula was never computed.
    """

    def __init__(self, workbook: Any, by_sheet: dict[str, dict[tuple[int, int], Any]],
                 comments: dict[str, list[tuple[str, str]]] | None = None) -> None:
        self.workbook = workbook
        self.by_sheet = by_sheet
        #: Comments (notes) by sheet: (cell reference, text).  Read so that the
        #: readers can say they are not taken in, never to be kept.
        self.comments = comments or {}

    def __getitem__(self, title: str) -> _CachedSheet:
        return _CachedSheet(self.by_sheet.get(title, {}), self.workbook[title]._cells)


class _CachedSheet:
    def __init__(self, values: dict[tuple[int, int], Any], cells: dict[tuple[int, int], Any]) -> None:
        self.values = values
        self.cells = cells

    def cell(self, row: int, column: int) -> _CachedCell:
        """The cached value of a formula cell; any other cell's own value (as in a
        ``data_only`` workbook: a text typed as ``=abc`` stays that text)."""
        if (row, column) in self.values:
            return _CachedCell(self.values[(row, column)])
        cell = self.cells.get((row, column))
        return _CachedCell(None if cell is None else cell.value)


class _CachedCell:
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def _reader_classes() -> tuple[type, type]:
    """The openpyxl reader subclasses (imported late: openpyxl is a slow import)."""
    from openpyxl.cell import Cell
    from openpyxl.styles.cell_style import StyleArray
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.worksheet._reader import MERGE_TAG, ROW_TAG, WorkSheetParser, WorksheetReader
    from openpyxl.utils.cell import column_index_from_string, coordinate_to_tuple
    from openpyxl.worksheet.cell_range import CellRange, MultiCellRange
    from openpyxl.worksheet.worksheet import Worksheet
    from openpyxl.comments.comment_sheet import CommentSheet
    from openpyxl.packaging.relationship import get_dependents, get_rels_path
    from openpyxl.xml.constants import COMMENTS_NS, SHARED_STRINGS
    from openpyxl.xml.functions import fromstring, iterparse  # defusedxml's
    from defusedxml import DTDForbidden, EntitiesForbidden

    from .sheetxml import BAD_XML, parse_shared_strings, parse_sheet

    class Parser(WorkSheetParser):  # type: ignore[misc]
        """Also keeps, for each formula cell, the value cached with it (one pass for both)."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.cached: dict[tuple[int, int], Any] = {}
            self.merge_refs: list[str] = []

        def parse(self) -> Iterator[tuple[int, list[dict[str, Any]]]]:
            """Rows and merged ranges only (openpyxl's ``parse`` also builds print
            settings, validations, formats…, which no reader uses)."""
            for _event, element in iterparse(self.source):
                tag = element.tag
                if tag == ROW_TAG:
                    row = self.parse_row(element)
                    element.clear()
                    yield row
                elif tag == MERGE_TAG:
                    self.merge_refs.extend(m.get("ref") for m in element if m.get("ref"))
                    element.clear()

        def parse_row(self, row: Any) -> tuple[int, list[dict[str, Any]]]:
            """openpyxl's ``parse_row``, passing over cells with nothing in them.

            A tracker written by reportgen (or formatted in Excel) is two thirds
            ``<c r="B40" s="6" t="n"></c>``: borders and fills, no value.  They
            read as None whether or not a cell object is made for them; only the
            column count goes on (for a following cell without ``r``).
            """
            if "r" in row.attrib:
                number = row.attrib["r"]
                try:
                    self.row_counter = int(number)
                except ValueError:
                    value = float(number)
                    if not value.is_integer():
                        raise ValueError(f"{number} is not a valid row number") from None
                    self.row_counter = int(value)
            else:
                self.row_counter += 1
            self.col_counter = 0
            cells = []
            skipped: str | None = None
            for element in row:
                if not len(element):
                    ref = element.get("r")
                    if ref is None:
                        self.col_counter += 1
                    skipped = ref
                    continue
                if skipped is not None and element.get("r") is None:
                    self.col_counter = coordinate_to_tuple(skipped)[1]
                skipped = None
                cells.append(self.parse_cell(element))
            return self.row_counter, cells

        def parse_cell(self, element: Any) -> dict[str, Any]:
            counter = self.col_counter
            cell = super().parse_cell(element)
            if cell["data_type"] == "f" and not self.data_only:
                after = self.col_counter
                self.col_counter = counter
                self.data_only = True
                try:
                    self.cached[(cell["row"], cell["column"])] = super().parse_cell(element)["value"]
                finally:
                    self.data_only = False
                    self.col_counter = after
            return cell

    columns: dict[str, int] = {}

    def cell_range(ref: str) -> Any:
        """``CellRange(ref)``, made without openpyxl's validating descriptors for the usual
        ``B12:C15`` (11,000 ranges of a large tracker took a tenth of a second that way)."""
        m = _RANGE.fullmatch(ref)
        if m is None:
            return CellRange(ref)
        first, min_row, last, max_row = m.group(1), int(m.group(2)), m.group(3), int(m.group(4))
        min_col = columns.get(first) or columns.setdefault(first, column_index_from_string(first))
        max_col = columns.get(last) or columns.setdefault(last, column_index_from_string(last))
        if min_col > max_col or min_row > max_row or not min_row:
            return CellRange(ref)  # openpyxl says what is wrong with it
        rng = CellRange.__new__(CellRange)
        rng.__dict__.update(min_col=min_col, min_row=min_row, max_col=max_col, max_row=max_row, title=None)
        return rng

    class SheetReader(WorksheetReader):  # type: ignore[misc]
        """Binds the cells parsed by :mod:`reportgen.xlsx.sheetxml` (``engine="expat"``) or
        by openpyxl's own parser (``engine="openpyxl"``: the reference the tests compare
        with, and the fallback when the first cannot read a sheet)."""

        def __init__(self, ws: Any, xml_source: Any, shared_strings: Any, data_only: bool, rich_text: bool,
                     engine: str = "expat") -> None:
            super().__init__(ws, xml_source, shared_strings, data_only, rich_text)
            parser = self.parser
            self.parser = Parser(xml_source, shared_strings, data_only, ws.parent.epoch, ws.parent._date_formats,
                                 ws.parent._timedelta_formats, rich_text)
            del parser
            self.engine = engine
            self.cached: dict[tuple[int, int], Any] = self.parser.cached
            self.merge_refs: list[str] = self.parser.merge_refs

        def parsed_cells(self) -> Iterator[tuple[int, int, Any, str, Any]]:
            """(row, column, value, data_type, style index) of every cell holding something."""
            if self.engine == "expat" and not self.parser.data_only and not self.parser.rich_text:
                wb = self.ws.parent
                sheet = parse_sheet(self.parser.source, self.parser.shared_strings, epoch=wb.epoch,
                                    date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
                self.cached, self.merge_refs = sheet.cached, sheet.merge_refs
                yield from sheet.cells
                return
            for _idx, row in self.parser.parse():
                for cell in row:
                    yield cell["row"], cell["column"], cell["value"], cell["data_type"], cell["style_id"]

        def bind_cells(self) -> None:
            cells = self.ws._cells
            styles = self.ws.parent._cell_styles
            ws = self.ws
            new = Cell.__new__
            for row, column, value, data_type, style_id in self.parsed_cells():
                # Cell(ws, row=, column=, style_array=) without its two __init__ calls (a third of
                # the binding): the same slots, each cell its own copy of the style array
                c = new(Cell)
                c.parent, c._style = ws, StyleArray(styles[style_id])
                c.row, c.column, c._value, c.data_type = row, column, value, data_type
                c._hyperlink = c._comment = None
                cells[(row, column)] = c
            if cells:
                ws._current_row = ws.max_row

        def bind_merged_cells(self) -> None:
            """The ranges, and the covered cells emptied as openpyxl empties them (without
            making a placeholder object for each, or recomputing border styles)."""
            if not self.merge_refs:
                return
            ranges = []
            cells = self.ws._cells
            for ref in self.merge_refs:
                rng = cell_range(ref)
                min_row, min_col, max_row, max_col = rng.min_row, rng.min_col, rng.max_row, rng.max_col
                top = (min_row, min_col)
                if len(cells) < (max_row - min_row + 1) * (max_col - min_col + 1):
                    covered = [key for key in cells if min_row <= key[0] <= max_row
                               and min_col <= key[1] <= max_col and key != top]
                else:
                    covered = [(row, col) for row in range(min_row, max_row + 1)
                               for col in range(min_col, max_col + 1) if (row, col) in cells and (row, col) != top]
                for key in covered:
                    del cells[key]
                ranges.append(rng)
            self.ws.merged_cells = MultiCellRange(ranges)

        def bind_all(self) -> None:
            self.bind_cells()
            self.bind_merged_cells()

    class ReadingSheet(Worksheet):  # type: ignore[misc]
        """A worksheet whose ``iter_rows(values_only=True)`` looks values up instead of
        making a cell object for every empty position it passes (openpyxl's way;
        a third of the time a tracker's rows took to read)."""

        def iter_rows(self, min_row: int | None = None, max_row: int | None = None, min_col: int | None = None,
                      max_col: int | None = None, values_only: bool = False) -> Iterator[tuple[Any, ...]]:
            if not values_only:
                return super().iter_rows(min_row, max_row, min_col, max_col, values_only)
            if self._current_row == 0 and not any([min_col, min_row, max_col, max_row]):
                return iter(())
            return self._values_by_row(min_col or 1, min_row or 1, max_col or self.max_column,
                                       max_row or self.max_row)

        def _values_by_row(self, min_col: int, min_row: int, max_col: int,
                           max_row: int) -> Iterator[tuple[Any, ...]]:
            get = self._cells.get
            columns = range(min_col, max_col + 1)
            for row in range(min_row, max_row + 1):
                yield tuple([None if (cell := get((row, column))) is None else cell._value for column in columns])

    class Reader(ExcelReader):  # type: ignore[misc]
        def __init__(self, *args: Any, engine: str = "expat", **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.cached: dict[str, dict[tuple[int, int], Any]] = {}
            self.engine = engine
            self.comments: dict[str, list[tuple[str, str]]] = {}

        def read_comments(self, title: str, target: str) -> None:
            """The sheet's comments (openpyxl's own parser; their text only)."""
            rels_path = get_rels_path(target)
            if rels_path not in self.valid_files:
                return
            for rel in get_dependents(self.archive, rels_path).find(COMMENTS_NS):
                if rel.target not in self.valid_files:
                    continue
                sheet = CommentSheet.from_tree(fromstring(self.archive.read(rel.target)))
                self.comments.setdefault(title, []).extend((ref, c.text or "") for ref, c in sheet.comments)

        def read_strings(self) -> None:
            """The shared strings, by :func:`reportgen.xlsx.sheetxml.parse_shared_strings`
            (openpyxl's reader builds a ``Text`` object for each)."""
            if self.engine != "expat" or self.rich_text:
                super().read_strings()
                return
            ct = self.package.find(SHARED_STRINGS)
            if ct is None:
                return
            try:
                with self.archive.open(ct.PartName[1:]) as src:
                    self.shared_strings = parse_shared_strings(src)
            except (DTDForbidden, EntitiesForbidden):
                raise
            except BAD_XML:  # openpyxl reads it, or says why it cannot
                super().read_strings()

        def read_worksheets(self) -> None:
            for sheet, rel in self.parser.find_sheets():
                if rel.target not in self.valid_files or "chartsheet" in rel.Type:
                    continue
                ws = ReadingSheet(parent=self.wb, title=sheet.name)
                self.wb._add_sheet(ws)
                try:
                    reader = self.read_sheet(ws, rel.target, self.engine)
                except (DTDForbidden, EntitiesForbidden):
                    raise
                except BAD_XML:  # openpyxl reads it, or says why it cannot
                    if self.engine == "openpyxl":
                        raise
                    ws._cells.clear()
                    reader = self.read_sheet(ws, rel.target, "openpyxl")
                self.cached[ws.title] = reader.cached
                self.read_comments(ws.title, rel.target)
                ws.sheet_state = sheet.state

        def read_sheet(self, ws: Any, target: str, engine: str) -> Any:
            with self.archive.open(target) as fh:
                reader = SheetReader(ws, fh, self.shared_strings, self.data_only, self.rich_text, engine)
                reader.bind_all()
            return reader

    return Reader, SheetReader


_CLASSES: tuple[type, type] | None = None


def filled_cells(ws: Any, columns: Callable[[int], bool] | None = None) -> Iterator[tuple[int, int, Any]]:
    """(row, column, value) of every cell holding something, in no particular order;
    with ``columns``, only in the columns it says yes to (asked before the value is).

    A sheet may reach column 1,024 and row 10,000 (reportgen.xlsx.limits):
    walking that grid to find the few cells typed far from the tracker's
    columns would cost seconds, the sheet's own cell map costs nothing.
    """
    for (row, col), cell in list(ws._cells.items()):
        if columns is not None and not columns(col):
            continue
        value = cell._value
        if value is not None and value != "":
            yield row, col, value


def load_for_reading(raw: bytes, *, data_only: bool = False, engine: str = "expat") -> tuple[Any, CachedValues]:
    """The workbook (formulas as ``=…`` text, or with ``data_only`` their cached values)
    and the cached value of every formula cell; openpyxl's exceptions pass through.

    ``engine``: ``"expat"`` parses cells and shared strings with
    :mod:`reportgen.xlsx.sheetxml` (falling back to openpyxl's parser for a part
    it cannot read); ``"openpyxl"`` uses openpyxl's parser throughout (the
    reference the equality tests compare with).  Both give the same cells.
    """
    global _CLASSES
    if engine not in ("expat", "openpyxl"):
        raise ValueError(f"unknown engine {engine!r}")
    if _CLASSES is None:
        _CLASSES = _reader_classes()
    reader_class = _CLASSES[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unknown extensions (LibreOffice, Excel) are fine
        reader = reader_class(io.BytesIO(raw), read_only=False, keep_vba=False, data_only=data_only,
                              keep_links=False, rich_text=False, engine=engine)
        reader.read()
    return reader.wb, CachedValues(reader.wb, reader.cached, reader.comments)
