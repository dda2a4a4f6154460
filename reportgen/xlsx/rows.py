"""The main sheet as rows before anything is written: cells, merged spans, charts.

The layout is plain data so it can be measured (row heights, page breaks)
and compared by the reader (:func:`reportgen.xlsx.sheetlayout.build_layout`)
without an openpyxl workbook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..model.report import Series


@dataclass
class CellSpec:
    """A cell (or horizontal run of merged cells) of one row."""

    col: int
    value: Any
    style: str
    last_col: int | None = None
    number_format: str | None = None
    #: Where the value comes from in the entry's content, for xlsx_read:
    #: ("label", row), ("value", row, k), ("total", row), ("extra", row),
    #: ("corner",), ("total_label",) of a series; ("th"|"td", row, cell) of a table.
    source: tuple[Any, ...] | None = None


@dataclass(frozen=True)
class RowFormula:
    """A formula over cells of its own row, written once the row number is known.

    Only code creates these (never data), so text from a report can never
    become a formula; ``template`` holds ``{r}`` for the row number.
    """

    template: str

    def formula(self, r: int) -> str:
        return self.template.replace("{r}", str(r))


@dataclass
class Row:
    height: float
    cells: list[CellSpec] = field(default_factory=list)
    role: str = ""
    entry_id: str = ""
    kpi_flag: int | None = None
    growable: bool = False      # a wrapped-text row may grow to make room


@dataclass
class VSpan:
    """A cell merged down over rows ``first``..``last`` (indices into rows)."""

    col: int
    first: int
    last: int
    value: Any
    style: str
    last_col: int | None = None


@dataclass
class Written:
    """What was written into the editable cells of one entry (for xlsx_read)."""

    plan: str
    prefix: str
    kpi_line: str
    pieces: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Custom columns (reportgen.xlsx.fieldcols): field name → the text written.
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class Layout:
    rows: list[Row] = field(default_factory=list)
    spans: list[VSpan] = field(default_factory=list)
    written: dict[str, Written] = field(default_factory=dict)
    unit_starts: list[int] = field(default_factory=list)  # where a page may break (entry/banner starts)
    charts: list[ChartPlan] = field(default_factory=list)


#: Height of the empty row a native chart is drawn over, under its grid.
CHART_ROW_PT = 170.0
#: Inset of a chart inside its row, in points.
CHART_INSET_PT = 3.0


@dataclass
class ChartPlan:
    """A native chart drawn over ``anchor`` (an empty row under the grid it plots).

    ``grid`` holds the grid's rows (header first); the chart's series refer to
    their cells, so the chart follows edits made in the workbook.
    """

    series: Series
    grid: list[Row]
    anchor: Row
    title: str
    target: tuple[float, str] | None = None
