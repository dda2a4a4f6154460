"""Table input (issue #15): Report.from_records and ``reportgen import`` of CSV and xlsx tables."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

import reportgen
from reportgen import Report, ReportError

HEAD = {"title": "令和６年度 事業計画", "organization": "架空支部", "fiscal_year": "2024"}


def rows_ja() -> list[dict[str, object]]:
    """As csv.DictReader gives them: every value a string, blanks for "same as above"."""
    return [
        {"分野番号": "１", "分野": "基盤的保険者機能", "グループ": "", "項番": "（１）", "施策": "健全な財政運営",
         "計画": "評議会で保険料率を議論する。", "実施状況": "10月の評議会で議論した。", "評価": "○",
         "KPI": "", "目標": "", "実績": ""},
        {"分野番号": "", "分野": "", "グループ": "", "項番": "", "施策": "",
         "計画": "広報誌で決算を周知する。", "実施状況": "", "評価": "", "KPI": "", "目標": "", "実績": ""},
        {"分野番号": "", "分野": "", "グループ": "", "項番": "（２）", "施策": "サービス水準の向上",
         "計画": "サービススタンダードを遵守する。", "実施状況": "遵守した。", "評価": "◎",
         "KPI": "", "目標": "", "実績": ""},
        {"分野番号": "２", "分野": "戦略的保険者機能", "グループ": "保健グループ", "項番": "1", "施策": "特定健診",
         "計画": "受診率を上げる。", "実施状況": "勧奨した。", "評価": "△",
         "KPI": "受診率を60％以上", "目標": "60%", "実績": "0.552", "表示形式": "pct:1"},
    ]


def test_csv_style_strings_and_empty_marks_render():
    report = Report.from_records(rows_ja(), **HEAD)
    assert report.fiscal_year == 2024
    first, second = report.sections
    assert first.number == "１" and [i.title for i in first.items] == ["健全な財政運営", "サービス水準の向上"]
    entries = first.items[0].entries
    assert [e.mark for e in entries] == ["○", None]  # '' is no mark
    assert entries[1].status is None
    assert second.items == [] and second.groups[0].title == "保健グループ"
    kpi = second.groups[0].items[0].entries[0].kpi
    assert (kpi.target, kpi.actual, kpi.format) == (0.6, 0.552, "pct:1")
    pdf = reportgen.render_pdf(report)
    assert pdf.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "広報誌で決算を周知する。" in text and "受診率を60％以上" in text


def test_nan_and_none_mean_no_value_as_pandas_gives_them():
    nan = float("nan")
    rows = [
        {"section": "Ⅰ", "item": "健全な財政運営", "item_number": 1.0, "plan": "議論する", "status": nan,
         "mark": nan, "kpi": None, "kpi_target": nan},
        {"section": nan, "item": None, "item_number": nan, "plan": "周知する", "status": "掲載した",
         "mark": "○", "kpi": nan, "kpi_target": nan},
    ]
    report = Report.from_records(rows, title="t", organization="o", fiscal_year=2024.0)
    (item,) = report.sections[0].items
    assert item.number == 1  # 1.0 read by pandas is the 項番 1
    assert [(e.status, e.mark, e.kpi) for e in item.entries] == [(None, None, None), ("掲載した", "○", None)]
    assert reportgen.render_pdf(report).startswith(b"%PDF")


def test_dataframe_records_work_when_pandas_is_installed():
    pd = pytest.importorskip("pandas")
    frame = pd.read_csv(io.StringIO(_csv_text(rows_ja())))
    report = Report.from_records(frame.to_dict("records"), **HEAD)
    assert report == Report.from_records(rows_ja(), **HEAD)


def test_numeric_text_becomes_a_number_only_where_the_field_is_numeric():
    rows = [{"分野": "分野", "施策": "2024", "計画": "1,234", "KPI": "件数", "目標": "１，２３４", "実績": "1,300",
             "表示形式": "int:件", "評価": "○"}]
    report = Report.from_records(rows, **HEAD)
    item = report.sections[0].items[0]
    assert item.title == "2024" and item.entries[0].plan == "1,234"  # texts stay as written
    assert (item.entries[0].kpi.target, item.entries[0].kpi.actual) == (1234, 1300)


def test_problems_name_the_record_and_the_field():
    rows = rows_ja()
    rows[2]["評価"] = "★"
    rows[3]["目標"] = "六割"
    with pytest.raises(ReportError) as exc:
        Report.from_records(rows, **HEAD)
    found = {(p.line, p.path.rsplit(".", 1)[-1]) for p in exc.value.problems}
    assert found == {(3, "mark"), (4, "target")}


def test_an_unknown_column_is_an_error_not_dropped():
    rows = [{"分野": "a", "施策": "b", "計画": "c", "備考": "消えては困る"}]
    with pytest.raises(ReportError) as exc:
        Report.from_records(rows, **HEAD)
    (problem,) = exc.value.problems
    assert problem.path == "備考" and "unknown column" in problem.message
    rows = [{"分野": "a", "施策": "b", "計画": "c", "fields.備考": "残る"}]
    assert Report.from_records(rows, **HEAD).sections[0].items[0].entries[0].fields == {"備考": "残る"}


def test_a_first_row_without_section_or_item_is_an_error():
    with pytest.raises(ReportError, match="分野"):
        Report.from_records([{"施策": "b", "計画": "c"}], **HEAD)
    with pytest.raises(ReportError, match="item"):
        Report.from_records([{"分野": "a", "計画": "c"}], **HEAD)


# -- reportgen import ------------------------------------------------------------------


def _csv_text(rows: list[dict[str, object]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list({k: None for r in rows for k in r}), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def reportgen_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "reportgen", *args], capture_output=True, text=True,
                          timeout=120)


IMPORT_HEAD = ("--title", "令和６年度 事業計画", "--organization", "架空支部", "--fiscal-year", "2024")


def test_import_csv_writes_a_report_file_that_loads_the_same(tmp_path: Path):
    rows = rows_ja()
    rows[0]["実施状況"] = "10月に議論した。\n12月に報告した。"  # a quoted multi-line cell
    table = tmp_path / "plan.csv"
    table.write_bytes(_csv_text(rows).encode("cp932"))  # as Excel saves CSV in Japan
    out = tmp_path / "plan.yaml"
    result = reportgen_cli("import", str(table), "-o", str(out), *IMPORT_HEAD)
    assert result.returncode == 0, result.stderr
    assert reportgen.load(out) == Report.from_records(rows, **HEAD)
    assert "status: |-\n" in out.read_text(encoding="utf-8")
    as_json = tmp_path / "plan.json"
    assert reportgen_cli("import", str(table), "-o", str(as_json), *IMPORT_HEAD).returncode == 0
    assert reportgen.load(as_json) == reportgen.load(out)


def test_import_csv_problems_give_the_files_line(tmp_path: Path):
    rows = rows_ja()
    rows[0]["実施状況"] = "二行の\n実施状況"  # line 2-3 of the file
    rows[2]["評価"] = "★"  # the fourth record starts on line 5
    table = tmp_path / "plan.csv"
    table.write_text(_csv_text(rows), encoding="utf-8")
    out = tmp_path / "plan.yaml"
    result = reportgen_cli("import", str(table), "-o", str(out), *IMPORT_HEAD)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"{table}:5: sections[0].items[1].entries[0].mark: '★' is not a mark of the 'standard' scale (◎ ○ △ × ―)"]
    assert not out.exists()


def test_import_an_xlsx_table_whose_header_is_on_the_second_sheet(tmp_path: Path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "表紙"
    wb.active["A3"] = "令和６年度 事業計画（表紙）"
    ws = wb.create_sheet("一覧")
    header = ["section", "group", "item_number", "item", "plan", "status", "mark", "kpi", "kpi_target",
              "kpi_actual", "kpi_format"]
    ws.append(header)
    ws.append(["基盤", None, 1, "財政", "議論する", "議論した", "○", None, None, None, None])
    ws.append([None, None, None, None, "周知する", None, None, None, None, None, None])
    ws.append(["戦略", "保健", 1, "健診", "上げる", "勧奨した", "△", "受診率60%以上", 0.6, 0.55, "pct:1"])
    table = tmp_path / "plan.xlsx"
    wb.save(table)
    out = tmp_path / "plan.yaml"
    result = reportgen_cli("import", str(table), "-o", str(out), *IMPORT_HEAD, "--period", "Q2")
    assert result.returncode == 0, result.stderr
    report = reportgen.load(out)
    assert report.period == "Q2"
    assert [s.title for s in report.sections] == ["基盤", "戦略"]
    assert [e.mark for e in report.sections[0].items[0].entries] == ["○", None]
    assert report.sections[1].groups[0].items[0].entries[0].kpi.target == 0.6
    ws["G4"] = "★"
    wb.save(table)
    result = reportgen_cli("import", str(table), "-o", str(out), *IMPORT_HEAD)
    assert result.returncode == 2
    assert result.stderr.startswith(f"{table} (一覧):4: sections[1].groups[0].items[0].entries[0].mark: ")


def test_import_refuses_other_inputs_and_outputs(tmp_path: Path):
    (tmp_path / "plan.txt").write_text("x", encoding="utf-8")
    result = reportgen_cli("import", str(tmp_path / "plan.txt"), "-o", str(tmp_path / "p.yaml"), *IMPORT_HEAD)
    assert result.returncode == 2 and ".csv" in result.stderr and "Traceback" not in result.stderr
    result = reportgen_cli("import", str(tmp_path / "plan.csv"), "-o", str(tmp_path / "p.pdf"), *IMPORT_HEAD)
    assert result.returncode == 2 and ".yaml" in result.stderr


def test_render_warns_about_values_after_the_quarter(tmp_path: Path):
    source = tmp_path / "q1.yaml"
    source.write_text("""\
format: 1
report: {title: t, organization: o, fiscal_year: 2024, period: Q1}
sections:
  - title: 分野
    items:
      - title: 施策
        entries:
          - plan: 計画
            kpi:
              text: 件数
              series:
                rows:
                  - label: 件数
                    values: [1, 2, 3, 4, 5, 6]
""", encoding="utf-8")
    result = reportgen_cli("render", str(source), "-o", str(tmp_path / "q1.html"))
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"warning: {source}:14: sections[0].items[0].entries[0].kpi.series.rows[0].values: "
        "3 value(s) for 7月–9月 are not printed: the period Q1 ends at 6月"]
