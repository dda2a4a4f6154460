"""Worker processes of a parallel render: start method, CPU pinning, one pool runner.

Used for the parts (:mod:`reportgen.pdf.parallel`) and for the part cache's
ranges (:mod:`reportgen.pdf.partworkers`). Moved out of
:mod:`reportgen.pdf.parallel` (#14: one job per module).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any


def start_context() -> multiprocessing.context.BaseContext:
    """fork (fast: the workers inherit imports, templates and loaded fonts) unless
    other threads run here, whose locks a forked child could inherit held."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def init_worker(cpus: frozenset[int] | None = None, scratch: str | None = None) -> None:
    # Ctrl-C reaches the whole process group: only the parent handles it (and
    # stops the workers), so no worker prints a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # terminate() stops a worker at once
    if scratch is not None:  # WeasyPrint's font folder goes where the parent removes it (reportgen.core.scratch)
        from ..core.scratch import use_folder

        use_folder(scratch)
    if cpus:
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, cpus)


def job_cpus(jobs: int) -> frozenset[int] | None:
    """The CPUs ``jobs`` means: the first ``jobs`` of those this process may use.

    All parts of a report run at once (see :func:`reportgen.pdf.partplan.plan_parts`); pinning them to
    ``jobs`` CPUs keeps ``--jobs`` a promise about the machine ("use two
    cores") however many parts there are, and lets the kernel balance them.
    None where affinity is not supported (macOS, Windows) or not needed.
    """
    getaffinity = getattr(os, "sched_getaffinity", None)
    if getaffinity is None:
        return None
    try:
        allowed = sorted(getaffinity(0))
    except OSError:
        return None
    if jobs >= len(allowed):
        return None
    return frozenset(allowed[:jobs])


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and terminate the workers (no signal handlers
    touched: this may run outside the main thread).  The processes are taken
    first because shutdown() forgets them (Python 3.14 has a public
    terminate_workers(); 3.11 needs the private mapping)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    pool.shutdown(wait=True)


def run_pool(calls: dict[int, tuple[Any, tuple[Any, ...]]], context: multiprocessing.context.BaseContext,
             cpus: frozenset[int] | None, scratch: str) -> dict[int, Any]:
    """Run ``calls`` (key → (function, arguments)) in one worker process each and
    return key → result; a failed or interrupted worker stops the others (parts
    here, ranges of the part cache in :mod:`reportgen.pdf.partworkers`)."""
    from ..core.errors import RenderError

    pool = ProcessPoolExecutor(max_workers=len(calls), mp_context=context, initializer=init_worker,
                               initargs=(cpus, scratch))
    try:
        futures = {key: pool.submit(function, *args) for key, (function, args) in calls.items()}
        results = {key: future.result() for key, future in futures.items()}
    except BrokenProcessPool as exc:
        pool.shutdown(wait=False, cancel_futures=True)
        raise RenderError(f"a rendering process failed ({exc})") from exc
    except BaseException:
        stop_pool(pool)  # Ctrl-C or an error in one part: stop the others now
        raise
    pool.shutdown(wait=True)
    return results
