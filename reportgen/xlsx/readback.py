"""Cell values as the tracker shows them: names of cells, "same as written", 全国順位 texts.

The small rules every part of the reader shares: :mod:`.scan` collects what
the sheet shows, :mod:`.entryedits` applies an entry's cells (and
:mod:`.gridedits` its grid figures), :mod:`.structure` rebuilds sections,
groups, items and order, :mod:`.generated` reports edits of generated cells.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

from ..core.errors import Problem
from ..model.report import Entry, National

__all__ = ["UNCOMPUTED_TEXT", "apply_rank", "cell_name", "parse_rank", "same_value"]

#: A formula typed into a text cell (status, plan, mark, 項番 …) that no spreadsheet
#: program has computed: its ``=…`` text is not what anyone meant to print.
UNCOMPUTED_TEXT = ("a formula whose value was never computed: type the text, or save the workbook in "
                   "Excel or LibreOffice first")

def cell_name(sheet: str, row: int, col: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{sheet}!{get_column_letter(col)}{row}"


def same_value(written: Any, seen: Any) -> bool:
    """Whether a cell still holds what was written (numbers compared as numbers)."""
    if isinstance(written, str) and isinstance(seen, str):
        return written.replace("\r\n", "\n").rstrip() == seen.replace("\r\n", "\n").rstrip()
    if written in (None, "") and seen in (None, ""):
        return True
    if isinstance(written, _dt.timedelta) and isinstance(seen, (_dt.timedelta, _dt.time)):
        if isinstance(seen, _dt.time):
            seen = _dt.timedelta(hours=seen.hour, minutes=seen.minute, seconds=seen.second)
        return abs((written - seen).total_seconds()) < 30
    if isinstance(written, _dt.date) and isinstance(seen, _dt.datetime):
        return written == seen.date()
    if isinstance(written, (int, float)) and isinstance(seen, (int, float)) \
            and not isinstance(written, bool) and not isinstance(seen, bool):
        return abs(written - seen) <= 1e-9 * max(1.0, abs(written))
    if isinstance(written, (int, float)) and isinstance(seen, str):
        return seen.strip() == str(written)
    return bool(written == seen)


_RANK_RE = re.compile(r"^\s*(?:(\d+)\s*位)?\s*(?:[（(]\s*前月\s*(\d+)\s*位\s*[）)])?\s*$")


def parse_rank(text: str) -> tuple[int | None, int | None] | None:
    """"46位 (前月46位)" → (46, 46); None when the text is not in that shape."""
    import unicodedata

    m = _RANK_RE.match(unicodedata.normalize("NFKC", text))
    if not m:
        return None
    return (int(m.group(1)) if m.group(1) else None, int(m.group(2)) if m.group(2) else None)



def apply_rank(entry: Entry, text: str, written: str, where: str, source: str,
               problems: list[Problem]) -> None:
    """全国順位 cell edited: rank and previous month's rank of the entry's KPI."""
    if text.strip() == written.strip():
        return
    parsed = parse_rank(text)
    if parsed is None:
        problems.append(Problem(source, None, where, f"{text!r} is not a rank such as '46位 (前月46位)'"))
        return
    if entry.kpi is None:
        if parsed != (None, None):
            problems.append(Problem(source, None, where, "全国順位 of an entry without a KPI cannot be kept "
                                                        "(give the entry a kpi in the data)"))
        return
    national = entry.kpi.national or National()
    national.rank, national.rank_prev = parsed
    entry.kpi.national = None if parsed == (None, None) and national.average is None else national
