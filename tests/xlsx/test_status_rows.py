"""Status text rows of the tracker: deleting, clearing, adding and untagging them in Excel.

Deleting the row of a paragraph is how staff delete a paragraph; before
reportgen.xlsx.statusedits such a deletion was silently undone, a cleared
paragraph stayed as an empty block, and a row whose hidden tag was cleared
came back twice.  The report is built here: a plain-text status of three
paragraphs (one long enough to take several rows), and a status of blocks
(headed text, bullets, a note, a captioned table, text).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import openpyxl
import pytest

from reportgen.model.report import BulletsBlock, NoteBlock, Report, TableBlock, TextBlock
from reportgen.xlsx.read import read_xlsx_checked
from reportgen.xlsx.sheet import COL_PROGRESS, COL_ROLE, MAIN_SHEET
from reportgen.xlsx.writer import render_xlsx

from sheetedits import delete_rows, insert_row

LONG = "長い段落の文。" * 600


def _report() -> Report:
    table = {"table": {"caption": "訪問の結果", "header": [["区分", "件数"]], "formats": ["text", "int"],
                       "rows": [["訪問", 120], ["電話", 3400]]}}
    data = {
        "format": 1,
        "report": {"title": "令和6年度 事業報告", "organization": "試験支部", "fiscal_year": 2024,
                   "layout": "tracker", "marks": "gunma"},
        "sections": [{"number": "１", "title": "基盤", "items": [
            {"number": 1, "title": "文の施策", "entries": [
                {"plan": "段落の計画。", "status": f"第一段落。\n\n{LONG}\n\n第三段落。", "mark": "○"},
                {"plan": "ブロックの計画。", "mark": "△", "status": [
                    {"text": "見出し付きの本文。", "heading": "【実施状況】"},
                    {"bullets": ["一つ目", "二つ目"]},
                    {"note": "注記の文。"},
                    table,
                    {"text": "最後の文。", "heading": "【今後】"}]}]},
            {"number": 2, "title": "次の施策", "entries": [
                {"plan": "次の計画。", "status": "次の状況。", "mark": "◎"}]}]}],
    }
    return Report.from_dict(data)


def _tracker(tmp_path: Path) -> Path:
    path = tmp_path / "t.xlsx"
    render_xlsx(_report(), path)
    return path


def _rows_of(ws: Any, role: str) -> list[int]:
    return [r for r in range(1, ws.max_row + 1) if ws.cell(r, COL_ROLE).value == role]


def _edited(path: Path, edit: Callable[[Any], None]) -> tuple[Report, list[Any]]:
    wb = openpyxl.load_workbook(path)
    edit(wb[MAIN_SHEET])
    wb.save(path)
    return read_xlsx_checked(path)


def _entries(report: Report) -> list[Any]:
    return [e for *_x, e in report.iter_entries()]


def test_the_report_round_trips_unedited(tmp_path: Path) -> None:
    report, warnings = read_xlsx_checked(_tracker(tmp_path))
    assert report.to_dict() == _report().to_dict()
    assert warnings == []


def test_long_paragraph_takes_several_rows(tmp_path: Path) -> None:
    # the fixture must exercise the continuation rows (s1~1 …) of a long text
    wb = openpyxl.load_workbook(_tracker(tmp_path))
    assert _rows_of(wb[MAIN_SHEET], "s1~1")


def test_deleting_a_paragraph_row_deletes_the_paragraph(tmp_path: Path) -> None:
    path = _tracker(tmp_path)
    report, warnings = _edited(path, lambda ws: delete_rows(ws, _rows_of(ws, "s2")[0], _rows_of(ws, "s2")[0]))
    first = _entries(report)[0]
    assert isinstance(first.status, str)
    assert first.status == f"第一段落。\n\n{LONG}"
    assert warnings == []


def test_deleting_every_row_of_a_long_paragraph_deletes_it(tmp_path: Path) -> None:
    path = _tracker(tmp_path)

    def edit(ws: Any) -> None:
        rows = [r for r in range(1, ws.max_row + 1) if str(ws.cell(r, COL_ROLE).value or "").startswith("s1")
                and r > _rows_of(ws, "s0")[0] and r < _rows_of(ws, "s2")[0]]
        delete_rows(ws, rows[0], rows[-1])

    report, _warnings = _edited(path, edit)
    assert _entries(report)[0].status == "第一段落。\n\n第三段落。"


def test_deleting_block_rows_deletes_those_blocks(tmp_path: Path) -> None:
    path = _tracker(tmp_path)

    def edit(ws: Any) -> None:
        note = _rows_of(ws, "s2")[1]             # the second entry's s2: the note
        delete_rows(ws, note, note)
        bullets = _rows_of(ws, "s1")[-1]         # its bullets (the first entry's s1 rows come first)
        delete_rows(ws, bullets, bullets)

    report, warnings = _edited(path, edit)
    status = _entries(report)[1].status
    assert [type(b) for b in status] == [TextBlock, TableBlock, TextBlock]
    assert status[0].heading == "【実施状況】" and status[2].text == "最後の文。"
    assert warnings == []


def test_deleting_a_heading_row_takes_the_heading_off(tmp_path: Path) -> None:
    path = _tracker(tmp_path)
    report, warnings = _edited(path, lambda ws: delete_rows(ws, _rows_of(ws, "s4h")[0], _rows_of(ws, "s4h")[0]))
    block = _entries(report)[1].status[4]
    assert isinstance(block, TextBlock) and block.heading is None and block.text == "最後の文。"
    assert warnings == []


def test_deleting_a_table_caption_row_takes_the_caption_off(tmp_path: Path) -> None:
    path = _tracker(tmp_path)
    report, _warnings = _edited(path, lambda ws: delete_rows(ws, _rows_of(ws, "s3c")[0], _rows_of(ws, "s3c")[0]))
    table = _entries(report)[1].status[3]
    assert isinstance(table, TableBlock) and table.table.caption is None
    assert report.to_dict()["sections"][0]["items"][0]["entries"][1]["status"][3]["table"]["rows"] == \
        _report().to_dict()["sections"][0]["items"][0]["entries"][1]["status"][3]["table"]["rows"]


@pytest.mark.parametrize("role, index, kind", [("s2", 2, NoteBlock), ("s1", 1, BulletsBlock)])
def test_clearing_a_block_s_text_deletes_the_block(tmp_path: Path, role: str, index: int, kind: type) -> None:
    path = _tracker(tmp_path)
    kinds = [TextBlock, BulletsBlock, NoteBlock, TableBlock, TextBlock]
    report, warnings = _edited(path, lambda ws: setattr(ws.cell(_rows_of(ws, role)[-1], COL_PROGRESS), "value", None))
    status = _entries(report)[1].status
    assert [type(b) for b in status] == kinds[:index] + kinds[index + 1:]
    assert kind is kinds[index]
    assert warnings == []


def test_clearing_the_text_of_a_headed_block_keeps_its_heading(tmp_path: Path) -> None:
    path = _tracker(tmp_path)
    report, _warnings = _edited(path, lambda ws: setattr(ws.cell(_rows_of(ws, "s4")[-1], COL_PROGRESS), "value", ""))
    last = _entries(report)[1].status[-1]
    assert isinstance(last, TextBlock) and last.heading == "【今後】" and last.text == ""


def test_clearing_a_paragraph_of_a_text_status_deletes_it(tmp_path: Path) -> None:
    path = _tracker(tmp_path)

    def edit(ws: Any) -> None:
        ws.cell(_rows_of(ws, "s0")[0], COL_PROGRESS).value = None

    report, _warnings = _edited(path, edit)
    assert _entries(report)[0].status == f"{LONG}\n\n第三段落。"


def test_rows_typed_after_a_block_keep_their_order(tmp_path: Path) -> None:
    path = _tracker(tmp_path)

    def edit(ws: Any) -> None:
        note = _rows_of(ws, "s2")[1]
        insert_row(ws, note + 1)
        insert_row(ws, note + 2)
        ws.cell(note + 1, COL_PROGRESS).value = "追記その一。"
        ws.cell(note + 2, COL_PROGRESS).value = "追記その二。"

    report, warnings = _edited(path, edit)
    status = _entries(report)[1].status
    texts = [getattr(b, "text", None) for b in status]
    assert texts[2:5] == ["注記の文。", "追記その一。", "追記その二。"]
    assert isinstance(status[5], TableBlock)
    assert warnings == []


def test_a_text_row_whose_hidden_tag_was_cleared_is_read_once(tmp_path: Path) -> None:
    path = _tracker(tmp_path)
    for role in ("s2", "s4"):
        report, _warnings = _edited(path, lambda ws, role=role: setattr(ws.cell(_rows_of(ws, role)[-1], COL_ROLE),
                                                                              "value", None))
        assert report.to_dict() == _report().to_dict()
        path = _tracker(tmp_path)


def test_an_edited_paragraph_keeps_its_neighbours(tmp_path: Path) -> None:
    path = _tracker(tmp_path)
    report, _warnings = _edited(path, lambda ws: setattr(ws.cell(_rows_of(ws, "s2")[0], COL_PROGRESS), "value",
                                                         "改めた段落。"))
    assert _entries(report)[0].status == f"第一段落。\n\n{LONG}\n\n改めた段落。"


def test_rows_left_by_an_entry_whose_first_row_was_deleted_are_each_warned(tmp_path: Path) -> None:
    path = _tracker(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb[MAIN_SHEET]
    first = _rows_of(ws, "s0h")[0]                       # the block entry's first row (its heading)
    own = [r for r in range(first + 1, _rows_of(ws, "s4")[-1] + 1) if ws.cell(r, COL_ROLE).value]
    report, warnings = _edited(path, lambda ws: delete_rows(ws, first, first))
    assert len(_entries(report)) == 2                     # the entry went with its first row
    warned = {p.path.split(":")[0] for p in warnings}
    assert warned == {f"{MAIN_SHEET}!E{r - 1}" for r in own}
    assert all("left over" in p.message for p in warnings)


# --------------------------------------------------------------------------
# Formulas typed into text cells count by their computed value
# --------------------------------------------------------------------------

def _cache(path: Path, cell: str, text: str) -> None:
    """Give the formula in ``cell`` the text value a spreadsheet program computed for it
    (what Excel or LibreOffice write beside it on saving; openpyxl writes none)."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    name = "xl/worksheets/sheet1.xml"
    xml = parts[name].decode()
    xml, n = re.subn(rf'<c r="{cell}"( s="\d+")?><f>([^<]*)</f><v\s*(?:/>|></v>)',
                     lambda m: f'<c r="{cell}"{m.group(1) or ""} t="str"><f>{m.group(2)}</f><v>{text}</v>', xml)
    assert n == 1
    parts[name] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n_, data in parts.items():
            z.writestr(n_, data)


def test_a_formula_in_a_status_cell_counts_by_its_computed_value(tmp_path: Path) -> None:
    path = _tracker(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb[MAIN_SHEET]
    row = _rows_of(ws, "s2")[0]
    ws.cell(row, COL_PROGRESS).value = '="第三段落"&"（改）"'
    wb.save(path)
    _cache(path, f"E{row}", "第三段落（改）")
    report, warnings = read_xlsx_checked(path)
    assert _entries(report)[0].status == f"第一段落。\n\n{LONG}\n\n第三段落（改）"
    assert warnings == []


def test_a_formula_never_computed_in_a_text_cell_is_a_located_error(tmp_path: Path) -> None:
    from reportgen import ReportError

    path = _tracker(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb[MAIN_SHEET]
    row = _rows_of(ws, "s2")[0]
    plan_row = _rows_of(ws, "s0")[0]
    ws.cell(row, COL_PROGRESS).value = "=1+1"
    ws.cell(plan_row, COL_PROGRESS - 1).value = "=A1"          # 実施概要 (plan)
    wb.save(path)
    with pytest.raises(ReportError) as caught:
        read_xlsx_checked(path)
    lines = str(caught.value).splitlines()
    assert any(f"{MAIN_SHEET}!E{row}" in line and "never computed" in line for line in lines)
    assert any(f"{MAIN_SHEET}!D{plan_row}" in line and "never computed" in line for line in lines)


def test_a_text_that_starts_with_an_equals_sign_stays_text(tmp_path: Path) -> None:
    report = _report()
    report.sections[0].items[0].entries[0].status = "=SUM(A1) は式ではなく文。"
    path = tmp_path / "eq.xlsx"
    render_xlsx(report, path)
    back, warnings = read_xlsx_checked(path)
    assert _entries(back)[0].status == "=SUM(A1) は式ではなく文。"
    assert warnings == []


# --------------------------------------------------------------------------
# Cells merged by hand across two entries
# --------------------------------------------------------------------------

@pytest.mark.parametrize("first_col, last_col", [(COL_PROGRESS, COL_PROGRESS + 14), (COL_PROGRESS - 1, COL_PROGRESS - 1)])
def test_cells_merged_across_two_entries_are_warned(tmp_path: Path, first_col: int, last_col: int) -> None:
    path = _tracker(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb[MAIN_SHEET]
    second = _rows_of(ws, "s0h")[0]                   # the block entry's first row
    top = second - 1                                  # the last row of the entry above
    for rng in [r for r in ws.merged_cells.ranges if r.min_row <= second <= r.max_row
                and not (r.max_col < first_col or r.min_col > last_col)]:
        ws.unmerge_cells(str(rng))
    ws.merge_cells(start_row=top, start_column=first_col, end_row=second, end_column=last_col)
    wb.save(path)
    _report_back, warnings = read_xlsx_checked(path)
    merged = [p for p in warnings if "merged across two entries" in p.message]
    assert len(merged) == 1
    assert merged[0].path.startswith(f"{MAIN_SHEET}!{ws.cell(top, first_col).coordinate}:")
    assert f"row {second}" in merged[0].message


def test_merges_the_tracker_writes_are_not_warned(tmp_path: Path) -> None:
    # 項番 and 事業 span every entry of an item; 実施概要 spans one entry's rows
    path = _tracker(tmp_path)
    wb = openpyxl.load_workbook(path)
    spans = [r for r in wb[MAIN_SHEET].merged_cells.ranges if r.max_row > r.min_row]
    assert spans                                      # the fixture has vertical merges to pass over
    _report_back, warnings = read_xlsx_checked(path)
    assert warnings == []
