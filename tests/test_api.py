"""The library as scripts use it (issue #15): in-memory I/O, checked objects, warnings as data."""

from __future__ import annotations

import copy
import inspect
import io
import json
import logging
import re
import warnings

import pytest

import reportgen
from reportgen import Report, ReportError

#: A small report of our own: two 分野, a group, a KPI with a monthly series.
DATA = {
    "format": 1,
    "report": {"title": "令和６年度 事業計画", "organization": "架空支部", "fiscal_year": 2024,
               "period": "annual", "marks": "standard"},
    "sections": [
        {"number": "１", "title": "基盤的保険者機能", "items": [
            {"number": "（１）", "title": "健全な財政運営", "entries": [
                {"plan": "評議会で保険料率を議論する。", "status": "10月の評議会で議論した。", "mark": "○"},
                {"plan": "広報誌で決算を周知する。", "status": "９月号に掲載。", "mark": "◎"},
            ]},
        ]},
        {"number": "２", "title": "戦略的保険者機能", "groups": [
            {"title": "保健グループ", "items": [
                {"number": "（１）", "title": "特定健診の推進", "entries": [
                    {"plan": "受診率を上げる。", "status": "勧奨を行った。", "mark": "△",
                     "kpi": {"text": "受診率を60％以上", "target": 0.6, "format": "pct:1",
                             "actual": 0.55,
                             "series": {"kind": "monthly", "format": "int", "rows": [
                                 {"label": "受診者数", "values": [10, 20, 30, 40, 50, 60]}]}}},
                ]},
            ]},
        ]},
    ],
}


def report(**changes) -> Report:
    data = copy.deepcopy(DATA)
    data["report"].update(changes)
    return Report.from_dict(data)


# -- 1. in-memory I/O -----------------------------------------------------------


def test_render_pdf_without_target_returns_the_pdf_bytes():
    pdf = reportgen.render_pdf(report())
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF")
    assert "健全な財政運営" in _pdf_text(pdf)


def test_render_pdf_to_a_binary_file_and_a_path_give_the_same_document(tmp_path):
    r = report()
    buffer = io.BytesIO()
    assert reportgen.render_pdf(r, buffer) is None
    reportgen.render_pdf(r, tmp_path / "out.pdf")
    assert buffer.getvalue().startswith(b"%PDF")
    assert (tmp_path / "out.pdf").read_bytes()[:8] == buffer.getvalue()[:8]


def test_render_xlsx_to_bytesio_reads_back():
    r = report()
    buffer = io.BytesIO()
    assert reportgen.render_xlsx(r, buffer) is None
    assert buffer.getvalue().startswith(b"PK")
    buffer.seek(0)
    back = reportgen.load(buffer)  # sniffed as a workbook by content
    assert back == r
    assert reportgen.render_xlsx(r)[:2] == b"PK"


def test_load_takes_a_path_a_binary_file_and_a_text_file(tmp_path):
    path = tmp_path / "plan.yaml"
    import yaml

    path.write_text(yaml.safe_dump(DATA, allow_unicode=True), encoding="utf-8")
    by_path = reportgen.load(path)
    with open(path, "rb") as f:
        assert reportgen.load(f) == by_path
    assert reportgen.load(io.StringIO(path.read_text(encoding="utf-8"))) == by_path
    # JSON without a name is told apart by content, and in Shift_JIS bytes too
    text = json.dumps(DATA, ensure_ascii=False)
    assert reportgen.load(io.BytesIO(text.encode("utf-8"))) == by_path
    assert reportgen.loads(text.encode("cp932")) == by_path
    assert reportgen.loads(text, format="json") == by_path


def test_load_with_a_format_reads_a_file_whatever_its_suffix(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text(json.dumps(DATA, ensure_ascii=False), encoding="utf-8")
    assert reportgen.load(path, format="json").title == "令和６年度 事業計画"


def test_loads_reports_problems_with_lines_of_the_string():
    text = json.dumps(DATA, ensure_ascii=False, indent=1).replace('"◎"', '"★"')
    with pytest.raises(ReportError) as exc:
        reportgen.loads(text, format="json", source="upload.json")
    (problem,) = exc.value.problems
    assert problem.file == "upload.json" and problem.line is not None
    assert problem.path.endswith("entries[1].mark")
    assert text.splitlines()[problem.line - 1].strip().startswith('"mark": "★"')


def test_loads_refuses_an_unknown_format_as_a_report_error():
    with pytest.raises(ReportError, match="unknown format 'toml'"):
        reportgen.loads("a = 1", format="toml")  # type: ignore[arg-type]


def test_render_html_references_only_bundled_files_and_data_urls():
    html = reportgen.render_html(report())
    assert isinstance(html, str) and "架空支部" in html
    base = re.search(r'<base href="([^"]+)"', html).group(1)
    for url in re.findall(r'(?:href|src)="([^"]+)"', html):
        assert url == base or url.startswith("data:") or "://" not in url, url


def test_html_to_pdf_renders_an_edited_html_through_the_sandbox():
    html = reportgen.render_html(report()).replace("架空支部", "編集済支部")
    html = html.replace("</body>", '<img src="file:///etc/passwd"></body>')
    pdf = reportgen.html_to_pdf(html)
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf)
    assert "編集済支部" in text and "root:" not in text


def _pdf_text(pdf: bytes) -> str:
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        return subprocess.run(["pdftotext", "-layout", f.name, "-"], capture_output=True, text=True,
                              check=True).stdout


# -- 2. checked objects ----------------------------------------------------------


def test_a_valid_report_has_no_problems():
    assert report().validate() == []


def test_marks_given_as_a_name_raises_report_error_naming_marks_on_render():
    r = report()
    r.marks = "standard"  # type: ignore[assignment]
    assert [p.path for p in r.validate()] == ["marks"]
    for render in (reportgen.render_pdf, reportgen.render_html, reportgen.render_xlsx):
        with pytest.raises(ReportError) as exc:
            render(r)
        assert exc.value.problems[0].path == "marks"
        assert "MarkScale" in exc.value.problems[0].message


def test_a_report_constructed_with_marks_standard_is_refused():
    r = Report(title="t", organization="o", fiscal_year=2024, marks="standard")  # type: ignore[arg-type]
    with pytest.raises(ReportError, match="marks"):
        reportgen.render_pdf(r)


def test_a_mark_off_the_scale_set_in_python_is_refused_with_its_path():
    r = report()
    r.sections[1].groups[0].items[0].entries[0].mark = "★"
    with pytest.raises(ReportError) as exc:
        reportgen.render_pdf(r)
    (problem,) = exc.value.problems
    assert problem.path == "sections[1].groups[0].items[0].entries[0].mark"
    assert problem.line is None and "★" in problem.message
    assert exc.value.problems == r.validate()


def test_wrong_types_deep_in_the_graph_are_named_not_crashed_on():
    r = report()
    r.sections[0].items[0].entries[1] = {"plan": "x"}  # type: ignore[call-overload]
    r.fiscal_year = "2024"  # type: ignore[assignment]
    r.sections[1].groups[0].items[0].entries[0].kpi.target = float("nan")
    paths = {p.path for p in r.validate()}
    assert paths == {"fiscal_year", "sections[0].items[0].entries[1]"}
    with pytest.raises(ReportError):
        reportgen.render_xlsx(r)
    r = report()
    r.sections[1].groups[0].items[0].entries[0].kpi.target = float("nan")
    assert [p.path for p in r.validate()] == ["sections[1].groups[0].items[0].entries[0].kpi.target"]


def test_header_problems_carry_the_objects_field_name():
    r = report()
    r.period = "Q5"
    assert [p.path for p in r.validate()] == ["period"]


def test_a_dict_is_read_as_report_from_dict_and_other_values_are_refused():
    assert reportgen.render_html(copy.deepcopy(DATA)).startswith("<!")
    bad = copy.deepcopy(DATA)
    bad["report"]["fiscal_year"] = "二〇二四"
    with pytest.raises(ReportError, match="fiscal_year"):
        reportgen.render_pdf(bad)
    with pytest.raises(ReportError, match="expected a reportgen.Report"):
        reportgen.render_pdf(["not", "a", "report"])  # type: ignore[arg-type]


def test_look_alike_marks_set_in_python_are_folded_as_in_a_file():
    r = report()
    r.sections[0].items[0].entries[0].mark = "〇"  # kanji zero
    assert r.validate() == []
    assert "○" in reportgen.render_html(r)


# -- 4. warnings as data ----------------------------------------------------------


def test_a_character_outside_the_font_is_a_report_warning(caplog):
    r = report()
    r.sections[0].items[0].entries[0].status = "𠮷野家で説明会"
    found: list[reportgen.ReportWarning] = []
    with caplog.at_level(logging.WARNING, logger="reportgen"):
        with pytest.warns(reportgen.GlyphWarning) as record:
            pdf = reportgen.render_pdf(r, warnings=found)
    assert pdf.startswith(b"%PDF")
    assert [type(w) for w in found] == [reportgen.GlyphWarning]
    assert found[0].problem.path == "sections[0].items[0].entries[0].status"
    assert "U+20BB7" in str(record[0].message)
    assert any("U+20BB7" in rec.getMessage() for rec in caplog.records)
    assert issubclass(reportgen.GlyphWarning, reportgen.ReportWarning)
    assert issubclass(reportgen.ReportWarning, UserWarning)


def test_months_after_a_quarter_are_a_truncation_warning():
    r = report(period="Q1")
    found: list[reportgen.ReportWarning] = []
    with pytest.warns(reportgen.TruncationWarning):
        reportgen.render_html(r, warnings=found)
    (w,) = found
    assert w.problem.path == "sections[1].groups[0].items[0].entries[0].kpi.series.rows[0].values"
    assert "7月–9月" in w.problem.message and "3 value" in w.problem.message
    # annual: everything prints, nothing to say
    with warnings.catch_warnings():
        warnings.simplefilter("error", reportgen.ReportWarning)
        reportgen.render_html(report())


def test_mark_check_warnings_on_request():
    r = report()
    r.sections[1].groups[0].items[0].entries[0].mark = "◎"  # 55 % of a 60 % target
    found: list[reportgen.ReportWarning] = []
    with pytest.warns(reportgen.MarkWarning):
        reportgen.render_html(r, check_marks=True, warnings=found)
    assert [type(w) for w in found] == [reportgen.MarkWarning]
    assert found[0].problem.path.endswith("entries[0].mark")
    with warnings.catch_warnings():
        warnings.simplefilter("error", reportgen.ReportWarning)
        reportgen.render_html(r)  # not asked for: silent


def test_warnings_can_be_turned_into_errors():
    r = report(period="Q1")
    with warnings.catch_warnings():
        warnings.simplefilter("error", reportgen.ReportWarning)
        with pytest.raises(reportgen.TruncationWarning):
            reportgen.render_xlsx(r)


# -- 5. every name the docs mention exists ------------------------------------------


def test_pdf_variants_is_public():
    assert "pdf/a-3u" in reportgen.PDF_VARIANTS


def _public_docstrings():
    import pkgutil
    import importlib

    yield "reportgen", reportgen.__doc__ or ""
    for name in reportgen.__all__:
        obj = getattr(reportgen, name)
        yield name, inspect.getdoc(obj) or ""
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if not attr.startswith("_") and callable(member):
                    yield f"{name}.{attr}", inspect.getdoc(member) or ""
    for info in pkgutil.iter_modules(reportgen.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"reportgen.{info.name}")
        yield info.name, module.__doc__ or ""
        for attr in getattr(module, "__all__", ()):
            yield f"{info.name}.{attr}", inspect.getdoc(getattr(module, attr)) or ""


def test_every_reportgen_name_in_a_public_docstring_exists():
    missing = set()
    for where, doc in _public_docstrings():
        for ref in re.findall(r"(?<![/\w])reportgen\.([A-Za-z_][A-Za-z0-9_.]*[A-Za-z0-9_])", doc):
            obj = reportgen
            for part in ref.split("."):
                if not hasattr(obj, part):
                    if inspect.ismodule(obj):
                        try:
                            import importlib

                            obj = importlib.import_module(f"{obj.__name__}.{part}")
                            continue
                        except ImportError:
                            pass
                    missing.add(f"{where}: reportgen.{ref}")
                    break
                obj = getattr(obj, part)
    assert not missing, sorted(missing)
