"""A column inserted or deleted in the tracker sheet is refused with the cell that moved.

The reader finds every value by its column; Excel moves every column right
of an inserted or deleted one, so reading on would put values into the wrong
fields.  Each case names the cell and says what to do.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

import reportgen
from reportgen import ReportError
from reportgen.xlsx.read import read_xlsx_checked
from reportgen.xlsx.sheet import COL_ROLE, MAIN_SHEET
from reportgen.xlsx.writer import render_xlsx

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "saitama-r5-excerpt.yaml"


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("moved") / "t.xlsx"
    render_xlsx(reportgen.load(EXAMPLE), path)
    return path


def _header_row(ws: openpyxl.worksheet.worksheet.Worksheet) -> int:
    return next(r for r in range(1, 40) if ws.cell(r, COL_ROLE).value == "header")


@pytest.mark.parametrize("verb, col, expected", [
    ("insert", "D", "{h}: a column was inserted or deleted: '実施(手段スケジュール)概要' is in column E, "
                    "the tracker has it in column D"),
    ("delete", "C", "{h}: the header label '事業' was changed or its column deleted"),
    ("insert", "T", "{h}: a column was inserted or deleted: '実施状況' is in column U, the tracker has it in column T"),
    ("insert", "V", "{h}: a column was inserted or deleted before the hidden columns V:X (the row tags are in "
                    "column Y now)"),
    ("delete", "W", "{h}: a column was inserted or deleted before the hidden columns V:X (the row tags are in "
                    "column W now)"),
])
def test_a_moved_column_is_refused_with_its_cell(written: Path, tmp_path: Path, verb: str, col: str,
                                                 expected: str) -> None:
    wb = openpyxl.load_workbook(written)
    ws = wb[MAIN_SHEET]
    h = _header_row(ws)
    index = openpyxl.utils.column_index_from_string(col)
    (ws.insert_cols if verb == "insert" else ws.delete_cols)(index)
    out = tmp_path / "moved.xlsx"
    wb.save(out)
    with pytest.raises(ReportError) as info:
        read_xlsx_checked(out)
    problems = info.value.problems
    assert len(problems) == 1
    cell = {"D": "E", "C": "C", "T": "U", "V": "Y", "W": "W"}[col]
    assert str(problems[0]).endswith(expected.format(h=f"進捗状況!{cell}{h}") + "; the tracker's columns cannot "
                                     "move: undo the change (notes go right of the tracker's columns)"), problems


def test_cleared_row_tags_are_refused(written: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(written)
    ws = wb[MAIN_SHEET]
    for row in ws.iter_rows(min_col=COL_ROLE, max_col=COL_ROLE):
        for cell in row:
            cell.value = None
    out = tmp_path / "cleared.xlsx"
    wb.save(out)
    with pytest.raises(ReportError) as info:
        read_xlsx_checked(out)
    assert "the hidden row tags (column X) were cleared or deleted" in str(info.value)


def test_a_column_added_right_of_the_tracker_is_read_with_a_warning(written: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(written)
    ws = wb[MAIN_SHEET]
    ws.insert_cols(26)
    ws.cell(_header_row(ws) + 1, 26).value = "確認済"
    out = tmp_path / "right.xlsx"
    wb.save(out)
    report, warnings = read_xlsx_checked(out)
    assert report.to_dict() == reportgen.load(EXAMPLE).to_dict()
    assert [w.path for w in warnings] == [f"進捗状況!Z{_header_row(ws) + 1}"]
