"""Marks proposed from KPI figures, and `reportgen validate --check-marks`."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import reportgen
from reportgen.model.marks import BUILTIN_SCALES, MarkScale, MarkSymbol
from reportgen.model.report import KPI, Entry, Report, Series, SeriesRow
from reportgen.checks.propose import check_marks, propose, propose_mark

STANDARD = BUILTIN_SCALES["standard"]
GUNMA = BUILTIN_SCALES["gunma"]
QUARTERLY = BUILTIN_SCALES["quarterly"]
EVALUATION = BUILTIN_SCALES["evaluation"]
ACHIEVEMENT = BUILTIN_SCALES["achievement"]


def _entry(actual: Any, target: Any = 0.965, direction: str = ">=", fmt: str = "pct:1", mark: str | None = "○",
           **kw: Any) -> Entry:
    return Entry(plan="計画", mark=mark, kpi=KPI("郵送化率", target, direction, fmt, kw.pop("prior", None), actual, **kw))


@pytest.mark.parametrize("actual, expected", [
    (0.965, "○"),      # exactly met
    (0.9645, "○"),     # prints 96.5％: met as the reader sees it
    (0.96449, "△"),    # prints 96.4％
    (0.94, "△"),
    (1.02, "◎"),       # ≥ 5 % better than 96.5％ (101.3 %)
    (1.01, "○"),       # 4.7 % better
    (None, None),      # not known yet
])
def test_standard_scale(actual: Any, expected: str | None) -> None:
    assert propose_mark(_entry(actual), STANDARD) == expected


def test_lower_is_better_and_prior_targets() -> None:
    # 一者応札 ≤ 20 %: 6.7 % is far better
    assert propose_mark(_entry(0.067, 0.20, "<="), STANDARD) == "◎"
    assert propose_mark(_entry(0.267, 0.20, "<="), STANDARD) == "△"
    p = propose(_entry(0.8015, "prior", fmt="pct:2", prior=0.8538), STANDARD)
    assert p is not None and (p.mark, p.reason) == ("△", "KPI 未達成: 80.15％ < 85.38％（前年度実績）")


def test_no_kpi_no_proposal_and_explicit_achieved_wins() -> None:
    assert propose_mark(Entry(plan="計画", mark="○"), STANDARD) is None
    assert propose_mark(_entry(0.99, achieved=False), STANDARD) == "△"
    assert propose_mark(_entry(None, achieved=True), STANDARD) == "○"


def test_gunma_top_mark_is_above_the_target() -> None:
    assert propose_mark(_entry(0.966), GUNMA) == "◎"     # 目標を上回る
    assert propose_mark(_entry(0.965), GUNMA) == "○"     # 目標達成
    assert propose_mark(_entry(0.95), GUNMA) == "△"      # 目標未達成


def test_quarterly_has_no_top_mark() -> None:
    assert propose_mark(_entry(1.5), QUARTERLY) == "○"
    assert propose_mark(_entry(0.5), QUARTERLY) == "△"


@pytest.mark.parametrize("actual, direction, letter", [
    (0.96, ">=", "S"),   # achievement ratio 120 %
    (0.84, ">=", "A"),   # 105 %
    (0.83, ">=", "B"),   # 103.75 %: met
    (0.80, ">=", "B"),   # 100 %
    (0.72, ">=", "C"),   # 90 %
    (0.64, ">=", "C"),   # 80 %
    (0.60, ">=", "D"),   # 75 %
    (0.40, "<=", "S"),   # lower is better: 0.80 / 0.40 = 200 %
    (0.90, "<=", "C"),   # 89 %
])
def test_evaluation_bands(actual: float, direction: str, letter: str) -> None:
    assert propose_mark(_entry(actual, 0.80, direction, fmt="pct:0"), EVALUATION) == letter


def test_achievement_scale() -> None:
    assert propose_mark(_entry(0.97), ACHIEVEMENT) == "達成"
    assert propose_mark(_entry(0.90), ACHIEVEMENT) == "未達成"


def test_inline_scales() -> None:
    similar = MarkScale("mine", (MarkSymbol("○", "できた"), MarkSymbol("△", "まだ")))
    assert propose_mark(_entry(1.5), similar) == "○"     # no ◎ on this scale
    other = MarkScale("letters", (MarkSymbol("優", "優"), MarkSymbol("可", "可")))
    assert propose_mark(_entry(1.5), other) is None


def test_series_gives_the_figure_when_the_actual_is_not_known() -> None:
    rates = Series([SeriesRow("令和5年度", [0.97, 0.96, 0.98])], caption="郵送化率", format="pct:1")
    p = propose(Entry(plan="p", mark="△", kpi=KPI("郵送化率", 0.965, ">=", "pct:1", None, None, series=rates)),
                STANDARD, reached=3)
    assert p is not None and p.mark == "○"
    assert p.reason == "KPI 達成: 97.0％ ≥ 96.5％（系列「郵送化率」 令和5年度 平均）"
    counts = Series([SeriesRow("令和5年度", [120, 130])], format="int")    # a partial-year sum proves nothing
    assert propose_mark(Entry(kpi=KPI("件数", 1000, ">=", "int", None, None, series=counts)), STANDARD) is None


def _saitama_with_wrong_mark(saitama_path: Path) -> tuple[Report, str]:
    report = reportgen.load(saitama_path)
    entry = report.sections[0].items[2].entries[1]       # 保険証回収率: 80.15％ < 85.38％
    entry.mark = "○"
    return report, "sections[0].items[2].entries[1].mark"


def test_check_marks_reports_and_changes_nothing(saitama_path: Path) -> None:
    report, path = _saitama_with_wrong_mark(saitama_path)
    before = copy.deepcopy(report.to_dict())
    warnings = check_marks(report, source="plan.yaml")
    assert [str(w) for w in warnings] == [
        f"plan.yaml: {path}: stated ○ but the figures suggest △ (KPI 未達成: 80.15％ < 85.38％（前年度実績）)"]
    assert report.to_dict() == before
    assert check_marks(reportgen.load(saitama_path)) == []     # the real file agrees with its figures


def test_unmarked_entries_are_not_checked(saitama_path: Path) -> None:
    report = reportgen.load(saitama_path)
    report.sections[0].items[2].entries[1].mark = None
    assert check_marks(report) == []


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------

def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "reportgen", *args], capture_output=True, text=True, timeout=120)


def test_validate_check_marks_warns_without_changing_exit_or_file(tmp_path: Path, saitama_path: Path) -> None:
    text = saitama_path.read_text(encoding="utf-8")
    marked = text.replace("""                  formats: [text, "pct:2", "pct:2", "pct:2", "pct:2", "pct:2", "pct:2"]
            mark: △""", """                  formats: [text, "pct:2", "pct:2", "pct:2", "pct:2", "pct:2", "pct:2"]
            mark: ○""")
    assert marked != text
    plan = tmp_path / "plan.yaml"
    plan.write_text(marked, encoding="utf-8")
    line = next(n for n, l in enumerate(marked.splitlines(), start=1)
                if l == "            mark: ○" and n > marked[:marked.index("保険証回収率を向上")].count("\n"))

    plain = _cli("validate", str(plan))
    assert plain.returncode == 0 and plain.stderr == ""
    checked = _cli("validate", "--check-marks", str(plan))
    assert checked.returncode == 0
    assert checked.stdout == plain.stdout
    assert checked.stderr.splitlines() == [
        f"warning: {plan}:{line}: sections[0].items[2].entries[1].mark: stated ○ but the figures suggest △ "
        "(KPI 未達成: 80.15％ < 85.38％（前年度実績）)"]
    assert plan.read_text(encoding="utf-8") == marked


def test_check_marks_on_an_invalid_file_still_exits_2(write) -> None:
    bad = write("bad.yaml", "format: 1\nreport: {title: t}\n")
    result = _cli("validate", "--check-marks", str(bad))
    assert result.returncode == 2 and "warning:" not in result.stderr
