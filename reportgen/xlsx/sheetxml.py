"""Worksheet cells and shared strings parsed straight from the XML, in one streaming pass.

Why not openpyxl's parser: it goes through defusedxml's ElementTree, whose
handlers run in Python for every element, then reads each cell back out of
the element tree (and builds a ``Text`` object for every inline or shared
string).  For a 1,000-entry tracker (100,000 ``<c>`` elements, 180,000 XML
elements) that was 1.2 of the 2.4 s a load took.  Here expat calls back only
for what a reader keeps, the values are converted as they close, and nothing
else is built.

What comes out is exactly what openpyxl's ``WorkSheetParser.parse_cell``
gives (``tests/xlsx/test_sheetxml.py`` loads every workbook the tests can make
both ways and compares every cell): the value, its data type and style index,
for

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
words the refusal as before) and never resolves external entities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import IO, Any
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
_REF = re.compile(r"([A-Z]{1,3})([0-9]+)")
_READ_BYTES = 1 << 20


def _local(name: str) -> str:
    """An element's name without its namespace (openpyxl's ``localname``)."""
    return name.rpartition(_SEP)[2]


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


def _feed(parser: Any, stream: IO[bytes]) -> None:
    while True:
        chunk = stream.read(_READ_BYTES)
        if not chunk:
            parser.Parse(b"", True)
            return
        parser.Parse(chunk, False)


class _Text:
    """Collects the text of a ``<t>``-like element the way ElementTree's ``.text`` is:
    the characters directly inside it before its first child element."""

    __slots__ = ("parts", "depth", "open")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.depth = -1
        self.open = False


@dataclass
class SheetCells:
    """One worksheet's cells holding something, its merged ranges and cached formula values."""

    #: (row, column, value, data_type, style index), in the order of the XML
    cells: list[tuple[int, int, Any, str, Any]] = field(default_factory=list)
    #: (row, column) → the value Excel cached for the formula in that cell
    cached: dict[tuple[int, int], Any] = field(default_factory=dict)
    #: the ``ref`` of every ``<mergeCell>``
    merge_refs: list[str] = field(default_factory=list)


class _StringItem:
    """Text of an ``<si>`` or ``<is>``: openpyxl's ``Text.content`` (the last ``<t>`` child,
    then the last ``<t>`` of each ``<r>`` run; ``<rPh>`` phonetic runs are not text)."""

    __slots__ = ("depth", "plain", "runs", "run_depth", "run_text")

    def __init__(self, depth: int) -> None:
        self.depth = depth
        self.plain: str | None = None
        self.runs: list[str | None] = []
        self.run_depth = -1
        self.run_text: str | None = None

    def content(self) -> str:
        parts = [] if self.plain is None else [self.plain]
        parts.extend(t for t in self.runs if t is not None)
        return "".join(parts)


class _StringCollector:
    """The start/end/text steps shared by shared strings and inline strings."""

    def __init__(self) -> None:
        self.item: _StringItem | None = None
        self.text: _Text | None = None          # a <t> being read
        self.text_of_run = False

    def begin(self, depth: int) -> None:
        self.item = _StringItem(depth)

    def start(self, name: str, depth: int) -> None:
        item = self.item
        assert item is not None
        text = self.text
        if text is not None and text.open:
            text.open = False                   # a child element ends ElementTree's .text
        if depth == item.depth + 1:
            local = _local(name)
            if local == "t":
                self.text, self.text_of_run = _Text(), False
                self.text.depth, self.text.open = depth, True
            elif local == "r":
                item.run_depth, item.run_text = depth, None
        elif depth == item.run_depth + 1 and item.run_depth >= 0 and _local(name) == "t":
            self.text, self.text_of_run = _Text(), True
            self.text.depth, self.text.open = depth, True

    def chars(self, data: str) -> None:
        text = self.text
        if text is not None and text.open:
            text.parts.append(data)

    def end(self, depth: int) -> None:
        item = self.item
        assert item is not None
        text = self.text
        if text is not None and depth == text.depth:
            value = "".join(text.parts) if text.parts else None
            if self.text_of_run:
                item.run_text = value
            else:
                item.plain = value
            self.text = None
        elif depth == item.run_depth:
            item.runs.append(item.run_text)
            item.run_depth = -1


def parse_shared_strings(stream: IO[bytes]) -> list[str]:
    """The shared-string table as openpyxl's ``read_string_table`` reads it."""
    strings: list[str] = []
    collector = _StringCollector()
    depth = 0
    inside = False

    def start(name: str, _attrs: dict[str, str]) -> None:
        nonlocal depth, inside
        depth += 1
        if inside:
            collector.start(name, depth)
        elif name == _SI:
            inside = True
            collector.begin(depth)

    def end(_name: str) -> None:
        nonlocal depth, inside
        if inside:
            item = collector.item
            assert item is not None
            if depth == item.depth:
                strings.append(item.content().replace("x005F_", ""))
                inside = False
            else:
                collector.end(depth)
        depth -= 1

    def chars(data: str) -> None:
        if inside:
            collector.chars(data)

    parser = _parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    _feed(parser, stream)
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
    strings = _StringCollector()

    depth = 0
    row_depth = -1            # depth of the open <row>, -1 outside one
    row_child = -1            # depth of its cells
    row_counter = 0
    col_counter = 0
    pending_ref: str | None = None           # r= of empty cells passed over since the last one placed
    merges_depth = -1
    # the open cell
    cell_depth = -1
    cell_attrs: dict[str, str] = {}
    children = 0
    value_text: list[str] | None = None      # <v> text parts (first <v> only)
    value_open = False
    seen_value = False
    formula: dict[str, str] | None = None    # first <f>'s attributes
    formula_text: list[str] | None = None
    formula_open = False
    inline = False                           # inside the first <is>
    inline_text: str | None = None
    seen_inline = False

    def convert(value: Any, data_type: str, style_id: Any, coordinate: str | None) -> tuple[Any, str]:
        """A ``<v>`` text as openpyxl's ``parse_cell`` turns it into a value."""
        if value is None:
            return None, data_type
        if data_type == "n":
            value = _cast_number(value)
            if style_id in date_formats:
                try:
                    return from_excel(value, epoch, timedelta=style_id in timedelta_formats), "d"
                except (OverflowError, ValueError):
                    # openpyxl warns here (the fast loader ignores its warnings) and reads an error
                    return "#VALUE!", "e"
            return value, data_type
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

    def finish_cell() -> None:
        nonlocal col_counter, pending_ref
        attrs = cell_attrs
        coordinate = attrs.get("r")
        data_type = attrs.get("t", "n")
        style_id: Any = attrs.get("s", 0)
        if style_id:
            style_id = int(style_id)
        if coordinate:
            row, column = position(coordinate)
            col_counter, pending_ref = column, None
        else:
            if pending_ref is not None:
                col_counter, pending_ref = position(pending_ref)[1], None
            col_counter += 1
            row, column = row_counter, col_counter
        raw = None if data_type == "inlineStr" else ("".join(value_text) if value_text else None)
        if formula is not None:
            text = "=" + "".join(formula_text) if formula_text else "="
            kind = formula.get("t")
            value: Any = text
            if kind == "array":
                value = ArrayFormula(ref=formula.get("ref"), text=text)
            elif kind == "shared":
                index = formula.get("si")
                if index in shared_formulae:
                    value = shared_formulae[index].translate_formula(coordinate)
                elif text != "=":
                    shared_formulae[index] = Translator(text, coordinate)
            elif kind == "dataTable":
                value = DataTableFormula(**formula)
            cells_append((row, column, value, "f", style_id))
            cached[(row, column)] = plain_value(raw, data_type, style_id, coordinate)[0]
            return
        value, kind = plain_value(raw, data_type, style_id, coordinate)
        cells_append((row, column, value, kind, style_id))

    def plain_value(raw: str | None, data_type: str, style_id: Any, coordinate: str | None) -> tuple[Any, str]:
        """The value without its formula (openpyxl's ``data_only`` reading of the cell)."""
        if raw is not None:
            return convert(raw, data_type, style_id, coordinate)
        if data_type == "inlineStr" and seen_inline:
            return inline_text, "s"
        return None, data_type

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth, row_depth, row_child, row_counter, col_counter, merges_depth, cell_depth, cell_attrs
        nonlocal children, pending_ref
        nonlocal value_text, value_open, seen_value, formula, formula_text, formula_open, inline, inline_text
        nonlocal seen_inline
        depth += 1
        if cell_depth >= 0:
            value_open = formula_open = False    # a child element ends ElementTree's .text
            if inline:
                strings.start(name, depth)
                return
            if depth != cell_depth + 1:
                return
            if not children:                     # the cell's first child: its state starts afresh
                value_text, seen_value, formula, formula_text = None, False, None, None
                inline_text, seen_inline = None, False
            children += 1
            if name == _V and not seen_value:
                seen_value, value_open, value_text = True, True, []
            elif name == _F and formula is None:
                formula, formula_open, formula_text = attrs, True, []
            elif name == _IS and not seen_inline:
                seen_inline = inline = True
                strings.begin(depth)
            return
        if depth == row_child:
            cell_depth, cell_attrs, children = depth, attrs, 0
            return
        if name == _ROW:
            number = attrs.get("r")
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
            col_counter, pending_ref = 0, None
            row_depth, row_child = depth, depth + 1
        elif name == _MERGES:
            merges_depth = depth
        elif merges_depth >= 0 and depth == merges_depth + 1:
            ref = attrs.get("ref")
            if ref:
                merge_refs.append(ref)

    def end(_name: str) -> None:
        nonlocal depth, row_depth, row_child, merges_depth, cell_depth, value_open, formula_open, inline
        nonlocal inline_text, pending_ref, col_counter
        if depth == cell_depth:
            if children:
                finish_cell()
            else:
                # nothing in it (borders only): read as None either way; its place only
                # counts for a following cell without r= (worked out then, not for every one)
                coordinate = cell_attrs.get("r")
                if coordinate:
                    pending_ref = coordinate
                else:
                    if pending_ref is not None:
                        col_counter, pending_ref = position(pending_ref)[1], None
                    col_counter += 1
            cell_depth = -1
        elif cell_depth >= 0:
            if inline:
                item = strings.item
                assert item is not None
                if depth == item.depth:
                    inline_text = item.content()
                    inline = False
                else:
                    strings.end(depth)
            elif depth == cell_depth + 1:
                value_open = formula_open = False
        elif depth == row_depth:
            row_depth, row_child = -1, -1
        elif depth == merges_depth:
            merges_depth = -1
        depth -= 1

    def chars(data: str) -> None:
        if value_open:
            assert value_text is not None
            value_text.append(data)
        elif formula_open:
            assert formula_text is not None
            formula_text.append(data)
        elif inline:
            strings.chars(data)

    parser = _parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    _feed(parser, stream)
    return out
