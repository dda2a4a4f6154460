"""``reportgen import``: a tracker workbook or a table (.xlsx, .csv) turned into a report file.

A workbook is first tried as a 進捗状況 tracker (made by reportgen or by hand:
:mod:`reportgen.xlsx.tracker_import`); anything else, and a workbook that is
no tracker, is read as a table of entries by :func:`reportgen.inputs.records.read_table`,
the one reader of tables by suffix.  The result is written as format-1 YAML or
JSON, never over its input.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ..core.errors import Problem, RenderError, ReportError
from ..core.i18n import problem_text, tr, translate
from ..core.terminal import echo  # every print escapes control characters: data is shown, never obeyed
from .common import EXIT_FAILURE, EXIT_INVALID, fail, print_problems

__all__ = ["TABLE_SUFFIXES", "import_command", "import_data", "write_data"]

#: What ``reportgen import`` reads: trackers and tables (.xlsx), tables (.csv).
TABLE_SUFFIXES = (".csv", ".xlsx")
#: The report's fields a table cannot give, as options of the command.
_REPORT_FIELDS = ("title", "organization", "fiscal_year")


def import_data(source: Path, report_fields: dict[str, object]) -> tuple[dict[str, Any], list[Problem]]:
    """Format-1 data of ``source`` and the located warnings of reading it.

    A workbook that is a tracker gives its report (``report_fields`` fill
    in what its title rows do not say); a table needs --title,
    --organization and --fiscal-year.
    """
    if source.suffix.lower() == ".xlsx":
        from ..xlsx.tracker_import import NotATrackerError, workbook_data

        try:
            return workbook_data(source, fiscal_year=_year(report_fields.get("fiscal_year")),
                                 organization=report_fields.get("organization"),  # type: ignore[arg-type]
                                 title=report_fields.get("title"))  # type: ignore[arg-type]
        except NotATrackerError as exc:
            missing = [k for k in _REPORT_FIELDS if k not in report_fields]
            if missing:  # neither a tracker nor (for want of the report's fields) read as a table
                raise ReportError([Problem(p.file, p.line, p.path, p.message + "; a table of entries needs "
                                           + ", ".join(f"--{k.replace('_', '-')}" for k in missing))
                                   for p in exc.problems]) from None
    from ..inputs.records import read_table

    return read_table(source, **_table_fields(source, report_fields)).to_dict(), []


def _year(value: object) -> int | None:
    if value is None:
        return None
    try:
        return int(str(value))
    except ValueError:
        raise click.UsageError(tr("--fiscal-year {value}: expected a year such as 2024", value=value)) from None


def _table_fields(source: Path, report_fields: dict[str, object]) -> dict[str, object]:
    """A table names no report: --title, --organization and --fiscal-year are needed."""
    missing = [f"--{k.replace('_', '-')}" for k in _REPORT_FIELDS if k not in report_fields]
    if missing:
        raise click.UsageError(tr("{table}: a table needs {options}", table=str(source), options=", ".join(missing)))
    return report_fields


def write_data(data: dict[str, Any], source: Path, target: Path) -> None:
    """The report as a format-1 YAML or JSON file (by suffix), written atomically."""
    import json

    from ..core.output import write_bytes_atomic
    from ..xlsx.tracker_import import to_yaml

    if target.suffix.lower() == ".json":
        text = json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
    else:
        text = to_yaml(data, str(source))
    write_bytes_atomic(target, text.encode("utf-8"))


@click.command("import")
@click.argument("table", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, help="The report file to write (.yaml, .yml or .json).")
@click.option("--title", default=None, help="Report title (e.g. 令和６年度 事業計画); a tracker's title row otherwise.")
@click.option("--organization", default=None, help="Who reports (e.g. 埼玉支部); a tracker's title otherwise.")
@click.option("--fiscal-year", default=None, help="Gregorian year the fiscal year starts (2024 = 令和6年度).")
@click.option("--period", default=None, help="Tables: annual, Q1-Q4 or YYYY-MM (default annual).")
@click.option("--marks", default=None, help="Tables: mark scale name (default standard).")
@click.option("--layout", default=None, help="Tables: layout (default plan-status).")
def import_command(table: str, output: str, title: str | None, organization: str | None,
                   fiscal_year: str | None, period: str | None, marks: str | None, layout: str | None) -> None:
    """Turn a tracker workbook or a table (.xlsx or .csv) into a report file.

    \b
    A 進捗状況 tracker made by hand in Excel: the header row (項番 · 事業 ·
    実施（手段スケジュール）概要 · 進捗状況 · 実施状況 · 全国順位) is found wherever it
    is; areas, ○ banners, items, entries, month grids, marks and ranks are read
    under it; every cell that could not be placed is a warning naming it
    (tracker.xlsx: Sheet1!F12: could not place …).
    A table (.csv, or an .xlsx sheet with column names in row 1): one row per
    entry; columns 分野 グループ 項番 施策 計画 実施状況 評価 KPI 目標 実績 …
    (or section group item_number item plan status mark kpi kpi_target kpi_actual …;
    see "Using it from Python" in the README); --title, --organization and
    --fiscal-year are needed.
    Exit status: 0 written, 2 invalid input, 1 another failure.
    Examples:
      reportgen import 進捗状況R5.xlsx -o plan.yaml
      reportgen import tracker.xlsx -o plan.yaml --fiscal-year 2023 --organization 群馬支部
      reportgen import plan.csv -o plan.yaml --title "令和６年度 事業計画" --organization 埼玉支部 --fiscal-year 2024
    """
    source, target = Path(table), Path(output)
    if target.suffix.lower() not in (".yaml", ".yml", ".json"):
        raise click.UsageError(tr("-o {output}: the report is written as .yaml, .yml or .json", output=output))
    if source.suffix.lower() not in TABLE_SUFFIXES:
        raise click.UsageError(tr("{table}: import reads {suffixes} files", table=table,
                                  suffixes=", ".join(TABLE_SUFFIXES)))
    if target.exists() and target.resolve() == source.resolve():
        fail(f"{target}: " + tr("refusing to overwrite an input file"), EXIT_FAILURE)
    fields = {k: v for k, v in (("title", title), ("organization", organization), ("fiscal_year", fiscal_year),
                                ("period", period), ("marks", marks), ("layout", layout)) if v is not None}
    try:
        data, warned = import_data(source, fields)
        for problem in warned:
            echo("warning: " + problem_text(problem), err=True)
        write_data(data, source, target)
    except ReportError as exc:
        print_problems(exc.problems)
        sys.exit(EXIT_INVALID)
    except RenderError as exc:
        fail(f"{output}: {translate(str(exc))}", EXIT_FAILURE)
    except click.UsageError:
        raise
    except Exception as exc:  # noqa: BLE001 - the CLI never shows a traceback
        fail(f"{table}: {type(exc).__name__}: {exc}", EXIT_FAILURE)
    report = data.get("sections") or []
    entries = sum(len(i.get("entries") or []) for s_ in report
                  for items in [s_.get("items") or [], *[g.get("items") or [] for g in s_.get("groups") or []]]
                  for i in items)
    echo(f"{output}: " + tr("{sections} sections, {entries} entries", sections=len(report),
                                  entries=entries))

