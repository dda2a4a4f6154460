"""Wording as written (issue 12, point 9): legends, banners, numbering, titles,
running headers and page numbers, on fixtures built here."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

import reportgen
from reportgen import ReportError
from reportgen.layouts.view import build_view
from reportgen.model.wording import banner_text, heading_text, numbered, starts_numbered


def pages_text(path: Path) -> list[str]:
    return [re.sub(r"\s+", "", p.extract_text() or "") for p in PdfReader(str(path)).pages]


def report_data(*, layout: str = "plan-status", marks: str = "standard", entries: int = 3, groups: bool = True,
                **head: object) -> dict:
    def item(n: int, owner: str | None = None) -> dict:
        d: dict = {"number": f"（{n}）", "title": f"施策{n}", "entries": [
            {"plan": f"計画の内容{n}-{k}。" + "加入者の利便性の向上を図る。" * 6,
             "status": f"実施状況{n}-{k}。" + "郵送による申請を促進した。" * 8,
             "mark": "○" if marks != "evaluation" else "A",
             "kpi": {"text": f"①郵送化率を9{k}%以上とする。" if k == 0 else f"郵送化率を9{k}%以上とする。",
                     "target": 0.9, "format": "pct:1", "actual": 0.95}}
            for k in range(entries)]}
        if owner:
            d["owner"] = owner
        return d

    section: dict = {"number": "１．", "title": "基盤的保険者機能関係"}
    if groups:
        section["groups"] = [
            {"title": "（Ⅲ）ICT化の推進", "owner": "企画総務グループ", "items": [item(1)]},
            {"title": "サービス水準の向上", "owner": "業務グループ", "items": [item(2), item(3, "レセプトグループ")]},
        ]
    else:
        section["items"] = [item(1)]
    report = {"title": "令和５年度 事業計画", "organization": "埼玉支部", "fiscal_year": 2023,
              "layout": layout, "marks": marks, **head}
    return {"format": 1, "report": report, "sections": [section]}


def render(tmp_path: Path, data: dict, name: str = "r.pdf") -> list[str]:
    out = tmp_path / name
    reportgen.render_pdf(reportgen.Report.from_dict(data), out)
    return pages_text(out)


# -- numbering as written -------------------------------------------------------

def test_numbering_helpers() -> None:
    for own in ("（Ⅲ）ICT化の推進", "１．基盤的", "①サービス", "〇サービス", "(2)郵送", "第3 広報", "ア．周知", "■広報"):
        assert starts_numbered(own), own
    for plain in ("サービス水準の向上", "ICT化", "2023年度の計画", "100%を維持"):
        assert not starts_numbered(plain), plain
    assert numbered("①", "①郵送化率") == "①郵送化率" and numbered("②", "郵送化率") == "②郵送化率"
    assert banner_text("（Ⅲ）ICT化の推進", None) == "（Ⅲ）ICT化の推進"
    assert banner_text("サービス水準の向上", "業務グループ") == "〇サービス水準の向上（業務グループ）"
    assert heading_text("１．", "基盤的") == "１．基盤的" and heading_text("1", "基盤的") == "1 基盤的"


def test_banners_and_section_heading_keep_their_numbering(tmp_path: Path) -> None:
    data = report_data(columns=[{"field": "plan", "label": "計画内容"}, {"field": "status", "label": "実施状況"},
                                {"field": "mark", "label": ""}])
    view = build_view(reportgen.Report.from_dict(data))
    banners = [it.banner for it in view.sections[0].items if it.banner]
    assert banners == ["（Ⅲ）ICT化の推進（企画総務グループ）", "〇サービス水準の向上（業務グループ）"]
    flat = "".join(render(tmp_path, data))
    assert "１．基盤的保険者機能関係" in flat                   # the section banner, no space added
    assert "〇（Ⅲ）" not in flat and "〇サービス水準の向上（業務グループ）" in flat


def test_kpi_summary_no_double_number_and_group_owner(tmp_path: Path) -> None:
    data = report_data(layout="kpi-summary")
    view = build_view(reportgen.Report.from_dict(data))
    kpi = view.appendices[0]
    rows = [(it.title, it.owner, [r.text for r in it.rows]) for s in kpi.sections for it in s.items]
    texts = [t for _title, _owner, ts in rows for t in ts]
    assert "①郵送化率を90%以上とする。" in texts and not any(t.startswith("①①") for t in texts)
    assert "②郵送化率を91%以上とする。" in texts                 # others are still numbered
    owners = {title: owner for title, owner, _ in rows}
    assert owners == {"（1）施策1": "企画総務グループ", "（2）施策2": "業務グループ", "（3）施策3": "レセプトグループ"}
    flat = "".join(render(tmp_path, data))
    assert "①①" not in flat and "企画総務グループ" in flat
    measures = build_view(reportgen.Report.from_dict(report_data(layout="measure-pages"))).measures
    assert measures is not None
    assert [r.text for r in measures.measures[0].kpi_rows][:2] == ["①郵送化率を90%以上とする。", "②郵送化率を91%以上とする。"]


def test_title_gets_no_branch_name_the_data_does_not_give(tmp_path: Path) -> None:
    data = report_data(entries=1, groups=False)
    data["report"].update(title="令和5年度 群馬支部事業計画", organization="全国健康保険協会群馬支部")
    first = render(tmp_path, data)[0]
    assert first.startswith("令和5年度群馬支部事業計画") and "（全国健康保険協会" not in first
    plain = report_data(entries=1, groups=False)                         # the title names no branch:
    assert render(tmp_path, plain, "p.pdf")[0].startswith("令和５年度事業計画（埼玉支部）")


# -- legends ------------------------------------------------------------------

def test_plan_status_legend_keeps_the_originals_punctuation(tmp_path: Path) -> None:
    pages = render(tmp_path, report_data(entries=6))
    assert len(pages) >= 2
    for p in pages:
        assert "◎（計画を大幅に上回る）、○（計画通り）、△（実施中又は計画を下回る。）、×（未実施）" in p


def test_legend_at_the_foot_with_a_heading(tmp_path: Path) -> None:
    data = report_data(marks="evaluation", entries=6,
                       legend={"position": "foot", "heading": "【自己評価について】"})
    pages = render(tmp_path, data)
    flat = "".join(pages)
    legend = "【自己評価について】S：目標を大きく上回るA：目標を上回るB：概ね目標達成C：目標達成に至らずD：目標を大きく下回る"
    assert flat.count(legend) == 1 and legend in pages[-1]
    assert "S（目標を大きく上回る）" not in flat                    # no legend line above the header
    written = copy.deepcopy(data)
    written["report"]["legend"] = {"position": "foot", "heading": "【自己評価について】",
                                   "text": "Ｓ：目標を大きく上回る　Ａ：目標を上回る"}
    assert "【自己評価について】Ｓ：目標を大きく上回るＡ：目標を上回る" in "".join(render(tmp_path, written, "w.pdf"))


def test_quarterly_prints_a_legend_only_when_asked(tmp_path: Path) -> None:
    data = report_data(layout="quarterly", marks="quarterly", entries=2, groups=False)
    assert "○（計画通り）" not in "".join(render(tmp_path, data))
    data["report"]["legend"] = "head"
    assert "○（計画通り）、△（実施中又は計画を下回る）" in render(tmp_path, data, "q.pdf")[0]
    assert build_view(reportgen.Report.from_dict(report_data(legend="none"))).legend_position == "none"


# -- running header and page numbers ---------------------------------------------

def test_running_header_on_every_page_and_plain_page_numbers(tmp_path: Path) -> None:
    header = "１．事業実施結果－基盤的保険者機能関係（業務グループ）"
    data = report_data(entries=8, running_header=header, page_numbers="n")
    out = tmp_path / "h.pdf"
    reportgen.render_pdf(reportgen.Report.from_dict(data), out)
    pages = pages_text(out)
    assert len(pages) >= 3
    for n, p in enumerate(pages, 1):
        assert p.count(header) == 1, f"page {n}"
        assert p.endswith(header + str(n)) and f"{n}/{len(pages)}" not in p   # margin boxes come last


def test_default_page_numbers_are_n_of_total(tmp_path: Path) -> None:
    pages = render(tmp_path, report_data(entries=8))
    assert all(p.endswith(f"{n}/{len(pages)}") for n, p in enumerate(pages, 1))
    none = render(tmp_path, report_data(entries=8, page_numbers="none"), "n.pdf")
    assert not any(re.search(r"\d/\d+$", p) for p in none) and len(none) == len(pages)


# -- validation and round trip ---------------------------------------------------------

def test_print_options_are_validated_with_located_errors(write) -> None:
    path = write("bad.yaml", """format: 1
report:
  title: t
  organization: o
  fiscal_year: 2023
  legend: {position: bottom, heading: 【自己評価について】, colour: red}
  running_header: {text: x}
  page_numbers: "n/N"
sections: []
""")
    with pytest.raises(ReportError) as info:
        reportgen.load(path)
    lines = [str(p) for p in info.value.problems]
    assert any(":6: report.legend.position: expected one of head, foot, none" in line for line in lines), lines
    assert any(":6: report.legend.colour: unknown key" in line for line in lines), lines
    assert any(":7: report.running_header: expected text" in line for line in lines), lines
    assert any(":8: report.page_numbers: expected one of n / N, n, none" in line for line in lines), lines
    long = write("long.yaml", "format: 1\nreport: {title: t, organization: o, fiscal_year: 2023, "
                              f"running_header: {'あ' * 400}}}\nsections: []\n")
    with pytest.raises(ReportError) as info:
        reportgen.load(long)
    assert "report.running_header: the text is 400 characters long" in str(info.value.problems[0])


def test_print_options_round_trip_and_old_files_unchanged() -> None:
    data = report_data(legend={"position": "foot", "heading": "【凡例】"}, running_header="見出し",
                       page_numbers="n")
    report = reportgen.Report.from_dict(data)
    again = reportgen.Report.from_dict(report.to_dict())
    assert again == report and again.legend is not None and again.legend.heading == "【凡例】"
    plain = reportgen.Report.from_dict(report_data())
    assert not {"legend", "running_header", "page_numbers"} & set(plain.to_dict()["report"])
