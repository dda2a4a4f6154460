"""Laying out the part cache's ranges in worker processes (issue #16, with :mod:`reportgen.partsync`).

A render into an empty cache lays out every 分野 whole (one range each); as
:func:`reportgen.pdf.parallel.render_parts` does for its parts, these run in
forked worker processes, pinned to ``jobs`` CPUs (all at once) or one after
the other with one job: a worker that exits frees a 分野's laid-out pages at
once, where this process would spend seconds collecting them, and holds only
its own pages. A re-render after an edit lays out a few items: in this process,
where a worker would cost more than it saves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .partsync import Range, RangeResult, lay_range

__all__ = ["WORKER_ENTRIES", "range_layer"]

#: A round of ranges holding at least this many entries goes to worker processes.
WORKER_ENTRIES = 150

#: The whole report's view model, inherited by forked workers (set just before they start).
_VIEW: Any = None


def _lay_inherited(r: Range) -> RangeResult:
    import gc

    gc.disable()  # the worker exits after its range: no collection (see reportgen.pdf.partrender.render_part)
    return lay_range(_VIEW, r, len(_VIEW.sections[r.section].items))


def _entries(view, r: Range) -> int:  # type: ignore[no-untyped-def]
    return sum(len(item.rows) for item in view.sections[r.section].items[r.start:r.stop])


def range_layer(view, jobs: int) -> Callable[[list[Range]], list[RangeResult]]:  # type: ignore[no-untyped-def]
    """A function laying out a round of ranges: in forked workers when they are large, else here."""
    from .workerpool import start_context
    from .partsync import lay_here

    def lay(ranges: list[Range]) -> list[RangeResult]:
        context = start_context()
        if context.get_start_method() != "fork" or sum(_entries(view, r) for r in ranges) < WORKER_ENTRIES:
            return lay_here(view, ranges)
        return _lay_forked(view, ranges, jobs, context)

    return lay


def _lay_forked(view, ranges: list[Range], jobs: int, context: Any) -> list[RangeResult]:  # type: ignore[no-untyped-def]
    import gc

    from .workerpool import job_cpus
    from .engine import environment
    from ..core.scratch import worker_folder

    global _VIEW
    cpus = job_cpus(jobs) if jobs > 1 else None
    order = sorted(range(len(ranges)), key=lambda i: -_entries(view, ranges[i]))
    at_once = len(order) if jobs > 1 else 1
    results: dict[int, RangeResult] = {}
    environment().get_template(view.template)  # compiled once, inherited
    _VIEW = view
    gc.freeze()  # shared with the workers: no collection here or there copies it
    try:
        for first in range(0, len(order), at_once):
            batch = order[first:first + at_once]
            with worker_folder() as scratch:
                results.update(_run(batch, ranges, context, cpus, scratch))
    finally:
        _VIEW = None
        gc.unfreeze()
    return [results[i] for i in range(len(ranges))]


def _run(batch: list[int], ranges: list[Range], context: Any, cpus: Any, scratch: str) -> dict[int, RangeResult]:
    from .workerpool import run_pool

    return run_pool({i: (_lay_inherited, (ranges[i],)) for i in batch}, context, cpus, scratch)
