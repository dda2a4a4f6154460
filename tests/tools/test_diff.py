"""Comparison between periods: `reportgen diff` and reportgen.tools.diff."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import reportgen
from reportgen.tools.diff import diff_reports, format_text, render_diff_html
from reportgen.model.report import Report

COMPARE = Path(__file__).resolve().parents[2] / "examples" / "compare"
Q1 = COMPARE / "saitama-r5-q1.yaml"
Q2 = COMPARE / "saitama-r5-q2.yaml"
S1 = "１ 基盤的保険者関係 / （１）健全な財政運営"
S2 = "１ 基盤的保険者関係 / （２）サービス水準の向上"
S6 = "１ 基盤的保険者関係 / （６）返納金債権発生防止のための保険証回収強化"
G7 = "２ 戦略的保険者機能関係 / （７）ジェネリック医薬品のさらなる使用促進"
O6 = "３ 組織・運営体制関係 / （６）費用対効果を踏まえた支部運営"

#: Every mark and KPI figure that differs between the two example files, as printed.
EXPECTED_LINES = [
    f"{S2} ②: 評価 △ → ○",
    f"{S2} ②: KPI 実績 96.3％ → 96.5％ (未達成 → 達成)",
    f"{S6} ②: 評価 ○ → △",
    f"{S6} ②: KPI 実績 86.01％ → 81.48％ (達成 → 未達成)",
    f"{G7} ①: KPI 実績 83.2％ → 83.8％",
    f"{O6} ①: 評価 ― → ◎",
    f"{O6} ①: KPI 実績 （なし） → 6.7％ (未確定 → 達成)",
]


def reportgen_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "reportgen", *args], capture_output=True, text=True, timeout=120)


def _data(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def q_diff() -> Any:
    return diff_reports(reportgen.load(Q1), reportgen.load(Q2))


def test_marks_and_figures_that_moved(q_diff: Any) -> None:
    assert [(c.where, c.old, c.new) for c in q_diff.of_kind("mark")] == [
        (f"{S2} ②", "△", "○"), (f"{S6} ②", "○", "△"), (f"{O6} ①", "―", "◎")]
    lines = format_text(q_diff).splitlines()
    for expected in EXPECTED_LINES:
        assert expected in lines
    assert len([l for l in lines if ": 評価 " in l or ": KPI 実績 " in l]) == len(EXPECTED_LINES)
    assert lines[0] == "比較: 令和５年度 事業計画 実施状況（埼玉支部） 第1四半期（4～6月） → 第2四半期（7～9月）"
    assert lines[-1] == "変更 16 件（評価 3、KPI 4、系列 2、実施状況 6、追加 1）"


def test_series_month_by_month(q_diff: Any) -> None:
    rows = {c.what: c.details for c in q_diff.of_kind("series")}
    # a revised June and three new months; 令和4年度 only became visible (its data did
    # not change), so it is not listed
    assert rows == {
        "系列「郵送化率」 令和5年度": (("6月", "96.3％", "96.4％"), ("7月", None, "96.6％"),
                                  ("8月", None, "96.7％"), ("9月", None, "96.8％")),
        "KPI 系列「回収率」 令和5年度": (("第2四半期", None, "76.95％"),),
    }


def test_status_texts_entries_and_tables(q_diff: Any) -> None:
    status = [(c.where, c.what, c.note) for c in q_diff.of_kind("status")]
    assert (f"{S1} ①", "実施状況", "追加「7 月の評議会において、令和 4 年度決算（見込み）について報告。」") in status
    assert (f"{O6} ①", "実施状況", "削除「第１四半期は一般競争入札の実績なし。」") in status
    assert (f"{G7} ①", "実施状況 表 変更（3 セル）", "") in status
    assert (f"{O6} ①", "実施状況 表 追加", "") in status
    (added,) = q_diff.of_kind("added")
    assert added.where == f"{S1} ③" and "支部の財政状況を職員に共有し" in added.note


def test_identical_reports_have_no_changes() -> None:
    r = reportgen.load(Q2)
    d = diff_reports(r, copy.deepcopy(r))
    assert not d and d.changes == [] and format_text(d).splitlines()[-1] == "変更はありません"


def test_matching_survives_reordering_and_regrouping() -> None:
    old = _data(Q2)
    new = copy.deepcopy(old)
    items = new["sections"][0].pop("items")
    # items moved into a banner group, in another order, one entry inserted first
    new["sections"][0]["groups"] = [{"title": "業務", "items": list(reversed(items))}]
    items[0]["entries"].insert(0, {"plan": "新しい取組を始める。", "mark": "○"})
    d = diff_reports(Report.from_dict(old), Report.from_dict(new))
    # the entries still match (one added, nothing else changed); the move itself is named
    assert [(c.kind, c.where) for c in d.changes if c.kind != "heading"] == [("added", f"{S1} ①")]
    assert sorted(c.what for c in d.of_kind("heading")) == ["グループ", "施策の順序 変更"]


def test_removed_entry_is_named_by_its_old_number() -> None:
    old = _data(Q2)
    new = copy.deepcopy(old)
    del new["sections"][0]["items"][0]["entries"][0]
    d = diff_reports(Report.from_dict(old), Report.from_dict(new))
    assert [(c.kind, c.where, c.what) for c in d.changes] == [("removed", f"{S1} 前回①", "項目 削除")]


def test_same_printed_figure_shows_the_raw_numbers() -> None:
    old = _data(Q2)
    new = copy.deepcopy(old)
    new["sections"][0]["items"][1]["entries"][1]["kpi"]["actual"] = 0.9651
    (change,) = diff_reports(Report.from_dict(old), Report.from_dict(new)).changes
    assert change.text() == f"{S2} ②: KPI 実績 0.965 → 0.9651"


def test_target_change_flips_the_judgement() -> None:
    old = _data(Q2)
    new = copy.deepcopy(old)
    new["sections"][0]["items"][1]["entries"][1]["kpi"]["target"] = 0.97
    (change,) = diff_reports(Report.from_dict(old), Report.from_dict(new)).changes
    assert change.text() == f"{S2} ②: KPI 目標 96.5％以上 → 97.0％以上 (達成 → 未達成)"


def test_other_plan_is_warned_about() -> None:
    other = _data(Q2)
    other["report"]["organization"] = "群馬支部"
    d = diff_reports(reportgen.load(Q1), Report.from_dict(other))
    assert d.warnings and "群馬支部" in d.warnings[0]
    assert format_text(d).splitlines()[1].startswith("注意: 組織が異なります")


def test_html_is_escaped() -> None:
    old = _data(Q2)
    new = copy.deepcopy(old)
    new["sections"][0]["items"][0]["entries"][0]["status"] = "<script>alert(1)</script>"
    new["sections"][0]["items"][0]["entries"][0]["mark"] = "△"
    html = render_diff_html(diff_reports(Report.from_dict(old), Report.from_dict(new)))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<td class="mark">○</td><td class="mark">△</td>' in html


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------

def test_cli_prints_every_change_and_exits_0() -> None:
    result = reportgen_cli("diff", str(Q1), str(Q2))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for expected in EXPECTED_LINES:
        assert expected in lines
    assert reportgen_cli("diff", str(Q2), str(Q2)).stdout.splitlines()[-1] == "変更はありません"


def test_cli_writes_html_and_pdf(tmp_path: Path) -> None:
    html = tmp_path / "changes.html"
    assert reportgen_cli("diff", str(Q1), str(Q2), "-o", str(html)).returncode == 0
    text = html.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "第2四半期" in text and text.count("<tr class=\"kind-") == 16
    pdf = tmp_path / "changes.pdf"
    result = reportgen_cli("diff", str(Q1), str(Q2), "-o", str(pdf))
    assert result.returncode == 0, result.stderr
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    printed = "".join((p.extract_text() or "") for p in reader.pages).replace(" ", "")
    assert "86.01％" in printed and "81.48％" in printed and "(達成→未達成)" in printed
    assert not list(tmp_path.glob(".*.part"))


def test_cli_reads_a_tracker_workbook(tmp_path: Path) -> None:
    workbook = tmp_path / "q2.xlsx"
    reportgen.render_xlsx(reportgen.load(Q2), workbook)
    from_yaml = reportgen_cli("diff", str(Q1), str(Q2)).stdout
    from_xlsx = reportgen_cli("diff", str(Q1), str(workbook))
    assert from_xlsx.returncode == 0, from_xlsx.stderr
    assert from_xlsx.stdout == from_yaml


def test_cli_invalid_input_exit_2(write, tmp_path: Path) -> None:
    bad = write("bad.yaml", "format: 1\nreport: {title: t}\n")
    out = tmp_path / "d.html"
    result = reportgen_cli("diff", str(Q1), str(bad), "-o", str(out))
    assert result.returncode == 2 and f"{bad}:2: report: missing required key" in result.stderr
    assert not out.exists() and "Traceback" not in result.stderr
    result = reportgen_cli("diff", str(Q1), str(Q2), "-o", str(tmp_path / "d.txt"))
    assert result.returncode == 2 and ".html or .pdf" in result.stderr


def test_fields_of_items_and_entries_are_compared() -> None:
    """Custom fields (report.columns) are part of the report: the workbook shows them, diff names them."""
    old = reportgen.load(Q2)
    new = copy.deepcopy(old)
    item = new.sections[0].items[0]
    old.sections[0].items[0].fields["課題"] = "予算の精査"
    item.fields["課題"] = "予算の精査と早期執行"
    item.entries[0].fields["次年度"] = "継続"
    lines = [c.text() for c in diff_reports(old, new).changes]
    assert f"{S1}: 欄「課題」 変更「予算の精査と早期執行」" in lines, lines
    assert f"{S1} ①: 欄「次年度」 追加" in lines, lines
    del item.fields["課題"]
    lines = [c.text() for c in diff_reports(old, new).changes]
    assert f"{S1}: 欄「課題」 削除" in lines, lines


def test_table_rows_added_and_removed_are_named_by_their_label() -> None:
    def report(rows: list[list[Any]]) -> Report:
        return Report.from_dict({"format": 1, "report": {"title": "報告", "organization": "支部", "fiscal_year": 2024},
                                 "sections": [{"title": "基盤", "items": [{"title": "施策", "entries": [
                                     {"plan": "計画。", "status": [{"table": {"caption": "相談", "header": [["区分", "件数"]],
                                                                               "rows": rows}}]}]}]}]})

    old = report([["訪問", 120], ["電話", 3400], ["来所", 75], ["合計", 3595]])
    new = report([["訪問", 120], ["文書", 12], ["合計", 3607]])
    lines = format_text(diff_reports(old, new)).splitlines()
    assert any("表「相談」 文書" in line and "行 追加" in line for line in lines)
    assert any("表「相談」 電話" in line and "行 削除" in line for line in lines)
    assert any("表「相談」 来所" in line and "行 削除" in line for line in lines)
    assert any("表「相談」 変更（1 セル）" in line for line in lines)      # 合計 3595 → 3607 only
