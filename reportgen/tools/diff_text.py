"""Comparing values as a reader sees them: matching keys, pairing, brief text edits, printed figures.

:mod:`reportgen.tools.differ` walks two reports with these: :func:`match` pairs
sections, items and entries by keys in turn; :func:`text_change` quotes the
first edited sentence rather than a wall of text diff; :func:`figure_pair`
shows values as printed (96.5％, 2,974件), or the raw numbers when both print
the same.
"""

from __future__ import annotations

import difflib
import unicodedata
from typing import Any, Callable, Sequence, TypeVar

from ..model.numbers import cell_format, format_value
from ..model.report import Block, BulletsBlock, Content, NoteBlock, TextBlock, blocks_of

__all__ = ["EXCERPT_CHARS", "changed_cells", "table_rows_matched", "excerpt", "figure_pair", "match", "norm", "prose", "quoted",
           "reordered", "text_change"]

T = TypeVar("T")

#: Longest quoted excerpt of a changed text.
EXCERPT_CHARS = 40


def norm(value: Any) -> str:
    """A matching key: NFKC (（２） = (2)), whitespace removed."""
    if value is None:
        return ""
    return "".join(unicodedata.normalize("NFKC", str(value)).split())



def match(old: Sequence[T], new: Sequence[T], keys: Sequence[Callable[[int, T], Any]]
          ) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Pair elements of ``old`` and ``new``: by each key in turn, unique keys only.

    Returns (pairs of indices in new order, unmatched old indices, unmatched new indices).
    """
    left = set(range(len(old)))
    right = set(range(len(new)))
    pairs: list[tuple[int, int]] = []
    def index(key: Callable[[int, T], Any], side: Sequence[T], free: set[int]) -> dict[Any, int]:
        """Key → index, for keys that occur once among the free elements."""
        seen: dict[Any, list[int]] = {}
        for i in sorted(free):
            k = key(i, side[i])
            if k not in (None, "", ()):
                seen.setdefault(k, []).append(i)
        return {k: v[0] for k, v in seen.items() if len(v) == 1}

    for key in keys:
        by_new = index(key, new, right)
        by_old = index(key, old, left)
        for k, i in by_old.items():
            j = by_new.get(k)
            if j is not None:
                pairs.append((i, j))
                left.discard(i)
                right.discard(j)
    pairs.sort(key=lambda p: p[1])
    return pairs, sorted(left), sorted(right)


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _sentences(text: str) -> list[str]:
    """Lines split after 。 so that an edit is reported by the sentence it touches."""
    out: list[str] = []
    for line in text.splitlines():
        current = ""
        for ch in line:
            current += ch
            if ch in "。．！？":
                out.append(current)
                current = ""
        if current.strip():
            out.append(current)
    return [s.strip() for s in out if s.strip()]


def _around(old: str, new: str, limit: int = EXCERPT_CHARS) -> str:
    """An excerpt of ``new`` starting a little before where it departs from ``old``."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    begin = max(0, start - 8)
    text = ("…" if begin else "") + new[begin:]
    return excerpt(text, limit)


def text_change(old: str, new: str) -> str:
    """A brief description of how ``old`` became ``new``: the first edited sentence, quoted."""
    a, b = _sentences(old), _sentences(new)
    ops = [op for op in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes() if op[0] != "equal"]
    if not ops:
        return "（空白・改行のみ）" if old != new else ""
    tag, i1, i2, j1, j2 = ops[0]
    if tag == "insert":
        brief = f"追加「{excerpt(''.join(b[j1:j2]))}」"
    elif tag == "delete":
        brief = f"削除「{excerpt(''.join(a[i1:i2]))}」"
    else:
        brief = f"変更「{_around(''.join(a[i1:i2]), ''.join(b[j1:j2]))}」"
    if len(ops) > 1:
        brief += f" ほか {len(ops) - 1} か所"
    return brief


def _block_text(block: Block) -> str:
    head = f"{block.heading}\n" if block.heading else ""
    if isinstance(block, TextBlock):
        return head + block.text
    if isinstance(block, NoteBlock):
        return head + "※" + block.text
    if isinstance(block, BulletsBlock):
        return head + "\n".join(block.bullet + item for item in block.items)
    return head


def prose(content: Content | None) -> str:
    """The running text of content (text, bullets, notes; tables and series apart)."""
    return "\n".join(_block_text(b) for b in blocks_of(content)
                     if isinstance(b, (TextBlock, NoteBlock, BulletsBlock)) or b.heading)


def _value_text(value: Any, fmt: str) -> str | None:
    if value is None:
        return None
    try:
        return format_value(value, cell_format(value, fmt))
    except (TypeError, ValueError):
        return str(value)


def figure_pair(old: Any, new: Any, old_fmt: str, new_fmt: str) -> tuple[str | None, str | None]:
    """Printed old/new values; the raw numbers when both print the same."""
    a, b = _value_text(old, old_fmt), _value_text(new, new_fmt)
    if a == b and old != new:
        return str(old), str(new)
    return a, b



def reordered(pairs: Sequence[tuple[int, int]]) -> bool:
    """Whether matched things appear in another order (a move, not an addition)."""
    olds = [i for i, _j in sorted(pairs, key=lambda p: p[1])]
    return olds != sorted(olds)



def quoted(caption: str | None) -> str:
    return f"「{caption}」" if caption else ""


def changed_cells(a: dict[str, Any], b: dict[str, Any]) -> int:
    rows_a = a.get("header", []) + a.get("rows", [])
    rows_b = b.get("header", []) + b.get("rows", [])
    n = 0
    for k in range(max(len(rows_a), len(rows_b))):
        ra = rows_a[k] if k < len(rows_a) else []
        rb = rows_b[k] if k < len(rows_b) else []
        n += sum(1 for c in range(max(len(ra), len(rb)))
                 if (ra[c] if c < len(ra) else None) != (rb[c] if c < len(rb) else None))
    return n


def _row_label(row: list[Any]) -> str:
    first = row[0] if row else None
    return norm(first.get("value") if isinstance(first, dict) else first)


def table_rows_matched(a: dict[str, Any], b: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], list[str], list[str]]:
    """Two tables' body rows paired by their first cell (訪問, 電話 …) when rows were added or
    removed (the counts differ) and the labels are unique on both sides: the tables with only the paired rows, and the labels of the rows
    added and removed.  A row typed into a table is then "文書 行 追加", not every later
    row "changed"."""
    rows_a, rows_b = a.get("rows", []), b.get("rows", [])
    labels_a, labels_b = [_row_label(r) for r in rows_a], [_row_label(r) for r in rows_b]
    if len(rows_a) == len(rows_b) or len(set(labels_a)) != len(labels_a) or len(set(labels_b)) != len(labels_b):
        return a, b, [], []
    kept = [x for x in labels_a if x in labels_b]
    paired_a = {**a, "rows": [r for r, x in zip(rows_a, labels_a) if x in labels_b]}
    paired_b = {**b, "rows": [rows_b[labels_b.index(x)] for x in kept]}
    added = [str(_first_text(r)) for r, x in zip(rows_b, labels_b) if x not in labels_a]
    removed = [str(_first_text(r)) for r, x in zip(rows_a, labels_a) if x not in labels_b]
    return paired_a, paired_b, added, removed


def _first_text(row: list[Any]) -> Any:
    first = row[0] if row else ""
    return first.get("value") if isinstance(first, dict) else first
