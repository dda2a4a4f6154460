"""View model of the measure-pages layout (seed 001, pages after the KPI list).

One page per measure (item): the heading "（1）サービス水準の向上", a KPI table
(2023（R5）年度 KPI · 実績 · 達成状況 · 2024（R6）年度 KPI, one row per KPI entry),
the measure's overview, then two columns side by side: "■2023（R5）年度の主な取組み"
(``item.actions``; the entries' status when absent) and "■2024（R6）年度の計画"
(``item.next_plan``; "―" when absent). Charts of KPI series stand beside the KPI
table; charts of series blocks stand below their grids in the columns.

Like :mod:`reportgen.layouts.builder` this only decides what is printed; the template
``templates/measure-pages.html`` places it. The anchors set here are the ids the
KPI list's 掲載ページ column points at (``target-counter``), so the page numbers
are computed by the layout engine, never typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from ..model.calendar import short_fy_label
from ..model.grids import entry_label
from ..model.kpi import judgement
from .columns import PAPERS
from .content import chart_view, content_view, format_cell
from .items import entry_prefix, number_text
from .units import PT_PER_MM, display_width
from .views import BlockView, ChartView, Para
from ..model.report import KPI, Item, Report
from ..model.wording import numbered, report_heading

if TYPE_CHECKING:  # pragma: no cover
    import weasyprint

    from .builder import ViewBuilder

__all__ = [
    "MeasureKpiRow", "MeasurePagesView", "MeasureView", "build_measures", "fy_heading", "next_kpi_text",
]

#: Text printed where a measure has no plan for next year or a KPI no next KPI.
NONE_MARK = "―"
#: Share of the page width taken by the KPI table when charts stand beside it.
KPI_TABLE_SHARE = 0.6
#: Horizontal padding (mm, both sides) and rule of the column cells (base.css .measure-cols td).
_CELL_PAD_MM = 2 * 2.0 + 0.3
#: Chart limits (width, height in mm) in the two columns and beside the KPI table.
COLUMN_CHART_MM = (95.0, 34.0)
KPI_CHART_MM = (100.0, 38.0)


@dataclass
class MeasureKpiRow:
    text: str
    actual: str
    judgement: str
    next: str


@dataclass
class MeasureView:
    """One measure's page."""

    anchor: str
    heading: str
    #: Outline entry (level 2).
    bookmark: str
    #: "１.基盤的保険者機能関係" on the first measure of a section, else None.
    section_heading: str | None
    kpi_rows: list[MeasureKpiRow]
    #: Charts of the KPI series, beside the KPI table.
    charts: list[ChartView]
    overview: list[BlockView]
    actions: list[BlockView]
    #: Empty: the column prints "―".
    next_plan: list[BlockView] = field(default_factory=list)
    #: Where the heading repeated on a continuation page carries "（続き）": "inline" or "float".
    cont: str = "inline"


@dataclass
class MeasurePagesView:
    #: Report heading printed on the first measure page: "2023年度（令和5年度）事業報告について（大分支部）".
    title: str
    kpi_headers: list[str]
    this_label: str
    next_label: str
    measures: list[MeasureView]
    none_mark: str = NONE_MARK


def fy_heading(fy: int) -> str:
    """"2023（R5）" for fiscal year 2023, as in the seed's headers."""
    try:
        return f"{fy}（{short_fy_label(fy)}）"
    except ValueError:
        return str(fy)


def next_kpi_text(kpi: KPI) -> str:
    """次年度 KPI as printed: the text as written, else the target ("68.9％以上",
    "対前年度以上"), else "―"."""
    following = kpi.next
    if following is None:
        return NONE_MARK
    if following.text:
        return following.text
    suffix = "以上" if kpi.direction == ">=" else "以下"
    if following.target == "prior":
        return "対前年度" + suffix
    if following.target is None:
        return NONE_MARK
    return format_cell(following.target, kpi.format)[0] + suffix


#: Font size of the measure heading (base.css .measure-title) and the room "（続き）" needs.
TITLE_PT = 12.0
_CONT_EM = 5.5


def cont_placement(heading: str, width_mm: float) -> str:
    """"inline" when "（続き）" surely fits on the heading's last line, else "float"."""
    per_line = width_mm * PT_PER_MM / TITLE_PT
    used = display_width(heading)
    last = used - per_line * int(used // per_line) if used > per_line else used
    return "inline" if per_line - last >= _CONT_EM else "float"


def _kpi_rows(builder: ViewBuilder, item: Item) -> list[MeasureKpiRow]:
    kpi_entries = [e for e in item.entries if e.kpi is not None]
    rows = []
    for k, e in enumerate(kpi_entries):
        kpi = e.kpi
        assert kpi is not None
        prefix = ""
        if len(kpi_entries) > 1:
            prefix = builder.prefixes.get(id(e)) or entry_label(None, k)
        rows.append(MeasureKpiRow(numbered(prefix, kpi.text), format_cell(kpi.actual, kpi.format)[0] or NONE_MARK,
                                  judgement(kpi), next_kpi_text(kpi)))
    return rows


def build_measures(builder: ViewBuilder) -> MeasurePagesView:
    """The measure pages of ``builder.report``; records each measure's anchor in
    ``builder.anchors`` (and entry numbers in ``builder.prefixes``) for the KPI list."""
    report: Report = builder.report
    fy = report.fiscal_year
    total_mm = PAPERS[builder.paper]
    column_mm = total_mm / 2 - _CELL_PAD_MM
    column_ctx = replace(builder.ctx, chart_mm=COLUMN_CHART_MM, caption_above=False)
    kpi_ctx = replace(builder.ctx, chart_mm=KPI_CHART_MM, caption_above=False)
    chart_mm = total_mm * (1 - KPI_TABLE_SHARE) - 2.0
    measures = []
    for s_index, section in enumerate(report.sections, 1):
        number = "" if section.number is None else str(section.number)
        section_heading: str | None = f"{number}.{section.title}" if number else section.title
        for i_index, (_group, item) in enumerate(section.iter_items(), 1):
            anchor = f"measure-{s_index}-{i_index}"
            builder.anchors[id(item)] = anchor
            for i, e in enumerate(item.entries):
                builder.prefixes[id(e)] = entry_prefix(item, i, e)
            charts = []
            for e in item.entries:
                if e.kpi is not None and e.kpi.series is not None:
                    chart = chart_view(e.kpi.series, kpi_ctx, chart_mm, e.kpi)
                    if chart is not None:
                        charts.append(chart)
            if item.actions is not None:
                actions = content_view(item.actions, column_ctx, avail_mm=column_mm)
            else:  # the entries' status, numbered ① ② … like the plan entries
                actions = []
                for e in item.entries:
                    actions += content_view(e.status, column_ctx, builder.prefixes.get(id(e), ""), column_mm)
            next_plan = content_view(item.next_plan, column_ctx, avail_mm=column_mm)
            overview = content_view(item.overview, column_ctx, avail_mm=total_mm - _CELL_PAD_MM)
            heading = builder.items.item_heading(item)
            measures.append(MeasureView(
                anchor=anchor,
                heading=heading,
                bookmark=number_text(item.number) + item.title,
                section_heading=section_heading,
                kpi_rows=_kpi_rows(builder, item),
                charts=charts,
                overview=overview,
                actions=actions or [Para(NONE_MARK, "", "none")],
                next_plan=next_plan,
                cont=cont_placement(heading, total_mm),
            ))
            section_heading = None
    headers = [f"{fy_heading(fy)}年度 KPI", "実績", "達成状況", f"{fy_heading(fy + 1)}年度 KPI"]
    return MeasurePagesView(
        title=report_heading(report),
        kpi_headers=headers,
        this_label=f"■{fy_heading(fy)}年度の主な取組み",
        next_label=f"■{fy_heading(fy + 1)}年度の計画",
        measures=measures,
    )
