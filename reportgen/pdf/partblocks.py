"""Blocks of pieces joined ahead, so that the join after an edit handles a dozen PDFs, not a hundred.

A 1,000-entry report is some 80 pieces (:mod:`reportgen.partsync`); joining
them merges 80 copies of each font (:mod:`reportgen.pdf.fontpack`), which cost
more than the few pages an edit lays out again. So consecutive pieces of a
分野 are grouped in *blocks*, each joined (pages, named destinations, outline,
fonts merged; no page numbers) and kept in the part cache under the digest of
its pieces' keys. After an edit only the block holding a new piece is joined
again; the document is then joined from the blocks.

Block boundaries are chosen by content, not by position: a block ends after a
piece whose key's digest falls in one of :data:`BLOCK` buckets (and at the end
of each 分野, or after :data:`MAX_BLOCK` pieces), so a piece that splits in two
or an item inserted moves the boundaries only around it and the other blocks
keep their keys.
"""

from __future__ import annotations

from typing import Any

from .partjoin import join_parts
from .partplan import PartResult
from .partsync import Piece

__all__ = ["BLOCK", "DEFER_BLOCKS", "MAX_BLOCK", "blocks", "join_blocks", "join_pending", "store_block"]

#: About one piece in this many ends a block.
BLOCK = 8
#: A block holds at most this many pieces.
MAX_BLOCK = 16


def blocks(pieces: list[Piece]) -> list[list[Piece]]:
    """``pieces`` in consecutive groups: never across a 分野 boundary, ended by the pieces' keys."""
    out: list[list[Piece]] = []
    current: list[Piece] = []
    for piece in pieces:
        if current and (piece.start == 0 or len(current) >= MAX_BLOCK):
            out.append(current)
            current = []
        current.append(piece)
        if int(piece.name[:8] or "0", 16) % BLOCK == 0:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


#: A render that finds at most this many blocks missing from the cache (an edit: one or two)
#: joins their pieces straight into the document and leaves the blocks' own joins for later
#: (:func:`join_pending`, which ``watch`` runs once the PDF is written): a block join is
#: a font merge of its own, paid twice on the path to the new PDF otherwise (issue #16).
DEFER_BLOCKS = 2


def join_blocks(pieces: list[Piece], run: Any, defer: bool = True) -> list[PartResult]:
    """The parts the document is joined from: each block of pieces as one PDF (from the part
    cache when kept), a block of one piece as the piece itself. With ``defer``, the pieces of
    at most :data:`DEFER_BLOCKS` blocks not in the cache are parts of their own, and those
    blocks are left in ``run.pending`` for :func:`join_pending`."""
    from . import partcache

    groups = blocks(pieces)
    found: dict[int, PartResult] = {}
    names: dict[int, str] = {}
    for number, group in enumerate(groups):
        if len(group) == 1:
            continue
        name = names[number] = partcache.key("block", "\n".join(p.name for p in group), "", run.environment)
        run.keys.append(name)
        entry = partcache.load(name)
        if entry is not None:
            try:
                anchors = {str(k): int(v) for k, v in entry.meta["anchors"].items()}
                found[number] = PartResult(0, entry.pdf, int(entry.meta["pages"]), anchors,
                                           continues=group[0].start > 0)
            except (KeyError, AttributeError, TypeError, ValueError):
                pass  # a header of another shape: join it again
    later = defer and len(names) - len(found) <= DEFER_BLOCKS
    results: list[PartResult] = []
    for number, group in enumerate(groups):
        if number in found:
            results.append(found[number])
        elif len(group) == 1 or later:
            results.extend(PartResult(0, p.pdf, p.pages, p.anchors, continues=p.start > 0) for p in group)
            if len(group) > 1:
                run.pending.append((names[number], group))
        else:
            results.append(store_block(names[number], group))
    for number, result in enumerate(results):
        result.index = number
    return results


def store_block(name: str, group: list[Piece]) -> PartResult:
    """Join the pieces of one block, keep the result in the part cache under ``name``."""
    from . import partcache

    parts = [PartResult(n, p.pdf, p.pages, p.anchors, continues=p.start > 0) for n, p in enumerate(group)]
    anchors: dict[str, int] = {}
    offset = 0
    for p in group:
        for anchor, page in p.anchors.items():
            anchors.setdefault(anchor, offset + page)
        offset += p.pages
    pdf = join_parts(parts, None, None)
    partcache.store(name, partcache.Entry(pdf, {"kind": "block", "pages": offset, "anchors": anchors}))
    return PartResult(0, pdf, offset, anchors, continues=group[0].start > 0)


def join_pending(run: Any) -> int:
    """Join and keep the blocks a render left for later (``run.pending``); how many."""
    pending, run.pending = run.pending, []
    for name, group in pending:
        store_block(name, group)
    return len(pending)
