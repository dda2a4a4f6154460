"""report.subtitle, report.footer and report.approval (決裁欄): printed when given,
nothing changes when absent, bad values are located errors (docs/FORMAT-extensions.md)."""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml

import reportgen
from reportgen.core.errors import ReportError

EXAMPLES = sorted(Path(__file__).resolve().parents[2].joinpath("examples").glob("*.yaml"))


def report_data(layout: str = "plan-status", items: int = 3, **extra: object) -> dict:
    """A report long enough to run over several pages (footer on every page)."""
    long_status = "。".join(f"第{n}回の取組みを実施し、関係機関と連携して周知を行った" for n in range(12))
    return {
        "format": 1,
        "report": {"title": "令和６年度 事業計画 実施状況", "organization": "全国健康保険協会 埼玉支部",
                   "fiscal_year": 2024, "layout": layout, **extra},
        "sections": [{"title": f"分野{s}", "items": [
            {"number": f"（{i}）", "title": f"施策{s}-{i}",
             "entries": [{"plan": f"計画{s}-{i}", "status": long_status, "mark": "○"}]}
            for i in range(1, items + 1)]} for s in range(1, 4)],
    }


def load(data: dict) -> reportgen.Report:
    return reportgen.loads(yaml.safe_dump(data, allow_unicode=True), source="r.yaml")


def pdf_pages(report: reportgen.Report) -> list[str]:
    from pypdf import PdfReader

    pdf = reportgen.render_pdf(report)
    return [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]


FIELDS = {"subtitle": "（第一四半期）&<b>", "footer": "部外秘 / 協会けんぽ埼玉支部 企画総務グループ",
          "approval": {"labels": ["支部長", "部長", "グループ長", "担当"]}}


@pytest.mark.parametrize("layout", ["plan-status", "quarterly", "tracker"])
def test_fields_printed(layout: str) -> None:
    pages = pdf_pages(load(report_data(layout, **FIELDS)))
    assert len(pages) >= 2
    flat = [p.replace("\n", "").replace(" ", "") for p in pages]
    assert "（第一四半期）&<b>" in flat[0]          # escaped: printed as written
    assert all("部外秘/協会けんぽ埼玉支部企画総務グループ" in p for p in flat)
    for label in ("支部長", "グループ長", "担当"):
        assert label in flat[0]
        assert not any(label in p for p in flat[1:])


def test_text_is_data_in_html() -> None:
    html = reportgen.render_html(load(report_data(**FIELDS)))
    assert "&lt;b&gt;" in html and "<b>" not in html


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext")
def test_approval_box_top_right() -> None:
    pdf = reportgen.render_pdf(load(report_data(**FIELDS)))
    with tempfile.TemporaryDirectory() as d:
        Path(d, "r.pdf").write_bytes(pdf)
        out = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", f"{d}/r.pdf", "-"],
                             capture_output=True, text=True, check=True).stdout
    import re

    page_w = float(re.search(r'<page width="([\d.]+)" height="([\d.]+)"', out).group(1))
    words = {m.group(5): (float(m.group(1)), float(m.group(2)))
             for m in re.finditer(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', out)}
    label_x = [words[w][0] for w in ("支部長", "部長", "担当")]
    assert min(label_x) > page_w * 0.7                     # right side of the page
    assert label_x == sorted(label_x)                       # one column per label, in order
    first_cell = min(y for w, (x, y) in words.items() if w.startswith("（") or "分野" in w)
    assert words["支部長"][1] < 200 and words["支部長"][1] < first_cell + 400


def test_measure_pages_subtitle() -> None:
    data = report_data("measure-pages", **FIELDS)
    data["report"]["appendix"] = ["kpi-summary"]
    html = reportgen.render_html(load(data))
    assert 'class="doc-subtitle"' in html and "第一四半期" in html and 'class="approval"' in html
    assert "&amp;&lt;b&gt;" in html and "<b>" not in html


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_absent_fields_change_nothing(path: Path) -> None:
    """Keys absent, given as null, or given: only the given ones change the HTML."""
    base = reportgen.load(path)
    plain = reportgen.render_html(base)
    data = base.to_dict()
    data["report"].update({"subtitle": None, "footer": None, "approval": None})
    assert reportgen.render_html(load(data)) == plain
    assert "doc-subtitle" not in plain and 'class="approval"' not in plain and "page-blocks.css" not in plain


def test_user_template_block_wins(tmp_path: Path) -> None:
    (tmp_path / "report.html").write_text(
        '{% extends layout %}{% block seal %}<p>自作の欄</p>{% endblock %}'
        '{% block footer %}自作フッタ{% endblock %}', encoding="utf-8")
    html = reportgen.render_html(load(report_data(**FIELDS)), templates=tmp_path)
    assert "自作の欄" in html and 'class="approval"' not in html
    assert "自作フッタ" in html and "部外秘" not in html


@pytest.mark.parametrize("extra, where", [
    ({"approval": {"labels": []}}, "report.approval.labels"),
    ({"approval": {"labels": ["あ" * 50]}}, "report.approval.labels[0]"),
    ({"approval": {"labels": [f"L{n}" for n in range(9)]}}, "report.approval.labels"),
    ({"approval": {"labels": ["支部長", " "]}}, "report.approval.labels[1]"),
    ({"approval": {"names": ["支部長"]}}, "report.approval.names"),
    ({"approval": ["支部長"]}, "report.approval"),
    ({"footer": ["部外秘"]}, "report.footer"),
    ({"footer": "部" * 51}, "report.footer"),
    ({"subtitle": {"a": 1}}, "report.subtitle"),
    ({"subtitle": "x" * 151}, "report.subtitle"),
])
def test_bad_values_located(extra: dict, where: str) -> None:
    with pytest.raises(ReportError) as err:
        load(report_data(**extra))
    lines = str(err.value).splitlines()
    assert len(lines) >= 1
    assert any(where in line for line in lines), lines


def test_round_trip() -> None:
    r = load(report_data(**FIELDS))
    d = r.to_dict()
    assert d["report"]["subtitle"] == FIELDS["subtitle"]
    assert d["report"]["footer"] == FIELDS["footer"]
    assert d["report"]["approval"] == {"labels": ["支部長", "部長", "グループ長", "担当"]}
    assert load(d) == r
    assert "subtitle" not in load(report_data()).to_dict()["report"]


def test_xlsx_subtitle_and_footer(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    r = load(report_data(subtitle="〜中間報告〜", footer="部外秘 & 取扱注意"))
    out = tmp_path / "r.xlsx"
    reportgen.render_xlsx(r, out)
    ws = load_workbook(out).worksheets[0]
    assert ws.oddFooter.left.text == "部外秘 && 取扱注意"
    assert ws.oddFooter.center.text == "&P / &N"
    assert "〜中間報告〜" in [ws.cell(row, 1).value for row in range(1, 5)]
    # the workbook still reads back (the subtitle row is not taken for data)
    back = reportgen.load(out) if hasattr(reportgen, "load") else None
    assert back is None or [s.title for s in back.sections] == [s.title for s in r.sections]


def test_xlsx_without_fields_has_no_left_footer(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "r.xlsx"
    reportgen.render_xlsx(load(report_data()), out)
    ws = load_workbook(out).worksheets[0]
    assert not ws.oddFooter.left.text
    assert dataclasses.replace(load(report_data()), subtitle=None) == load(report_data())
