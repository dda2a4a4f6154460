"""Property-based tests: any valid report renders, survives round trips, counts right.

Hypothesis generates reports from the format's own vocabulary (Japanese text
with markup-looking and formula-looking characters mixed in), so the renderers
meet what users type, not only the examples.  CI runs 200 examples each.
"""

from __future__ import annotations

import io
import os
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reportgen
from reportgen import ReportError
from reportgen.model.marks import BUILTIN_SCALES, count_marks

EXAMPLES = int(os.environ.get("REPORTGEN_HYPOTHESIS_EXAMPLES", "200"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ALPHABET = st.sampled_from(
    list("計画実施状況令和年度支部保険者機能ー（）「」、。・※①②ＡＢ０１２ abcXYZ0129<>&\"'=+-@%#/:;")
    + ["\n", "吉"]
)
TEXT = st.text(ALPHABET, min_size=1, max_size=60).filter(lambda s: s.strip() != "")
NUMBER = st.one_of(st.integers(-10**9, 10**9), st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False))
FORMATS = st.sampled_from(["int", "int:件", "dec:2", "pct:1", "pct:3", "yen", "kyen"])


@st.composite
def blocks(draw: st.DrawFn) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for kind in draw(st.lists(st.sampled_from(["text", "bullets", "note", "table", "series"]), min_size=1, max_size=3)):
        if kind == "text":
            out.append({"text": draw(TEXT)})
        elif kind == "note":
            out.append({"note": draw(TEXT)})
        elif kind == "bullets":
            out.append({"bullets": draw(st.lists(TEXT, min_size=1, max_size=3))})
        elif kind == "table":
            width = draw(st.integers(1, 5))
            out.append({"table": {
                "header": [draw(st.lists(TEXT, min_size=width, max_size=width))],
                "rows": draw(st.lists(st.lists(st.one_of(TEXT, NUMBER, st.none()), min_size=width, max_size=width),
                                      min_size=1, max_size=4)),
                "formats": ["text"] + draw(st.lists(FORMATS, min_size=width - 1, max_size=width - 1)),
            }})
        else:
            monthly = draw(st.booleans())
            slots = 12 if monthly else 4
            out.append({"series": {
                "kind": "monthly" if monthly else "quarterly",
                "format": draw(FORMATS),
                "total": draw(st.sampled_from(["auto", "sum", "mean", "last", "none"])),
                "rows": [{"label": draw(TEXT), "values": draw(st.lists(st.one_of(NUMBER, st.none()), max_size=slots))}
                         for _ in range(draw(st.integers(1, 3)))],
            }})
    return out


@st.composite
def reports(draw: st.DrawFn) -> dict[str, Any]:
    scale = draw(st.sampled_from(["standard", "quarterly", "gunma", "evaluation"]))
    symbols = list(BUILTIN_SCALES[scale].allowed)
    content = st.one_of(TEXT, blocks())

    def entry() -> dict[str, Any]:
        e: dict[str, Any] = {"plan": draw(content), "status": draw(content)}
        if draw(st.booleans()):
            e["mark"] = draw(st.sampled_from(symbols))
        if draw(st.integers(0, 3)) == 0:
            e["kpi"] = {"text": draw(TEXT), "target": draw(st.floats(0, 1)), "direction": draw(st.sampled_from([">=", "<="])),
                        "format": "pct:1", "prior": draw(st.none() | st.floats(0, 1)), "actual": draw(st.none() | st.floats(0, 1))}
        return e

    sections = []
    for s in range(draw(st.integers(1, 3))):
        items = [{"number": draw(st.one_of(st.integers(1, 99), TEXT)), "title": draw(TEXT),
                  "tags": draw(st.lists(TEXT, max_size=2)),
                  "entries": [entry() for _ in range(draw(st.integers(1, 3)))]}
                 for _ in range(draw(st.integers(1, 3)))]
        sections.append({"number": str(s + 1), "title": draw(TEXT), "items": items})
    return {
        "format": 1,
        "report": {"title": draw(TEXT), "organization": draw(TEXT), "fiscal_year": draw(st.integers(1990, 2040)),
                   "period": draw(st.sampled_from(["annual", "Q1", "Q2", "Q3", "Q4"])),
                   "layout": draw(st.sampled_from(["plan-status", "quarterly", "tracker"])), "marks": scale,
                   "appendix": draw(st.sampled_from([[], ["mark-summary"], ["kpi-summary", "mark-summary"]]))},
        "sections": sections,
    }


@SETTINGS
@given(reports())
def test_generated_reports_render_everywhere(data: dict[str, Any]) -> None:
    report = reportgen.Report.from_dict(data)
    html = reportgen.render_html(report)
    assert html.startswith("<!DOCTYPE html>") or "<html" in html
    pdf = io.BytesIO()
    reportgen.render_pdf(report, pdf)
    assert pdf.getvalue().startswith(b"%PDF")


@SETTINGS
@given(reports())
def test_xlsx_round_trip_keeps_the_report(data: dict[str, Any]) -> None:
    import tempfile

    report = reportgen.Report.from_dict(data)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "r.xlsx")
        reportgen.render_xlsx(report, path)
        assert reportgen.read_xlsx(path) == report


@SETTINGS
@given(reports())
def test_mark_counts_equal_the_marks_in_the_data(data: dict[str, Any]) -> None:
    report = reportgen.Report.from_dict(data)
    typed = Counter(e["mark"] for s in data["sections"] for i in s["items"] for e in i["entries"] if "mark" in e)
    kpi = Counter(e["mark"] for s in data["sections"] for i in s["items"] for e in i["entries"]
                  if "mark" in e and "kpi" in e)
    summary = count_marks(report)
    assert summary.whole.counts == typed
    assert summary.kpi.counts == kpi
    assert sum((s.counts for s in summary.sections), Counter()) == typed


JSONISH = st.recursive(
    st.one_of(st.none(), st.booleans(), NUMBER, TEXT, st.sampled_from(["format", "report", "title", "sections", "items"])),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["format", "report", "title", "organization", "fiscal_year", "sections", "items", "entries",
                         "plan", "status", "mark", "kpi", "table", "series", "rows", "values", "header", "x"]),
        children, max_size=5),
    max_leaves=30,
)


@SETTINGS
@given(JSONISH)
def test_any_data_is_a_report_or_a_report_error(data: Any) -> None:
    try:
        reportgen.Report.from_dict(data)
    except ReportError as exc:
        assert exc.problems and all(str(p) for p in exc.problems)
