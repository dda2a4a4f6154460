"""The tracker as PDF (issue 12, point 7): the 進捗状況 columns of seed 004.

Fixtures are built here, in shapes the bundled example does not have: two
areas, three groups, a numbered group title, a long item split over pages,
grids with and without totals, ranks, KPI entries with and without 【KPI】 in
the plan, marks of every symbol of the gunma scale.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

import reportgen
from reportgen.layouts.view import build_view


def _months(base: float, step: float = 0.001) -> list[float]:
    return [round(base + k * step, 4) for k in range(12)]


def tracker_data(items: int = 3, long_status: int = 0) -> dict:
    def entry(k: int, *, kpi: bool, mark: str) -> dict:
        e: dict = {
            "plan": f"({k})申請受付から支給までの標準期間を遵守する。その{k}",
            "status": [
                {"series": {"caption": "郵送化率", "format": "pct:1", "total": "mean",
                            "rows": [{"label": "令和4年度", "values": _months(0.955)},
                                     {"label": "令和5年度", "values": _months(0.946)}]}},
                {"series": {"caption": "累計", "cumulative": True, "format": "int:件", "total": "none",
                            "rows": [{"label": "令和5年度", "values": [100 * (m + 1) for m in range(12)]}]}},
                {"text": "・月に一度改善状況を確認する。" + "進捗を確認し、改善点を共有した。" * long_status},
            ],
            "mark": mark,
        }
        if kpi:
            e["kpi"] = {"text": f"郵送化率を97.{k}%以上とする。", "target": 0.97, "format": "pct:1",
                        "actual": 0.95, "national": {"rank": 40 + k, "rank_prev": 41 + k}}
        return e

    marks = ["◎", "○", "△", "×", "□"]
    groups = []
    for g in range(3):
        groups.append({
            "title": "（Ⅲ）ICT化の推進" if g == 2 else f"業務改革の推進{g}",
            "owner": f"グループ{g}",
            "items": [{
                "number": 10 * g + i + 1,
                "title": f"施策の名前{g}-{i}",
                "tags": ["重要度:高"],
                "labels": ["インセンティブ関連"] if i == 0 else [],
                "entries": [entry(1, kpi=True, mark=marks[(g + i) % 5]),
                            entry(2, kpi=False, mark=marks[(g + i + 1) % 5])],
            } for i in range(items)],
        })
    return {
        "format": 1,
        "report": {"title": "令和5年度 試験支部事業計画", "organization": "試験支部", "fiscal_year": 2023,
                   "layout": "tracker", "marks": "gunma",
                   "preface": [{"heading": "基本方針", "bullets": ["能動的な業務体制への変革"]}]},
        "sections": [
            {"number": "1", "title": "基盤的保険者機能関係", "groups": groups[:2]},
            {"number": "2", "title": "戦略的保険者機能関係", "groups": groups[2:]},
        ],
    }


def pages_text(path: Path) -> list[str]:
    return [re.sub(r"\s+", "", p.extract_text() or "") for p in PdfReader(str(path)).pages]


@pytest.fixture(scope="module")
def tracker_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[reportgen.Report, Path]:
    report = reportgen.Report.from_dict(tracker_data())
    out = tmp_path_factory.mktemp("tracker") / "t.pdf"
    reportgen.render_pdf(report, out)
    return report, out


def test_tracker_pdf_prints_the_tracker_columns(tracker_pdf) -> None:
    _report, path = tracker_pdf
    pages = pages_text(path)
    for header in ("項番", "事業", "実施（手段スケジュール）概要", "進捗状況（計画を下回る場合は、今後改善すべき点等）",
                   "実施状況", "全国順位"):
        assert all(header in p for p in pages if "郵送化率" in p), f"{header} missing on a page of the table"
    flat = "".join(pages)
    assert "計画内容" not in flat                                   # not the plan-status columns
    assert "【基本方針】・能動的な業務体制への変革" in pages[0]           # the preface, as the workbook prints it
    assert "〇業務改革の推進0（グループ0）" in flat                    # group banners
    assert "（Ⅲ）ICT化の推進（グループ2）" in flat and "〇（Ⅲ）" not in flat
    assert "施策の名前0-0【重要度:高】インセンティブ関連" in flat           # 事業 cell
    assert "【KPI】郵送化率を97.1%以上とする。" in flat                  # KPI line in 実施概要
    assert "41位(前月42位)" in flat                                     # 全国順位 (kpi.rank_text)
    # the monthly grid: 4月…3月 and the mean as total, prior and this year
    assert "郵送化率4月5月6月7月8月9月10月11月12月1月2月3月平均" in flat
    assert "令和4年度95.5％95.6％" in flat and "累計4月" in flat


def test_tracker_pdf_ends_with_the_mark_summary(tracker_pdf) -> None:
    report, path = tracker_pdf
    last = pages_text(path)[-1]
    from reportgen.model.marks import count_marks

    counts = count_marks(report)
    assert "全体" in last and "（再掲）KPI" in last
    for symbol, label in (("◎", "目標を上回る"), ("○", "目標達成(計画通り)"), ("△", "目標未達成"),
                          ("×", "未実施"), ("□", "未実施(これから実施)")):
        assert f"{symbol}：{label}" in last
        # the count printed before the legend line is the count of that mark
        assert f"{symbol}{counts.whole.counts.get(symbol, 0)}{symbol}：" in last
    assert f"合計{counts.whole.total}" in last and f"合計{counts.kpi.total}" in last


def test_tracker_pdf_area_label_and_grids_share_columns() -> None:
    report = reportgen.Report.from_dict(tracker_data())
    view = build_view(report)
    assert view.template == "tracker.html" and view.tracker is not None
    sections = view.tracker.sections
    assert sections[0].label[:4] == ["1", "基", "盤", "的"]
    grids = [b for s in sections for it in s.items for e in it.entries for b in e.progress if b.kind == "grid"]
    # 4月 is as wide in a grid without a total as in one with: the months line up
    assert {round(g.value_pct, 6) for g in grids} == {round((100 - 13) / 13, 6)}
    assert max(g.width_pct for g in grids) <= 100.0 + 1e-9


def test_long_tracker_runs_over_pages_with_header_and_label_repeated(tmp_path: Path) -> None:
    report = reportgen.Report.from_dict(tracker_data(items=4, long_status=12))
    out = tmp_path / "long.pdf"
    reportgen.render_pdf(report, out)
    pages = pages_text(out)
    assert len(pages) >= 3
    for p in pages[:-1]:
        assert "全国順位" in p
    # every page with rows of area 1 starts them under its label
    assert sum("基盤的保険者機能関係" in p for p in pages) >= 2


def test_tracker_with_its_own_columns_prints_those_columns(tmp_path: Path) -> None:
    data = tracker_data(items=1)
    data["report"]["columns"] = [{"field": "section", "label": "分野"}, {"field": "plan", "label": "取組内容"},
                                 {"field": "status", "label": "進捗"}, {"field": "mark", "label": "評価"}]
    out = tmp_path / "cols.pdf"
    reportgen.render_pdf(reportgen.Report.from_dict(data), out)
    first = pages_text(out)[0]
    assert "取組内容" in first and "評価" in first and "全国順位" not in first


def test_tracker_with_jobs_renders_once(tmp_path: Path) -> None:
    # 60 entries over two areas: a plan-status report this size would be cut into parts
    data = tracker_data(items=10)
    report = reportgen.Report.from_dict(data)
    assert sum(1 for _ in report.iter_entries()) >= 60
    one, two = tmp_path / "one.pdf", tmp_path / "two.pdf"
    reportgen.render_pdf(report, one)
    reportgen.render_pdf(report, two, jobs=2)
    assert pages_text(one) == pages_text(two)
    assert pages_text(two)[-1].count("（再掲）KPI") == 1


def _words(path: Path, page: int = 1) -> list[tuple[str, float, float]]:
    """(text, x, y) of every word pdftotext finds on ``page`` (vertical text: one word per character)."""
    import subprocess

    out = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(path), "-"],
                         capture_output=True, text=True, check=True).stdout
    return [(m.group(3), float(m.group(1)), float(m.group(2)))
            for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', out)]


def test_tracker_pdf_area_label_is_set_vertically(tracker_pdf) -> None:
    """The 分野 label stands in its own column, one character under the other (seed 004),
    never as a horizontal line across the banner (a shared .vlabel rule once laid it flat)."""
    _report, path = tracker_pdf
    words = _words(path)
    assert not any("基盤的" in w for w, _x, _y in words)
    chars = [next((x, y) for w, x, y in words if w == ch) for ch in "基盤的保険者"]
    assert all(abs(x - chars[0][0]) < 1.0 for x, _y in chars)             # one column
    assert all(b[1] > a[1] for a, b in zip(chars, chars[1:]))              # top to bottom


def test_quarterly_headers_and_long_labels_stay_inside_their_cells(tmp_path: Path) -> None:
    """A quarter spans three months' width as in the workbook; before, 第1四半期 had a month's
    width and printed over 第2四半期, and 全国平均 ran past the grid's edge."""
    import subprocess

    data = tracker_data(items=1)
    entry = data["sections"][0]["groups"][0]["items"][0]["entries"][0]
    entry["status"] = [
        {"series": {"caption": "四半期", "kind": "quarterly", "format": "int",
                    "rows": [{"label": "上期", "values": [1, 2, 3, 4]}]}},
        {"series": {"caption": "件数", "format": "int", "extra": {"label": "全国平均", "values": [11]},
                    "rows": [{"label": "令和6年度", "values": list(range(100, 112))}]}}]
    report = reportgen.Report.from_dict(data)
    view = build_view(report)
    grids = [b for s in view.tracker.sections for it in s.items for e in it.entries for b in e.progress
             if b.kind == "grid"]
    quarterly = next(g for g in grids if g.quarterly)
    from reportgen.layouts.tracker import GRID_VALUE_PCT

    assert quarterly.col_pcts[:4] == pytest.approx([3 * GRID_VALUE_PCT] * 4)     # a quarter: three months
    assert max(g.width_pct for g in grids) <= 100.0 + 1e-9
    monthly = next(g for g in grids if not g.quarterly)
    head = [str(c.text) for c in monthly.table.head[0]]
    assert [head[i] for i in sorted(monthly.long_heads)] == ["全国平均"]     # set smaller, on one line
    assert quarterly.long_heads == frozenset()
    path = tmp_path / "q.pdf"
    reportgen.render_pdf(report, path)
    out = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-bbox", str(path), "-"],
                         capture_output=True, text=True, check=True).stdout
    words = [(m.group(5), float(m.group(1)), float(m.group(2)), float(m.group(3)))
             for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
                                  out)]
    quarters = [w for w in words if re.fullmatch(r"第[1-4]四半期", w[0])]
    assert [w[0] for w in quarters] == ["第1四半期", "第2四半期", "第3四半期", "第4四半期"]
    assert all(a[3] <= b[1] for a, b in zip(quarters, quarters[1:]))       # none over the next
    assert not any(re.search(r"四半期第", w[0]) for w in words)
    assert "全国平均" in [w[0] for w in words]
