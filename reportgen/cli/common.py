"""What every verb of the command line shares: exit codes, the options, reading and writing a report.

Exit codes are part of the interface scripts rely on: 0 success, 2 invalid
input (one ``file:line: field: what`` line per problem on stderr), 1 any other
failure.  No traceback ever reaches the user.

The options that several verbs offer (``--paper``, ``--font``,
``--pdf-variant``, ``--strict``, ``--no-cache`` …) are declared here once, so
``render``, ``batch`` and ``watch`` take the same values with the same help
text and defaults.  Apply them as decorators; click lists options in the
order they are applied.

Nothing heavy is imported at the top: ``reportgen --version`` imports this
module, so the data model, the readers and the renderers are imported inside
the functions that use them.
"""

from __future__ import annotations

import re
import sys
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Callable, NoReturn, TypeVar

import click

from ..core.i18n import problem_text
from ..core.terminal import echo  # every print escapes control characters: data is shown, never obeyed

if TYPE_CHECKING:  # pragma: no cover - only annotations; the model is imported when a file is read
    from ..core.errors import Problem
    from ..core.reportwarnings import LineOf
    from ..model.report import Report

__all__ = [
    "EXIT_FAILURE", "EXIT_INVALID", "FORMATS", "PAPERS", "STRICT_HELP", "count_pdf_pages", "fail",
    "font_option", "load_and_warn", "no_cache_option", "orientation_option", "paper_option",
    "part_jobs_option", "pdf_variant_option", "print_problems", "read_warned", "render_report",
    "strict_option", "templates_option",
]

EXIT_INVALID = 2
EXIT_FAILURE = 1

#: What ``render``, ``batch`` and ``watch`` write, named by the output's suffix.
FORMATS = ("pdf", "html", "xlsx")
#: Paper sizes of the PDF (reportgen.core.papers; B4, B5 are JIS sizes).
PAPERS = ("A4", "A3", "B4", "B5")

F = TypeVar("F", bound=Callable[..., object])


# --------------------------------------------------------------------------- printing


def fail(message: str, code: int) -> NoReturn:
    """Print one line on stderr and end the run with ``code``."""
    echo(message, err=True)
    sys.exit(code)


def print_problems(problems: Iterable[Problem]) -> None:
    """Every problem of invalid input as its ``file:line: field: what`` line on stderr."""
    for problem in problems:
        echo(problem_text(problem), err=True)


# --------------------------------------------------------------------------- options

STRICT_HELP = ("Fail (exit 2) on reading warnings too: tracker edits that are not read back, "
               "given totals that disagree with their months.")

paper_option: Callable[[F], F] = click.option(
    "--paper", type=click.Choice(PAPERS, case_sensitive=False), default="A4", show_default=True,
    help="Paper of the PDF (B4, B5: JIS sizes); the workbook is A3 or A4.")
orientation_option: Callable[[F], F] = click.option(
    "--orientation", type=click.Choice(["landscape", "portrait"]), default="landscape", show_default=True)
font_option: Callable[[F], F] = click.option(
    "--font", type=click.Choice(["gothic", "mincho"]), default="gothic", show_default=True)
pdf_variant_option: Callable[[F], F] = click.option(
    "--pdf-variant", type=click.Choice(["pdf/a-3u", "pdf/a-2b", "pdf/ua-1"]), default=None,
    help="Archival PDF/A or tagged PDF/UA output.")
#: ``-j`` of one report: its 分野 laid out in N processes (``batch -j`` counts files instead).
part_jobs_option: Callable[[F], F] = click.option(
    "-j", "--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
    help="Render a large plan-status PDF on N CPUs (its 分野 as parts, all at once; same pages as with 1).")
templates_option: Callable[[F], F] = click.option(
    "--templates", "templates", default=None, type=click.Path(exists=True, file_okay=False),
    help="A folder of your own templates (report.html, style.css, images), searched before "
         "the built-ins; start one with `reportgen templates export DIR`.")
strict_option: Callable[[F], F] = click.option("--strict", is_flag=True, help=STRICT_HELP)
no_cache_option: Callable[[F], F] = click.option(
    "--no-cache", is_flag=True,
    help="Lay out every page again instead of reusing the unchanged 分野 from the user cache.")


# --------------------------------------------------------------------------- reading


def read_warned(name: str | Path, *, strict: bool = False) -> tuple[Report, LineOf | None]:
    """Load a report, printing its reading warnings (``warning: file: where: what``) on stderr.

    Warnings are edits of a tracker workbook that are not read back and given
    totals that disagree with their months; with ``strict`` they make the
    load fail (ReportError, exit 2) after being printed.  Returns the report
    and the line lookup of a YAML/JSON file (None for a workbook).  The file
    is read by :func:`reportgen.api.load_file`, as ``reportgen.load`` does.
    """
    from ..api import load_file
    from ..checks.totals import total_problems
    from ..core.errors import Problem, ReportError

    loaded = load_file(name)
    report, line_of = loaded.report, loaded.line_of
    warned = list(loaded.warnings) + total_problems(report, source=str(name), line_of=line_of)
    for problem in warned:
        echo(f"warning: {problem_text(problem)}", err=True)
    if strict and warned:
        raise ReportError([Problem(str(name), None, "", f"{len(warned)} warning(s) and --strict is given")])
    return report, line_of


def load_and_warn(source: Path, font: str, strict: bool = False) -> Report:
    """Load a report and warn (stderr) about reading problems, characters the bundled font lacks and
    values not printed."""
    from ..checks.collect import report_warnings

    report, line_of = read_warned(source, strict=strict)
    for warning in report_warnings(report, source=str(source), font=font, line_of=line_of):
        echo(f"warning: {problem_text(warning.problem)}", err=True)
    return report


# --------------------------------------------------------------------------- writing


def render_report(report: Report, target: Path, *, paper: str, font: str, pdf_variant: str | None,
                  jobs: int = 1, templates: str | None = None, cache: bool = False) -> None:
    """Write an already loaded ``report`` to ``target`` in the format its suffix names.

    ``batch`` and ``watch`` load a file once and write several formats from it.
    ``jobs`` > 1 renders a large PDF in that many processes (reportgen.pdf.parallel);
    ``cache`` lays out only the parts of a PDF that changed (reportgen.pdf.partcache).
    """
    kind = target.suffix.lower().lstrip(".")
    if kind == "xlsx":
        import warnings

        from ..core.reportwarnings import ReportWarning
        from ..xlsx.writer import render_xlsx

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ReportWarning)
            render_xlsx(report, target, paper="A3" if paper.upper() == "A3" else "A4")
        for warning in caught:
            if isinstance(warning.message, ReportWarning):
                echo(f"warning: {problem_text(warning.message.problem)}", err=True)
    elif kind == "html":
        from ..core.output import write_bytes_atomic
        from ..pdf.engine import render_html

        write_bytes_atomic(target, render_html(report, paper=paper, font=font, templates=templates).encode("utf-8"))
    else:
        from ..pdf.engine import render_pdf

        render_pdf(report, target, paper=paper, font=font, pdf_variant=pdf_variant, jobs=jobs, templates=templates,
                   cache=cache)


_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
_OBJSTM = re.compile(rb"<<((?:(?!>>\s*stream).)*?/Type\s*/ObjStm.*?)>>\s*stream\r?\n", re.DOTALL)


def count_pdf_pages(path: Path) -> int | None:
    """Pages of a PDF without a PDF library: count ``/Type /Page`` objects.

    ``batch`` tables them and ``watch`` prints them after every render.
    WeasyPrint (pydyf) puts objects into compressed object streams, so those
    streams are inflated and searched too.  Returns None if nothing is found.
    """
    try:
        data = path.read_bytes()
    except OSError:
        return None
    pages = len(_PAGE.findall(data))
    for match in _OBJSTM.finditer(data):
        if b"/FlateDecode" not in match.group(1):
            continue
        try:
            inflated = zlib.decompressobj().decompress(data[match.end():])
        except zlib.error:
            continue
        pages += len(_PAGE.findall(inflated))
    return pages or None
