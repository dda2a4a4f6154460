"""Printing the main sheet: page setup, how many rows fit a page, where pages break."""

from __future__ import annotations

from dataclasses import replace

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from .measure import span_points
from .rows import Layout, VSpan
from .sheet import COL_AREA, COL_NUMBER, COL_TITLE, LAST_PRINTED_COL, MAX_ROW_PT, Paper


def setup_page(ws: Worksheet, paper: Paper, header_row: int, last_row: int, footer: str | None = None,
               last_col: int = LAST_PRINTED_COL) -> None:
    """Landscape, one page wide, the header row repeated on every page, page numbers in the footer."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3 if paper == "A3" else ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.5, header=0.25, footer=0.25)
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_area = f"A1:{get_column_letter(last_col)}{last_row}"
    ws.oddFooter.center.text = "&P / &N"
    if footer:  # report.footer; '&' starts an Excel header code, '&&' prints one
        ws.oddFooter.left.text = footer.replace("&", "&&")
    ws.freeze_panes = ws.cell(header_row + 1, 1).coordinate


#: Landscape paper (width, height) in points, and the margins set in setup_page.
PAPER_PT = {"A3": (1190.55, 841.89), "A4": (841.89, 595.28)}
MARGIN_SIDE_PT = 0.4 * 72
MARGIN_TOP_BOTTOM_PT = 0.5 * 72
#: Share of the page filled, leaving room for the two applications' rounding.
PAGE_FILL = 0.94


def page_capacity(paper: Paper, repeated: float, extra_width: float = 0.0) -> float:
    """Sheet points of rows that fit on one printed page under the repeated header.

    Fit-to-width scales the sheet by printable width / sheet width; the wider
    of Excel's and LibreOffice's column widths gives the smaller page, so pages
    are filled for the application that fits less.  ``extra_width``: the
    printed width of custom columns beyond U (reportgen.xlsx.fieldcols).
    """
    width, height = PAPER_PT[paper]
    sheet_width = span_points(COL_AREA, LAST_PRINTED_COL) + extra_width
    scale = min(1.0, (width - 2 * MARGIN_SIDE_PT) / sheet_width)
    return (height - 2 * MARGIN_TOP_BOTTOM_PT) / scale * PAGE_FILL - repeated


def page_breaks(layout: Layout, first_page: float, page: float) -> list[int]:
    """Row indices that start a new page.

    Pages break between entries (a banner stays with the entry after it), so
    a plan, its status and its mark print together; only a block taller than
    a page is broken between its own rows.
    """
    heights = [min(r.height, MAX_ROW_PT) for r in layout.rows]
    starts = sorted(set(layout.unit_starts) | {0}) if heights else []
    breaks: list[int] = []
    used, capacity = 0.0, first_page
    for a, b in zip(starts, starts[1:] + [len(heights)]):
        block = sum(heights[a:b])
        if used + block > capacity and used > 0:
            breaks.append(a)
            used, capacity = 0.0, page
        if block <= capacity:
            used += block
            continue
        for i in range(a, b):
            if used + heights[i] > capacity and used > 0:
                breaks.append(i)
                used, capacity = 0.0, page
            used += heights[i]
    return breaks


def split_at_breaks(spans: list[VSpan], breaks: list[int]) -> list[VSpan]:
    """Repeat the area label, item number and title on every page they span.

    A merged cell prints its text once, on the page where it starts, so a
    label crossing a page break would be cut; each page gets its own merged
    cell instead, the title marked （続き）.
    """
    out: list[VSpan] = []
    for span in spans:
        cuts = [b for b in breaks if span.first < b <= span.last]
        if not cuts or span.col not in (COL_AREA, COL_NUMBER, COL_TITLE):
            out.append(span)
            continue
        bounds = [span.first, *cuts, span.last + 1]
        for k, (a, b) in enumerate(zip(bounds, bounds[1:])):
            value = span.value
            if k and span.col == COL_TITLE and isinstance(value, str):
                value = value.split("\n", 1)[0] + "（続き）"
            out.append(replace(span, first=a, last=b - 1, value=value))
    return out
