"""Custom columns of ``report.columns`` in the workbook: one visible column per named field.

The tracker's own columns are fixed (項番 · 事業 · 実施概要 · 進捗状況 · 実施状況 ·
全国順位, then the hidden tag columns V:X); a report whose ``columns`` name
fields of its own (``具体的な取り組み``, ``前年度実績``…, docs/FORMAT.md,
"Columns") gets those as further columns from Y on, in the order the
columns give them, headed by their labels.  Built-in fields are not repeated:
the tracker shows them in its own columns.

Each entry's cell shows the entry's field, or — beside an item's first
entry — the item's field (the same rule as the PDF: an entry's field wins
over its item's).  The text written is kept in the payload, so the reader can
tell an edit from what was written and put it back where it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ..model.report import BUILTIN_FIELDS, Content, Entry, Item, Report
from .celltext import plain_text
from .measure import column_points
from .sheet import COL_AREA, COL_ROLE, LAST_PRINTED_COL, WIDTHS

__all__ = ["FIRST_FIELD_COL", "FieldColumn", "field_columns", "field_content", "field_text", "last_printed_col",
           "printed_points"]

#: The first custom column: after the hidden tag columns, so every column the
#: reader relies on keeps its place whatever the report's columns are.
FIRST_FIELD_COL = COL_ROLE + 1
#: Width (characters) of a custom column without a width, and the bounds of one.
DEFAULT_WIDTH = 24.0
MIN_WIDTH, MAX_WIDTH = 8.0, 60.0
#: The tracker's own printed width in characters (A:U): a column given as a
#: share of the PDF table ("30%") gets that share of it.
_OWN_WIDTH = sum(WIDTHS[c] for c in range(COL_AREA, LAST_PRINTED_COL + 1))
_PERCENT = re.compile(r"\s*(\d+(?:\.\d+)?)\s*%\s*")

Owner = Literal["entry", "item", ""]


@dataclass(frozen=True)
class FieldColumn:
    """One custom column: the field it shows, its header label, its sheet column and width."""

    name: str
    label: str
    col: int
    width: float


def _width(width: str | None) -> float:
    m = _PERCENT.fullmatch(width or "")
    if m is None:
        return DEFAULT_WIDTH
    return round(min(max(float(m.group(1)) / 100.0 * _OWN_WIDTH, MIN_WIDTH), MAX_WIDTH), 1)


def field_columns(report: Report) -> list[FieldColumn]:
    """The custom columns of ``report`` in sheet order (none without ``report.columns``).

    Writer and reader both derive the columns from the report, so the reader
    finds them where they were written without a map of its own.
    """
    out: list[FieldColumn] = []
    for column in report.columns or []:
        if column.field in BUILTIN_FIELDS or any(c.name == column.field for c in out):
            continue
        out.append(FieldColumn(column.field, column.label or column.field, FIRST_FIELD_COL + len(out),
                               _width(column.width)))
    return out


def field_content(item: Item, index: int, entry: Entry, name: str) -> tuple[Content | None, Owner]:
    """What the cell of field ``name`` beside ``entry`` shows, and whose field it is."""
    if name in entry.fields:
        return entry.fields[name], "entry"
    if index == 0 and name in item.fields:
        return item.fields[name], "item"
    return None, ""


def field_text(item: Item, index: int, entry: Entry, name: str, reached: int) -> str:
    """The cell text of field ``name`` beside ``entry`` (blocks as plain lines)."""
    return plain_text(field_content(item, index, entry, name)[0], reached)


def last_printed_col(fields: list[FieldColumn]) -> int:
    """The last column of the print area: U, or the last custom column."""
    return fields[-1].col if fields else LAST_PRINTED_COL


def printed_points(fields: list[FieldColumn]) -> float:
    """Printed width of the custom columns (the hidden V:X print nothing)."""
    return sum(column_points(f.width) for f in fields)

