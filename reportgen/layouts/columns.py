"""Paper widths, fonts and the columns of the main table, resolved to millimetres.

Columns: a layout has default columns; ``report.columns`` replaces them with
any number of built-in or custom fields (see docs/FORMAT.md, Columns). The 分野
column (field ``section``) is always drawn first, as the vertical label of the
section table; all other columns are the columns of the per-item tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.papers import PRINTABLE_MM
from ..model.report import BUILTIN_FIELDS, Column
from .registry import layout_spec
from .units import CELL_PAD_MM, PT_PER_MM, RULE_PT

__all__ = ["FONTS", "PAPERS", "ColumnView", "default_columns", "resolve_columns", "template_for"]

#: Width of the page area (landscape width minus left and right margins), in mm.
#: Must match the @page margins of templates/base.css (A4: 12 + 12 mm) and
#: templates/paper-a3.css (A3: 15 + 15 mm): the column lines painted as
#: backgrounds (see ``SectionView.stripes``) are positioned from it.
PAPERS: dict[str, float] = {"A4": 297.0 - 24.0, "A3": 420.0 - 30.0}
PAPERS.update({k: v for k, v in PRINTABLE_MM.items() if k not in PAPERS})  # B4, B5, portrait (reportgen.core.papers)
FONTS = ("gothic", "mincho")


def template_for(layout: str) -> str:
    """The template file that draws ``layout`` (:mod:`reportgen.layouts.registry`)."""
    return layout_spec(layout).template


def default_columns(layout: str) -> list[Column]:
    return list(layout_spec(layout).default_columns)


@dataclass(frozen=True)
class ColumnView:
    """One resolved column: its field, header label and widths."""

    field: str
    label: str
    width_mm: float
    #: Width in % of the whole table (level 0).
    pct: float
    #: Width in % of the item tables (level 2), i.e. of what the label leaves.
    item_pct: float

    @property
    def content_mm(self) -> float:
        """Width inside the cell padding and rule (base.css: 1.5mm each side, 0.6pt)."""
        return max(self.width_mm - 2 * CELL_PAD_MM - RULE_PT / PT_PER_MM, 1.0)

    @property
    def css(self) -> str:
        """A class for the cells of this column: c-plan, c-status, c-field (custom)."""
        if self.field in BUILTIN_FIELDS:
            return f"c-{self.field}"
        return "c-field"


_WIDTH_RE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(%|mm|cm|pt|fr)?\s*")


def _parse_width(width: str | None, total_mm: float) -> tuple[float | None, float]:
    """(fixed mm or None, fr share) for a width written like "38%", "40mm", "2fr"."""
    if width is None:
        return None, 1.0
    m = _WIDTH_RE.fullmatch(str(width))
    if not m:
        return None, 1.0
    value, unit = float(m.group(1)), m.group(2) or "mm"
    if unit == "fr":
        return None, value
    factor = {"%": total_mm / 100.0, "mm": 1.0, "cm": 10.0, "pt": 1.0 / PT_PER_MM}[unit]
    return value * factor, 0.0


def resolve_columns(columns: list[Column], total_mm: float) -> list[ColumnView]:
    """Columns with widths in mm that add up to ``total_mm``.

    Fixed widths (%, mm, cm, pt) are taken as given; columns without a width
    or in ``fr`` share what is left. When nothing is flexible and the widths do
    not add up to the page (e.g. 4% + 38% + 40% + 8%), they are scaled so the
    table still spans the page. The section column is moved first.
    """
    cols = sorted(columns, key=lambda c: c.field != "section")  # stable: others keep their order
    parsed = [_parse_width(c.width, total_mm) for c in cols]
    fixed = sum(mm for mm, _ in parsed if mm is not None)
    shares = sum(fr for mm, fr in parsed if mm is None)
    widths: list[float] = []
    if shares > 0 and fixed < total_mm * 0.98:
        rest = total_mm - fixed
        widths = [mm if mm is not None else rest * fr / shares for mm, fr in parsed]
    else:
        # No room left for flexible columns: give them 1/N each, then scale everything.
        guess = [mm if mm is not None else total_mm / max(len(cols), 1) for mm, _ in parsed]
        s = sum(guess) or 1.0
        widths = [w * total_mm / s for w in guess]
    s = sum(widths) or 1.0
    widths = [w * total_mm / s for w in widths]
    label_mm = sum(w for c, w in zip(cols, widths) if c.field == "section")
    body_mm = total_mm - label_mm
    out = []
    for c, w in zip(cols, widths):
        item_pct = 0.0 if c.field == "section" else 100.0 * w / body_mm
        out.append(ColumnView(c.field, c.label, w, 100.0 * w / total_mm, item_pct))
    return out

