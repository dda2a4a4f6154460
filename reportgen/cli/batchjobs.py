"""The work of ``reportgen batch``: which files, where their outputs go, and the tasks that write them.

Each file is one task.  A task loads the file once and writes every
requested format; tasks run in ``--jobs`` worker processes
(:class:`concurrent.futures.ProcessPoolExecutor`), or in this process with
``--jobs 1``.  A task never raises: problems come back as data (the
``file:line: field: what`` lines of invalid input, one line for other
failures, warnings the loader printed), so no worker ever prints a traceback
and one bad file never stops the others.  The command, its progress line and
its table are in :mod:`.batch`.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import time
import warnings
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..api import REPORT_SUFFIXES
from .common import count_pdf_pages, load_and_warn, render_report

if TYPE_CHECKING:  # pragma: no cover
    from ..model.report import Report

__all__ = [
    "INPUT_SUFFIXES",
    "FileResult",
    "Job",
    "Row",
    "find_inputs",
    "plan_jobs",
    "render_job",
    "render_to",
    "run_jobs",
]

#: The files a batch reads: those ``reportgen.load`` reads.
INPUT_SUFFIXES = REPORT_SUFFIXES


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


def render_to(report: Report, target: Path, *, paper: str, font: str, pdf_variant: str | None,
              cache: bool = False) -> None:
    """Write one output of a task (the step tests replace to make one output fail)."""
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
            report = load_and_warn(job.source, font)
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
        from ..pdf.workerpool import stop_pool

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
