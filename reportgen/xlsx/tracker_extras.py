"""Columns of their own in a hand-made tracker (担当グループ, 備考, 課題 …).

A tracker kept by hand often has a column reportgen's tracker does not:
who is in charge, remarks, next year's task.  Its header label is in the
header row beside 項番 … 実施状況; its cells belong to the entry of their row.
Before, each such cell was one "could not place" warning and the column
was lost from the import.  Now the column becomes a named field of each
entry (``fields: {担当グループ: 保健グループ}``, docs/FORMAT.md): kept in the
imported data, printed wherever ``report.columns`` names it, and one warning
per column says so.
"""

from __future__ import annotations

from typing import Any

from .tracker_cells import normal

__all__ = ["extra_columns", "field_name", "repeated_labels", "take_extras"]


def field_name(label: str) -> str:
    """A header label as a field name: one line, spaces taken out (担当\\nグループ → 担当グループ)."""
    return "".join(label.split())


def extra_columns(sheet: Any, row: int, known: dict[str, int], left: int, right_of_progress: int) -> list[tuple[int, str]]:
    """(column, field name) of the labelled header cells of ``row`` that name no column of the
    tracker: outside the 項番 span (from ``left``), the 進捗状況 span (``known['progress']`` …
    ``right_of_progress`` - 1) and the known columns."""
    taken = set(known.values())
    names: set[str] = set()
    out: list[tuple[int, str]] = []
    for c, _label in sheet.row_labels(row):
        if c in taken or (row, c) in sheet.covered or known["progress"] <= c < right_of_progress:
            continue
        if left <= c <= known["number"]:
            continue
        name = field_name(sheet.text(row, c))
        if not name or name.isdigit():
            continue
        base, n = name, 2
        while name in names:
            name, n = f"{base}（{n}）", n + 1
        names.add(name)
        out.append((c, name))
        sheet.take(row, c)
    return out


def repeated_labels(reader: Any, r: int) -> list[int]:
    """The columns of their own whose label row ``r`` repeats (a header on a new printed page)."""
    s = reader.sheet
    return [c for c, _name in reader.h.extras
            if not s.is_empty(r, c) and normal(s.text(r, c)) == normal(s.text(reader.h.row, c))]


def take_extras(reader: Any, r: int) -> None:
    """The cells of row ``r`` in the columns of their own: a line of the row's entry's field."""
    s = reader.sheet
    for c, name in reader.h.extras:
        if s.is_empty(r, c) or (r, c) in s.covered:
            continue
        text = s.text(r, c)
        if normal(text) == normal(s.text(reader.h.row, c)):
            s.take(r, c)        # the label repeated with a header on a new printed page
            continue
        s.take(r, c)
        entry = reader.ensure_entry(r)
        entry.fields.setdefault(name, []).append(text)
