"""Issue #11: every edit of the tracker sheet is read back or reported with its cell.

Edits are made with openpyxl the way staff make them in Excel, on the
tracker written from examples/gunma-r5-excerpt.yaml and on a tracker of
another shape built here (more sections, direct items and groups, quarterly
series, tables, items without grids, a report without any grid).
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

import reportgen
from reportgen import ReportError
from reportgen.cli.main import main
from reportgen.model.report import Report, SeriesBlock, TableBlock, TableCell
from reportgen.model.numbers import parse_typed
from reportgen.xlsx.sheet import (
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
    MAIN_SHEET,
)
from reportgen.xlsx.writer import render_xlsx
from reportgen.xlsx.read import read_xlsx, read_xlsx_checked

from sheetedits import delete_rows, insert_row

GUNMA = Path(__file__).resolve().parents[2] / "examples" / "gunma-r5-excerpt.yaml"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")

# month columns: F = 4月 … Q = 3月; R = 計 (merged with S when there is no extra column)
MONTH_COL = {m: COL_PROGRESS + 1 + k for k, m in enumerate((4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3))}
TOTAL_COL = COL_MARK - 2


def _write(report: Report, target: Path) -> Path:
    render_xlsx(report, target)
    return target


def _gunma(tmp_path: Path) -> Path:
    return _write(reportgen.load(GUNMA), tmp_path / "gunma.xlsx")


def _rows(ws: Any) -> dict[str, int]:
    """Entry tag → first row."""
    return {v: r for r, (v,) in enumerate(ws.iter_rows(min_col=COL_ENTRY_ID, max_col=COL_ENTRY_ID,
                                                       values_only=True), start=1) if v}


def _role_rows(ws: Any, role: str, start: int) -> list[int]:
    """Rows of ``role`` in the block that starts at ``start`` (until the role changes)."""
    out = []
    r = start
    while ws.cell(r, COL_ROLE).value == role:
        out.append(r)
        r += 1
    return out


def _label_row(ws: Any, start: int, label: str) -> int:
    for r in range(start, start + 40):
        if ws.cell(r, COL_PROGRESS).value == label:
            return r
    raise AssertionError(label)


def _edit(path: Path, fn: Any) -> Path:
    wb = openpyxl.load_workbook(path)
    fn(wb[MAIN_SHEET])
    wb.save(path)
    return path


def _entries(report: Report) -> list[Any]:
    return [e for *_x, e in report.iter_entries()]


# --------------------------------------------------------------------------
# numbers.parse_typed: what offices type
# --------------------------------------------------------------------------

@pytest.mark.parametrize("typed, fmt, value", [
    (3700, "int", 3700), (3700.0, "int", 3700), ("3,700", "int", 3700), ("３，７００", "int", 3700),
    ("△12", "int", -12), ("▲1,200円", "yen", -1200), ("2,481件", "int:件", 2481),
    ("95.5%", "pct:1", 0.955), ("９５．５％", "pct:1", 0.955), (0.955, "pct:1", 0.955),
    ("6.36", "dec:2", 6.36), ("4:56", "time", "4:56"), (dt.timedelta(hours=4, minutes=56), "time", "4:56"),
    (dt.time(3, 15), "time", "3:15"), (4 / 24, "time", "4:00"), (None, "int", None), ("  ", "pct:1", None),
    ("2023/4/1", "date", dt.date(2023, 4, 1)), (dt.datetime(2023, 4, 1), "date", dt.date(2023, 4, 1)),
])
def test_parse_typed_reads_what_offices_type(typed: Any, fmt: str, value: Any) -> None:
    got = parse_typed(typed, fmt)
    assert got == (pytest.approx(value) if isinstance(value, float) else value)
    assert type(got) is type(value)


@pytest.mark.parametrize("typed, fmt", [("abc", "int"), ("95%", "int"), ("4:75", "time"), (True, "int"),
                                        (dt.date(2023, 1, 1), "int")])
def test_parse_typed_refuses_non_figures(typed: Any, fmt: str) -> None:
    with pytest.raises(ValueError):
        parse_typed(typed, fmt)


# --------------------------------------------------------------------------
# The unedited round trip
# --------------------------------------------------------------------------

def _other_shape() -> Report:
    """Three sections, direct items and groups, quarterly series, tables, an item without entries."""
    table = {"table": {"caption": "実施結果", "header": [["区分", "件数", "率"]],
                       "formats": ["text", "int", "pct:1"],
                       "rows": [["訪問", 120, 0.5], ["電話", 3400, 0.255], [{"value": "合計", "span": [1, 1]}, 3520, None]]}}
    quarterly = {"series": {"caption": "四半期", "kind": "quarterly", "format": "int",
                            "rows": [{"label": "令和5年度", "values": [10, 20, 30, 40]},
                                     {"label": "令和4年度", "values": [5, 6, 7, 8], "total": 30}]}}
    data = {
        "format": 1,
        "report": {"title": "令和5年度 事業報告", "organization": "試験支部", "fiscal_year": 2023,
                   "layout": "tracker", "marks": "gunma"},
        "sections": [
            {"number": "１", "title": "基盤", "items": [
                {"number": 1, "title": "直下の施策", "entries": [
                    {"plan": "表の計画。", "status": [{"text": "表の前。"}, table], "mark": "○"},
                    {"plan": "四半期の計画。", "status": [quarterly], "mark": "△",
                     "kpi": {"text": "件数を増やす。", "target": 100, "format": "int", "actual": 100,
                             "national": {"rank": 12, "rank_prev": 15}}}]}],
             "groups": [{"title": "広報", "owner": "企画総務グループ", "items": [
                 {"number": 2, "title": "広報の推進", "tags": ["重要度:高"], "entries": [
                     {"plan": "広報する。", "status": "した。", "mark": "◎"},
                     {"plan": "二回目。", "status": "まだ。", "mark": "□"}]},
                 {"number": 3, "title": "空の施策", "entries": []}]}]},
            {"number": "２", "title": "戦略", "items": [
                {"number": "（１）", "title": "保健事業", "entries": [
                    {"plan": "健診。", "status": [{"series": {"caption": "受診率", "format": "pct:1",
                                                             "rows": [{"label": "R5", "values": [0.1, 0.2, 0.3]}]}}],
                     "mark": "○"}]}]},
            {"number": "３", "title": "組織", "items": [
                {"number": 9, "title": "人材育成", "entries": [{"plan": "研修。", "status": "実施。", "mark": "○"}]}]},
        ],
    }
    return Report.from_dict(data)


def _no_grids() -> Report:
    data = {"format": 1,
            "report": {"title": "事業報告", "organization": "支部", "fiscal_year": 2023, "marks": "gunma"},
            "sections": [{"title": "分野", "items": [
                {"title": "施策", "entries": [{"plan": "計画。", "status": "状況。", "mark": "○"}]}]}]}
    return Report.from_dict(data)


@pytest.mark.parametrize("build", [lambda: reportgen.load(GUNMA), _other_shape, _no_grids])
def test_unedited_round_trip_is_the_same_report(tmp_path: Path, build: Any) -> None:
    report = build()
    back, warnings = read_xlsx_checked(_write(report, tmp_path / "t.xlsx"))
    assert back.to_dict() == report.to_dict()
    assert warnings == []


def test_carriage_returns_are_line_breaks_and_round_trip(tmp_path: Path) -> None:
    """A CR (a "\\r" escape, an old Mac file) is a line break: the model holds LF only,
    so the 事業 cell read back (XML turns CR into LF) is the title that was written
    and the item is not taken for a new one without a name (found by the property test)."""
    data = {"format": 1, "report": {"title": "報告", "organization": "支部", "fiscal_year": 2023},
            "sections": [{"title": "分野", "items": [
                {"title": "\r施策\r続き", "entries": [{"plan": "計画\r\n二行目", "status": "状況", "mark": "◎"}]}]}]}
    report = Report.from_dict(data)
    item = report.sections[0].items[0]
    assert item.title == "\n施策\n続き"
    assert item.entries[0].plan == "計画\n二行目"
    back, warnings = read_xlsx_checked(_write(report, tmp_path / "t.xlsx"))
    assert back.to_dict() == report.to_dict()
    assert warnings == []


# --------------------------------------------------------------------------
# Grid figures, labels, captions, totals
# --------------------------------------------------------------------------

def test_typed_figures_are_read_back_and_kept(tmp_path: Path) -> None:
    path = _gunma(tmp_path)

    def edit(ws: Any) -> None:
        rows = _rows(ws)
        e3 = _label_row(ws, rows["E3"], "令和5年度")
        ws.cell(e3, MONTH_COL[2]).value = 3700                 # P22 in the issue: an empty month
        ws.cell(e3, MONTH_COL[3]).value = "3,700"              # as text with a comma
        r = _label_row(ws, rows["E0"], "傷病手当金")
        ws.cell(r, MONTH_COL[4]).value = 2500                  # F8: 2481 → 2500
        ws.cell(r, MONTH_COL[5]).value = "△5"                  # an office's negative
        ws.cell(r, MONTH_COL[6]).value = None                  # blank = no value
        r = _label_row(ws, rows["E1"], "令和5年度")
        ws.cell(r, MONTH_COL[4]).value = "95.5%"
        r = _label_row(ws, rows["E4"], "令和5年度")
        ws.cell(r, MONTH_COL[4]).value = "4:05"
        ws.cell(r, MONTH_COL[5]).value = dt.timedelta(hours=2, minutes=1)

    _edit(path, edit)
    back = read_xlsx(path)
    e = _entries(back)
    assert e[3].status[0].series.rows[1].values[10:12] == [3700, 3700]
    sick = e[0].status[1].series.rows[0].values
    assert sick[:3] == [2500, -5, None]
    assert e[1].status[0].series.rows[1].values[0] == pytest.approx(0.955)
    assert e[4].status[0].series.rows[1].values[:2] == ["4:05", "2:01"]
    # re-rendering the workbook keeps the typed figures
    again = _write(back, tmp_path / "again.xlsx")
    assert read_xlsx(again).to_dict() == back.to_dict()
    ws = openpyxl.load_workbook(again)[MAIN_SHEET]
    r = _label_row(ws, _rows(ws)["E0"], "傷病手当金")
    assert ws.cell(r, MONTH_COL[4]).value == 2500 and ws.cell(r, MONTH_COL[6]).value is None


def test_typed_figure_shows_in_the_pdf(tmp_path: Path) -> None:
    path = _gunma(tmp_path)
    _edit(path, lambda ws: ws.cell(_label_row(ws, _rows(ws)["E3"], "令和5年度"), MONTH_COL[2]).__setattr__(
        "value", "3,701"))
    out = tmp_path / "edited.pdf"
    result = CliRunner().invoke(main, ["render", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    from pypdf import PdfReader

    text = "".join(page.extract_text() or "" for page in PdfReader(out).pages)
    assert "3,701円" in text


def test_a_figure_that_is_not_one_is_a_located_error(tmp_path: Path) -> None:
    path = _gunma(tmp_path)
    cell = {}

    def edit(ws: Any) -> None:
        r = _label_row(ws, _rows(ws)["E0"], "傷病手当金")
        ws.cell(r, MONTH_COL[7]).value = "たくさん"
        cell["name"] = f"{MAIN_SHEET}!I{r}"

    _edit(path, edit)
    with pytest.raises(ReportError) as err:
        read_xlsx(path)
    line = str(err.value)
    assert f"{path}: {cell['name']}: sections[0].groups[0].items[0].entries[0].status[1].series.rows[0].values[3]" \
        in line and "たくさん" in line
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2 and cell["name"] in result.output


def test_labels_captions_and_total_labels_are_read_back(tmp_path: Path) -> None:
    path = _gunma(tmp_path)

    def edit(ws: Any) -> None:
        rows = _rows(ws)
        ws.cell(_label_row(ws, rows["E0"], "傷病手当金"), COL_PROGRESS).value = "傷病手当金（件）"
        head = next(r for r in range(rows["E0"], ws.max_row) if ws.cell(r, COL_ROLE).value == "grid1")
        ws.cell(head, COL_PROGRESS).value = "令和5年度 件数"
        ws.cell(rows["E1"], TOTAL_COL).value = "通期"

    _edit(path, edit)
    e = _entries(read_xlsx(path))
    grid = e[0].status[1].series
    assert grid.rows[0].label == "傷病手当金（件）" and grid.caption == "令和5年度 件数"
    assert e[1].status[0].series.total_label == "通期"


def test_typed_total_is_kept_and_warned_when_it_disagrees(tmp_path: Path) -> None:
    path = _gunma(tmp_path)
    where = {}

    def edit(ws: Any) -> None:
        rows = _rows(ws)
        r = _label_row(ws, rows["E0"], "傷病手当金")
        ws.cell(r, TOTAL_COL).value = 99999                    # disagrees with the months
        r2 = _label_row(ws, rows["E0"], "出産手当金")
        ws.cell(r2, TOTAL_COL).value = 2903                    # agrees: no warning
        where["cell"] = f"{MAIN_SHEET}!R{r}"

    _edit(path, edit)
    back, warnings = read_xlsx_checked(path)
    rows = _entries(back)[0].status[1].series.rows
    assert rows[0].total == 99999 and rows[1].total == 2903
    assert len(warnings) == 1 and where["cell"] in str(warnings[0]) and "27,962" in str(warnings[0])
    result = CliRunner().invoke(main, ["validate", "--strict", str(path)])
    assert result.exit_code == 2 and where["cell"] in result.output
    assert CliRunner().invoke(main, ["validate", str(path)]).exit_code == 0


def test_totals_are_live_formulas(tmp_path: Path) -> None:
    ws = openpyxl.load_workbook(_gunma(tmp_path))[MAIN_SHEET]
    rows = _rows(ws)
    r = _label_row(ws, rows["E0"], "傷病手当金")
    assert ws.cell(r, TOTAL_COL).value == f'=IF(COUNT(F{r}:Q{r})=0,"",SUM(F{r}:Q{r}))'
    r = _label_row(ws, rows["E4"], "令和4年度")
    assert "AVERAGE(" in ws.cell(r, TOTAL_COL).value
    # the given per-row totals of 郵送化率 stay figures, under 累計
    assert ws.cell(rows["E1"], TOTAL_COL).value == "累計"
    assert ws.cell(rows["E1"] + 1, TOTAL_COL).value == pytest.approx(0.969)
    # no empty bordered column after 計: the total spans the last two slots
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert f"R{r}:S{r}" in merged


@needs_soffice
def test_libreoffice_recalculates_totals_after_an_edit(tmp_path: Path) -> None:
    path = _gunma(tmp_path)
    cell = {}

    def edit(ws: Any) -> None:
        r = _label_row(ws, _rows(ws)["E0"], "傷病手当金")
        ws.cell(r, MONTH_COL[4]).value = 2581                  # +100
        cell["r"] = r

    _edit(path, edit)
    out = tmp_path / "lo"
    profile = tmp_path / "lo-profile"
    subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=240)
    ws = openpyxl.load_workbook(out / "gunma.xlsx", data_only=True)[MAIN_SHEET]
    assert ws.cell(cell["r"], TOTAL_COL).value == 27962 + 100
    # and the saved copy still reads back with the edit
    back = read_xlsx(out / "gunma.xlsx")
    assert _entries(back)[0].status[1].series.rows[0].values[0] == 2581


# --------------------------------------------------------------------------
# Structure: title, banners, 項番, 事業, 全国順位, new/deleted/reordered rows
# --------------------------------------------------------------------------

def test_title_banner_item_and_rank_are_read_back(tmp_path: Path) -> None:
    path = _gunma(tmp_path)

    def edit(ws: Any) -> None:
        rows = _rows(ws)
        ws.cell(1, COL_AREA).value = "令和5年度 群馬支部事業計画（改訂）"
        banner = rows["E0"] - 1
        ws.cell(banner, COL_NUMBER).value = "〇サービスの向上(業務第一グループ)"
        ws.cell(rows["E0"], COL_NUMBER).value = "1-1"
        ws.cell(rows["E0"], COL_TITLE).value = "サービス水準の向上策\n【重要度:高】"
        ws.cell(rows["E2"], COL_RANK).value = "40位 (前月46位)"
        ws.cell(rows["E2"] - 1, COL_NUMBER).value = "〇レセプト点検"

    _edit(path, edit)
    back = read_xlsx(path)
    assert back.title == "令和5年度 群馬支部事業計画（改訂）"
    group = back.sections[0].groups[0]
    assert (group.title, group.owner) == ("サービスの向上", "業務第一グループ")
    item = group.items[0]
    assert (item.number, item.title, item.tags) == ("1-1", "サービス水準の向上策", ["重要度:高"])
    assert (back.sections[0].groups[1].title, back.sections[0].groups[1].owner) == ("レセプト点検", None)
    national = _entries(back)[2].kpi.national
    assert (national.rank, national.rank_prev) == (40, 46)


def test_a_new_item_row_starts_a_new_item(tmp_path: Path) -> None:
    path = _gunma(tmp_path)

    def edit(ws: Any) -> None:
        gap = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, COL_ROLE).value == "gap")
        insert_row(ws, gap)                                     # a row added at the end of the body
        ws.cell(gap, COL_NUMBER).value = 25
        ws.cell(gap, COL_TITLE).value = "広報の推進"
        ws.cell(gap, COL_PLAN).value = "広報を行う。"
        ws.cell(gap, COL_PROGRESS).value = "メールマガジンを配信した。"
        ws.cell(gap, COL_MARK).value = "○"

    _edit(path, edit)
    back, warnings = read_xlsx_checked(path)
    assert warnings == []
    items = back.sections[-1].groups[0].items
    assert [(i.number, i.title) for i in items] == [(24, "費用対効果を踏まえたコスト削減"), (25, "広報の推進")]
    new = items[1].entries
    assert len(new) == 1 and (new[0].plan, new[0].status, new[0].mark) == ("広報を行う。", "メールマガジンを配信した。", "○")
    assert len(items[0].entries) == 2


def _entry_span(ws: Any, eid: str) -> tuple[int, int]:
    rows = _rows(ws)
    first = rows[eid]
    r = first + 1
    while r <= ws.max_row and not ws.cell(r, COL_ENTRY_ID).value and \
            ws.cell(r, COL_ROLE).value not in ("banner", "gap"):
        r += 1
    return first, r - 1


def test_deleted_entries_and_items_stay_deleted(tmp_path: Path) -> None:
    path = _gunma(tmp_path)

    def edit(ws: Any) -> None:
        delete_rows(ws, *_entry_span(ws, "E5"))                 # one entry of item 24
        first, _ = _entry_span(ws, "E2")
        _, last = _entry_span(ws, "E3")
        delete_rows(ws, first, last)                             # the whole item 6

    _edit(path, edit)
    back = read_xlsx(path)
    original = reportgen.load(GUNMA)
    assert len(_entries(back)) == len(_entries(original)) - 3
    titles = [i.title for s in back.sections for _g, i in s.iter_items()]
    assert "効果的なレセプト点検の推進" not in titles
    assert len(back.sections[-1].groups[0].items[0].entries) == 1


def _swap_blocks(ws: Any, a: tuple[int, int], b: tuple[int, int]) -> None:
    """Swap two adjacent row blocks (a above b) as cut-and-insert does, merges dropped in them."""
    top, bottom = a[0], b[1]
    for m in list(ws.merged_cells.ranges):
        if m.min_row <= bottom and m.max_row >= top:
            ws.unmerge_cells(str(m))
    values = {r: [ws.cell(r, c).value for c in range(1, COL_ROLE + 1)] for r in range(top, bottom + 1)}
    order = list(range(b[0], b[1] + 1)) + list(range(a[0], a[1] + 1))
    for r, src in zip(range(top, bottom + 1), order):
        for c, v in enumerate(values[src], start=1):
            if c in (COL_AREA, COL_NUMBER, COL_TITLE):
                continue                                          # the item's cells stay where they are
            ws.cell(r, c).value = v


def test_reordered_entries_keep_the_new_order(tmp_path: Path) -> None:
    path = _gunma(tmp_path)
    _edit(path, lambda ws: _swap_blocks(ws, _entry_span(ws, "E2"), _entry_span(ws, "E3")))
    back = read_xlsx(path)
    original = reportgen.load(GUNMA)
    old = original.sections[0].groups[1].items[0].entries
    new = back.sections[0].groups[1].items[0].entries
    assert [e.kpi.text for e in new] == [old[1].kpi.text, old[0].kpi.text]


def test_copied_hidden_tags_are_refused(tmp_path: Path) -> None:
    path = _gunma(tmp_path)

    def edit(ws: Any) -> None:
        rows = _rows(ws)
        ws.cell(rows["E5"], COL_ENTRY_ID).value = "E4"

    _edit(path, edit)
    with pytest.raises(ReportError, match="appears twice"):
        read_xlsx(path)


# --------------------------------------------------------------------------
# Another shape: quarterly series, tables, direct items, an empty item
# --------------------------------------------------------------------------

def test_other_shape_edits_are_read_back(tmp_path: Path) -> None:
    report = _other_shape()
    path = _write(report, tmp_path / "other.xlsx")

    def edit(ws: Any) -> None:
        rows = _rows(ws)
        # table: the 電話 count and a label cell
        r = _label_row(ws, rows["E0"], "電話")
        ws.cell(r, COL_PROGRESS).value = "電話相談"
        count_col = next(c for c in range(COL_PROGRESS + 1, COL_MARK) if ws.cell(r, c).value == 3400)
        ws.cell(r, count_col).value = "3,500"
        # quarterly: 第2四半期 of 令和5年度 (quarters take three columns each)
        q = _label_row(ws, rows["E1"], "令和5年度")
        ws.cell(q, COL_PROGRESS + 4).value = 25
        ws.cell(rows["E1"], COL_RANK).value = "11位"
        # the section label of the third 分野
        area = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, COL_AREA).value == "３ 組織")
        ws.cell(area, COL_AREA).value = "３ 組織運営"

    _edit(path, edit)
    back, warnings = read_xlsx_checked(path)
    assert warnings == []
    table = back.sections[0].items[0].entries[0].status[1]
    assert isinstance(table, TableBlock)
    assert table.table.rows[1][:2] == ["電話相談", 3500]
    quarterly = back.sections[0].items[0].entries[1].status[0]
    assert isinstance(quarterly, SeriesBlock) and quarterly.series.rows[0].values == [10, 25, 30, 40]
    national = back.sections[0].items[0].entries[1].kpi.national
    assert (national.rank, national.rank_prev) == (11, None)
    assert (back.sections[2].number, back.sections[2].title) == ("３", "組織運営")
    # the empty item and the groups keep their place
    assert [i.title for i in back.sections[0].groups[0].items] == ["広報の推進", "空の施策"]
    # re-rendering the edited workbook keeps every typed value
    again = _write(back, tmp_path / "again.xlsx")
    assert read_xlsx(again).to_dict() == back.to_dict()
    assert isinstance(report.sections[0].items[0].entries[0].status[1].table.rows[2][0], TableCell)


def test_other_shape_delete_a_section_and_move_an_item(tmp_path: Path) -> None:
    path = _write(_other_shape(), tmp_path / "other.xlsx")

    def edit(ws: Any) -> None:
        first = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, COL_AREA).value == "２ 戦略")
        _, last = _entry_span(ws, _tag_at(ws, first))
        delete_rows(ws, first, last)

    _edit(path, edit)
    back = read_xlsx(path)
    assert [s.title for s in back.sections] == ["基盤", "組織"]


def _tag_at(ws: Any, r: int) -> str:
    return ws.cell(r, COL_ENTRY_ID).value


# --------------------------------------------------------------------------
# The データ sheet, diff, CLI warnings
# --------------------------------------------------------------------------

def test_data_sheet_is_protected_and_its_edits_are_reported(tmp_path: Path) -> None:
    path = _gunma(tmp_path)
    wb = openpyxl.load_workbook(path)
    data = wb[DATA_SHEET]
    assert data.protection.sheet and "自動生成" in data.oddHeader.left.text
    assert data.page_setup.fitToWidth == 1 and data.column_dimensions["I"].width <= 50
    assert all(data.row_dimensions[r].height for r in range(2, data.max_row + 1))
    data.cell(2, 10).value = "×"
    wb.save(path)
    back, warnings = read_xlsx_checked(path)
    assert back.to_dict() == reportgen.load(GUNMA).to_dict()
    assert [str(w) for w in warnings] == [
        f"{path}: {DATA_SHEET}!J2: the {DATA_SHEET} sheet is generated and not read back: edit 進捗状況 "
        "instead (written '◎', now '×')"]
    result = CliRunner().invoke(main, ["render", "--strict", str(path), "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 2 and f"{DATA_SHEET}!J2" in result.output
    assert not (tmp_path / "x.pdf").exists()
    with pytest.warns(UserWarning, match="J2"):
        reportgen.load(path)


def test_diff_of_two_trackers_names_the_month(tmp_path: Path) -> None:
    old = _gunma(tmp_path)
    new = tmp_path / "new.xlsx"
    shutil.copy(old, new)
    _edit(new, lambda ws: ws.cell(_label_row(ws, _rows(ws)["E3"], "令和5年度"), MONTH_COL[2]).__setattr__(
        "value", 3700))
    result = CliRunner().invoke(main, ["diff", str(old), str(new)])
    assert result.exit_code == 0, result.output
    assert "令和5年度" in result.output and "2月" in result.output and "3,700" in result.output
    assert "変更はありません" not in result.output


def test_generated_cells_changed_are_warnings(tmp_path: Path) -> None:
    path = _gunma(tmp_path)

    def edit(ws: Any) -> None:
        rows = _rows(ws)
        ws.cell(rows["E0"], MONTH_COL[4]).value = "四月"        # a month header: not in the model
        summary = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, COL_ROLE).value == "summary")
        ws.cell(summary, COL_PROGRESS + 1).value = 5              # a count typed over its formula

    _edit(path, edit)
    _back, warnings = read_xlsx_checked(path)
    text = "\n".join(str(w) for w in warnings)
    assert f"{MAIN_SHEET}!F{_rows(openpyxl.load_workbook(path)[MAIN_SHEET])['E0']}" in text
    assert "summary" in text and len(warnings) == 2


def test_diff_names_headings_totals_ranks_and_order(tmp_path: Path) -> None:
    old = _gunma(tmp_path)
    new = tmp_path / "new.xlsx"
    shutil.copy(old, new)

    def edit(ws: Any) -> None:
        rows = _rows(ws)
        ws.cell(rows["E0"], COL_TITLE).value = "サービス水準の向上策\n【重要度:高】【困難度:高】"
        ws.cell(rows["E2"], COL_RANK).value = "46位 (前月44位)"
        ws.cell(_label_row(ws, rows["E0"], "傷病手当金"), TOTAL_COL).value = 28000
        ws.cell(rows["E0"] - 1, COL_NUMBER).value = "〇サービス水準の向上(業務第一グループ)"
        _swap_blocks(ws, _entry_span(ws, "E2"), _entry_span(ws, "E3"))

    _edit(new, edit)
    result = CliRunner().invoke(main, ["diff", str(old), str(new)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "事業名 サービス水準の向上 → サービス水準の向上策" in out
    assert "全国順位（前月） 46位 → 44位" in out
    assert "傷病手当金" in out and "計 27,962 → 28,000" in out
    assert "業務第一グループ" in out and "項目の順序 変更" in out


def test_a_month_beyond_the_period_is_kept_with_a_warning(tmp_path: Path) -> None:
    report = _other_shape()
    report.period = "Q1"
    path = _write(report, tmp_path / "q1.xlsx")
    cell = {}

    def edit(ws: Any) -> None:
        r = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, COL_PROGRESS).value == "R5")
        ws.cell(r, MONTH_COL[8]).value = 0.4
        cell["name"] = f"{MAIN_SHEET}!J{r}"

    _edit(path, edit)
    back, warnings = read_xlsx_checked(path)
    assert back.sections[1].items[0].entries[0].status[0].series.rows[0].values[4] == pytest.approx(0.4)
    assert len(warnings) == 1 and cell["name"] in str(warnings[0]) and "not printed" in str(warnings[0])


def test_readme_and_help_show_the_same_read_back_table() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    table = [ln for ln in readme.split("## The tracker round trip", 1)[1].split("\n## ", 1)[0].splitlines() if ln.startswith("| ")]
    doc = [ln.strip() for ln in (read_xlsx.__doc__ or "").splitlines() if ln.strip().startswith("| ")]
    assert len(table) > 10 and table == doc
    assert any("全国順位" in ln for ln in table) and any("データ" in ln for ln in table)


def test_cleared_item_cells_join_entries_with_a_warning(tmp_path: Path) -> None:
    path = _write(_other_shape(), tmp_path / "other.xlsx")

    def edit(ws: Any) -> None:
        r = _rows(ws)["E3"]                                       # 空の施策 follows 広報の推進 (E2, E3)
        empty = next(x for x in range(r, ws.max_row) if ws.cell(x, COL_TITLE).value == "空の施策")
        ws.cell(empty, COL_NUMBER).value = None
        ws.cell(empty, COL_TITLE).value = None

    _edit(path, edit)
    back, warnings = read_xlsx_checked(path)
    assert [i.title for i in back.sections[0].groups[0].items] == ["広報の推進"]
    # an item without entries has nothing to join: clearing its cells deletes it
    assert warnings == []


def test_entries_joined_under_one_item_are_warned(tmp_path: Path) -> None:
    path = _gunma(tmp_path)

    def edit(ws: Any) -> None:
        r = _rows(ws)["E4"]                                       # item 24 of the last section
        ws.cell(r, COL_NUMBER).value = None
        ws.cell(r, COL_TITLE).value = None
        area = next(x for x in range(1, ws.max_row) if str(ws.cell(x, COL_AREA).value or "").startswith("3"))
        ws.cell(area, COL_AREA).value = None                     # and its 分野 label: all joins 分野 1
        ws.cell(r - 1, COL_NUMBER).value = None                  # and the banner text
        ws.cell(r - 1, COL_ROLE).value = None

    _edit(path, edit)
    back, warnings = read_xlsx_checked(path)
    assert len(back.sections) == 1
    assert any("24費用対効果を踏まえたコスト削減" in str(w) and "!C" in str(w) for w in warnings)


def test_wrapped_text_rows_leave_room_under_the_last_line() -> None:
    from reportgen.xlsx.measure import CELL_PAD_PT, ROW_HEADROOM_PT, line_pitch, text_height

    assert ROW_HEADROOM_PT >= 2
    for lines in (1, 3, 10):
        text = "\n".join(["あいう"] * lines)
        assert text_height(text, 200, 9) >= lines * line_pitch(9) + CELL_PAD_PT + ROW_HEADROOM_PT


def test_rows_left_over_from_a_half_deleted_entry_are_warned(tmp_path: Path) -> None:
    path = _gunma(tmp_path)

    def edit(ws: Any) -> None:
        first, _last = _entry_span(ws, "E3")                      # a KPI entry with one grid
        delete_rows(ws, first, first)                             # only its first row (tag and header)

    _edit(path, edit)
    back, warnings = read_xlsx_checked(path)
    before = reportgen.load(GUNMA)
    # E2 keeps its own figures: the left-over rows of E3 are not taken as E2's
    assert _entries(back)[2].status == _entries(before)[2].status
    assert len(_entries(back)) == len(_entries(before)) - 1
    assert warnings and all("left over" in str(w) for w in warnings)


def test_own_formulas_in_grids_use_their_computed_value(tmp_path: Path) -> None:
    path = _gunma(tmp_path)
    cell = {}

    def edit(ws: Any) -> None:
        r = _label_row(ws, _rows(ws)["E0"], "傷病手当金")
        ws.cell(r, MONTH_COL[4]).value = "=2000+500"               # never computed: openpyxl wrote it
        cell["name"] = f"{MAIN_SHEET}!F{r}"
        cell["r"] = r

    _edit(path, edit)
    with pytest.raises(ReportError, match=cell["name"] + r": .*values\[0\]: a formula whose value was never"):
        read_xlsx(path)
    if SOFFICE is None:
        pytest.skip("LibreOffice computes the formula")
    out = tmp_path / "lo"
    profile = tmp_path / "lo-profile"
    subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=240)
    back = read_xlsx(out / "gunma.xlsx")
    assert _entries(back)[0].status[1].series.rows[0].values[0] == 2500


def test_typed_into_an_empty_item_makes_an_entry_and_the_summary_is_checked(tmp_path: Path) -> None:
    path = _write(_other_shape(), tmp_path / "other.xlsx")
    where = {}

    def edit(ws: Any) -> None:
        empty = next(x for x in range(1, ws.max_row) if ws.cell(x, COL_TITLE).value == "空の施策")
        ws.cell(empty, COL_MARK).value = "□"                      # a mark on the item without entries
        ws.cell(empty, COL_PROGRESS).value = "これから実施。"
        summary = next(x for x in range(1, ws.max_row + 1) if ws.cell(x, COL_ROLE).value == "summary")
        ws.cell(summary, COL_PROGRESS + 3).value = "◎：とても良い"  # a legend text of the summary
        ws.cell(ws.max_row + 2, COL_PLAN).value = "表の外のメモ"      # below everything
        where["legend"] = f"{MAIN_SHEET}!H{summary}"
        where["below"] = f"{MAIN_SHEET}!D{ws.max_row}"

    _edit(path, edit)
    back, warnings = read_xlsx_checked(path)
    item = back.sections[0].groups[0].items[1]
    assert item.title == "空の施策" and len(item.entries) == 1
    assert (item.entries[0].mark, item.entries[0].status) == ("□", "これから実施。")
    text = "\n".join(str(w) for w in warnings)
    assert where["legend"] in text and where["below"] in text and len(warnings) == 2
    # the text typed there does not leak into the previous item's entry
    assert back.sections[0].groups[0].items[0].entries[1].status == "まだ。"


def test_no_single_cell_edit_is_silently_dropped(tmp_path: Path) -> None:
    """Any visible cell typed into: the report changes, or a located warning or error says why not."""
    import random

    report = _other_shape()
    path = _write(report, tmp_path / "other.xlsx")
    original = report.to_dict()
    ws0 = openpyxl.load_workbook(path)[MAIN_SHEET]
    cells = [(r, c) for r in range(1, ws0.max_row + 3) for c in range(1, COL_RANK + 1)
             if type(ws0.cell(r, c)).__name__ != "MergedCell"]
    rng = random.Random(20231202)
    silent = []
    for r, c in rng.sample(cells, 60):
        wb = openpyxl.load_workbook(path)
        ws = wb[MAIN_SHEET]
        old = ws.cell(r, c).value
        new = "新しい文字" if old != "新しい文字" else 4321
        ws.cell(r, c).value = new
        edited = tmp_path / "edited.xlsx"
        wb.save(edited)
        try:
            back, warnings = read_xlsx_checked(edited)
        except ReportError as exc:
            assert all(f"{MAIN_SHEET}!" in str(p) for p in exc.problems), str(exc)
            continue
        if not warnings and back.to_dict() == original:
            silent.append((r, c, old))
    assert silent == []


def test_a_cleared_section_label_joins_with_a_warning(tmp_path: Path) -> None:
    path = _write(_other_shape(), tmp_path / "other.xlsx")

    def edit(ws: Any) -> None:
        area = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, COL_AREA).value == "２ 戦略")
        ws.cell(area, COL_AREA).value = None

    _edit(path, edit)
    back, warnings = read_xlsx_checked(path)
    assert [s.title for s in back.sections] == ["基盤", "組織"]
    # as the sheet shows it: under the last banner of 分野 １
    assert [i.title for i in back.sections[0].groups[0].items] == ["広報の推進", "空の施策", "保健事業"]
    assert len(warnings) == 1 and "２ 戦略" in str(warnings[0]) and f"{MAIN_SHEET}!A" in str(warnings[0])
