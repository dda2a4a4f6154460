"""View model of the ``tracker`` PDF layout: the 進捗状況 sheet of seed 004 on paper.

The tracker is kept as a workbook (:mod:`reportgen.xlsx.writer`); offices also file it
as a PDF. This prints the same columns as the workbook does through
LibreOffice — vertical area label | 項番 | 事業 | 実施（手段スケジュール）概要 |
進捗状況 (monthly grids 4月…3月 + 計/累計/平均) | 実施状況 | 全国順位 — with
the 〇 group banners and, at the end, the mark counts (全体 and （再掲）KPI)
with the scale's legend. Column widths follow the workbook's (xlsx.WIDTHS),
so the two prints look alike.

Everything is formatted here (grids through :func:`reportgen.model.grids.series_grid`
and :func:`reportgen.layouts.content.grid_view`, 全国順位 through
:func:`reportgen.model.kpi.rank_text`); templates/tracker.html only places it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ..model.grids import series_grid
from ..model.kpi import rank_text
from .columns import PAPERS
from .content import chart_view, content_view, grid_view
from .labels import label_cap_pt, vertical_label
from .units import PT_PER_MM, RULE_PT
from .views import BlockView, MiniTable, Para
from ..model.marks import count_marks
from ..model.report import Entry, Group, Item, Report, Section, SeriesBlock, blocks_of
from ..model.wording import banner_text, heading_text

__all__ = [
    "TRACKER_COLUMNS",
    "TrackerEntry",
    "TrackerGrid",
    "TrackerItem",
    "TrackerSection",
    "TrackerSummary",
    "TrackerView",
    "build_tracker",
    "item_text",
]

#: (class, header label, width in workbook units) — the printed columns of the
#: workbook (xlsx.WIDTHS: area 4.5, 項番 7, 事業 18, 概要 42, 進捗状況 12 + 12 × 7.5
#: + 2 × 8.5, 実施状況 9, 全国順位 14). The area column has no header of its
#: own: 項番 spans it, as in the workbook.
TRACKER_COLUMNS: tuple[tuple[str, str, float], ...] = (
    ("t-area", "", 4.5),
    ("t-number", "項番", 7.0),
    ("t-title", "事業", 18.0),
    ("t-plan", "実施（手段スケジュール）概要", 42.0),
    ("t-progress", "進捗状況（計画を下回る場合は、今後改善すべき点等）", 12.0 + 12 * 7.5 + 2 * 8.5),
    ("t-mark", "実施状況", 9.0),
    ("t-rank", "全国順位", 14.0),
)
#: Grid columns in % of the 進捗状況 column: the row labels, and each month
#: (corner + 12 months + 計 fill the column, as the workbook's 14 columns do).
GRID_LABEL_PCT = 13.0
GRID_VALUE_PCT = (100.0 - GRID_LABEL_PCT) / 13
#: Left + right padding and rule of a body cell (tracker.css: 1mm each side).
_CELL_PAD_MM = 2.2


@dataclass
class TrackerGrid:
    """A series grid spread over the whole 進捗状況 column, as the workbook's 13–14 columns."""

    table: MiniTable
    kind: Literal["grid"] = "grid"
    #: A quarterly series: each quarter spans three months' width, as in the workbook
    #: (a quarter in a month's width printed 第1四半期 over its neighbours).
    quarterly: bool = False

    @property
    def columns(self) -> int:
        return max((sum(c.colspan for c in row) for row in [*self.table.head, *self.table.body]), default=1)

    @property
    def value_pct(self) -> float:
        """Width of a month column in % of the 進捗状況 column: the same in every
        grid (4月 under 4月), a 13th for corner + 12 months + total."""
        return min(GRID_VALUE_PCT, (100.0 - GRID_LABEL_PCT) / max(self.columns - 1, 1))

    @property
    def label_pct(self) -> float:
        return GRID_LABEL_PCT

    @property
    def col_pcts(self) -> list[float]:
        """Width of each value column in % of the 進捗状況 column: a month's (value_pct), or
        for the four quarters of a quarterly series three months' (scaled down when the
        columns after them would not fit)."""
        count = self.columns - 1
        if not self.quarterly or count < 4:
            return [self.value_pct] * count
        widths = [3 * GRID_VALUE_PCT] * 4 + [GRID_VALUE_PCT] * (count - 4)
        room = 100.0 - GRID_LABEL_PCT
        scale = min(1.0, room / sum(widths))
        return [w * scale for w in widths]

    @property
    def width_pct(self) -> float:
        return GRID_LABEL_PCT + sum(self.col_pcts)

    @property
    def long_heads(self) -> frozenset[int]:
        """Header cells (by position) of a month's width holding more than three characters
        (全国平均): printed smaller so they stay inside their cell (tracker.css th.long)."""
        if self.quarterly or not self.table.head:
            return frozenset()
        row = self.table.head[0]
        return frozenset(i for i, c in enumerate(row) if i and c.colspan == 1 and len(str(c.text)) > 3)


@dataclass
class TrackerEntry:
    plan: list[BlockView]
    progress: list[BlockView | TrackerGrid]
    mark: str
    rank: str


@dataclass
class TrackerItem:
    number: str
    title: list[str]
    entries: list[TrackerEntry]
    #: The group banner printed before this item (its group's first item).
    banner: str | None = None
    kind: Literal["item"] = "item"


@dataclass
class TrackerSection:
    heading: str
    label: list[str]
    items: list[TrackerItem]
    #: Height of the section row: the vertical label (tracker.css .t-vlabel, 11pt,
    #: line-height 1.1), never more than a page holds (layout.label_cap_pt).
    label_height_pt: float = 0.0


@dataclass
class TrackerSummary:
    """Mark counts: one block per part (全体, （再掲）KPI), one row per symbol."""

    #: (part label, [(symbol, count, legend text)], total)
    parts: list[tuple[str, list[tuple[str, int, str]], int]]


@dataclass
class TrackerView:
    #: (class, header label, width in % of the table)
    columns: list[tuple[str, str, float]]
    sections: list[TrackerSection]
    summary: TrackerSummary
    column_mm: dict[str, float] = field(default_factory=dict)
    #: Inline CSS painting the item columns' rules behind the items (tracker.css
    #: td.t-body): where an area's label is taller than its items, the band left
    #: under them shows the columns carried on, as the workbook's grown rows do.
    stripes: str = ""


def item_text(item: Item, group: Group | None) -> list[str]:
    """Lines of the 事業 cell: title, 【tags】, labels, and the owner when no banner names it."""
    lines = [item.title]
    if item.tags:
        lines.append("".join(f"【{t}】" for t in item.tags))
    lines.extend(item.labels)
    if item.owner and (group is None or group.owner != item.owner):
        lines.append(f"（{item.owner}）")
    return lines


def _plan(entry: Entry, ctx: Any, width_mm: float) -> list[BlockView]:
    """実施概要: the plan as written, then 【KPI】 and the KPI text unless the plan says it."""
    prefix = "" if entry.number is None else str(entry.number)
    blocks = content_view(entry.plan, ctx, prefix, width_mm)
    plan = entry.plan if isinstance(entry.plan, str) else ""
    if entry.kpi is not None and not plan.lstrip().startswith(("【KPI】", "KPI：", "KPI:")):
        blocks.append(Para(entry.kpi.text, "【KPI】", "kpi"))
    return blocks


def _grids(series: Any, ctx: Any, width_mm: float) -> list[BlockView | TrackerGrid]:
    grid = series_grid(series, ctx.reached, truncate=ctx.truncate)
    return [TrackerGrid(t, quarterly=series.kind == "quarterly") for t in grid_view(grid, width_mm)]


def _progress(entry: Entry, ctx: Any, width_mm: float) -> list[BlockView | TrackerGrid]:
    """進捗状況: text, bullets and tables as in plan-status; series as full-width grids."""
    out: list[BlockView | TrackerGrid] = []
    for block in blocks_of(entry.status):
        if isinstance(block, SeriesBlock):
            if block.heading:
                out.append(Para(block.heading, "", "block-heading"))
            out.extend(_grids(block.series, ctx, width_mm))
            chart = chart_view(block.series, ctx, width_mm)
            if chart is not None:
                out.append(chart)
        else:
            out.extend(content_view([block], ctx, "", width_mm))
    kpi = entry.kpi
    if kpi is not None and kpi.series is not None:
        out.extend(_grids(kpi.series, ctx, width_mm))
        chart = chart_view(kpi.series, ctx, width_mm, kpi)
        if chart is not None:
            out.append(chart)
    return out


def _section(section: Section, ctx: Any, widths: dict[str, float], cap_pt: float) -> TrackerSection:
    items: list[TrackerItem] = []
    seen: set[int] = set()
    for group, item in section.iter_items():
        banner = None
        if group is not None and id(group) not in seen:
            seen.add(id(group))
            banner = banner_text(group.title, group.owner)
        entries = [
            TrackerEntry(_plan(e, ctx, widths["t-plan"]), _progress(e, ctx, widths["t-progress"]),
                         e.mark or "", rank_text(e.kpi))
            for e in item.entries
        ] or [TrackerEntry([], [], "", "")]
        number = "" if item.number is None else str(item.number)
        items.append(TrackerItem(number, item_text(item, group), entries, banner))
    label = vertical_label(heading_text(section.number, section.title))
    height = min(len(label) * 11.0 * 1.1 + 8.0, cap_pt)
    return TrackerSection(heading_text(section.number, section.title), label, items, height)


def _summary(report: Report) -> TrackerSummary:
    """全体 and （再掲）KPI counts for every symbol of the scale (xlsx: the COUNTIF block)."""
    counts = count_marks(report)
    scale = report.marks
    symbols = [(s.symbol, s.label) for s in scale.symbols]
    if scale.not_assessed and any(c.counts.get(scale.not_assessed) for c in (counts.whole, counts.kpi)):
        symbols.append((scale.not_assessed, "評価なし"))
    parts = []
    for part in (counts.whole, counts.kpi):
        rows = [(sym, part.counts.get(sym, 0), f"{sym}：{label}") for sym, label in symbols]
        parts.append((part.label, rows, sum(n for _s, n, _l in rows)))
    return TrackerSummary(parts)


def build_tracker(report: Report, paper: str, ctx: Any) -> TrackerView:
    """The tracker PDF's view of ``report`` on ``paper``; ``ctx`` is the layout
    builder's block context (months reached, chart size)."""
    total_units = sum(w for _c, _l, w in TRACKER_COLUMNS)
    page_mm = PAPERS[paper]
    widths = {c: page_mm * w / total_units - _CELL_PAD_MM for c, _l, w in TRACKER_COLUMNS}
    columns = [(c, label, 100.0 * w / total_units) for c, label, w in TRACKER_COLUMNS]
    sections = [_section(s, ctx, widths, label_cap_pt(paper)) for s in report.sections]
    return TrackerView(columns, sections, _summary(report), widths, column_stripes(columns, page_mm))


def column_stripes(columns: list[tuple[str, str, float]], page_mm: float) -> str:
    """background-* declarations drawing the right rule of every item column (0.6pt)
    in the area's body cell, positioned in pt from its left edge."""
    area = columns[0][2]
    body_pt = page_mm * (100.0 - area) / 100.0 * PT_PER_MM
    positions = []
    cum = 0.0
    for _cls, _label, pct in columns[1:]:
        cum += pct / (100.0 - area)
        positions.append(f"{body_pt * cum - RULE_PT:.2f}pt 0")
    image = "linear-gradient(to right, #000 0.6pt, transparent 0.6pt)"
    return (f"background-image: {', '.join([image] * len(positions))}; "
            f"background-position: {', '.join(positions)};")
