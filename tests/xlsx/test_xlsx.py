"""The tracker workbook: layout, print setup, formula safety, read-back, real client."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import reportgen
from reportgen import ReportError
from reportgen.model.report import Report, TextBlock
from reportgen.xlsx.measure import text_height, wrap_lines
from reportgen.xlsx.sheet import (
    COL_ENTRY_ID,
    COL_KPI_FLAG,
    COL_MARK,
    COL_PLAN,
    COL_PROGRESS,
    COL_ROLE,
    DATA_HEADER,
    HIDDEN_SHEET,
    MAIN_SHEET,
    MAX_ROW_PT,
)
from reportgen.xlsx.writer import render_xlsx
from reportgen.xlsx.read import read_xlsx

from sheetedits import insert_row

EXAMPLES = ("gunma-r5-excerpt", "saitama-r5-excerpt", "saitama-h29-q1-excerpt")


def _report(examples_dir: Path, name: str) -> Report:
    return reportgen.load(examples_dir / f"{name}.yaml")


def _small(status: Any = "実施した。", plan: Any = "計画する。", mark: str | None = "○", **entry: Any) -> Report:
    data = {
        "format": 1,
        "report": {"title": "令和5年度 事業計画", "organization": "テスト支部", "fiscal_year": 2023,
                   "layout": "tracker", "marks": "gunma"},
        "sections": [{"number": "1", "title": "基盤的保険者機能関係", "items": [
            {"number": 1, "title": "サービス水準の向上",
             "entries": [{"plan": plan, "status": status, "mark": mark, **entry},
                         {"plan": "二つ目の計画。", "status": "二つ目の状況。", "mark": "△"}]}]}],
    }
    return Report.from_dict(data)


@pytest.fixture
def gunma_xlsx(tmp_path: Path, gunma_path: Path) -> Path:
    target = tmp_path / "gunma.xlsx"
    render_xlsx(reportgen.load(gunma_path), target)
    return target


def _rows_by_entry(ws: Any) -> dict[str, int]:
    out = {}
    for r, (eid,) in enumerate(ws.iter_rows(min_col=COL_ENTRY_ID, max_col=COL_ENTRY_ID, values_only=True), start=1):
        if eid:
            out[eid] = r
    return out


def _roles(ws: Any) -> list[str]:
    return [v or "" for (v,) in ws.iter_rows(min_col=COL_ROLE, max_col=COL_ROLE, values_only=True)]


def _header_row(ws: Any) -> int:
    return _roles(ws).index("header") + 1


# --------------------------------------------------------------------------
# Layout and print setup
# --------------------------------------------------------------------------

def test_header_print_setup_and_merges(gunma_xlsx: Path) -> None:
    wb = openpyxl.load_workbook(gunma_xlsx)
    assert wb.sheetnames[:2] == [MAIN_SHEET, "データ"]
    assert wb[HIDDEN_SHEET].sheet_state == "veryHidden"
    ws = wb[MAIN_SHEET]
    h = _header_row(ws)
    labels = [ws.cell(h, c).value for c in (1, 3, 4, COL_PROGRESS, COL_MARK, COL_MARK + 1)]
    assert labels == ["項番", "事業", "実施(手段スケジュール)概要",
                      "進捗状況(計画を下回る場合は、今後改善すべき点等)", "実施状況", "全国順位"]
    assert ws.print_title_rows == f"${h}:${h}"
    assert ws.freeze_panes == f"A{h + 1}"
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A3
    merged = {str(m) for m in ws.merged_cells.ranges}
    area = ws.cell(h + 1, 1)
    assert area.value == "1 基盤的保険者機能関係"
    assert area.alignment.textRotation == 255
    assert any(m.startswith(f"A{h + 1}:A") for m in merged)
    banner = ws.cell(h + 1, 2)
    assert banner.value == "〇サービス水準の向上(業務グループ)"
    assert any(m.startswith(f"B{h + 1}:") for m in merged)
    title = ws.cell(h + 2, 3).value
    assert title.startswith("サービス水準の向上") and "【重要度:高】【困難度:高】" in title
    assert ws.cell(h + 2, COL_PLAN).value.endswith("【KPI】サービススタンダードの達成状況を100%とする。")
    assert ws.cell(h + 2, COL_PLAN).font.name == "BIZ UDゴシック"
    rows = _rows_by_entry(ws)
    assert ws.cell(rows["E2"], COL_MARK + 1).value == "46位 (前月46位)"
    # a plan that already starts with 【KPI】 gets no second KPI line
    assert ws.cell(rows["E2"], COL_PLAN).value.count("【KPI】") == 1


def test_a4_option(tmp_path: Path, gunma_path: Path) -> None:
    target = tmp_path / "a4.xlsx"
    render_xlsx(reportgen.load(gunma_path), target, paper="A4")
    ws = openpyxl.load_workbook(target)[MAIN_SHEET]
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    with pytest.raises(ValueError):
        render_xlsx(reportgen.load(gunma_path), tmp_path / "b5.xlsx", paper="B5")  # type: ignore[arg-type]


def test_numbers_stay_numbers(gunma_xlsx: Path) -> None:
    ws = openpyxl.load_workbook(gunma_xlsx)[MAIN_SHEET]
    cells = {}
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, (int, float, dt.timedelta)) and c.column < COL_MARK:
                cells.setdefault(c.value, c)
    assert cells[2481].data_type == "n" and cells[2481].number_format == "#,##0"
    assert cells[0.946].number_format == "0.0%"
    totals = [c for row in ws.iter_rows() for c in row
              if isinstance(c.value, str) and c.value.startswith("=IF(COUNT(") and "SUM(" in c.value]
    assert totals and all(c.number_format == "#,##0" for c in totals)   # 計: a live formula
    assert cells[3788].number_format == '#,##0"円"'
    times = [c for v, c in cells.items() if isinstance(v, dt.timedelta)]
    assert times and all(c.number_format == "[h]:mm" for c in times)
    assert dt.timedelta(hours=4, minutes=56) in cells


def test_mark_dropdown_and_live_summary(gunma_xlsx: Path) -> None:
    ws = openpyxl.load_workbook(gunma_xlsx)[MAIN_SHEET]
    rows = _rows_by_entry(ws)
    dvs = ws.data_validations.dataValidation
    assert len(dvs) == 1 and dvs[0].type == "list"
    assert dvs[0].formula1 == '"◎,○,△,×,□"'
    mark_col = openpyxl.utils.get_column_letter(COL_MARK)
    for r in rows.values():
        assert f"{mark_col}{r}" in dvs[0].sqref
    formulas = [c.value for row in ws.iter_rows() for c in row
                if isinstance(c.value, str) and c.data_type == "f"]
    assert any(f.startswith("=COUNTIF(") and '"◎"' in f for f in formulas)
    assert any(f.startswith("=COUNTIFS(") for f in formulas)
    assert any(f.startswith("=SUM(") for f in formulas)
    flags = {eid: ws.cell(r, COL_KPI_FLAG).value for eid, r in rows.items()}
    assert flags == {"E0": 1, "E1": 1, "E2": 1, "E3": 1, "E4": 0, "E5": 1}
    labels = [c.value for row in ws.iter_rows(min_col=COL_PLAN, max_col=COL_PLAN) for c in row]
    assert "全体" in labels and "（再掲）KPI" in labels


def test_unusual_scale_gets_a_dropdown_from_the_hidden_sheet(tmp_path: Path) -> None:
    data = _small().to_dict()
    data["report"]["marks"] = {"name": "mine", "symbols": [{"symbol": "良,可", "label": "概ね良好"},
                                                          {"symbol": '"否"', "label": "不可"}]}
    for entry in data["sections"][0]["items"][0]["entries"]:
        entry["mark"] = "良,可"
    report = Report.from_dict(data)
    target = tmp_path / "scale.xlsx"
    render_xlsx(report, target)
    wb = openpyxl.load_workbook(target)
    (dv,) = wb[MAIN_SHEET].data_validations.dataValidation
    assert dv.formula1.startswith(f"'{HIDDEN_SHEET}'!$C$1")
    assert [wb[HIDDEN_SHEET].cell(r, 3).value for r in (1, 2)] == ["良,可", '"否"']
    formulas = [c.value for row in wb[MAIN_SHEET].iter_rows() for c in row if c.data_type == "f"]
    assert any(f.startswith("=COUNTIF(") and '"良,可"' in f for f in formulas)
    assert any('"""否"""' in f for f in formulas)
    assert read_xlsx(target) == report


def test_data_sheet_is_machine_readable(gunma_xlsx: Path, gunma_path: Path) -> None:
    ws = openpyxl.load_workbook(gunma_xlsx)["データ"]
    assert not ws.merged_cells.ranges
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == DATA_HEADER
    report = reportgen.load(gunma_path)
    assert len(rows) - 1 == sum(1 for _ in report.iter_entries())
    first = dict(zip(DATA_HEADER, rows[1]))
    assert first["分野"] == "基盤的保険者機能関係" and first["グループ"] == "サービス水準の向上"
    assert first["担当"] == "業務グループ" and first["評価"] == "◎" and first["達成状況"] == "達成"
    assert first["実績"] == 1.0 and "2,481" in first["実施状況"]
    sixth = dict(zip(DATA_HEADER, rows[4]))
    assert sixth["全国順位"] == 47 and sixth["前月順位"] == 47 and sixth["KPI目標"] == "対前年度以上"
    assert all(any(v is not None for v in row) for row in rows)


# --------------------------------------------------------------------------
# Formula safety and limits
# --------------------------------------------------------------------------

@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","y")', "+81-3-1234", "-5件", "@SUM(A1)", "#N/A", "#REF!"])
def test_text_never_becomes_formula(tmp_path: Path, text: str) -> None:
    target = tmp_path / "inj.xlsx"
    report = _small(status=text, plan=text)
    render_xlsx(report, target)
    ws = openpyxl.load_workbook(target)[MAIN_SHEET]
    row = _rows_by_entry(ws)["E0"]
    for cell in (ws.cell(row, COL_PROGRESS), ws.cell(row, COL_PLAN)):
        assert cell.value == text
        assert cell.data_type == "s"
    if text[0] in "=+-@":
        assert ws.cell(row, COL_PROGRESS).quotePrefix
    with zipfile.ZipFile(target) as z:
        sheet_xml = z.read("xl/worksheets/sheet1.xml").decode()
        data_xml = z.read("xl/worksheets/sheet2.xml").decode()
    assert "HYPERLINK" not in sheet_xml.split("<f>")[-1] if "<f>" in sheet_xml else True
    assert all("HYPERLINK" not in f for f in re.findall(r"<f>(.*?)</f>", sheet_xml + data_xml))
    assert read_xlsx(target) == report


def test_too_long_text_is_refused_before_writing(tmp_path: Path) -> None:
    """validate refuses such data (tests/inputs/test_cell_limits.py); a report changed in
    Python after loading still never reaches a half-written workbook."""
    target = tmp_path / "long.xlsx"
    report = _small(status="あ")
    report.sections[0].items[0].entries[0].status = "あ" * 40_000
    with pytest.raises(ReportError) as err:
        render_xlsx(report, target)
    assert err.value.problems[0].path == "sections[0].items[0].entries[0].status"
    assert "32,767" in str(err.value)
    assert not target.exists()
    # several blocks each under the limit still make one cell in データ too long
    report = _small(status=[{"text": "い"}])
    report.sections[0].items[0].entries[0].status = [TextBlock("い" * 20_000), TextBlock("う" * 20_000)]
    with pytest.raises(ReportError) as err:
        render_xlsx(report, target)
    assert [p.path for p in err.value.problems] == ["sections[0].items[0].entries[0].status"]
    assert not target.exists()


def test_tall_text_continues_on_next_rows(tmp_path: Path) -> None:
    target = tmp_path / "tall.xlsx"
    text = "\n".join(f"{i}行目：" + "進捗を確認した。" * 12 for i in range(120))
    report = _small(status=text)
    render_xlsx(report, target)
    ws = openpyxl.load_workbook(target)[MAIN_SHEET]
    roles = _roles(ws)
    rows = _rows_by_entry(ws)
    chunks = [r for r in range(rows["E0"], rows["E1"]) if roles[r - 1].startswith("s0")]
    assert len(chunks) > 1
    assert all(ws.row_dimensions[r].height <= MAX_ROW_PT for r in range(1, len(roles) + 1)
               if ws.row_dimensions[r].height)
    joined = "\n".join(ws.cell(r, COL_PROGRESS).value for r in chunks)
    assert joined.replace("\n", "") == text.replace("\n", "")
    assert read_xlsx(target) == report


def test_row_height_estimate() -> None:
    assert wrap_lines("あ" * 10, 10) == ["あああああ", "あああああ"]
    assert wrap_lines("令和5年度 http://example.com/x", 16) == ["令和5年度 ", "http://example.c", "om/x"]
    assert wrap_lines("件数 2,974件", 9) == ["件数 ", "2,974件"]      # figures move as a whole
    assert wrap_lines("あいうえ。", 8) == ["あいう", "え。"]          # no line starts with 。
    one = text_height("あ" * 10, 200, 9)
    assert text_height("あ" * 100, 200, 9) == pytest.approx(one + 4 * 9 * 1.1)   # 21 wide chars a line


# --------------------------------------------------------------------------
# Reading back
# --------------------------------------------------------------------------

@pytest.mark.parametrize("name", EXAMPLES)
def test_round_trip_examples(tmp_path: Path, examples_dir: Path, name: str) -> None:
    report = _report(examples_dir, name)
    target = tmp_path / f"{name}.xlsx"
    render_xlsx(report, target)
    assert read_xlsx(target) == report
    assert reportgen.load(target) == report


def test_reading_never_modifies_the_file(gunma_xlsx: Path) -> None:
    before = (hashlib.sha256(gunma_xlsx.read_bytes()).hexdigest(), gunma_xlsx.stat().st_mtime_ns)
    read_xlsx(gunma_xlsx)
    assert (hashlib.sha256(gunma_xlsx.read_bytes()).hexdigest(), gunma_xlsx.stat().st_mtime_ns) == before


def test_edited_mark_and_texts_are_read_back(gunma_xlsx: Path, gunma_path: Path) -> None:
    wb = openpyxl.load_workbook(gunma_xlsx)
    ws = wb[MAIN_SHEET]
    rows = _rows_by_entry(ws)
    ws.cell(rows["E1"], COL_MARK).value = "〇"                        # look-alike of ○
    ws.cell(rows["E4"], COL_MARK).value = None
    roles = _roles(ws)
    text_row = next(r for r in range(rows["E4"], len(roles) + 1) if roles[r - 1] == "s1")
    ws.cell(text_row, COL_PROGRESS).value = "経費節減対策の支部内回覧：4月・10月実施"
    ws.cell(rows["E5"], COL_PROGRESS).value = "一般競争入札 16件、一者応札 4件。"
    ws.cell(rows["E0"], COL_PLAN).value = "(1)標準期間を遵守する。\n【KPI】サービススタンダードの達成状況を100%とする。"
    wb.save(gunma_xlsx)
    back = read_xlsx(gunma_xlsx)
    expected = reportgen.load(gunma_path)
    entries = [e for *_x, e in expected.iter_entries()]
    entries[1].mark = "○"
    entries[4].mark = None
    entries[4].status[1].text = "経費節減対策の支部内回覧：4月・10月実施"
    entries[5].status = "一般競争入札 16件、一者応札 4件。"
    entries[0].plan = "(1)標準期間を遵守する。"
    assert back == expected


def test_added_rows_are_read_back(gunma_xlsx: Path, gunma_path: Path) -> None:
    wb = openpyxl.load_workbook(gunma_xlsx)
    ws = wb[MAIN_SHEET]
    rows = _rows_by_entry(ws)
    # a new entry: a row inserted right below entry E4's block (before E5)
    new_row = rows["E5"]
    insert_row(ws, new_row)
    ws.cell(new_row, COL_PLAN).value = "(5)照明の間引きを行う。"
    ws.cell(new_row, COL_PROGRESS).value = "10月から実施。"
    ws.cell(new_row, COL_MARK).value = "○"
    # more status for E0: a row inserted inside its block
    inside = rows["E0"] + 2
    insert_row(ws, inside)
    ws.cell(inside, COL_PROGRESS).value = "※本部定期報告による。"
    wb.save(gunma_xlsx)
    back = read_xlsx(gunma_xlsx)
    item = back.sections[1].groups[0].items[0]
    assert [e.plan for e in item.entries][1] == "(5)照明の間引きを行う。"
    added = item.entries[1]
    assert added.status == "10月から実施。" and added.mark == "○" and added.kpi is None
    first = back.sections[0].groups[0].items[0].entries[0]
    assert any(getattr(b, "text", None) == "※本部定期報告による。" for b in first.status)
    expected = reportgen.load(gunma_path)
    assert len(list(back.iter_entries())) == len(list(expected.iter_entries())) + 1


def test_mark_outside_scale_names_the_cell(gunma_xlsx: Path) -> None:
    wb = openpyxl.load_workbook(gunma_xlsx)
    ws = wb[MAIN_SHEET]
    row = _rows_by_entry(ws)["E1"]
    ws.cell(row, COL_MARK).value = "★"
    wb.save(gunma_xlsx)
    with pytest.raises(ReportError) as err:
        read_xlsx(gunma_xlsx)
    (problem,) = err.value.problems
    col = openpyxl.utils.get_column_letter(COL_MARK)
    assert str(problem).startswith(f"{gunma_xlsx}: {MAIN_SHEET}!{col}{row}: sections[0].groups[0].items[0].entries[1].mark: ")
    assert "'★' is not a mark of the 'gunma' scale" in str(problem)


def test_not_a_tracker(tmp_path: Path) -> None:
    plain = tmp_path / "plain.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "項番"
    wb.save(plain)
    with pytest.raises(ReportError, match=r"plain\.xlsx: not a reportgen tracker"):
        read_xlsx(plain)


def test_wrong_header(gunma_xlsx: Path) -> None:
    wb = openpyxl.load_workbook(gunma_xlsx)
    ws = wb[MAIN_SHEET]
    ws.cell(_header_row(ws), 3).value = "施策"
    wb.save(gunma_xlsx)
    with pytest.raises(ReportError, match=r"進捗状況!C\d+: the header label '事業' was changed or its column deleted"):
        read_xlsx(gunma_xlsx)


@pytest.mark.parametrize("content, message", [
    (b"not a workbook at all", "not an .xlsx workbook"),
    (b"PK\x03\x04garbage", "corrupt .xlsx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "password-protected"),
])
def test_bad_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    with pytest.raises(ReportError, match=message):
        read_xlsx(path)


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/big.xml", "w", force_zip64=True) as fh:
            block = b"\0" * (1 << 20)
            for _ in range(320):
                fh.write(block)
    assert bomb.stat().st_size < 2_000_000
    with pytest.raises(ReportError, match="zip bomb"):
        read_xlsx(bomb)


def test_damaged_payload(gunma_xlsx: Path) -> None:
    wb = openpyxl.load_workbook(gunma_xlsx)
    wb[HIDDEN_SHEET].cell(2, 1).value = "{broken"
    wb.save(gunma_xlsx)
    with pytest.raises(ReportError, match="damaged"):
        read_xlsx(gunma_xlsx)


# --------------------------------------------------------------------------
# A real client: LibreOffice
# --------------------------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed; "
                                                            "scripts/setup installs libreoffice-calc-nogui")


def _soffice(tmp_path: Path, source: Path, fmt: str) -> Path:
    out = tmp_path / f"out-{fmt.split(':')[0]}"
    out.mkdir(exist_ok=True)
    profile = tmp_path / f"lo-profile-{fmt.split(':')[0]}"
    subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
                    "--convert-to", fmt, "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=240)
    result = out / (source.stem + "." + fmt.split(":")[0])
    assert result.exists(), f"soffice produced no {fmt}"
    return result


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _status_sentences(report: Report) -> list[str]:
    from reportgen.model.report import BulletsBlock, NoteBlock, TextBlock, blocks_of

    out = []
    for *_x, entry in report.iter_entries():
        for block in blocks_of(entry.status):
            if isinstance(block, TextBlock) and block.text:
                out.append(block.text)
            elif isinstance(block, NoteBlock):
                out.append(block.text)
            elif isinstance(block, BulletsBlock):
                out.extend(block.items)
    return out


@needs_soffice
@pytest.mark.parametrize("name", ["gunma-r5-excerpt", "saitama-r5-excerpt"])
def test_libreoffice_prints_every_status_sentence(tmp_path: Path, examples_dir: Path, name: str) -> None:
    report = _report(examples_dir, name)
    target = tmp_path / f"{name}.xlsx"
    render_xlsx(report, target)
    # print only the tracker sheet: データ repeats the texts and would hide a cut-off
    wb = openpyxl.load_workbook(target)
    del wb["データ"]
    printed = tmp_path / f"{name}-print.xlsx"
    wb.save(printed)
    pdf = _soffice(tmp_path, printed, "pdf")
    from pypdf import PdfReader

    text = _squash("".join(page.extract_text() or "" for page in PdfReader(pdf).pages))
    for sentence in _status_sentences(report):
        assert _squash(sentence) in text, sentence
    assert "46位(前月46位)" in text or name != "gunma-r5-excerpt"


@needs_soffice
def test_libreoffice_recalculates_the_summary(tmp_path: Path, gunma_path: Path) -> None:
    report = reportgen.load(gunma_path)
    target = tmp_path / "gunma.xlsx"
    render_xlsx(report, target)
    wb = openpyxl.load_workbook(target)
    ws = wb[MAIN_SHEET]
    ws.cell(_rows_by_entry(ws)["E0"], COL_MARK).value = "×"   # a user's edit: counts must follow
    wb.save(target)
    converted = _soffice(tmp_path, target, 'xlsx:Calc MS Excel 2007 XML')
    ws = openpyxl.load_workbook(converted, data_only=True)[MAIN_SHEET]
    counts: dict[str, dict[str, int]] = {}
    label = None
    for row in ws.iter_rows(min_col=COL_PLAN, max_col=COL_PROGRESS + 1, values_only=True):
        if row[0] in ("全体", "（再掲）KPI"):
            label = row[0]
        if label and row[1] and isinstance(row[2], (int, float)):
            counts.setdefault(label, {})[row[1]] = int(row[2])
    assert counts["全体"] == {"◎": 0, "○": 2, "△": 3, "×": 1, "□": 0, "合計": 6}
    assert counts["（再掲）KPI"] == {"◎": 0, "○": 2, "△": 2, "×": 1, "□": 0, "合計": 5}
    # LibreOffice's own save keeps everything reportgen needs
    back = read_xlsx(converted)
    expected = copy.deepcopy(report)
    next(iter(expected.iter_entries()))[3].mark = "×"
    assert back == expected


@pytest.mark.parametrize("member", ["xl/workbook.xml", "xl/worksheets/sheet1.xml"])
def test_xml_entity_workbook_is_refused_in_one_line(gunma_xlsx: Path, tmp_path: Path, member: str) -> None:
    import zipfile

    bomb = tmp_path / "bomb.xlsx"
    entities = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>')
    with zipfile.ZipFile(gunma_xlsx) as src, zipfile.ZipFile(bomb, "w") as out:
        for info in src.infolist():
            data = src.read(info.filename)
            out.writestr(info, entities + data if info.filename == member else data)
    with pytest.raises(ReportError) as err:
        read_xlsx(bomb)
    (line,) = str(err.value).splitlines()
    assert line == f"{bomb}: the workbook's XML declares entities or a DTD (refused for safety: XML bomb or external entity)"
