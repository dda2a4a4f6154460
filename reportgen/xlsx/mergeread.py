"""Cells merged by hand across two entries of the tracker.

Excel keeps only the top-left cell of a merged range: merging the status
cells of two entries (E27:S28) empties the second entry's cell, and the
reader then reads that entry's text, plan or mark as cleared.  The tracker
never writes such a range (its merges stay inside one entry's rows, except
分野, 項番 and 事業 in columns A:C, which span an item's entries), so one found
is a person's merge: it gets a located warning, the cleared cell is read as
what the sheet shows.
"""

from __future__ import annotations

from typing import Any, Iterable

from ..core.errors import Problem
from .sheet import COL_PLAN, COL_RANK

__all__ = ["MERGED_ACROSS", "merged_across_entries"]

MERGED_ACROSS = ("merged across two entries: Excel keeps only the top-left cell, so the entry that starts in row "
                 "{row} reads as empty in the merged columns (unmerge the cells and type its text again)")


def merged_across_entries(ws: Any, entry_rows: Iterable[int], source: str) -> list[Problem]:
    """One warning per merged range over the columns 実施概要…全国順位 that covers the first
    row of an entry other than its own top row."""
    starts = sorted(set(entry_rows))
    out: list[Problem] = []
    if not starts:
        return out
    from bisect import bisect_right

    for rng in ws.merged_cells.ranges:
        if rng.max_col < COL_PLAN or rng.min_col > COL_RANK or rng.max_row == rng.min_row:
            continue
        i = bisect_right(starts, rng.min_row)
        if i < len(starts) and starts[i] <= rng.max_row:
            out.append(Problem(source, None, f"{ws.title}!{rng.coord}", MERGED_ACROSS.format(row=starts[i])))
    return out
