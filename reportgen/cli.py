"""The ``reportgen`` command line.

Exit codes are part of the interface scripts rely on: 0 success, 2 invalid
input (one ``file:line: field: what`` line per problem on stderr), 1 any other
failure.  No traceback ever reaches the user.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable, TypeVar

import click

from . import __version__
from .errors import RenderError, ReportError

if TYPE_CHECKING:  # pragma: no cover - only annotations; the model is imported when a file is read
    from .model import Report

EXIT_INVALID = 2
EXIT_FAILURE = 1

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
    click.echo(message, err=True)
    sys.exit(code)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reportgen")
def main() -> None:
    """Official 事業計画 実施状況 reports (PDF, Excel) from YAML/JSON/xlsx data.

    \b
    Examples:
      reportgen validate examples/*.yaml
      reportgen render examples/saitama-r5-excerpt.yaml -o out.pdf
    """


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--check-marks", is_flag=True,
              help="Also warn where a KPI entry's mark disagrees with the mark its figures suggest "
                   "(the file is not changed and the exit status is unaffected).")
def validate(files: tuple[str, ...], check_marks: bool = False) -> None:
    """Check FILES against the input format; print every problem, one per line.

    \b
    Exit status: 0 all valid, 2 a file is invalid, 1 another failure.
    Example:
      reportgen validate examples/*.yaml
      reportgen validate --check-marks plan.yaml
    """
    from . import load

    invalid = False
    for name in files:
        try:
            report = load(name)
        except ReportError as exc:
            invalid = True
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            continue
        except Exception as exc:  # noqa: BLE001 - the CLI never shows a traceback
            _fail(f"{name}: {type(exc).__name__}: {exc}", EXIT_FAILURE)
        entries = sum(1 for _ in report.iter_entries())
        click.echo(f"{name}: ok ({len(report.sections)} sections, {entries} entries)")
        if check_marks:
            from .propose import check_file_marks

            for warning in check_file_marks(name, report):
                click.echo(f"warning: {warning}", err=True)
    if invalid:
        sys.exit(EXIT_INVALID)


@main.command()
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option("-o", "--output", default=None, help="Also write the comparison as .html or .pdf.")
def diff(old: str, new: str, output: str | None) -> None:
    """Compare two reports of the same plan (e.g. Q1 and Q2): marks, KPI figures, texts, series.

    \b
    OLD and NEW may be .yaml, .json or .xlsx.  Prints one line per change.
    Exit status: 0 compared (with or without differences), 2 invalid input, 1 another failure.
    Example:
      reportgen diff examples/compare/saitama-r5-q1.yaml examples/compare/saitama-r5-q2.yaml -o changes.pdf
    """
    from . import load
    from .diff import diff_reports, format_text, write_diff

    if output is not None:
        suffix = Path(output).suffix.lower()
        if suffix not in (".html", ".pdf"):
            raise click.UsageError(f"-o {output}: the comparison is written as .html or .pdf")
    reports = []
    invalid = False
    for name in (old, new):
        try:
            reports.append(load(name))
        except ReportError as exc:
            invalid = True
            for problem in exc.problems:
                click.echo(str(problem), err=True)
        except Exception as exc:  # noqa: BLE001 - the CLI never shows a traceback
            _fail(f"{name}: {type(exc).__name__}: {exc}", EXIT_FAILURE)
    if invalid:
        sys.exit(EXIT_INVALID)
    result = diff_reports(*reports)
    click.echo(format_text(result), nl=False)
    if output is not None:
        try:
            write_diff(result, output, old_name=Path(old).name, new_name=Path(new).name)
        except RenderError as exc:
            _fail(f"{output}: {exc}", EXIT_FAILURE)
        except Exception as exc:  # noqa: BLE001
            _fail(f"{output}: {type(exc).__name__}: {exc}", EXIT_FAILURE)
        click.echo(f"{output}", err=True)


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
    if len(inputs) == 1 and suffix in FORMATS and not out.is_dir():
        if formats and formats != (suffix,):
            raise click.UsageError(f"-o {output} is a .{suffix} file but --format asks for {','.join(formats)}")
        return [(inputs[0], [out])]
    if suffix in FORMATS:
        raise click.UsageError("several inputs need -o DIR (a folder), not a single file")
    if out.exists() and not out.is_dir():
        raise click.UsageError(f"-o {output}: expected a .pdf, .html or .xlsx file name, or a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise click.UsageError(f"-o {output}: cannot create the folder ({exc.strerror})") from None
    return [(src, [out / f"{src.stem}.{fmt}" for fmt in (formats or ("pdf",))]) for src in inputs]


def _load_and_warn(source: Path, font: str) -> Report:
    """Load a report and warn (stderr) about characters the bundled font lacks."""
    from .glyphs import missing_glyphs

    if source.suffix.lower() == ".xlsx":
        from .xlsx_read import read_xlsx

        report, line_of = read_xlsx(source), None
    else:
        from .source import read_located
        from .validate import build_located

        located = read_located(source)
        report, line_of = build_located(located), located.line
    for warning in missing_glyphs(report, source=str(source), font=font, line_of=line_of):
        click.echo(f"warning: {warning}", err=True)
    return report


def render_one(source: Path, target: Path, *, paper: str, font: str, pdf_variant: str | None,
               jobs: int = 1, cache: bool = False) -> None:
    """Load ``source`` and write ``target`` in the format its suffix names."""
    render_report(_load_and_warn(source, font), target, paper=paper, font=font, pdf_variant=pdf_variant,
                  jobs=jobs, cache=cache)


def render_report(report: Report, target: Path, *, paper: str, font: str, pdf_variant: str | None,
                  jobs: int = 1, cache: bool = False) -> None:
    """Write an already loaded ``report`` to ``target`` in the format its suffix names.

    ``batch`` and ``watch`` load a file once and write several formats from it.
    ``jobs`` > 1 renders a large PDF in that many processes (reportgen.parallel);
    ``cache`` lays out only the parts of a PDF that changed (reportgen.partcache).
    """
    kind = target.suffix.lower().lstrip(".")
    if kind == "xlsx":
        from .xlsx import render_xlsx

        render_xlsx(report, target, paper="A3" if paper.upper() == "A3" else "A4")
    elif kind == "html":
        from .output import write_bytes_atomic
        from .pdf import render_html

        write_bytes_atomic(target, render_html(report, paper=paper, font=font).encode("utf-8"))
    else:
        from .pdf import render_pdf

        render_pdf(report, target, paper=paper, font=font, pdf_variant=pdf_variant, jobs=jobs, cache=cache)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=False))
@click.option("-o", "--output", required=True, help="Output file (.pdf, .html, .xlsx) or, for several inputs, a folder.")
@click.option("--format", "formats", default=None,
              help="Comma-separated formats for folder output: pdf,xlsx,html (default pdf).")
@click.option("--paper", type=click.Choice(["A4", "A3"], case_sensitive=False), default="A4", show_default=True)
@click.option("--font", type=click.Choice(["gothic", "mincho"]), default="gothic", show_default=True)
@click.option("--pdf-variant", type=click.Choice(["pdf/a-3u", "pdf/a-2b", "pdf/ua-1"]), default=None,
              help="Archival PDF/A or tagged PDF/UA output.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Render a large plan-status PDF on N CPUs (its 分野 as parts, all at once; "
                   "same pages as with 1).")
@click.option("--no-cache", is_flag=True,
              help="Lay out every page again instead of reusing the unchanged 分野 from the user cache.")
def render(files: tuple[str, ...], output: str, formats: str | None, paper: str, font: str,
           pdf_variant: str | None, jobs: int = 1, no_cache: bool = False) -> None:
    """Render report FILES (.yaml .json .xlsx, or folders of them) to PDF, HTML or Excel.

    \b
    Examples:
      reportgen render examples/saitama-r5-excerpt.yaml -o out.pdf
      reportgen render examples/gunma-r5-excerpt.yaml -o tracker.xlsx --paper A3
      reportgen render examples/ -o out/ --format pdf,xlsx
      reportgen render plan-400-entries.yaml -o plan.pdf --jobs 2
    """
    wanted = None
    if formats:
        wanted = tuple(f.strip().lower() for f in formats.split(",") if f.strip())
        bad = [f for f in wanted if f not in FORMATS]
        if bad:
            raise click.UsageError(f"unknown format {', '.join(bad)}; choose from {', '.join(FORMATS)}")
    inputs = _inputs(files)
    if not inputs:
        raise click.UsageError("no report files found")
    plan = _targets(inputs, output, wanted)
    sources = {p.resolve() for p in inputs}
    status = 0
    for source, targets in plan:
        for target in targets:
            if target.resolve() in sources:
                click.echo(f"{target}: refusing to overwrite an input file", err=True)
                status = max(status, EXIT_FAILURE)
                continue
            try:
                render_one(source, target, paper=paper.upper(), font=font, pdf_variant=pdf_variant, jobs=jobs,
                           cache=not no_cache)
            except ReportError as exc:
                for problem in exc.problems:
                    click.echo(str(problem), err=True)
                status = EXIT_INVALID
                break
            except RenderError as exc:
                click.echo(f"{target}: {exc}", err=True)
                status = max(status, EXIT_FAILURE) if status != EXIT_INVALID else status
            except Exception as exc:  # noqa: BLE001 - the CLI never shows a traceback
                click.echo(f"{target}: {type(exc).__name__}: {exc}", err=True)
                status = max(status, EXIT_FAILURE) if status != EXIT_INVALID else status
            else:
                click.echo(f"{target}")
    if status:
        sys.exit(status)


# Everyday-use verbs (issue #6) live in their own modules, registered on ``main``
# by LazyGroup when named (the modules import ``cli`` lazily, never at the top).


def run() -> None:
    """Entry point wrapper that turns unexpected errors into exit 1 without a traceback."""
    try:
        main(standalone_mode=True)
    except ReportError as exc:
        _fail(str(exc), EXIT_INVALID)
    except Exception as exc:  # noqa: BLE001 - last resort: a line, not a traceback
        _fail(f"error: {type(exc).__name__}: {exc}", EXIT_FAILURE)
