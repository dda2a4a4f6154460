"""Dates and times typed into text cells read as the sheet shows them (reportgen.xlsx.datetext).

Excel turns "10/1" typed into a status cell into a date shown as 10月1日;
before, the readers printed it as "2023-10-01 00:00:00".
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import openpyxl
import pytest

import reportgen
from reportgen.xlsx.datetext import date_text
from reportgen.xlsx.read import read_xlsx_checked
from reportgen.xlsx.sheet import COL_PROGRESS, COL_ROLE, MAIN_SHEET
from reportgen.xlsx.tracker_import import import_tracker
from reportgen.xlsx.writer import render_xlsx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tracker_fixtures import build_tracker  # noqa: E402

sys.path.pop(0)

GUNMA = Path(__file__).resolve().parents[2] / "examples" / "gunma-r5-excerpt.yaml"
OCT1 = dt.datetime(2023, 10, 1)


@pytest.mark.parametrize("value, fmt, shown", [
    (OCT1, 'm"月"d"日"', "10月1日"),                       # Japanese Excel's format for 10/1 typed
    (OCT1, "yyyy/m/d", "2023/10/1"),
    (OCT1, "mm-dd-yy", "2023/10/1"),                      # built-in 14: Japanese Excel shows yyyy/m/d
    (OCT1, "General", "2023/10/1"),
    (dt.date(2023, 10, 1), "yyyy-mm-dd", "2023-10-01"),    # openpyxl's own date format
    (OCT1, '[$-411]ggge"年"m"月"d"日"', "令和5年10月1日"),
    (dt.datetime(2019, 4, 30), "ge.m.d", "H31.4.30"),     # the era in force that day
    (OCT1, 'yyyy"年"m"月"d"日"(aaa)', "2023年10月1日(日)"),
    (dt.datetime(2023, 10, 1, 14, 5), "yyyy/m/d h:mm", "2023/10/1 14:05"),
    (dt.datetime(2023, 10, 1, 14, 5), "h:mm AM/PM", "2:05 PM"),
    (dt.time(9, 5), None, "9:05"),
    (dt.timedelta(hours=27, minutes=3), "[h]:mm", "27:03"),
    (dt.datetime(1899, 12, 31, 4, 56), "h:mm", "4:56"),   # a time read with Excel's day zero
])
def test_date_text_shows_what_the_sheet_shows(value: object, fmt: str | None, shown: str) -> None:
    assert date_text(value, fmt) == shown


def test_a_date_typed_into_a_status_cell_of_a_tracker(tmp_path: Path) -> None:
    path = tmp_path / "g.xlsx"
    render_xlsx(reportgen.load(GUNMA), path)
    wb = openpyxl.load_workbook(path)
    ws = wb[MAIN_SHEET]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, COL_ROLE).value == "s1")
    ws.cell(row, COL_PROGRESS).value = OCT1
    ws.cell(row, COL_PROGRESS).number_format = 'm"月"d"日"'
    wb.save(path)
    report, warnings = read_xlsx_checked(path)
    texts = json.dumps(report.to_dict(), ensure_ascii=False)
    assert '"10月1日"' in texts and "00:00:00" not in texts
    assert warnings == []


def test_a_date_typed_into_a_hand_made_tracker(tmp_path: Path) -> None:
    path = tmp_path / "hand.xlsx"
    built = build_tracker(path)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    col = built.cols["corner"]
    row = next(r for r in range(built.header_row + 1, ws.max_row + 1)
               if isinstance(ws.cell(r, col).value, str) and "。" in ws.cell(r, col).value)
    ws.cell(row, col).value = OCT1
    ws.cell(row, col).number_format = 'm"月"d"日"'
    wb.save(path)
    result = import_tracker(path)
    texts = json.dumps(result.data, ensure_ascii=False)
    assert "10月1日" in texts and "00:00:00" not in texts
