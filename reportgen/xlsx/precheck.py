"""Checks before writing: text Excel would cut off is refused before any file is touched."""

from __future__ import annotations

from typing import Any, Iterator

from ..core.errors import Problem, ReportError
from ..core.locations import PathKey, format_path
from ..model.report import Entry, Item, Report
from .celltext import plain_text
from .fieldcols import field_columns, field_content, field_text
from .sheet import MAX_CELL_CHARS
from .rows import Layout

#: Rows under the body: the gap and the mark summary with its legend (at most).
SUMMARY_ROWS = 12


def _walk_strings(data: Any, path: PathKey) -> Iterator[tuple[PathKey, str]]:
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for k, v in data.items():
            yield from _walk_strings(v, path + (str(k),))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _walk_strings(v, path + (i,))


def entry_paths(report: Report) -> Iterator[tuple[str, Item, int, Entry]]:
    for s, section in enumerate(report.sections):
        for i, item in enumerate(section.items):
            for e, entry in enumerate(item.entries):
                yield f"sections[{s}].items[{i}].entries[{e}]", item, e, entry
        for g, group in enumerate(section.groups):
            for i, item in enumerate(group.items):
                for e, entry in enumerate(item.entries):
                    yield f"sections[{s}].groups[{g}].items[{i}].entries[{e}]", item, e, entry


def _entry_keys(report: Report) -> Iterator[tuple[PathKey, PathKey, Item, int, Entry]]:
    """(entry key, item key, item, index, entry) of every entry, keys as the validator's paths."""
    for s, section in enumerate(report.sections):
        for i, item in enumerate(section.items):
            for e, entry in enumerate(item.entries):
                yield ("sections", s, "items", i, "entries", e), ("sections", s, "items", i), item, e, entry
        for g, group in enumerate(section.groups):
            for i, item in enumerate(group.items):
                key = ("sections", s, "groups", g, "items", i)
                for e, entry in enumerate(item.entries):
                    yield key + ("entries", e), key, item, e, entry


def long_cells(report: Report, data: Any = None, *, each_text: bool = True) -> list[tuple[PathKey, str]]:
    """Texts Excel would cut off (over 32,767 characters), with the field each comes from.

    Checked on the data and on the combined texts the workbook writes (the
    plan with its KPI line, the whole status in データ, custom columns), so
    that validation can refuse them: a report that validates must render as
    a workbook too.  ``data``: the data the report was validated from (its
    paths are the report's), saving a ``to_dict``; ``each_text=False`` leaves
    out the check of every single text (the validator bounds those itself).
    """
    out: list[tuple[PathKey, str]] = []
    reached = report.months_reached

    def too_long(key: PathKey, text: str) -> None:
        if len(text) > MAX_CELL_CHARS:
            out.append((key, f"text of {len(text):,} characters; an Excel cell holds at most {MAX_CELL_CHARS:,}"))

    if data is None:
        data = report.to_dict()
    if each_text:
        for key, text in _walk_strings(data, ()):
            too_long(key, text)
    flagged = [k for k, _m in out]
    fields = field_columns(report)
    bounds: dict[PathKey, int] = {}
    for key, item_key, item, index, entry in _entry_keys(report):
        try:
            if item_key not in bounds:
                bounds[item_key] = _bound(_subtree(data, item_key))
            if bounds[item_key] <= MAX_CELL_CHARS:
                continue    # formatting every figure (Babel) costs far more than this bound
        except (KeyError, IndexError, TypeError):
            pass            # data of another shape: measure the texts themselves
        from .sheetlayout import plan_text   # the layout imports openpyxl: only for a text this long

        texts: list[tuple[PathKey, str]] = [
            (key + ("plan",), plan_text(report, item, index, entry, reached).plan),
            (key + ("status",), plain_text(entry.status, reached)),
        ]
        for f in fields:
            owner = field_content(item, index, entry, f.name)[1]
            texts.append(((item_key if owner == "item" else key) + ("fields", f.name),
                          field_text(item, index, entry, f.name, reached)))
        for where, text in texts:
            if not any(k[:len(where)] == where for k in flagged):
                too_long(where, text)
                flagged = [k for k, _m in out]   # an item's field shown by each of its entries: once
    return out


#: Room a figure, a list element and a generated label (月, 計…) may take as text, at most.
_FIGURE_CHARS = 48
_ELEMENT_CHARS = 64


def _subtree(data: Any, key: PathKey) -> Any:
    for part in key:
        data = data[part]
    return data


def _bound(data: Any) -> int:
    """More characters than any cell text made from ``data`` can have: strings as they
    are, each figure at its widest with the longest unit of a format in ``data``, each
    element with room for a generated label (月, 計…).  One pass over ``data``."""
    chars = figures = elements = unit = 0
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            chars += len(value) + 2
        elif isinstance(value, dict):
            elements += len(value)
            for k, v in value.items():
                if k in ("format", "formats"):
                    unit = max([unit, *(len(x) for x in (v if isinstance(v, list) else [v]) if isinstance(x, str))])
                stack.append(v)
        elif isinstance(value, list):
            elements += len(value) + 1
            stack.extend(value)
        else:
            figures += 1
    return chars + figures * (_FIGURE_CHARS + unit) + elements * _ELEMENT_CHARS


def readback_problems(layout: Layout, header_row: int, source: str) -> list[Problem]:
    """The workbook would be larger than reportgen reads back (reportgen.xlsx.limits):
    it prints and can be edited, but a person's edits could not come back.

    Rows and merged cells are counted from the layout before anything is
    written; they are the limits a large tracker meets first (a 1,000-entry
    tracker: 4,700 rows, 63,000 merged cells).
    """
    from .limits import MAX_MERGED_CELLS, MAX_ROWS

    rows = header_row + len(layout.rows) + SUMMARY_ROWS
    merged = sum((s.last - s.first + 1) * ((s.last_col or s.col) - s.col + 1) for s in layout.spans)
    merged += sum((c.last_col - c.col + 1) for row in layout.rows for c in row.cells if c.last_col)
    out = []
    for what, count, limit in (("rows", rows, MAX_ROWS), ("merged cells", merged, MAX_MERGED_CELLS)):
        if count > limit:
            out.append(Problem(source, None, "", f"the workbook has about {count:,} {what}; reportgen reads back "
                                                 f"trackers of at most {limit:,}: it prints and can be edited, but "
                                                 "edits cannot be read back (split the report, e.g. one per 分野)"))
    return out


def check_cell_lengths(report: Report, source: str) -> None:
    """Refuse text Excel would cut off silently, before any file is touched, naming the
    field so the user knows what to shorten (:func:`long_cells`)."""
    problems = [Problem(source, None, format_path(key), message) for key, message in long_cells(report)]
    if problems:
        raise ReportError(problems)
