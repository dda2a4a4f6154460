"""The summary block under the body: live mark counts (全体, （再掲）KPI), the legend, the mark dropdown."""

from __future__ import annotations

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..model.marks import MarkScale
from .cellwrite import write_spec, write_vspan
from .measure import CELL_PAD_PT, line_pitch
from .rows import CellSpec, VSpan
from .sheet import (
    COL_KPI_FLAG,
    COL_MARK,
    COL_PLAN,
    COL_PROGRESS,
    COL_ROLE,
    HIDDEN_SHEET,
    ROLE_GAP,
    ROLE_SUMMARY,
    SIZE_BODY,
    SYMBOL_LIST_COL,
)


def _criteria(symbol: str) -> str:
    """A COUNTIF criterion matching exactly ``symbol`` (no wildcards/operators)."""
    escaped = symbol.replace("~", "~~").replace("*", "~*").replace("?", "~?")
    if escaped[:1] in ("=", "<", ">"):
        escaped = "=" + escaped
    return '"' + escaped.replace('"', '""') + '"'


def write_summary(ws: Worksheet, scale: MarkScale, r: int, first: int, last: int) -> int:
    """全体 and （再掲）KPI counts as live formulas; returns the last row used."""
    marks = f"${get_column_letter(COL_MARK)}${first}:${get_column_letter(COL_MARK)}${last}"
    flags = f"${get_column_letter(COL_KPI_FLAG)}${first}:${get_column_letter(COL_KPI_FLAG)}${last}"
    symbols = [(s.symbol, s.label) for s in scale.symbols]
    if scale.not_assessed:
        symbols.append((scale.not_assessed, "評価なし"))
    c_label, c_sym, c_count, c_legend = COL_PLAN, COL_PROGRESS, COL_PROGRESS + 1, COL_PROGRESS + 3
    ws.row_dimensions[r].height = 8
    ws.cell(r, COL_ROLE).value = ROLE_GAP
    r += 1
    for label, kpi_only in (("全体", False), ("（再掲）KPI", True)):
        top = r
        for symbol, legend in symbols:
            write_spec(ws, r, CellSpec(c_sym, symbol, "rg.sum.mark", c_count - 1))
            crit = _criteria(symbol)
            formula = (f"=COUNTIFS({marks},{crit},{flags},1)" if kpi_only else f"=COUNTIF({marks},{crit})")
            write_spec(ws, r, CellSpec(c_count, None, "rg.sum.count", c_legend - 1))
            ws.cell(r, c_count).value = formula
            write_spec(ws, r, CellSpec(c_legend, f"{symbol}：{legend}", "rg.sum.legend", c_legend + 5))
            ws.row_dimensions[r].height = line_pitch(SIZE_BODY) + CELL_PAD_PT + 2
            ws.cell(r, COL_ROLE).value = ROLE_SUMMARY
            r += 1
        write_spec(ws, r, CellSpec(c_sym, "合計", "rg.sum.mark", c_count - 1))
        write_spec(ws, r, CellSpec(c_count, None, "rg.sum.count", c_legend - 1))
        ws.cell(r, c_count).value = f"=SUM({get_column_letter(c_count)}{top}:{get_column_letter(c_count)}{r - 1})"
        ws.row_dimensions[r].height = line_pitch(SIZE_BODY) + CELL_PAD_PT + 2
        ws.cell(r, COL_ROLE).value = ROLE_SUMMARY
        write_vspan(ws, top, r, VSpan(c_label, 0, 0, label, "rg.sum.label"))
        r += 1
    return r - 1


def summary_texts(scale: MarkScale) -> list[dict[int, str]]:
    """The texts write_summary puts in each row (gap row first), column → text.

    xlsx_read compares the sheet with them: the summary is generated, so a
    changed cell there is reported instead of silently ignored.
    """
    symbols = [(s.symbol, s.label) for s in scale.symbols]
    if scale.not_assessed:
        symbols.append((scale.not_assessed, "評価なし"))
    c_label, c_sym, c_legend = COL_PLAN, COL_PROGRESS, COL_PROGRESS + 3
    rows: list[dict[int, str]] = [{}]
    for label in ("全体", "（再掲）KPI"):
        for k, (symbol, legend) in enumerate(symbols):
            rows.append({c_sym: symbol, c_legend: f"{symbol}：{legend}", **({c_label: label} if k == 0 else {})})
        rows.append({c_sym: "合計", **({c_label: label} if not symbols else {})})
    return rows


def mark_validation(scale: MarkScale, ref: str) -> DataValidation:
    """The dropdown of the report's scale on the mark column.

    An inline list ("◎,○,△") is what Excel itself writes and every client
    reads; symbols that would break it are listed on the hidden sheet instead.
    """
    allowed = scale.allowed
    inline = ",".join(allowed)
    if any(ch in symbol for symbol in allowed for ch in '",') or len(inline) > 250:
        col = get_column_letter(SYMBOL_LIST_COL)
        source = f"'{HIDDEN_SHEET}'!${col}$1:${col}${len(allowed)}"
    else:
        source = f'"{inline}"'
    dv = DataValidation(type="list", formula1=source, allow_blank=True, showDropDown=False,
                        showErrorMessage=True, errorStyle="stop", errorTitle="実施状況",
                        error="一覧の記号から選んでください: " + " ".join(allowed)[:200],
                        promptTitle="実施状況", prompt=scale.legend()[:250], showInputMessage=True)
    dv.add(ref)
    return dv
