"""Validation of located data into the model, collecting every problem.

The rules stand in layers, one module per part of docs/FORMAT.md, each class
building on the one below:

- :mod:`.validate_values`: texts, numbers, dates, choices, mappings, lists;
- :mod:`.validate_kpi`: KPI and series (figures by format, months, quarters);
- :mod:`.validate_content`: content blocks (text, bullets, note, table, series);
- :mod:`.validate_items`: sections (分野), groups, items, entries;
- :mod:`.validate_report`: the report's head, print options and the document.

Each method checks one object, records problems with their path, and returns
the model object (or None when it cannot be built).  Nothing stops at the first
problem: a user fixing a file wants the whole list.  This module is the door:
the entry points, and the limits other modules and the tests name.
"""

from __future__ import annotations

from typing import Any

from ..core.errors import ReportError
from ..core.locations import Located
from ..model.report import Report
from .validate_content import MAX_SPAN
from .validate_report import (
    APPENDICES,
    DOCUMENT_KEYS,
    LAYOUTS,
    LEGEND_POSITIONS,
    MAX_APPROVAL_LABEL_CHARS,
    MAX_APPROVAL_LABELS,
    MAX_ENTRIES,
    MAX_FOOTER_CHARS,
    MAX_HEADER_CHARS,
    MAX_LINE_CHARS,
    PRINT_KEYS,
    ReportRules,
)
from .validate_values import FIRST_DATE, MAX_MAGNITUDE, MAX_TEXT_CHARS

__all__ = [
    "APPENDICES", "DOCUMENT_KEYS", "FIRST_DATE", "LAYOUTS", "LEGEND_POSITIONS", "MAX_APPROVAL_LABELS",
    "MAX_APPROVAL_LABEL_CHARS", "MAX_ENTRIES", "MAX_FOOTER_CHARS", "MAX_HEADER_CHARS", "MAX_LINE_CHARS",
    "MAX_MAGNITUDE", "MAX_SPAN", "MAX_TEXT_CHARS", "PRINT_KEYS",
    "build_located", "build_report", "revalidate",
]


def build_located(located: Located) -> Report:
    """Validate located data into a Report, or raise ReportError with every problem."""
    builder = ReportRules(located)
    report = builder.document(located.data)
    if report is not None and not builder.problems:
        # A report that validates renders everywhere: the workbook's cell limit
        # applies to the texts it combines (a whole status, a plan with its KPI line).
        from ..xlsx.precheck import long_cells

        for key, message in long_cells(report, located.data, each_text=False):
            builder.err(key, message)
    if builder.problems or report is None:
        if not builder.problems:
            builder.err((), "not a report")
        # In file order, as a user reads and fixes them.
        raise ReportError(sorted(builder.problems, key=lambda p: p.line or 0))
    return report


def build_report(data: Any, *, source: str = "<dict>") -> Report:
    """Validate plain data (no line information) into a Report."""
    return build_located(Located(data, source))


def revalidate(report: Report, source: str) -> Report:
    """The rules of the format applied again to a report built by other means.

    A workbook read back carries texts and marks typed into cells after
    validation; they must meet the same rules as a YAML file (controls, bidi
    controls, magnitudes…), so a workbook reader ends with this.  Problems are
    located by field path (``x.xlsx: sections[0]…status: …``).
    """
    return build_report(report.to_dict(), source=source)
