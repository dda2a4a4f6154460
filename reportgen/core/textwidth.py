"""How wide text is: East-Asian width, one rule for the PDF, the workbook and the terminal.

Page layout (label columns, chart labels), the workbook (column widths, row
heights) and the terminal tables of ``reportgen summary`` all size Japanese
text by the same classification of characters: wide and full-width
characters take two half-width units, combining and format characters none,
others one.  Ambiguous characters (① ※ ○ ◎ △ ×) are wide in the Japanese
fonts reportgen prints with; a terminal may draw them narrow, so the caller
says which.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

__all__ = ["char_units", "text_units"]


@lru_cache(maxsize=8192)
def char_units(ch: str, ambiguous: int = 2) -> int:
    """Half-width units of ``ch``: 2 wide/full-width, ``ambiguous`` for ambiguous, 0 combining/format, else 1."""
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    eaw = unicodedata.east_asian_width(ch)
    if eaw in ("W", "F"):
        return 2
    if eaw == "A":
        return ambiguous
    return 1


@lru_cache(maxsize=65536)
def text_units(text: str, ambiguous: int = 2) -> int:
    """Half-width units of ``text`` (sum of :func:`char_units`).

    Both are memoised: a report's view model measures the same cell texts
    many times (column widths, row height estimates), and ``watch``
    re-measures the unchanged ones after every save (issue #16)."""
    return sum(char_units(ch, ambiguous) for ch in text)
