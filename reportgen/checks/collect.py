"""Which warnings a valid report earns before it is rendered.

:mod:`reportgen.core.reportwarnings` defines the kinds; this module finds them:
characters the bundled font lacks, figures after the period's last month,
stated marks the figures contradict.  The renderers and the command line call
:func:`report_warnings` once per report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator

from ..core.errors import Problem
from ..core.locations import PathKey, format_path
from ..core.reportwarnings import (
    GlyphWarning,
    LineOf,
    MarkWarning,
    ReportWarning,
    TruncationWarning,
    UnprintedWarning,
)

if TYPE_CHECKING:  # pragma: no cover
    from ..model.report import Report

__all__ = ["report_warnings", "truncated_series", "unprinted_data"]


def _series(data: Any, path: PathKey) -> Iterator[tuple[PathKey, dict[str, Any]]]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "series" and isinstance(value, dict) and isinstance(value.get("rows"), list):
                yield path + (key,), value
            else:
                yield from _series(value, path + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _series(value, path + (i,))


def truncated_series(report: Report, *, source: str = "<report>",
                     line_of: LineOf | None = None, data: dict[str, Any] | None = None) -> list[Problem]:
    """One problem per series row holding values after the period's last month or quarter.

    The grid prints only the months the period reached (``period: Q1`` → 4–6月),
    so a later value would silently not appear.
    """
    from ..model.calendar import month_label, FISCAL_MONTHS
    from ..model.grids import QUARTER_LABELS

    try:
        reached = report.period_info.months_reached(report.fiscal_year)
    except ValueError:
        return []
    out: list[Problem] = []
    for path, series in _series(report.to_dict() if data is None else data, ()):
        monthly = series.get("kind", "monthly") == "monthly"
        shown = reached if monthly else -(-reached // 3)
        labels = [month_label(m) for m in FISCAL_MONTHS] if monthly else list(QUARTER_LABELS)
        for i, row in enumerate(series["rows"]):
            values = row.get("values") or []
            late = [k for k in range(shown, len(values)) if values[k] is not None]
            if not late:
                continue
            where = path + ("rows", i, "values")
            first, last = labels[late[0]], labels[min(late[-1], len(labels) - 1)]
            span = first if first == last else f"{first}–{last}"
            out.append(Problem(
                source, line_of(where) if line_of else None, format_path(where),
                f"{len(late)} value(s) for {span} are not printed: the period {report.period} "
                f"ends at {labels[shown - 1] if shown else 'its start'}",
            ))
    return out


_MEASURE_PAGE_KEYS = ("overview", "actions", "next_plan")


def _items_and_entries(data: dict[str, Any]) -> Iterator[tuple[PathKey, dict[str, Any], str]]:
    """(path, mapping, "item"|"entry") of every item and entry of report data, in order."""
    for si, section in enumerate(data.get("sections") or []):
        places = [(("sections", si, "items"), section.get("items") or [])]
        places += [(("sections", si, "groups", gi, "items"), g.get("items") or [])
                   for gi, g in enumerate(section.get("groups") or [])]
        for base, items in places:
            for ii, item in enumerate(items):
                yield base + (ii,), item, "item"
                for ei, entry in enumerate(item.get("entries") or []):
                    yield base + (ii, "entries", ei), entry, "entry"


def unprinted_data(report: Report, *, source: str = "<report>", line_of: LineOf | None = None,
                   data: dict[str, Any] | None = None) -> list[Problem]:
    """One problem per kind of data that validates but that no output prints: a field of an
    item or entry that ``report.columns`` does not name, and the measure-page keys
    (overview, actions, next_plan) in another layout.  Located at the first one, with how
    many more there are: the data is kept (and in the workbook's embedded data), but a
    person who typed it expects to see it printed."""
    named = {c.field for c in report.columns or []}
    first: dict[tuple[str, str], PathKey] = {}
    count: dict[tuple[str, str], int] = {}
    for path, mapping, kind in _items_and_entries(report.to_dict() if data is None else data):
        found = [("field", name, path + ("fields", name)) for name in (mapping.get("fields") or {})
                 if name not in named]
        if kind == "item" and report.layout != "measure-pages":
            found += [("key", key, path + (key,)) for key in _MEASURE_PAGE_KEYS if mapping.get(key)]
        for what, name, where in found:
            first.setdefault((what, name), where)
            count[(what, name)] = count.get((what, name), 0) + 1
    out: list[Problem] = []
    for (what, name), where in first.items():
        more = count[(what, name)] - 1
        also = f" (and {more} more)" if more else ""
        if what == "field":
            message = (f"not printed{also}: report.columns names no column for the field {name!r} "
                       f"(add {{field: {name}, label: …}} to print it; the data is kept)")
        else:
            message = (f"not printed{also}: {name} is printed by layout measure-pages only, "
                       f"this report's layout is {report.layout} (the data is kept)")
        out.append(Problem(source, line_of(where) if line_of else None, format_path(where), message))
    return out


def report_warnings(report: Report, *, source: str = "<report>", font: str | None = "gothic",
                    line_of: LineOf | None = None, check_marks: bool = False) -> list[ReportWarning]:
    """Every warning for ``report``: glyphs (when ``font`` is given), truncation, marks."""
    found: list[ReportWarning] = []
    if font is not None:
        from .glyphs import missing_glyphs

        found += [GlyphWarning(p) for p in missing_glyphs(report, source=source, font=font, line_of=line_of)]
    data = report.to_dict()     # both checks walk the data: serialised once
    found += [TruncationWarning(p) for p in truncated_series(report, source=source, line_of=line_of, data=data)]
    found += [UnprintedWarning(p) for p in unprinted_data(report, source=source, line_of=line_of, data=data)]
    if check_marks:
        from .propose import check_marks as mark_problems

        found += [MarkWarning(p) for p in mark_problems(report, source=source, line_of=line_of)]
    return found
