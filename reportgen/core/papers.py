"""Paper sizes and orientation of the PDF: A4, A3, B4, B5 (JIS B), landscape or portrait.

Offices print the plan on A4 or A3 landscape (the built-in stylesheets:
``base.css`` and ``paper-a3.css``) but also file B4 and B5 documents and
portrait pages. A paper is named by a key: ``"A4"``, ``"B4"`` (landscape) or
``"B4-PORTRAIT"``; :func:`paper_key` builds it from a size and an orientation.
The layout needs the printable width (:data:`PRINTABLE_MM`, the table's
column widths are computed from it); the template adds :func:`page_css` after
the built-in stylesheets for every paper but A4 and A3 landscape.

JIS B sizes (not ISO B): B4 is 257 × 364 mm, B5 182 × 257 mm.
"""

from __future__ import annotations

__all__ = ["ORIENTATIONS", "PAGE_HEIGHT_MM", "PRINTABLE_MM", "SIZES", "page_css", "paper_key"]

#: Short side × long side in mm.
SIZES: dict[str, tuple[float, float]] = {
    "A4": (210.0, 297.0),
    "A3": (297.0, 420.0),
    "B4": (257.0, 364.0),
    "B5": (182.0, 257.0),
}
ORIENTATIONS = ("landscape", "portrait")

#: Page margins (top, right, bottom, left) in mm: as base.css for the smaller
#: papers (A4, B5) and paper-a3.css for the larger ones (A3, B4).
_MARGINS: dict[str, tuple[float, float, float, float]] = {
    "A4": (12.0, 12.0, 13.0, 12.0),
    "B5": (12.0, 12.0, 13.0, 12.0),
    "A3": (14.0, 15.0, 15.0, 15.0),
    "B4": (14.0, 15.0, 15.0, 15.0),
}


def paper_key(paper: str, orientation: str = "landscape") -> str:
    """``("b4", "portrait")`` → ``"B4-PORTRAIT"``; ValueError for an unknown size or orientation."""
    size = str(paper).upper()
    if size.endswith("-PORTRAIT"):
        size, orientation = size[: -len("-PORTRAIT")], "portrait"
    if size not in SIZES:
        raise ValueError(f"paper must be one of {', '.join(SIZES)}, not {paper!r}")
    if orientation not in ORIENTATIONS:
        raise ValueError(f"orientation must be landscape or portrait, not {orientation!r}")
    return size if orientation == "landscape" else f"{size}-PORTRAIT"


def _size(key: str) -> tuple[str, float, float]:
    """Size name, page width and height (mm) of a key."""
    size, _, portrait = key.partition("-")
    short, long = SIZES[size]
    return (size, short, long) if portrait else (size, long, short)


def page_css(key: str) -> str:
    """The ``@page`` rule of a paper key; empty for A4 and A3 landscape (the built-in stylesheets)."""
    if key in ("A4", "A3"):
        return ""
    size, width, height = _size(key)
    top, right, bottom, left = _MARGINS[size]
    return (f"@page {{ size: {width:g}mm {height:g}mm; "
            f"margin: {top:g}mm {right:g}mm {bottom:g}mm {left:g}mm; }}")


#: Paper key → printable width in mm (page width less the side margins).
PRINTABLE_MM: dict[str, float] = {
    key: _size(key)[1] - _MARGINS[_size(key)[0]][1] - _MARGINS[_size(key)[0]][3]
    for key in [*SIZES, *(f"{s}-PORTRAIT" for s in SIZES)]
}


#: Paper key → page height in mm less the top and bottom margins: the height
#: the table and its repeated header share (reportgen.layouts.heights subtracts those).
PAGE_HEIGHT_MM: dict[str, float] = {
    key: _size(key)[2] - _MARGINS[_size(key)[0]][0] - _MARGINS[_size(key)[0]][2]
    for key in PRINTABLE_MM
}
