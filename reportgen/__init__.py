"""reportgen: official 事業計画 実施状況 reports from structured data.

Public API::

    report = reportgen.load("plan.yaml")        # .yaml / .yml / .json / .xlsx, or an open file
    reportgen.render_pdf(report, "out.pdf")     # a path or an open binary file
    pdf_bytes = reportgen.render_pdf(report)    # no target: the bytes
    reportgen.render_xlsx(report, "tracker.xlsx")
    problems = report.validate()                # objects built in Python are checked too

Renderers check the report first and raise :class:`ReportError` naming the
field; warnings are :class:`ReportWarning` (see :mod:`reportgen.api`).

Everything but the exceptions is imported on first use (PEP 562
``__getattr__``): WeasyPrint takes about a second to import, which ``reportgen
validate`` should not pay, and the data model (two dozen dataclasses built at
import) is not needed by ``reportgen --version`` or ``--help``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .core.errors import Problem, RenderError, ReportError

if TYPE_CHECKING:  # pragma: no cover - static names for type checkers and IDEs
    from .model.marks import BUILTIN_SCALES, MarkScale, MarkSymbol, count_marks
    from .model.report import (
        KPI,
        Block,
        BulletsBlock,
        Column,
        Entry,
        Group,
        Item,
        KpiNext,
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
    from .api import html_to_pdf, load, loads, render_html, render_pdf, render_xlsx
    from .inputs.objects import check_report
    from .pdf.engine import PDF_VARIANTS
    from .core.reportwarnings import GlyphWarning, MarkWarning, ReportWarning, TruncationWarning, UnprintedWarning
    from .xlsx.read import read_xlsx

__version__ = "0.1.0"

__all__ = [
    "BUILTIN_SCALES", "GlyphWarning", "KPI", "MarkWarning", "PDF_VARIANTS", "ReportWarning",
    "TruncationWarning", "UnprintedWarning", "check_report", "html_to_pdf", "loads", "Block", "BulletsBlock", "Column", "Entry", "Group", "Item", "KpiNext",
    "MarkScale", "MarkSymbol", "National", "NoteBlock", "Problem", "RenderError", "Report",
    "ReportError", "Section", "Series", "SeriesBlock", "SeriesExtra", "SeriesRow", "Table",
    "TableBlock", "TableCell", "TextBlock", "count_marks", "load", "read_xlsx", "render_html",
    "render_pdf", "render_xlsx",
]

#: Public name -> submodule defining it; every other name of ``__all__`` not
#: defined here is the data model's (:mod:`reportgen.model.report`).
_LAZY: dict[str, str] = {
    **dict.fromkeys(("BUILTIN_SCALES", "MarkScale", "MarkSymbol", "count_marks"), "model.marks"),
    **dict.fromkeys(("load", "loads", "render_pdf", "render_html", "render_xlsx", "html_to_pdf"), "api"),
    **dict.fromkeys(("ReportWarning", "GlyphWarning", "TruncationWarning", "MarkWarning", "UnprintedWarning"),
                   "core.reportwarnings"),
    "check_report": "inputs.objects",
    "PDF_VARIANTS": "pdf.engine",
    "read_xlsx": "xlsx.read",
}

#: Renderers are looked up anew on every access (as before the model became
#: lazy too), so a patched ``reportgen.api.render_pdf`` is what callers get
#: (and reportgen.api calls ``reportgen.pdf.engine.render_pdf`` at each render).
_UNCACHED = frozenset({"render_pdf", "render_html", "render_xlsx", "read_xlsx", "load", "loads", "html_to_pdf"})


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name, "model.report" if name in __all__ else None)
    if module_name is None:
        raise AttributeError(f"module 'reportgen' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module_name}", __name__), name)
    if name not in _UNCACHED:
        globals()[name] = value  # a plain module attribute from now on
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
