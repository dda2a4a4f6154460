"""Parallel rendering of one large report (issue #6): parts in worker processes, one PDF.

WeasyPrint lays a document out on one core, page after page. A plan-status
report is split where the single-process layout has a forced page break —
every 分野 after the first starts on a new page (templates/base.css, as in
seed 000) — so each part lays out exactly as its pages do in the whole
document:

* **parts**: runs of consecutive 分野 (:func:`plan_parts`); the first part
  also carries the title block and the preface. Every part renders only its
  sections of the whole report's view model (anchors, numbering and widths
  are those of the whole report), with the other front matter hidden by an
  extra stylesheet and *no* page-number margin box. Forked workers inherit
  the view model and the compiled templates from this process; spawned ones
  rebuild them from ``Report.to_dict()``.
* **scheduling**: all parts start at once, pinned to ``jobs`` CPUs
  (:func:`job_cpus`), and the kernel shares the CPUs among them. So there may
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
:func:`parallel_reason` says why another report renders as one document.
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

import contextlib
import dataclasses
import gc
import io
import json
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import IO, Any

from ..model.report import Report

__all__ = [
    "MIN_ENTRIES",
    "Part",
    "PartResult",
    "parallel_reason",
    "plan_parts",
    "render_part",
    "render_pdf_parallel",
    "split_reason",
]

#: Below this many entries a report renders in one process: starting workers,
#: a second copy of the fonts per part and the join cost more than they save.
MIN_ENTRIES = 60
#: From this many entries a report is rendered in parts even with one job, one
#: part after the other in this process: WeasyPrint keeps every laid-out page
#: until the PDF is written (1,000 entries: ~840 MB), a part only its own.
SPLIT_ENTRIES = 600

#: Extra stylesheets. WeasyPrint cascades ``render(stylesheets=…)`` as *user*
#: style sheets, below the document's own rules: hence ``!important``.
#: The page number margin box of base.css is left out of the parts (stamped later).
_NO_PAGE_NUMBER = "@page { @bottom-center { content: none !important; } }\n"
_HIDE_FRONT = "header.cover, section.preface { display: none !important; }\n"
_HIDE_MAIN = "header.cover, section.preface, table.report { display: none !important; }\n"


@dataclass(frozen=True)
class Part:
    """A run of consecutive 分野 rendered by one worker."""

    index: int
    #: 0-based indices into ``report.sections``.
    sections: tuple[int, ...]
    #: The first part: title block, date and preface stay visible.
    cover: bool
    #: Estimated cost (characters of its data), for scheduling longest first.
    weight: int = 0


@dataclass
class PartResult:
    """What a worker sends back: the part's PDF and where its anchors landed."""

    index: int
    pdf: bytes
    pages: int
    #: Anchor (``item-1-2``) → 0-based page index within the part.
    anchors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    #: A piece of a 分野 after its first (reportgen.partsync): its outline entries go under the 分野's.
    continues: bool = False


# --------------------------------------------------------------------------- planning


def parallel_reason(report: Report, jobs: int, pdf_variant: str | None = None) -> str | None:
    """None when ``report`` is to be rendered in parts; otherwise why it renders as one document.

    With ``jobs`` > 1 any plan-status report of :data:`MIN_ENTRIES` or more
    entries over two or more 分野 is split; with one job only reports of
    :data:`SPLIT_ENTRIES` or more (rendered part after part, to bound memory).
    """
    reason = split_reason(report, pdf_variant)
    if reason is not None:
        return reason
    entries = sum(1 for _ in report.iter_entries())
    if jobs <= 1 and entries < SPLIT_ENTRIES:
        return f"one job and {entries} entries (split from {SPLIT_ENTRIES} to bound memory)"
    if entries < MIN_ENTRIES:
        return f"{entries} entries (parallel from {MIN_ENTRIES})"
    return None


def split_reason(report: Report, pdf_variant: str | None = None) -> str | None:
    """None when ``report`` *can* be rendered in parts (whatever its size); otherwise why not.

    The part cache (:mod:`reportgen.pdf.partcache`) splits every such report, so
    that an edit re-lays one 分野.
    """
    from ..layouts.registry import layout_spec

    if pdf_variant is not None:
        return f"{pdf_variant} needs one structure tree"
    reason = layout_spec(report.layout).parts
    if reason is not None:
        return reason
    if len(report.sections) < 2:
        return "a single 分野 (no split point)"
    return None


#: At most this many parts per job run at the same time (memory: each part
#: holds its own laid-out pages until it is written).
MAX_PARTS_PER_JOB = 2
#: Fixed cost of one more part (a worker, the repeated page header, a font
#: subset before the join), as a share of the whole report's cost. It makes the
#: planner prefer fewer parts when more would not shorten the run.
PART_COST = 0.02


def plan_parts(report: Report, jobs: int, data: dict[str, Any] | None = None) -> list[Part]:
    """Consecutive 分野 grouped into parts whose slowest decides the wall time.

    A part's cost is estimated by the size of its data (text, tables); the
    first part also pays for the title block and preface. All parts run at the
    same time on ``jobs`` CPUs (:func:`render_parts`), where the kernel shares
    the CPUs among them, so the wall time is about
    ``max(total / jobs, largest part)`` plus a small cost per part. Hence
    more parts than jobs when that balances better: three equal 分野 on two
    CPUs as three parts finish in half the time (two parts: ⅔ of it).
    """
    data = report.to_dict() if data is None else data
    raw = data.get("sections", [])
    count = len(report.sections)
    weights = [len(json.dumps(raw[i], ensure_ascii=False)) if i < len(raw) else 1 for i in range(count)]
    weights[0] += len(json.dumps(data.get("report", {}).get("preface", []), ensure_ascii=False))
    jobs = max(1, jobs)
    total = sum(weights)
    best: tuple[float, list[int]] | None = None
    for k in range(min(jobs, count), min(count, jobs * MAX_PARTS_PER_JOB) + 1):
        sizes = partition_sections(weights, k)
        largest, start = 0, 0
        for size in sizes:
            largest = max(largest, sum(weights[start:start + size]))
            start += size
        cost = max(total / jobs, largest) + k * PART_COST * total
        if best is None or cost < best[0]:
            best = (cost, sizes)
    assert best is not None
    parts = []
    start = 0
    for k, size in enumerate(best[1]):
        indices = tuple(range(start, start + size))
        parts.append(Part(k, indices, k == 0, sum(weights[i] for i in indices)))
        start += size
    return parts


def partition_sections(weights: list[int], parts: int) -> list[int]:
    """Sizes of ``parts`` consecutive groups of ``weights`` minimising the largest sum
    (dynamic programming; a report has a handful of 分野)."""
    n = len(weights)
    prefix = [0]
    for w in weights:
        prefix.append(prefix[-1] + w)
    inf = float("inf")
    # best[k][i]: smallest possible maximum for the first i weights in k groups
    best = [[inf] * (n + 1) for _ in range(parts + 1)]
    cut = [[0] * (n + 1) for _ in range(parts + 1)]
    best[0][0] = 0
    for k in range(1, parts + 1):
        for i in range(k, n + 1):
            for j in range(k - 1, i):
                cost = max(best[k - 1][j], prefix[i] - prefix[j])
                if cost < best[k][i]:
                    best[k][i], cut[k][i] = cost, j
    sizes = []
    i = n
    for k in range(parts, 0, -1):
        j = cut[k][i]
        sizes.append(i - j)
        i = j
    return sizes[::-1]


# --------------------------------------------------------------------------- rendering


def _view(report: Report, paper: str, font: str):  # type: ignore[no-untyped-def]
    from ..layouts.view import build_view

    return build_view(report, paper=paper, font=font)


def _html(view, sections: tuple[int, ...] | None, appendices: bool) -> str:  # type: ignore[no-untyped-def]
    """The template output of the whole report's view restricted to some sections / the appendices."""
    from .fetch import base_url
    from .engine import environment

    chosen = [] if sections is None else [view.sections[i] for i in sections]
    view = dataclasses.replace(view, sections=chosen, appendices=view.appendices if appendices else [])
    template = environment().get_template(view.template)
    return template.render(doc=view, base_url=base_url())


def layout_html(html: str, css: str):  # type: ignore[no-untyped-def]
    """Lay out like :func:`reportgen.pdf.engine.render_document`, with an extra stylesheet."""
    from .fetch import build_html
    from .weasy import import_weasyprint

    weasyprint = import_weasyprint()
    from .boxes import center_marks, prune_continuation_marks, trim_vertical_labels
    from .weasy import LOCK, font_config, gc_paused

    with LOCK, gc_paused():
        document = build_html(html).render(font_config=font_config(),
                                           stylesheets=[weasyprint.CSS(string=css)])
        prune_continuation_marks(document)
        trim_vertical_labels(document)
        center_marks(document)
    return document


def _write(document) -> bytes:  # type: ignore[no-untyped-def]
    from .weasy import LOCK, gc_paused

    out = io.BytesIO()
    with LOCK, gc_paused():
        document.write_pdf(out)
    return out.getvalue()


#: The whole report's view model, set in the parent just before forked workers
#: start: they inherit it (and the compiled templates) instead of each
#: rebuilding it from the data (0.3 s of CPU per worker for 400 entries, and
#: 0.6 s more to compile the templates when the parent had not yet).
_INHERITED_VIEW: Any = None
#: The parts' HTML by part index, when the parent built it already (for the
#: part cache's keys), inherited by forked workers the same way.
_INHERITED_HTML: dict[int, str] = {}


def render_part(data: dict[str, Any] | None, part: Part, paper: str = "A4", font: str = "gothic") -> PartResult:
    """Render one part (runs in a worker process): its PDF and its anchors' pages.

    ``data`` None: use the view inherited from the parent (fork start method).
    """
    start = time.perf_counter()
    # No cyclic collection in a worker, ever: a forked worker's first collection
    # would walk (and so copy, page by page) the heap it shares with the
    # parent, and collecting the part's laid-out pages once it has written its
    # PDF costs ~0.7 s per 60 pages that nobody waits for: the worker exits
    # after its part (one part per worker, :func:`_run_round`) and the OS takes
    # its memory back at once.
    gc.disable()
    if data is None:
        view = _INHERITED_VIEW
        html = _INHERITED_HTML.get(part.index)
    else:
        view = _view(Report.from_dict(data, source="<parallel part>"), paper, font)
        html = None
    return _render_view_part(view, part, start, html)


def part_css(part: Part) -> str:
    """The extra stylesheet a part is laid out with (no page number box; front matter only in the first)."""
    return _NO_PAGE_NUMBER + ("" if part.cover else _HIDE_FRONT)


def part_html(view, part: Part) -> str:  # type: ignore[no-untyped-def]
    """The HTML a part is laid out from (the whole report's view restricted to its 分野)."""
    return _html(view, part.sections, False)


def _render_view_part(view, part: Part, start: float, html: str | None = None) -> PartResult:  # type: ignore[no-untyped-def]
    css = part_css(part)
    document = layout_html(part_html(view, part) if html is None else html, css)
    anchors: dict[str, int] = {}
    for number, page in enumerate(document.pages):
        for name in page.anchors:
            anchors.setdefault(name, number)
    pdf = _write(document)
    pages = len(document.pages)
    del document
    return PartResult(part.index, pdf, pages, anchors, time.perf_counter() - start)


def _pageref_css(pages: dict[str, int]) -> str:
    """掲載ページ as literal text: one rule per anchor (ids are item-N-M, safe in CSS)."""
    return "".join(f'a.pageref[href="#{name}"]::after {{ content: "P{page}" !important; }}\n'
                   for name, page in sorted(pages.items()))


@dataclass
class _Appendix:
    pdf: bytes
    pages: int
    #: (page index, anchor, PDF rectangle) of every 掲載ページ link.
    links: list[tuple[int, str, list[float]]]


def _render_appendix(view, pages: dict[str, int], run: Any = None) -> _Appendix | None:  # type: ignore[no-untyped-def]
    """The appendices laid out with the 掲載ページ of ``pages``; through the part cache
    when ``run`` (a :class:`reportgen.pdf.partcache.CacheRun`) is given: the key
    includes the page of every anchor, so a part that grows re-lays it."""
    if not view.appendices:
        return None
    css = _NO_PAGE_NUMBER + _HIDE_MAIN + _pageref_css(pages)
    html = _html(view, None, True)
    if run is None:
        return _lay_appendix(html, css, pages)
    from . import partcache

    run.parts += 1
    name = partcache.key("appendix", html, css, run.environment)
    entry = partcache.load(name)
    if entry is not None:
        try:
            links = [(int(n), str(t), [float(x) for x in r]) for n, t, r in entry.meta["links"]]
            run.reused += 1
            run.keys.append(name)
            return _Appendix(entry.pdf, int(entry.meta["pages"]), links) if entry.meta["pages"] else None
        except (KeyError, TypeError, ValueError):
            pass  # a header of another shape: lay it out again
    appendix = _lay_appendix(html, css, pages)
    meta = {"kind": "appendix", "pages": appendix.pages if appendix else 0,
            "links": appendix.links if appendix else []}
    partcache.store(name, partcache.Entry(appendix.pdf if appendix else b"", meta))
    run.keys.append(name)
    run.relaid.append("appendix")
    return appendix


def _lay_appendix(html: str, css: str, pages: dict[str, int]) -> _Appendix | None:
    document = layout_html(html, css)
    if not document.pages:
        return None
    links = []
    scale = 0.75  # CSS px → PDF pt, as WeasyPrint's write_pdf (zoom 1)
    for number, page in enumerate(document.pages):
        kept = []
        for link in page.links:
            kind, target, rect, _box = link
            if kind == "internal" and target in pages:
                x1, y1, x2, y2 = rect
                links.append((number, target, [x1 * scale, (page.height - y1) * scale,
                                               x2 * scale, (page.height - y2) * scale]))
            else:
                kept.append(link)
        page.links[:] = kept  # the anchors live in the parts: added back after the join
    return _Appendix(_write(document), len(document.pages), links)


def _page_numbers(total: int, paper: str, font: str, run: Any = None) -> bytes:
    """N pages showing only base.css's "n / N" margin box (:mod:`reportgen.pdf.pagenumbers`).

    Through the part cache when ``run`` is given: its one WeasyPrint layout
    (the sample page) is then the only one a render of an unchanged report
    would do, and in a fresh process the first layout is the costly one
    (fonts loaded and registered).
    """
    from .pagenumbers import page_numbers_pdf

    if run is None:
        return page_numbers_pdf(total, paper, font)
    from . import partcache

    name = partcache.key("page numbers", f"{total} {paper} {font}", "", run.environment)
    entry = partcache.load(name)
    run.keys.append(name)
    if entry is not None and entry.meta.get("pages") == total:
        return entry.pdf
    numbers = page_numbers_pdf(total, paper, font)
    partcache.store(name, partcache.Entry(numbers, {"kind": "page numbers", "pages": total}))
    return numbers


def _stamp(out: Any, stamps: Any) -> None:
    """Lay each page of ``stamps`` over the same page of ``out`` as a form XObject.

    What pikepdf's ``Page.add_overlay`` does, with two differences: the form's
    resource name is ``/RGpn<page>`` (add_overlay draws a random name, so the
    same input gave different bytes, and the names of every page of a part
    land in the part's shared resources), and the page's own content stream is
    kept as it is (``[q, content, Q + stamp]``, the ``q`` stream shared) instead
    of being rewritten into one stream.
    """
    import pikepdf

    push = out.make_stream(b"q\n")
    for number, (page, stamp) in enumerate(zip(out.pages, stamps.pages)):
        form = stamp.as_form_xobject()
        name = page.add_resource(form, pikepdf.Name.XObject, pikepdf.Name(f"/RGpn{number}"))
        placed = page.obj.Resources.XObject[name]
        draw = page.calc_form_xobject_placement(placed, name, pikepdf.Rectangle(page.trimbox))
        contents = page.obj.get("/Contents")
        streams = list(contents) if isinstance(contents, pikepdf.Array) else [] if contents is None else [contents]
        page.obj.Contents = pikepdf.Array([push, *streams, out.make_stream(b"Q\n" + draw)])


def join_parts(results: list[PartResult], appendix: _Appendix | None, numbers: bytes | None) -> bytes:
    """The parts and the appendix as one PDF (pikepdf): pages, outline and named
    destinations in order, the "n / N" page stamped onto each page, the
    掲載ページ links added, the first part's metadata and /Lang; then the fonts
    compacted and each face merged into one program (:mod:`reportgen.pdf.fontpack`).

    pikepdf (qpdf's C++ library) is a runtime dependency: no qpdf executable
    and no pypdf (a test extra) are needed.
    """
    import pikepdf

    from .fontpack import compact_pdf_fonts, save

    from .partsync import adopt

    out = pikepdf.new()
    sources = [pikepdf.open(io.BytesIO(pdf)) for pdf in [r.pdf for r in results] + ([appendix.pdf] if appendix else [])]
    stamps = pikepdf.open(io.BytesIO(numbers)) if numbers is not None else None  # None: a block of pieces
    try:
        first = sources[0]
        dests = pikepdf.NameTree.new(out)
        items: list[Any] = []  # the top-level outline entries (pikepdf dictionaries), in order
        count = 0
        continues = [r.continues for r in results] + [False]
        heads = False  # a source that starts a 分野 gave the top-level entries
        for number, source in enumerate(sources):
            out.pages.extend(source.pages)  # copy_foreign: links to these pages map to the copies
            names = source.Root.get("/Names")
            if isinstance(names, pikepdf.Dictionary) and "/Dests" in names:
                for name, dest in pikepdf.NameTree(names.Dests).items():
                    if name not in dests:  # the first definition wins, as in one document
                        dests[name] = out.copy_foreign(dest if dest.is_indirect else source.make_indirect(dest))
            outline = source.Root.get("/Outlines")
            if isinstance(outline, pikepdf.Dictionary) and "/First" in outline:
                item = out.copy_foreign(outline.First)
                chain = []
                while True:
                    chain.append(item)
                    if "/Next" not in item:
                        break
                    item = item.Next
                if continues[number] and heads:
                    if not adopt(items[-1], chain):
                        continue  # under a closed 分野: not visible, not counted
                else:
                    items.extend(chain)  # (a block of pieces that continue a 分野: its items stay siblings)
                    heads = heads or not continues[number]
                count += int(outline.get("/Count", 0))
        if len(dests):
            out.Root.Names = pikepdf.Dictionary(Dests=dests.obj)
        if items:
            root = out.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Outlines, First=items[0],
                                                        Last=items[-1], Count=count))
            for previous, item in zip([None, *items], items):
                item.Parent = root
                if previous is None:
                    if "/Prev" in item:
                        del item.Prev
                else:
                    previous.Next, item.Prev = item, previous
            if "/Next" in items[-1]:
                del items[-1].Next
            out.Root.Outlines = root
        if stamps is not None:
            _stamp(out, stamps)
        if appendix is not None:
            offset = sum(r.pages for r in results)
            for number, target, rect in appendix.links:
                page = out.pages[offset + number].obj
                if "/Annots" not in page:
                    page.Annots = pikepdf.Array()
                page.Annots.append(out.make_indirect(pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=pikepdf.Array(rect),
                    BS=pikepdf.Dictionary(W=0), Dest=pikepdf.String(target))))
        out.docinfo = out.copy_foreign(first.docinfo)  # type: ignore[assignment]  # a Dictionary
        for key in ("/Lang", "/MarkInfo", "/PageMode", "/PageLayout", "/ViewerPreferences"):
            if key in first.Root:
                value = first.Root[key]
                out.Root[key] = out.copy_foreign(value) if isinstance(value, pikepdf.Dictionary) else value
        compact_pdf_fonts(out)
        return save(out)
    finally:
        for pdf in [*sources, stamps, out]:
            if pdf is not None:
                pdf.close()


def _join_cached(results: list[PartResult], appendix: _Appendix | None, numbers: bytes, run: Any) -> bytes:
    """:func:`join_parts`, or with the part cache the joined PDF of the very same parts when
    kept (the join and the font compaction are most of a render that found every part)."""
    if run is None:
        return join_parts(results, appendix, numbers)
    from . import partcache

    name = partcache.key("joined", "\n".join(run.keys), "", run.environment)
    entry = partcache.load(name)
    run.keys.append(name)
    if entry is not None:
        return entry.pdf
    pdf = join_parts(results, appendix, numbers)
    partcache.store(name, partcache.Entry(pdf, {"kind": "joined"}))
    return pdf


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

    All parts of a report run at once (see :func:`plan_parts`); pinning them to
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


def render_parts(report: Report, jobs: int, paper: str = "A4", font: str = "gothic",
                 run: Any = None):  # type: ignore[no-untyped-def]
    """Render every part; returns (results in part order, the whole report's view).

    With ``jobs`` > 1 all parts run at once in worker processes (pinned to
    ``jobs`` CPUs, see :func:`plan_parts`). With one job the parts — one per
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

        view = _view(report, paper, font)
        from .partblocks import join_blocks

        pieces = render_sections_cached(view, paper, font, run, range_layer(view, jobs))
        return join_blocks(pieces, run), view
    data = report.to_dict()
    context = start_context()
    forked = context.get_start_method() == "fork"
    parts = plan_parts(report, len(report.sections) if jobs <= 1 else jobs, data)
    view = _view(report, paper, font)  # the appendices need it too
    done: dict[int, PartResult] = {}
    htmls: dict[int, str] = {}
    todo = parts
    if todo and jobs <= 1 and not forked:
        for number, part in enumerate(todo):
            if number:
                gc.collect()  # the previous part's boxes (cycles) go before the next is laid out
            done[part.index] = _render_view_part(view, part, time.perf_counter(), htmls.get(part.index))
    elif todo:
        if jobs <= 1:
            rounds, cpus = [[p] for p in todo], None
        else:
            cpus = job_cpus(jobs)
            order = sorted(todo, key=lambda p: -p.weight)
            # every part at once where they can share ``jobs`` CPUs; else ``jobs`` at a time, longest first
            at_once = len(order) if cpus is not None or jobs >= (os.cpu_count() or 1) else jobs
            rounds = [order[i:i + at_once] for i in range(0, len(order), at_once)]
        global _INHERITED_VIEW, _INHERITED_HTML
        if forked:
            from .engine import environment

            environment().get_template(view.template)  # compiled once, inherited
            _INHERITED_VIEW, _INHERITED_HTML = view, htmls
            # Everything alive now is shared with the workers: out of the
            # collector's reach until they are done, so that no collection here or
            # there touches (copies) it. Measured: parts 9.8-11.2 s -> 8.6 s (400 entries).
            gc.freeze()
        try:
            for batch in rounds:
                done.update(_run_round(batch, context, cpus, None if forked else data, paper, font))
        finally:
            _INHERITED_VIEW, _INHERITED_HTML = None, {}
            if forked:
                gc.unfreeze()
    return [done[p.index] for p in parts], view


def _run_round(batch: list[Part], context: multiprocessing.context.BaseContext, cpus: frozenset[int] | None,
               data: dict[str, Any] | None, paper: str, font: str) -> dict[int, PartResult]:
    """Run ``batch`` at once in fresh worker processes (one each); results by part index."""
    from ..core.scratch import worker_folder

    with worker_folder() as scratch:  # removed after the workers, whether they finished, failed or were killed
        return run_pool({p.index: (render_part, (data, p, paper, font)) for p in batch}, context, cpus, scratch)


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

    Call :func:`parallel_reason` first: this function assumes a report that can
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
    appendix = _render_appendix(view, pages, run)
    total = offset + (appendix.pages if appendix else 0)
    numbers = _page_numbers(total, paper, font, run)
    pdf = _join_cached(results, appendix, numbers, run)
    try:
        write_bytes_atomic(target, pdf)
    except OSError as exc:
        raise RenderError(f"{os.fspath(target)}: cannot write the PDF ({exc})") from exc  # type: ignore[arg-type]
    if run is not None:
        from . import partcache

        partcache.prune(keep=set(run.keys))
    return {"pages": total, "parts": [r.pages for r in results], "part_seconds": [r.seconds for r in results],
            "parts_wall": t_parts, "total": time.perf_counter() - t0, "cache": run}
