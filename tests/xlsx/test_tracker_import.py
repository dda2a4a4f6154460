"""Importing 進捗状況 trackers made by hand in Excel (issue #11, point 5).

The workbooks are built here (tests/tracker_fixtures.py holds a transcription
of the seed-004 Gunma tracker) in the shapes offices use: title and date rows
above the header, blank spacer columns, other sheet names, totals typed or as
formulas, merged 項番 / 事業 / area cells, the header and area label repeated
per printed page, the legend and mark counts at the bottom.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

import reportgen
from reportgen.xlsx import limits as xlsx_limits
from reportgen.core.errors import ReportError
from reportgen.xlsx.tracker_cells import Figure, NotAFigure, parse_figure, parse_rank, row_format
from reportgen.xlsx.tracker_import import TrackerImportWarning, import_tracker, read_workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tracker_fixtures import Area, Banner, Entry, Grid, Item, Shape, build_tracker  # noqa: E402


def reportgen_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "reportgen", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def _items(data: dict[str, Any]) -> dict[Any, dict[str, Any]]:
    out = {}
    for section in data["sections"]:
        for item in section.get("items", []):
            out[item["number"]] = item
        for group in section.get("groups", []):
            for item in group["items"]:
                out[item["number"]] = item
    return out


def _series(entry: dict[str, Any]) -> list[dict[str, Any]]:
    status = entry.get("status")
    return [b["series"] for b in status if "series" in b] if isinstance(status, list) else []


def _row(series: list[dict[str, Any]], label: str) -> tuple[dict[str, Any], dict[str, Any]]:
    for s in series:
        for row in s["rows"]:
            if row["label"] == label:
                return s, row
    raise AssertionError(f"no row {label!r}")


@pytest.fixture(scope="module")
def seed_import(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The transcribed seed with a spacer column, title + date rows and formula totals."""
    path = tmp_path_factory.mktemp("seed") / "gunma-r5.xlsx"
    build_tracker(path, Shape(spacer=1, totals="formulas"))
    return path, import_tracker(path)


# --------------------------------------------------------------------------
# The seed transcription: items, grids, marks, ranks
# --------------------------------------------------------------------------

def test_seed_report_metadata_from_the_title_row(seed_import: Any) -> None:
    _path, result = seed_import
    report = result.data["report"]
    assert report["title"] == "令和5年度 群馬支部事業計画"
    assert (report["fiscal_year"], report["organization"]) == (2023, "群馬支部")
    assert report["issued"] == "2024-04-30"   # the date row above the header
    assert report["marks"] == "gunma"          # the legend has □ 未実施(これから実施)
    assert result.warnings == []


def test_seed_sections_groups_and_items(seed_import: Any) -> None:
    _path, result = seed_import
    sections = result.data["sections"]
    # the area label repeated on a new printed page stays one section
    assert [(s.get("number"), s["title"]) for s in sections] == [
        ("1", "基盤的保険者機能関係"), ("2", "戦略的保険者機能関係"), ("3", "組織・運営体制関係")]
    groups = [(g["title"], g.get("owner")) for g in sections[0]["groups"]]
    assert groups[0] == ("サービス水準の向上", "業務グループ")
    assert ("返納金債権の発生防止のための保険証回収強化、債権管理回収業務の推進", "レセプトグループ") in groups
    assert sections[1]["groups"][0]["title"] == "第2期保健事業実施計画(データヘルス計画)の着実な実施"
    assert sections[1]["groups"][0]["owner"] == "企画総務・保健グループ"
    items = _items(result.data)
    assert sorted(items) == [1, 2, 3, 4, 6, 7, 8, 9, 12, 24]   # nothing from the summary block
    assert items[1]["title"] == "サービス水準の向上"
    assert items[1]["tags"] == ["重要度:高", "困難度:高"]
    assert items[12]["labels"] == ["インセンティブ関連"]
    assert [len(items[n]["entries"]) for n in (1, 2, 3, 6, 8, 12)] == [3, 1, 2, 3, 3, 3]
    assert items[9]["entries"][0]["status"] == "・マイナンバー未収録者への勧奨を実施した。"
    assert items[12]["entries"][1]["plan"] == "② 生活習慣病予防健診実施機関・事業者健診データ作成機関の拡大"


def test_seed_marks_fold_look_alikes(seed_import: Any) -> None:
    _path, result = seed_import
    items = _items(result.data)
    marks = [e.get("mark") for n in (1, 2, 8) for e in items[n]["entries"]]
    # ⊚ → ◎, Δ (Greek) → △, 〇 (U+3007) → ○; an entry without a mark stays without
    assert marks == ["◎", "△", "○", "○", None, "△", "△"]


def test_seed_ranks_become_kpi_national(seed_import: Any) -> None:
    _path, result = seed_import
    items = _items(result.data)
    kpis = [e["kpi"] for n in (6, 8) for e in items[n]["entries"] if "kpi" in e]
    assert [k["national"] for k in kpis] == [
        {"rank": 46, "rank_prev": 46}, {"rank": 47, "rank_prev": 47},
        {"rank": 34, "rank_prev": 34}, {"rank": 38, "rank_prev": 27}]
    assert kpis[0]["text"] == "社会保険診療報酬支払基金と合算したレセプト点検の査定率について対前年度以上とする。"


def test_seed_grids_values_formats_and_totals(seed_import: Any) -> None:
    _path, result = seed_import
    items = _items(result.data)
    first = _series(items[1]["entries"][0])
    s, row = _row(first, "傷病手当金")
    assert row["values"][:3] == [2657, 2826, 2870] and s["format"] == "int"
    assert s["total"] == "sum"                      # =SUM(...) totals agree with the months
    _s, r5 = _row(first[3:], "傷病手当金")
    assert r5["values"] == [2481, 2411, 2278, 2020, 2253, 2316, 2719, 2429, 2372, 1999, 2292, 2392]
    s, row = _row(first, "平均所要日数")
    assert s["format"] == "dec:2" and row["values"][6] == 9.3
    assert s["total"] == 8.76                        # a weighted average: kept as written
    s, row = _row(first, "令和4年度")
    assert s["format"] == "pct:0" and s["caption"] == "達成率" and row["values"] == [1.0] * 12
    s, row = _row(_series(items[1]["entries"][1]), "令和5年度")
    assert s["format"] == "pct:1" and row["values"][0] == pytest.approx(0.946) and s["total"] == "mean"
    # "1,969" typed as text with commas
    s, row = _row(_series(items[4]["entries"][1]), "令和4年度")
    assert row["values"][0] == 1969 and s["caption"] == "申請件数"
    # 累計 grid without totals, a month left blank, #,##0 format
    s, row = _row(_series(items[6]["entries"][2]), "令和5年度")
    assert s.get("cumulative") is True and s["total"] == "none" and row["values"][10] is None
    s, row = _row(_series(items[6]["entries"][1]), "令和5年度")
    assert s["format"] == "pct:3" and row["values"][-1] == pytest.approx(0.00251)
    # extra column 全国平均, "-" for a month without figure
    s, row = _row(_series(items[8]["entries"][2]), "令和5年度")
    assert s["extra"] == {"label": "全国平均", "values": [None, pytest.approx(0.5329)]}
    assert row["values"][10] is None
    # h:mm typed as text and as Excel times, 平均 total
    s, row = _row(_series(items[24]["entries"][0]), "令和5年度")
    assert s["format"] == "time" and s["total"] == "mean" and row["values"][:2] == ["3:05", "2:13"]
    # text rows around grids stay, in order
    status = items[6]["entries"][2]["status"]
    assert status[-1] == {"text": "R6.3 実績額 累計108,338千円(前年同月169,615千円)▲61,276千円"}


def test_seed_written_yaml_validates_and_renders(seed_import: Any, tmp_path: Path) -> None:
    path, _result = seed_import
    out = tmp_path / "plan.yaml"
    done = reportgen_cli("import", str(path), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    report = reportgen.load(out)
    assert report.fiscal_year == 2023 and len(list(report.iter_entries())) == 20
    pdf = tmp_path / "plan.pdf"
    xlsx = tmp_path / "plan.xlsx"
    reportgen.render_pdf(report, pdf)
    reportgen.render_xlsx(report, xlsx)
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    for expected in ("2,481", "88,068", "94.6％", "0.251％", "3:05", "オンライン資格確認の円滑な実施"):
        assert expected in text, expected
    ranks = [str(c.value) for row in openpyxl.load_workbook(xlsx)["進捗状況"].iter_rows() for c in row
             if isinstance(c.value, str) and "位" in c.value]
    assert any("38" in r and "27" in r for r in ranks), ranks
    back = reportgen.load(xlsx)                 # a reportgen tracker: read back through xlsx_read
    assert back.to_dict() == report.to_dict()


# --------------------------------------------------------------------------
# Other shapes of the same content
# --------------------------------------------------------------------------

def _data(path: Path, **options: Any) -> dict[str, Any]:
    result = import_tracker(path, **options)
    assert result.warnings == [], [str(w) for w in result.warnings]
    return result.data


@pytest.mark.parametrize("shape", [
    Shape(spacer=0, totals="values"),
    Shape(spacer=2, blank_rows=3, totals="values", sheet="R5進捗"),
    Shape(spacer=1, totals="formulas", header_breaks=True, page_repeat=False),
    Shape(number_below_tags=True),
], ids=["plain", "shifted-header-row-7", "line-broken-header", "tags-above-the-number"])
def test_shapes_import_the_same_report(tmp_path: Path, seed_import: Any, shape: Shape) -> None:
    _path, reference = seed_import
    path = tmp_path / "shape.xlsx"
    build_tracker(path, shape)
    data = _data(path)
    assert data["sections"] == reference.data["sections"]


def test_header_on_another_sheet(tmp_path: Path, seed_import: Any) -> None:
    path = tmp_path / "two-sheets.xlsx"
    build_tracker(path, Shape(sheet="令和5年度"))
    wb = openpyxl.load_workbook(path)
    memo = wb.create_sheet("メモ", 0)              # the first sheet is not the tracker
    memo["A1"] = "作業メモ"
    wb.save(path)
    result = import_tracker(path)
    assert result.sheet == "令和5年度"
    assert result.data["sections"] == seed_import[1].data["sections"]


def test_totals_as_values_and_as_formulas_agree(tmp_path: Path) -> None:
    values, formulas = tmp_path / "v.xlsx", tmp_path / "f.xlsx"
    build_tracker(values, Shape(totals="values"))
    build_tracker(formulas, Shape(totals="formulas"))
    assert _data(values)["sections"] == _data(formulas)["sections"]


def test_formula_without_saved_value_is_a_located_warning(tmp_path: Path) -> None:
    path = tmp_path / "uncached.xlsx"
    built = build_tracker(path, Shape(totals="formulas-uncached"))
    result = import_tracker(path)
    cells = [pair.split("=")[0] for pair in built.cells["formulas"].split(";") if pair]
    messages = {w.path: w.message for w in result.warnings}
    assert set(messages) == {f"Sheet1!{c}" for c in cells}
    assert all("has no value saved with it" in m for m in messages.values())
    assert str(result.warnings[0]).startswith(f"{path}: Sheet1!{cells[0]}: formula =SUM(")
    # the formulas still say how the totals are made
    s, _row4 = _row(_series(_items(result.data)[1]["entries"][0]), "傷病手当金")
    assert s["total"] == "sum"
    done = reportgen_cli("validate", str(path))
    assert done.returncode == 0
    assert done.stderr.splitlines()[0] == f"warning: {result.warnings[0]}"   # no Python warning noise


def test_page_repeated_area_labels_make_one_section(tmp_path: Path) -> None:
    area = Area("1", "基盤的保険者機能関係", [
        Banner(f"〇事業{k}(業務グループ)", [Item(k, f"事業{k}", [], [Entry(f"計画{k}", [f"実施{k}"], "○")])])
        for k in range(1, 8)])
    path = tmp_path / "pages.xlsx"
    build_tracker(path, Shape(areas=[area], page_repeat=True))
    data = _data(path)
    assert len(data["sections"]) == 1
    assert [g["items"][0]["number"] for g in data["sections"][0]["groups"]] == list(range(1, 8))


def test_summary_block_is_not_read_as_items(tmp_path: Path) -> None:
    path = tmp_path / "summary.xlsx"
    build_tracker(path, Shape())
    data = _data(path)
    last = data["sections"][-1]["groups"][-1]["items"][-1]
    assert last["number"] == 24 and len(last["entries"]) == 1
    assert "全体" not in yaml.safe_dump(data, allow_unicode=True)


# --------------------------------------------------------------------------
# Nothing dropped silently
# --------------------------------------------------------------------------

def test_unplaceable_cells_are_located_warnings(tmp_path: Path) -> None:
    path = tmp_path / "stray.xlsx"
    built = build_tracker(path, Shape())
    wb = openpyxl.load_workbook(path)
    ws = wb["Sheet1"]
    rank_cell = built.cells["rank6:46位 (前月46位)"]
    ws[rank_cell] = "圏外"                           # not a rank
    ws["X10"] = "要確認"                             # right of the table
    first = built.cells["1:傷病手当金"]              # E.. column of the first month
    col, row = openpyxl.utils.cell.coordinate_from_string(first)
    ws.cell(row, openpyxl.utils.column_index_from_string(col) + 1, "未集計")   # text in a month
    wb.save(path)
    result = import_tracker(path)
    by_cell = {w.path: w.message for w in result.warnings}
    assert "could not place '要確認'" in by_cell["Sheet1!X10"]
    assert "全国順位" in by_cell[f"Sheet1!{rank_cell}"]
    month = f"Sheet1!{openpyxl.utils.get_column_letter(openpyxl.utils.column_index_from_string(col) + 1)}{row}"
    assert "not a figure" in by_cell[month]
    _s, r4 = _row(_series(_items(result.data)[1]["entries"][0]), "傷病手当金")
    assert r4["values"][1] is None and r4["values"][0] == 2657
    done = reportgen_cli("import", str(path), "-o", str(tmp_path / "stray.yaml"))
    assert done.returncode == 0
    assert f"warning: {path}: Sheet1!X10: could not place '要確認'" in done.stderr


def test_mark_off_the_scale_is_a_located_warning(tmp_path: Path) -> None:
    path = tmp_path / "mark.xlsx"
    area = Area("1", "分野", [Banner("〇事業(業務グループ)", [Item(1, "事業", [], [
        Entry("計画1", ["実施1"], "○"), Entry("計画2", ["実施2"], "★")])])])
    build_tracker(path, Shape(areas=[area], summary=False))
    result = import_tracker(path)
    assert len(result.warnings) == 1
    assert "could not place '★': not a mark of the 'standard' scale" in str(result.warnings[0])
    assert [e.get("mark") for e in _items(result.data)[1]["entries"]] == ["○", None]


def test_not_a_tracker_is_one_line_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "budget.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["科目", "予算", "実績"])
    wb.active.append(["消耗品費", 1000, 800])
    wb.save(path)
    out = tmp_path / "budget.yaml"
    done = reportgen_cli("import", str(path), "-o", str(out))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"{path}: not a 進捗状況 tracker: no sheet has a header row 項番 · 事業 · 実施（手段スケジュール）概要 · "
        "進捗状況 · 実施状況 (· 全国順位); a table of entries needs --title, --organization, --fiscal-year"]
    assert not out.exists()
    with pytest.raises(ReportError, match="not a 進捗状況 tracker"):
        reportgen.load(path)


# --------------------------------------------------------------------------
# Fiscal year, organization, title
# --------------------------------------------------------------------------

def test_without_title_the_options_are_needed(tmp_path: Path) -> None:
    path = tmp_path / "notitle.xlsx"
    build_tracker(path, Shape(title=None, date_row=False))
    with pytest.raises(ReportError) as err:
        import_tracker(path)
    assert [p.message.split(":")[0] for p in err.value.problems] == ["organization unknown"]
    out = tmp_path / "p.yaml"
    done = reportgen_cli("import", str(path), "-o", str(out))
    assert done.returncode == 2 and f"{path}: Sheet1!B1: organization unknown" in done.stderr
    assert not out.exists()
    done = reportgen_cli("import", str(path), "-o", str(out), "--organization", "群馬支部",
                         "--title", "群馬支部 進捗状況")
    assert done.returncode == 0, done.stderr
    # the fiscal year comes from the grids' 令和5年度 labels, and says so
    assert "fiscal year 2023 taken from the grid label '令和5年度'" in done.stderr
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["report"]["title"] == "群馬支部 進捗状況" and data["report"]["fiscal_year"] == 2023


def test_fiscal_year_option_wins_and_is_required_without_any_year(tmp_path: Path) -> None:
    area = Area("1", "分野", [Banner("〇事業(業務グループ)", [Item(1, "事業", [], [Entry("計画", ["実施"], "○")])])])
    path = tmp_path / "noyear.xlsx"
    build_tracker(path, Shape(title="群馬支部 進捗管理表", areas=[area], summary=False))
    with pytest.raises(ReportError, match="Sheet1!A1: fiscal year unknown"):
        import_tracker(path)
    result = import_tracker(path, fiscal_year=2024)
    assert result.data["report"]["fiscal_year"] == 2024 and result.report.organization == "群馬支部"


# --------------------------------------------------------------------------
# load(), render and the CLI
# --------------------------------------------------------------------------

def test_load_and_render_a_hand_made_workbook(tmp_path: Path) -> None:
    path = tmp_path / "tracker.xlsx"
    built = build_tracker(path, Shape())
    wb = openpyxl.load_workbook(path)
    wb["Sheet1"]["X5"] = "メモ"
    wb.save(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = reportgen.load(path)
    assert [str(w.message) for w in caught if w.category is TrackerImportWarning] == [
        f"{path}: Sheet1!X5: could not place 'メモ': outside the columns and rows of the tracker"]
    assert report.marks.name == "gunma" and built.header_row == 3
    out = tmp_path / "out.pdf"
    done = reportgen_cli("render", str(path), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "warning:" in done.stderr and out.stat().st_size > 10_000


def test_reportgen_trackers_still_go_through_xlsx_read(tmp_path: Path, examples_dir: Path) -> None:
    report = reportgen.load(examples_dir / "gunma-r5-excerpt.yaml")
    path = tmp_path / "written.xlsx"
    reportgen.render_xlsx(report, path)
    back, problems = read_workbook(path)
    assert problems == [] and back.to_dict() == report.to_dict()
    out = tmp_path / "written.yaml"
    assert reportgen_cli("import", str(path), "-o", str(out)).returncode == 0
    assert reportgen.load(out).to_dict() == report.to_dict()


def test_cli_output_rules(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    build_tracker(path, Shape())
    done = reportgen_cli("import", str(path), "-o", str(tmp_path / "t.pdf"))
    assert done.returncode == 2 and "written as .yaml, .yml or .json" in done.stderr
    link = tmp_path / "same.yaml"
    link.symlink_to(path)
    done = reportgen_cli("import", str(path), "-o", str(link))
    assert done.returncode == 1 and "refusing to overwrite an input file" in done.stderr
    assert path.read_bytes()[:2] == b"PK"
    out = tmp_path / "t.json"
    assert reportgen_cli("import", str(path), "-o", str(out)).returncode == 0
    assert reportgen.load(out).fiscal_year == 2023
    assert not list(tmp_path.glob("*.part"))
    helped = reportgen_cli("import", "--help")
    assert helped.returncode == 0 and "reportgen import 進捗状況R5.xlsx -o plan.yaml" in helped.stdout
    done = reportgen_cli("import", str(tmp_path / "plan.txt"), "-o", str(tmp_path / "x.yaml"))
    assert done.returncode == 2 and "import reads .csv, .xlsx files" in done.stderr


# --------------------------------------------------------------------------
# Cell values
# --------------------------------------------------------------------------

@pytest.mark.parametrize("value, number_format, expected", [
    (3700, "#,##0", Figure(3700, "int")),
    ("3,700", "General", Figure(3700, "int")),
    ("△12", "General", Figure(-12, "int")),
    ("▲ 1,234", "General", Figure(-1234, "int")),
    ("95.5%", "General", Figure(0.955, "pct", 1)),
    ("９５．５％", "General", Figure(0.955, "pct", 1)),
    (0.955, "0.0%", Figure(0.955, "pct", 1)),
    (0.00251, "0.000%", Figure(0.00251, "pct", 3)),
    ("8.21", "General", Figure(8.21, "dec", 2)),
    (8.2, "0.00", Figure(8.2, "dec", 2)),
    ("4:56", "General", Figure("4:56", "time")),
    (dt.time(3, 5), "h:mm", Figure("3:05", "time")),
    (dt.timedelta(hours=26, minutes=7), "[h]:mm", Figure("26:07", "time")),
    (0.5, "[h]:mm", Figure("12:00", "time")),
    ("-", "General", Figure(None)),
    ("", "General", Figure(None)),
    (None, "General", Figure(None)),
])
def test_parse_figure(value: Any, number_format: str, expected: Figure) -> None:
    got = parse_figure(value, number_format)
    assert (got.kind, got.decimals) == (expected.kind, expected.decimals)
    assert got.value == pytest.approx(expected.value) if isinstance(expected.value, float) else got.value == expected.value


@pytest.mark.parametrize("text", ["未集計", "資料2-1のとおり", "3.4.5"])
def test_text_is_not_a_figure(text: str) -> None:
    with pytest.raises(NotAFigure):
        parse_figure(text)


def test_row_format_takes_the_most_precise_cell() -> None:
    assert row_format([Figure(1, "int"), Figure(8.2, "dec", 1), Figure(8.21, "dec", 2)]) == "dec:2"
    assert row_format([Figure(1.0, "pct", 0), Figure(0.955, "pct", 1)]) == "pct:1"
    assert row_format([Figure(None), Figure(3, "int")]) == "int"


@pytest.mark.parametrize("text, expected", [
    ("46位 (前月46位)", (46, 46)), ("34位 (34位)", (34, 34)), ("20位", (20, None)),
    ("38位（前月27位）", (38, 27)), ("４６位\n(前月４７\n位)", (46, 47)), ("圏外", None), ("46位 上昇", None),
])
def test_parse_rank(text: str, expected: Any) -> None:
    assert parse_rank(text) == expected



def test_a_written_tracker_without_its_embedded_data_is_imported(tmp_path: Path, examples_dir: Path) -> None:
    """Another layout of the same sheet: reportgen's own columns, summary of COUNTIF formulas."""
    report = reportgen.load(examples_dir / "gunma-r5-excerpt.yaml")
    path = tmp_path / "copied.xlsx"
    reportgen.render_xlsx(report, path)
    wb = openpyxl.load_workbook(path)
    del wb["_reportgen"]            # e.g. the sheet copied into a workbook of the office's own
    wb.save(path)
    result = import_tracker(path)
    # the writer's hidden helper columns (V, W, X) are reported, and its live totals (R: formulas
    # never computed, as openpyxl saves them) once each, and the データ sheet (not read); nothing else
    assert {w.path.split("!")[1].rstrip("0123456789") for w in result.warnings
            if w.path.startswith("進捗状況!")} == {"R", "V", "W", "X"}
    assert [w.path for w in result.warnings if not w.path.startswith("進捗状況!")] == ["データ!A1"]
    original = report.to_dict()
    assert [i["number"] for i in _items(result.data).values()] == [i["number"] for i in _items(original).values()]
    marks = [[e.get("mark") for e in i["entries"]] for i in _items(result.data).values()]
    assert marks == [[e.get("mark") for e in i["entries"]] for i in _items(original).values()]
    _s, row = _row(_series(_items(result.data)[1]["entries"][0]), "傷病手当金")
    assert row["values"] == _row(_series(_items(original)[1]["entries"][0]), "傷病手当金")[1]["values"]
    assert result.data["report"]["fiscal_year"] == 2023 and result.report.marks.name == "gunma"


@pytest.mark.parametrize("content, message", [
    (b"not a workbook at all", "not an .xlsx workbook"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "password-protected"),
])
def test_unsafe_or_broken_files_get_the_reader_guards(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    out = tmp_path / "bad.yaml"
    done = reportgen_cli("import", str(path), "-o", str(out))
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert message in done.stderr and "Traceback" not in done.stderr and not out.exists()


def test_a_dtd_in_a_hand_made_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dtd.xlsx"
    build_tracker(path, Shape())
    import io
    import zipfile

    raw = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(raw, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/workbook.xml":
                data = b"<!DOCTYPE x [<!ENTITY a \"aaaa\">]>" + data
            zout.writestr(info, data)
    path.write_bytes(raw.getvalue())
    with pytest.raises(ReportError, match="declares entities or a DTD"):
        import_tracker(path)


def test_tags_typed_above_the_next_items_number(tmp_path: Path) -> None:
    """【tags】 rows between two items belong to the item whose merged 項番 follows them."""
    area = Area("1", "分野", [Banner("〇まとめ(業務グループ)", [
        Item(6, "効果的なレセプト点検の推進", ["困難度:高"], [Entry("計画6", ["実施6"], "○")]),
        Item(7, "適正受診の啓発と勧奨", ["重要度:高", "困難度:高"], [Entry("計画7", ["実施7"], "△")]),
    ])])
    path = tmp_path / "tags.xlsx"
    build_tracker(path, Shape(areas=[area], number_below_tags=True, summary=False))
    items = _items(_data(path))
    assert items[6]["tags"] == ["困難度:高"]
    assert items[7]["tags"] == ["重要度:高", "困難度:高"] and items[7]["title"] == "適正受診の啓発と勧奨"


def test_months_typed_as_dates(tmp_path: Path) -> None:
    area = Area("1", "分野", [Banner("〇事業(業務グループ)", [Item(1, "事業", [], [Entry("計画", [
        Grid("件数", [("令和5年度", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 78, None)], "計")], "○")])])])
    path = tmp_path / "dates.xlsx"
    build_tracker(path, Shape(areas=[area], summary=False))
    wb = openpyxl.load_workbook(path)
    ws = wb["Sheet1"]
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.endswith("月") and cell.value[:-1].isdigit():
                month = int(cell.value[:-1])
                cell.value = dt.date(2023 if month >= 4 else 2024, month, 1)
                cell.number_format = 'm"月"'
    wb.save(path)
    s, row = _row(_series(_items(_data(path))[1]["entries"][0]), "令和5年度")
    assert row["values"] == list(range(1, 13)) and s["total"] == "sum" and s["caption"] == "件数"


def test_the_title_is_the_dated_text_nearest_the_header(tmp_path: Path) -> None:
    path = tmp_path / "titles.xlsx"
    build_tracker(path, Shape(blank_rows=1))
    wb = openpyxl.load_workbook(path)
    ws = wb["Sheet1"]
    ws["A1"] = "令和5年度群馬支部事業報告について (参考資料)"   # a heading above the title
    ws["A3"] = "令和5年度 群馬支部事業計画"                      # the title, just above the header
    ws["C3"] = "担当:企画総務グループ"
    wb.save(path)
    result = import_tracker(path)
    assert result.data["report"]["title"] == "令和5年度 群馬支部事業計画"
    assert [(w.path, w.message.split(":")[0]) for w in result.warnings] == [
        ("Sheet1!A1", "could not place '令和5年度群馬支部事業報告について (参考資料)'"),
        ("Sheet1!C3", "could not place '担当"),
    ]



def _patch_sheet(path: Path, old: bytes, new: bytes) -> None:
    import io
    import zipfile

    raw = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                assert old in data
                data = data.replace(old, new, 1)
            zout.writestr(info, data)
    path.write_bytes(raw.getvalue())


def test_formatting_far_away_is_refused_in_one_line(tmp_path: Path) -> None:
    """A formatted empty cell at XFD1048576 (Excel's last) would make openpyxl walk a
    17-billion-cell sheet: the workbook guard (reportgen.xlsx.limits) refuses it from the
    sheet's XML, before openpyxl parses anything, in one located line."""
    path = tmp_path / "far.xlsx"
    build_tracker(path, Shape())
    wb = openpyxl.load_workbook(path)
    wb["Sheet1"]["XFD1048576"].number_format = "0.0"
    wb.save(path)
    with pytest.raises(ReportError, match=rf"sheet Sheet1: the sheet reaches row 1,048,576; the limit is "
                                          rf"{xlsx_limits.MAX_ROWS:,} rows"):
        import_tracker(path)


def test_a_sheet_wide_merge_is_refused_before_loading(tmp_path: Path) -> None:
    path = tmp_path / "merge.xlsx"
    build_tracker(path, Shape())
    _patch_sheet(path, b"<mergeCell ref=", b"<mergeCell ref=\"W200:XFD1048576\"/><mergeCell ref=")
    with pytest.raises(ReportError, match=rf"Sheet1!W200:XFD1048576: more than {xlsx_limits.MAX_MERGED_CELLS:,} "
                                          "merged cells"):
        import_tracker(path)


def _two_row_header(path: Path, *, merged: bool, spacer: int) -> Path:
    """A tracker whose header has 4月…3月・計 under 進捗状況, each item's figures on its own row."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "R6進捗"
    ws["A1"] = "令和6年度 静岡支部 事業計画 進捗状況"
    hdr, c0 = 4, 1 + spacer
    for k, label in ((0, "項番"), (1, "事業"), (2, "実施（手段・スケジュール）概要"), (3, "進捗状況"),
                     (16, "実施状況"), (17, "全国順位")):
        ws.cell(hdr, c0 + k, label)
    ws.merge_cells(start_row=hdr, start_column=c0 + 3, end_row=hdr, end_column=c0 + 15)
    for k, month in enumerate(["4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月", "1月", "2月", "3月",
                               "計"]):
        ws.cell(hdr + 1, c0 + 3 + k, month)
    if merged:
        for k in (0, 1, 2, 16, 17):
            ws.merge_cells(start_row=hdr, start_column=c0 + k, end_row=hdr + 1, end_column=c0 + k)
    r = hdr + 2
    for number, title, plan, values, mark in (
            ("1", "健診受診率の向上", "事業者健診データの取得を進める。", [120, 135, 150, 160], "○"),
            ("2", "被扶養者の特定健診", "集団健診を実施する。", [12.5, 14.25, 20.0], "△")):
        ws.cell(r, c0, number)
        ws.cell(r, c0 + 1, title)
        ws.cell(r, c0 + 2, plan)
        for k, v in enumerate(values):
            ws.cell(r, c0 + 3 + k, v)
        ws.cell(r, c0 + 15, sum(values))
        ws.cell(r, c0 + 16, mark)
        r += 1
    ws.cell(r, c0, "3")
    ws.cell(r, c0 + 1, "ジェネリック使用促進")
    ws.cell(r, c0 + 2, "差額通知を送付する。")
    ws.cell(r, c0 + 3, "8月に差額通知 2,400件を送付。")
    ws.merge_cells(start_row=r, start_column=c0 + 3, end_row=r, end_column=c0 + 15)
    ws.cell(r, c0 + 16, "○")
    wb.save(path)
    return path


@pytest.mark.parametrize("merged, spacer", [(True, 0), (False, 0), (True, 2)])
def test_a_month_row_under_the_header_heads_every_items_figures(tmp_path: Path, merged: bool, spacer: int) -> None:
    result = import_tracker(_two_row_header(tmp_path / "two-row.xlsx", merged=merged, spacer=spacer))
    assert result.warnings == []
    items = result.report.sections[0].items
    first = items[0].entries[0].status[0].series
    assert first.rows[0].values[:5] == [120, 135, 150, 160, None] and first.total == "sum"
    second = items[1].entries[0].status[0].series
    assert second.rows[0].values[:3] == [12.5, 14.25, 20.0] and second.format == "dec:2"
    assert items[2].entries[0].status == "8月に差額通知 2,400件を送付。"
    assert [e.mark for i in items for e in i.entries] == ["○", "△", "○"]
