"""Every printed layout as one registered spec: adding a layout is one entry here,
one template and its CSS.

Before the registry, a layout was a name tested in eight places (validation,
default columns, table style, template, cover, legend, split rule, post-layout
steps, the workbook's numbering).  Each of those now asks the layout's
:class:`LayoutSpec`; the validator accepts exactly the registered names and
suggests the closest one for a typo (``quartely`` → ``quarterly``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..model.report import Column

__all__ = ["DEFAULT_LAYOUT", "LAYOUTS", "LayoutSpec", "layout_names", "layout_spec"]

_PLAN_STATUS_COLUMNS = (
    Column("section", "分野", "4%"),
    Column("plan", "計画内容", "38%"),
    Column("status", "実施状況", "50%"),
    Column("mark", "", "8%"),
)
_QUARTERLY_COLUMNS = (
    Column("section", "項目", "4%"),
    Column("plan", "実施内容等", "38%"),
    Column("status", "実施状況", "50%"),
    Column("mark", "", "8%"),
)
#: What every laid-out document gets after layout (reportgen.pdf.boxes), in this order.
_COMMON_STEPS = ("prune_continuation_marks", "trim_vertical_labels", "center_marks")


@dataclass(frozen=True)
class LayoutSpec:
    """What a layout is made of, from the view model to the workbook.

    ``body``: what the document's body is built from — the 分野 table
    ("sections"), one page per measure ("measures", seed 001), the 進捗状況
    sheet on paper ("tracker", seed 004; with ``report.columns`` given it prints
    as a 分野 table), or nothing but the KPI list ("kpi-list").
    ``table_style``: how the 分野 table is drawn (plan-status: title band,
    status column numbered; quarterly: 項目 label "1・title", no title band).
    ``cover``: the title block ("heading": title（organization）, "quarterly":
    title and period on their own lines, "kpi-summary": the list's title).
    ``legend``: where the mark legend prints when ``report.legend`` is not given.
    ``parts``: None when the document may be rendered in parts (one per 分野:
    reportgen.pdf.parallel, reportgen.pdf.partcache), else why not.
    ``post_layout``: the steps of reportgen.pdf.boxes run on the laid-out boxes.
    ``numbered_entries``: the workbook numbers the entries of an item ①②… in
    its 実施概要 column (the tracker keeps the office's own numbering).
    """

    name: str
    template: str
    body: Literal["sections", "measures", "tracker", "kpi-list"]
    table_style: Literal["plan-status", "quarterly"] = "plan-status"
    default_columns: tuple[Column, ...] = _PLAN_STATUS_COLUMNS
    cover: Literal["heading", "quarterly", "kpi-summary"] = "heading"
    legend: Literal["head", "none"] = "head"
    parts: str | None = None
    post_layout: tuple[str, ...] = _COMMON_STEPS
    numbered_entries: bool = True

    @property
    def main_table(self) -> bool:
        """Whether the document has a main body before its appendices."""
        return self.body != "kpi-list"

    def body_for(self, has_columns: bool) -> str:
        """The body actually built: a tracker given its own ``report.columns`` prints as a 分野 table."""
        return "sections" if self.body == "tracker" and has_columns else self.body

    def template_for(self, has_columns: bool) -> str:
        return LAYOUTS[DEFAULT_LAYOUT].template if self.body_for(has_columns) != self.body else self.template


DEFAULT_LAYOUT = "plan-status"

LAYOUTS: dict[str, LayoutSpec] = {spec.name: spec for spec in (
    LayoutSpec("plan-status", "plan-status.html", "sections"),
    LayoutSpec("quarterly", "quarterly.html", "sections", table_style="quarterly",
               default_columns=_QUARTERLY_COLUMNS, cover="quarterly", legend="none",
               parts="sections of this layout flow on the same page (no split point)"),
    LayoutSpec("kpi-summary", "kpi-summary.html", "kpi-list", cover="kpi-summary",
               parts="layout kpi-summary has no 分野 table"),
    LayoutSpec("measure-pages", "measure-pages.html", "measures",
               parts="layout measure-pages has no 分野 table",
               post_layout=(*_COMMON_STEPS, "stretch_columns")),
    LayoutSpec("tracker", "tracker.html", "tracker", legend="none", numbered_entries=False),
)}


def layout_names() -> tuple[str, ...]:
    """The names ``report.layout`` accepts, in the order the documentation lists them."""
    return tuple(LAYOUTS)


def layout_spec(name: str) -> LayoutSpec:
    """The spec of layout ``name``; a name the validator never let through (a Report
    built in Python and not validated) prints as the default layout."""
    return LAYOUTS.get(name, LAYOUTS[DEFAULT_LAYOUT])
