"""Pieces of a 分野 cut at synchronisation points, so an edit re-lays a few pages (issue #16).

The part cache (:mod:`reportgen.pdf.partcache`) first kept one laid-out part per
分野: a one-entry edit re-laid a whole 分野 (a third of the synthetic report).
A 分野 cannot be cut at any item boundary: where a part starts decides where
the pages break after it. But it *can* be cut where the single-process layout
itself has a clean page top:

**Synchronisation point.** Item *k* of a 分野 is one when, in a layout, the
page on which item *k* begins begins with it (its group banner, or its table
when it has none) and holds nothing of item *k−1*: nothing is carried over.
WeasyPrint lays a page out from what is left to print (the repeated table
headers, then the remaining items); the margin truncated at the top of a
later page is the same as the nested tables' at the top of a document (the
item table sits in a cell, where no margin adjoins the page), and the
page-position-dependent parts (page numbers, 掲載ページ) are stamped after the
join (:mod:`reportgen.pdf.parallel`). So the pages from a synchronisation point
on depend only on the items from it on: a document of the 分野 holding only
items *k…* lays them out on exactly those pages (checked pixel for pixel on
the synthetic report, and by the tests on text per page).

**Pieces.** A piece is the pages of items ``[a, b)`` of one 分野, laid out
from a synchronisation point *a* up to the next one *b*. Whether *b* starts a
page depends on the items ``a…b`` (item *b* itself: whether its first lines,
or the whole item when it is kept together, fit below item *b−1*), not on any
later item; so the key of a piece is the digest of the HTML of items ``a…b``
(the *witness* *b* included), or of ``a…`` to the 分野's end for its last
piece (the next 分野 starts on a new page). A range laid out ends one item
past the last witness it checks, so that no witness is the last box of the
document it is checked in (a table's end could need room its continuation
does not).

**After an edit.** The synchronisation points of the last layout of each 分野
are kept in a small *map* entry (keyed by the 分野's number, heading and
item count and the report's title, not by its content). The pieces between
them are looked up by content: those before the edited item are found; from
the last synchronisation point before it, the items are laid out again up to
the next cached piece's start *b* (plus its witness and one item more). When
the new layout has *b* at a clean page top, the cached pieces from *b* on are
spliced after the new pages: they are the pages a full layout would give
(same items from a clean page top). When it has not (the edit moved the page
breaks past *b*), the new layout's own last synchronisation point is taken and
the next cached piece after it is tried, and so on to the 分野's end at worst.
A map that is missing, stale or of another report with the same 分野 costs a
full layout of the 分野, never a different document.

**Joining.** A piece that does not start its 分野 has no 分野 bookmark (the
label's ``bookmark-level`` is set to none in its stylesheet): its items' outline
entries are placed under the 分野's by the join (``PartResult.continues``).
"""

from __future__ import annotations

import dataclasses
import gc
import time
from dataclasses import dataclass, field
from typing import Any

from .syncfinder import SyncFinder, sync_points

__all__ = [
    "Piece",
    "cache_reason",
    "Range",
    "RangeResult",
    "lay_range",
    "range_css",
    "range_html",
    "render_sections_cached",
]

#: The stylesheet of a piece that does not start its 分野: no 分野 entry in its outline.
_NO_SECTION_BOOKMARK = "td.label.bm1 { bookmark-level: none !important; }\n"
#: The stylesheet of every 分野 but the last: what follows the main table is printed once, after it.
_NO_TABLE_END = "p.legend-foot { display: none !important; }\n"


@dataclass(frozen=True)
class Range:
    """Items ``[start, stop)`` of 分野 ``section`` to lay out; ``start`` is a synchronisation point."""

    section: int
    start: int
    #: Exclusive; the 分野's item count means "to its end".
    stop: int
    #: Items that start cached pieces: the layout stops at the first of them it reaches at a clean page top.
    targets: tuple[int, ...] = ()


@dataclass
class Piece:
    """Laid-out pages of items ``[start, stop)`` of one 分野 (``stop`` is the next synchronisation point or the end)."""

    section: int
    start: int
    stop: int
    pdf: bytes
    pages: int
    #: Anchor (``item-1-2``) → 0-based page within the piece.
    anchors: dict[str, int] = field(default_factory=dict)
    #: Laid out in this render (not from the cache).
    fresh: bool = True
    #: Its key in the part cache (set once the 分野 is done).
    name: str = ""


@dataclass
class RangeResult:
    """What laying out a :class:`Range` gave: pieces up to ``reached``, where the next work starts."""

    pieces: list[Piece]
    #: The item the next piece starts at (a synchronisation point), or the 分野's item count.
    reached: int
    #: Every synchronisation point of the range's layout (for the map).
    syncs: list[int]
    seconds: float = 0.0
    #: Pages laid out (the layout stops where a target begins: :func:`lay_range`).
    laid: int = 0


def cache_reason(report: Any, pdf_variant: str | None = None) -> str | None:
    """None when the part cache renders ``report`` in pieces; otherwise why it is cached whole.

    :func:`reportgen.pdf.partplan.split_reason`, but one 分野 is enough: it is cut at its
    synchronisation points (a 分野 laid out alone is the whole table).
    """
    from ..layouts.registry import layout_spec
    from .partplan import split_reason

    reason = split_reason(report, pdf_variant)
    if (reason is not None and len(report.sections) == 1 and pdf_variant is None
            and layout_spec(report.layout).parts is None):
        return None  # the only test failed was the number of 分野
    return reason


# --------------------------------------------------------------------------- HTML and CSS


def _range_view(view, section: int, start: int, stop: int):  # type: ignore[no-untyped-def]
    sec = view.sections[section]
    return dataclasses.replace(view, sections=[dataclasses.replace(sec, items=sec.items[start:stop])],
                               appendices=[])


def range_html(view, section: int, start: int, stop: int) -> str:  # type: ignore[no-untyped-def]
    """The HTML of items ``[start, stop)`` of a 分野, from the whole report's view model."""
    from .fetch import base_url
    from .engine import environment

    chosen = _range_view(view, section, start, stop)
    return environment().get_template(chosen.template).render(doc=chosen, base_url=base_url())


def range_css(section: int, start: int, last: bool = True) -> str:
    """The extra stylesheet of a range: that of a part (:func:`reportgen.pdf.partrender.part_css`), the
    front matter only with the first 分野's first item, no 分野 bookmark after a 分野's first item,
    and what follows the table (a legend at its foot) only with the last 分野 (``last``)."""
    from .partplan import Part
    from .partrender import part_css

    css = part_css(Part(0, (section,), section == 0 and start == 0))
    if not last:
        css += _NO_TABLE_END
    return css if start == 0 else css + _NO_SECTION_BOOKMARK


# --------------------------------------------------------------------------- layout


def lay_range(view, r: Range, count: int) -> RangeResult:  # type: ignore[no-untyped-def]
    """Lay out ``r`` and cut it into pieces at its synchronisation points, up to the first target
    reached at a clean page top (or the 分野's end, ``count`` items)."""
    from .partrender import layout_html
    from .weasy import LOCK, gc_paused

    began = time.perf_counter()
    last = r.section == len(view.sections) - 1
    at_end = r.stop >= count
    whole = r.section == len(view.sections) - 1 and view.legend_position == "foot"  # see _Section.whole

    def usable(k: int) -> bool:
        # a witness must not be the range's last item (unless the 分野 ends there too)
        return k > r.start and (k < r.stop - 1 or at_end) and not whole

    finder = SyncFinder(r.start)
    ahead: list[tuple[int, int]] = []  # a target the next page begins with, known before it is laid out
    laid = 0

    def reached_target(root: Any, resumes_at: Any) -> bool:
        # The layout ends where a cached piece begins: the pages from there on are that piece's.
        # Known from where the next page resumes (a target's first element, nothing of it laid
        # out yet: the next page begins with it), else from a laid-out page that begins with one.
        nonlocal laid
        laid += 1
        k = finder.page(root)
        if k is not None and k in r.targets and usable(k):
            return True
        k = finder.resumes_with(resumes_at())
        if k is not None and k in r.targets and usable(k):
            ahead.append((k, laid))
            return True
        return False

    document = layout_html(range_html(view, r.section, r.start, r.stop), range_css(r.section, r.start, last),
                           stop=reached_target if r.targets else None)
    syncs = [(k, p) for k, p in sync_points(document, r.start) if usable(k)] + ahead
    syncs.insert(0, (r.start, 0))  # the range's first page (the cover's, for the first 分野) starts its first piece
    items = [k for k, _ in syncs]
    reached = next((k for k in items if k in r.targets and k > r.start), None)
    if reached is None:
        if at_end:
            reached = count
        else:
            later = [k for k in items if k > r.start]
            reached = later[-1] if later else r.start  # r.start: nothing usable, lay out to the end
    cuts = [(k, p) for k, p in syncs if k < reached]
    pages_end = len(document.pages) if reached >= count else dict(syncs)[reached]
    pieces = []
    for number, (k, page) in enumerate(cuts):
        stop_item, stop_page = (cuts[number + 1] if number + 1 < len(cuts) else (reached, pages_end))
        chosen = document.pages[page:stop_page]
        anchors: dict[str, int] = {}
        for offset, laid in enumerate(chosen):
            for name in laid.anchors:
                anchors.setdefault(name, offset)
        from io import BytesIO

        out = BytesIO()
        with LOCK, gc_paused():
            document.copy(chosen).write_pdf(out)
        pieces.append(Piece(r.section, k, stop_item, out.getvalue(), len(chosen), anchors))
    laid = len(document.pages)
    del document
    return RangeResult(pieces, reached, items, time.perf_counter() - began, laid)


# --------------------------------------------------------------------------- the cache


def _piece_key(frame: str, items: list[str], section: int, start: int, stop: int, paper: str, font: str,
               environment: str, last: bool) -> str:
    """Key of the piece of items ``[start, stop)``: what its HTML is made of — the view model's
    document and 分野 fields (``frame``) and items ``start…stop`` (the witness ``stop`` included),
    or to the end for the 分野's last piece — with the stylesheet and the environment (templates
    included). The view model's dataclass ``repr`` stands for the HTML the templates make of it:
    a key costs microseconds instead of a template render per piece."""
    from . import partcache

    end = stop >= len(items)
    chosen = items[start:] if end else items[start:stop + 1]
    return partcache.key(f"piece {paper} {font} {section} {start} {'end' if end else 'witness'}",
                         "\n".join([frame, *chosen]), range_css(section, start, last), environment)


def _map_key(view, section: int, paper: str, font: str, environment: str) -> str:  # type: ignore[no-untyped-def]
    from . import partcache

    sec = view.sections[section]
    identity = "\n".join([str(section), str(sec.heading), str(len(sec.items)), repr(view.title_lines),
                          str(view.org_line)])
    return partcache.key(f"sync map {paper} {font}", identity, "", environment)


def _load_piece(name: str, section: int, start: int, stop: int) -> Piece | None:
    from . import partcache

    entry = partcache.load(name)
    if entry is None:
        return None
    try:
        anchors = {str(k): int(v) for k, v in entry.meta["anchors"].items()}
        return Piece(section, start, stop, entry.pdf, int(entry.meta["pages"]), anchors, fresh=False)
    except (KeyError, AttributeError, TypeError, ValueError):
        return None  # a header of another shape: lay it out again


def _load_map(name: str, count: int) -> list[int]:
    from . import partcache

    entry = partcache.load(name)
    try:
        starts = sorted({int(k) for k in entry.meta["starts"]}) if entry is not None else []
    except (KeyError, TypeError, ValueError):
        starts = []
    return [k for k in starts if 0 < k < count]


class _Section:
    """The state of one 分野 while its pieces are found and laid out."""

    def __init__(self, view, index: int, paper: str, font: str, run: Any) -> None:  # type: ignore[no-untyped-def]
        self.view, self.index, self.paper, self.font, self.run = view, index, paper, font, run
        sec = view.sections[index]
        self.count = len(sec.items)
        self.frame = repr(dataclasses.replace(view, sections=[], appendices=[])) + repr(
            dataclasses.replace(sec, items=[]))
        self.items = [repr(item) for item in sec.items]
        self.map_name = _map_key(view, index, paper, font, run.environment)
        old = _load_map(self.map_name, self.count)
        self.bounds = [0, *old, self.count]
        self.pieces: list[Piece] = []
        self.pos = 0
        #: Ranges that reached no cached piece: the next range tries twice as many (a layout that
        #: does not fall back into step costs at most about twice the rest of the 分野).
        self.misses = 0
        #: A legend printed at the foot of the table keeps with the last item (base.css): the
        #: last 分野 is then one piece, laid out with it.
        self.whole = index == len(view.sections) - 1 and view.legend_position == "foot"
        self.hits: dict[int, Piece] = {}  # piece start → cached piece (bounds of the old map)
        self.names: dict[tuple[int, int], str] = {}
        for a, b in zip(self.bounds, self.bounds[1:]):
            name = self.key(a, b)
            piece = _load_piece(name, index, a, b)
            if piece is not None:
                self.hits[a] = piece

    def key(self, start: int, stop: int) -> str:
        name = self.names.get((start, stop))
        if name is None:
            name = _piece_key(self.frame, self.items, self.index, start, stop, self.paper, self.font,
                              self.run.environment, self.index == len(self.view.sections) - 1)
            self.names[(start, stop)] = name
        return name

    def advance(self) -> Range | None:
        """Take cached pieces from ``pos`` on; the range to lay out next, or None when done."""
        while self.pos < self.count and self.pos in self.hits:
            piece = self.hits[self.pos]
            self.pieces.append(piece)
            self.pos = piece.stop
        if self.pos >= self.count:
            return None
        targets = tuple(sorted(k for k in self.hits if k > self.pos))
        if not targets or self.whole:
            return Range(self.index, self.pos, self.count)
        window = targets[:2 ** self.misses]
        return Range(self.index, self.pos, min(self.count, window[-1] + 2), targets)

    def take(self, r: Range, result: RangeResult) -> None:
        if result.reached <= r.start:  # no clean page top in the range: lay out to the 分野's end
            self.hits = {}
            return
        if result.reached not in self.hits:
            self.misses += 1
        self.pieces.extend(result.pieces)
        self.pos = result.reached
        self.hits = {k: v for k, v in self.hits.items() if k >= self.pos}


def render_sections_cached(view, paper: str, font: str, run: Any,  # type: ignore[no-untyped-def]
                           lay: Any = None) -> list[Piece]:
    """Every 分野 of ``view`` as pieces, from the part cache where they are kept, laid out where not.

    ``lay(ranges)`` lays out a round of ranges (one per 分野 still to do) and returns their
    :class:`RangeResult` in order; by default one after the other in this process.
    """
    from . import partcache

    sections = [_Section(view, i, paper, font, run) for i in range(len(view.sections))]
    lay = lay or (lambda ranges: lay_here(view, ranges))
    while True:
        todo = [(s, r) for s in sections if (r := s.advance()) is not None]
        if not todo:
            break
        results = lay([r for _, r in todo])
        for (s, r), result in zip(todo, results):
            s.take(r, result)
    pieces: list[Piece] = []
    for s in sections:
        heading = str(view.sections[s.index].heading)
        fresh = [p for p in s.pieces if p.fresh]
        for p in s.pieces:
            name = p.name = s.key(p.start, p.stop)
            run.keys.append(name)
            run.parts += 1
            if p.fresh:
                partcache.store(name, partcache.Entry(p.pdf, {"kind": "piece", "pages": p.pages,
                                                              "anchors": p.anchors}))
            else:
                run.reused += 1
        if fresh:
            run.relaid.append(heading)
        if fresh and len(fresh) < len(s.pieces):  # part of the 分野 came from the cache: say which part not
            items = view.sections[s.index].items
            first, last = _number(items[fresh[0].start].heading), _number(items[fresh[-1].stop - 1].heading)
            run.details[heading] = f"{heading} {first}" + ("" if first == last else f"–{last}")
        starts = [p.start for p in s.pieces if p.start > 0]
        partcache.store(s.map_name, partcache.Entry(b"", {"kind": "sync map", "starts": starts}))
        run.keys.append(s.map_name)
        pieces.extend(s.pieces)
    return pieces


def _number(heading: str) -> str:
    """An item's number as printed ("（１３）"), or the start of its heading."""
    if heading.startswith("（") and "）" in heading[:12]:
        return heading[:heading.index("）") + 1]
    return heading[:10] + ("…" if len(heading) > 10 else "")


def lay_here(view, ranges: list[Range]) -> list[RangeResult]:  # type: ignore[no-untyped-def]
    out = []
    for number, r in enumerate(ranges):
        if number:
            gc.collect()  # the previous range's boxes (cycles) go before the next is laid out
        out.append(lay_range(view, r, len(view.sections[r.section].items)))
    return out


# --------------------------------------------------------------------------- the join


def adopt(parent: Any, chain: list[Any]) -> bool:
    """Append the outline entries ``chain`` (pikepdf dictionaries, siblings in order) to ``parent``'s
    children, as one document's outline has them: a piece after a 分野's first holds its items'
    entries as top-level ones (it has no 分野 entry). Returns whether they are visible (the
    parent is open), i.e. count in the outline root's /Count."""
    last = parent.get("/Last")
    for item in chain:
        item.Parent = parent
    if last is None:
        parent.First = chain[0]
        if "/Prev" in chain[0]:
            del chain[0].Prev
    else:
        last.Next, chain[0].Prev = chain[0], last
    parent.Last = chain[-1]
    added = sum(1 + max(0, int(item.get("/Count", 0))) for item in chain)
    before = int(parent.get("/Count", 0))
    parent.Count = before - added if before < 0 else before + added
    return before >= 0
