"""The vertical 分野 label of a section: its characters, how many columns and which
size it is set in, and the most it may hold on a page.

The label cell of the section table cannot be split across pages, so its
height is bounded twice: by the items beside it (a taller label stretches the
section into an empty band, issue #12.5) and by the page (issue 12.11). The
validator asks :func:`label_capacity` to refuse a 分野 title that cannot be
printed at all.
"""

from __future__ import annotations

import math
import re

from ..model.report import Section
from .heights import PAGE_BODY_MM
from .registry import layout_spec
from .units import PT_PER_MM, RULE_PT

__all__ = [
    "LABEL_PAGE_SHARE", "LABEL_SIZES", "label_cap_pt", "label_capacity", "label_columns", "label_height_pt",
    "section_label", "vertical_label",
]


def label_height_pt(rows: int, font_pt: float) -> float:
    """Height of a vertical label of ``rows`` characters per column."""
    return rows * font_pt * 1.12 + 1.5 * PT_PER_MM + 3.0


#: The vertical label is at most this share of a page tall: the label cell cannot
#: be split, so a taller one would push its whole 分野 past the cover of page 1.
LABEL_PAGE_SHARE = 0.5
#: Sizes of the vertical label, largest first (pt); below 6pt it is not legible.
LABEL_SIZES = (10.0, 9.0, 8.0, 7.0, 6.0)


def label_columns(chars: list[str], width_mm: float, height_pt: float) -> tuple[list[list[str]], float]:
    """The label ``chars`` in columns (left to right as printed) and its font size:
    the fewest columns at the largest size whose height fits ``height_pt``, or the
    lowest label the column's width allows when nothing fits.

    A label taller than the items beside it stretches the section into an empty
    band with column lines (issue #12.5), and one taller than a page prints
    nothing at all; vertical writing with more lines keeps it within both.
    """
    width_pt = max(width_mm * PT_PER_MM - 2 * RULE_PT - 1.0, 1.0)
    n = max(len(chars), 1)
    best: tuple[float, int, float] | None = None  # height, columns, size
    for size in LABEL_SIZES:
        most = max(int(width_pt // (size * 1.1)), 1)
        for ncols in range(1, min(most, n) + 1):
            rows = math.ceil(n / ncols)
            h = label_height_pt(rows, size)
            if h <= height_pt:
                return _columns(chars, rows), size
            if best is None or h < best[0] - 0.01:
                best = (h, ncols, size)
    assert best is not None
    _h, ncols, size = best
    return _columns(chars, math.ceil(n / ncols)), size


def label_capacity(width_mm: float, paper: str = "A4") -> int:
    """Most characters a vertical 分野 label of a ``width_mm`` column can hold in
    :data:`LABEL_PAGE_SHARE` of a page of ``paper`` (in as many columns as the
    width allows at 6pt): a longer
    分野 title is refused by validate (reportgen.inputs.validate), since a label taller
    than a page cannot be printed."""
    width_pt = max(width_mm * PT_PER_MM - 2 * RULE_PT - 1.0, 1.0)
    page_pt = PAGE_BODY_MM[paper] * PT_PER_MM * LABEL_PAGE_SHARE
    best = 0
    for size in LABEL_SIZES:
        most = max(int(width_pt // (size * 1.1)), 1)
        rows = int((page_pt - label_height_pt(0, size)) // (size * 1.12))
        best = max(best, most * max(rows, 0))
    return best


def section_label(section: Section, layout: str) -> list[str]:
    """The characters of a section's vertical label as printed (number and title)."""
    number = "" if section.number is None else str(section.number)
    joiner = "・" if layout_spec(layout).table_style == "quarterly" and number else ""
    return vertical_label(number + joiner + section.title)


def _columns(chars: list[str], rows: int) -> list[list[str]]:
    """Columns of ``rows`` characters; vertical text reads right to left, so the
    first column is printed rightmost."""
    cols = [chars[i:i + rows] for i in range(0, len(chars), rows)] or [[]]
    return cols[::-1]


#: Room kept on every page for the repeated legend and header rows (and a margin),
#: beyond the 11 mm reportgen.layouts.heights.PAGE_BODY_MM already keeps.
_HEADER_ROOM_MM = 30.0 - 11.0


def label_cap_pt(paper: str) -> float:
    """The tallest section row a page of ``paper`` holds under its repeated header.

    A section row is made at least as tall as its vertical label; a label of
    ~45 characters (A4) would ask for more than a page, which WeasyPrint 70
    cannot place: with a chart in the section it lays out pages without end
    (minutes, gigabytes). Measured on A4: a 450pt row renders, 490pt loops.
    """
    return (PAGE_BODY_MM.get(paper, PAGE_BODY_MM["A4"]) - _HEADER_ROOM_MM) * PT_PER_MM


_DIGIT_RUN = re.compile(r"[0-9]+|\S")


def vertical_label(text: str) -> list[str]:
    """One entry per printed line of the vertical 分野 label; spaces are dropped."""
    return _DIGIT_RUN.findall(text)

