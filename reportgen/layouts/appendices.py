"""The appendices printed after the main table: the KPI list (ＫＰＩ達成状況について
（一覧）) and the summary of marks (実施状況の集計).

The KPI list numbers an item's KPIs as the main table numbers its entries, and
its 掲載ページ column points at the anchors the main table (or the measure
pages) recorded, so the page numbers are computed by the layout engine.
"""

from __future__ import annotations

from ..model.calendar import fiscal_year_label, short_fy_label
from ..model.grids import entry_label
from ..model.kpi import judgement
from ..model.marks import count_marks
from ..model.report import Report
from ..model.wording import numbered
from .content import format_cell
from .items import number_text
from .views import KpiItem, KpiRow, KpiSection, KpiSummaryView, MarkSummaryView

__all__ = ["kpi_summary_title", "kpi_summary_view", "mark_summary_view"]


def kpi_summary_view(report: Report, prefixes: dict[int, str], anchors: dict[int, str],
                     with_pages: bool) -> KpiSummaryView:
    """The KPI list; ``prefixes`` (id(entry) → printed number) and ``anchors``
    (id(item) → anchor) are those the main table or the measure pages gave."""
    r = report
    fy = r.fiscal_year
    this = f"{fy}（{short_fy_label(fy)}）"
    prev = f"{fy - 1}（{short_fy_label(fy - 1)}）" if fy - 1 >= 1873 else f"{fy - 1}"
    headers = ["施策", f"{this}年度 KPI", f"【参考】\n{prev}\n年度実績", f"{this}\n年度実績",
               "達成状況", "担当\nグループ"]
    if with_pages:
        headers.append("掲載\nページ")
    sections = []
    for s in r.sections:
        items = []
        for group, item in s.iter_items():
            kpi_entries = [(i, e) for i, e in enumerate(item.entries) if e.kpi is not None]
            if not kpi_entries:
                continue
            rows = []
            for k, (_i, e) in enumerate(kpi_entries):
                assert e.kpi is not None
                prefix = ""
                if len(kpi_entries) > 1:
                    prefix = prefixes.get(id(e)) or entry_label(None, k)
                rows.append(KpiRow(numbered(prefix, e.kpi.text), format_cell(e.kpi.prior, e.kpi.format)[0],
                                   format_cell(e.kpi.actual, e.kpi.format)[0], judgement(e.kpi)))
            title = number_text(item.number) + item.title
            owner = item.owner or (group.owner if group is not None else None) or ""  # the group's 担当
            items.append(KpiItem(title, owner, anchors.get(id(item)) if with_pages else None, rows))
        if items:
            number = "" if s.number is None else str(s.number)
            sections.append(KpiSection(f"{number}.{s.title}" if number else s.title, items))
    return KpiSummaryView(kpi_summary_title(r), headers, sections, with_pages)


def mark_summary_view(report: Report) -> MarkSummaryView:
    """The count of each mark by section, in the whole and over the KPIs."""
    summary = count_marks(report)
    scale = summary.scale
    symbols = [s.symbol for s in scale.symbols]
    parts = [*summary.sections, summary.whole, summary.kpi]
    if scale.not_assessed and any(p.counts.get(scale.not_assessed) for p in parts):
        symbols.append(scale.not_assessed)
    show_unmarked = any(p.unmarked for p in parts)
    headers = ["区分", *symbols] + (["未記入"] if show_unmarked else []) + ["計"]
    rows = []
    for k, p in enumerate(parts):
        counts = [p.counts.get(sym, 0) for sym in symbols] + ([p.unmarked] if show_unmarked else [])
        cls = "section" if k < len(summary.sections) else ("whole" if p is summary.whole else "kpi")
        rows.append((p.label, counts, p.total, cls))
    return MarkSummaryView("実施状況の集計", scale.legend(), headers, rows)


def kpi_summary_title(report: Report) -> str:
    """"2023年度（令和5年度）ＫＰＩ達成状況について（一覧）"."""
    return f"{report.fiscal_year}年度（{fiscal_year_label(report.fiscal_year)}）ＫＰＩ達成状況について（一覧）"

