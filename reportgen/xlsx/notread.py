"""What a workbook holds that no reader takes in: comments (notes) and sheets of its own.

Staff annotate trackers: a note on a cell, a sheet of memos beside the
tracker.  Neither can become report data, but dropping them without a word
would let someone believe the note travelled with the report.  Each one is a
located warning instead (the readers of reportgen trackers and of hand-made
ones both call these).
"""

from __future__ import annotations

from typing import Any, Iterable

from ..core.errors import Problem
from .fastload import CachedValues, filled_cells

__all__ = ["comment_warnings", "other_sheet_warnings"]


def comment_warnings(cached: CachedValues, source: str) -> list[Problem]:
    """One warning per comment (note) of any sheet."""
    out: list[Problem] = []
    for title, comments in cached.comments.items():
        for ref, text in comments:
            out.append(Problem(source, None, f"{title}!{ref}",
                               f"not read back: the comment (note) on this cell {text.strip()[:60]!r}; "
                               "write what matters into the cells"))
    return out


def other_sheet_warnings(wb: Any, read: Iterable[str], source: str) -> list[Problem]:
    """One warning per sheet with content that no reader reads (very hidden sheets are the
    tools' own and pass)."""
    taken = set(read)
    out: list[Problem] = []
    for ws in wb.worksheets:
        if ws.title in taken or getattr(ws, "sheet_state", "visible") == "veryHidden":
            continue
        cells = sorted((r, c) for r, c, _v in filled_cells(ws))
        if not cells:
            continue
        first = ws.cell(*cells[0]).coordinate
        out.append(Problem(source, None, f"{ws.title}!{first}",
                           f"not read back: sheet {ws.title!r} is not read ({len(cells)} cells with content)"))
    return out
