"""Worksheet cells and shared strings parsed straight from the XML, in one streaming pass.

Why not openpyxl's parser: it goes through defusedxml's ElementTree, whose
handlers run in Python for every element, then reads each cell back out of
the element tree (and builds a ``Text`` object for every inline or shared
string).  For a 1,000-entry tracker (100,000 ``<c>`` elements, 180,000 XML
elements) that was 1.2 of the 2.4 s a load took.

How: expat (``pyexpat``, which refuses DTDs and entity declarations by
callback, see below) hands every element straight to ElementTree's C
``TreeBuilder``, so no Python code runs per element; after each piece of the
part, the rows that are complete are read (openpyxl's ``parse_row`` and
``parse_cell`` on the same ElementTree elements, so ``.text`` means what it
means there) and dropped, so the tree never holds more than a piece.  Python
callbacks for every element (the previous way) cost twice as much; the C
``XMLParser`` of ElementTree cannot refuse a DTD by callback and does not
merge character data, so a tracker whose text is written as character
references (``&#20196;``, a Python string each) parsed slower with it.

What comes out is exactly what openpyxl's ``WorkSheetParser.parse_cell`` gives
(``tests/xlsx/test_sheetxml.py`` loads every workbook the tests can make both
ways and compares every cell): the value, its data type and style index, for

* ``t="s"`` shared strings (rich-text runs joined, phonetic ``<rPh>`` runs
  ignored, ``x005F_`` taken out as openpyxl does), ``t="inlineStr"``
  (``<is><t>`` and runs), ``t="str"`` formula text, ``t="b"`` booleans,
  ``t="e"`` errors, ``t="d"`` ISO dates, numbers (``int`` unless written with
  a point or an exponent);
* numbers in a date or time format (the workbook's ``_date_formats``)
  become ``datetime``/``time``/``timedelta`` with the workbook's epoch
  (1900 or 1904), through openpyxl's own ``from_excel``;
* formulas as ``=…`` text: shared formulas (``<f t="shared" si="0">``) are
  translated from their master cell for each follower, array formulas become
  ``ArrayFormula`` and data tables ``DataTableFormula`` — with the value
  Excel cached for the formula kept beside it (:attr:`SheetCells.cached`);
* merged ranges (``<mergeCell ref>``).

Cells with nothing in them (``<c r="B4" s="3"/>``, borders only) are
passed over, as :mod:`reportgen.xlsx.fastload` always did: they read as
None either way.

Safety: the container was checked by :mod:`reportgen.xlsx.limits` first
(sizes, counts, no ``<!DOCTYPE``/``<!ENTITY``); the parser refuses a DTD or an
entity declaration again on its own (defusedxml's exceptions, so the reader
words the refusal as before) and never resolves external entities.  Memory
stays bounded whatever the shape: complete elements are dropped after each
piece wherever they are (rows, cells of a row still open, merged ranges,
anything else).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from collections.abc import Callable, Iterator
from typing import IO, Any
from xml.etree.ElementTree import Element, TreeBuilder
from xml.parsers import expat

__all__ = ["BAD_XML", "SheetCells", "parse_shared_strings", "parse_sheet"]

#: What a malformed part raises here (broken XML, a number that is none, a shared
#: string index past the table): the reader then lets openpyxl's parser try the part,
#: so a file it reads is read, and one it cannot is refused in its words.
BAD_XML: tuple[type[Exception], ...] = (expat.ExpatError, ValueError, IndexError, KeyError, TypeError,
                                       OverflowError)

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_SEP = "}"
_ROW = MAIN_NS + _SEP + "row"
_V = MAIN_NS + _SEP + "v"
_F = MAIN_NS + _SEP + "f"
_IS = MAIN_NS + _SEP + "is"
_SI = MAIN_NS + _SEP + "si"
_MERGES = MAIN_NS + _SEP + "mergeCells"
_SHEET_DATA = MAIN_NS + _SEP + "sheetData"
_REF = re.compile(r"([A-Z]{1,3})([0-9]+)")
#: A piece of the part parsed before the complete elements are read and dropped (the
#: elements of 64 KB stay in the CPU's cache: 256 KB pieces took 20 % longer, 1 MB 70 %).
READ_BYTES = 1 << 16
#: How deep the drop of complete elements looks along the open ones (real parts: 4).
_MAX_OPEN_DEPTH = 64


def _cast_number(text: str) -> int | float:
    """openpyxl's reading of a number: a float when written with a point or an exponent."""
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


def _refuse_dtd(*_args: Any) -> None:
    from defusedxml import DTDForbidden

    raise DTDForbidden(None, None, None)


def _refuse_entity(name: Any, *_args: Any) -> None:
    from defusedxml import EntitiesForbidden

    raise EntitiesForbidden(name, None, None, None, None, None)


def _parser() -> Any:
    """An expat parser with namespaces (``ns}name``) that refuses DTDs and entity declarations."""
    parser = expat.ParserCreate(namespace_separator=_SEP)
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_entity
    parser.UnparsedEntityDeclHandler = _refuse_entity
    parser.ExternalEntityRefHandler = _refuse_entity
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return parser


@dataclass
class SheetCells:
    """One worksheet's cells holding something, its merged ranges and cached formula values."""

    #: (row, column, value, data_type, style index), in the order of the XML
    cells: list[tuple[int, int, Any, str, Any]] = field(default_factory=list)
    #: (row, column) → the value Excel cached for the formula in that cell
    cached: dict[tuple[int, int], Any] = field(default_factory=dict)
    #: the ``ref`` of every ``<mergeCell>``
    merge_refs: list[str] = field(default_factory=list)


def _open_path(root: Element, final: bool, take: Callable[[Element], None]) -> Iterator[Element]:
    """Down the path of open elements from ``root``: at each level every complete child
    (all of them when ``final``) goes to ``take`` and is dropped, then the open last child
    is yielded; the caller stops (``break``/``return``) at the one it reads itself."""
    node = root
    for _level in range(_MAX_OPEN_DEPTH):
        done = len(node) if final else len(node) - 1
        if done > 0:
            for element in node[:done]:
                take(element)
            del node[:done]
        if final or not len(node):
            return
        node = node[-1]
        yield node


def _stream_tree(stream: IO[bytes], drain: Callable[[Element, bool], None]) -> None:
    """Parse ``stream`` into ElementTree elements, calling ``drain(root, final)`` after each
    piece: the root's children but the last are complete then (all of them when ``final``),
    and ``drain`` reads and drops what it can.

    expat calls the C ``TreeBuilder`` directly (no Python code per element) and merges
    character data (``buffer_text``); its DTD and entity handlers refuse both.
    """
    parser = _parser()
    builder = TreeBuilder()
    root: Element | None = None

    def first(tag: str, attrs: dict[str, str]) -> None:
        nonlocal root
        parser.StartElementHandler = builder.start
        root = builder.start(tag, attrs)

    parser.StartElementHandler = first
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    while True:
        chunk = stream.read(READ_BYTES)
        final = not chunk
        parser.Parse(chunk, final)
        if root is not None:
            drain(root, final)
        if final:
            return


def _text_content(item: Element) -> str:
    """openpyxl's ``Text.from_tree(item).content`` for an ``<si>`` or ``<is>``: the last
    ``<t>`` child, then the last ``<t>`` of each ``<r>`` run (``<rPh>`` phonetic runs are
    not text); names compared without their namespace, as openpyxl does."""
    plain: str | None = None
    runs: list[str] = []
    for child in item:
        local = child.tag.rpartition(_SEP)[2]
        if local == "t":
            plain = child.text
        elif local == "r":
            text = None
            for part in child:
                if part.tag.rpartition(_SEP)[2] == "t":
                    text = part.text
            if text is not None:
                runs.append(text)
    if plain is None:
        return "".join(runs)
    return plain + "".join(runs) if runs else plain


def parse_shared_strings(stream: IO[bytes]) -> list[str]:
    """The shared-string table as openpyxl's ``read_string_table`` reads it."""
    strings: list[str] = []
    append = strings.append

    def take(element: Element) -> None:
        if element.tag == _SI:
            append(_text_content(element).replace("x005F_", ""))
        else:
            for item in element.iter(_SI):
                append(_text_content(item).replace("x005F_", ""))

    def drain(root: Element, final: bool) -> None:
        for node in _open_path(root, final, take):
            if node.tag == _SI:
                return      # an <si> still open is read once complete

    _stream_tree(stream, drain)
    return strings


def parse_sheet(stream: IO[bytes], shared_strings: list[Any], *, epoch: Any, date_formats: Any,
                timedelta_formats: Any) -> SheetCells:
    """The cells of one worksheet (see the module docstring), as openpyxl reads them
    without ``data_only``, and the cached value of each formula."""
    from openpyxl.formula.translate import Translator
    from openpyxl.utils.cell import column_index_from_string, coordinate_to_tuple
    from openpyxl.utils.datetime import from_excel, from_ISO8601
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    out = SheetCells()
    cells_append = out.cells.append
    cached = out.cached
    merge_refs = out.merge_refs
    shared_formulae: dict[str, Any] = {}
    columns: dict[str, int] = {}
    ref_match = _REF.fullmatch
    row_counter = 0
    col_counter = 0
    open_row: Element | None = None  # a row whose first cells were read before it was complete

    def convert(value: str, data_type: str, style_id: Any) -> tuple[Any, str]:
        """A ``<v>`` text as openpyxl's ``parse_cell`` turns it into a value."""
        if data_type == "n":
            number = _cast_number(value)
            if style_id in date_formats:
                try:
                    return from_excel(number, epoch, timedelta=style_id in timedelta_formats), "d"
                except (OverflowError, ValueError):
                    # openpyxl warns here (the fast loader ignores its warnings) and reads an error
                    return "#VALUE!", "e"
            return number, data_type
        if data_type == "s":
            return shared_strings[int(value)], data_type
        if data_type == "b":
            return bool(int(value)), data_type
        if data_type == "str":
            return value, "s"
        if data_type == "d":
            return from_ISO8601(value), data_type
        return value, data_type

    def position(coordinate: str) -> tuple[int, int]:
        m = ref_match(coordinate)
        if m is None:
            return coordinate_to_tuple(coordinate)  # type: ignore[no-any-return]
        letters = m.group(1)
        column = columns.get(letters) or columns.setdefault(letters, column_index_from_string(letters))
        return int(m.group(2)), column

    def begin_row(row: Element) -> None:
        """openpyxl's ``parse_row``: the row's number (or the one after the last), column 0."""
        nonlocal row_counter, col_counter
        number = row.get("r")
        if number is not None:
            try:
                row_counter = int(number)
            except ValueError:
                as_float = float(number)
                if not as_float.is_integer():
                    raise ValueError(f"{number} is not a valid row number") from None
                row_counter = int(as_float)
        else:
            row_counter += 1
        col_counter = 0

    def skip_empty(empties: list[Element]) -> None:
        """The column counter after cells with nothing in them (borders only: read as None
        either way, their places count only for a following cell without r=)."""
        nonlocal col_counter
        after = 0
        for cell in reversed(empties):
            coordinate = cell.get("r")
            if coordinate:
                col_counter = position(coordinate)[1] + after
                return
            after += 1
        col_counter += after

    def take_cells(cells: list[Element]) -> None:
        """Complete ``<c>`` elements of the current row, in order (openpyxl's ``parse_cell``)."""
        nonlocal col_counter
        last = 0            # index after the last cell placed
        for index, cell in enumerate(cells):
            if not len(cell):
                continue    # worked out only when a cell without r= follows (skip_empty)
            coordinate = cell.get("r")
            if coordinate:
                m = ref_match(coordinate)
                if m is None:
                    row, column = coordinate_to_tuple(coordinate)
                else:
                    letters = m.group(1)
                    column = columns.get(letters) or columns.setdefault(letters, column_index_from_string(letters))
                    row = int(m.group(2))
                col_counter = column
            else:
                if last < index:
                    skip_empty(cells[last:index])
                col_counter += 1
                row, column = row_counter, col_counter
            last = index + 1
            data_type = cell.get("t", "n")
            style_id: Any = cell.get("s", 0)
            if style_id:
                style_id = int(style_id)
            value_element = formula = inline = None
            for child in cell:      # the first <v>, <f> and <is> (openpyxl's find)
                tag = child.tag
                if tag == _V:
                    if value_element is None:
                        value_element = child
                elif tag == _F:
                    if formula is None:
                        formula = child
                elif tag == _IS and inline is None:
                    inline = child
            raw = None if data_type == "inlineStr" or value_element is None else (value_element.text or None)
            # the value without its formula (openpyxl's data_only reading of the cell)
            if raw is None:
                if data_type == "inlineStr" and inline is not None:
                    value, kind = _text_content(inline), "s"
                else:
                    value, kind = None, data_type
            elif data_type == "n" and style_id not in date_formats:
                value, kind = (float(raw) if "." in raw or "E" in raw or "e" in raw else int(raw)), "n"
            elif data_type == "s":
                value, kind = shared_strings[int(raw)], "s"
            else:
                value, kind = convert(raw, data_type, style_id)
            if formula is None:
                cells_append((row, column, value, kind, style_id))
                continue
            cached[(row, column)] = value
            text = formula.text
            text = "=" + text if text is not None else "="
            formula_type = formula.get("t")
            result: Any = text
            if formula_type == "array":
                result = ArrayFormula(ref=formula.get("ref"), text=text)
            elif formula_type == "shared":
                shared = formula.get("si")
                if shared in shared_formulae:
                    result = shared_formulae[shared].translate_formula(coordinate)
                elif text != "=":
                    shared_formulae[shared] = Translator(text, coordinate)
            elif formula_type == "dataTable":
                result = DataTableFormula(**formula.attrib)
            cells_append((row, column, result, "f", style_id))
        if last < len(cells):
            skip_empty(cells[last:])

    def take(element: Element) -> None:
        """A complete element: a row, the merged ranges, or anything holding them."""
        nonlocal open_row
        tag = element.tag
        if tag == _ROW:
            if element is not open_row:
                begin_row(element)
            open_row = None
            take_cells(list(element))
        elif tag == _MERGES:
            merge_refs.extend(ref for ref in (m.get("ref") for m in element) if ref)
        elif len(element):
            for row in element.iter(_ROW):
                take(row)
            for merges in element.iter(_MERGES):
                take(merges)

    def drain(root: Element, final: bool) -> None:
        nonlocal open_row
        for node in _open_path(root, final, take):
            tag = node.tag
            if tag == _ROW:
                # a row still open: its cells but the last are complete
                if node is not open_row:
                    begin_row(node)
                    open_row = node
                done = len(node) - 1
                if done > 0:
                    take_cells(node[:done])
                    del node[:done]
                return
            if tag == _MERGES:
                done = len(node) - 1
                if done > 0:
                    merge_refs.extend(ref for ref in (m.get("ref") for m in node[:done]) if ref)
                    del node[:done]
                return

    _stream_tree(stream, drain)
    return out
