"""The view model: small dataclasses of plain, already formatted strings that the
templates print.

The Jinja templates are presentation only; the builders (:mod:`.builder` and
the modules it calls) decide *what* is printed and fill these. The templates
escape every string (autoescape) and run it through the ``rich`` filter
(:mod:`reportgen.pdf.textfilters`) for line breaks and keep-together spans;
nothing here is markup (but the SVG of a chart, drawn by :mod:`.charts`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from markupsafe import Markup

from .columns import ColumnView
from .labels import label_height_pt
from .units import display_width

if TYPE_CHECKING:  # pragma: no cover
    from .measures import MeasurePagesView
    from .tracker import TrackerView

__all__ = [
    "Appendix", "BlockView", "Bullets", "CellView", "ChartView", "DocView", "ItemView", "KpiItem", "KpiRow",
    "KpiSection", "KpiSummaryView", "MarkSummaryView", "MiniCell", "MiniTable", "Para", "SectionView",
]

# ---------------------------------------------------------------------------
# Blocks: paragraphs, bullets, small tables
# ---------------------------------------------------------------------------


@dataclass
class Para:
    """A paragraph. ``prefix`` (①, （１）, KPI：) hangs in the left margin."""

    text: str
    prefix: str = ""
    cls: str = ""
    kind: Literal["para"] = "para"

    @property
    def indent_em(self) -> float:
        """Hanging indent that fits the prefix (full-width 1em, half-width 0.5em)."""
        return display_width(self.prefix)


@dataclass
class Bullets:
    items: list[str]
    bullet: str = "・"
    kind: Literal["bullets"] = "bullets"

    @property
    def indent_em(self) -> float:
        return max(display_width(self.bullet), 1.0)


@dataclass
class MiniCell:
    text: str
    cls: str = ""
    colspan: int = 1
    rowspan: int = 1


@dataclass
class MiniTable:
    """An embedded table (or a series grid) in a cell."""

    head: list[list[MiniCell]]
    body: list[list[MiniCell]]
    caption: str | None = None
    #: "" (7.5pt), "dense" (7pt) or "tiny" (6pt): the largest size that fits the column.
    size: str = ""
    kind: Literal["table"] = "table"
    #: Column widths (mm) shared with the tables stacked with it (share_column_widths).
    col_mm: list[float] = field(default_factory=list)

    @property
    def dense(self) -> bool:
        return self.size != ""


@dataclass
class ChartView:
    """An inline SVG chart (reportgen.layouts.charts) of a series that asks for one
    (``chart: line|bar``), drawn below its grid at its printed size."""

    svg: Markup
    width_mm: float
    height_mm: float
    kind: Literal["chart"] = "chart"


BlockView = Para | Bullets | MiniTable | ChartView


# ---------------------------------------------------------------------------
# Main table: sections, items, entry rows
# ---------------------------------------------------------------------------


@dataclass
class CellView:
    """One cell of an entry row."""

    cls: str
    blocks: list[BlockView] = field(default_factory=list)
    #: For the mark column: the symbol, the column's content width and the mark's size.
    mark: str | None = None
    width_mm: float = 0.0
    font_pt: float = 18.0
    #: Set on the first cell of an item's first row: the anchor 掲載ページ points to.
    anchor: str | None = None
    bookmark: str | None = None


@dataclass
class ItemView:
    anchor: str
    heading: str
    #: Text of each item column's title cell (the title row, ``title_row``); the
    #: second element is kept for compatibility and is always "".
    heads: list[tuple[str, str]]
    rows: list[list[CellView]]
    #: Banner printed before the item: the first item of a group.
    banner: str | None = None
    #: The title is printed as a row of its own (``heads``) above the entries;
    #: otherwise it is the first paragraph of the heading column's first cell.
    title_row: bool = False
    #: Short title of the band "(6)健康保険委員と連携…（続き）" at the top of every
    #: page the item continues on (removed from the item's first page, reportgen.pdf.engine).
    cont_title: str = ""
    #: Estimated shorter than a third of a page: never split (base.css table.item.keep).
    keep: bool = False
    #: Per entry row: estimated short (a third of a page for the first row, a fifth
    #: for the others), never split (tr.keep).
    row_keep: list[bool] = field(default_factory=list)
    #: The title row is short: kept whole and with the first entry.
    title_keep: bool = False


@dataclass
class SectionView:
    heading: str
    #: Characters of the vertical label; ASCII digit runs stay together ("10").
    label: list[str]
    items: list[ItemView]
    #: Inline CSS for the column lines painted behind the items (see base.css).
    stripes: str
    #: The label set in columns (vertical writing, the first column rightmost):
    #: the characters of each column, left to right as printed.
    label_cols: list[list[str]] = field(default_factory=list)
    #: Font size of the label (base.css .vlabel: 10pt unless it needs columns).
    label_pt: float = 10.0
    #: Most height the section row may ask for (:func:`label_cap_pt`).
    label_cap_pt: float = float("inf")

    @property
    def label_height_pt(self) -> float:
        """Height the vertical label needs (base.css .vlabel: line-height 1.12,
        1.5mm padding): the section row is at least that tall, so a short section
        shows its whole label. Never more than ``label_cap_pt``: a row that asks
        for more than a page holds sends WeasyPrint 70 into an endless run of
        pages when the items hold unbreakable blocks such as charts (issue 12.11)."""
        rows = max((len(c) for c in self.label_cols), default=len(self.label))
        return min(label_height_pt(rows, self.label_pt), self.label_cap_pt)


@dataclass
class KpiRow:
    text: str
    prior: str
    actual: str
    judgement: str


@dataclass
class KpiItem:
    title: str
    owner: str
    anchor: str | None
    rows: list[KpiRow]


@dataclass
class KpiSection:
    heading: str
    items: list[KpiItem]


@dataclass
class KpiSummaryView:
    title: str
    headers: list[str]
    sections: list[KpiSection]
    with_pages: bool
    kind: Literal["kpi-summary"] = "kpi-summary"


@dataclass
class MarkSummaryView:
    title: str
    legend: str
    headers: list[str]
    rows: list[tuple[str, list[int], int, str]]  # label, counts, total, css class
    kind: Literal["mark-summary"] = "mark-summary"


Appendix = KpiSummaryView | MarkSummaryView


@dataclass
class DocView:
    """Everything a template prints."""

    template: str
    layout: str
    #: "plan-status" or "quarterly": the drawing style of the main table.
    style: str
    paper: str
    font: str
    #: PDF metadata.
    meta_title: str
    author: str
    #: Cover: title lines (centred), date and organisation (right-aligned).
    title_lines: list[str]
    date: str | None
    org_line: str | None
    preface: list[tuple[str | None, list[BlockView]]]
    legend: str
    columns: list[ColumnView]
    has_label: bool
    sections: list[SectionView]
    appendices: list[Appendix]
    #: The main table is drawn (False for layout: kpi-summary alone).
    main_table: bool = True
    #: layout: measure-pages: one page per measure (reportgen.layouts.measures), instead of sections.
    measures: MeasurePagesView | None = None
    #: layout: tracker: the 進捗状況 sheet (reportgen.layouts.tracker), instead of sections.
    tracker: TrackerView | None = None
    #: Where the legend prints: "head" (above the header, every page), "foot"
    #: (once, under the table) or "none"; and the heading printed before it.
    legend_position: str = "head"
    legend_heading: str | None = None
    #: Printed at the top of every page (report.running_header).
    running_header: str | None = None
    #: "n / N", "n" or "none" (report.page_numbers).
    page_numbers: str = "n / N"
    #: report.subtitle (under the title), report.footer (every page) and the
    #: labels of the seal box report.approval (first page, top right).
    subtitle: str | None = None
    footer: str | None = None
    approval_labels: list[str] | None = None

    @property
    def item_columns(self) -> list[ColumnView]:
        return [c for c in self.columns if c.field != "section"]

    @property
    def html_class(self) -> str:
        return " ".join(["with-cont"] + (["mincho"] if self.font == "mincho" else []))

