"""Data that validates but that no output prints is a located warning (checks.collect.unprinted_data).

A field of an item or entry prints only where ``report.columns`` names it,
and overview / actions / next_plan only in the measure-pages layout; the data
is kept, but a person who typed it expects to see it on paper.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

import reportgen
from reportgen.cli.main import main


def _data(layout: str = "plan-status", columns: list[dict[str, str]] | None = None) -> dict[str, Any]:
    report: dict[str, Any] = {"title": "令和6年度 事業報告", "organization": "試験支部", "fiscal_year": 2024,
                              "layout": layout}
    if columns is not None:
        report["columns"] = columns
    return {"format": 1, "report": report, "sections": [{"title": "基盤", "items": [
        {"number": 1, "title": "施策一", "overview": "概要の文。", "fields": {"課題": "来年度の課題。"},
         "entries": [{"plan": "計画。", "status": "状況。", "mark": "○", "fields": {"担当": "保健グループ"}},
                     {"plan": "計画二。", "status": "状況二。", "mark": "△", "fields": {"担当": "業務グループ"}}]}]}]}


def _validate(tmp_path: Path, data: dict[str, Any], *args: str) -> Any:
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return CliRunner().invoke(main, ["validate", *args, str(path)]), path


def test_fields_no_column_names_and_measure_page_keys_are_warned_once_each(tmp_path: Path) -> None:
    result, path = _validate(tmp_path, _data())
    assert result.exit_code == 0
    lines = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(lines) == 3
    text = "\n".join(lines)
    assert f"{path}:" in text and "sections[0].items[0].entries[0].fields.担当: not printed (and 1 more)" in text
    assert "sections[0].items[0].fields.課題: not printed: report.columns names no column for the field '課題'" in text
    assert "sections[0].items[0].overview: not printed: overview is printed by layout measure-pages only" in text
    source = path.read_text(encoding="utf-8").splitlines()
    for line in lines:                         # each names the line of its key
        number = int(line.split(":")[2])
        key = line.split(": ")[2].split(".")[-1]
        assert key in source[number - 1]


def test_strict_validate_refuses_unprinted_data(tmp_path: Path) -> None:
    result, _path = _validate(tmp_path, _data(), "--strict")
    assert result.exit_code == 2


def test_named_fields_and_the_measure_pages_layout_are_not_warned(tmp_path: Path) -> None:
    columns = [{"field": "section"}, {"field": "plan", "label": "計画"}, {"field": "担当", "label": "担当"},
               {"field": "課題", "label": "課題"}, {"field": "status", "label": "状況"}]
    data = _data(columns=columns)
    del data["sections"][0]["items"][0]["overview"]
    result, _path = _validate(tmp_path, data)
    assert "warning" not in result.stderr
    measure = _data(layout="measure-pages", columns=columns)
    result, _path = _validate(tmp_path, measure)
    assert "overview" not in result.stderr


def test_the_library_issues_an_unprinted_warning_when_rendering() -> None:
    report = reportgen.Report.from_dict(_data())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        html = reportgen.render_html(report)
    unprinted = [w.message for w in caught if isinstance(w.message, reportgen.UnprintedWarning)]
    assert len(unprinted) == 3
    assert "保健グループ" not in html                 # what the warning says: it is not printed


def test_the_bundled_examples_print_everything_they_hold() -> None:
    from reportgen.checks.collect import unprinted_data

    root = Path(__file__).resolve().parents[2]
    for path in [*sorted((root / "examples").glob("*.yaml")), *sorted((root / "tests" / "fixtures").glob("*.yaml"))]:
        assert unprinted_data(reportgen.load(path)) == [], path
