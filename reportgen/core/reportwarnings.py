"""Warnings as data: what renders but may not print as the user meant.

A report can be valid and still lose something on paper: a character the
bundled font cannot draw (printed with a fallback font or as a blank box),
monthly figures after the period's last month (a Q1 report prints 4–6月 and
leaves July onwards out), a stated mark its figures contradict. The command
line prints these as ``warning: file:line: field: what`` lines; scripts get
them as Python objects:

* every one is a :class:`ReportWarning` (a ``UserWarning``) carrying the same
  :class:`~reportgen.core.errors.Problem` as the command line prints, so
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
from typing import Callable

from .errors import Problem
from .locations import PathKey

__all__ = [
    "LOGGER",
    "GlyphWarning",
    "MarkWarning",
    "UnprintedWarning",
    "ReportWarning",
    "TruncationWarning",
    "emit",
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


class UnprintedWarning(ReportWarning):
    """Data that no output prints: a field no ``report.columns`` column names, measure-page
    keys in another layout (kept in the data and the workbook, never on paper)."""


class MarkWarning(ReportWarning):
    """A stated mark that the entry's KPI figures contradict (``check_marks=True``)."""


class TrackerWarning(ReportWarning):
    """A tracker workbook's edit that is not read back (located: file: sheet!cell: field: what),
    or a workbook written larger than reportgen reads back."""


def emit(found: list[ReportWarning], sink: list[ReportWarning] | None = None, *, stacklevel: int = 3) -> None:
    """Issue each warning (Python ``warnings``), log it, and append it to ``sink``."""
    for warning in found:
        pywarnings.warn(warning, stacklevel=stacklevel)
        LOGGER.warning("%s", warning.problem)
        if sink is not None:
            sink.append(warning)
