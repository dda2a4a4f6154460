"""The ``reportgen`` command line.

Exit codes are part of the interface scripts rely on: 0 success, 2 invalid
input (one ``file:line: field: what`` line per problem on stderr), 1 any other
failure.  No traceback ever reaches the user.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, TypeVar

import click

from .. import __version__
from ..core.errors import Problem, RenderError, ReportError
from ..core.i18n import problem_text, tr, translate
from ..core.terminal import echo  # every print escapes control characters: data is shown, never obeyed

if TYPE_CHECKING:  # pragma: no cover - only annotations; the model is imported when a file is read
    from ..model.report import Report

EXIT_INVALID = 2
EXIT_FAILURE = 1

_PYTHON_SHOWWARNING = warnings.showwarning

F = TypeVar("F", bound=Callable[..., object])

#: Verbs that live in their own modules, imported only when used: ``batch``
#: alone pulls in multiprocessing and concurrent.futures, which ``reportgen
#: --version``, ``validate`` and a one-file ``render`` should not pay at every start.
LAZY_COMMANDS = {
    "batch": ".batch:batch_command",
    "summary": ".summary:summary_command",
    "watch": ".watch:watch_command",
}


class LazyGroup(click.Group):
    """The ``reportgen`` group; the verbs of :data:`LAZY_COMMANDS` are imported when named.

    Click's documented lazy-loading pattern: ``list_commands`` names every
    verb without importing any (help and "Did you mean" stay the same),
    ``get_command`` imports a lazy verb's module on first use.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in LAZY_COMMANDS:
            module, attr = LAZY_COMMANDS[cmd_name].split(":")
            self.add_command(getattr(importlib.import_module(module, __package__), attr), cmd_name)
        return super().get_command(ctx, cmd_name)


def _fail(message: str, code: int) -> None:
    echo(message, err=True)
    sys.exit(code)


def _set_lang(_ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    from ..core.i18n import install_for_click, set_language

    set_language(value)
    install_for_click(value)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reportgen")
@click.option("--lang", type=click.Choice(["en", "ja"]), default=None, expose_value=False, is_eager=True,
              callback=_set_lang,
              help="Language of the messages (default: from LANG, e.g. ja_JP.UTF-8 → ja; else en). "
                   "The file:line: field: prefix is the same in both.")
def main() -> None:
    """Official 事業計画 実施状況 reports (PDF, Excel) from YAML/JSON/xlsx data.

    \b
    Examples:
      reportgen validate examples/*.yaml
      reportgen render examples/saitama-r5-excerpt.yaml -o out.pdf
    """
    warnings.showwarning = _show_warning


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: object = None, line: str | None = None) -> None:
    """reportgen's own warnings (ReportWarning: a tracker's unplaced cells, edits not read back) as
    ``warning: …`` lines."""
    from ..core.reportwarnings import ReportWarning

    if issubclass(category, ReportWarning):
        echo(f"warning: {message}", err=True)
    else:
        _PYTHON_SHOWWARNING(message, category, filename, lineno, file, line)  # type: ignore[arg-type]


def read_warned(name: str | Path, *, strict: bool = False) -> tuple[Report, object]:
    """Load a report, printing its reading warnings (``warning: file: where: what``) on stderr.

    Warnings are edits of a tracker workbook that are not read back and given
    totals that disagree with their months; with ``strict`` they make the
    load fail (ReportError, exit 2) after being printed.  Returns the report
    and the line lookup of a YAML/JSON file (None for a workbook).
    """
    from ..checks.totals import total_problems

    if Path(name).suffix.lower() == ".xlsx":
        # a reportgen tracker (edits read back) or one made by hand (imported)
        from ..xlsx.tracker_import import read_workbook

        report, warned = read_workbook(name)
        line_of = None
    else:
        from ..inputs.source import read_located
        from ..inputs.validate import build_located

        located = read_located(Path(name))
        report, line_of, warned = build_located(located), located.line, []
    warned = list(warned) + total_problems(report, source=str(name), line_of=line_of)
    for problem in warned:
        echo(f"warning: {problem_text(problem)}", err=True)
    if strict and warned:
        from ..core.errors import Problem

        raise ReportError([Problem(str(name), None, "", f"{len(warned)} warning(s) and --strict is given")])
    return report, line_of


STRICT_HELP = ("Fail (exit 2) on reading warnings too: tracker edits that are not read back, "
               "given totals that disagree with their months.")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--strict", is_flag=True, help=STRICT_HELP)
@click.option("--check-marks", is_flag=True,
              help="Also warn where a KPI entry's mark disagrees with the mark its figures suggest "
                   "(the file is not changed and the exit status is unaffected).")
def validate(files: tuple[str, ...], check_marks: bool = False, strict: bool = False) -> None:
    """Check FILES against the input format; print every problem, one per line.

    \b
    Exit status: 0 all valid, 2 a file is invalid, 1 another failure.
    Example:
      reportgen validate examples/*.yaml
      reportgen validate --check-marks plan.yaml
    """
    invalid = False
    for name in files:
        try:
            report, _line_of = read_warned(name, strict=strict)
        except ReportError as exc:
            invalid = True
            for problem in exc.problems:
                echo(problem_text(problem), err=True)
            continue
        except Exception as exc:  # noqa: BLE001 - the CLI never shows a traceback
            _fail(f"{name}: {type(exc).__name__}: {exc}", EXIT_FAILURE)
        entries = sum(1 for _ in report.iter_entries())
        echo(f"{name}: " + tr("ok ({sections} sections, {entries} entries)",
                                    sections=len(report.sections), entries=entries))
        if check_marks:
            from ..checks.propose import check_file_marks

            for warning in check_file_marks(name, report):
                echo(f"warning: {problem_text(warning)}", err=True)
    if invalid:
        sys.exit(EXIT_INVALID)


@main.command()
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option("-o", "--output", default=None, help="Also write the comparison as .html or .pdf.")
@click.option("--strict", is_flag=True, help=STRICT_HELP)
def diff(old: str, new: str, output: str | None, strict: bool = False) -> None:
    """Compare two reports of the same plan (e.g. Q1 and Q2): marks, KPI figures, texts, series.

    \b
    OLD and NEW may be .yaml, .json or .xlsx.  Prints one line per change.
    Exit status: 0 compared (with or without differences), 2 invalid input, 1 another failure.
    Example:
      reportgen diff examples/compare/saitama-r5-q1.yaml examples/compare/saitama-r5-q2.yaml -o changes.pdf
    """
    from ..tools.diff import diff_reports, format_text, write_diff

    if output is not None:
        suffix = Path(output).suffix.lower()
        if suffix not in (".html", ".pdf"):
            raise click.UsageError(tr("-o {output}: the comparison is written as .html or .pdf", output=output))
    reports = []
    invalid = False
    for name in (old, new):
        try:
            reports.append(read_warned(name, strict=strict)[0])
        except ReportError as exc:
            invalid = True
            for problem in exc.problems:
                echo(problem_text(problem), err=True)
        except Exception as exc:  # noqa: BLE001 - the CLI never shows a traceback
            _fail(f"{name}: {type(exc).__name__}: {exc}", EXIT_FAILURE)
    if invalid:
        sys.exit(EXIT_INVALID)
    result = diff_reports(*reports)
    echo(format_text(result), nl=False)
    if output is not None:
        try:
            write_diff(result, output, old_name=Path(old).name, new_name=Path(new).name)
        except RenderError as exc:
            _fail(f"{output}: {translate(str(exc))}", EXIT_FAILURE)
        except Exception as exc:  # noqa: BLE001
            _fail(f"{output}: {type(exc).__name__}: {exc}", EXIT_FAILURE)
        echo(f"{output}", err=True)


FORMATS = ("pdf", "html", "xlsx")


def _inputs(paths: tuple[str, ...]) -> list[Path]:
    """Files named, plus the report files inside any folder named."""
    out: list[Path] = []
    for name in paths:
        p = Path(name)
        if p.is_dir():
            out.extend(sorted(q for q in p.iterdir() if q.suffix.lower() in (".yaml", ".yml", ".json", ".xlsx")))
        else:
            out.append(p)
    return out


def _targets(inputs: list[Path], output: str, formats: tuple[str, ...] | None) -> list[tuple[Path, list[Path]]]:
    """Where each input goes: ``-o OUT.pdf`` for one file, ``-o DIR`` for several."""
    out = Path(output)
    suffix = out.suffix.lower().lstrip(".")
    if len(inputs) == 1 and suffix in FORMATS and out.is_dir():
        _fail(translate(f"-o {output}: is a folder; give the file to write, e.g. "
                        f"{out / (inputs[0].stem + out.suffix)}"), EXIT_INVALID)
    if len(inputs) == 1 and suffix in FORMATS and not out.is_dir():
        if formats and formats != (suffix,):
            raise click.UsageError(tr("-o {output} is a .{suffix} file but --format asks for {formats}",
                                      output=output, suffix=suffix, formats=",".join(formats)))
        return [(inputs[0], [out])]
    if suffix in FORMATS:
        raise click.UsageError(tr("several inputs need -o DIR (a folder), not a single file"))
    if out.exists() and not out.is_dir():
        raise click.UsageError(tr("-o {output}: expected a .pdf, .html or .xlsx file name, or a folder", output=output))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise click.UsageError(tr("-o {output}: cannot create the folder ({detail})", output=output,
                                  detail=exc.strerror)) from None
    return [(src, [out / f"{src.stem}.{fmt}" for fmt in (formats or ("pdf",))]) for src in inputs]


def load_and_warn(source: Path, font: str, strict: bool = False) -> Report:
    """Load a report and warn (stderr) about reading problems, characters the bundled font lacks and
    values not printed."""
    from ..checks.collect import report_warnings

    report, line_of = read_warned(source, strict=strict)
    for warning in report_warnings(report, source=str(source), font=font, line_of=line_of):
        echo(f"warning: {problem_text(warning.problem)}", err=True)
    return report


def render_one(source: Path, target: Path, *, paper: str, font: str, pdf_variant: str | None,
               jobs: int = 1, templates: str | None = None, strict: bool = False, cache: bool = False) -> None:
    """Load ``source`` and write ``target`` in the format its suffix names."""
    render_report(load_and_warn(source, font, strict), target, paper=paper, font=font, pdf_variant=pdf_variant,
                  jobs=jobs, templates=templates, cache=cache)


def render_report(report: Report, target: Path, *, paper: str, font: str, pdf_variant: str | None,
                  jobs: int = 1, templates: str | None = None, cache: bool = False) -> None:
    """Write an already loaded ``report`` to ``target`` in the format its suffix names.

    ``batch`` and ``watch`` load a file once and write several formats from it.
    ``jobs`` > 1 renders a large PDF in that many processes (reportgen.pdf.parallel);
    ``cache`` lays out only the parts of a PDF that changed (reportgen.pdf.partcache).
    """
    kind = target.suffix.lower().lstrip(".")
    if kind == "xlsx":
        from ..xlsx.writer import render_xlsx

        render_xlsx(report, target, paper="A3" if paper.upper() == "A3" else "A4")
    elif kind == "html":
        from ..core.output import write_bytes_atomic
        from ..pdf.engine import render_html

        write_bytes_atomic(target, render_html(report, paper=paper, font=font, templates=templates).encode("utf-8"))
    else:
        from ..pdf.engine import render_pdf

        render_pdf(report, target, paper=paper, font=font, pdf_variant=pdf_variant, jobs=jobs, templates=templates,
                   cache=cache)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=False))
@click.option("-o", "--output", required=True, help="Output file (.pdf, .html, .xlsx) or, for several inputs, a folder.")
@click.option("--format", "formats", default=None,
              help="Comma-separated formats for folder output: pdf,xlsx,html (default pdf).")
@click.option("--paper", type=click.Choice(["A4", "A3", "B4", "B5"], case_sensitive=False), default="A4",
              show_default=True, help="Paper of the PDF (B4, B5: JIS sizes); the workbook is A3 or A4.")
@click.option("--orientation", type=click.Choice(["landscape", "portrait"]), default="landscape",
              show_default=True)
@click.option("--font", type=click.Choice(["gothic", "mincho"]), default="gothic", show_default=True)
@click.option("--pdf-variant", type=click.Choice(["pdf/a-3u", "pdf/a-2b", "pdf/ua-1"]), default=None,
              help="Archival PDF/A or tagged PDF/UA output.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Render a large plan-status PDF on N CPUs (its 分野 as parts, all at once; "
                   "same pages as with 1).")
@click.option("--templates", "templates", default=None, type=click.Path(exists=True, file_okay=False),
              help="A folder of your own templates (report.html, style.css, images), searched before "
                   "the built-ins; start one with `reportgen templates export DIR`.")
@click.option("--strict", is_flag=True, help=STRICT_HELP)
@click.option("--no-cache", is_flag=True,
              help="Lay out every page again instead of reusing the unchanged 分野 from the user cache.")
def render(files: tuple[str, ...], output: str, formats: str | None, paper: str, font: str,
           pdf_variant: str | None, jobs: int = 1, orientation: str = "landscape",
           templates: str | None = None, strict: bool = False, no_cache: bool = False) -> None:
    """Render report FILES (.yaml .json .xlsx, or folders of them) to PDF, HTML or Excel.

    \b
    Examples:
      reportgen render examples/saitama-r5-excerpt.yaml -o out.pdf
      reportgen render examples/gunma-r5-excerpt.yaml -o tracker.xlsx --paper A3
      reportgen render examples/ -o out/ --format pdf,xlsx
      reportgen render plan-400-entries.yaml -o plan.pdf --jobs 2
      reportgen render plan.yaml -o plan.pdf --paper B4 --orientation portrait
    """
    from ..core.papers import paper_key

    wanted = None
    if formats:
        wanted = tuple(f.strip().lower() for f in formats.split(",") if f.strip())
        bad = [f for f in wanted if f not in FORMATS]
        if bad:
            raise click.UsageError(tr("unknown format {formats}", formats=", ".join(bad)) + "; "
                                   + tr("choose from {formats}", formats=", ".join(FORMATS)))
    inputs = _inputs(files)
    if not inputs:
        raise click.UsageError(tr("no report files found"))
    plan = _targets(inputs, output, wanted)
    sources = {p.resolve() for p in inputs}
    from ..core.output import OutputError, check_target

    for _source, targets in plan:  # every output checked before anything is rendered
        for target in targets:
            try:
                check_target(target)
            except OutputError as exc:
                _fail(translate(str(exc)), EXIT_INVALID)
    status = 0
    for source, targets in plan:
        for target in targets:
            if target.resolve() in sources:
                echo(f"{target}: " + tr("refusing to overwrite an input file"), err=True)
                status = max(status, EXIT_FAILURE)
                continue
            try:
                render_one(source, target, paper=paper_key(paper, orientation), font=font,
                           pdf_variant=pdf_variant, jobs=jobs, templates=templates, strict=strict,
                           cache=not no_cache)
            except ReportError as exc:
                for problem in exc.problems:
                    echo(problem_text(problem), err=True)
                status = EXIT_INVALID
                break
            except OutputError as exc:
                echo(translate(str(exc)), err=True)
                status = EXIT_INVALID
            except RenderError as exc:
                echo(f"{target}: {translate(str(exc))}", err=True)
                status = max(status, EXIT_FAILURE) if status != EXIT_INVALID else status
            except Exception as exc:  # noqa: BLE001 - the CLI never shows a traceback
                echo(f"{target}: {type(exc).__name__}: {exc}", err=True)
                status = max(status, EXIT_FAILURE) if status != EXIT_INVALID else status
            else:
                echo(f"{target}")
    if status:
        sys.exit(status)


@main.group("templates")
def templates_group() -> None:
    """Your own templates: blocks to override (footer, seal …), style.css, images.

    \b
    Example:
      reportgen templates export mytemplates
      reportgen render plan.yaml -o plan.pdf --templates mytemplates
    """


@templates_group.command("export")
@click.argument("folder", type=click.Path(file_okay=False))
def templates_export(folder: str) -> None:
    """Write FOLDER: report.html (blocks to fill in), style.css, README.md and copies of the built-ins.

    \b
    Rendered with --templates FOLDER it looks exactly like the built-ins until edited.
    Example:
      reportgen templates export mytemplates
      reportgen render plan.yaml -o plan.pdf --templates mytemplates
    """
    from ..pdf.usertemplates import export

    try:
        written = export(folder)
    except (OSError, FileExistsError) as exc:
        _fail(f"{folder}: {exc}", EXIT_FAILURE)
    echo(f"{folder}: " + tr("{n} files", n=len(written)))


def _import_csv(source: Path, report_fields: dict[str, object]) -> tuple[dict[str, Any], list[Problem]]:
    """A CSV table, one entry per row (reportgen.inputs.records)."""
    from ..inputs.records import read_csv

    return read_csv(source, **_table_fields(source, report_fields)).to_dict(), []


def _import_xlsx(source: Path, report_fields: dict[str, object]) -> tuple[dict[str, Any], list[Problem]]:
    """A 進捗状況 tracker (made by hand or by reportgen: reportgen.xlsx.tracker_import), else a
    table whose first row names the columns (reportgen.inputs.records)."""
    from ..xlsx.tracker_import import NotATrackerError, workbook_data

    try:
        return workbook_data(source, fiscal_year=_year(report_fields.get("fiscal_year")),
                             organization=report_fields.get("organization"),  # type: ignore[arg-type]
                             title=report_fields.get("title"))  # type: ignore[arg-type]
    except NotATrackerError as exc:
        missing = [k for k in ("title", "organization", "fiscal_year") if k not in report_fields]
        if missing:  # neither a tracker nor (for want of the report's fields) read as a table
            raise ReportError([Problem(p.file, p.line, p.path, p.message + "; a table of entries needs "
                                       + ", ".join(f"--{k.replace('_', '-')}" for k in missing))
                               for p in exc.problems]) from None
        from ..inputs.records import read_xlsx_table

        return read_xlsx_table(source, **_table_fields(source, report_fields)).to_dict(), []


def _year(value: object) -> int | None:
    if value is None:
        return None
    try:
        return int(str(value))
    except ValueError:
        raise click.UsageError(tr("--fiscal-year {value}: expected a year such as 2024", value=value)) from None


def _table_fields(source: Path, report_fields: dict[str, object]) -> dict[str, object]:
    """A table names no report: --title, --organization and --fiscal-year are needed."""
    missing = [f"--{k.replace('_', '-')}" for k in ("title", "organization", "fiscal_year") if k not in report_fields]
    if missing:
        raise click.UsageError(tr("{table}: a table needs {options}", table=str(source), options=", ".join(missing)))
    return report_fields


#: ``reportgen import`` by suffix of the input: format-1 data and located warnings.
IMPORTERS: dict[str, Callable[[Path, dict[str, object]], tuple[dict[str, Any], list[Problem]]]] = {
    ".csv": _import_csv,
    ".xlsx": _import_xlsx,
}


def _write_data(data: dict[str, Any], source: Path, target: Path) -> None:
    """The report as a format-1 YAML or JSON file (by suffix), written atomically."""
    import json

    from ..core.output import write_bytes_atomic
    from ..xlsx.tracker_import import to_yaml

    if target.suffix.lower() == ".json":
        text = json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
    else:
        text = to_yaml(data, str(source))
    write_bytes_atomic(target, text.encode("utf-8"))


@main.command("import")
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
    importer = IMPORTERS.get(source.suffix.lower())
    if importer is None:
        raise click.UsageError(tr("{table}: import reads {suffixes} files", table=table,
                                  suffixes=", ".join(IMPORTERS)))
    if target.exists() and target.resolve() == source.resolve():
        _fail(f"{target}: " + tr("refusing to overwrite an input file"), EXIT_FAILURE)
    fields = {k: v for k, v in (("title", title), ("organization", organization), ("fiscal_year", fiscal_year),
                                ("period", period), ("marks", marks), ("layout", layout)) if v is not None}
    try:
        data, warned = importer(source, fields)
        for problem in warned:
            echo("warning: " + problem_text(problem), err=True)
        _write_data(data, source, target)
    except ReportError as exc:
        for problem in exc.problems:
            echo(problem_text(problem), err=True)
        sys.exit(EXIT_INVALID)
    except RenderError as exc:
        _fail(f"{output}: {translate(str(exc))}", EXIT_FAILURE)
    except click.UsageError:
        raise
    except Exception as exc:  # noqa: BLE001 - the CLI never shows a traceback
        _fail(f"{table}: {type(exc).__name__}: {exc}", EXIT_FAILURE)
    report = data.get("sections") or []
    entries = sum(len(i.get("entries") or []) for s_ in report
                  for items in [s_.get("items") or [], *[g.get("items") or [] for g in s_.get("groups") or []]]
                  for i in items)
    echo(f"{output}: " + tr("{sections} sections, {entries} entries", sections=len(report),
                                  entries=entries))


# Everyday-use verbs (issue #6) live in their own modules, registered on ``main``
# by LazyGroup when named (the modules import ``cli`` lazily, never at the top).


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds: half-written outputs and the private TMPDIR are removed


def run() -> None:
    """Entry point wrapper that turns unexpected errors into exit 1 without a traceback.

    Every run keeps its temporary files (WeasyPrint's font folders, its
    workers') in a private TMPDIR removed at the end (reportgen.core.scratch);
    SIGTERM ends the run through the same clean-up.
    """
    import signal

    from ..core.scratch import private_tmpdir

    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
    with private_tmpdir():
        try:
            code = main(standalone_mode=False)
        except click.ClickException as exc:  # click's own messages quote file names: escaped too
            from ..core.terminal import SafeStream

            exc.message = translate(exc.message)  # ours (UsageError texts) in the chosen language too

            exc.show(file=SafeStream(sys.stderr))  # type: ignore[arg-type]
            sys.exit(exc.exit_code)
        except click.Abort:
            echo("Aborted!", err=True)
            sys.exit(EXIT_FAILURE)
        except ReportError as exc:
            _fail("\n".join(problem_text(p) for p in exc.problems), EXIT_INVALID)
        except Exception as exc:  # noqa: BLE001 - last resort: a line, not a traceback
            _fail(f"error: {type(exc).__name__}: {exc}", EXIT_FAILURE)
        sys.exit(code if isinstance(code, int) else 0)
