"""Warnings where a given series total disagrees with its months.

A total typed in the data (or in the workbook) that no longer matches the
months is either a stale figure or a transcription slip; the document would
print both without complaint, so the reader is told where to look.  This is
a warning, not an error: official figures sometimes differ on purpose
(a 累計 counted from other data), and the file stays valid.
"""

from __future__ import annotations

from typing import Callable, Iterator

from ..core.errors import Problem
from ..model.grids import total_warnings
from ..model.report import KPI, Report, Series, SeriesBlock
from ..core.locations import PathKey, format_path

__all__ = ["series_paths", "total_problems"]


def series_paths(report: Report) -> Iterator[tuple[PathKey, Series]]:
    """Every series of the report with its path in the file (status blocks and KPI series)."""
    for s, section in enumerate(report.sections):
        places: list[tuple[PathKey, list]] = [(("sections", s, "items"), section.items)]
        places += [(("sections", s, "groups", g, "items"), group.items) for g, group in enumerate(section.groups)]
        for base, items in places:
            for i, item in enumerate(items):
                for e, entry in enumerate(item.entries):
                    path = base + (i, "entries", e)
                    if isinstance(entry.status, list):
                        for b, block in enumerate(entry.status):
                            if isinstance(block, SeriesBlock):
                                yield path + ("status", b, "series"), block.series
                    kpi: KPI | None = entry.kpi
                    if kpi is not None and kpi.series is not None:
                        yield path + ("kpi", "series"), kpi.series


def total_problems(report: Report, *, source: str = "<report>",
                   line_of: Callable[[PathKey], int | None] | None = None) -> list[Problem]:
    """One warning per given total that differs (as printed) from its months."""
    reached = report.months_reached
    out: list[Problem] = []
    for path, series in series_paths(report):
        for where, message in total_warnings(series, reached):
            full = path + where
            out.append(Problem(source, line_of(full) if line_of else None, format_path(full), message))
    return out
