"""Notes and sheets of their own that staff add to a tracker are reported, never dropped in silence.

Neither a comment (note) on a cell nor a memo sheet beside the tracker can
become report data; both readers (reportgen's own trackers and hand-made
ones) name each with its cell.
"""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment

import reportgen
from reportgen.xlsx.read import read_xlsx_checked
from reportgen.xlsx.sheet import COL_ENTRY_ID, COL_PLAN, MAIN_SHEET
from reportgen.xlsx.tracker_import import import_tracker
from reportgen.xlsx.writer import render_xlsx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tracker_fixtures import Shape, build_tracker  # noqa: E402

sys.path.pop(0)

GUNMA = Path(__file__).resolve().parents[2] / "examples" / "oita-r5-excerpt.yaml"


def _annotate(path: Path, out: Path, sheet: str, cell: tuple[int, int]) -> Path:
    wb = openpyxl.load_workbook(path)
    wb[sheet].cell(*cell).comment = Comment("この計画は見直し予定", "佐藤")
    memo = wb.create_sheet("メモ")
    memo["B3"] = "来期の課題：郵送化率"
    memo["C9"] = 42
    wb.create_sheet("空のシート")          # an empty sheet says nothing
    wb.save(out)
    return out


def test_a_reportgen_tracker_reports_notes_and_memo_sheets(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    render_xlsx(reportgen.load(GUNMA), path)
    ws = openpyxl.load_workbook(path)[MAIN_SHEET]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, COL_ENTRY_ID).value)
    edited = _annotate(path, tmp_path / "annotated.xlsx", MAIN_SHEET, (row, COL_PLAN))
    report, warnings = read_xlsx_checked(edited)
    lines = [str(w) for w in warnings]
    assert len(lines) == 2, lines
    assert f"進捗状況!D{row}: not read back: the comment (note) on this cell 'この計画は見直し予定'" in lines[1]
    assert "メモ!B3: not read back: sheet 'メモ' is not read (2 cells with content)" in lines[0]
    # the report itself is what was written
    assert report.to_dict() == reportgen.load(GUNMA).to_dict()


def test_a_hand_made_tracker_reports_notes_and_other_sheets(tmp_path: Path) -> None:
    path = tmp_path / "hand.xlsx"
    built = build_tracker(path, Shape(sheet="進捗"))
    edited = _annotate(path, tmp_path / "annotated.xlsx", "進捗", (built.header_row + 2, built.cols["plan"]))
    result = import_tracker(edited)
    lines = [str(w) for w in result.warnings]
    assert any("メモ!B3: not read back: sheet 'メモ' is not read (2 cells with content)" in t for t in lines), lines
    assert any(f"進捗!{openpyxl.utils.get_column_letter(built.cols['plan'])}{built.header_row + 2}: "
               "not read back: the comment (note)" in t for t in lines), lines
    assert not any("空のシート" in t for t in lines)


def test_a_mark_or_rank_typed_below_an_entry_s_first_row_is_warned(tmp_path: Path) -> None:
    """People unmerge 実施状況 (T) or 全国順位 (U) and type into a lower row of the entry."""
    from reportgen.xlsx.sheet import COL_KPI_FLAG, COL_MARK, COL_RANK

    source = GUNMA.with_name("gunma-r5-excerpt.yaml")       # entries with grids: several rows each
    path = tmp_path / "t.xlsx"
    render_xlsx(reportgen.load(source), path)
    wb = openpyxl.load_workbook(path)
    ws = wb[MAIN_SHEET]
    rows = [r for r in range(1, ws.max_row + 1) if ws.cell(r, COL_ENTRY_ID).value]
    first = next(r for r, nxt in zip(rows, rows[1:]) if nxt - r >= 3)     # an entry of three rows or more
    for col in (COL_MARK, COL_RANK):
        for rng in [m for m in ws.merged_cells.ranges if m.min_row == first and m.min_col == col]:
            ws.unmerge_cells(str(rng))
    ws.cell(first + 2, COL_MARK).value = "×"
    ws.cell(first + 1, COL_RANK).value = "3位"
    ws.cell(first + 1, COL_KPI_FLAG).value = 1
    wb.save(path)
    report, warnings = read_xlsx_checked(path)
    where = {w.path for w in warnings}
    assert where == {f"{MAIN_SHEET}!T{first + 2}", f"{MAIN_SHEET}!U{first + 1}", f"{MAIN_SHEET}!V{first + 1}"}
    assert report.to_dict() == reportgen.load(source).to_dict()
