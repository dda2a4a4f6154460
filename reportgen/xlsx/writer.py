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

import datetime as _dt
import json
import os
from typing import IO, Any

from openpyxl import Workbook

from ..core.errors import RenderError
from ..core.output import atomic_target
from ..model.marks import MarkScale
from ..model.report import Report
from .cellwrite import put
from .datasheet import write_data
from .mainsheet import write_main
from .precheck import check_cell_lengths
from .rows import Layout
from .sheet import HIDDEN_SHEET, PAYLOAD_CHUNK, PAYLOAD_MAGIC, PAYLOAD_VERSION, SYMBOL_LIST_COL, Paper
from .sheetlayout import build_layout
from .styles import named_styles

# Re-exported for reportgen.xlsx.read, readback and guard, which import these
# from here (they were edited in parallel with the split; new code imports
# from .sheet, .sheetlayout, .celltext, .datasheet, .precheck, .summary).
from ..model.wording import report_heading
from .celltext import block_text_plain
from .datasheet import data_sheet_values
from .precheck import entry_paths
from .sheet import (
    COL_AREA,
    COL_ENTRY_ID,
    COL_MARK,
    COL_NUMBER,
    COL_PLAN,
    COL_PROGRESS,
    COL_RANK,
    COL_ROLE,
    COL_TITLE,
    DATA_SHEET,
    HEADER,
    MAIN_SHEET,
    ROLE_BANNER,
    ROLE_EMPTY_STATUS,
    ROLE_FILLER,
    ROLE_GAP,
    ROLE_GRID,
    ROLE_PREFACE,
    ROLE_SUMMARY,
    banner_text,
    item_title,
    number_text,
    rank_text,
)
from .summary import summary_texts

__all__ = [
    "render_xlsx", "build_workbook", "payload_json",
    # re-exports for the readers (see above)
    "COL_AREA", "COL_ENTRY_ID", "COL_MARK", "COL_NUMBER", "COL_PLAN", "COL_PROGRESS", "COL_RANK", "COL_ROLE",
    "COL_TITLE", "DATA_SHEET", "HEADER", "HIDDEN_SHEET", "MAIN_SHEET", "PAYLOAD_MAGIC", "PAYLOAD_VERSION",
    "ROLE_BANNER", "ROLE_EMPTY_STATUS", "ROLE_FILLER", "ROLE_GAP", "ROLE_GRID", "ROLE_PREFACE", "ROLE_SUMMARY",
    "banner_text", "block_text_plain", "build_layout", "data_sheet_values", "entry_paths", "item_title",
    "number_text", "rank_text", "report_heading", "summary_texts",
]


def _json_default(value: Any) -> Any:
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in the workbook")


def payload_json(report: Report, layout: Layout, positions: dict[str, Any]) -> str:
    """The very hidden sheet's JSON: the whole report, the texts written, where the body starts."""
    written = {k: {"plan": w.plan, "prefix": w.prefix, "kpi_line": w.kpi_line, "pieces": w.pieces}
               for k, w in layout.written.items()}
    payload = {"magic": PAYLOAD_MAGIC, "version": PAYLOAD_VERSION, "report": report.to_dict(),
               "written": written, **positions}
    return json.dumps(payload, ensure_ascii=False, default=_json_default, separators=(",", ":"))


def _write_hidden(wb: Workbook, text: str, scale: MarkScale) -> None:
    ws = wb.create_sheet(HIDDEN_SHEET)
    ws.sheet_state = "veryHidden"
    for r, symbol in enumerate(scale.allowed, start=1):
        put(ws.cell(r, SYMBOL_LIST_COL), symbol)
    chunks = [text[i:i + PAYLOAD_CHUNK] for i in range(0, len(text), PAYLOAD_CHUNK)] or [""]
    put(ws.cell(1, 1), PAYLOAD_MAGIC)
    ws.cell(1, 2).value = len(chunks)
    for i, chunk in enumerate(chunks, start=2):
        put(ws.cell(i, 1), chunk)


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
    write_data(wb, report)
    _write_hidden(wb, payload_json(report, layout, positions), report.marks)
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
