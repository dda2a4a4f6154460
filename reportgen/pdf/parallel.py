"""Parallel rendering of one large report (issue #6): parts in worker processes, one PDF.

WeasyPrint lays a document out on one core, page after page. A plan-status
report is split where the single-process layout has a forced page break —
every 分野 after the first starts on a new page (templates/base.css, as in
seed 000) — so each part lays out exactly as its pages do in the whole
document:

* **parts**: runs of consecutive 分野 (:func:`reportgen.pdf.partplan.plan_parts`); the first part
  also carries the title block and the preface. Every part renders only its
  sections of the whole report's view model (anchors, numbering and widths
  are those of the whole report), with the other front matter hidden by an
  extra stylesheet and *no* page-number margin box. Forked workers inherit
  the view model and the compiled templates from this process; spawned ones
  rebuild them from ``Report.to_dict()``.
* **scheduling**: all parts start at once, pinned to ``jobs`` CPUs
  (:func:`reportgen.pdf.workerpool.job_cpus`), and the kernel shares the CPUs among them. So there may
  be more parts than jobs: three equal 分野 on two CPUs as three parts take
  half the single-process time, as two parts ⅔ of it.
* **page numbers**: page numbers in a margin box never change the body
  layout, so "n / N" is stamped afterwards (:mod:`reportgen.pdf.pagenumbers`:
  one WeasyPrint-laid-out sample of the margin box gives font, baseline and
  glyphs; N pages of stamps follow from it in milliseconds), and each stamp
  page is laid over the joined page as a form XObject (pikepdf) — same font,
  same place as the single-process margin box.
* **appendices** (KPI list, mark counts) start on a page of their own; they
  are rendered last, in this process, once the parts have reported the page
  of every item anchor. 掲載ページ ("P12") is passed explicitly as one CSS rule
  per anchor (``a.pageref[href="#item-1-2"]::after { content: "P12" }``)
  instead of ``target-counter()``, and the links to the items are added back
  as PDF link annotations to the named destinations the parts define.
* **outline**: each part's outline (one 分野 with its items) is appended in
  order, which is the single-process outline.

* **one job, very large report** (:data:`SPLIT_ENTRIES`): the same parts, one
  per 分野, rendered one after the other, each in a worker process of its own
  (in this process where ``fork`` is missing). WeasyPrint keeps every
  laid-out page until the PDF is written; a part holds only its own (1,000
  entries: 850 → 360 MB peak), at the price of the join.
* **join**: pikepdf (a runtime dependency; no qpdf executable, no pypdf)
  concatenates the parts (outlines and named destinations included), stamps
  the numbers and packs the objects into object streams as WeasyPrint does;
  :func:`reportgen.pdf.fontpack.compact_fonts` then merges the per-part copies of
  each font into one program and one font dictionary per face.

* **part cache** (``render_pdf_parallel(cache=True)``, :mod:`reportgen.pdf.partcache`):
  the 分野 are cut into pieces at their synchronisation points
  (:mod:`reportgen.partsync`: items that begin a page with nothing carried
  over); a piece, the appendix, the page number stamps and the joined PDF are
  looked up by a digest of their input before anything is laid out, and only
  the missing pieces are laid out (:mod:`reportgen.partworkers`) and stored.

Only plan-status-style main tables with at least two 分野 and no PDF/A or
PDF/UA variant (a tagged structure tree cannot be joined) are split;
:func:`reportgen.pdf.partplan.parallel_reason` says why another report renders as one document.
Text, page count, page numbers, 掲載ページ and outline equal the
single-process result (tests/test_parallel.py). What differs: each page's
number is a small form XObject (about 0.4 KB a page).

Limit: a part is a run of whole 分野, so the speed-up is bounded by the
largest one (seed 000's 16, 27 and 2 pages: at most 1.67× on any number of
CPUs). A 分野 cannot be cut elsewhere without changing where the
single-process layout breaks pages (a part started at an item boundary
re-joins the single-process page breaks only by chance: tried, see the
issue #6 note).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import time
from typing import IO, Any

from ..model.report import Report
from .partjoin import join_cached
from .partplan import Part, PartResult, plan_parts
from .partrender import render_appendix, render_part, render_view_part, page_numbers, set_inherited, whole_view
from .workerpool import job_cpus, run_pool, start_context

__all__ = [
    "render_parts",
    "render_pdf_parallel",
]


def render_parts(report: Report, jobs: int, paper: str = "A4", font: str = "gothic",
                 run: Any = None):  # type: ignore[no-untyped-def]
    """Render every part; returns (results in part order, the whole report's view).

    With ``jobs`` > 1 all parts run at once in worker processes (pinned to
    ``jobs`` CPUs, see :func:`reportgen.pdf.partplan.plan_parts`). With one job the parts — one per
    分野, to bound memory — run one after the other, each in a worker process
    of its own where ``fork`` is available: its laid-out pages are garbage the
    moment it has written its PDF, and a process that exits frees them at
    once, where this process would spend ~0.7 s of garbage collection per
    part of 60 pages (1,000 entries: 2 s of 38). Without fork they run here.

    ``run`` (a :class:`reportgen.pdf.partcache.CacheRun`): the part cache is used.
    The results are then pieces of the 分野 (:mod:`reportgen.partsync`): those
    found in the cache are not laid out, the others are (in worker processes
    when large, :mod:`reportgen.partworkers`) and stored.
    """
    if run is not None:
        from .partsync import render_sections_cached
        from .partworkers import range_layer

        view = whole_view(report, paper, font)
        from .partblocks import join_blocks

        pieces = render_sections_cached(view, paper, font, run, range_layer(view, jobs))
        return join_blocks(pieces, run), view
    data = report.to_dict()
    context = start_context()
    forked = context.get_start_method() == "fork"
    parts = plan_parts(report, len(report.sections) if jobs <= 1 else jobs, data)
    view = whole_view(report, paper, font)  # the appendices need it too
    done: dict[int, PartResult] = {}
    htmls: dict[int, str] = {}
    todo = parts
    if todo and jobs <= 1 and not forked:
        for number, part in enumerate(todo):
            if number:
                gc.collect()  # the previous part's boxes (cycles) go before the next is laid out
            done[part.index] = render_view_part(view, part, time.perf_counter(), htmls.get(part.index))
    elif todo:
        if jobs <= 1:
            rounds, cpus = [[p] for p in todo], None
        else:
            cpus = job_cpus(jobs)
            order = sorted(todo, key=lambda p: -p.weight)
            # every part at once where they can share ``jobs`` CPUs; else ``jobs`` at a time, longest first
            at_once = len(order) if cpus is not None or jobs >= (os.cpu_count() or 1) else jobs
            rounds = [order[i:i + at_once] for i in range(0, len(order), at_once)]
        if forked:
            from .engine import environment

            environment().get_template(view.template)  # compiled once, inherited
            set_inherited(view, htmls)
            # Everything alive now is shared with the workers: out of the
            # collector's reach until they are done, so that no collection here or
            # there touches (copies) it. Measured: parts 9.8-11.2 s -> 8.6 s (400 entries).
            gc.freeze()
        try:
            for batch in rounds:
                done.update(_run_round(batch, context, cpus, None if forked else data, paper, font))
        finally:
            set_inherited(None, {})
            if forked:
                gc.unfreeze()
    return [done[p.index] for p in parts], view


def _run_round(batch: list[Part], context: multiprocessing.context.BaseContext, cpus: frozenset[int] | None,
               data: dict[str, Any] | None, paper: str, font: str) -> dict[int, PartResult]:
    """Run ``batch`` at once in fresh worker processes (one each); results by part index."""
    from ..core.scratch import worker_folder

    with worker_folder() as scratch:  # removed after the workers, whether they finished, failed or were killed
        return run_pool({p.index: (render_part, (data, p, paper, font)) for p in batch}, context, cpus, scratch)


def render_pdf_parallel(
    report: Report,
    target: str | os.PathLike[str] | IO[bytes],
    *,
    jobs: int = 2,
    paper: str = "A4",
    font: str = "gothic",
    cache: bool = False,
) -> dict[str, Any]:
    """Write ``report`` as one PDF rendered in ``jobs`` processes (see the module doc).

    Call :func:`reportgen.pdf.partplan.parallel_reason` first: this function assumes a report that can
    be split. Returns timings and page counts (for the benchmark). ``cache``:
    parts and appendix through :mod:`reportgen.pdf.partcache` (one part per 分野);
    what it did is under "cache".
    """
    from ..core.errors import RenderError
    from ..layouts.view import FONTS, PAPERS
    from ..core.output import write_bytes_atomic

    paper = str(paper).upper()
    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {', '.join(PAPERS)}, not {paper!r}")
    if font not in FONTS:
        raise ValueError(f"font must be one of {', '.join(FONTS)}, not {font!r}")
    t0 = time.perf_counter()
    run = None
    if cache:
        from . import partcache

        run = partcache.CacheRun(environment=partcache.environment_digest())
    results, view = render_parts(report, jobs, paper, font, run)
    t_parts = time.perf_counter() - t0
    pages: dict[str, int] = {}
    offset = 0
    for r in results:
        for name, page in r.anchors.items():
            pages.setdefault(name, offset + page + 1)
        offset += r.pages
    appendix = render_appendix(view, pages, run)
    total = offset + (appendix.pages if appendix else 0)
    numbers = page_numbers(total, paper, font, run)
    pdf = join_cached(results, appendix, numbers, run)
    try:
        write_bytes_atomic(target, pdf)
    except OSError as exc:
        raise RenderError(f"{os.fspath(target)}: cannot write the PDF ({exc})") from exc  # type: ignore[arg-type]
    if run is not None:
        from . import partcache

        partcache.prune(keep=set(run.keys))
    return {"pages": total, "parts": [r.pages for r in results], "part_seconds": [r.seconds for r in results],
            "parts_wall": t_parts, "total": time.perf_counter() - t0, "cache": run}
