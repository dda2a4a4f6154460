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

__all__ = ["BLOCK", "MAX_BLOCK", "blocks", "join_blocks"]

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


def join_blocks(pieces: list[Piece], run: Any) -> list[PartResult]:
    """The parts the document is joined from: each block of pieces as one PDF (from the part
    cache when kept), a block of one piece as the piece itself."""
    from . import partcache

    results: list[PartResult] = []
    for group in blocks(pieces):
        continues = group[0].start > 0
        if len(group) == 1:
            p = group[0]
            results.append(PartResult(len(results), p.pdf, p.pages, p.anchors, continues=continues))
            continue
        name = partcache.key("block", "\n".join(p.name for p in group), "", run.environment)
        run.keys.append(name)
        entry = partcache.load(name)
        if entry is not None:
            try:
                anchors = {str(k): int(v) for k, v in entry.meta["anchors"].items()}
                results.append(PartResult(len(results), entry.pdf, int(entry.meta["pages"]), anchors,
                                          continues=continues))
                continue
            except (KeyError, AttributeError, TypeError, ValueError):
                pass  # a header of another shape: join it again
        parts = [PartResult(n, p.pdf, p.pages, p.anchors, continues=p.start > 0) for n, p in enumerate(group)]
        anchors: dict[str, int] = {}
        offset = 0
        for p in group:
            for anchor, page in p.anchors.items():
                anchors.setdefault(anchor, offset + page)
            offset += p.pages
        pdf = join_parts(parts, None, None)
        partcache.store(name, partcache.Entry(pdf, {"kind": "block", "pages": offset, "anchors": anchors}))
        results.append(PartResult(len(results), pdf, offset, anchors, continues=continues))
    return results
