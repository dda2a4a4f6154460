"""PDF renderer: report → view model → Jinja2 HTML → WeasyPrint → PDF.

* :mod:`reportgen.layouts.view` builds the view model (all numbers, 和暦 and marks
  formatted); the templates in ``templates/`` only place it (autoescape on).
* The HTML goes through :func:`reportgen.pdf.fetch.build_html`, i.e. the
  sandboxed :class:`~reportgen.pdf.fetch.SafeFetcher`: only ``data:`` URLs and the
  bundled stylesheets and fonts can be loaded, whatever the data contains.
* The Jinja environment and WeasyPrint's ``FontConfiguration`` are created
  once per process. The font configuration keeps the bundled faces it has
  registered, so later renders skip loading them again. Rendering holds a
  lock: WeasyPrint's font configuration is not meant for concurrent use.
* "（続き）" on continuation pages: an item that runs over a page repeats a
  one-line band (number, the title's first characters and （続き）) in its
  table's ``<thead>``, which WeasyPrint lays out again on every page the item
  spans; after layout :func:`prune_continuation_marks` removes the band from
  the first laid-out copy (the page the item starts on), so it takes room and
  shows only where the item continues (measure pages keep the floated mark of
  :func:`reportgen.layouts.measures.cont_placement`). Nothing hidden remains in the PDF text.
* Paths are written atomically (:func:`reportgen.core.output.atomic_target`): a
  failure leaves an existing file untouched and no temporary file behind.
"""

from __future__ import annotations

import os
from functools import cache
from typing import IO, TYPE_CHECKING

import jinja2

from ..core.errors import RenderError
from .fetch import SafeFetcher, base_url, build_html
from ..layouts.view import build_view
from ..model.report import Report
from ..core.output import atomic_target
from ..core.papers import page_css
from ..layouts.registry import layout_spec
from .boxes import POST_LAYOUT
from .textfilters import lines, rich, rich_nobr
from .weasy import LOCK, font_config, gc_paused, pdf_variants

if TYPE_CHECKING:  # pragma: no cover
    import weasyprint

__all__ = [
    "PDF_VARIANTS",
    "environment",
    "pdf_from_html",
    "render_document",
    "render_html",
    "render_pdf",
]

#: Values accepted for ``pdf_variant`` (tested with ``qpdf --check``); None is plain PDF.
PDF_VARIANTS = ("pdf/a-3u", "pdf/a-2b", "pdf/a-2a", "pdf/a-3b", "pdf/ua-1")

@cache
def environment(user_templates: str | None = None) -> jinja2.Environment:
    """The Jinja environment of the process (templates are compiled once, and their
    compiled code is kept between processes: :mod:`reportgen.core.cache`); one more per
    user templates folder, searched before the built-ins (:mod:`reportgen.pdf.usertemplates`)."""
    from ..core.assets import templates_dir
    from ..core.cache import template_cache

    builtin = jinja2.FileSystemLoader(str(templates_dir()))
    env = jinja2.Environment(
        loader=builtin if user_templates is None else jinja2.ChoiceLoader(
            [jinja2.FileSystemLoader(user_templates), builtin]),
        autoescape=True,  # every template, whatever its name
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        auto_reload=False,
    )
    env.filters["rich"] = rich
    env.filters["rich_nobr"] = rich_nobr
    env.filters["lines"] = lines
    env.globals["page_css"] = page_css
    if user_templates is None:  # a user's templates change while the process runs: no cache
        env.bytecode_cache = template_cache(env)
    return env


def render_html(report: Report, *, paper: str = "A4", font: str = "gothic",
                templates: str | os.PathLike[str] | None = None) -> str:
    """The HTML of ``report`` as WeasyPrint gets it.

    ``paper`` is a key of :data:`reportgen.layouts.view.PAPERS` ("A4", "A3", "B4",
    "B4-PORTRAIT" …), ``font`` "gothic" or "mincho". The document's ``<base>`` is
    the bundled templates folder, so the saved HTML finds its stylesheet and
    fonts on this machine. ``templates`` is a user folder searched before the
    built-ins (its ``report.html``, ``style.css`` and images: :mod:`reportgen.pdf.usertemplates`).
    """
    from .usertemplates import UserTemplates

    view = build_view(report, paper=paper, font=font)
    user = UserTemplates.open(templates)
    env = environment(None if user is None else str(user.folder))
    name = view.template if user is None else user.template_for(view.template)
    extra = {} if user is None else user.context(view.template)
    return env.get_template(name).render(doc=view, base_url=base_url(), **extra)


def _check_variant(pdf_variant: str | None) -> None:
    if pdf_variant is None:
        return
    if pdf_variant not in pdf_variants():
        choices = ", ".join(PDF_VARIANTS)
        raise ValueError(f"unknown pdf_variant {pdf_variant!r}; use one of {choices}")


def render_document(
    report: Report,
    *,
    paper: str = "A4",
    font: str = "gothic",
    fetcher: SafeFetcher | None = None,
    templates: str | os.PathLike[str] | None = None,
) -> weasyprint.Document:
    """Lay ``report`` out into a WeasyPrint document (pages, boxes), ready to write.

    Pass a ``fetcher`` to inspect what was served or refused afterwards. With a
    user ``templates`` folder the default fetcher also serves that folder's files.
    """
    html = render_html(report, paper=paper, font=font, templates=templates)
    if fetcher is None and templates is not None:
        from .usertemplates import UserTemplates

        fetcher = UserTemplates.open(templates).fetcher()  # type: ignore[union-attr]
    with LOCK, gc_paused():
        document = build_html(html, fetcher=fetcher).render(font_config=font_config())
        for step in layout_spec(report.layout).post_layout:
            POST_LAYOUT[step](document)
    return document


def pdf_from_html(html: str) -> bytes:
    """A PDF from (possibly edited) :func:`render_html` output, through the sandboxed fetcher."""
    with LOCK, gc_paused():
        return build_html(html).write_pdf(font_config=font_config())


def render_pdf(
    report: Report,
    target: str | os.PathLike[str] | IO[bytes],
    *,
    paper: str = "A4",
    font: str = "gothic",
    pdf_variant: str | None = None,
    jobs: int = 1,
    templates: str | os.PathLike[str] | None = None,
    cache: bool = False,
) -> None:
    """Write ``report`` as PDF to ``target`` (a path, written atomically, or a binary file).

    ``pdf_variant`` is None (plain PDF 1.7) or one of :data:`PDF_VARIANTS`, e.g.
    "pdf/a-3u" for archiving or "pdf/ua-1" for tagged, accessible output.
    ``jobs`` > 1 renders a large plan-status report in that many processes, one
    part per group of 分野, joined into the same pages (:mod:`reportgen.pdf.parallel`;
    other reports render in this process); a very large one is rendered in
    parts even with one job, to bound memory.
    ``cache`` True keeps laid-out parts (one per 分野) in the user's cache and
    lays out only those whose input changed (:mod:`reportgen.pdf.partcache`).
    Raises ValueError for an unknown paper, font or variant (before anything is
    written) and RenderError when the file cannot be written.
    """
    _check_variant(pdf_variant)
    from .partplan import parallel_reason

    # The parts stamp "n / N" themselves and carry no running header: a report
    # with other page numbers or a running header renders as one document, and
    # so does the tracker (its view is not cut into 分野 parts). User templates
    # render as one document too (their blocks may span parts), uncached.
    one_document = (report.running_header is not None or report.page_numbers not in (None, "n / N")
                    or layout_spec(report.layout).body_for(report.columns is not None) == "tracker")
    if cache and templates is None and not one_document:
        from .partcache import render_pdf_cached

        render_pdf_cached(report, target, paper=paper, font=font, pdf_variant=pdf_variant, jobs=jobs)
        return
    if cache:  # what `watch` prints: the whole document was laid out (not the last cached render's line)
        from .partcache import CacheRun, set_last_run

        set_last_run(CacheRun(relaid=["document"], parts=1))
    if templates is None and not one_document and parallel_reason(report, jobs, pdf_variant) is None:
        from .parallel import render_pdf_parallel  # (its join and worker imports only when it runs)

        render_pdf_parallel(report, target, jobs=jobs, paper=paper, font=font)
        return
    document = render_document(report, paper=paper, font=font, templates=templates)
    options = {"pdf_variant": pdf_variant} if pdf_variant else {}
    # One document keeps WeasyPrint's font subsets: compacting them
    # (reportgen.pdf.fontpack) saves 0-3 % here for 20-180 ms (pikepdf's import
    # included), which a small report's start-up cannot afford. Joined parts
    # are compacted: there it merges one subset per part into one.
    if hasattr(target, "write"):
        with LOCK, gc_paused():
            document.write_pdf(target, **options)
        return
    try:
        with atomic_target(target) as tmp, LOCK, gc_paused():  # type: ignore[arg-type]
            document.write_pdf(tmp, **options)
    except OSError as exc:
        raise RenderError(f"{os.fspath(target)}: cannot write the PDF ({exc})") from exc  # type: ignore[arg-type]
