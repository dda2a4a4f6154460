"""The ``reportgen`` command line: the group, ``validate``, ``diff``, ``render`` and ``templates``.

Exit codes are part of the interface scripts rely on: 0 success, 2 invalid
input (one ``file:line: field: what`` line per problem on stderr), 1 any other
failure.  No traceback ever reaches the user.  What the verbs share (exit
codes, options, reading a report, writing one) is in :mod:`.common`; the other
verbs live in their own modules (:data:`LAZY_COMMANDS`).
"""

from __future__ import annotations

import importlib
import sys
import warnings
from pathlib import Path

import click

from .. import __version__
from ..core.errors import Problem, RenderError, ReportError
from ..core.i18n import problem_text, tr, translate
from ..core.terminal import echo  # every print escapes control characters: data is shown, never obeyed
from .common import (
    EXIT_FAILURE,
    EXIT_INVALID,
    FORMATS,
    fail,
    font_option,
    load_and_warn,
    no_cache_option,
    orientation_option,
    paper_option,
    part_jobs_option,
    pdf_variant_option,
    print_problems,
    read_warned,
    render_report,
    strict_option,
    templates_option,
)

_PYTHON_SHOWWARNING = warnings.showwarning

#: Verbs that live in their own modules, imported only when used: ``batch``
#: alone pulls in multiprocessing and concurrent.futures, which ``reportgen
#: --version``, ``validate`` and a one-file ``render`` should not pay at every start.
LAZY_COMMANDS = {
    "batch": ".batch:batch_command",
    "import": ".importer:import_command",
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


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@strict_option
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
            report, line_of = read_warned(name, strict=strict)
        except ReportError as exc:
            invalid = True
            print_problems(exc.problems)
            continue
        except Exception as exc:  # noqa: BLE001 - the CLI never shows a traceback
            fail(f"{name}: {type(exc).__name__}: {exc}", EXIT_FAILURE)
        from ..checks.collect import unprinted_data

        unprinted = unprinted_data(report, source=str(name), line_of=line_of)
        for problem in unprinted:
            echo(f"warning: {problem_text(problem)}", err=True)
        if strict and unprinted:
            invalid = True
            print_problems([Problem(str(name), None, "", f"{len(unprinted)} warning(s) and --strict is given")])
            continue
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
@strict_option
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
            print_problems(exc.problems)
        except Exception as exc:  # noqa: BLE001 - the CLI never shows a traceback
            fail(f"{name}: {type(exc).__name__}: {exc}", EXIT_FAILURE)
    if invalid:
        sys.exit(EXIT_INVALID)
    result = diff_reports(*reports)
    echo(format_text(result), nl=False)
    if output is not None:
        try:
            write_diff(result, output, old_name=Path(old).name, new_name=Path(new).name)
        except RenderError as exc:
            fail(f"{output}: {translate(str(exc))}", EXIT_FAILURE)
        except Exception as exc:  # noqa: BLE001
            fail(f"{output}: {type(exc).__name__}: {exc}", EXIT_FAILURE)
        echo(f"{output}", err=True)


def _inputs(paths: tuple[str, ...]) -> list[Path]:
    """Files named, plus the report files inside any folder named."""
    from ..api import REPORT_SUFFIXES

    out: list[Path] = []
    for name in paths:
        p = Path(name)
        if p.is_dir():
            out.extend(sorted(q for q in p.iterdir() if q.suffix.lower() in REPORT_SUFFIXES))
        else:
            out.append(p)
    return out


def _targets(inputs: list[Path], output: str, formats: tuple[str, ...] | None) -> list[tuple[Path, list[Path]]]:
    """Where each input goes: ``-o OUT.pdf`` for one file, ``-o DIR`` for several."""
    out = Path(output)
    suffix = out.suffix.lower().lstrip(".")
    if len(inputs) == 1 and suffix in FORMATS and out.is_dir():
        fail(translate(f"-o {output}: is a folder; give the file to write, e.g. "
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


def render_one(source: Path, target: Path, *, paper: str, font: str, pdf_variant: str | None,
               jobs: int = 1, templates: str | None = None, strict: bool = False, cache: bool = False) -> None:
    """Load ``source`` and write ``target`` in the format its suffix names."""
    render_report(load_and_warn(source, font, strict), target, paper=paper, font=font, pdf_variant=pdf_variant,
                  jobs=jobs, templates=templates, cache=cache)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=False))
@click.option("-o", "--output", required=True, help="Output file (.pdf, .html, .xlsx) or, for several inputs, a folder.")
@click.option("--format", "formats", default=None,
              help="Comma-separated formats for folder output: pdf,xlsx,html (default pdf).")
@paper_option
@orientation_option
@font_option
@pdf_variant_option
@part_jobs_option
@templates_option
@strict_option
@no_cache_option
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
                fail(translate(str(exc)), EXIT_INVALID)
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
                print_problems(exc.problems)
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
        fail(f"{folder}: {exc}", EXIT_FAILURE)
    echo(f"{folder}: " + tr("{n} files", n=len(written)))


# Everyday-use verbs (issue #6) and ``import`` live in their own modules, registered on
# ``main`` by LazyGroup when named; they share .common with this module, never import it.


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
            fail("\n".join(problem_text(p) for p in exc.problems), EXIT_INVALID)
        except Exception as exc:  # noqa: BLE001 - last resort: a line, not a traceback
            fail(f"error: {type(exc).__name__}: {exc}", EXIT_FAILURE)
        sys.exit(code if isinstance(code, int) else 0)
