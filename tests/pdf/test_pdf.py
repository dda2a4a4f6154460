"""PDF renderer (issue #3): layouts, fonts, page furniture, appendices, safety.

PDFs are rendered once per module (module-scoped fixtures) and inspected with
the tools a reader's PDF viewer agrees with: pdftotext, pdffonts, qpdf and pypdf.
Layout facts that text cannot show (the vertical 分野 label on every page) are
checked on WeasyPrint's laid-out boxes.
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
from reportgen import Report
from reportgen.pdf.fetch import SafeFetcher
from reportgen.layouts.view import build_view, resolve_columns
from reportgen.model.marks import count_marks
from reportgen.model.report import Column
from reportgen.pdf.engine import render_document, render_html, render_pdf
from reportgen.pdf.weasy import descendants, has_class, page_box
from reportgen.pdf.textfilters import nb_tokens, rich

pytestmark = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("pdftotext", "pdffonts", "qpdf")),
    reason="poppler-utils and qpdf are needed",
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def pdf_pages_text(path: Path, layout: bool = False) -> list[str]:
    """Text of each page (pdftotext), in page order."""
    args = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else []) + [str(path), "-"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def pdffonts(path: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def squeeze(text: str) -> str:
    """Text without whitespace: pdftotext puts line breaks wherever lines wrap."""
    return re.sub(r"\s+", "", text)


_PLANS = [
    "中長期的な視点による健全な財政運営に資するため、経済情勢の悪化による協会財政への影響が懸念される状況を踏まえ、支部評議会において丁寧な説明をした上で、保険料率に関する議論を行う。",
    "加入者や事業主に対して、ホームページや定期広報誌等において協会決算や今後の見通しに関する情報を提供する。",
    "適切な進捗管理を行い、サービススタンダード（受付日から 10 営業日以内の支払い）を遵守する。",
    "レセプトデータから限度額適用認定証の使用率の低い医療機関を抽出し、申請書の窓口設置を行っていない医療機関に対して働きかけを行い、利用促進を図る。",
]
_STATUS = [
    "５月の評議会において、令和４年度の事業実施状況および令和５年度の事業計画について報告。\n7 月の評議会において、令和 4 年度決算（見込み）について報告。",
    "繁忙期における混雑予想を HP に掲載し、混雑緩和を図った。郵送化率は 96.5％、申請件数は 2,974件（令和5年度）であった。",
    "限度額適用認定証の利用促進に係るリーフレット等を希望する医療機関あてに送付。業務グループからの様式変更に関する周知文書の送付が影響し、送付件数が増加した。",
]


def _status(k: int) -> object:
    text = _STATUS[k % 3]
    if k % 4 == 0:
        return [{"text": text}, {"table": {
            "caption": "保険証催告の実施状況",
            "header": [["", "第1四半期\n4～6月", "第2四半期\n7～9月", "第3四半期\n10～12月", "第4四半期\n1～3月", "通期\n4～3月"]],
            "rows": [["文書", 27475 + k, 20244, 19635, 24266, 91620 + k], ["電話等", 1162, 811, 439, 180, 2592]],
            "formats": ["text"] + ["int:件"] * 5}}]
    if k % 4 == 1:
        return [{"text": text}, {"series": {"caption": "郵送化率", "kind": "monthly", "format": "pct:1", "rows": [
            {"label": "令和4年度", "values": [0.955, 0.966, 0.968, 0.964, 0.970, 0.981, 0.970, 0.971, 0.972, 0.973, 0.970, 0.962]},
            {"label": "令和5年度", "values": [0.946, 0.949, 0.953, 0.955, 0.956, 0.944, 0.957, 0.955, 0.945, 0.943, 0.952, 0.944]}]}},
            {"note": "医科、DPC、歯科、調剤"}]
    if k % 4 == 2:
        return [{"bullets": [_STATUS[(k + 1) % 3], _STATUS[(k + 2) % 3]]}]
    return text


def long_report_data(entries: int = 60) -> dict:
    """A seed-like plan-status report: 3 sections, 4 entries per item, one entry over 3 pages."""
    titles = ["基盤的保険者関係", "戦略的保険者機能関係", "組織・運営体制関係"]
    sections: list[dict] = [{"number": "１２３"[i], "title": t, "items": []} for i, t in enumerate(titles)]
    n_items = -(-entries // 4)
    made = 0
    for i in range(n_items):
        section = sections[min(i * 3 // n_items, 2)]
        item_entries = []
        for _ in range(min(4, entries - made)):
            k = made
            entry: dict = {"plan": _PLANS[k % 4], "status": _status(k), "mark": "○◎△○×○"[k % 6]}
            if k % 5 == 2:
                entry["kpi"] = {"text": "現金給付等の申請に係る郵送化率を 96.5％以上とする。", "target": 0.965,
                                "direction": ">=", "format": "pct:1", "prior": 0.963,
                                "actual": round(0.955 + (k % 4) * 0.004, 3)}
            item_entries.append(entry)
            made += 1
        section["items"].append({
            "number": f"（{'１２３４５６７８９'[len(section['items']) % 9]}）",
            "title": f"施策その{i + 1}の推進", "tags": ["重要度：高"] if i % 2 == 0 else [],
            "owner": "業務グループ", "entries": item_entries})
    if len(sections[0]["items"]) < 2:
        return _wrap([s for s in sections if s["items"]])
    long_entry = sections[0]["items"][1]["entries"][0]
    long_entry["status"] = [{"text": "\n".join(_STATUS * 6)}, {"bullets": _STATUS * 4},
                            {"text": "\n".join(_STATUS * 5)}]
    return _wrap(sections)


def _wrap(sections: list[dict]) -> dict:
    return {"format": 1, "report": {
        "title": "令和５年度 事業計画", "organization": "埼玉支部", "fiscal_year": 2023,
        "layout": "plan-status", "marks": "standard", "appendix": ["kpi-summary", "mark-summary"],
        "preface": [{"heading": "基本方針", "bullets": ["能動的な業務体制への変革"]}]},
        "sections": sections}


# ---------------------------------------------------------------------------
# fixtures: each PDF rendered once
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pdf")


@pytest.fixture(scope="module")
def saitama() -> Report:
    return reportgen.load(EXAMPLES / "saitama-r5-excerpt.yaml")


@pytest.fixture(scope="module")
def saitama_pdf(saitama: Report, out_dir: Path) -> Path:
    path = out_dir / "saitama.pdf"
    render_pdf(saitama, path)
    return path


@pytest.fixture(scope="module")
def quarterly_pdf(out_dir: Path) -> Path:
    path = out_dir / "quarterly.pdf"
    render_pdf(reportgen.load(EXAMPLES / "saitama-h29-q1-excerpt.yaml"), path)
    return path


@pytest.fixture(scope="module")
def long_report() -> Report:
    return Report.from_dict(long_report_data(60), source="<long>")


@pytest.fixture(scope="module")
def long_doc(long_report: Report):
    return render_document(long_report)


@pytest.fixture(scope="module")
def long_pdf(long_doc, out_dir: Path) -> Path:
    path = out_dir / "long.pdf"
    long_doc.write_pdf(path)
    return path


@pytest.fixture(scope="module")
def long_text(long_pdf: Path) -> list[str]:
    return pdf_pages_text(long_pdf)


def main_pages(pages: list[str]) -> list[str]:
    """Pages of the main table (before the appendices)."""
    out = []
    for text in pages:
        if "ＫＰＩ達成状況について" in text or "実施状況の集計" in text:
            break
        out.append(text)
    return out


# ---------------------------------------------------------------------------
# examples, furniture, fonts
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_every_example_renders(name: str, out_dir: Path) -> None:
    # gunma is a tracker (Excel) layout: the PDF falls back to plan-status.
    report = reportgen.load(EXAMPLES / name)
    buffer = io.BytesIO()
    render_pdf(report, buffer)
    data = buffer.getvalue()
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 1
    text = squeeze("".join(p.extract_text() for p in reader.pages))
    first_item = next(item for _s, _g, item, _e in report.iter_entries())
    assert squeeze(first_item.title) in text


def test_long_report_spans_several_pages(long_text: list[str]) -> None:
    assert len(main_pages(long_text)) >= 10


def test_legend_and_header_on_every_page(long_text: list[str]) -> None:
    for number, text in enumerate(main_pages(long_text), 1):
        flat = squeeze(text)
        assert "◎（計画を大幅に上回る）、○（計画通り）" in flat, f"legend missing on page {number}"
        for label in ("分野", "計画内容", "実施状況"):
            assert label in flat, f"header {label} missing on page {number}"


def test_vertical_label_on_every_page_a_section_spans(long_doc, long_report: Report) -> None:
    from weasyprint.formatting_structure import boxes

    headings = {s.heading: s for s in long_report.sections}
    spans: dict[str, list[int]] = {}
    for page_no, page in enumerate(long_doc.pages, 1):
        for table in descendants(page_box(page)):
            if not (isinstance(table, boxes.TableBox) and has_class(table, "sec")):
                continue
            label = next(b for b in descendants(table)
                         if isinstance(b, boxes.BlockBox) and has_class(b, "vlabel"))
            chars = "".join(t.text for t in descendants(label) if isinstance(t, boxes.TextBox))
            cell = next(b for b in descendants(table) if has_class(b, "label"))
            heading = cell.element.get("data-bookmark")
            spans.setdefault(heading, []).append(page_no)
            assert len(chars) >= 2, f"page {page_no}: label of {heading} shows {chars!r}"
            assert squeeze(headings[heading].heading).startswith(chars), (page_no, chars)
    assert set(spans) == set(headings)
    # each section appears on consecutive pages and the long ones span several
    for heading, pages in spans.items():
        assert pages == list(range(pages[0], pages[-1] + 1)), heading
    assert max(len(p) for p in spans.values()) >= 4


def test_vertical_label_characters_one_per_line(saitama_pdf: Path) -> None:
    first = pdf_pages_text(saitama_pdf)[0]
    lines = [line.strip() for line in first.splitlines() if line.strip()]
    label = "１基盤的保険者関係"
    # one character per text line, in order
    start = lines.index(label[0])
    assert lines[start:start + len(label)] == list(label)


def test_page_numbers_n_of_n(long_text: list[str], saitama_pdf: Path) -> None:
    for pages in (long_text, pdf_pages_text(saitama_pdf)):
        total = len(pages)
        for number, text in enumerate(pages, 1):
            assert f"{number} / {total}" in text


def test_fonts_are_bundled_biz_ud_embedded_and_subset(saitama_pdf: Path, out_dir: Path,
                                                       saitama: Report) -> None:
    mincho = out_dir / "saitama-mincho.pdf"
    render_pdf(saitama, mincho, font="mincho")
    for path, face in ((saitama_pdf, "BIZ-UDGothic"), (mincho, "BIZ-UDMincho")):
        rows = pdffonts(path)
        assert rows
        names = [row[0] for row in rows]
        assert any(face in n for n in names), names
        for row in rows:
            name = row[0]
            assert re.fullmatch(r"[A-Z]{6}\+BIZ-UD(Gothic|Mincho)(-Bold)?", name), name
            # columns: name type encoding emb sub uni object ID (type may be two words)
            assert row[-5:-3] == ["yes", "yes"], row


def test_a3_paper(saitama: Report, out_dir: Path) -> None:
    path = out_dir / "a3.pdf"
    render_pdf(saitama, path, paper="A3")
    box = PdfReader(path).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (1191, 842)


def test_bad_options_are_refused_before_writing(saitama: Report, tmp_path: Path) -> None:
    target = tmp_path / "x.pdf"
    for kwargs in ({"paper": "B6"}, {"font": "comic"}, {"pdf_variant": "pdf/z-9"}):
        with pytest.raises(ValueError):
            render_pdf(saitama, target, **kwargs)
    assert not list(tmp_path.iterdir())


# ---------------------------------------------------------------------------
# content of the examples
# ---------------------------------------------------------------------------

def test_saitama_figures_and_titles(saitama_pdf: Path) -> None:
    flat = squeeze("".join(pdf_pages_text(saitama_pdf)))
    assert "令和５年度事業計画（埼玉支部）" in flat
    assert "令和5年度" in flat or "令和５年度" in flat
    assert "27,475件" in flat
    assert "80.15％" in flat
    # a count row under a pct column prints as a count, not 6760400.00％
    assert "67,604" in flat and "6760400" not in flat and "6,760,400" not in flat
    assert "【重要度：高】【困難度：高】" in flat
    assert "KPI：サービススタンダードの達成状況を100％とする" in flat
    assert "①中長期的な視点" in flat and "②加入者や事業主" in flat
    assert "※医科、DPC、歯科、調剤" in flat


def test_quarterly_cover_and_truncated_months(quarterly_pdf: Path) -> None:
    pages = pdf_pages_text(quarterly_pdf)
    flat = squeeze("".join(pages))
    assert "第一四半期" in flat or "第1四半期" in flat
    assert "平成29年度事業計画実施状況" in flat
    assert "平成29年7月14日" in flat
    assert "4月5月6月小計" in flat
    assert "133,243件" in flat  # 小計 of 受付
    for month in ("8月", "9月", "11月", "12月", "3月"):
        assert month not in flat, month
    # the issued date is right-aligned on the first page
    layout = pdf_pages_text(quarterly_pdf, layout=True)[0]
    date_line = next(line for line in layout.splitlines() if "平成29年7月14日" in line)
    title_line = next(line for line in layout.splitlines() if "事業計画実施状況" in line)
    assert len(date_line) - len(date_line.lstrip()) > len(title_line) - len(title_line.lstrip())


def test_plan_status_leaves_months_after_the_period_empty() -> None:
    data = long_report_data(4)
    data["report"]["period"] = "Q1"
    view = build_view(Report.from_dict(data))
    grids = [b for s in view.sections for it in s.items for row in it.rows for c in row
             for b in c.blocks if b.kind == "table" and b.head and b.head[0][1].text == "4月"]
    assert grids
    grid = grids[0]
    assert [c.text for c in grid.head[0]][1:13] == [f"{m}月" for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]
    values = [c.text for c in grid.body[0]]
    assert values[1:4] == ["95.5％", "96.6％", "96.8％"]
    assert values[4:13] == [""] * 9


def test_embedded_tables_fit_their_column() -> None:
    from reportgen.model.grids import series_grid
    from reportgen.layouts.view import grid_view, table_width_mm

    report = Report.from_dict(long_report_data(4))
    series = next(b.series for b in report.sections[0].items[0].entries[1].status if hasattr(b, "series"))
    grid = series_grid(series, 12)
    # the status column of A4 plan-status: 50 % of 273 mm minus padding
    (whole,) = grid_view(grid, 133.4)
    assert whole.size == "dense" and len(whole.head[0]) == 14
    assert table_width_mm(whole, "") > 133.4 >= table_width_mm(whole, "dense")
    # a narrow custom column: two stacked halves, 4月–9月 and 10月–3月 + 平均
    first, second = grid_view(grid, 60.0)
    assert [c.text for c in first.head[0]][1:] == ["4月", "5月", "6月", "7月", "8月", "9月"]
    assert [c.text for c in second.head[0]][1:] == ["10月", "11月", "12月", "1月", "2月", "3月", "平均"]
    assert first.size == second.size
    assert max(table_width_mm(first, first.size), table_width_mm(second, second.size)) <= 60.0


def test_quarterly_view_truncates_grids() -> None:
    view = build_view(reportgen.load(EXAMPLES / "saitama-h29-q1-excerpt.yaml"))
    heads = [[c.text for c in b.head[0]] for s in view.sections for it in s.items for row in it.rows
             for c in row for b in c.blocks if b.kind == "table" and len(b.head[0]) > 1 and b.head[0][1].text == "4月"]
    assert heads and all(h[1:] == ["4月", "5月", "6月", "小計"] for h in heads)


def test_no_line_starts_with_closing_punctuation(long_text: list[str]) -> None:
    for number, text in enumerate(long_text, 1):
        for line in text.splitlines():
            s = line.strip()
            assert not (s and s[0] in "、。）」"), f"page {number}: {s!r}"


def test_numbers_with_units_stay_together(long_text: list[str]) -> None:
    lines = [line.strip() for text in long_text for line in text.splitlines()]
    for i, line in enumerate(lines[:-1]):
        # a line ending in digits followed by a line starting with the unit would be a split token
        if re.search(r"[0-9]$", line):
            assert not re.match(r"^(件|％|年度)", lines[i + 1]), (line, lines[i + 1])
        assert not line.endswith("令和"), line


# ---------------------------------------------------------------------------
# continuation titles, entries split across pages
# ---------------------------------------------------------------------------

def test_continuation_title_only_on_following_pages(long_pdf: Path, long_report: Report) -> None:
    # -layout keeps a title and the （続き） floated beside it on one text line
    pages = main_pages(pdf_pages_text(long_pdf, layout=True))
    continued = 0
    for _group, item in (gi for s in long_report.sections for gi in s.iter_items()):
        pattern = re.compile(re.escape(item.title) + r"(?![0-9])")
        on = [i for i, text in enumerate(pages) if pattern.search(text)]
        assert on, item.title
        for i in on:
            title_lines = [line for line in pages[i].splitlines() if pattern.search(line)]
            marked = [line for line in title_lines if "（続き）" in line]
            if i == on[0]:
                assert not marked, f"（続き） on the first page of {item.title}: {marked}"
            else:
                assert marked, f"page {i + 1} continues {item.title} without （続き）"
        continued += len(on) > 1
    # entry rows under a third of a page move whole (issue #12.1): the long entry
    # still runs over pages, and so do items that start near a page bottom
    assert continued >= 1
    # the first page of a continued title shows it without （続き） in the status column too
    first_text = squeeze(pages[0])
    assert "（続き）" not in first_text


def test_continuation_title_is_short() -> None:
    from reportgen.layouts.view import continuation_title

    assert continuation_title("（２）サービス水準の向上", 200.0) == "（２）サービス水準の向上（続き）"
    long = "（６）" + "健康保険委員と連携した事業の推進及び関係団体との連携強化に関する取組"
    short = continuation_title(long, 200.0)
    assert short.startswith("（６）健康保険委員と連携") and short.endswith("…（続き）")
    assert len(short) <= 20 + len("…（続き）")
    # a URL without spaces is cut too, never longer than one line of the band
    assert len(continuation_title("https://example.jp/" + "a" * 5000, 200.0)) < 40


def test_long_title_continuation_band_is_pruned_on_the_first_page(out_dir: Path) -> None:
    data = long_report_data(24)
    data["report"]["appendix"] = []
    for s in data["sections"]:
        for item in s["items"]:
            item["title"] = item["title"] + "のための取組み強化と関係機関連携"
    path = out_dir / "long-cont.pdf"
    render_pdf(Report.from_dict(data), path)
    flat = [squeeze(p) for p in pdf_pages_text(path)]
    title = "施策その2の推進のための取組み強化と関係機関連携"
    on = [i for i, t in enumerate(flat) if "施策その2の推進" in t]
    assert len(on) >= 2
    assert title in flat[on[0]] and "施策その2の推進のための取組み強化…（続き）" not in flat[on[0]]
    assert all("（２）施策その2の推進のための取組み強化…（続き）" in flat[i] for i in on[1:])


def test_long_entry_is_split_across_pages(long_text: list[str]) -> None:
    # the long entry's status repeats one sentence 15 times: it must run over several pages
    pages = [i for i, t in enumerate(main_pages(long_text)) if "利用促進に係るリーフレット" in squeeze(t)]
    assert len(pages) >= 3
    assert pages[:3] == list(range(pages[0], pages[0] + 3))


def test_marks_sit_inside_their_entry_rows(long_doc) -> None:
    from weasyprint.formatting_structure import boxes

    marks = 0
    for page in long_doc.pages:
        for cell in descendants(page_box(page)):
            if isinstance(cell, boxes.TableCellBox) and has_class(cell, "mark"):
                for mark in descendants(cell):
                    if has_class(mark, "markpos") and isinstance(mark, boxes.BlockBox):
                        top, bottom = cell.border_box_y(), cell.border_box_y() + cell.border_height()
                        middle = mark.position_y + mark.margin_height() / 2
                        assert top <= mark.position_y and mark.position_y + mark.margin_height() <= bottom + 1
                        assert abs(middle - (top + bottom) / 2) < 1
                        marks += 1
    assert marks == 60


# ---------------------------------------------------------------------------
# appendices
# ---------------------------------------------------------------------------

def _kpi_rows(report: Report) -> list[str]:
    """Item title of each KPI row, in table order."""
    return [item.title for s in report.sections for _g, item in s.iter_items()
            for e in item.entries if e.kpi is not None]


@pytest.mark.parametrize("which", ["saitama", "long"])
def test_kpi_summary_page_references_are_real_pages(which: str, saitama: Report, saitama_pdf: Path,
                                                    long_report: Report, long_pdf: Path) -> None:
    report, path = (saitama, saitama_pdf) if which == "saitama" else (long_report, long_pdf)
    pages = pdf_pages_text(path)
    flat = [squeeze(t) for t in pages]
    summary = [i for i, t in enumerate(flat) if "ＫＰＩ達成状況について" in t]
    assert summary
    # -layout keeps each table row on its own text lines, top to bottom: one P-ref per row
    layout = pdf_pages_text(path, layout=True)
    refs = [int(n) for i in summary for n in re.findall(r"(?<![A-Za-z])P([0-9]+)\b", layout[i])]
    titles = _kpi_rows(report)
    assert len(refs) == len(titles)
    for title, ref in zip(titles, refs):
        pattern = re.compile(re.escape(title) + r"(?![0-9])")
        first = next(i for i, t in enumerate(flat) if pattern.search(t)) + 1
        assert ref == first, f"{title}: 掲載ページ P{ref}, printed on page {first}"
    assert "掲載ページ" in flat[summary[0]]
    assert "１.基盤的保険者関係" in flat[summary[0]]


def test_kpi_summary_columns(saitama_pdf: Path) -> None:
    text = squeeze("".join(pdf_pages_text(saitama_pdf)))
    for header in ("施策", "2023（R5）年度KPI", "【参考】2022（R4）年度実績", "2023（R5）年度実績",
                   "達成状況", "担当グループ"):
        assert header in text
    assert "85.38％80.15％未達成レセプトグループ" in text
    assert "未確定" not in text


def test_mark_summary_counts_equal_count_marks(saitama: Report, saitama_pdf: Path,
                                               long_report: Report, long_pdf: Path) -> None:
    for report, path in ((saitama, saitama_pdf), (long_report, long_pdf)):
        page = next(t for t in pdf_pages_text(path, layout=True) if "実施状況の集計" in t)
        rows = {}
        for line in page.splitlines():
            parts = line.split()
            if len(parts) >= 3 and all(p.isdigit() for p in parts[-3:]):
                numbers = [int(p) for p in parts if p.isdigit()]
                label = "".join(p for p in parts if not p.isdigit())
                rows[label] = numbers
        summary = count_marks(report)
        symbols = [s.symbol for s in summary.scale.symbols]
        for part in [*summary.sections, summary.whole, summary.kpi]:
            counts = [part.counts.get(s, 0) for s in symbols]
            key = next(k for k in rows if squeeze(part.label).endswith(k[-6:]) or k.endswith(squeeze(part.label)[-6:]))
            assert rows[key][-len(counts) - 1:] == counts + [part.total], part.label


def test_kpi_summary_layout_alone(out_dir: Path) -> None:
    data = copy.deepcopy(long_report_data(20))
    data["report"]["layout"] = "kpi-summary"
    data["report"]["appendix"] = []
    path = out_dir / "kpi-only.pdf"
    render_pdf(Report.from_dict(data), path)
    flat = squeeze("".join(pdf_pages_text(path)))
    assert "2023年度（令和5年度）ＫＰＩ達成状況について（一覧）" in flat
    assert "達成状況" in flat and "掲載ページ" not in flat
    assert "計画内容" not in flat  # no main table


# ---------------------------------------------------------------------------
# columns and scales
# ---------------------------------------------------------------------------

def test_custom_columns_item_field_and_inline_scale(out_dir: Path) -> None:
    data = long_report_data(8)
    data["report"]["marks"] = {"name": "mine", "symbols": [{"symbol": "優", "label": "とても良い"},
                                                           {"symbol": "可", "label": "ふつう"}],
                               "not_assessed": "－"}
    data["report"]["columns"] = [
        {"field": "section", "label": "区分", "width": "12mm"},
        {"field": "title", "label": "事業", "width": "15%"},
        {"field": "plan", "label": "実施概要", "width": "25%"},
        {"field": "具体的な取り組み", "label": "具体的な取り組み", "width": "20%"},
        {"field": "status", "label": "進捗", "width": "25%"},
        {"field": "owner", "label": "担当", "width": "20mm"},
        {"field": "mark", "label": "評価"},
    ]
    for s in data["sections"]:
        for item in s["items"]:
            item["fields"] = {"具体的な取り組み": f"取組メモ{item['title']}"}
            for k, e in enumerate(item["entries"]):
                e["mark"] = "優可－"[k % 3]
    report = Report.from_dict(data)
    path = out_dir / "custom.pdf"
    render_pdf(report, path)
    flat = squeeze("".join(pdf_pages_text(path)))
    assert "取組メモ施策その1の推進" in flat and "取組メモ施策その2の推進" in flat
    assert "優（とても良い）、可（ふつう）" in flat
    for label in ("区分", "事業", "実施概要", "具体的な取り組み", "進捗", "担当", "評価"):
        assert label in flat
    assert "業務グループ" in flat
    html = render_html(report)
    assert html.count("<col ") >= 7


def test_resolve_columns_widths() -> None:
    cols = resolve_columns([Column("plan", "", "38%"), Column("section", "", "4%"),
                            Column("status", "", "50%"), Column("mark", "", "8%")], 273.0)
    assert [c.field for c in cols] == ["section", "plan", "status", "mark"]
    assert [round(c.pct, 3) for c in cols] == [4, 38, 50, 8]
    assert round(sum(c.item_pct for c in cols), 6) == 100
    mixed = resolve_columns([Column("plan", "", "40mm"), Column("status", ""), Column("mark", "", "1fr")], 273.0)
    assert round(mixed[0].width_mm, 6) == 40 and round(mixed[1].width_mm, 6) == round(mixed[2].width_mm, 6)
    assert round(sum(c.width_mm for c in mixed), 6) == 273


# ---------------------------------------------------------------------------
# document features
# ---------------------------------------------------------------------------

def test_metadata_and_outline(saitama: Report, saitama_pdf: Path) -> None:
    reader = PdfReader(saitama_pdf)
    assert reader.metadata.title == "令和５年度 事業計画（埼玉支部）"
    assert reader.metadata.author == "埼玉支部"
    assert reader.trailer["/Root"]["/Lang"] == "ja"

    def flatten(outline: list, depth: int = 0) -> list[tuple[int, str, int]]:
        out = []
        for node in outline:
            if isinstance(node, list):
                out.extend(flatten(node, depth + 1))
            else:
                out.append((depth, node.title, reader.get_destination_page_number(node) + 1))
        return out

    entries = flatten(reader.outline)
    expected = []
    for s in saitama.sections:
        expected.append((0, s.heading))
        expected.extend((1, f"{item.number}{item.title}") for _g, item in s.iter_items())
    assert [(d, t) for d, t, _p in entries][:len(expected)] == expected
    # no duplicates from repeated table headers
    assert len({t for _d, t, _p in entries}) == len(entries)
    pages = pdf_pages_text(saitama_pdf)
    for depth, title, page in entries[:len(expected)]:
        if depth == 1:
            assert squeeze(title) in squeeze(pages[page - 1])


@pytest.mark.parametrize("variant", ["pdf/a-3u", "pdf/ua-1"])
def test_pdf_variants_pass_qpdf_check(variant: str, out_dir: Path) -> None:
    report = reportgen.load(EXAMPLES / "saitama-h29-q1-excerpt.yaml")
    path = out_dir / f"variant-{variant.replace('/', '_')}.pdf"
    render_pdf(report, path, pdf_variant=variant)
    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    root = PdfReader(path).trailer["/Root"]
    assert root["/Lang"] == "ja"
    assert "/Metadata" in root
    if variant == "pdf/ua-1":
        assert "/StructTreeRoot" in root


def test_atomic_write_keeps_previous_file(saitama: Report, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import weasyprint

    target = tmp_path / "report.pdf"
    target.write_bytes(b"%PDF-previous")

    def broken(self, target=None, *args, **kwargs):
        with open(target, "wb") as handle:
            handle.write(b"%PDF-1.7 half")
        raise RuntimeError("disk full")

    monkeypatch.setattr(weasyprint.Document, "write_pdf", broken)
    with pytest.raises(RuntimeError):
        render_pdf(saitama, target)
    assert target.read_bytes() == b"%PDF-previous"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]

    def oserror(self, target=None, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(weasyprint.Document, "write_pdf", oserror)
    with pytest.raises(reportgen.RenderError):
        render_pdf(saitama, target)
    assert target.read_bytes() == b"%PDF-previous"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]


def test_write_to_path_replaces_file(saitama: Report, tmp_path: Path) -> None:
    target = tmp_path / "out.pdf"
    target.write_bytes(b"old")
    render_pdf(saitama, str(target))
    assert target.read_bytes().startswith(b"%PDF-")
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"]


# ---------------------------------------------------------------------------
# safety
# ---------------------------------------------------------------------------

EVIL_IMG = '<img src="http://example.invalid/x.png">'
EVIL_LINK = "<link rel=stylesheet href=file:///etc/passwd>"


def test_markup_in_data_prints_literally_and_fetches_nothing(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    data = long_report_data(4)
    entry = data["sections"][0]["items"][0]["entries"][0]
    entry["status"] = f"注入テスト {EVIL_IMG} と {EVIL_LINK} 終わり"
    data["sections"][0]["items"][0]["title"] = "<b>太字</b>の施策"
    data["report"]["title"] = '令和５年度 "事業計画" <script>alert(1)</script>'
    report = Report.from_dict(data)

    requested: list[str] = []
    original = SafeFetcher.fetch

    def recording(self, url, headers=None):
        requested.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(SafeFetcher, "fetch", recording)
    html = render_html(report)
    assert "<img" not in html and "<link rel=stylesheet href=file" not in html
    assert "&lt;img src=&#34;http://example.invalid/x.png&#34;&gt;" in html
    assert "<script>" not in html

    fetcher = SafeFetcher()
    document = render_document(report, fetcher=fetcher)
    path = tmp_path / "evil.pdf"
    document.write_pdf(path)
    assert fetcher.refused == []
    assert all(u.startswith("file://") and ("/templates/" in u or "/fonts/" in u) for u in fetcher.served)
    assert not any("example.invalid" in u or "passwd" in u for u in requested)
    flat = squeeze("".join(pdf_pages_text(path)))
    assert squeeze(EVIL_IMG) in flat
    assert squeeze(EVIL_LINK) in flat
    assert "<b>太字</b>の施策" in flat
    assert PdfReader(path).metadata.title.startswith('令和５年度 "事業計画" <script>')


def test_rich_filter_escapes_then_keeps_tokens_together() -> None:
    out = rich('2,974件 と 96.5％、令和 4 年度 <b>&</b>\n次の行')
    assert str(out) == ('<span class="nb">2,974件</span> と <span class="nb">96.5％</span>、'
                        '<span class="nb">令和 4 年度</span> &lt;b&gt;&amp;&lt;/b&gt;<br>次の行')
    # data that looks like our own markup is still escaped
    assert str(rich('<span class="nb">x</span>')) == '&lt;span class=&#34;nb&#34;&gt;x&lt;/span&gt;'
    assert nb_tokens("平成29年7月14日") == [("平成29年7月14日", True)]
    assert "".join(p for p, _k in nb_tokens("令和５年度は２，９７４件")) == "令和５年度は２，９７４件"
    assert [p for p, k in nb_tokens("令和５年度は２，９７４件") if k] == ["令和５年度", "２，９７４件"]


def test_embedded_table_header_rows_spans_and_formats(out_dir: Path) -> None:
    data = long_report_data(4)
    data["report"]["issued"] = "2024-05-20"
    item = data["sections"][0]["items"][0]
    item["labels"] = ["インセンティブ関連"]
    item["entries"][0]["status"] = [
        {"heading": "実績", "table": {
            "caption": "催告の状況",
            "header": [[{"value": "区分", "span": [2, 1]}, {"value": "第1四半期", "span": [1, 2]}],
                       ["件数", "率"]],
            "rows": [[{"value": "文書\n（１次）", "span": [2, 1]}, 27475, 0.8431],
                     [1162, {"value": 0.5, "format": "pct:0"}]],
            "formats": ["text", "int:件", "pct:1"]}},
        {"bullets": {"bullet": "◇", "items": ["独自の記号で始まる行"]}},
        {"note": "※印は付け直さない"},
    ]
    report = Report.from_dict(data)
    view = build_view(report)
    table = next(b for b in view.sections[0].items[0].rows[0][1].blocks if b.kind == "table")
    assert [[(c.text, c.colspan, c.rowspan) for c in r] for r in table.head] == [
        [("区分", 1, 2), ("第1四半期", 2, 1)], [("件数", 1, 1), ("率", 1, 1)]]
    # the second body row starts in column 1 (column 0 is spanned from above)
    assert [[c.text for c in r] for r in table.body] == [["文書\n（１次）", "27,475件", "84.3％"],
                                                         ["1,162件", "50％"]]
    path = out_dir / "table.pdf"
    render_pdf(report, path)
    flat = squeeze("".join(pdf_pages_text(path)))
    for text in ("催告の状況", "区分", "第1四半期", "27,475件", "84.3％", "1,162件", "50％",
                 "◇独自の記号で始まる行", "※印は付け直さない", "インセンティブ関連", "令和6年5月20日"):
        assert text in flat, text
    assert "※※" not in flat
    html = render_html(report)
    assert 'rowspan="2"' in html and 'colspan="2"' in html
    assert '<span class="bullet">◇</span>' in html


def test_table_cell_newline_is_a_line_break(saitama: Report) -> None:
    html = render_html(saitama)
    # header cells are nowrap: printed without nb spans (reportgen.pdf.textfilters.lines)
    assert '<th>第1四半期<br>4～6月</th>' in html
    assert "文書<br>（１次.２次）" in html
