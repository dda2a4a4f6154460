"""The builder of a document's view model: it resolves the columns for the paper,
builds the body the layout asks for (the 分野 table, the measure pages or the
進捗状況 sheet), then the appendices, cover and preface, and hands the
templates one :class:`~reportgen.layouts.views.DocView`.

The body is built before the appendices on purpose: the main table (or the
measure pages) records the anchors and entry numbers the KPI list's
掲載ページ and numbering refer to.
"""

from __future__ import annotations

from ..model.report import Report
from .appendices import kpi_summary_view, mark_summary_view
from .columns import PAPERS, default_columns, resolve_columns
from .content import ViewContext
from .frontmatter import cover_lines, legend_position, legend_text, preface_view
from .items import ItemBuilder
from .measures import build_measures
from .registry import layout_spec
from .sections import section_view
from .tracker import build_tracker
from .views import Appendix, DocView

__all__ = ["ViewBuilder"]


class ViewBuilder:
    """One document's view: the paper, the resolved columns, the items, and the
    anchors (id(item) → anchor) and entry numbers (id(entry) → printed number)
    given while the body is built."""

    def __init__(self, report: Report, paper: str, font: str) -> None:
        self.report = report
        self.paper = paper
        self.font = font
        self.spec = layout_spec(report.layout)
        self.style = self.spec.table_style
        self.ctx = ViewContext(report.months_reached, self.style == "quarterly")
        self.total_mm = PAPERS[paper]
        self.columns = resolve_columns(report.columns or default_columns(report.layout), self.total_mm)
        self.fields = [c.field for c in self.columns]
        self.items = ItemBuilder(report, paper, self.style, self.ctx, self.columns, self.total_mm)
        self.anchors: dict[int, str] = {}  # id(item) → anchor
        #: id(entry) → printed number: the items' own record, shared with the measure pages.
        self.prefixes: dict[int, str] = self.items.prefixes

    def build(self) -> DocView:
        r = self.report
        body = self.spec.body_for(r.columns is not None)
        measures = None
        tracker = None
        sections = []
        if body == "measures":
            measures = build_measures(self)  # sets the anchors 掲載ページ points at
        elif body == "tracker":
            tracker = build_tracker(r, self.paper, self.ctx)
        else:  # the 分野 table (the KPI list's 掲載ページ point into it when it prints)
            sections = [section_view(self.items, i, s, self.anchors) for i, s in enumerate(r.sections, 1)]
        main = self.spec.main_table
        appendices: list[Appendix] = []
        names = list(r.appendix)
        if not main:
            names = ["kpi-summary"] + [n for n in names if n != "kpi-summary"]
        for name in names:
            if name == "kpi-summary":
                appendices.append(kpi_summary_view(r, self.prefixes, self.anchors, with_pages=main))
            elif name == "mark-summary":
                appendices.append(mark_summary_view(r))
        title_lines, date, org_line = cover_lines(r, self.spec)
        return DocView(
            template=self.spec.template_for(r.columns is not None),
            layout=r.layout,
            style=self.style,
            paper=self.paper,
            font=self.font,
            meta_title=" ".join(title_lines),
            author=r.organization,
            title_lines=title_lines,
            date=date,
            org_line=org_line,
            preface=preface_view(r, self.ctx),
            legend=legend_text(r),
            columns=self.columns,
            has_label="section" in self.fields,
            sections=sections,
            appendices=appendices,
            main_table=main,
            measures=measures,
            tracker=tracker,
            legend_position=legend_position(r),
            legend_heading=r.legend.heading if r.legend is not None else None,
            running_header=r.running_header,
            page_numbers=r.page_numbers or "n / N",
            subtitle=r.subtitle,
            footer=r.footer,
            approval_labels=list(r.approval.labels) if r.approval is not None else None,
        )
