"""The sections of the 分野 table: their items (with the group banners) beside a
vertical label no taller than they are, and the column lines painted behind
them where a section breaks across pages.
"""

from __future__ import annotations

from ..model.report import Group, Section
from ..model.wording import banner_text
from .columns import ColumnView
from .items import ItemBuilder
from .labels import LABEL_PAGE_SHARE, label_cap_pt, label_columns, section_label
from .units import PT_PER_MM, RULE_PT
from .views import SectionView

__all__ = ["section_view", "stripes"]


def section_view(items: ItemBuilder, s_index: int, section: Section, anchors: dict[int, str]) -> SectionView:
    """The ``s_index``-th section; records each item's anchor in ``anchors`` (id(item) → id)."""
    views = []
    seen_groups: set[int] = set()
    for i_index, (group, item) in enumerate(section.iter_items(), 1):
        banner = None
        if group is not None and id(group) not in seen_groups:
            seen_groups.add(id(group))
            banner = group_banner(group)
        anchor = f"item-{s_index}-{i_index}"
        anchors[id(item)] = anchor
        views.append(items.item(item, anchor, banner))
    label = section_label(section, items.report.layout)
    label_mm = items.label_mm
    lines = stripes(items.item_cols, items.total_mm, label_mm, "section" in items.fields)
    # the label no taller than the section's items (nor than a page)
    content_pt = sum(items.item_pt(it) for it in views)
    cols, size = label_columns(label, label_mm, min(max(content_pt, 0.0), items.page_pt * LABEL_PAGE_SHARE))
    return SectionView(section.heading, label, views, lines, cols, size, label_cap_pt(items.paper))


def group_banner(group: Group) -> str:
    """The banner printed before the first item of a group."""
    return banner_text(group.title, group.owner)


def stripes(item_cols: list[ColumnView], total_mm: float, label_mm: float, has_label: bool) -> str:
    """background-* declarations drawing the item columns' right rules in td.nest.

    td.nest is stretched to the page bottom when a section breaks (box-decoration-break:
    clone), below the last item that fitted; the painted rules keep the columns
    closed there. Positions are absolute (pt from the padding box's left edge), so
    they are exact for the paper the view is built for.
    """
    inner_pt = (total_mm - label_mm) * PT_PER_MM - (0 if has_label else RULE_PT)
    positions = []
    cum = 0.0
    for i, c in enumerate(item_cols):
        cum += c.item_pct / 100.0
        if i == len(item_cols) - 1:
            positions.append("100% 0")
        else:
            positions.append(f"{inner_pt * cum - RULE_PT:.2f}pt 0")
    n = len(positions)
    image = "linear-gradient(to right, #000 0.6pt, transparent 0.6pt)"
    return (f"background-image: {', '.join([image] * n)}; "
            f"background-position: {', '.join(positions)};")

