"""reportgen: official 事業計画 実施状況 reports from structured data.

Public API::

    report = reportgen.load("plan.yaml")        # .yaml / .yml / .json / .xlsx
    reportgen.render_pdf(report, "out.pdf")
    reportgen.render_xlsx(report, "tracker.xlsx")

Renderers are imported on first use: WeasyPrint takes about a second to import,
which ``reportgen validate`` should not pay.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import Problem, RenderError, ReportError
from .marks import BUILTIN_SCALES, MarkScale, MarkSymbol, count_marks
from .model import (
    KPI,
    Block,
    KpiNext,
    BulletsBlock,
    Column,
    Entry,
    Group,
    Item,
    National,
    NoteBlock,
    Report,
    Section,
    Series,
    SeriesBlock,
    SeriesExtra,
    SeriesRow,
    Table,
    TableBlock,
    TableCell,
    TextBlock,
)

if TYPE_CHECKING:  # pragma: no cover
    from .pdf import render_html, render_pdf
    from .xlsx import render_xlsx
    from .xlsx_read import read_xlsx

__version__ = "0.1.0"

__all__ = [
    "BUILTIN_SCALES", "KPI", "Block", "BulletsBlock", "Column", "Entry", "Group", "Item", "KpiNext",
    "MarkScale", "MarkSymbol", "National", "NoteBlock", "Problem", "RenderError", "Report",
    "ReportError", "Section", "Series", "SeriesBlock", "SeriesExtra", "SeriesRow", "Table",
    "TableBlock", "TableCell", "TextBlock", "count_marks", "load", "read_xlsx", "render_html",
    "render_pdf", "render_xlsx",
]

_LAZY = {
    "render_pdf": "pdf",
    "render_html": "pdf",
    "render_xlsx": "xlsx",
    "read_xlsx": "xlsx_read",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module 'reportgen' has no attribute {name!r}")


def load(path: str | os.PathLike[str]) -> Report:
    """Read and validate a report file; raises ReportError listing every problem."""
    if Path(path).suffix.lower() == ".xlsx":
        from .xlsx_read import read_xlsx

        return read_xlsx(path)
    from .source import read_located
    from .validate import build_located

    return build_located(read_located(path))
