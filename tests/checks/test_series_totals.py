"""Issue #12.6: totals (and their label) per row of a series, in PDF and xlsx."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

import reportgen
from reportgen.cli.main import main
from reportgen.model.grids import series_grid
from reportgen.model.report import Report
from reportgen.pdf.engine import render_html
from reportgen.checks.totals import total_problems
from reportgen.xlsx.sheet import COL_MARK, MAIN_SHEET
from reportgen.xlsx.writer import render_xlsx

GUNMA = Path(__file__).resolve().parents[2] / "examples" / "gunma-r5-excerpt.yaml"


def _report(series: dict[str, Any]) -> Report:
    return Report.from_dict({
        "format": 1,
        "report": {"title": "報告", "organization": "支部", "fiscal_year": 2023, "marks": "gunma"},
        "sections": [{"title": "分野", "items": [{"title": "施策", "entries": [
            {"plan": "計画。", "status": [{"series": series}], "mark": "○"}]}]}]})


def _series(report: Report) -> Any:
    return report.sections[0].items[0].entries[0].status[0].series


def test_gunma_mail_rate_prints_its_own_totals_under_ruikei() -> None:
    report = reportgen.load(GUNMA)
    series = report.sections[0].groups[0].items[0].entries[1].status[0].series
    grid = series_grid(series)
    assert grid.total_label == "累計"
    assert [r.total for r in grid.rows] == [0.969, 0.950]
    html = re.sub(r"\s+", "", render_html(report))
    assert "累計</th>" in html or "累計</td>" in html
    assert "96.9％" in html and "95.0％" in html
    assert total_problems(report) == []


def test_row_totals_mix_rules_and_figures() -> None:
    report = _report({"format": "int", "total_label": "通期", "rows": [
        {"label": "窓口件数", "values": [423, 393, 364], "total": "sum"},
        {"label": "率", "values": [1, 2, 6], "total": "mean"},
        {"label": "残高", "values": [5, 7, 9], "total": "last"},
        {"label": "公表値", "values": [1, 1, 1], "total": 3},
        {"label": "なし", "values": [1, 1, 1], "total": "none"},
        {"label": "既定", "values": [1, 2, 3]}]})
    grid = series_grid(_series(report))
    assert grid.total_label == "通期"
    assert [r.total for r in grid.rows] == [1180, 3, 9, 3, None, 6]
    assert report.to_dict() == Report.from_dict(report.to_dict()).to_dict()   # serialised as written


def test_old_series_total_still_applies_to_every_row() -> None:
    report = _report({"format": "int", "total": 10, "rows": [
        {"label": "a", "values": [4, 6]}, {"label": "b", "values": [1, 2]}]})
    grid = series_grid(_series(report))
    assert grid.total_label == "計" and [r.total for r in grid.rows] == [10, 10]
    # but the second row's months do not make 10: a located warning
    (problem,) = total_problems(report, source="x.yaml")
    assert str(problem).startswith("x.yaml: sections[0].items[0].entries[0].status[0].series.total: row 'b'")


def test_disagreeing_row_total_is_a_located_validation_warning(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("""format: 1
report: {title: 報告, organization: 支部, fiscal_year: 2023, marks: gunma}
sections:
  - title: 分野
    items:
      - title: 施策
        entries:
          - plan: 計画。
            mark: ○
            status:
              - series:
                  format: "pct:1"
                  rows:
                    - {label: 令和4年度, values: [0.955, 0.966], total: 0.969}
                    - {label: 令和5年度, values: [0.946, 0.949], total: 0.9475}
""", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0
    lines = [ln for ln in result.output.splitlines() if ln.startswith("warning:")]
    assert lines == [f"warning: {path}:14: sections[0].items[0].entries[0].status[0].series.rows[0].total: "
                     "row '令和4年度': the total 96.9％ differs from the months' average 96.1％"]
    assert CliRunner().invoke(main, ["validate", "--strict", str(path)]).exit_code == 2


def test_row_total_label_and_figures_in_the_workbook(tmp_path: Path) -> None:
    report = _report({"format": "int", "total_label": "累計", "rows": [
        {"label": "件数", "values": [1, 2], "total": "sum"}, {"label": "公表", "values": [1, 2], "total": 4}]})
    target = tmp_path / "t.xlsx"
    render_xlsx(report, target)
    ws = openpyxl.load_workbook(target)[MAIN_SHEET]
    cells = {ws.cell(r, 5).value: r for r in range(1, ws.max_row + 1)}
    total = COL_MARK - 2
    assert ws.cell(cells["件数"] - 1, total).value == "累計"
    assert str(ws.cell(cells["件数"], total).value).startswith("=IF(COUNT(")
    assert ws.cell(cells["公表"], total).value == 4


@pytest.mark.parametrize("bad", [{"total": [1]}, {"total": "many"}])
def test_bad_row_total_is_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(reportgen.ReportError, match=r"rows\[0\]\.total"):
        _report({"format": "int", "rows": [{"label": "a", "values": [1], **bad}]})
