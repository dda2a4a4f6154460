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
from ..core.reportwarnings import GlyphWarning, LineOf, MarkWarning, ReportWarning, TruncationWarning

if TYPE_CHECKING:  # pragma: no cover
    from ..model.report import Report

__all__ = ["report_warnings", "truncated_series"]


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
                     line_of: LineOf | None = None) -> list[Problem]:
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
    for path, series in _series(report.to_dict(), ()):
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


def report_warnings(report: Report, *, source: str = "<report>", font: str | None = "gothic",
                    line_of: LineOf | None = None, check_marks: bool = False) -> list[ReportWarning]:
    """Every warning for ``report``: glyphs (when ``font`` is given), truncation, marks."""
    found: list[ReportWarning] = []
    if font is not None:
        from .glyphs import missing_glyphs

        found += [GlyphWarning(p) for p in missing_glyphs(report, source=source, font=font, line_of=line_of)]
    found += [TruncationWarning(p) for p in truncated_series(report, source=source, line_of=line_of)]
    if check_marks:
        from .propose import check_marks as mark_problems

        found += [MarkWarning(p) for p in mark_problems(report, source=source, line_of=line_of)]
    return found
