"""People rename the 進捗状況 sheet (R5進捗, 10月末): the tracker is still read, and every
message names the sheet by the name it has now."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

import reportgen
from reportgen import ReportError
from reportgen.xlsx.read import read_xlsx_checked
from reportgen.xlsx.sheet import COL_ENTRY_ID, COL_MARK, MAIN_SHEET
from reportgen.xlsx.writer import render_xlsx

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "gunma-r5-excerpt.yaml"


def _renamed(tmp_path: Path, mark: str | None = None, note: bool = False) -> tuple[Path, int]:
    path = tmp_path / "t.xlsx"
    render_xlsx(reportgen.load(EXAMPLE), path)
    wb = openpyxl.load_workbook(path)
    ws = wb[MAIN_SHEET]
    ws.title = "R5進捗(10月末)"
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, COL_ENTRY_ID).value)
    if mark is not None:
        ws.cell(row, COL_MARK).value = mark
    if note:
        ws.cell(row, 30).value = "確認中"
    out = tmp_path / "renamed.xlsx"
    wb.save(out)
    return out, row


def test_a_renamed_tracker_sheet_reads_back(tmp_path: Path) -> None:
    path, row = _renamed(tmp_path, mark="×", note=True)
    report, warnings = read_xlsx_checked(path)
    assert report.sections[0].groups[0].items[0].entries[0].mark == "×"
    assert [w.path for w in warnings] == [f"R5進捗(10月末)!AD{row}"]


def test_messages_name_the_sheet_as_it_is_called_now(tmp_path: Path) -> None:
    path, row = _renamed(tmp_path, mark="★")
    with pytest.raises(ReportError) as info:
        read_xlsx_checked(path)
    assert info.value.problems[0].path.startswith(f"R5進捗(10月末)!T{row}: ")
