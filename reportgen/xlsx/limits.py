"""What a workbook may hold, checked before openpyxl parses a byte of it.

openpyxl builds a Python object for every cell, shared string, merged cell and
hyperlinked cell it reads, and the declared sizes of a zip say nothing of how
many of those a few kilobytes can describe: 15 million one-letter shared
strings compress to 621 KB (10 s, 500 MB to load), one cell at ``A1048576``
in a 17 KB tracker makes every reader of the sheet walk a million rows, and a
single ``<mergeCell ref="A1:XFD1048576"/>`` asks for 17 billion cells.

:func:`check_workbook` is the one entry point every workbook reader calls on
the file's bytes (``reportgen.xlsx.read`` and the importer of hand-made
workbooks).  It refuses, with one located line each:

* what is not a usable .xlsx at all: an encrypted or old .xls file (OLE), a
  file that is not a zip, a corrupt zip, too many parts, a declared unpacked
  size over :data:`MAX_UNPACKED_BYTES` (zip bombs), encrypted members;
* XML that declares a DTD or entities (XML bombs, external entities: openpyxl
  parses some parts with lxml, where defusedxml does not apply), and XML parts
  not in UTF-8 (which no spreadsheet program writes, and which the scan below
  could not read);
* more rows, columns, cells, shared strings, merged cells or XML elements than
  the limits below.

The parts are *streamed* (1 MB at a time, a few C-level regular expression
passes over each piece, stopping at the first limit passed), so the check
costs milliseconds for a real tracker and stays bounded for any bomb.  Cell
positions are read from the cells themselves (``<c r="…">``), not from the
sheet's ``<dimension>``, which is only a hint a file may get wrong.  Matches
inside comments or CDATA are counted too: that can only refuse a crafted
file, never let one through.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from ..core.errors import Problem, ReportError

__all__ = [
    "MAX_CELLS",
    "MAX_COLUMNS",
    "MAX_MEMBERS",
    "MAX_MERGED_CELLS",
    "MAX_ROWS",
    "MAX_SHARED_STRINGS",
    "MAX_STYLE_ELEMENTS",
    "MAX_UNPACKED_BYTES",
    "MAX_XML_ELEMENTS",
    "check_workbook",
]

#: Largest total size the workbook's parts may declare once unpacked (zip bombs; and
#: the text a reader holds: a 1,000-entry tracker unpacks to 10 MB).
MAX_UNPACKED_BYTES = 25 * 1024 * 1024
#: Most parts (files) inside the zip.
MAX_MEMBERS = 10_000
#: Highest row a cell of any sheet may sit in.  A tracker of 1,000 entries uses
#: about 4,700 rows; a reader walks every row up to the last one used, so this
#: bounds its work whatever cells are filled.  (Limits here are set from
#: bench/xlsx_load.py: a workbook at every limit loads in about 2 s; see README, Limits.)
MAX_ROWS = 10_000
#: Highest column (1,024 = AMJ, LibreOffice's classic width); a tracker uses 24.
MAX_COLUMNS = 1_024
#: Most cells holding something in the whole workbook (a 1,000-entry tracker
#: writes about 47,000, and 53,000 empty ones for borders; empty cells
#: (``<c …/>``, ``<c …></c>``) cost little and are bounded by MAX_XML_ELEMENTS).
MAX_CELLS = 60_000
#: Most shared strings (``<si>``, the distinct texts of a workbook; a 5,000-entry
#: tracker saved by Excel has about 30,000).  openpyxl reads them slowly
#: (100,000 take about 2 s), so this is set well under the cells.
MAX_SHARED_STRINGS = 40_000
#: Most cells covered by merged ranges (and hyperlinks); a 1,000-entry tracker
#: merges about 63,000.
MAX_MERGED_CELLS = 100_000
#: Most XML elements over all parts (rich-text runs, formats, empty cells: anything
#: openpyxl builds; a 1,000-entry tracker has about 184,000).
MAX_XML_ELEMENTS = 500_000
#: Most XML elements in the styles part (fonts, fills, borders, cell formats): openpyxl
#: makes several objects of each (60,000 formats took 6 s).  reportgen's tracker has 250;
#: workbooks bloated by copy and paste between files reach some thousands.
MAX_STYLE_ELEMENTS = 20_000
#: Where openpyxl reads the styles from (always this name).
STYLES_PART = "xl/styles.xml"
#: Longest single XML tag; real ones are well under a kilobyte.
MAX_TAG_BYTES = 1024 * 1024

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CHUNK = 1024 * 1024
_NAME = rb"(?:[A-Za-z_][\w.-]*:)?"
_ATTRS = rb"((?:[^>\"']|\"[^\"]*\"|'[^']*')*)"
_CELL = re.compile(rb"<" + _NAME + rb"c(?=[\s/>])" + _ATTRS + rb">")
_ROW = re.compile(rb"<" + _NAME + rb"row(?=[\s/>])" + _ATTRS + rb">")
#: a cell tag as writers write it, r= first (see _simple_cells); groups: column, row, "/" of
#: an empty tag, "</" right after the tag (an empty cell either way)
_SIMPLE_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"(?:\s+[A-Za-z]{1,20}="[^"<>]*")*\s*(?:(/)>|>(</)?)')
_CELL_START = re.compile(rb"<" + _NAME + rb"c(?=[\s/>])")
#: a merged range as writers write it (see _simple_merges), and the start of any merge or hyperlink tag
_SIMPLE_MERGE = re.compile(rb'<mergeCell ref="([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})"\s*/>')
_REF_START = re.compile(rb"<" + _NAME + rb"(?:mergeCell|hyperlink)(?=[\s/>])")
_SI = re.compile(rb"<" + _NAME + rb"si(?=[\s/>])")
_REF_TAG = re.compile(rb"<" + _NAME + rb"(mergeCell|hyperlink)(?=[\s/>])" + _ATTRS + rb">")
_R_ATTR = re.compile(rb"(?:^|\s)r\s*=\s*[\"']([A-Za-z]{0,4})([0-9]{0,8})[\"']")
_REF_ATTR = re.compile(rb"(?:^|\s)ref\s*=\s*[\"']([^\"']*)[\"']")
_RANGE = re.compile(r"\$?([A-Za-z]{1,4})?\$?([0-9]{1,8})?(?::\$?([A-Za-z]{1,4})?\$?([0-9]{1,8})?)?")
_UTF16 = (b"\xff\xfe", b"\xfe\xff", b"\x00<", b"<\x00")
_DTD = (b"<!DOCTYPE", b"<!ENTITY")


class _Refused(Exception):
    """One limit passed: the message and where (a sheet cell or a part)."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(message)
        self.where = where
        self.message = message


def _col_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode("ascii").upper():
        n = n * 26 + ord(ch) - 64
    return n


#: Column letters → number for the columns a tracker uses (the scan meets them once per cell).
_COLUMNS: dict[bytes, int] = {}


def _col_letters(n: int) -> str:
    out = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out


@dataclass
class _Tally:
    """Counts over the whole workbook, checked after every piece."""

    cells: int = 0
    strings: int = 0
    merged: int = 0
    elements: int = 0
    sheets: dict[str, str] = field(default_factory=dict)  # part name -> sheet name


def _sheet_names(z: zipfile.ZipFile) -> dict[str, str]:
    """Part name → sheet name, so a message can say ``進捗状況!A1048576``.

    Read with regular expressions from workbook.xml and its relationships (both
    small and, like every part, scanned for DTDs before anything uses them);
    a name that cannot be found only makes the message name the part instead.
    """
    names: dict[str, str] = {}
    try:
        book = z.read("xl/workbook.xml") if _size(z, "xl/workbook.xml") < 8 * _CHUNK else b""
        rels = z.read("xl/_rels/workbook.xml.rels") if _size(z, "xl/_rels/workbook.xml.rels") < 8 * _CHUNK else b""
    except (KeyError, zipfile.BadZipFile, OSError, ValueError):
        return names
    targets = {}
    for m in re.finditer(rb"<" + _NAME + rb"Relationship(?=[\s/>])" + _ATTRS + rb">", rels):
        rid = re.search(rb"\sId\s*=\s*[\"']([^\"']*)[\"']", b" " + m.group(1))
        target = re.search(rb"\sTarget\s*=\s*[\"']([^\"']*)[\"']", b" " + m.group(1))
        if rid and target:
            path = target.group(1).decode("utf-8", "replace")
            targets[rid.group(1)] = path.lstrip("/") if path.startswith("/") else "xl/" + path
    for m in re.finditer(rb"<" + _NAME + rb"sheet(?=[\s/>])" + _ATTRS + rb">", book):
        name = re.search(rb"\sname\s*=\s*[\"']([^\"']*)[\"']", b" " + m.group(1))
        rid = re.search(rb"\s(?:[\w.-]+:)?id\s*=\s*[\"']([^\"']*)[\"']", b" " + m.group(1))
        if name and rid and rid.group(1) in targets:
            names[targets[rid.group(1)]] = html.unescape(name.group(1).decode("utf-8", "replace"))
    return names


def _size(z: zipfile.ZipFile, name: str) -> int:
    try:
        return z.getinfo(name).file_size
    except KeyError:
        return 0


def _where(tally: _Tally, part: str, cell: str | None = None) -> str:
    sheet = tally.sheets.get(part)
    if sheet is not None and cell:
        return f"{sheet}!{cell}"
    if sheet is not None:
        return f"sheet {sheet}"
    return f"{part}!{cell}" if cell else part


def _pieces(stream: IO[bytes], part: str, carry: bytes = b"") -> Iterator[bytes]:
    """The part's bytes (after ``carry``, read already) cut just before a ``<``:
    a tag is never split between pieces."""
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            if carry:
                yield carry
            return
        buffer = carry + chunk
        cut = buffer.rfind(b"<")
        if cut <= 0:
            carry = buffer
        else:
            yield buffer[:cut]
            carry = buffer[cut:]
        if len(carry) > MAX_TAG_BYTES:
            raise _Refused(part, f"an XML tag longer than {MAX_TAG_BYTES:,} bytes")


def _scan_piece(piece: bytes, part: str, tally: _Tally, row_state: list[int]) -> None:
    if b"<!" in piece and any(d in piece for d in _DTD):
        raise _Refused("", "the workbook's XML declares entities or a DTD (refused for safety: "
                             "XML bomb or external entity)")
    tally.elements += piece.count(b"<") - piece.count(b"</")
    if tally.elements > MAX_XML_ELEMENTS:
        raise _Refused(part, f"the workbook holds more than {MAX_XML_ELEMENTS:,} XML elements")
    # rows: openpyxl numbers a row without r= as the one after the previous
    for m in _ROW.finditer(piece):
        r = _R_ATTR.search(m.group(1))
        row_state[0] = int(r.group(2)) if r and r.group(2) else row_state[0] + 1
        row_state[1] = 0
        if row_state[0] > MAX_ROWS:
            raise _Refused(_where(tally, part),
                           f"the sheet reaches row {row_state[0]:,}; the limit is {MAX_ROWS:,} rows")
    columns = _COLUMNS
    for m in ([] if _simple_cells(piece, tally, row_state) else _CELL.finditer(piece)):
        if not (m.group(0).endswith(b"/>") or piece.startswith(b"</", m.end())):
            tally.cells += 1  # an empty cell (borders only) is no cell to read
        r = _R_ATTR.search(m.group(1))
        row, col = row_state[0], row_state[1] + 1
        if r:
            letters, digits = r.groups()
            if letters:
                col = columns.get(letters) or _col_number(letters)
            if digits:
                row = int(digits)
        row_state[1] = col
        if row > MAX_ROWS or col > MAX_COLUMNS:
            cell = f"{_col_letters(col)}{row}" if col <= 20_000 else f"column {col:,}, row {row:,}"
            if row > MAX_ROWS:
                raise _Refused(_where(tally, part, cell),
                               f"a cell in row {row:,}; the limit is {MAX_ROWS:,} rows")
            raise _Refused(_where(tally, part, cell),
                           f"a cell in column {col:,}; the limit is {MAX_COLUMNS:,} columns ({_col_letters(MAX_COLUMNS)})")
        if tally.cells > MAX_CELLS:
            raise _Refused(_where(tally, part), f"the workbook holds more than {MAX_CELLS:,} cells")
    # every <si> tag holds "<si" or "x:si", every merge or hyperlink tag its name: a piece
    # without those (a sheet's cells; the strings) is not searched for them (a pass each)
    if b"<si" in piece or b":si" in piece:
        tally.strings += len(_SI.findall(piece))
    if tally.strings > MAX_SHARED_STRINGS:
        raise _Refused(part, f"the workbook holds more than {MAX_SHARED_STRINGS:,} shared strings")
    if b"mergeCell" not in piece and b"hyperlink" not in piece:
        return
    for m in ([] if _simple_merges(piece, tally) else _REF_TAG.finditer(piece)):
        ref = _REF_ATTR.search(m.group(2))
        if ref:
            tally.merged += _area(ref.group(1).decode("ascii", "replace"))
        if tally.merged > MAX_MERGED_CELLS:
            what = "merged" if m.group(1) == b"mergeCell" else "hyperlinked"
            raise _Refused(_where(tally, part, ref.group(1).decode("ascii", "replace") if ref else None),
                           f"more than {MAX_MERGED_CELLS:,} {what} cells")


def _simple_cells(piece: bytes, tally: _Tally, row_state: list[int]) -> bool:
    """Count and check the cells of ``piece`` in a few C-level passes, when every cell tag
    in it has the shape all writers give it (``<c r="B12" s="3" t="s">``).

    The step-by-step loop of :func:`_scan_piece` costs a Python step per cell
    (a third of a second for a 1,000-entry tracker).  False (nothing counted)
    when any cell tag has another shape, or when a limit is passed: the loop
    then reads the piece and says which cell passed it.
    """
    found = _SIMPLE_CELL.findall(piece)
    if not found or len(found) != len(_CELL_START.findall(piece)):
        return False
    letters, digits, slashes, closes = zip(*found)
    filled = len(found) - slashes.count(b"/") - closes.count(b"</")  # empty cells are no cells to read
    if tally.cells + filled > MAX_CELLS:
        return False
    # numbers of fewer digits than the limit's are under it: converted only when one is as long
    if max(map(len, digits)) >= len(str(MAX_ROWS)) and max(map(int, digits)) > MAX_ROWS:
        return False
    columns = _COLUMNS
    if max(columns.get(c) or _col_number(c) for c in set(letters)) > MAX_COLUMNS:
        return False
    tally.cells += filled
    row_state[1] = columns.get(letters[-1]) or _col_number(letters[-1])
    return True


def _simple_merges(piece: bytes, tally: _Tally) -> bool:
    """Add up the merged areas of ``piece`` in one pass when every merged or hyperlinked
    range in it is a plain ``<mergeCell ref="B12:C15"/>`` (as :func:`_simple_cells` does
    for cells).  False (nothing counted) otherwise, or when the limit is passed."""
    found = _SIMPLE_MERGE.findall(piece)
    if len(found) != len(_REF_START.findall(piece)):
        return False
    columns = _COLUMNS
    area = sum((abs(int(r2) - int(r1)) + 1) * (abs((columns.get(c2) or _col_number(c2))
                                                  - (columns.get(c1) or _col_number(c1))) + 1)
               for c1, r1, c2, r2 in found)
    if tally.merged + area > MAX_MERGED_CELLS:
        return False
    tally.merged += area
    return True


def _area(ref: str) -> int:
    """Cells in an A1 range (``A1:C3`` → 9); whole rows or columns count in full."""
    total = 0
    for one in ref.split():
        m = _RANGE.fullmatch(one)
        if not m:
            continue
        c1, r1, c2, r2 = m.groups()
        if m.group(0).find(":") < 0:
            total += 1
            continue
        cols = abs(_col_number(c2 or "XFD") - _col_number(c1 or "A")) + 1 if (c1 or c2) else 16_384
        rows = abs(int(r2 or 1_048_576) - int(r1 or 1)) + 1 if (r1 or r2) else 1_048_576
        total += cols * rows
    return total


def _scan_part(z: zipfile.ZipFile, info: zipfile.ZipInfo, tally: _Tally) -> None:
    with z.open(info) as stream:
        head = stream.read(4)
        if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") and not head.startswith(_UTF16):
            return  # not XML (images, printer settings): openpyxl does not parse it
        if head.startswith(_UTF16):
            raise _Refused(info.filename, "an XML part not in UTF-8 (refused: no spreadsheet program writes it)")
        row_state = [0, 0]  # current row, column of the last cell
        before = tally.elements
        styles = info.filename == STYLES_PART
        for piece in _pieces(stream, info.filename, head):
            _scan_piece(piece, info.filename, tally, row_state)
            if styles and tally.elements - before > MAX_STYLE_ELEMENTS:
                raise _Refused(info.filename, f"the workbook's styles hold more than {MAX_STYLE_ELEMENTS:,} "
                                              "XML elements (fonts, fills, borders, cell formats)")


def _fail(source: str, message: str, where: str = "") -> ReportError:
    return ReportError([Problem(source, None, where, message)])


def check_workbook(raw: bytes, source: str) -> None:
    """Refuse (ReportError, one located line) a workbook openpyxl should never be handed.

    ``raw`` is the whole file (read with :func:`reportgen.core.inputcheck.read_input`),
    ``source`` the name used in messages.  Returns None when every limit holds.
    """
    if raw.startswith(_OLE_MAGIC):
        raise _fail(source, "the workbook is password-protected (encrypted) or an old .xls file; "
                            "save it as an .xlsx without a password")
    if not raw.startswith(b"PK"):
        raise _fail(source, "not an .xlsx workbook (not a zip file)")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            infos = z.infolist()
            if len(infos) > MAX_MEMBERS:
                raise _fail(source, f"the workbook has {len(infos):,} parts; the limit is {MAX_MEMBERS:,}")
            unpacked = sum(i.file_size for i in infos)
            if unpacked > MAX_UNPACKED_BYTES:
                raise _fail(source, f"the workbook unpacks to {unpacked:,} bytes; the limit is "
                                    f"{MAX_UNPACKED_BYTES:,} (zip bomb?)")
            if any(i.flag_bits & 0x1 for i in infos):
                raise _fail(source, "the workbook is encrypted; save it without a password")
            tally = _Tally()
            try:
                for info in infos:  # every part, whatever its name: relationships may point anywhere
                    if info.filename.lower().endswith("workbook.xml") or info.filename.lower().endswith(".rels"):
                        _scan_part(z, info, tally)
                tally.sheets = _sheet_names(z)
                for info in infos:
                    if not (info.filename.lower().endswith("workbook.xml") or info.filename.lower().endswith(".rels")):
                        _scan_part(z, info, tally)
            except _Refused as exc:
                raise _fail(source, exc.message, exc.where) from None
    except ReportError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError,
            NotImplementedError, RuntimeError) as exc:
        raise _fail(source, f"corrupt .xlsx file: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - zlib errors and the like: a bad file, not a crash
        raise _fail(source, f"corrupt .xlsx file: {type(exc).__name__}: {exc}") from None


_COLUMNS.update({_col_letters(n).encode(): n for n in range(1, 1025)})
_COLUMNS.update({letters.lower(): n for letters, n in list(_COLUMNS.items())})
