"""Printing units the view modules share: points per mm, the rule and cell padding
of templates/base.css, and the printed width of a text in em.

Kept apart from the view model so that the height estimates
(:mod:`reportgen.layouts.heights`) and every builder measure text one way.
"""

from __future__ import annotations

from ..core.textwidth import text_units

__all__ = ["CELL_PAD_MM", "PT_PER_MM", "RULE_PT", "display_width"]

PT_PER_MM = 72.0 / 25.4
#: Width of the table rules in base.css (0.6pt).
RULE_PT = 0.6
#: Left and right padding of the item cells in base.css (1.5mm).
CELL_PAD_MM = 1.5


def display_width(text: str) -> float:
    """Width in em: wide, full-width and ambiguous (①, ※, ○ in a Japanese font)
    characters count 1, others 0.5."""
    return text_units(text) / 2

