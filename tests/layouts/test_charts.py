"""Charts: the inline SVG the PDF embeds and the native charts of the tracker workbook."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from markupsafe import Markup

import reportgen
from reportgen.layouts.charts import (
    PRIOR_TONES,
    STRONG,
    TARGET_COLOUR,
    kpi_chart_svg,
    series_chart_svg,
    series_svg,
    y_ticks,
)
from reportgen.model.report import KPI, Report, Series, SeriesRow
from reportgen.xlsx.charts import excel_chart_title
from reportgen.xlsx.sheet import COL_MARK, COL_PROGRESS, COL_ROLE, MAIN_SHEET
from reportgen.xlsx.writer import render_xlsx
from reportgen.xlsx.read import read_xlsx

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = ["4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月", "1月", "2月", "3月"]
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice not installed")


def _mail_rate(**kw: Any) -> Series:
    return Series(
        rows=[SeriesRow("令和4年度", [0.955, 0.966, 0.968, 0.964, 0.970, 0.981, 0.970, 0.971, 0.972, 0.973, 0.970, 0.962]),
              SeriesRow("令和5年度", [0.946, 0.949, 0.953, 0.955, 0.956, 0.944, 0.957, 0.955, 0.945, 0.943, 0.952, 0.944])],
        caption="郵送化率", format="pct:1", **kw)


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))


def _texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


# --------------------------------------------------------------------------
# SVG
# --------------------------------------------------------------------------

def test_line_chart_axes_legend_and_tones() -> None:
    svg = series_svg(_mail_rate(), width_mm=120, height_mm=55)
    assert isinstance(svg, Markup)
    root = _parse(svg)
    assert root.get("width") == "120mm" and root.get("height") == "55mm"
    assert root.get("font-family") == "BIZ UDGothic"
    texts = _texts(root)
    for month in MONTHS:
        assert month in texts
    ticks = [t for t in texts if t.endswith("％")]
    assert ticks == sorted(set(ticks), key=lambda t: float(t[:-1]))    # ascending, no duplicate label
    assert all(re.fullmatch(r"\d+\.\d％", t) for t in ticks)           # the series format, pct:1
    assert float(ticks[0][:-1]) <= 94.3 and float(ticks[-1][:-1]) >= 98.1
    assert "令和4年度" in texts and "令和5年度" in texts                  # legend
    paths = root.findall(f"{SVG}path")
    assert [p.get("stroke") for p in paths] == [PRIOR_TONES[0], STRONG]  # this year last, strong
    assert float(paths[1].get("stroke-width")) > float(paths[0].get("stroke-width"))
    assert len(paths[1].get("d").split("L")) == 12


def test_months_after_the_period_are_not_plotted() -> None:
    root = _parse(series_svg(_mail_rate(), reached=3))
    this_year = root.findall(f"{SVG}path")[-1].get("d")
    assert this_year.count("M") == 1 and this_year.count("L") == 2    # 4月–6月 only
    assert "3月" in _texts(root)                                       # the axis still shows the year


def test_gaps_break_the_line() -> None:
    s = Series([SeriesRow("令和5年度", [10, 12, None, 14, 15])], format="int:件")
    d = _parse(series_svg(s)).findall(f"{SVG}path")[-1].get("d")
    assert d.count("M") == 2
    assert len(_parse(series_svg(s)).findall(f"{SVG}circle")) == 4


def test_bar_chart_starts_at_zero_one_bar_per_value() -> None:
    s = Series([SeriesRow("傷病手当金", [2481, 2411, 2278]), SeriesRow("出産手当金", [209, 286, None])],
               format="int", chart="bar", caption="申請件数")
    root = _parse(series_svg(s))
    bars = [r for r in root.findall(f"{SVG}rect") if r.get("fill") in (STRONG, PRIOR_TONES[0])]
    assert len(bars) == 2 + 5           # two legend swatches + five values
    texts = _texts(root)
    assert "0" in texts and "3,000" in texts                            # grouped thousands, from zero


def test_target_line_is_dashed_and_labelled() -> None:
    root = _parse(series_svg(_mail_rate(), target=0.97))
    dashed = [l for l in root.findall(f"{SVG}line") if l.get("stroke") == TARGET_COLOUR and l.get("stroke-dasharray")]
    assert len(dashed) == 2             # the line and its legend swatch
    assert "目標 97.0％" in _texts(root)


def test_all_text_is_escaped() -> None:
    hostile = "<script>alert(1)</script>&amp;\"'"
    s = Series([SeriesRow(hostile, [1, 2, 3])], caption=hostile, format="int")
    svg = series_svg(s, title=hostile, target=2, target_label=hostile, font_family='x" onload="evil()')
    assert "<script>" not in svg and 'onload="evil' not in svg
    root = _parse(svg)                  # still well-formed XML
    assert hostile in _texts(root)
    assert root.get("font-family") == 'x" onload="evil()'
    assert root.find(f"{SVG}title").text == hostile


def test_output_is_deterministic() -> None:
    assert series_svg(_mail_rate(), target=0.97) == series_svg(_mail_rate(), target=0.97)


def test_empty_series_says_so() -> None:
    root = _parse(series_svg(Series([SeriesRow("令和5年度", [None, None])], format="int")))
    assert "データなし" in _texts(root)


def test_time_series_ticks_read_as_hours() -> None:
    s = Series([SeriesRow("令和5年度", ["4:56", "4:05", "3:15"])], format="time")
    ticks = [t for t in _texts(_parse(series_svg(s))) if ":" in t]
    assert ticks and all(re.fullmatch(r"\d+:\d\d", t) for t in ticks)


def test_ticks_never_print_the_same_label_twice() -> None:
    from reportgen.model.numbers import format_value

    for low, high, fmt in ((0.995, 1.0, "pct:0"), (6.01, 6.04, "dec:1"), (3, 4, "int"), (0.0016, 0.0026, "pct:3")):
        labels = [format_value(t, fmt) for t in y_ticks(low, high, fmt)]
        assert len(labels) == len(set(labels)), (fmt, labels)
    assert y_ticks(5, 8, "int", include_zero=True)[0] == 0


def test_series_chart_only_when_asked() -> None:
    assert series_chart_svg(_mail_rate()) is None
    assert series_chart_svg(_mail_rate(chart="bar")) == series_svg(_mail_rate(), kind="bar")
    with pytest.raises(ValueError):
        series_svg(_mail_rate(), kind="pie")


def test_kpi_chart_target_and_prior() -> None:
    kpi = KPI(text="郵送化率を97.0%以上とする", target=0.97, format="pct:1", prior=0.969, actual=0.95,
              series=_mail_rate())
    assert "目標 97.0％以上" in _texts(_parse(kpi_chart_svg(kpi)))
    kpi.target = "prior"
    assert "目標 対前年度以上（96.9％）" in _texts(_parse(kpi_chart_svg(kpi)))
    kpi.format = "int"          # a target in other units than the series is not drawn
    assert not any(t.startswith("目標") for t in _texts(_parse(kpi_chart_svg(kpi))))
    assert kpi_chart_svg(KPI(text="no series")) is None


def test_chart_title_for_excel() -> None:
    long = KPI(text="日本年金機構回収分も含めた資格喪失後１か月以内の保険証回収率を対前年度以上とする（令和 4 年度実績 85.38％）")
    assert excel_chart_title(_mail_rate(), kpi=long) == "【KPI】日本年金機構回収分も含めた資格喪失後１か月以内の保険証回収率を対前年度以上とする"
    assert excel_chart_title(_mail_rate(), item_title="サービス水準の向上") == "サービス水準の向上（郵送化率）"


# --------------------------------------------------------------------------
# Excel
# --------------------------------------------------------------------------

def _charted_report(gunma_path: Path, period: str = "annual") -> Report:
    """The Gunma example with a bar chart, a line chart and a KPI chart."""
    import yaml

    data = yaml.safe_load(gunma_path.read_text(encoding="utf-8"))
    entries = data["sections"][0]["groups"][0]["items"][0]["entries"]
    entries[0]["status"][1]["series"]["chart"] = "bar"          # 令和5年度 counts
    entries[1]["status"][0]["series"]["chart"] = "line"         # 達成率
    entries[1]["kpi"]["series"] = dict(entries[1]["status"][0]["series"], caption="郵送化率")
    data["report"]["period"] = period
    return Report.from_dict(data)


def _refs(chart: Any) -> list[str]:
    out = []
    for plot in [chart, *getattr(chart, "_charts", [])]:
        for s in plot.series:
            out.append(s.val.numRef.f)
    return out


def _cells(ws: Any, ref: str) -> list[Any]:
    m = re.fullmatch(r"'(.+)'!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", ref)
    assert m and m.group(1) == MAIN_SHEET
    return [c.value for row in ws[f"{m.group(2)}{m.group(3)}:{m.group(4)}{m.group(5)}"] for c in row]


def test_workbook_charts_refer_to_the_grid(tmp_path: Path, gunma_path: Path) -> None:
    report = _charted_report(gunma_path)
    target = tmp_path / "charts.xlsx"
    render_xlsx(report, target)
    ws = openpyxl.load_workbook(target)[MAIN_SHEET]
    charts = ws._charts
    assert len(charts) == 3
    titles = ["".join(r.t for p in c.title.tx.rich.p for r in (p.r or [])) for c in charts]
    assert titles == ["サービス水準の向上（令和5年度）", "サービス水準の向上（達成率）",
                      "【KPI】現金給付等の申請に係る郵送化率を97.0%以上とする。"]
    assert type(charts[0]).__name__ == "BarChart" and type(charts[1]).__name__ == "LineChart"
    # values come from the cells of the grid, which hold the data
    counts = _cells(ws, _refs(charts[0])[0])
    assert counts == [2481, 2411, 2278, 2020, 2253, 2316, 2719, 2429, 2372, 1999, 2292, 2392]
    rates = _cells(ws, _refs(charts[1])[1])
    assert rates[:3] == [0.946, 0.949, 0.953]
    assert charts[1].y_axis.numFmt.formatCode == "0.0%" and charts[0].y_axis.numFmt.formatCode == "#,##0"
    # the KPI chart's third series is the target row (under the chart), labelled 目標
    target_ref = _refs(charts[2])[2]
    assert set(_cells(ws, target_ref)) == {0.97}
    target_row = int(re.search(r"\$(\d+)$", target_ref).group(1))
    assert ws.cell(target_row, COL_PROGRESS).value == "目標 97.0％以上"
    # each chart sits over its own row right under its grid, inside the progress columns,
    # on a row that holds no text (the KPI chart's row holds only the target it draws)
    for chart in charts:
        a = chart.anchor
        assert a._from.col == COL_PROGRESS - 1 and a.to.col == COL_MARK - 1 and a._from.row == a.to.row
        row = a._from.row + 1
        last_data_row = int(re.search(r"\$(\d+)$", _refs(chart)[len(chart.series) - 1 if chart is not charts[2] else 1]).group(1))
        assert row == last_data_row + 1
        assert ws.cell(row, COL_ROLE).value.startswith("grid")
        assert ws.row_dimensions[row].height >= 150
        texts = [ws.cell(row, c).value for c in range(COL_PROGRESS, COL_MARK)]
        assert [t for t in texts if isinstance(t, str)] == ([] if chart is not charts[2] else ["目標 97.0％以上"])


def test_charted_workbook_reads_back_unchanged(tmp_path: Path, gunma_path: Path) -> None:
    report = _charted_report(gunma_path)
    target = tmp_path / "charts.xlsx"
    render_xlsx(report, target)
    assert read_xlsx(target) == report


def test_no_chart_unless_asked(tmp_path: Path, gunma_path: Path) -> None:
    target = tmp_path / "plain.xlsx"
    render_xlsx(reportgen.load(gunma_path), target)
    assert openpyxl.load_workbook(target)[MAIN_SHEET]._charts == []


def test_quarterly_series_chart_uses_the_merged_quarter_cells(tmp_path: Path) -> None:
    data = {
        "format": 1,
        "report": {"title": "令和5年度 事業計画", "organization": "テスト支部", "fiscal_year": 2023,
                   "layout": "tracker", "marks": "gunma", "period": "Q2"},
        "sections": [{"number": "1", "title": "基盤", "items": [{"number": 1, "title": "保険証回収", "entries": [
            {"plan": "回収率を上げる。", "status": [{"series": {
                "caption": "回収率", "kind": "quarterly", "format": "pct:2", "chart": "bar",
                "rows": [{"label": "令和4年度", "values": [0.86, 0.85, 0.84, 0.85]},
                         {"label": "令和5年度", "values": [0.8431, 0.7864, 0.8050, 0.7582]}]}}],
             "mark": "△"}]}]}],
    }
    target = tmp_path / "q.xlsx"
    render_xlsx(Report.from_dict(data), target)
    ws = openpyxl.load_workbook(target)[MAIN_SHEET]
    (chart,) = ws._charts
    ref = _refs(chart)[1]
    assert ref.startswith("(") and ref.count("!") == 4     # one cell per quarter
    cells = [ws[part.split("!")[1].replace("$", "")].value for part in ref.strip("()").split(",")]
    assert cells == [0.8431, 0.7864, None, None]            # Q2: later quarters print empty
    assert chart.y_axis.scaling.min == 0


@needs_soffice
def test_libreoffice_prints_the_charts(tmp_path: Path, gunma_path: Path) -> None:
    report = _charted_report(gunma_path, period="Q2")
    target = tmp_path / "charts.xlsx"
    render_xlsx(report, target)
    wb = openpyxl.load_workbook(target)
    del wb["データ"]
    wb.save(target)    # re-saved by openpyxl: the charts survive a round trip through it too
    profile = tmp_path / "lo-profile"
    subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(target)],
                   check=True, capture_output=True, timeout=240)
    from pypdf import PdfReader

    text = re.sub(r"\s+", "", "".join(p.extract_text() or "" for p in PdfReader(tmp_path / "charts.pdf").pages))
    assert "サービス水準の向上（達成率）" in text
    assert "【KPI】現金給付等の申請に係る郵送化率を97.0%以上とする。" in text
    assert "目標97.0％以上" in text                  # the target series in the legend
