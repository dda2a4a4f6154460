"""View model of the PDF layouts: everything the templates print, already formatted.

The Jinja templates are presentation only. This stage decides *what* is
printed — numbers with 四捨五入 and units, 和暦 dates, entry numbers ①②…, the
mark legend, which column holds the item heading, column widths resolved for
the chosen paper — and hands the templates plain strings in small dataclasses.
The templates escape every string (autoescape) and run it through the
``rich`` filter (:mod:`reportgen.pdf.textfilters`) for line breaks and
keep-together spans; nothing here is markup.

This module is the entry point, :func:`build_view`, and names the stage's
public pieces in one place for the validator, the renderers and the tests.
Each piece lives in a module of its own:

* :mod:`.columns` — papers, fonts, columns resolved to millimetres;
* :mod:`.views` — the dataclasses the templates print (DocView, SectionView, Para, …);
* :mod:`.content` — the blocks of a cell: paragraphs, embedded tables and their fitting, grids, charts;
* :mod:`.labels` — the vertical 分野 label: columns, size, capacity;
* :mod:`.items`, :mod:`.sections` — the items and sections of the 分野 table;
* :mod:`.frontmatter`, :mod:`.appendices` — cover, preface and legend; the KPI list and mark summary;
* :mod:`.builder` — :class:`ViewBuilder`, which puts a document together.
"""

from __future__ import annotations

from ..model.report import Report
from .builder import ViewBuilder
from .columns import FONTS, PAPERS, ColumnView, default_columns, resolve_columns, template_for
from .content import (
    ViewContext,
    chart_view,
    column_em,
    content_view,
    fit,
    format_cell,
    grid_view,
    list_lines,
    share_column_widths,
    split_leading_number,
    table_view,
    table_width_mm,
)
from .frontmatter import legend_position, legend_text
from .items import continuation_title, number_text
from .labels import label_cap_pt, label_capacity, label_columns, label_height_pt, section_label, vertical_label
from .units import display_width
from .views import BlockView, Bullets, CellView, ChartView, DocView, ItemView, MiniCell, MiniTable, Para, SectionView

__all__ = [
    "FONTS",
    "PAPERS",
    "BlockView",
    "Bullets",
    "CellView",
    "ChartView",
    "ColumnView",
    "DocView",
    "ItemView",
    "MiniCell",
    "MiniTable",
    "Para",
    "SectionView",
    "ViewBuilder",
    "ViewContext",
    "build_view",
    "chart_view",
    "column_em",
    "content_view",
    "continuation_title",
    "default_columns",
    "display_width",
    "fit",
    "format_cell",
    "grid_view",
    "label_cap_pt",
    "label_capacity",
    "label_columns",
    "label_height_pt",
    "legend_position",
    "legend_text",
    "list_lines",
    "number_text",
    "resolve_columns",
    "section_label",
    "share_column_widths",
    "split_leading_number",
    "table_view",
    "table_width_mm",
    "template_for",
    "vertical_label",
]


def build_view(report: Report, *, paper: str = "A4", font: str = "gothic") -> DocView:
    """The view model of ``report`` for ``paper`` (A4 / A3) and ``font`` (gothic / mincho)."""
    paper_key = str(paper).upper()
    if paper_key not in PAPERS:
        raise ValueError(f"paper must be one of {', '.join(PAPERS)}, not {paper!r}")
    if font not in FONTS:
        raise ValueError(f"font must be one of {', '.join(FONTS)}, not {font!r}")
    return ViewBuilder(report, paper_key, font).build()
