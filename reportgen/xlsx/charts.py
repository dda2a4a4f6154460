"""Native Excel charts of the tracker (openpyxl), over the grid cells the sheet writes.

:func:`excel_chart` builds a LineChart/BarChart whose series reference the
grid's cells, so the chart follows edits made in the workbook; a KPI target
is a dashed red series over a row of target cells (LibreOffice ignores literal
chart values).  The plotted values, the tones of the rows and the KPI target
come from :mod:`reportgen.layouts.charts`, as in the PDF's SVG chart.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Sequence

from ..layouts.charts import TARGET_COLOUR, kpi_target, plotted_value, row_tone, same_units
from ..model.numbers import NumberFormat
from ..model.report import KPI, Series

if TYPE_CHECKING:  # pragma: no cover
    from openpyxl.chart._chart import ChartBase

__all__ = ["EXCEL_FONT", "TITLE_CHARS", "excel_chart", "excel_chart_title", "excel_kpi_target"]


def _quote_sheet(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def _ref(sheet: str, row: int, cols: Sequence[int]) -> str:
    """A reference to cells of one row: a range when contiguous, else a union."""
    from openpyxl.utils import get_column_letter

    s = _quote_sheet(sheet)
    if list(cols) == list(range(cols[0], cols[0] + len(cols))):
        return f"{s}!${get_column_letter(cols[0])}${row}:${get_column_letter(cols[-1])}${row}"
    return "(" + ",".join(f"{s}!${get_column_letter(c)}${row}" for c in cols) + ")"


#: Longest chart title; a KPI sentence beyond it is shortened with "…".
TITLE_CHARS = 50


def excel_chart_title(series: Series, *, item_title: str = "", heading: str | None = None,
                      kpi: KPI | None = None) -> str:
    """The chart's Japanese title: the KPI sentence, or the measure and the grid's caption."""
    if kpi is not None:
        text = kpi.text
        if len(text) > TITLE_CHARS - 5:   # drop a trailing （令和4年度実績 85.38％） first
            text = re.sub(r"[（(][^（()）]*[)）][。．]?$", "", text).rstrip() or text
        title = "【KPI】" + text
    else:
        caption = heading or series.caption
        title = f"{item_title}（{caption}）" if item_title and caption else (item_title or caption or "推移")
    return title if len(title) <= TITLE_CHARS else title[:TITLE_CHARS - 1] + "…"


def excel_kpi_target(kpi: KPI, series: Series) -> tuple[float, str] | None:
    """The KPI target as a number in the cells' units (days for time) and its label."""
    if not same_units(kpi, series):
        return None
    found = kpi_target(kpi)
    if found is None:
        return None
    import datetime as _dt

    from ..model.numbers import excel_value

    value = excel_value(found[0], series.format)
    if isinstance(value, _dt.timedelta):
        value = value.total_seconds() / 86400
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value), found[1]


EXCEL_FONT = "BIZ UDゴシック"


def _rich(size: float, bold: bool = False) -> Any:
    """Text properties for chart text: the tracker's font at ``size`` points."""
    from openpyxl.chart.text import RichText
    from openpyxl.drawing.text import CharacterProperties, Font, Paragraph, ParagraphProperties

    props = CharacterProperties(sz=int(size * 100), b=bold, latin=Font(typeface=EXCEL_FONT),
                                ea=Font(typeface=EXCEL_FONT))
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=props), endParaRPr=props)])


def _title(text: str, size: float) -> Any:
    from openpyxl.chart.text import RichText, Text
    from openpyxl.chart.title import Title
    from openpyxl.drawing.text import (CharacterProperties, Font, Paragraph, ParagraphProperties,
                                       RegularTextRun)

    props = CharacterProperties(sz=int(size * 100), b=True, latin=Font(typeface=EXCEL_FONT),
                                ea=Font(typeface=EXCEL_FONT))
    para = Paragraph(pPr=ParagraphProperties(defRPr=props), r=[RegularTextRun(rPr=props, t=text)])
    return Title(tx=Text(rich=RichText(p=[para])), overlay=False)


def excel_chart(
    series: Series,
    *,
    sheet: str,
    header_row: int,
    rows: Sequence[int],
    label_col: int,
    value_cols: Sequence[int],
    title: str,
    number_format: str,
    target_row: int | None = None,
) -> ChartBase:
    """An openpyxl chart whose series are the grid's cells on ``sheet``.

    ``rows`` are the sheet rows of the series' data rows (label in
    ``label_col``, values in ``value_cols``), ``header_row`` the row holding
    the column labels (4月 … 3月).  The last row is drawn strong, earlier ones
    lighter.  ``target_row`` is a row holding the KPI target under every month
    (label in ``label_col``), drawn as a dashed red line.

    Every series refers to cells (a literal ``numLit`` target is ignored by
    LibreOffice), so the chart follows edits of the grid.
    """
    from openpyxl.chart import BarChart, LineChart
    from openpyxl.chart.data_source import AxDataSource, NumDataSource, NumRef, StrRef
    from openpyxl.chart.marker import Marker
    from openpyxl.chart.series import Series as XlSeries
    from openpyxl.chart.series import SeriesLabel
    from openpyxl.chart.shapes import GraphicalProperties
    from openpyxl.drawing.line import LineProperties

    kind = series.chart or "line"
    chart: Any = BarChart() if kind == "bar" else LineChart()
    if kind == "bar":
        chart.type = "col"
        chart.grouping = "clustered"
        chart.overlap = -10
        chart.gapWidth = 60
    chart.title = _title(title, 10)
    chart.style = 2
    chart.legend.position = "b"
    chart.legend.txPr = _rich(8)
    chart.y_axis.number_format = number_format
    chart.y_axis.numFmt.sourceLinked = False  # type: ignore[union-attr]
    for axis in (chart.x_axis, chart.y_axis):
        axis.delete = False
        axis.txPr = _rich(8)
    if kind == "bar":
        fmt = NumberFormat.parse(series.format)
        values = [plotted_value(v, fmt) for row in series.rows for v in row.values]
        if all(v is None or v >= 0 for v in values):
            chart.y_axis.scaling.min = 0     # bars start at zero, as in the PDF chart
    cats = AxDataSource(strRef=StrRef(f=_ref(sheet, header_row, value_cols)))
    for i, r in enumerate(rows):
        colour = row_tone(i, len(rows)).lstrip("#").upper()
        s = XlSeries(idx=i, order=i, val=NumDataSource(numRef=NumRef(f=_ref(sheet, r, value_cols))))
        s.tx = SeriesLabel(strRef=StrRef(f=_ref(sheet, r, [label_col])))
        s.cat = cats
        if kind == "bar":
            s.graphicalProperties = GraphicalProperties(solidFill=colour)
            s.graphicalProperties.line = LineProperties(solidFill=colour)
        else:
            strong = i == len(rows) - 1
            s.graphicalProperties = GraphicalProperties(ln=LineProperties(solidFill=colour,
                                                                         w=int((2.25 if strong else 1.25) * 12700)))
            s.marker = Marker(symbol="circle", size=5 if strong else 4)
            s.marker.graphicalProperties = GraphicalProperties(solidFill=colour)
            s.marker.graphicalProperties.line = LineProperties(solidFill=colour)
            s.smooth = False
        chart.series.append(s)
    if target_row is not None:
        t = XlSeries(idx=len(rows), order=len(rows),
                     val=NumDataSource(numRef=NumRef(f=_ref(sheet, target_row, value_cols))))
        t.tx = SeriesLabel(strRef=StrRef(f=_ref(sheet, target_row, [label_col])))
        t.cat = cats
        colour = TARGET_COLOUR.lstrip("#").upper()
        t.graphicalProperties = GraphicalProperties(ln=LineProperties(solidFill=colour, prstDash="dash", w=19050))
        t.marker = Marker(symbol="none")
        t.smooth = False
        if kind == "bar":
            line = LineChart()
            line.series.append(t)
            chart += line
        else:
            chart.series.append(t)
    return chart
