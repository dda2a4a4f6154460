"""reportgen.xlsx.sheetxml reads every cell exactly as openpyxl's ``load_workbook`` does.

The readers take cells from :func:`reportgen.xlsx.fastload.load_for_reading`,
which parses worksheets and shared strings with its own streaming parser
(issue #13: openpyxl's took half the time of a large load).  Each test here
loads a workbook both ways and compares every cell: value, Python type, data
type and number format, the merged ranges, and the value cached for each
formula (against ``load_workbook(data_only=True)``).  The workbooks: cells of
every kind written by hand (shared and inline strings with rich-text and
phonetic runs, booleans, errors, ISO dates, date/time/duration formats in the
1900 and 1904 systems, shared, array and data-table formulas, cells without
``r=``), the shapes the bench builds at the limits (small), hand-made
trackers of tests/tracker_fixtures.py, trackers written by reportgen, and
workbooks saved by LibreOffice.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import openpyxl
import pytest
from defusedxml import DTDForbidden, EntitiesForbidden
from openpyxl.cell import MergedCell
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

import reportgen
from reportgen.tools.synthetic import synthetic_report
from reportgen.xlsx import sheetxml
from reportgen.xlsx.fastload import load_for_reading
from reportgen.xlsx.sheetxml import parse_shared_strings, parse_sheet

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tracker_fixtures import Shape, build_tracker  # noqa: E402

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")


# --------------------------------------------------------------------------- comparing


def _plain(value: Any) -> Any:
    """Formula objects compared by what they hold (they have no equality of their own)."""
    if isinstance(value, ArrayFormula):
        return ("array", value.ref, value.text)
    if isinstance(value, DataTableFormula):
        return ("dataTable", sorted(dict(value).items()))
    return value


def _cell_facts(cell: Any) -> tuple[Any, ...]:
    return _plain(cell.value), type(cell.value), cell.data_type, cell.number_format


def _bounds(rng: Any) -> tuple[Any, ...]:
    return rng.min_row, rng.min_col, rng.max_row, rng.max_col, rng.title, rng.coord, hash(rng)


def assert_same_as_openpyxl(raw: bytes) -> int:
    """Every cell of ``raw`` read by the fast loader is openpyxl's; returns the cells compared."""
    ours, cached = load_for_reading(raw)
    reference = openpyxl.load_workbook(io.BytesIO(raw))
    values = openpyxl.load_workbook(io.BytesIO(raw), data_only=True)
    assert ours.sheetnames == reference.sheetnames
    compared = 0
    for name in reference.sheetnames:
        mine, theirs, theirs_cached = ours[name], reference[name], values[name]
        if not hasattr(theirs, "_cells"):
            continue  # a chart sheet: no cells
        expected = {key: _cell_facts(cell) for key, cell in theirs._cells.items()
                    if not isinstance(cell, MergedCell) and cell.value is not None}
        got = {key: _cell_facts(cell) for key, cell in mine._cells.items()}
        # cells holding nothing (borders only) are not made: they read as None either way
        assert {k: v for k, v in got.items() if v[0] is not None} == expected, name
        assert all(theirs._cells.get(k) is None or theirs._cells[k].value is None
                   for k, v in got.items() if v[0] is None), name
        assert sorted(map(str, mine.merged_cells.ranges)) == sorted(map(str, theirs.merged_cells.ranges)), name
        assert sorted(_bounds(r) for r in mine.merged_cells.ranges) == sorted(_bounds(r) for r in
                                                                             theirs.merged_cells.ranges), name
        for (row, col), facts in expected.items():
            if facts[2] == "f":
                assert cached[name].cell(row, col).value == theirs_cached.cell(row, col).value, (name, row, col)
        compared += len(expected)
    _assert_parsed_without_fallback(raw, ours)
    return compared


def _assert_parsed_without_fallback(raw: bytes, ours: Any) -> None:
    """The fast parser itself read every worksheet (the loader would fall back to
    openpyxl's parser on an exception, which would hide a broken fast path above)."""
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        names = set(z.namelist())
        strings = []
        if "xl/sharedStrings.xml" in names:
            with z.open("xl/sharedStrings.xml") as src:
                strings = parse_shared_strings(src)
        for k, name in enumerate(ours.sheetnames, start=1):
            part = f"xl/worksheets/sheet{k}.xml"   # where every writer used here puts sheet k
            if part not in names:
                continue
            with z.open(part) as src:
                parsed = parse_sheet(src, strings, epoch=ours.epoch, date_formats=ours._date_formats,
                                     timedelta_formats=ours._timedelta_formats)
            merged = {(r, c) for rng in ours[name].merged_cells.ranges for r, c in _covered(rng)}
            mine = {(row, col): _plain(value) for row, col, value, _kind, _style in parsed.cells
                    if (row, col) not in merged}
            loaded = {key: _plain(cell.value) for key, cell in ours[name]._cells.items()}
            assert mine == loaded, (name, part)


def _covered(rng: Any) -> list[tuple[int, int]]:
    """The cells a merged range empties (all but its top-left one)."""
    return [(r, c) for r in range(rng.min_row, rng.max_row + 1) for c in range(rng.min_col, rng.max_col + 1)
            if (r, c) != (rng.min_row, rng.min_col)]


# --------------------------------------------------------------------------- workbooks by hand


def _xlsx(sheets: list[tuple[str, str]], *, shared: str | None = None, styles: str | None = None,
          date1904: bool = False) -> bytes:
    """A workbook of the given (name, worksheet XML) parts, written as a writer lays it out."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        overrides = ['<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
                     'officedocument.spreadsheetml.sheet.main+xml"/>']
        rels = []
        entries = []
        for k, (name, _xml) in enumerate(sheets, start=1):
            overrides.append(f'<Override PartName="/xl/worksheets/sheet{k}.xml" ContentType="application/vnd.'
                             'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
            rels.append(f'<Relationship Id="rId{k}" Type="{REL}/worksheet" Target="worksheets/sheet{k}.xml"/>')
            entries.append(f'<sheet name="{escape(name)}" sheetId="{k}" r:id="rId{k}"/>')
        if shared is not None:
            overrides.append('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
                             'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
            rels.append(f'<Relationship Id="rIdS" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>')
        if styles is not None:
            overrides.append('<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
                             'officedocument.spreadsheetml.styles+xml"/>')
            rels.append(f'<Relationship Id="rIdT" Type="{REL}/styles" Target="styles.xml"/>')
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
                   'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/'
                   'xml"/>' + "".join(overrides) + "</Types>")
        z.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                                  'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
                                  f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        pr = '<workbookPr date1904="1"/>' if date1904 else ""
        z.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" '
                                      f'xmlns:r="{REL}">{pr}<sheets>{"".join(entries)}</sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns='
                   '"http://schemas.openxmlformats.org/package/2006/relationships">' + "".join(rels)
                   + "</Relationships>")
        if styles is not None:
            z.writestr("xl/styles.xml", styles)
        if shared is not None:
            z.writestr("xl/sharedStrings.xml", shared)
        for k, (_name, xml) in enumerate(sheets, start=1):
            z.writestr(f"xl/worksheets/sheet{k}.xml", xml)
    return out.getvalue()


def _sheet(rows: str, merges: list[str] = (), prefix: str = "") -> str:  # type: ignore[assignment]
    p = f"{prefix}:" if prefix else ""
    ns = f'xmlns:{prefix}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    merged = (f'<{p}mergeCells count="{len(merges)}">' + "".join(f'<{p}mergeCell ref="{m}"/>' for m in merges)
              + f"</{p}mergeCells>") if merges else ""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}worksheet {ns}>'
            f'<{p}dimension ref="A1:Z99"/><{p}sheetData>{rows}</{p}sheetData>{merged}</{p}worksheet>')


#: number formats: 14 (a date), 20 (h:mm), 22 (date and time), 46 ([h]:mm:ss, a duration),
#: custom 164 (和暦 date), 165 (a figure with a unit), 4 (#,##0.00)
STYLES = (f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}">'
          '<numFmts count="2"><numFmt numFmtId="164" formatCode="[$-ja-JP]ggge&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
          '<numFmt numFmtId="165" formatCode="#,##0&quot;件&quot;"/></numFmts>'
          '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
          '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
          '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
          '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
          '<cellXfs count="8"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
          '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/>'
          '<xf numFmtId="20" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/>'
          '<xf numFmtId="22" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/>'
          '<xf numFmtId="46" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/>'
          '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/>'
          '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/>'
          '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/>'
          '</cellXfs></styleSheet>')

#: shared strings: plain, rich-text runs, phonetic runs (not text), whitespace kept,
#: an escaped character (openpyxl drops "x005F_"), an empty one, character references
SHARED = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="9" uniqueCount="9">'
          "<si><t>項番</t></si>"
          '<si><r><rPr><b/><sz val="11"/></rPr><t>実施</t></r><r><t xml:space="preserve"> 状況 </t></r></si>'
          '<si><t>群馬支部</t><rPh sb="0" eb="2"><t>グンマ</t></rPh><phoneticPr fontId="1"/></si>'
          '<si><t xml:space="preserve">  前後に空白\n改行も  </t></si>'
          "<si><t>_x005F_x000D_ と _x000D_</t></si>"
          "<si><t/></si>"
          "<si><t>&#x25CE;&#9675;&lt;&amp;&gt;</t></si>"
          "<si><r><t>一</t></r><r><t/></r><r><t>三</t></r></si>"
          "<si><t>二つ目の</t><t>t は後が勝つ</t></si>"
          "</sst>")

KINDS_ROWS = (
    # shared strings, numbers of every spelling, booleans, errors, str, ISO dates
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>'
    '<c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c><c r="F1" t="s"><v>5</v></c>'
    '<c r="G1" t="s"><v>6</v></c><c r="H1" t="s"><v>7</v></c><c r="I1" t="s"><v>8</v></c></row>'
    '<row r="2"><c r="A2"><v>42</v></c><c r="B2" t="n"><v>-3.25</v></c><c r="C2"><v>1E3</v></c>'
    '<c r="D2"><v>2.5e-3</v></c><c r="E2"><v>007</v></c><c r="F2" s="6"><v>3700</v></c>'
    '<c r="G2" s="7"><v>1234.5</v></c><c r="H2"><v></v></c><c r="I2" s="6"/></row>'
    '<row r="3"><c r="A3" t="b"><v>1</v></c><c r="B3" t="b"><v>0</v></c><c r="C3" t="e"><v>#N/A</v></c>'
    '<c r="D3" t="e"><v>#DIV/0!</v></c><c r="E3" t="str"><v>計算結果</v></c>'
    '<c r="F3" t="d"><v>2024-04-01T09:30:00</v></c><c r="G3" t="d"><v>2024-04-01</v></c></row>'
    # dates, times, durations, 和暦 format, a serial before 1900-03-01, a time of day only
    '<row r="4"><c r="A4" s="1"><v>45383</v></c><c r="B4" s="2"><v>0.5</v></c><c r="C4" s="3"><v>45383.75</v></c>'
    '<c r="D4" s="4"><v>1.5</v></c><c r="E4" s="5"><v>45200</v></c><c r="F4" s="1"><v>59</v></c>'
    '<c r="G4" s="1"><v>61</v></c><c r="H4" s="2"><v>0.999999</v></c><c r="I4" s="3"><v>0</v></c>'
    '<c r="J4" s="1"><v>99999999</v></c></row>'
    # inline strings: plain, runs, phonetic, empty, none at all; a cell without r=
    '<row r="5"><c r="A5" t="inlineStr"><is><t>インライン</t></is></c>'
    '<c r="B5" t="inlineStr"><is><r><rPr><i/></rPr><t>リッチ</t></r><r><t>テキスト</t></r></is></c>'
    '<c r="C5" t="inlineStr"><is><t>本文</t><rPh sb="0" eb="1"><t>ホンブン</t></rPh></is></c>'
    '<c r="D5" t="inlineStr"><is><t></t></is></c><c r="E5" t="inlineStr"><is/></c>'
    '<c t="inlineStr"><is><t>r のないセル</t></is></c><c><v>6</v></c></row>'
    # cells without r= after empty cells (the column counts on), a row without r=
    '<row r="6"><c r="A6" s="1"/><c r="B6"></c><c><v>3</v></c><c r="F6" s="2"/><c><v>7</v></c></row>'
    '<row><c><v>1</v></c><c r="C7"><v>2</v></c><c><v>3</v></c></row>'
    '<row r="9" spans="1:3" ht="20" customHeight="1"><c r="A9" s="7"><v>9.75</v></c></row>'
    '<row r="10.0"><c r="A10"><v>10</v></c></row>'
)

FORMULA_ROWS = (
    '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c><c r="C1"><f>A1+B1</f><v>3</v></c>'
    '<c r="D1" t="str"><f>IF(A1&gt;0,"正","負")</f><v>正</v></c><c r="E1" t="b"><f>A1&gt;B1</f><v>0</v></c>'
    '<c r="F1" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="G1"><f>SUM(A1:B1)</f></c>'
    '<c r="H1" s="1"><f>TODAY()</f><v>45383</v></c></row>'
    # shared formulas: master in C2 (with ref), followers by si only
    '<row r="2"><c r="A2"><v>10</v></c><c r="B2"><v>20</v></c>'
    '<c r="C2"><f t="shared" ref="C2:C4" si="0">A2+B2</f><v>30</v></c></row>'
    '<row r="3"><c r="A3"><v>11</v></c><c r="B3"><v>21</v></c><c r="C3"><f t="shared" si="0"/><v>32</v></c></row>'
    '<row r="4"><c r="A4"><v>12</v></c><c r="B4"><v>22</v></c><c r="C4"><f t="shared" si="0"/><v>34</v></c>'
    '<c r="D4"><f t="shared" ref="D4:F4" si="1">$A4*B$2</f><v>240</v></c>'
    '<c r="E4"><f t="shared" si="1"/><v>0</v></c><c r="F4"><f t="shared" si="1"/></c></row>'
    # an array formula and a data table
    '<row r="5"><c r="A5"><f t="array" ref="A5:B5">{1,2}*A2</f><v>10</v></c><c r="B5"><v>40</v></c>'
    '<c r="C5"><f t="dataTable" ref="C5:C6" dt2D="0" dtr="0" r1="A1"/><v>5</v></c></row>'
    '<row r="6"><c r="A6" t="str"><f>"="&amp;"式でない文字"</f><v>=式でない文字</v></c>'
    '<c r="B6" t="inlineStr"><is><t>=A1 と打った文字</t></is></c></row>'
)


def test_every_kind_of_cell_reads_as_openpyxl_reads_it() -> None:
    raw = _xlsx([("種類", _sheet(KINDS_ROWS, ["A8:C8", "D9:E12"])), ("式", _sheet(FORMULA_ROWS))],
                shared=SHARED, styles=STYLES)
    assert assert_same_as_openpyxl(raw) > 60
    wb, cached = load_for_reading(raw)
    ws = wb["種類"]
    # the values the readers rely on, spelled out (not only "as openpyxl")
    assert ws["B1"].value == "実施 状況 " and ws["C1"].value == "群馬支部"       # runs joined, no phonetic
    assert ws["C5"].value == "本文" and ws["B5"].value == "リッチテキスト"
    assert ws["E1"].value == "_x000D_ と _x000D_" and ws["G1"].value == "◎○<&>"
    assert ws["E2"].value == 7 and isinstance(ws["C2"].value, float) and ws["A4"].value.year == 2024
    assert ws["J4"].value == "#VALUE!" and ws["J4"].data_type == "e"        # a serial past any date
    assert ws["F2"].number_format == '#,##0"件"' and ws["F5"].value == "r のないセル" and ws["G5"].value == 6
    assert ws["C6"].value == 3 and ws["G6"].value == 7 and ws["A7"].value == 1 and ws["D7"].value == 3
    formulas = wb["式"]
    assert formulas["C3"].value == "=A3+B3" and formulas["E4"].value == "=$A4*C$2"
    assert cached["式"].cell(4, 3).value == 34 and cached["式"].cell(1, 4).value == "正"
    assert formulas["A6"].value.startswith("=") and cached["式"].cell(6, 1).value == "=式でない文字"


@pytest.mark.parametrize("piece", [1, 7, 64, 700])
def test_a_part_read_in_small_pieces_reads_the_same(monkeypatch: pytest.MonkeyPatch, piece: int) -> None:
    """Rows, cells of a row still open, merged ranges and strings are read and dropped
    piece by piece (memory stays bounded); where a piece ends changes nothing."""
    wrapped = '<extLst><ext uri="{00000000-0000-0000-0000-000000000000}"><row r="90"><c r="A90"><v>9</v></c></row></ext></extLst>'
    kinds = _sheet(KINDS_ROWS, ["A8:C8", "D9:E12", "F20:G20"]).replace("</worksheet>", wrapped + "</worksheet>")
    raw = _xlsx([("種類", kinds), ("式", _sheet(FORMULA_ROWS))], shared=SHARED, styles=STYLES)
    whole = load_for_reading(raw)
    monkeypatch.setattr(sheetxml, "READ_BYTES", piece)
    pieces = load_for_reading(raw)
    for name in ("種類", "式"):
        assert {k: _cell_facts(c) for k, c in pieces[0][name]._cells.items()} == \
            {k: _cell_facts(c) for k, c in whole[0][name]._cells.items()}
        assert pieces[1].by_sheet[name] == whole[1].by_sheet[name]
        assert sorted(map(str, pieces[0][name].merged_cells.ranges)) == ["A8:C8", "D9:E12", "F20:G20"][:3 if name == "種類" else 0]
    assert pieces[0]["種類"]["A90"].value == 9          # a row outside sheetData, as openpyxl reads it
    assert assert_same_as_openpyxl(raw) > 60


def test_dates_of_the_1904_system() -> None:
    raw = _xlsx([("Sheet1", _sheet(KINDS_ROWS))], shared=SHARED, styles=STYLES, date1904=True)
    assert assert_same_as_openpyxl(raw) > 40
    assert load_for_reading(raw)[0]["Sheet1"]["A4"].value.year == 2028


def test_prefixed_tags_and_cells_of_other_namespaces() -> None:
    rows = ('<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>接頭辞つき</x:t></x:is></x:c>'
            '<x:c r="B1"><x:v>5</x:v></x:c><x:c r="C1"><x:f>B1*2</x:f><x:v>10</x:v></x:c></x:row>')
    raw = _xlsx([("Sheet1", _sheet(rows, ["A2:B3"], prefix="x"))])
    assert assert_same_as_openpyxl(raw) == 3


# --------------------------------------------------------------------------- the bench's shapes, small


def _bench_shapes() -> list[tuple[str, bytes]]:
    text_rows = "".join(f'<row r="{r}"><c r="E{r}" t="inlineStr"><is><t>実施状況の記述 {r}</t></is></c></row>'
                        for r in range(1, 60))
    figures = "".join(f'<row r="{r}">' + "".join(f'<c r="{_col(c)}{r}"><v>{r * c}</v></c>' for c in range(1, 300))
                      + "</row>" for r in range(1, 4))
    mixed = "".join(f'<row r="{r}">' + "".join(
        (f'<c r="{_col(c)}{r}" t="inlineStr"><is><t>文字{r}-{c}</t></is></c>' if c % 3 == 0
         else f'<c r="{_col(c)}{r}"><v>{r * c + 0.5}</v></c>') for c in range(1, 25)) + "</row>" for r in range(1, 40))
    strings = 200
    shared = (f'<sst xmlns="{MAIN}">' + "".join(f"<si><t>文字列{k}</t></si>" for k in range(strings)) + "</sst>")
    shared_rows = "".join(f'<row r="{3 + k // 10}">' + "".join(f'<c r="{_col(5 + j)}{3 + k // 10}" t="s"><v>{k + j}</v></c>'
                                                            for j in range(10)) + "</row>" for k in range(0, strings, 10))
    runs = (f'<sst xmlns="{MAIN}">' + "".join("<si>" + "".join(f"<r><t>a{k}</t></r>" for k in range(20)) + "</si>"
                                              for _ in range(30)) + "</sst>")
    run_rows = "".join(f'<row r="{r}"><c r="E{r}" t="s"><v>{r - 1}</v></c></row>' for r in range(1, 31))
    pairs = [f"A{r}:B{r}" for r in range(1, 200)]
    long_text = "長" * 32_767
    long_rows = "".join(f'<row r="{r}"><c r="E{r}" t="inlineStr"><is><t>{long_text}</t></is></c></row>'
                        for r in range(1, 4))
    fonts = 50
    styles = (f'<styleSheet xmlns="{MAIN}"><fonts count="{fonts}">'
              + "".join(f'<font><sz val="{8 + k % 20}"/><name val="F{k}"/></font>' for k in range(fonts))
              + '</fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill '
              'patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/>'
              '<diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
              f'borderId="0"/></cellStyleXfs><cellXfs count="{fonts}">'
              + "".join(f'<xf numFmtId="{[0, 14, 4, 20][k % 4]}" fontId="{k}" fillId="0" borderId="0" applyFont="1"/>'
                        for k in range(fonts)) + "</cellXfs></styleSheet>")
    styled = "".join(f'<row r="{r}">' + "".join(f'<c r="{_col(c)}{r}" s="{(r * 10 + c) % fonts}"><v>{45000 + r + c}</v></c>'
                                               for c in range(1, 11)) + "</row>" for r in range(1, 6))
    return [
        ("rows", _xlsx([("Sheet1", _sheet(text_rows))])),
        ("columns", _xlsx([("Sheet1", _sheet(figures))])),
        ("cells", _xlsx([("Sheet1", _sheet(mixed))])),
        ("shared strings", _xlsx([("Sheet1", _sheet(shared_rows))], shared=shared)),
        ("elements", _xlsx([("Sheet1", _sheet(run_rows))], shared=runs)),
        ("merged", _xlsx([("Sheet1", _sheet('<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row>', pairs))])),
        ("long strings", _xlsx([("Sheet1", _sheet(long_rows))])),
        ("styles", _xlsx([("Sheet1", _sheet(styled))], styles=styles)),
    ]


def _col(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


@pytest.mark.parametrize("name,raw", _bench_shapes(), ids=[name for name, _raw in _bench_shapes()])
def test_the_bench_shapes_read_as_openpyxl_reads_them(name: str, raw: bytes) -> None:
    assert assert_same_as_openpyxl(raw) > 0


# --------------------------------------------------------------------------- real workbooks


@pytest.mark.parametrize("shape", [Shape(), Shape(spacer=2, blank_rows=3, header_breaks=True, totals="formulas"),
                                   Shape(totals="formulas-uncached", page_repeat=False, number_below_tags=True)],
                         ids=["seed-004", "spacers-formulas", "uncached-formulas"])
def test_hand_made_trackers(tmp_path: Path, shape: Shape) -> None:
    built = build_tracker(tmp_path / "hand.xlsx", shape)
    assert assert_same_as_openpyxl(built.path.read_bytes()) > 100


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    examples = Path(__file__).resolve().parents[2] / "examples"
    folder = tmp_path_factory.mktemp("written")
    out = {}
    for name in ("gunma-r5-excerpt", "saitama-r5-excerpt"):
        out[name] = folder / f"{name}.xlsx"
        reportgen.render_xlsx(reportgen.load(examples / f"{name}.yaml"), out[name])
    out["synthetic-40"] = folder / "synthetic-40.xlsx"
    reportgen.render_xlsx(synthetic_report(40), out["synthetic-40"])
    return out


@pytest.mark.parametrize("name", ["gunma-r5-excerpt", "saitama-r5-excerpt", "synthetic-40"])
def test_trackers_written_by_reportgen(written: dict[str, Path], name: str) -> None:
    assert assert_same_as_openpyxl(written[name].read_bytes()) > 200


def _libreoffice_save(tmp_path: Path, source: Path) -> bytes:
    """``source`` opened and saved again as .xlsx by LibreOffice (its own shared strings,
    styles, formulas and cached values)."""
    assert SOFFICE is not None
    out = tmp_path / "lo"
    out.mkdir(exist_ok=True)
    profile = tmp_path / "lo-profile"
    subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=240)
    return (out / (source.stem + ".xlsx")).read_bytes()


@needs_soffice
def test_workbooks_saved_by_libreoffice(tmp_path: Path, written: dict[str, Path]) -> None:
    hand = tmp_path / "kinds.xlsx"
    hand.write_bytes(_xlsx([("種類", _sheet(KINDS_ROWS, ["A8:C8"])), ("式", _sheet(FORMULA_ROWS))],
                           shared=SHARED, styles=STYLES))
    saved = _libreoffice_save(tmp_path, hand)
    with zipfile.ZipFile(io.BytesIO(saved)) as z:
        assert "xl/sharedStrings.xml" in z.namelist()       # LibreOffice's own string table
    assert assert_same_as_openpyxl(saved) > 60
    tracker = tmp_path / "gunma.xlsx"
    shutil.copy(written["gunma-r5-excerpt"], tracker)
    assert assert_same_as_openpyxl(_libreoffice_save(tmp_path, tracker)) > 200


# --------------------------------------------------------------------------- safety


def test_a_dtd_or_an_entity_is_refused_by_the_parser_itself() -> None:
    """The limits check refuses these first; the parser does not rely on it."""
    doctype = (f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaa">]><worksheet xmlns="{MAIN}">'
               '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&a;</t></is></c></row></sheetData></worksheet>')
    with pytest.raises((DTDForbidden, EntitiesForbidden)):
        parse_sheet(io.BytesIO(doctype.encode()), [], epoch=None, date_formats=set(), timedelta_formats=set())
    with pytest.raises((DTDForbidden, EntitiesForbidden)):
        parse_shared_strings(io.BytesIO(f'<!DOCTYPE sst SYSTEM "http://example.invalid/x.dtd"><sst xmlns="{MAIN}"/>'
                                        .encode()))


def test_broken_xml_is_left_to_openpyxl_and_refused_in_its_words(tmp_path: Path) -> None:
    from reportgen.core.errors import ReportError
    from reportgen.xlsx.read import open_workbook

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(_xlsx([("Sheet1", _sheet('<row r="1"><c r="A1"><v>1</v></c></row>')[:-20])]))
    with pytest.raises(ReportError) as caught:
        open_workbook(broken)
    assert "cannot read the workbook" in str(caught.value) and "\n" not in str(caught.value)
