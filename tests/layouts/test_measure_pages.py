"""measure-pages layout (issue #5, seed 001) and charts in the PDF.

The Oita example is rendered once: the KPI list (一覧) first, then one page per
measure. Page facts are read back from the PDF (pypdf text per page, pdftotext
-layout for the list's rows, the content stream for the chart's strokes).
"""

from __future__ import annotations

import copy
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

import reportgen
from reportgen import Report, ReportError
from reportgen.layouts.charts import STRONG
from reportgen.layouts.view import build_view
from reportgen.pdf.engine import render_pdf
from reportgen.xlsx.read import read_xlsx

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
OITA = EXAMPLES / "oita-r5-excerpt.yaml"
THIS = "■2023（R5）年度の主な取組み"
NEXT = "■2024（R6）年度の計画"
KPI_LIST = "2023年度（令和5年度）ＫＰＩ達成状況について（一覧）"


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def rgb(colour: str) -> tuple[float, float, float]:
    return tuple(int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]


def stroke_colours(page) -> list[tuple[float, ...]]:  # type: ignore[no-untyped-def]
    """Stroke colours set in a page's content stream (r g b RG)."""
    data = page.get_contents().get_data().decode("latin-1")
    return [tuple(float(x) for x in m) for m in re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) RG", data)]


def has_colour(page, colour: str) -> bool:  # type: ignore[no-untyped-def]
    want = rgb(colour)
    return any(all(abs(a - b) < 0.003 for a, b in zip(c, want)) for c in stroke_colours(page))


def headings(report: Report) -> list[str]:
    """Each measure's heading as printed: number + title."""
    return [f"{item.number or ''}{item.title}" for s in report.sections for _g, item in s.iter_items()]


@pytest.fixture(scope="module")
def oita() -> Report:
    return reportgen.load(OITA)


@pytest.fixture(scope="module")
def oita_pdf(oita: Report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("measures") / "oita.pdf"
    render_pdf(oita, path)
    return path


@pytest.fixture(scope="module")
def reader(oita_pdf: Path) -> PdfReader:
    return PdfReader(oita_pdf)


@pytest.fixture(scope="module")
def pages(reader: PdfReader) -> list[str]:
    return [squeeze(p.extract_text()) for p in reader.pages]


def heading_pages(report: Report, pages: list[str]) -> list[int]:
    """1-based page of each measure heading, searched after the KPI list pages."""
    first_measure = next(i for i, t in enumerate(pages) if THIS in t)
    out = []
    for h in headings(report):
        out.append(next(i for i, t in enumerate(pages) if i >= first_measure and squeeze(h) in t) + 1)
    return out


# ---------------------------------------------------------------------------
# the Oita example
# ---------------------------------------------------------------------------

def test_example_is_measure_pages_with_kpi_list_first(oita: Report) -> None:
    assert oita.layout == "measure-pages" and oita.appendix == ["kpi-summary"]
    assert len(headings(oita)) >= 3
    assert all(item.actions and item.next_plan for _s, _g, item, _e in oita.iter_entries())
    charted = [b for _s, _g, item, _e in oita.iter_entries() for b in item.actions or []
               if getattr(b, "series", None) is not None and b.series.chart == "line"]
    assert charted


def test_kpi_list_then_one_page_per_measure(oita: Report, pages: list[str]) -> None:
    assert KPI_LIST in pages[0]
    assert THIS not in pages[0]
    on = heading_pages(oita, pages)
    # each measure starts a new page, in order, and (as in seed 001) fills exactly one page
    assert on == list(range(2, 2 + len(on)))
    assert len(pages) == 1 + len(on)
    for page in on:
        text = pages[page - 1]
        assert text.count(THIS) == 1 and text.count(NEXT) == 1
    # the report title on the first measure page, each area's banner on its first measure
    assert "2023年度（令和5年度）事業報告について（大分支部）" in pages[1]
    assert "１.基盤的保険者機能関係" in pages[1] and "２.戦略的保険者機能関係" in pages[on[-1] - 1]
    assert "（続き）" not in "".join(pages)


def test_kpi_list_page_references_are_the_measure_pages(oita: Report, oita_pdf: Path,
                                                       pages: list[str]) -> None:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is needed")
    layout = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(oita_pdf), "-"],
                            capture_output=True, text=True, check=True).stdout.split("\f")
    # -layout keeps each table row on its own lines: one P-ref per KPI row, in order
    refs = [int(n) for n in re.findall(r"(?<![A-Za-z])P([0-9]+)\b", layout[0])]
    rows = [h for s in oita.sections for _g, item in s.iter_items()
            for h in [f"{item.number}{item.title}"] * sum(e.kpi is not None for e in item.entries)]
    assert len(refs) == len(rows) and refs
    expected = dict(zip(headings(oita), heading_pages(oita, pages)))
    for heading, ref in zip(rows, refs):
        assert ref == expected[heading], f"{heading}: 掲載ページ P{ref}, heading on page {expected[heading]}"
    assert "掲載ページ" in pages[0]


def test_measure_page_kpi_table_and_columns(pages: list[str]) -> None:
    first = pages[1]
    for header in ("2023（R5）年度KPI", "実績", "達成状況", "2024（R6）年度KPI", THIS, NEXT):
        assert header in first
    # rows: KPI text, actual, judgement, next year's KPI (text, target: prior, target: number)
    assert "①サービススタンダードの達成状況を100％とする。100％達成100％" in first
    assert "②現金給付等の申請に係る郵送化率を96.0%以上とする。91.2％未達成対前年度以上" in first
    text = "".join(pages)
    assert "93.8％未達成2024年度よりKPI設定なし" in text
    assert "72.5％達成68.9％以上" in text and "9.7％未達成11.4％以上" in text
    assert "10,075円達成対前年度以上" in text
    # main actions and next year's plan side by side, with the ■ figures
    assert "令和５年１月に新システムが導入され" in first and "引続き、申請受付から支給まで" in first
    assert "■医療機関照会実施件数：1,047件" in text


def test_line_chart_is_drawn_on_its_measure_page(oita: Report, reader: PdfReader, pages: list[str]) -> None:
    on = dict(zip(headings(oita), heading_pages(oita, pages)))
    page_no = on["（4）効果的なレセプト点検の推進"]
    text = pages[page_no - 1]
    # axis labels and legend of the chart (15回 is a y tick: the grid never reaches 15)
    assert "4月" in text and "3月" in text and "15回" in text
    assert "意見交換会・外部講師研修" in text and "支部内勉強会" in text
    # the vector line of this year's row, in the chart's strong tone, on that page only
    assert has_colour(reader.pages[page_no - 1], STRONG)
    others = [i for i in range(len(reader.pages)) if i != page_no - 1]
    assert not any(has_colour(reader.pages[i], STRONG) for i in others)
    data = reader.pages[page_no - 1].get_contents().get_data().decode("latin-1")
    assert len(re.findall(r" l\n", data)) >= 11  # the polyline's segments (and the grid lines)


def test_columns_reach_the_page_bottom(oita: Report) -> None:
    from weasyprint.formatting_structure import boxes

    from reportgen.pdf.engine import render_document
    from reportgen.pdf.weasy import descendants, has_class, page_box

    document = render_document(oita)
    frames = 0
    for page in document.pages:
        bottom = page_box(page).content_box_y() + page_box(page).height
        for cell in descendants(page_box(page)):
            if isinstance(cell, boxes.TableCellBox) and has_class(cell, "mc-this"):
                assert abs(cell.border_box_y() + cell.border_height() - bottom) < 1.5
                frames += 1
    assert frames == len(headings(oita))


def test_round_trips(oita: Report, tmp_path: Path) -> None:
    again = Report.from_dict(oita.to_dict())
    assert again == oita and again.to_dict() == oita.to_dict()
    data = oita.to_dict()
    item = data["sections"][0]["items"][0]
    assert {"overview", "actions", "next_plan"} <= set(item)
    assert item["entries"][0]["kpi"]["next"] == "100％"
    assert item["entries"][1]["kpi"]["next"] == {"target": "prior"}
    target = tmp_path / "oita.xlsx"
    reportgen.render_xlsx(oita, target)
    assert read_xlsx(target) == oita


# ---------------------------------------------------------------------------
# fallbacks, continuation, KPI charts, validation
# ---------------------------------------------------------------------------

def _small(**item_extra: object) -> dict:
    item = {"number": "（1）", "title": "サービス水準の向上", "owner": "業務", "entries": [
        {"plan": "標準期間を遵守する。", "status": "平均所要日数を短縮した。",
         "kpi": {"text": "サービススタンダードの達成状況を100％とする。", "target": 1.0, "format": "pct:0",
                 "prior": 1.0, "actual": 1.0}},
        {"plan": "郵送化を促進する。", "status": [{"text": "広報を定期的に実施した。"},
                                                {"bullets": {"bullet": "■", "items": ["配布：120件"]}}],
         "kpi": {"text": "郵送化率を96.0%以上とする。", "target": 0.96, "format": "pct:1",
                 "prior": 0.928, "actual": 0.912}},
    ]}
    item.update(item_extra)
    return {"format": 1, "report": {
        "title": "2023年度（令和5年度）事業報告について", "organization": "大分支部", "fiscal_year": 2023,
        "layout": "measure-pages", "marks": "achievement"},
        "sections": [{"number": "１", "title": "基盤的保険者機能関係", "items": [item]}]}


def test_without_actions_and_next_plan_the_entries_status_and_dashes(tmp_path: Path) -> None:
    report = Report.from_dict(_small())
    view = build_view(report)
    assert view.template == "measure-pages.html" and not view.appendices
    m = view.measures.measures[0]
    assert [r.next for r in m.kpi_rows] == ["―", "―"]
    assert not m.next_plan
    path = tmp_path / "small.pdf"
    render_pdf(report, path)
    reader = PdfReader(path)
    assert len(reader.pages) == 1
    text = squeeze(reader.pages[0].extract_text())
    # the entries' status, numbered like the entries, stands in for 主な取組み
    assert "①平均所要日数を短縮した。" in text and "②広報を定期的に実施した。" in text
    assert "■配布：120件" in text
    assert "■配布：120件―" in text  # the plan column, after the actions column: "―"
    # no KPI list asked for: no 掲載ページ, the measure page comes first
    assert "掲載ページ" not in text and "2023年度（令和5年度）事業報告について（大分支部）" in text


def test_long_measure_repeats_its_heading_with_continuation(tmp_path: Path) -> None:
    sentence = "事業主や健康保険委員などに対して、郵送促進の広報を定期的に実施した。"
    data = _small(actions=[{"heading": f"①取組{k}", "text": sentence * 6} for k in range(14)],
                  next_plan="引続き実施する。")
    data["report"]["appendix"] = ["kpi-summary", "mark-summary"]
    path = tmp_path / "long.pdf"
    render_pdf(Report.from_dict(data), path)
    pages = [squeeze(p.extract_text()) for p in PdfReader(path).pages]
    on = [i for i, t in enumerate(pages) if "（1）サービス水準の向上" in t and THIS in t]
    assert len(on) >= 2
    assert "（続き）" not in pages[on[0]]
    assert all("（1）サービス水準の向上（続き）" in pages[i] for i in on[1:])
    # the list first, the mark summary after the measure pages
    assert KPI_LIST in pages[0] and "実施状況の集計" in pages[-1]
    assert re.search(r"P2", pages[0])


def test_synthetic_report_page_references_and_one_measure_per_page(tmp_path: Path) -> None:
    from reportgen.pdf.engine import render_document
    from reportgen.tools.synthetic import synthetic_report

    data = synthetic_report(48, layout="measure-pages").to_dict()
    data["report"]["appendix"] = ["mark-summary", "kpi-summary"]  # the KPI list still comes first
    # an item under a group, one without entries and a section without items
    data["sections"][0]["groups"] = [{"title": "サービス水準の向上", "owner": "業務グループ", "items": [
        {"number": 9, "title": "グループ内の施策", "entries": []}]}]
    data["sections"].append({"number": "４", "title": "空の分野", "items": []})
    report = Report.from_dict(data)
    document = render_document(report)
    anchor_page = {name: i + 1 for i, page in enumerate(document.pages) for name in page.anchors}
    view = build_view(report)
    measures = view.measures.measures
    assert len(measures) == sum(1 for s in report.sections for _ in s.iter_items())
    on = [anchor_page[m.anchor] for m in measures]
    assert on == sorted(set(on)) and on[0] >= 2  # one measure per page at least, after the list
    path = tmp_path / "synthetic.pdf"
    document.write_pdf(path)
    layout = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
                            capture_output=True, text=True, check=True).stdout.split("\f")
    summary = [t for t in layout[:on[0] - 1] if "掲載" in t]
    refs = [int(n) for t in summary for n in re.findall(r"(?<![A-Za-z])P([0-9]+)\b", t)]
    anchors = {id(item): m.anchor for (_s, _g, item), m in zip(
        ((s, g, i) for s in report.sections for g, i in s.iter_items()), measures)}
    expected = [anchor_page[anchors[id(item)]] for s in report.sections for _g, item in s.iter_items()
                for e in item.entries if e.kpi is not None]
    assert refs == expected
    texts = [squeeze(t) for t in layout]
    assert "実施状況の集計" in texts[-1] or "実施状況の集計" in texts[-2]
    assert "（続き）" not in "".join(texts[:on[0] - 1])


def test_kpi_series_chart_beside_the_kpi_table(tmp_path: Path) -> None:
    data = _small()
    kpi = data["sections"][0]["items"][0]["entries"][1]["kpi"]
    kpi["series"] = {"caption": "郵送化率", "format": "pct:1", "chart": "line", "rows": [
        {"label": "令和4年度", "values": [0.93, 0.931, 0.929, 0.928]},
        {"label": "令和5年度", "values": [0.915, 0.913, 0.91, 0.912]}]}
    report = Report.from_dict(data)
    m = build_view(report).measures.measures[0]
    assert len(m.charts) == 1 and "目標 96.0％以上" in str(m.charts[0].svg)
    path = tmp_path / "kpi-chart.pdf"
    render_pdf(report, path)
    page = PdfReader(path).pages[0]
    text = squeeze(page.extract_text())
    assert "令和5年度" in text and "目標96.0％以上" in text and "4月" in text
    assert has_colour(page, STRONG)


def test_series_chart_in_plan_status_cells(tmp_path: Path) -> None:
    data = _small()
    data["report"]["layout"] = "plan-status"
    data["report"]["marks"] = "standard"
    entry = data["sections"][0]["items"][0]["entries"][0]
    series = {"caption": "平均所要日数", "format": "dec:2", "rows": [
        {"label": "令和5年度", "values": [7.76, 6.70, 6.25, 6.38, 6.23, 6.45, 6.12, 5.96, 6.06, 6.17, 6.01, 6.23]}]}
    entry["status"] = [{"text": "所要日数を短縮した。"}, {"series": dict(series)}]
    plain = io.BytesIO()
    render_pdf(Report.from_dict(data), plain)
    assert not has_colour(PdfReader(plain).pages[0], STRONG)
    entry["status"][1]["series"]["chart"] = "line"
    charted = io.BytesIO()
    render_pdf(Report.from_dict(data), charted)
    page = PdfReader(charted).pages[0]
    assert has_colour(page, STRONG)
    # y ticks only the chart prints (the grid holds 7.76 … 5.96)
    assert "8.00" in page.extract_text() and "8.00" not in PdfReader(plain).pages[0].extract_text()


def test_format_1_files_without_extensions_are_unchanged() -> None:
    data = _small()
    report = Report.from_dict(data)
    item = report.sections[0].items[0]
    assert (item.overview, item.actions, item.next_plan) == (None, None, None)
    assert all(e.kpi is not None and e.kpi.next is None for e in item.entries)
    out = report.to_dict()["sections"][0]["items"][0]
    assert not {"overview", "actions", "next_plan"} & set(out)
    assert all("next" not in e["kpi"] for e in out["entries"])


@pytest.mark.parametrize(("change", "message"), [
    (lambda k, i: k.update(next={"txt": "x"}), "kpi.next.txt: unknown key"),
    (lambda k, i: k.update(next={}), "kpi.next: next year's KPI needs a 'text' or a 'target'"),
    (lambda k, i: k.update(next=5), "kpi.next: expected a text or a mapping"),
    (lambda k, i: k.update(next={"target": "96%"}), "kpi.next.target: expected a number"),
    (lambda k, i: i.update(actions=5), "items[0].actions: expected text or a list of blocks"),
    (lambda k, i: i.update(next_plan=[{"paragraph": "x"}]), "next_plan[0].paragraph: unknown key"),
    (lambda k, i: i.update(nextplan="x"), "items[0].nextplan: unknown key (did you mean 'next_plan'?)"),
])
def test_extensions_are_validated_strictly(change, message: str) -> None:  # type: ignore[no-untyped-def]
    data = copy.deepcopy(_small())
    item = data["sections"][0]["items"][0]
    change(item["entries"][0]["kpi"], item)
    with pytest.raises(ReportError) as info:
        Report.from_dict(data)
    assert any(message in str(p) for p in info.value.problems), info.value.problems
