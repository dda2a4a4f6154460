"""The ``reportgen`` command line.

Exit codes are part of the interface scripts rely on: 0 success, 2 invalid
input (one ``file:line: field: what`` line per problem on stderr), 1 any other
failure.  No traceback ever reaches the user.
"""

from __future__ import annotations

import sys
from typing import Callable, TypeVar

import click

from . import __version__
from .errors import RenderError, ReportError

EXIT_INVALID = 2
EXIT_FAILURE = 1

F = TypeVar("F", bound=Callable[..., object])


def _fail(message: str, code: int) -> None:
    click.echo(message, err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
def validate(files: tuple[str, ...]) -> None:
    """Check FILES against the input format; print every problem, one per line.

    \b
    Exit status: 0 all valid, 2 a file is invalid, 1 another failure.
    Example:
      reportgen validate examples/*.yaml
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
    if invalid:
        sys.exit(EXIT_INVALID)


def run() -> None:
    """Entry point wrapper that turns unexpected errors into exit 1 without a traceback."""
    try:
        main(standalone_mode=True)
    except RenderError as exc:
        _fail(f"error: {exc}", EXIT_FAILURE)
