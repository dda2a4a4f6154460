"""Estimated printed heights of the view model's cells, before WeasyPrint lays them out.

Two decisions of the plan-status/quarterly table are taken before layout and
need a height: whether an item is short enough to be kept on one page (an item
shorter than a third of a page is never split, issue #12.1), and how many
columns the vertical 分野 label needs so that it is not taller than the items
beside it (a taller label stretches the row into an empty band, #12.5).

The estimate counts characters the way BIZ UD Gothic sets them (full-width 1em,
half-width 0.5em, :func:`reportgen.layouts.units.display_width`) against the column's
content width, with the font sizes and line heights of templates/base.css. It
errs on the tall side (every wrapped line is counted whole); the decisions it
feeds only need to be right at a coarse scale (a third of a page, a label's
height), not to the line.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from ..core.papers import PAGE_HEIGHT_MM
from .units import display_width

__all__ = [
    "LINE_HEIGHT",
    "PAGE_BODY_MM",
    "block_pt",
    "cell_pt",
    "estimate_rows_pt",
    "text_lines",
]

#: base.css: html line-height.
LINE_HEIGHT = 1.45
#: Body text size of the item cells (base.css: html 9.5pt).
BODY_PT = 9.5
#: Height of the page area left for table rows, in mm: paper height minus the
#: @page margins (base.css A4: 12 + 13 mm; paper-a3.css A3: 14 + 15 mm) minus
#: the repeated legend line and column header (about 11 mm).
PAGE_BODY_MM: dict[str, float] = {"A4": 210.0 - 25.0 - 11.0, "A3": 297.0 - 29.0 - 11.0}
#: Every other paper (B4, B5, portrait): its height less margins and the same 11 mm.
PAGE_BODY_MM.update({k: v - 11.0 for k, v in PAGE_HEIGHT_MM.items() if k not in PAGE_BODY_MM})

_PT_PER_MM = 72.0 / 25.4
#: base.css: item cells' top + bottom padding (0.8mm + 1.2mm), paragraph margin 0.8mm.
_CELL_PAD_PT = 2.0 * _PT_PER_MM
_PARA_GAP_PT = 0.8 * _PT_PER_MM
#: base.css table.mini: 1.25 line height, cell padding 0.4mm top and bottom, margins 1 + 1.5 mm.
#: base.css td.mark: an entry row is at least 7mm tall.
_MIN_ROW_PT = 7.0 * _PT_PER_MM
_MINI_PT = {"": 7.5, "dense": 7.0, "tiny": 6.0}


def text_lines(text: str, font_pt: float, width_mm: float, indent_em: float = 0.0) -> int:
    """Lines ``text`` takes at ``font_pt`` in a ``width_mm`` wide column (at least 1)."""
    per_line = max(width_mm * _PT_PER_MM / font_pt - indent_em, 1.0)
    return sum(max(math.ceil(display_width(line) / per_line), 1) for line in text.split("\n")) or 1


def block_pt(block: Any, width_mm: float) -> float:
    """Estimated height of one block of a cell (a view of reportgen.layouts.views)."""
    kind = getattr(block, "kind", "")
    if kind == "para":
        size = 8.5 if block.cls in ("note", "labels", "kpi-figures") else BODY_PT
        lines = text_lines(block.prefix + block.text, size, width_mm, block.indent_em)
        return lines * size * LINE_HEIGHT + _PARA_GAP_PT
    if kind == "bullets":
        lines = sum(text_lines(block.bullet + it, BODY_PT, width_mm, block.indent_em) for it in block.items)
        return lines * BODY_PT * LINE_HEIGHT + 1.0 * _PT_PER_MM
    if kind == "table":
        size = _MINI_PT.get(block.size, 7.5)
        rows = 0
        for row in [*block.head, *block.body]:
            rows += max((c.text.count("\n") + 1 for c in row), default=1)
        caption = 8.5 * LINE_HEIGHT if block.caption else 0.0
        return rows * (size * 1.25 + 0.8 * _PT_PER_MM) + 2.5 * _PT_PER_MM + caption
    if kind == "chart":
        return (block.height_mm + 2.5) * _PT_PER_MM
    return 0.0


def cell_pt(blocks: Iterable[Any], width_mm: float) -> float:
    """Estimated height of a cell holding ``blocks``, padding included."""
    return sum(block_pt(b, width_mm) for b in blocks) + _CELL_PAD_PT


def estimate_rows_pt(rows: Sequence[Sequence[Any]], columns: Sequence[Any], extra_pt: float = 0.0) -> float:
    """Estimated height of an item's entry rows (cells of reportgen.layouts.views.CellView
    in ``columns``, reportgen.layouts.columns.ColumnView) plus ``extra_pt`` (a title row)."""
    total = extra_pt
    for row in rows:
        heights = [cell_pt(cell.blocks, col.content_mm) for cell, col in zip(row, columns)]
        total += max(heights + [_MIN_ROW_PT])
    return total
