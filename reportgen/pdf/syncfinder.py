"""Where a laid-out range of a 分野's items has its synchronisation points (issue #16).

An item is a synchronisation point of a layout when the page it begins on begins
with it (its group banner, else its table) and holds nothing of the item before:
the pages from there on depend only on the items from there on
(:mod:`reportgen.pdf.partsync`). :class:`SyncFinder` tells it one page at a time,
so a layout can stop as soon as it reaches a cached piece
(:func:`reportgen.pdf.weasy.layout_until`), even before the page is laid out, from
where WeasyPrint will resume.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SyncFinder", "sync_points"]


class SyncFinder:
    """The synchronisation points of a layout, one page at a time (:func:`sync_points`).

    An item begins with its group banner when it has one, else with its table; it is a
    synchronisation point when that element is the first box of the 分野's items cell on a
    page and was on no earlier page.
    """

    def __init__(self, start: int) -> None:
        self.start = start
        self.first_of: dict[int, int] = {}  # id(element) → item index, for the first element of each item
        self.seen: set[int] = set()

    def page(self, root: Any) -> int | None:
        """The item that begins the page of root box ``root`` with nothing carried over, if any
        (pages in order)."""
        from .weasy import box_types, descendants, has_class

        boxes = box_types()
        nest = None
        for table in descendants(root):
            if isinstance(table, boxes.TableBox) and has_class(table, "sec"):
                nest = next((b for b in descendants(table)
                             if isinstance(b, boxes.TableCellBox) and has_class(b, "nest")), None)
                break
        if nest is None:
            return None
        if not self.first_of and nest.element is not None:
            index = self.start
            pending = False  # a banner opened the current item
            for child in nest.element:
                if not isinstance(child.tag, str):
                    continue  # a comment
                classes = (child.get("class") or "").split()
                if "group-banner" in classes:
                    self.first_of[id(child)] = index
                    pending = True
                elif child.tag.endswith("table") and "item" in classes:
                    if not pending:
                        self.first_of[id(child)] = index
                    pending = False
                    index += 1
        children = [c for c in nest.children if getattr(c, "element", None) is not None]
        found = None
        if children:
            element = children[0].element
            if id(element) not in self.seen and id(element) in self.first_of:
                found = self.first_of[id(element)]
        self.seen.update(id(c.element) for c in children)
        return found

    def resumes_with(self, resume: tuple[Any, Any] | None) -> int | None:
        """The item whose first element the next page begins with, from its start, given where
        WeasyPrint resumes (:func:`reportgen.pdf.weasy.layout_until`); None if none does."""
        from .weasy import has_class

        if resume is None:
            return None
        parent, child = resume
        element = getattr(child, "element", None)
        if not has_class(parent, "nest") or element is None or id(element) in self.seen:
            return None
        return self.first_of.get(id(element))


def sync_points(document: Any, start: int) -> list[tuple[int, int]]:
    """(item index, page index) of every item of a laid-out range that begins a page with nothing
    carried over, the range's first item (page 0) included (see :class:`SyncFinder`)."""
    from .weasy import page_box

    finder = SyncFinder(start)
    found: list[tuple[int, int]] = []
    for number, page in enumerate(document.pages):
        item = finder.page(page_box(page))
        if item is not None:
            found.append((item, number))
    return found
