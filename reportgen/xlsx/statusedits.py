"""An entry's status text rows read back: edited, emptied, deleted and added rows.

The writer puts each piece of a status (a block's text, its heading, a table's
caption) on rows tagged ``sN``, ``sNh``, ``sNc`` (``~k`` for the k-th row of a
long text); the payload keeps the text written for each piece.  What the rows
show now decides the status:

* a piece whose text differs was edited;
* a piece whose rows were all deleted was deleted: a block without its body
  and heading rows goes, a heading or caption row deleted takes the heading or
  caption off (a table's caption stays while its grid is kept, see gridedits);
* a block whose text was cleared goes as well (an empty paragraph prints as a
  gap, never as what someone meant);
* text typed into rows of no piece joins the status after the block it follows.

Why here and not in the cell rules: deleting a paragraph's row is how staff
delete a paragraph, and before this module such a deletion was silently
undone (the block came back from the payload).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..model.report import Block, BulletsBlock, Entry, NoteBlock, SeriesBlock, TableBlock, TextBlock, blocks_of
from .scan import PIECE_RE, Seen, same_text

__all__ = ["StatusEdits", "status_edits"]


@dataclass
class StatusEdits:
    """The status as the sheet shows it, and rows of pieces the entry never had."""

    status: Any
    #: (row, piece tag) of text rows that belong to no piece written for this entry
    leftovers: list[tuple[int, str]] = field(default_factory=list)


def _joined(chunks: dict[int, str], info: dict[str, Any]) -> str:
    """A piece's text from its rows (a row deleted from a long text is an empty chunk)."""
    seps = list(info.get("seps") or [])
    text = chunks.get(0, "")
    for k in range(1, len(seps) + 1):
        text += (seps[k - 1] if isinstance(seps[k - 1], str) else "") + chunks.get(k, "")
    return text


def _place(base: str) -> int | None:
    m = PIECE_RE.fullmatch(base)
    return int(m.group(1)) if m else None


def _body(block: Block, text: str) -> Block | None:
    """``block`` with its body text replaced; None when nothing of it is left."""
    if isinstance(block, NoteBlock):
        block.text = text.removeprefix("※")
        empty = not block.text.strip()
    elif isinstance(block, BulletsBlock):
        block.items = [line.removeprefix(block.bullet).strip() for line in text.split("\n") if line.strip()]
        empty = not block.items
    elif isinstance(block, TextBlock):
        block.text = text
        empty = not text.strip()
    else:
        return block
    if not empty:
        return block
    if block.heading:
        return TextBlock(text="", heading=block.heading)
    return None


def status_edits(entry: Entry, seen: Seen, pieces: dict[str, Any]) -> StatusEdits:
    """What ``entry.status`` becomes given the rows ``seen`` shows and the ``pieces`` written."""
    was_text = isinstance(entry.status, str)
    blocks: list[Block | None] = list(blocks_of(entry.status))
    out = StatusEdits(entry.status)
    for base in seen.pieces:
        if not isinstance(pieces.get(base), dict):
            out.leftovers.append((seen.piece_rows.get(base, seen.row), base))
    seen_pieces = dict(seen.pieces)
    extras = []
    for after, text in seen.extra:
        # a row whose hidden tag was cleared, in its place, still shows its piece: it is that piece
        lost = next((b for b, info in pieces.items() if b not in seen_pieces and isinstance(info, dict)
                     and _place(b) in (after, 0 if after is None else after + 1) and same_text(text, str(info.get("text", "")))),
                    None)
        if lost is None:
            extras.append((after, text))
        else:
            seen_pieces[lost] = {0: str(pieces[lost].get("text", ""))}
    changed = False
    for base, info in pieces.items():
        m = PIECE_RE.fullmatch(base)
        if not isinstance(info, dict) or m is None or int(m.group(1)) >= len(blocks):
            continue
        index, part = int(m.group(1)), m.group(2)
        chunks = seen_pieces.get(base)
        text = "" if chunks is None else _joined(chunks, info)
        if same_text(text, str(info.get("text", ""))):
            continue
        block = blocks[index]
        if block is None:
            continue
        if part == "c" and isinstance(block, TableBlock) and chunks is None and str(index) not in seen.grids:
            continue  # the whole table was deleted: gridedits keeps it and says so
        changed = True
        if part == "h":
            block.heading = text or None
            if chunks is None and f"s{index}" not in pieces and not isinstance(block, (SeriesBlock, TableBlock)):
                blocks[index] = None   # a heading-only block whose row went
        elif part == "c" and isinstance(block, TableBlock):
            block.table.caption = text or None
        else:
            blocks[index] = _body(block, text)
    by_place: dict[int | None, list[str]] = {}
    if seen.empty_status and seen.empty_status.strip() and entry.status is None:
        by_place[-1] = [seen.empty_status]     # typed into the row of an empty status
        changed = True
    for after, text in extras:
        by_place.setdefault(after if after is None or after < len(blocks) else None, []).append(text)
        changed = True
    if not changed:
        return out
    result: list[Block] = [TextBlock(t) for t in by_place.get(-1, [])]
    for index, block in enumerate(blocks):
        if block is not None:
            result.append(block)
        result.extend(TextBlock(t) for t in by_place.get(index, []))
    result.extend(TextBlock(t) for t in by_place.get(None, []))
    if not result:
        out.status = None
    elif was_text or entry.status is None:
        if all(isinstance(b, TextBlock) and not b.heading for b in result):
            out.status = "\n\n".join(b.text for b in result if isinstance(b, TextBlock))
        else:
            out.status = result
    else:
        out.status = result
    return out
