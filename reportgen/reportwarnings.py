"""Warnings as data: what renders but may not print as the user meant.

A report can be valid and still lose something on paper: a character the
bundled font cannot draw (printed with a fallback font or as a blank box),
monthly figures after the period's last month (a Q1 report prints 4–6月 and
leaves July onwards out), a stated mark its figures contradict. The command
line prints these as ``warning: file:line: field: what`` lines; scripts get
them as Python objects:

* every one is a :class:`ReportWarning` (a ``UserWarning``) carrying the same
  :class:`~reportgen.errors.Problem` as the command line prints, so
  ``warnings.simplefilter("error", reportgen.ReportWarning)`` turns them into
  exceptions and ``pytest.warns`` sees them;
* each is also logged to the ``reportgen`` logger (through this module's child logger, level WARNING), for
  services that collect logs rather than warnings;
* the API renderers append them to the list passed as ``warnings=``.

Kinds: :class:`GlyphWarning`, :class:`TruncationWarning`, :class:`MarkWarning`.
"""

from __future__ import annotations

import logging
import warnings as pywarnings
from typing import TYPE_CHECKING, Any, Callable, Iterator

from .errors import Problem
from .source import PathKey, format_path

if TYPE_CHECKING:  # pragma: no cover
    from .model import Report

__all__ = [
    "LOGGER",
    "GlyphWarning",
    "MarkWarning",
    "ReportWarning",
    "TruncationWarning",
    "emit",
    "report_warnings",
    "truncated_series",
]

#: Where every warning is logged: a child of the ``reportgen`` logger, so handlers
#: on ``reportgen`` (or the root) get the records. Its NullHandler keeps Python's
#: last-resort handler from printing each warning a second time on stderr when
#: logging is not configured (the ``warnings`` module already shows it).
LOGGER = logging.getLogger(__name__)
LOGGER.addHandler(logging.NullHandler())

LineOf = Callable[[PathKey], "int | None"]


class ReportWarning(UserWarning):
    """Something in a valid report that may not print as meant; ``problem`` says where."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class GlyphWarning(ReportWarning):
    """A character the bundled font cannot draw (printed with a fallback font or as a box)."""


class TruncationWarning(ReportWarning):
    """Values the report's period leaves out (months after the period's last one)."""


class MarkWarning(ReportWarning):
    """A stated mark that the entry's KPI figures contradict (``check_marks=True``)."""


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
    from .calendar import month_label, FISCAL_MONTHS
    from .grids import QUARTER_LABELS

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


def emit(found: list[ReportWarning], sink: list[ReportWarning] | None = None, *, stacklevel: int = 3) -> None:
    """Issue each warning (Python ``warnings``), log it, and append it to ``sink``."""
    for warning in found:
        pywarnings.warn(warning, stacklevel=stacklevel)
        LOGGER.warning("%s", warning.problem)
        if sink is not None:
            sink.append(warning)
