"""A 分野 label repeated on a new printed page, edited in one place only, is reported.

The writer repeats the vertical 分野 label on every page the 分野 spans (a
merged cell prints once).  Editing one copy — to fix a typo, say — would
read as a new 分野 starting at that page; the reader says so at the cell,
and editing every copy renames the 分野 without a word.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from reportgen.tools.synthetic import synthetic_report
from reportgen.xlsx.read import read_xlsx_checked
from reportgen.xlsx.sheet import COL_AREA, MAIN_SHEET
from reportgen.xlsx.writer import render_xlsx


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[int]]]:
    path = tmp_path_factory.mktemp("labels") / "t.xlsx"
    render_xlsx(synthetic_report(60, seed=3), path, paper="A4")
    ws = openpyxl.load_workbook(path)[MAIN_SHEET]
    labels: dict[str, list[int]] = {}
    for r in range(3, ws.max_row + 1):
        value = ws.cell(r, COL_AREA).value
        if value:
            labels.setdefault(value, []).append(r)
    return path, labels


def _edit(path: Path, rows: list[int], text: str, out: Path) -> Path:
    wb = openpyxl.load_workbook(path)
    for r in rows:
        wb[MAIN_SHEET].cell(r, COL_AREA).value = text
    wb.save(out)
    return out


def test_the_fixture_repeats_a_label(written: tuple[Path, dict[str, list[int]]]) -> None:
    _path, labels = written
    assert any(len(rows) >= 2 for rows in labels.values()), labels


def test_one_copy_edited_is_a_located_warning(written: tuple[Path, dict[str, list[int]]], tmp_path: Path) -> None:
    path, labels = written
    label, rows = next((k, v) for k, v in labels.items() if len(v) >= 2)
    number, title = label.split(" ", 1)
    report, warnings = read_xlsx_checked(_edit(path, [rows[1]], f"{number} {title}（改）", tmp_path / "one.xlsx"))
    hits = [w for w in warnings if w.path == f"{MAIN_SHEET}!A{rows[1]}: 分野"]
    assert len(hits) == 1 and "differs from" in hits[0].message and "change every repeated label" in hits[0].message
    assert [s.heading for s in report.sections].count(label) == 1


def test_every_copy_edited_renames_the_section(written: tuple[Path, dict[str, list[int]]], tmp_path: Path) -> None:
    path, labels = written
    label, rows = next((k, v) for k, v in labels.items() if len(v) >= 2)
    number, title = label.split(" ", 1)
    report, warnings = read_xlsx_checked(_edit(path, rows, f"{number} {title}（改）", tmp_path / "all.xlsx"))
    assert warnings == []
    assert f"{number} {title}（改）" in [s.heading for s in report.sections]
    assert label not in [s.heading for s in report.sections]
