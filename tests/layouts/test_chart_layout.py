"""Charts that print (issue 12, point 11): a legend of many rows never overlaps
itself or the plot, and a long 分野 label with line charts renders in bounded time."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from pypdf import PdfReader

from reportgen.layouts.charts import series_svg, svg_size_mm, text_width
from reportgen.model.report import Series, SeriesRow

SVG = "{http://www.w3.org/2000/svg}"
LABELS = ["令和元年度 傷病手当金", "令和2年度 出産手当金", "令和3年度 出産育児一時金", "令和4年度 家族出産育児一時金",
          "令和5年度 埋葬料(費)", "家族埋葬料", "合計", "平均所要日数（令和5年度の各月の平均値、支部集計による）",
          "A", "郵送件数"]


def _series(n: int, chart: str = "line") -> Series:
    return Series([SeriesRow(LABELS[i % len(LABELS)], [i + k for k in range(12)]) for i in range(n)], chart=chart)


def _legend_boxes(svg: str) -> tuple[list[tuple[float, float, float, float, str]], float, float]:
    """(x0, y0, x1, y1, label) of every legend label's box, the plot's top (y axis) and the height."""
    root = ET.fromstring(svg)
    height = float(root.get("viewBox", "0 0 0 0").split()[3])
    axis_top = min(float(line.get("y1", "0")) for line in root.iter(f"{SVG}line")
                   if line.get("stroke") == "#404040" and line.get("x1") == line.get("x2"))
    boxes = []
    for t in root.iter(f"{SVG}text"):
        y = float(t.get("y", "0"))
        size = float(t.get("font-size", "7"))
        if t.get("text-anchor") != "start" or y > axis_top:
            continue
        x = float(t.get("x", "0"))
        boxes.append((x - size * 2.2, y - size, x + text_width(t.text or "", size), y + size * 0.25, t.text or ""))
    return boxes, axis_top, height


@pytest.mark.parametrize(("rows", "width_mm", "chart"), [(10, 60, "line"), (10, 120, "bar"), (4, 40, "line"),
                                                         (24, 90, "line")])
def test_legend_of_many_rows_does_not_overlap(rows: int, width_mm: float, chart: str) -> None:
    svg = str(series_svg(_series(rows, chart), width_mm=width_mm, height_mm=28))
    boxes, axis_top, height = _legend_boxes(svg)
    width = width_mm * 72 / 25.4
    # every row is in the legend (a long label wraps onto more lines of its own box)
    assert "".join(b[4] for b in boxes).count("令和") >= sum("令和" in LABELS[i % len(LABELS)] for i in range(rows))
    for a in range(len(boxes)):
        x0, y0, x1, y1, label = boxes[a]
        assert x0 >= 0 and x1 <= width + 0.5, f"{label} leaves the chart"
        assert y1 <= axis_top, f"{label} runs into the plot"
        for b in range(a + 1, len(boxes)):
            u0, v0, u1, v1, other = boxes[b]
            overlap = min(x1, u1) - max(x0, u0) > 0.01 and min(y1, v1) - max(y0, v0) > 0.01
            assert not overlap, f"legend entries overlap: {label!r} and {other!r}"
    # the plot keeps at least half of the height asked for: the chart grew instead
    w_mm, h_mm = svg_size_mm(svg)
    assert w_mm == width_mm and h_mm >= 28
    assert height - axis_top >= 0.5 * 28 * 72 / 25.4 - 1


def test_one_line_legend_keeps_its_size() -> None:
    svg = str(series_svg(_series(2), width_mm=120, height_mm=50))
    assert svg_size_mm(svg) == (120.0, 50.0)
    boxes, _top, _h = _legend_boxes(svg)
    assert len({round(b[1], 2) for b in boxes}) == 1          # side by side on one line


HANG = """format: 1
report:
  title: 令和5年度 事業計画
  organization: 試験支部
  fiscal_year: 2023
sections:
  - number: "1"
    title: {title}
    items:
      - title: 試験
        entries:
          - plan: 計画
            status:
{series}
            mark: ○
"""


@pytest.mark.parametrize("paper", ["A4", "A3"])
def test_long_section_title_with_three_line_charts_renders_in_bounded_time(tmp_path: Path, paper: str) -> None:
    # 51 characters: the label alone is taller than an A4 page. Before the fix this
    # laid out pages without end (minutes, > 3 GB).
    title = "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをんアイウエオ" * (
        1 if paper == "A4" else 2)
    series = "\n".join("              - series: {chart: line, rows: [{label: A, values: [1,2,3,4,5,6,7,8,9,10,11,12]}]}"
                       for _ in range(3))
    src = tmp_path / "hang.yaml"
    src.write_text(HANG.format(title=title, series=series), encoding="utf-8")
    out = tmp_path / "hang.pdf"
    done = subprocess.run([sys.executable, "-m", "reportgen", "render", str(src), "-o", str(out), "--paper", paper],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    pages = PdfReader(str(out)).pages
    assert 1 <= len(pages) <= 4
    text = "".join(p.extract_text() or "" for p in pages)
    assert text.count("12月") >= 6                              # three grids and three charts printed
