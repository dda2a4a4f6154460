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

How: each file is one task.  A task loads the file once and writes every
requested format; tasks run in ``--jobs`` worker processes
(:class:`concurrent.futures.ProcessPoolExecutor`), or in this process with
``--jobs 1``.  A task never raises: problems come back as data (the
``file:line: field: what`` lines of invalid input, one line for other
failures, warnings the loader printed), so no worker ever prints a traceback
and one bad file never stops the others.

Exit status: 0 every file written; 1 some file failed, invalid or otherwise
(the other files are still written; the table's status column and the
``file:line: field: what`` lines say which and why); 2 the command line itself
is wrong (unknown format, no report files), as for every verb.  A batch is
judged as a whole: a script only needs to know whether all went through.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import signal
import sys
import time
import warnings
import zlib
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import click

__all__ = [
    "INPUT_SUFFIXES",
    "FileResult",
    "Job",
    "Progress",
    "Row",
    "batch_command",
    "count_pdf_pages",
    "exit_status",
    "find_inputs",
    "plan_jobs",
    "render_job",
    "result_table",
    "run_jobs",
]

INPUT_SUFFIXES = (".yaml", ".yml", ".json", ".xlsx")


@dataclass(frozen=True)
class Job:
    """One input file and the outputs to write from it."""

    source: Path
    name: str  # as shown to the user: the path relative to DIR
    targets: tuple[Path, ...]


@dataclass
class Row:
    """One line of the final table: one output of one input."""

    name: str
    format: str
    target: str
    status: str  # ok | invalid | failed | skipped
    pages: int | None = None
    seconds: float = 0.0


@dataclass
class FileResult:
    """What a task reports back; built in the worker, so plain picklable data."""

    name: str
    rows: list[Row] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # invalid input: file:line: field: what
    errors: list[str] = field(default_factory=list)  # other failures, one line each
    warnings: list[str] = field(default_factory=list)

    @property
    def invalid(self) -> bool:
        return any(r.status == "invalid" for r in self.rows)

    @property
    def failed(self) -> bool:
        return any(r.status in ("failed", "skipped") for r in self.rows)

    @property
    def pages(self) -> int:
        return sum(r.pages or 0 for r in self.rows)


# --------------------------------------------------------------------------- planning


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


def find_inputs(directory: Path, *, exclude: Iterable[Path] = ()) -> list[Path]:
    """Report files in ``directory`` and its subfolders, sorted; see the module doc."""
    root = directory.resolve()
    skip = [p.resolve() for p in exclude if p.resolve() != root]
    found: list[Path] = []
    for here, dirs, files in os.walk(root):
        here_path = Path(here)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                         and not any(_inside(here_path / d, s) for s in skip))
        for name in sorted(files):
            if name.startswith((".", "~$")) or Path(name).suffix.lower() not in INPUT_SUFFIXES:
                continue
            found.append(here_path / name)
    return sorted(found, key=lambda p: p.relative_to(root).parts)


def plan_jobs(directory: Path, out: Path, formats: tuple[str, ...]) -> tuple[list[Job], list[FileResult]]:
    """Jobs for every input, and results for targets refused before any work.

    A refused target (it is an input, or another input already writes it) is
    dropped from its job and reported as a ``skipped`` row.
    """
    root = directory.resolve()
    inputs = find_inputs(root, exclude=[out])
    sources = set(inputs)
    claimed: dict[Path, str] = {}
    jobs: list[Job] = []
    refused: list[FileResult] = []
    for found in inputs:
        rel = found.relative_to(root)
        name = rel.as_posix()
        source = directory / rel  # messages name files as the user spelled DIR
        targets = []
        skipped = FileResult(name)
        for fmt in formats:
            target = out / rel.parent / f"{found.stem}.{fmt}"
            resolved = target.resolve()
            reason = None
            if resolved in sources:
                reason = f"{target}: refusing to overwrite an input file"
            elif resolved in claimed:
                reason = f"{target}: also the output of {claimed[resolved]}; rename one of the two inputs"
            if reason:
                skipped.rows.append(Row(name, fmt, str(target), "skipped"))
                skipped.errors.append(reason)
                continue
            claimed[resolved] = name
            targets.append(target)
        if targets:
            jobs.append(Job(source, name, tuple(targets)))
        if skipped.rows:
            refused.append(skipped)
    return jobs, refused


# --------------------------------------------------------------------------- one task

_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
_OBJSTM = re.compile(rb"<<((?:(?!>>\s*stream).)*?/Type\s*/ObjStm.*?)>>\s*stream\r?\n", re.DOTALL)


def count_pdf_pages(path: Path) -> int | None:
    """Pages of a PDF without a PDF library: count ``/Type /Page`` objects.

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


def _load(source: Path, font: str):
    from .main import load_and_warn

    return load_and_warn(source, font)


def render_to(report, target: Path, *, paper: str, font: str, pdf_variant: str | None, cache: bool = False) -> None:
    from .main import render_report

    render_report(report, target, paper=paper, font=font, pdf_variant=pdf_variant, cache=cache)


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def _record_failure(result: FileResult, exc: Exception, where: object) -> str:
    """Record why a file failed as data (problem lines or one error line); return the status."""
    from ..core.errors import ReportError
    from ..core.i18n import problem_text

    if isinstance(exc, ReportError):
        result.problems.extend(problem_text(p) for p in exc.problems)
        return "invalid"
    result.errors.append(f"{where}: {type(exc).__name__}: {exc}")
    return "failed"


def render_job(job: Job, paper: str = "A4", font: str = "gothic", pdf_variant: str | None = None,
               cache: bool = False) -> FileResult:
    """Load one file and write its outputs; never raises (runs in a worker process).

    Anything the loader or a renderer prints (glyph warnings on stderr) and
    Python warnings are collected into ``warnings`` so the parent prints them
    between progress lines.
    """
    result = FileResult(job.name)
    captured = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stderr(captured), contextlib.redirect_stdout(captured), \
            warnings.catch_warnings(record=True) as caught:
        try:
            report = _load(job.source, font)
        except Exception as exc:  # noqa: BLE001 - reported as data, never a traceback
            seconds = time.perf_counter() - start
            status = _record_failure(result, exc, job.source)
            result.rows = [Row(job.name, t.suffix.lstrip("."), str(t), status, None, seconds) for t in job.targets]
        else:
            loaded = time.perf_counter() - start
            for target in job.targets:
                fmt = target.suffix.lstrip(".")
                began = time.perf_counter()
                try:
                    render_to(report, target, paper=paper, font=font, pdf_variant=pdf_variant, cache=cache)
                except Exception as exc:  # noqa: BLE001 - reported as data, never a traceback
                    status = _record_failure(result, exc, target)
                    result.rows.append(Row(job.name, fmt, str(target), status, None,
                                           loaded + time.perf_counter() - began))
                    continue
                pages = count_pdf_pages(target) if fmt == "pdf" else None
                result.rows.append(Row(job.name, fmt, str(target), "ok", pages,
                                       loaded + time.perf_counter() - began))
    result.warnings.extend(_lines(captured.getvalue()))
    result.warnings.extend(f"{job.source}: warning: {w.category.__name__}: {w.message}" for w in caught)
    return result


class _Stop(BaseException):
    """Raised in a worker by SIGTERM while it renders, to unwind (and remove temp files)."""


_busy = False


def _on_sigterm(_signum: int, _frame: object) -> None:
    if _busy:
        raise _Stop
    os._exit(1)  # idle: nothing to clean up, and no traceback from the pool's loop


def _init_worker() -> None:
    # Ctrl-C goes to the whole process group; the parent alone handles it and
    # stops the workers with SIGTERM, so a worker never prints a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_sigterm)


def _work(job: Job, paper: str, font: str, pdf_variant: str | None, cache: bool = False) -> FileResult:
    """:func:`render_job` as run in a worker process."""
    global _busy
    _busy = True
    try:
        return render_job(job, paper, font, pdf_variant, cache)
    except _Stop:
        # Unwinding has removed the half-written temporary file (output.atomic_target).
        os._exit(1)
    finally:
        _busy = False


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and stop the workers now (Ctrl-C)."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not break the clean-up
    try:
        from ..pdf.parallel import stop_pool

        stop_pool(pool)
    finally:
        signal.signal(signal.SIGINT, previous)


# --------------------------------------------------------------------------- running


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # reported by the task itself


def run_jobs(jobs: list[Job], *, workers: int, on_result: Callable[[FileResult], None],
             paper: str = "A4", font: str = "gothic", pdf_variant: str | None = None,
             cache: bool = False) -> list[FileResult]:
    """Run every job (in-process when ``workers`` is 1); results in job order.
    ``cache``: PDFs through the part cache (reportgen.pdf.partcache)."""
    results: dict[int, FileResult] = {}
    if workers <= 1 or len(jobs) <= 1:
        for i, job in enumerate(jobs):
            results[i] = render_job(job, paper, font, pdf_variant, cache)
            on_result(results[i])
        return [results[i] for i in range(len(jobs))]
    pool = ProcessPoolExecutor(max_workers=min(workers, len(jobs)), initializer=_init_worker)
    try:
        # Largest files first: the last files to finish are then the small ones, so
        # no worker is left alone with a big report at the end (the results are
        # still returned, and tabled, in input order).
        order = sorted(range(len(jobs)), key=lambda i: -_size(jobs[i].source))
        futures: dict[Future[FileResult], int] = {
            pool.submit(_work, jobs[i], paper, font, pdf_variant, cache): i for i in order
        }
        for future in as_completed(futures):
            i = futures[future]
            try:
                results[i] = future.result()
            except Exception as exc:  # noqa: BLE001 - a worker died (killed, out of memory)
                job = jobs[i]
                res = FileResult(job.name)
                res.errors.append(f"{job.source}: worker process failed ({type(exc).__name__}: {exc})")
                res.rows = [Row(job.name, t.suffix.lstrip("."), str(t), "failed") for t in job.targets]
                results[i] = res
            on_result(results[i])
    except KeyboardInterrupt:
        _stop_pool(pool)
        raise
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return [results[i] for i in range(len(jobs))]


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
    from .main import EXIT_FAILURE

    if any(r.invalid or r.failed for r in results):
        return EXIT_FAILURE
    return 0


# --------------------------------------------------------------------------- command


def _formats(text: str | None) -> tuple[str, ...]:
    from .main import FORMATS

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
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: the number of CPUs; 1 renders in this process).")
@click.option("--format", "formats", default=None,
              help="Comma-separated formats: pdf,xlsx,html (default pdf).")
@click.option("--paper", type=click.Choice(["A4", "A3"], case_sensitive=False), default="A4", show_default=True)
@click.option("--font", type=click.Choice(["gothic", "mincho"]), default="gothic", show_default=True)
@click.option("--pdf-variant", type=click.Choice(["pdf/a-3u", "pdf/a-2b", "pdf/ua-1"]), default=None,
              help="Archival PDF/A or tagged PDF/UA output.")
@click.option("--no-cache", is_flag=True,
              help="Lay out every page again instead of reusing unchanged 分野 from the user cache.")
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
