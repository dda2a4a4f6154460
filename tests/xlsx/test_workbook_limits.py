"""Each limit of reportgen.xlsx.limits, just under and just over (issue #13).

The limits were lowered to what bench/xlsx_load.py measures loading in about
2 s; these tests (not timed) pin what the README promises: a workbook one past
a limit is refused by the command line with one located line and exit 2, one
at the limit loads, and a workbook of a real size (the bundled tracker) is
read back unchanged.  Every workbook is the bundled example's tracker with
something added: a sheet of its own (readers look only at 進捗状況, データ and
_reportgen, so what it holds changes nothing but the counts), a padding
part, or more fonts in the styles.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Callable

import pytest

import reportgen
from reportgen.xlsx import limits as xlsx_limits

ROOT = Path(__file__).resolve().parents[2]
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
EXTRA = "xl/worksheets/extra.xml"


@pytest.fixture(scope="module")
def tracker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("limits") / "tracker.xlsx"
    reportgen.render_xlsx(reportgen.load(ROOT / "examples" / "gunma-r5-excerpt.yaml"), path)
    return path


@pytest.fixture(scope="module")
def original(tracker: Path) -> reportgen.Report:
    return reportgen.load(tracker)


def col(n: int) -> str:
    out = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out


def with_parts(tracker: Path, dst: Path, *, sheet: bytes | None = None,
               change: dict[str, Callable[[bytes], bytes]] | None = None,
               extra: dict[str, bytes] | None = None) -> Path:
    """The tracker plus a sheet named 別表 holding ``sheet`` (the XML of its body)."""
    change = dict(change or {})
    if sheet is not None:
        change["[Content_Types].xml"] = lambda x: x.replace(b"</Types>", (
            b'<Override PartName="/' + EXTRA.encode() + b'" ContentType="application/vnd.openxmlformats-'
            b'officedocument.spreadsheetml.worksheet+xml"/></Types>'))
        change["xl/_rels/workbook.xml.rels"] = lambda x: x.replace(b"</Relationships>", (
            b'<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            b'worksheet" Target="worksheets/extra.xml"/></Relationships>'))
        change["xl/workbook.xml"] = lambda x: x.replace(b"</sheets>", (
            '<sheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
            'name="別表" sheetId="99" r:id="rIdX"/></sheets>'.encode()))
    with zipfile.ZipFile(tracker) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        for info in zin.infolist():
            data = zin.read(info.filename)
            out.writestr(info.filename, change[info.filename](data) if info.filename in change else data)
        if sheet is not None:
            out.writestr(EXTRA, f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">'.encode()
                         + sheet + b"</worksheet>")
        for name, data in (extra or {}).items():
            out.writestr(name, data)
    return dst


def cells_xml(count: int, *, width: int = 20, empty: bool = False) -> bytes:
    """``count`` cells, ``width`` to a row, each a number (or, ``empty``, borders only)."""
    rows = []
    for start in range(0, count, width):
        r = start // width + 1
        cells = "".join(f'<c r="{col(c + 1)}{r}" s="1"/>' if empty else f'<c r="{col(c + 1)}{r}"><v>{start + c}</v></c>'
                        for c in range(min(width, count - start)))
        rows.append(f'<row r="{r}">{cells}</row>')
    return ("<sheetData>" + "".join(rows) + "</sheetData>").encode()


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def valued_cells(path: Path) -> int:
    """Cells holding something (not ``<c …/>`` nor ``<c …></c>``), over every part."""
    return sum(len(re.findall(rb"<c\s[^>]*[^/]>(?!</c>)", xml)) for xml in parts(path).values())


def elements(path: Path) -> int:
    return sum(xml.count(b"<") - xml.count(b"</") for name, xml in parts(path).items()
               if name.endswith((".xml", ".rels")))


def refused(path: Path) -> str:
    """The one line ``reportgen validate`` prints for the workbook, with exit 2."""
    done = subprocess.run([sys.executable, "-m", "reportgen", "validate", str(path)], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.splitlines()
    return line


def loads(path: Path, original: reportgen.Report) -> None:
    """Within the limits: read back as the tracker it extends."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert reportgen.load(path) == original


# ------------------------------------------------------------------ rows


def test_rows_at_the_limit_load_and_one_more_is_refused(tracker: Path, original: reportgen.Report,
                                                        tmp_path: Path) -> None:
    last = xlsx_limits.MAX_ROWS
    at = with_parts(tracker, tmp_path / "at.xlsx",
                    sheet=f'<sheetData><row r="{last}"><c r="A{last}"><v>1</v></c></row></sheetData>'.encode())
    loads(at, original)
    over = with_parts(tracker, tmp_path / "over.xlsx",
                      sheet=f'<sheetData><row r="{last + 1}"><c r="A{last + 1}"><v>1</v></c></row></sheetData>'.encode())
    assert refused(over) == f"{over}: sheet 別表: the sheet reaches row {last + 1:,}; the limit is {last:,} rows"


# ------------------------------------------------------------------ cells


def test_cells_at_the_limit_load_and_one_more_is_refused(tracker: Path, original: reportgen.Report,
                                                         tmp_path: Path) -> None:
    room = xlsx_limits.MAX_CELLS - valued_cells(tracker)
    assert 0 < room < xlsx_limits.MAX_CELLS
    at = with_parts(tracker, tmp_path / "at.xlsx", sheet=cells_xml(room))
    loads(at, original)
    over = with_parts(tracker, tmp_path / "over.xlsx", sheet=cells_xml(room + 1))
    assert refused(over) == f"{over}: sheet 別表: the workbook holds more than {xlsx_limits.MAX_CELLS:,} cells"


def test_empty_cells_are_not_counted_as_cells(tracker: Path, original: reportgen.Report, tmp_path: Path) -> None:
    """Borders without values (two thirds of a tracker's cells) are bounded by the
    element limit, not the cell limit: twice the cell limit of them still loads."""
    path = with_parts(tracker, tmp_path / "empty.xlsx", sheet=cells_xml(2 * xlsx_limits.MAX_CELLS, empty=True))
    loads(path, original)


# ------------------------------------------------------------------ shared strings


def with_strings(tracker: Path, dst: Path, count: int) -> Path:
    sst = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}">'
           + "".join(f"<si><t>文字列{k}</t></si>" for k in range(count)) + "</sst>").encode()
    return with_parts(tracker, dst, change={
        "[Content_Types].xml": lambda x: x.replace(b"</Types>", (
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
            b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')),
        "xl/_rels/workbook.xml.rels": lambda x: x.replace(b"</Relationships>", (
            b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            b'sharedStrings" Target="sharedStrings.xml"/></Relationships>'))},
        extra={"xl/sharedStrings.xml": sst})


def test_shared_strings_at_the_limit_load_and_one_more_is_refused(tracker: Path, original: reportgen.Report,
                                                                  tmp_path: Path) -> None:
    assert b"<si" not in b"".join(parts(tracker).values())
    limit = xlsx_limits.MAX_SHARED_STRINGS
    loads(with_strings(tracker, tmp_path / "at.xlsx", limit), original)
    over = with_strings(tracker, tmp_path / "over.xlsx", limit + 1)
    assert refused(over) == f"{over}: xl/sharedStrings.xml: the workbook holds more than {limit:,} shared strings"


# ------------------------------------------------------------------ merged cells


def merged_area(path: Path) -> int:
    total = 0
    for xml in parts(path).values():
        for c1, r1, c2, r2 in re.findall(rb'<mergeCell ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"', xml):
            width = abs(int.from_bytes(c2, "big") - int.from_bytes(c1, "big")) + 1 if len(c1) == len(c2) == 1 else None
            assert width is not None, "the tracker merges within columns A–Z"
            total += width * (abs(int(r2) - int(r1)) + 1)
    return total


def test_merged_cells_at_the_limit_load_and_one_more_is_refused(tracker: Path, original: reportgen.Report,
                                                                tmp_path: Path) -> None:
    room = xlsx_limits.MAX_MERGED_CELLS - merged_area(tracker)
    assert room > 100
    rows, rest = divmod(room, 100)

    def merges(extra_cells: int) -> bytes:
        refs = [f"A{r}:{col(100)}{r}" for r in range(1, rows + 1)]
        if rest + extra_cells > 1:
            refs.append(f"A{rows + 1}:{col(rest + extra_cells)}{rows + 1}")
        elif rest + extra_cells == 1:
            refs.append(f"A{rows + 1}:A{rows + 1}")
        return (b"<sheetData/><mergeCells>" + "".join(f'<mergeCell ref="{ref}"/>' for ref in refs).encode()
                + b"</mergeCells>")

    loads(with_parts(tracker, tmp_path / "at.xlsx", sheet=merges(0)), original)
    over = with_parts(tracker, tmp_path / "over.xlsx", sheet=merges(1))
    line = refused(over)
    assert line.startswith(f"{over}: 別表!A{rows + 1}:")
    assert line.endswith(f": more than {xlsx_limits.MAX_MERGED_CELLS:,} merged cells")


# ------------------------------------------------------------------ XML elements


def test_xml_elements_at_the_limit_load_and_one_more_is_refused(tracker: Path, original: reportgen.Report,
                                                                tmp_path: Path) -> None:
    """Counted as the README says: every tag that is not a closing tag, over every XML part."""
    base = elements(with_parts(tracker, tmp_path / "base.xlsx", sheet=b"<sheetData><row r=\"1\"></row></sheetData>"))
    room = xlsx_limits.MAX_XML_ELEMENTS - base

    def sheet(cells: int) -> bytes:   # one <row>, then empty cells of one element each
        return cells_xml(cells, width=1000, empty=True)

    def rows_needed(cells: int) -> int:
        return -(-cells // 1000)

    # each row of the extra sheet is an element too: solve cells + rows = room + 1 (the first row is in base)
    cells = room
    while cells + rows_needed(cells) - 1 > room:
        cells -= 1
    at = with_parts(tracker, tmp_path / "at.xlsx", sheet=sheet(cells))
    assert elements(at) == xlsx_limits.MAX_XML_ELEMENTS
    loads(at, original)
    over = with_parts(tracker, tmp_path / "over.xlsx", sheet=sheet(cells + 1))
    assert elements(over) == xlsx_limits.MAX_XML_ELEMENTS + 1
    assert refused(over) == (f"{over}: {EXTRA}: the workbook holds more than {xlsx_limits.MAX_XML_ELEMENTS:,} "
                             "XML elements")


# ------------------------------------------------------------------ styles


def with_fonts(tracker: Path, dst: Path, elements_wanted: int) -> Path:
    styles = parts(tracker)[xlsx_limits.STYLES_PART]
    have = styles.count(b"<") - styles.count(b"</")
    fonts, odd = divmod(elements_wanted - have, 2)          # <font><sz/></font>: two elements
    added = b'<font><sz val="9"/></font>' * fonts + b"<!--filler-->" * odd
    return with_parts(tracker, dst, change={xlsx_limits.STYLES_PART: lambda x: re.sub(
        rb"(<fonts[^>]*>)", lambda m: m.group(1) + added, x, count=1)})


def test_styles_at_the_limit_load_and_one_more_is_refused(tracker: Path, original: reportgen.Report,
                                                          tmp_path: Path) -> None:
    limit = xlsx_limits.MAX_STYLE_ELEMENTS
    loads(with_fonts(tracker, tmp_path / "at.xlsx", limit), original)
    over = with_fonts(tracker, tmp_path / "over.xlsx", limit + 1)
    assert refused(over) == (f"{over}: {xlsx_limits.STYLES_PART}: the workbook's styles hold more than "
                             f"{limit:,} XML elements (fonts, fills, borders, cell formats)")


# ------------------------------------------------------------------ unpacked size


def test_unpacked_size_at_the_limit_loads_and_one_byte_more_is_refused(tracker: Path, original: reportgen.Report,
                                                                      tmp_path: Path) -> None:
    """A part no reader parses (an image, say) still counts: the declared sizes are summed."""
    have = sum(len(data) for data in parts(tracker).values())
    room = xlsx_limits.MAX_UNPACKED_BYTES - have
    loads(with_parts(tracker, tmp_path / "at.xlsx", extra={"xl/media/pad.bin": bytes(room)}), original)
    over = with_parts(tracker, tmp_path / "over.xlsx", extra={"xl/media/pad.bin": bytes(room + 1)})
    assert refused(over) == (f"{over}: the workbook unpacks to {xlsx_limits.MAX_UNPACKED_BYTES + 1:,} bytes; "
                             f"the limit is {xlsx_limits.MAX_UNPACKED_BYTES:,} (zip bomb?)")


# ------------------------------------------------------------------ real sizes are admitted


def test_a_1000_entry_tracker_is_within_every_limit(tmp_path: Path) -> None:
    """The limits admit a real tracker of 1,000 entries (render_xlsx of the synthetic
    report; its load time is measured in bench/xlsx_load.py), and it reads back whole."""
    from reportgen.tools.synthetic import synthetic_report

    report = synthetic_report(1000)
    path = tmp_path / "t1000.xlsx"
    reportgen.render_xlsx(report, path)
    xlsx_limits.check_workbook(path.read_bytes(), str(path))
    assert valued_cells(path) < 0.85 * xlsx_limits.MAX_CELLS
    back = reportgen.load(path)
    assert sum(1 for s in back.sections for _ in s.iter_entries()) == 1000
    assert back == reportgen.Report.from_dict(report.to_dict())
