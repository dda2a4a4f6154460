"""Laying out one part of a parallel render, the appendices and the page-number stamps.

A part is the whole report's view model restricted to some 分野, laid out with
an extra stylesheet (no page-number margin box; front matter only in the
first part). The appendices are laid out last with 掲載ページ as literal CSS
text. Moved out of :mod:`reportgen.pdf.parallel` (#14: one job per module);
see that module's doc for the whole scheme.
"""

from __future__ import annotations

import dataclasses
import gc
import io
import time
from dataclasses import dataclass
from typing import Any

from ..model.report import Report
from .partplan import Part, PartResult

#: Extra stylesheets. WeasyPrint cascades ``render(stylesheets=…)`` as *user*
#: style sheets, below the document's own rules: hence ``!important``.
#: The page number margin box of base.css is left out of the parts (stamped later).
_NO_PAGE_NUMBER = "@page { @bottom-center { content: none !important; } }\n"
_HIDE_FRONT = "header.cover, section.preface { display: none !important; }\n"
_HIDE_MAIN = "header.cover, section.preface, table.report { display: none !important; }\n"


# --------------------------------------------------------------------------- rendering


def whole_view(report: Report, paper: str, font: str):  # type: ignore[no-untyped-def]
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


def layout_html(html: str, css: str, stop: Any = None):  # type: ignore[no-untyped-def]
    """Lay out like :func:`reportgen.pdf.engine.render_document`, with an extra stylesheet;
    ``stop(page box, resumes_at)`` true ends the layout after that page (:func:`reportgen.pdf.weasy.layout_until`)."""
    import contextlib

    from .fetch import build_html
    from .weasy import import_weasyprint, layout_until

    weasyprint = import_weasyprint()
    from .boxes import center_marks, prune_continuation_marks, trim_vertical_labels
    from .weasy import LOCK, font_config, gc_paused

    with LOCK, gc_paused(), (layout_until(stop) if stop is not None else contextlib.nullcontext()) as stopped:
        document = build_html(html).render(font_config=font_config(),
                                           stylesheets=[weasyprint.CSS(string=css)])
        prune_continuation_marks(document)
        # stopped before the end: the 分野 goes on after the last page laid out
        trim_vertical_labels(document, continued=stopped is not None and stopped.pages is not None)
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


def set_inherited(view: Any, htmls: dict[int, str]) -> None:
    """Set (before forked workers start) or clear the view and HTML they inherit."""
    global _INHERITED_VIEW, _INHERITED_HTML
    _INHERITED_VIEW, _INHERITED_HTML = view, htmls


def render_part(data: dict[str, Any] | None, part: Part, paper: str = "A4", font: str = "gothic") -> PartResult:
    """Render one part (runs in a worker process): its PDF and its anchors' pages.

    ``data`` None: use the view inherited from the parent (fork start method).
    """
    start = time.perf_counter()
    # No cyclic collection in a worker, ever: a forked worker's first collection
    # would walk (and so copy, page by page) the heap it shares with the
    # parent, and collecting the part's laid-out pages once it has written its
    # PDF costs ~0.7 s per 60 pages that nobody waits for: the worker exits
    # after its part (one part per worker, :func:`reportgen.pdf.parallel.render_parts`) and the OS takes
    # its memory back at once.
    gc.disable()
    if data is None:
        view = _INHERITED_VIEW
        html = _INHERITED_HTML.get(part.index)
    else:
        view = whole_view(Report.from_dict(data, source="<parallel part>"), paper, font)
        html = None
    return render_view_part(view, part, start, html)


def part_css(part: Part) -> str:
    """The extra stylesheet a part is laid out with (no page number box; front matter only in the first)."""
    return _NO_PAGE_NUMBER + ("" if part.cover else _HIDE_FRONT)


def part_html(view, part: Part) -> str:  # type: ignore[no-untyped-def]
    """The HTML a part is laid out from (the whole report's view restricted to its 分野)."""
    return _html(view, part.sections, False)


def render_view_part(view, part: Part, start: float, html: str | None = None) -> PartResult:  # type: ignore[no-untyped-def]
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
class Appendix:
    pdf: bytes
    pages: int
    #: (page index, anchor, PDF rectangle) of every 掲載ページ link.
    links: list[tuple[int, str, list[float]]]


def render_appendix(view, pages: dict[str, int], run: Any = None) -> Appendix | None:  # type: ignore[no-untyped-def]
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
            return Appendix(entry.pdf, int(entry.meta["pages"]), links) if entry.meta["pages"] else None
        except (KeyError, TypeError, ValueError):
            pass  # a header of another shape: lay it out again
    appendix = _lay_appendix(html, css, pages)
    meta = {"kind": "appendix", "pages": appendix.pages if appendix else 0,
            "links": appendix.links if appendix else []}
    partcache.store(name, partcache.Entry(appendix.pdf if appendix else b"", meta))
    run.keys.append(name)
    run.relaid.append("appendix")
    return appendix


def _lay_appendix(html: str, css: str, pages: dict[str, int]) -> Appendix | None:
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
    return Appendix(_write(document), len(document.pages), links)


def page_numbers(total: int, paper: str, font: str, run: Any = None) -> bytes:
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
