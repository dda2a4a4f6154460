"""The generated parts of a tracker: title rows, the mark summary and the データ sheet.

They are written from the data and not read back (except the title): a change
there is a located warning naming the cell, so an edit is never lost silently.
"""

from __future__ import annotations

from typing import Any

from ..core.errors import Problem
from ..model.report import Report
from ..model.wording import report_heading
from .readback import cell_name, same_value
from .scan import cell_text, same_text
from .sheet import COL_AREA, COL_MARK, COL_PROGRESS, COL_RANK, COL_ROLE, ROLE_PREFACE
from .summary import summary_texts

__all__ = ["check_summary", "compare_generated", "read_top"]


def read_top(ws: Any, report: Report, header_row: int, source: str, warnings: list[Problem]) -> None:
    """Title (read back), issue date and preface (generated: a change is a warning)."""
    from ..model.calendar import wareki_date
    from .celltext import block_text_plain

    title_written = report_heading(report)
    title = cell_text(ws.cell(1, COL_AREA).value).strip()
    if title and title != title_written.strip():
        org = report.organization
        if org and title.endswith(f"（{org}）"):
            title = title[: -len(f"（{org}）")].rstrip()
        report.title = title
    elif not title:
        warnings.append(Problem(source, None, f"{cell_name(ws.title, 1, COL_AREA)}: report.title",
                                "the title was cleared; the title is kept (a report needs one)"))
    issued = cell_text(ws.cell(1, COL_MARK).value).strip()
    written_issued = wareki_date(report.issued) if report.issued is not None else ""
    if issued != written_issued:
        warnings.append(Problem(source, None, f"{cell_name(ws.title, 1, COL_MARK)}: report.issued",
                                f"the issue date is not read back from the sheet (kept {written_issued or 'none'!r}); "
                                "change it in the data"))
    texts = [t for block in report.preface for t in block_text_plain(block) if t]
    rows = [r for r in range(2, header_row) if cell_text(ws.cell(r, COL_ROLE).value) == ROLE_PREFACE]
    for k, r in enumerate(rows):
        seen = cell_text(ws.cell(r, COL_AREA).value)
        if k >= len(texts) or not same_text(seen, texts[k]):
            warnings.append(Problem(source, None, f"{cell_name(ws.title, r, COL_AREA)}: preface",
                                    "the preface is not read back from the sheet; change it in the data"))
    for r, values in enumerate(ws.iter_rows(min_row=1, max_row=header_row - 1, max_col=COL_RANK,
                                            values_only=True), start=1):
        for c, value in enumerate(values, start=1):
            if c == COL_AREA or (r == 1 and c == COL_MARK) or not cell_text(value).strip():
                continue
            warnings.append(Problem(source, None, f"{cell_name(ws.title, r, c)}",
                                    f"not read back: {value!r} is outside the cells of the title and preface"))
    if len(rows) < len(texts):
        warnings.append(Problem(source, None, f"{ws.title}!A2: preface",
                                "preface rows were deleted; the preface is not read back from the sheet"))


def check_summary(ws: Any, start: int, max_row: int, report: Report, source: str,
                   warnings: list[Problem]) -> None:
    """The gap row and mark summary are generated (live formulas): a change there is reported."""
    expected = summary_texts(report.marks)
    count_col = COL_PROGRESS + 1
    for k, values in enumerate(ws.iter_rows(min_row=start, max_row=max(max_row, start), max_col=COL_RANK,
                                            values_only=True)):
        r = start + k
        want = expected[k] if k < len(expected) else {}
        for c, value in enumerate(values, start=1):
            if c == count_col and 0 < k < len(expected):
                if not (isinstance(value, str) and value.startswith(("=COUNTIF", "=SUM"))):
                    warnings.append(Problem(source, None, f"{cell_name(ws.title, r, c)}: summary",
                                            f"the mark summary is counted from the marks; {value!r} typed here "
                                            "is not read back (restore the formula)"))
                continue
            if cell_text(value).strip() != want.get(c, "").strip():
                where = "summary" if k < len(expected) else "below the report"
                warnings.append(Problem(source, None, f"{cell_name(ws.title, r, c)}: {where}",
                                        f"not read back: this part of the sheet is generated "
                                        f"(now {value!r}); edits belong in the rows above the summary"))


def compare_generated(ws: Any, expected: list[list[Any]], sheet: str, source: str) -> list[Problem]:
    """Located warnings for every cell of a generated sheet that differs from what was written."""
    out: list[Problem] = []
    rows = list(ws.iter_rows(values_only=True))
    height = max(len(rows), len(expected))
    for r in range(height):
        seen = rows[r] if r < len(rows) else ()
        want = expected[r] if r < len(expected) else []
        for c in range(max(len(seen), len(want))):
            a = want[c] if c < len(want) else None
            b = seen[c] if c < len(seen) else None
            if not same_value(a, b):
                out.append(Problem(source, None, cell_name(sheet, r + 1, c + 1),
                                   f"the {sheet} sheet is generated and not read back: edit 進捗状況 instead "
                                   f"(written {a!r}, now {b!r})"))
                if len(out) >= 50:
                    return out
    return out
