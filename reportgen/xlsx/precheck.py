"""Checks before writing: text Excel would cut off is refused before any file is touched."""

from __future__ import annotations

from typing import Any, Iterator

from ..core.errors import Problem, ReportError
from ..model.report import Entry, Item, Report
from .celltext import plain_text
from .fieldcols import field_columns, field_content, field_text
from .sheet import MAX_CELL_CHARS
from .sheetlayout import plan_text


def _walk_strings(data: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for k, v in data.items():
            yield from _walk_strings(v, f"{path}.{k}" if path else str(k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _walk_strings(v, f"{path}[{i}]")


def entry_paths(report: Report) -> Iterator[tuple[str, Item, int, Entry]]:
    for s, section in enumerate(report.sections):
        for i, item in enumerate(section.items):
            for e, entry in enumerate(item.entries):
                yield f"sections[{s}].items[{i}].entries[{e}]", item, e, entry
        for g, group in enumerate(section.groups):
            for i, item in enumerate(group.items):
                for e, entry in enumerate(item.entries):
                    yield f"sections[{s}].groups[{g}].items[{i}].entries[{e}]", item, e, entry


def check_cell_lengths(report: Report, source: str) -> None:
    """Refuse text Excel would cut off silently (over 32,767 characters).

    Checked on the data and on the combined texts the workbook writes (the
    plan with its KPI line, the whole status in データ), before any file is
    touched, naming the field so the user knows what to shorten.
    """
    problems: list[Problem] = []
    reached = report.months_reached

    def too_long(path: str, text: str) -> None:
        if len(text) > MAX_CELL_CHARS:
            problems.append(Problem(source, None, path,
                                    f"text of {len(text):,} characters; an Excel cell holds at most "
                                    f"{MAX_CELL_CHARS:,}"))

    for path, text in _walk_strings(report.to_dict(), ""):
        too_long(path, text)
    flagged = [p.path for p in problems]
    fields = field_columns(report)
    for path, item, index, entry in entry_paths(report):
        for name, text in (("plan", plan_text(report, item, index, entry, reached).plan),
                           ("status", plain_text(entry.status, reached)),
                           *((f"fields.{f.name}", field_text(item, index, entry, f.name, reached)) for f in fields)):
            where = f"{path}.{name}"
            if name.startswith("fields.") and field_content(item, index, entry, name[len("fields."):])[1] == "item":
                where = f"{path.rsplit('.entries[', 1)[0]}.{name}"   # the item's field, shown beside its first entry
            if not any(p == where or p.startswith((where + ".", where + "[")) for p in flagged):
                too_long(where, text)
    if problems:
        raise ReportError(problems)
