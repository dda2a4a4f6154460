"""Steps after layout: what CSS cannot say, done on WeasyPrint's laid-out boxes.

Each step walks the pages of a laid-out document and adjusts boxes in place
(nothing moves to another page, no page is added), through the helpers of
:mod:`reportgen.pdf.weasy`, the one module that knows WeasyPrint's internals.
Which steps a layout needs is part of its spec (:mod:`reportgen.layouts.registry`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .weasy import absolute_placeholder, box_types, descendants, has_class, layout_box_backgrounds, page_box

if TYPE_CHECKING:  # pragma: no cover
    import weasyprint

__all__ = ["POST_LAYOUT", "center_marks", "close_section_bottoms", "prune_continuation_marks", "stretch_columns",
           "trim_vertical_labels"]


def prune_continuation_marks(document: weasyprint.Document, css_class: str = "cont") -> int:
    """Drop "（続き）" from the page where each item title first appears.

    WeasyPrint lays out a separate copy of a repeated ``<thead>`` on every page,
    all pointing at the same HTML element. The first page showing an element
    is the item's own start: its copies (a span split over lines has several
    fragments) are removed; later pages keep theirs. Removing a laid-out
    inline box leaves its space empty and nothing in the PDF. Returns the
    number of fragments removed.
    """

    first_page: dict[int, int] = {}
    removed = 0

    def is_mark(box: object) -> bool:
        # Inline (a span in the text) or block (the span floated, as base.css does).
        element = getattr(box, "element", None)
        return (isinstance(box, (box_types().InlineBox, box_types().BlockBox)) and element is not None
                and getattr(box, "element_tag", None) == "span"
                and css_class in (element.get("class") or "").split())

    def walk(box: object, page_no: int) -> None:
        nonlocal removed
        if isinstance(box, absolute_placeholder()):
            box = box._box
        children = getattr(box, "children", None)
        if not children:
            return
        keep = []
        for child in children:
            if is_mark(child):
                key = id(child.element)
                if first_page.setdefault(key, page_no) == page_no:
                    removed += 1
                    continue
            walk(child, page_no)
            keep.append(child)
        if len(keep) != len(children):
            box.children = keep  # type: ignore[attr-defined]

    for page_no, page in enumerate(document.pages):
        walk(page_box(page), page_no)
    return removed


def trim_vertical_labels(document: weasyprint.Document, continued: bool = False) -> int:
    """Drop the characters of a vertical 分野 label that do not fit on their page.

    The label is repeated at the top of every page a section spans, but the
    section's part of a page can be shorter than the label (a section ending
    near the top of a page). base.css clips the label there, which can cut a
    character in half; after layout this removes every character whose box
    reaches below the bottom of the label cell on that page, so the label ends
    on a whole character. Returns the number of characters removed.

    It first ends each 分野 at its last item on the pages it continues from
    (:func:`close_section_bottoms`): that sets the label cell's bottom on those
    pages, and every caller that trims labels (reportgen.pdf.parallel too) gets it.
    ``continued``: the layout was stopped (:func:`reportgen.pdf.weasy.layout_until`), its
    last 分野 goes on after the last page.
    """

    close_section_bottoms(document, continued)
    removed = 0
    for page in document.pages:
        for table in descendants(page_box(page)):
            if not (isinstance(table, box_types().TableBox) and has_class(table, "sec")):
                continue
            cell = next((b for b in descendants(table)
                         if isinstance(b, box_types().TableCellBox) and has_class(b, "label")), None)
            if cell is None:
                continue
            bottom = cell.border_box_y() + cell.border_height() - cell.border_bottom_width
            for label in descendants(table):
                if isinstance(label, box_types().BlockContainerBox) and has_class(label, "vcol"):
                    keep = [c for c in label.children
                            if c.position_y + c.margin_height() <= bottom + 0.01]
                    removed += len(label.children) - len(keep)
                    label.children = keep
    return removed


def close_section_bottoms(document: weasyprint.Document, continued: bool = False) -> int:
    """End each 分野 at its last item on the pages it continues from.

    The 分野 is one table row (base.css); where it breaks, WeasyPrint stretches
    its cells to the bottom of the page, so the room left below the last item
    that fitted showed as an empty band with column lines (issue #12.5). This
    lifts the bottom of the label cell and the items cell of every fragment but
    the last to the bottom of the items on that page, where their bottom rule
    then closes the table; below it the page stays blank. Returns the number
    of fragments closed. ``continued``: the document's last page is not the
    last of its 分野 either (a layout stopped there: the pages a full layout
    gives up to that page).
    """

    found: list[tuple[object, object]] = []  # (page box, sec table box)
    last_page: dict[int, int] = {}
    for page_no, page in enumerate(document.pages):
        for table in descendants(page_box(page)):
            if isinstance(table, box_types().TableBox) and has_class(table, "sec"):
                found.append((page_no, table))
                last_page[id(table.element)] = page_no
    closed = 0
    for page_no, table in found:
        cells = [cell for group in table.children if isinstance(group, box_types().TableRowGroupBox)
                 and not group.is_header for row in group.children for cell in row.children]
        nest = next((c for c in cells if has_class(c, "nest")), None)
        if nest is None:
            continue
        root = page_box(document.pages[page_no])
        goes_on = last_page[id(table.element)] != page_no or (continued and page_no == len(document.pages) - 1)
        if goes_on and nest.children:
            # the 分野 continues on the next page: end it at its last item here
            bottom = max(child.position_y + child.margin_height() for child in nest.children)
            if bottom < nest.content_box_y() + nest.height - 0.5:
                _set_bottom(nest, bottom + nest.padding_bottom + nest.border_bottom_width)
                layout_box_backgrounds(root, nest, lambda **_kw: None, layout_children=False)
                closed += 1
        # the label cell ends with the items cell (a label cell taller than its
        # row would draw its rules below the table)
        end = nest.border_box_y() + nest.border_height()
        for cell in cells:
            if cell is not nest:
                _set_bottom(cell, end)
                layout_box_backgrounds(root, cell, lambda **_kw: None, layout_children=False)
    return closed


def _set_bottom(cell: object, bottom: float) -> None:
    """Move the bottom of ``cell``'s border box to ``bottom``; an empty cell that is
    vertically centred keeps its room in padding_top, which gives way first."""
    excess = cell.border_box_y() + cell.border_height() - bottom  # type: ignore[attr-defined]
    if excess < 0:
        cell.height -= excess  # type: ignore[attr-defined]
        return
    cut = min(excess, cell.height)  # type: ignore[attr-defined]
    cell.height -= cut  # type: ignore[attr-defined]
    cell.padding_top = max(cell.padding_top - (excess - cut), 0.0)  # type: ignore[attr-defined]


def center_marks(document: weasyprint.Document) -> int:
    """Move every mark to the vertical middle of its entry row (see base.css, td.mark).

    The mark is absolutely positioned so that a row fragment holding only the
    mark never stays behind at a page bottom; this puts it where
    ``vertical-align: middle`` would have: centred on the row's fragment that
    holds it (the first one when an entry is split over pages). Returns the
    number of marks placed.
    """

    placed = 0
    for page in document.pages:
        for cell in descendants(page_box(page)):
            if not (isinstance(cell, box_types().TableCellBox) and has_class(cell, "mark")):
                continue
            for mark in descendants(cell):
                if isinstance(mark, box_types().BlockBox) and has_class(mark, "markpos"):
                    top = cell.border_box_y() + cell.border_top_width
                    inner = cell.border_height() - cell.border_top_width - cell.border_bottom_width
                    dy = top + (inner - mark.margin_height()) / 2 - mark.position_y
                    if dy:
                        mark.translate(dy=dy)
                    placed += 1
                    break
    return placed


def stretch_columns(document: weasyprint.Document) -> int:
    """Let the two columns of each measure page reach down to the page bottom.

    In the originals the 主な取組み | 計画 boxes are frames of the page, not as
    tall as their text; CSS cannot size a box to "what the page has left", so
    after layout the last row of each ``table.measure-cols`` fragment that ends
    above the page bottom is lengthened (cell borders are drawn from the boxes'
    sizes). Nothing moves and no page is added. Returns the number of tables
    stretched.
    """
    stretched = 0
    for page in document.pages:
        root = page_box(page)
        bottom = root.content_box_y() + root.height
        for table in descendants(root):
            if not (isinstance(table, box_types().TableBox) and has_class(table, "measure-cols")):
                continue
            groups = [g for g in table.children if isinstance(g, box_types().TableRowGroupBox) and not g.is_header]
            rows = [r for g in groups for r in g.children if isinstance(r, box_types().TableRowBox)]
            if not rows:
                continue
            row = rows[-1]
            cells = [c for c in row.children if isinstance(c, box_types().TableCellBox)]
            low = max((c.border_box_y() + c.border_height() for c in cells), default=bottom)
            delta = bottom - low - 0.5
            if delta <= 1:
                continue
            for cell in cells:
                cell.height += delta
            for box in (row, *[g for g in groups if row in g.children], table):
                box.height += delta
            stretched += 1
    return stretched


#: The steps a layout spec may name in ``post_layout`` (reportgen.layouts.registry).
POST_LAYOUT: dict[str, Callable[[weasyprint.Document], int]] = {
    "prune_continuation_marks": prune_continuation_marks,
    "trim_vertical_labels": trim_vertical_labels,  # closes the section bottoms first
    "center_marks": center_marks,
    "stretch_columns": stretch_columns,
}
