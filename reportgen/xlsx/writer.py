"""The tracker workbook (seed 004): a report as an Excel sheet people keep editing.

Why it looks the way it does
----------------------------
Offices keep the progress tracker as a living workbook: marks are changed from
a dropdown, status text is typed in, and the sheet is printed for the council.
So the workbook must (a) print like the original — landscape, one page wide,
the header repeated, the area label vertical, nothing cut off — and (b) stay a
real spreadsheet: numbers stay numbers with number formats, the mark summary is
live ``COUNTIF`` formulas, and text from the data can never turn into a formula.

Neither Excel (for merged cells) nor LibreOffice grows rows for wrapped text,
so every row height is computed from the text, the column widths and the font
(:mod:`.measure`, calibrated against LibreOffice).

Rows taller than Excel's 409 pt limit are split: long status text continues in
the next row(s), and blocks are filled with empty rows.  Manual page breaks
fall between entries, and the area label and item title are repeated on each
printed page (a merged cell prints its text only once).

The workbook carries the whole report as JSON in a very hidden sheet, plus the
exact texts written to each editable cell and helper columns that tag each row
with its role.  :mod:`reportgen.xlsx.read` lets the visible sheet decide what
exists and in which order and uses the JSON for what the sheet does not show,
so model → xlsx → model is lossless and every edit is read back or reported.
Totals are live formulas; the ``データ`` sheet is generated and protected.

Sheets
------
``進捗状況``  the printed tracker; ``データ``  one row per entry for machines
(no merged cells, numbers as numbers; generated, protected, edits reported);
``_reportgen``  very hidden payload.

Modules
-------
This module assembles the workbook; the pieces live beside it:
:mod:`.sheet` the sheet contract (sheet names, columns, row roles, cell texts —
what the readers rely on), :mod:`.measure` row measurement, :mod:`.celltext`
content as cell text, :mod:`.rows` the layout as data, :mod:`.gridrows` the
grid/table/KPI rows, :mod:`.sheetlayout` the layout builder, :mod:`.precheck`
the checks before writing, :mod:`.styles` and :mod:`.cellwrite` cell styles and
writing, :mod:`.mainsheet` the 進捗状況 sheet, :mod:`.pages` its printing,
:mod:`.summary` the mark counts and legend, :mod:`.datasheet` the データ sheet,
:mod:`.charts` the native charts.
"""

from __future__ import annotations

import os
from typing import IO

from openpyxl import Workbook

from ..core.errors import RenderError
from ..core.output import atomic_target
from ..core.reportwarnings import TrackerWarning, emit
from ..model.report import Report
from .datasheet import write_data
from .mainsheet import write_main
from .precheck import check_cell_lengths, readback_problems
from .payload import payload_json, write_payload
from .sheet import Paper
from .sheetlayout import build_layout
from .styles import named_styles

__all__ = ["render_xlsx", "build_workbook", "payload_json"]


def build_workbook(report: Report, *, paper: Paper = "A3", source: str = "<report>") -> Workbook:
    """The whole workbook in memory; raises ReportError before anything is written."""
    if paper not in ("A3", "A4"):
        raise ValueError(f"paper must be 'A3' or 'A4', not {paper!r}")
    check_cell_lengths(report, source)
    layout = build_layout(report)
    wb = Workbook()
    for style in named_styles():
        wb.add_named_style(style)
    positions = write_main(wb, report, layout, paper)
    emit([TrackerWarning(p) for p in readback_problems(layout, positions["header_row"], source)], stacklevel=4)
    write_data(wb, report)
    write_payload(wb, payload_json(report, layout, positions), report.marks)
    wb.active = 0
    return wb


def render_xlsx(report: Report, target: str | os.PathLike[str] | IO[bytes], *, paper: Paper = "A3") -> None:
    """Write the tracker workbook for ``report`` to ``target``.

    Problems in the data (text too long for a cell) raise ReportError before
    the file is touched; the file is written to a temporary name and renamed,
    so a failure never leaves half a workbook behind.
    """
    wb = build_workbook(report, paper=paper, source=str(getattr(target, "name", target)))
    if hasattr(target, "write"):  # an open binary file: written as is (no rename possible)
        wb.save(target)
        return
    try:
        with atomic_target(target) as tmp:
            wb.save(tmp)
    except OSError as exc:
        raise RenderError(f"{target}: cannot write: {exc.strerror or exc}") from None
