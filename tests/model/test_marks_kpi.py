"""Mark counting and KPI judgement, as the summary appendices print them."""

from __future__ import annotations

from pathlib import Path

import pytest

import reportgen
from reportgen.model.kpi import achieved, judgement, target_text
from reportgen.model.marks import BUILTIN_SCALES, count_marks
from reportgen.model.report import KPI


def test_builtin_scales_and_legend() -> None:
    assert set(BUILTIN_SCALES) == {"standard", "quarterly", "gunma", "evaluation", "achievement"}
    assert BUILTIN_SCALES["standard"].legend() == (
        "◎（計画を大幅に上回る）、○（計画通り）、△（実施中又は計画を下回る。）、×（未実施）"
    )
    assert BUILTIN_SCALES["gunma"].allowed == ("◎", "○", "△", "×", "□")
    assert BUILTIN_SCALES["evaluation"].normalise("ｓ") == "S"
    assert BUILTIN_SCALES["quarterly"].normalise("ー") == "—"
    assert BUILTIN_SCALES["gunma"].normalise("ー") is None


def test_counts_per_section_whole_and_kpi(saitama_path: Path) -> None:
    summary = count_marks(reportgen.load(saitama_path))
    assert [s.label for s in summary.sections] == ["１ 基盤的保険者関係", "２ 戦略的保険者機能関係", "３ 組織・運営体制関係"]
    assert dict(summary.sections[0].counts) == {"○": 5, "△": 1}
    assert dict(summary.whole.counts) == {"○": 7, "△": 1, "◎": 1}
    assert summary.whole.total == 9
    # KPI entries only: (２)①② (６)② (７)② (６)① of section 3.
    assert dict(summary.kpi.counts) == {"○": 3, "△": 1, "◎": 1}


def test_quarterly_counts_not_assessed(quarterly_path: Path) -> None:
    summary = count_marks(reportgen.load(quarterly_path))
    assert dict(summary.whole.counts) == {"○": 4, "—": 1, "△": 1}


@pytest.mark.parametrize(
    ("kpi", "expected"),
    [
        (KPI("郵送化率", 0.965, ">=", "pct:1", 0.963, 0.965), "達成"),
        # 0.9645 prints as 96.5％: judged as the reader sees it (四捨五入).
        (KPI("郵送化率", 0.965, ">=", "pct:1", 0.963, 0.9645), "達成"),
        (KPI("郵送化率", 0.965, ">=", "pct:1", 0.963, 0.9644), "未達成"),
        (KPI("回収率", "prior", ">=", "pct:2", 0.8538, 0.8015), "未達成"),
        (KPI("一者応札", 0.20, "<=", "pct:1", 0.077, 0.067), "達成"),
        (KPI("一者応札", 0.20, "<=", "pct:1", None, 0.267), "未達成"),
        (KPI("未定", 0.20, "<=", "pct:1", None, None), "未確定"),
        (KPI("明示", 0.20, "<=", "pct:1", None, 0.5, achieved=True), "達成"),
        (KPI("明示", 0.20, ">=", "pct:1", None, 0.5, achieved=False), "未達成"),
        (KPI("前年なし", "prior", ">=", "int", None, 5), "未確定"),
    ],
)
def test_kpi_judgement(kpi: KPI, expected: str) -> None:
    assert judgement(kpi) == expected
    assert achieved(kpi) == {"達成": True, "未達成": False, "未確定": None}[expected]


def test_target_text() -> None:
    assert target_text(KPI("x", 0.965, ">=", "pct:1")) == "96.5％以上"
    assert target_text(KPI("x", "prior", "<=", "int:件")) == "対前年度以下"


def test_examples_judgements(gunma_path: Path) -> None:
    report = reportgen.load(gunma_path)
    results = [judgement(e.kpi) for *_, e in report.iter_entries() if e.kpi]
    assert results == ["達成", "未達成", "達成", "達成", "未達成"]
