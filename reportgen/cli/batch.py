"""``reportgen batch``: render every report file of a folder, in parallel.

Which files: every ``.yaml``/``.yml``/``.json``/``.xlsx`` file in DIR *and its
subfolders* (a branch keeps one folder per fiscal year or per office), in
sorted order.  Hidden files and folders (``.name``), Excel lock files
(``~$name.xlsx``) and the output folder itself (when it lies inside DIR, so a
second run does not read last run's workbooks as input) are skipped.

Where outputs go: ``OUT/<relative folder>/<stem>.<fmt>`` — a top-level
``DIR/plan.yaml`` becomes ``OUT/plan.pdf``, ``DIR/r5/plan.yaml`` becomes
``OUT/r5/plan.pdf`` (mirroring subfolders keeps same-named files in different
folders apart).  A target that is one of the inputs is refused, as ``render``
does, and so is a second input that would write the same target as a first
(``plan.yaml`` and ``plan.json`` side by side).

How: each file is one task, loaded once and written in every format, in
``--jobs`` worker processes; a task never raises, its problems come back as
data (:mod:`.batchjobs`).  This module is the command: its options, the
progress line and the final table.

Exit status: 0 every file written; 1 some file failed, invalid or otherwise
(the other files are still written; the table's status column and the
``file:line: field: what`` lines say which and why); 2 the command line itself
is wrong (unknown format, no report files), as for every verb.  A batch is
judged as a whole: a script only needs to know whether all went through.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

import click

from .batchjobs import FileResult, plan_jobs, run_jobs
from .common import EXIT_FAILURE, FORMATS, font_option, no_cache_option, paper_option, pdf_variant_option

__all__ = [
    "Progress",
    "batch_command",
    "exit_status",
    "result_table",
]


class Progress:
    """The progress line on stderr: rewritten in place on a terminal, plain lines otherwise."""

    def __init__(self, total: int, stream: IO[str], *, tty: bool | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.total = total
        self.stream = stream
        self.tty = stream.isatty() if tty is None else tty
        self.clock = clock
        self.start = clock()
        self.done = 0
        self.pages = 0
        self.failures = 0
        self._drawn = False

    def line(self, last: str = "") -> str:
        from ..core.terminal import for_terminal

        last = for_terminal(last)  # a file name: shown, never obeyed
        elapsed = self.clock() - self.start
        text = (f"{self.done}/{self.total} files, {self.pages} pages, {elapsed:.1f} s, "
                f"{self.failures} failed")
        return text + (f"  {last}" if last else "")

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

    def _fit(self, line: str) -> str:
        """The line cut to the terminal's width: a wrapped line cannot be redrawn with \\r."""
        from .summary import truncate

        return truncate(line, max(shutil.get_terminal_size((80, 24)).columns - 1, 20))

    def start_line(self) -> None:
        if self.tty:
            self._write("\r" + self._fit(self.line()) + "\x1b[K")
            self._drawn = True

    def message(self, lines: Iterable[str], *, redraw: bool = True) -> None:
        """Print lines above the progress line (clearing it first on a terminal)."""
        lines = list(lines)
        if not lines:
            return
        if self.tty and self._drawn:
            self._write("\r\x1b[K")
        from ..core.terminal import for_terminal

        self._write("".join(for_terminal(line) + "\n" for line in lines))
        if redraw and self.tty and self._drawn:
            self._write(self._fit(self.line()))

    def update(self, result: FileResult) -> None:
        self.done += 1
        self.pages += result.pages
        self.failures += 1 if (result.invalid or result.failed) else 0
        self.message(result.warnings + result.problems + result.errors, redraw=False)
        if self.tty:
            self._write("\r" + self._fit(self.line(result.name)) + "\x1b[K")
            self._drawn = True
        else:
            self._write(self.line(result.name) + "\n")

    def finish(self) -> None:
        if self.tty and self._drawn:
            self._write("\r" + self._fit(self.line()) + "\x1b[K\n")


def result_table(results: Iterable[FileResult]) -> str:
    """The final table: file, format, pages, seconds, status."""
    from .summary import format_table

    rows = []
    for result in results:
        for row in result.rows:
            from ..core.terminal import for_terminal

            rows.append([for_terminal(row.name), row.format, "-" if row.pages is None else str(row.pages),
                         f"{row.seconds:.2f}", row.status])
    return format_table(["file", "format", "pages", "seconds", "status"], rows, align="<<>><")


def exit_status(results: Iterable[FileResult]) -> int:
    """1 if any file failed (invalid input or anything else), else 0.

    Unlike ``render`` of one file, a batch does not tell invalid input (2)
    from other failures: the status column of the table does, per file, and
    2 stays the code of a wrong command line.
    """
    if any(r.invalid or r.failed for r in results):
        return EXIT_FAILURE
    return 0


# --------------------------------------------------------------------------- command


def _formats(text: str | None) -> tuple[str, ...]:
    if not text:
        return ("pdf",)
    wanted = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    bad = [f for f in wanted if f not in FORMATS]
    if bad or not wanted:
        named = ", ".join(bad) if bad else repr(text)
        raise click.UsageError(f"unknown format {named}; choose from {', '.join(FORMATS)}")
    return wanted


@click.command("batch")
@click.argument("directory", metavar="DIR", type=click.Path(exists=True, file_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False),
              help="Output folder; created if missing. Subfolders of DIR are mirrored.")
# -j counts files here (one process each), not the parts of one PDF as ``render -j`` does
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: the number of CPUs; 1 renders in this process).")
@click.option("--format", "formats", default=None,
              help="Comma-separated formats: pdf,xlsx,html (default pdf).")
@paper_option
@font_option
@pdf_variant_option
@no_cache_option
def batch_command(directory: str, output: str, jobs: int | None, formats: str | None, paper: str, font: str,
                  pdf_variant: str | None, no_cache: bool = False) -> None:
    """Render every report file in DIR and its subfolders, in parallel.

    Reads .yaml .yml .json .xlsx files (hidden files, Excel lock files and the
    output folder are skipped) and writes OUT/<subfolder>/<name>.<format>.
    A progress line on stderr shows files done, pages so far, elapsed time and
    failures; a table of every output follows on stdout.  An invalid file is
    reported (file:line: field: what) and skipped; the others are still
    written.  Inputs are never overwritten.

    \b
    Exit status: 0 all written, 1 any file failed (the others are still written), 2 a wrong command line.
    Examples:
      reportgen batch examples/ -o out/
      reportgen batch data/ -o out/ --format pdf,xlsx --jobs 4
      reportgen batch data/ -o out/ --format xlsx --paper A3 --jobs 1
    """
    wanted = _formats(formats)
    root, out = Path(directory), Path(output)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise click.UsageError(f"-o {output}: cannot create the folder ({exc.strerror})") from None
    job_list, refused = plan_jobs(root, out, wanted)
    if not job_list and not refused:
        raise click.UsageError(f"no report files (.yaml .yml .json .xlsx) in {directory}")
    for job in job_list:
        for target in job.targets:
            target.parent.mkdir(parents=True, exist_ok=True)
    workers = jobs or os.cpu_count() or 1
    progress = Progress(len(job_list), sys.stderr)
    for skipped in refused:
        progress.message(skipped.errors)
    progress.start_line()
    try:
        results = run_jobs(job_list, workers=workers, on_result=progress.update,
                           paper=paper.upper(), font=font, pdf_variant=pdf_variant, cache=not no_cache)
    except KeyboardInterrupt:
        progress.finish()
        from ..core.i18n import translate

        click.echo(translate("interrupted: the outputs written are complete; no half-written file is left"), err=True)
        sys.exit(130)
    progress.finish()
    merged: dict[str, FileResult] = {r.name: r for r in results}
    for skipped in refused:  # refused targets join their file's rows
        if skipped.name in merged:
            merged[skipped.name].rows.extend(skipped.rows)
        else:
            merged[skipped.name] = skipped
    # Names are paths relative to DIR; sorting by their parts is the input order.
    everything = sorted(merged.values(), key=lambda r: tuple(r.name.split("/")))
    from ..core.terminal import echo

    echo(result_table(everything))  # file names and messages: shown, never obeyed
    status = exit_status(everything)
    if status:
        sys.exit(status)
