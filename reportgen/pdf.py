"""PDF renderer: report → view model → Jinja2 HTML → WeasyPrint → PDF.

* :mod:`reportgen.layout` builds the view model (all numbers, 和暦 and marks
  formatted); the templates in ``templates/`` only place it (autoescape on).
* The HTML goes through :func:`reportgen.fetch.build_html`, i.e. the
  sandboxed :class:`~reportgen.fetch.SafeFetcher`: only ``data:`` URLs and the
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
  :func:`reportgen.measures.cont_placement`). Nothing hidden remains in the PDF text.
* Paths are written atomically (:func:`reportgen.output.atomic_target`): a
  failure leaves an existing file untouched and no temporary file behind.
"""

from __future__ import annotations

import contextlib
import gc
import os
import threading
from collections.abc import Iterator
from functools import cache
from typing import IO, TYPE_CHECKING

import jinja2

from .errors import RenderError
from .fetch import SafeFetcher, base_url, build_html
from .layout import build_view
from .model import Report
from .output import atomic_target
from .papers import page_css
from .textfilters import lines, rich, rich_nobr

if TYPE_CHECKING:  # pragma: no cover
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

__all__ = [
    "PDF_VARIANTS",
    "center_marks",
    "close_section_bottoms",
    "pdf_from_html",
    "prune_continuation_marks",
    "render_document",
    "render_html",
    "render_pdf",
    "trim_vertical_labels",
]

#: Values accepted for ``pdf_variant`` (tested with ``qpdf --check``); None is plain PDF.
PDF_VARIANTS = ("pdf/a-3u", "pdf/a-2b", "pdf/a-2a", "pdf/a-3b", "pdf/ua-1")

_LOCK = threading.RLock()


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while WeasyPrint lays out and writes.

    A layout allocates millions of small objects (boxes, styles, text runs),
    so the collector's young-generation passes keep firing and re-scan the
    growing box tree: about 20 % of a 400-entry render (measured, issue #6).
    Nothing is collected meanwhile; the previous state comes back afterwards
    and the next collection reclaims any cycles (peak RSS +2-3 %).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@cache
def _environment(user_templates: str | None = None) -> jinja2.Environment:
    """The Jinja environment of the process (templates are compiled once, and their
    compiled code is kept between processes: :mod:`reportgen.cache`); one more per
    user templates folder, searched before the built-ins (:mod:`reportgen.usertemplates`)."""
    from .assets import templates_dir
    from .cache import template_cache

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


@cache
def _font_config() -> FontConfiguration:
    """The shared WeasyPrint font configuration (bundled faces registered once)."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def render_html(report: Report, *, paper: str = "A4", font: str = "gothic",
                templates: str | os.PathLike[str] | None = None) -> str:
    """The HTML of ``report`` as WeasyPrint gets it.

    ``paper`` is a key of :data:`reportgen.layout.PAPERS` ("A4", "A3", "B4",
    "B4-PORTRAIT" …), ``font`` "gothic" or "mincho". The document's ``<base>`` is
    the bundled templates folder, so the saved HTML finds its stylesheet and
    fonts on this machine. ``templates`` is a user folder searched before the
    built-ins (its ``report.html``, ``style.css`` and images: :mod:`reportgen.usertemplates`).
    """
    from .usertemplates import UserTemplates

    view = build_view(report, paper=paper, font=font)
    user = UserTemplates.open(templates)
    env = _environment(None if user is None else str(user.folder))
    name = view.template if user is None else user.template_for(view.template)
    extra = {} if user is None else user.context(view.template)
    return env.get_template(name).render(doc=view, base_url=base_url(), **extra)


def _check_variant(pdf_variant: str | None) -> None:
    if pdf_variant is None:
        return
    from weasyprint.pdf import VARIANTS

    if pdf_variant not in VARIANTS:
        choices = ", ".join(PDF_VARIANTS)
        raise ValueError(f"unknown pdf_variant {pdf_variant!r}; use one of {choices}")


def prune_continuation_marks(document: weasyprint.Document, css_class: str = "cont") -> int:
    """Drop "（続き）" from the page where each item title first appears.

    WeasyPrint lays out a separate copy of a repeated ``<thead>`` on every page,
    all pointing at the same HTML element. The first page showing an element
    is the item's own start: its copies (a span split over lines has several
    fragments) are removed; later pages keep theirs. Removing a laid-out
    inline box leaves its space empty and nothing in the PDF. Returns the
    number of fragments removed.
    """
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.absolute import AbsolutePlaceholder

    first_page: dict[int, int] = {}
    removed = 0

    def is_mark(box: object) -> bool:
        # Inline (a span in the text) or block (the span floated, as base.css does).
        element = getattr(box, "element", None)
        return (isinstance(box, (boxes.InlineBox, boxes.BlockBox)) and element is not None
                and getattr(box, "element_tag", None) == "span"
                and css_class in (element.get("class") or "").split())

    def walk(box: object, page_no: int) -> None:
        nonlocal removed
        if isinstance(box, AbsolutePlaceholder):
            box = box._box
        children = getattr(box, "children", None)
        if not children:
            return
        keep = []
        for child in children:
            if is_mark(child):
                key = id(child.element)
                if first_page.setdefault(key, page_no) == page_no:
                    removed += 1
                    continue
            walk(child, page_no)
            keep.append(child)
        if len(keep) != len(children):
            box.children = keep  # type: ignore[attr-defined]

    for page_no, page in enumerate(document.pages):
        walk(page._page_box, page_no)
    return removed


def trim_vertical_labels(document: weasyprint.Document) -> int:
    """Drop the characters of a vertical 分野 label that do not fit on their page.

    The label is repeated at the top of every page a section spans, but the
    section's part of a page can be shorter than the label (a section ending
    near the top of a page). base.css clips the label there, which can cut a
    character in half; after layout this removes every character whose box
    reaches below the bottom of the label cell on that page, so the label ends
    on a whole character. Returns the number of characters removed.

    It first ends each 分野 at its last item on the pages it continues from
    (:func:`close_section_bottoms`): that sets the label cell's bottom on those
    pages, and every caller that trims labels (reportgen.parallel too) gets it.
    """
    from weasyprint.formatting_structure import boxes

    close_section_bottoms(document)
    removed = 0
    for page in document.pages:
        for table in _descendants(page._page_box):
            if not (isinstance(table, boxes.TableBox) and _has_class(table, "sec")):
                continue
            cell = next((b for b in _descendants(table)
                         if isinstance(b, boxes.TableCellBox) and _has_class(b, "label")), None)
            if cell is None:
                continue
            bottom = cell.border_box_y() + cell.border_height() - cell.border_bottom_width
            for label in _descendants(table):
                if isinstance(label, boxes.BlockContainerBox) and _has_class(label, "vcol"):
                    keep = [c for c in label.children
                            if c.position_y + c.margin_height() <= bottom + 0.01]
                    removed += len(label.children) - len(keep)
                    label.children = keep
    return removed


def close_section_bottoms(document: weasyprint.Document) -> int:
    """End each 分野 at its last item on the pages it continues from.

    The 分野 is one table row (base.css); where it breaks, WeasyPrint stretches
    its cells to the bottom of the page, so the room left below the last item
    that fitted showed as an empty band with column lines (issue #12.5). This
    lifts the bottom of the label cell and the items cell of every fragment but
    the last to the bottom of the items on that page, where their bottom rule
    then closes the table; below it the page stays blank. Returns the number
    of fragments closed.
    """
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.background import layout_box_backgrounds

    found: list[tuple[object, object]] = []  # (page box, sec table box)
    last_page: dict[int, int] = {}
    for page_no, page in enumerate(document.pages):
        for table in _descendants(page._page_box):
            if isinstance(table, boxes.TableBox) and _has_class(table, "sec"):
                found.append((page_no, table))
                last_page[id(table.element)] = page_no
    closed = 0
    for page_no, table in found:
        cells = [cell for group in table.children if isinstance(group, boxes.TableRowGroupBox)
                 and not group.is_header for row in group.children for cell in row.children]
        nest = next((c for c in cells if _has_class(c, "nest")), None)
        if nest is None:
            continue
        page_box = document.pages[page_no]._page_box
        if last_page[id(table.element)] != page_no and nest.children:
            # the 分野 continues on the next page: end it at its last item here
            bottom = max(child.position_y + child.margin_height() for child in nest.children)
            if bottom < nest.content_box_y() + nest.height - 0.5:
                _set_bottom(nest, bottom + nest.padding_bottom + nest.border_bottom_width)
                layout_box_backgrounds(page_box, nest, lambda **_kw: None, layout_children=False)
                closed += 1
        # the label cell ends with the items cell (a label cell taller than its
        # row would draw its rules below the table)
        end = nest.border_box_y() + nest.border_height()
        for cell in cells:
            if cell is not nest:
                _set_bottom(cell, end)
                layout_box_backgrounds(page_box, cell, lambda **_kw: None, layout_children=False)
    return closed


def _set_bottom(cell: object, bottom: float) -> None:
    """Move the bottom of ``cell``'s border box to ``bottom``; an empty cell that is
    vertically centred keeps its room in padding_top, which gives way first."""
    excess = cell.border_box_y() + cell.border_height() - bottom  # type: ignore[attr-defined]
    if excess < 0:
        cell.height -= excess  # type: ignore[attr-defined]
        return
    cut = min(excess, cell.height)  # type: ignore[attr-defined]
    cell.height -= cut  # type: ignore[attr-defined]
    cell.padding_top = max(cell.padding_top - (excess - cut), 0.0)  # type: ignore[attr-defined]


def center_marks(document: weasyprint.Document) -> int:
    """Move every mark to the vertical middle of its entry row (see base.css, td.mark).

    The mark is absolutely positioned so that a row fragment holding only the
    mark never stays behind at a page bottom; this puts it where
    ``vertical-align: middle`` would have: centred on the row's fragment that
    holds it (the first one when an entry is split over pages). Returns the
    number of marks placed.
    """
    from weasyprint.formatting_structure import boxes

    placed = 0
    for page in document.pages:
        for cell in _descendants(page._page_box):
            if not (isinstance(cell, boxes.TableCellBox) and _has_class(cell, "mark")):
                continue
            for mark in _descendants(cell):
                if isinstance(mark, boxes.BlockBox) and _has_class(mark, "markpos"):
                    top = cell.border_box_y() + cell.border_top_width
                    inner = cell.border_height() - cell.border_top_width - cell.border_bottom_width
                    dy = top + (inner - mark.margin_height()) / 2 - mark.position_y
                    if dy:
                        mark.translate(dy=dy)
                    placed += 1
                    break
    return placed


def _has_class(box: object, name: str) -> bool:
    element = getattr(box, "element", None)
    return element is not None and name in (element.get("class") or "").split()


def _descendants(box: object):  # type: ignore[no-untyped-def]
    """Every box below ``box`` (absolutely positioned ones included), depth first."""
    from weasyprint.layout.absolute import AbsolutePlaceholder

    stack = [box]
    while stack:
        current = stack.pop()
        if isinstance(current, AbsolutePlaceholder):
            current = current._box
        yield current
        children = getattr(current, "children", None)
        if children:
            stack.extend(reversed(children))


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
    with _LOCK, _gc_paused():
        document = build_html(html, fetcher=fetcher).render(font_config=_font_config())
        prune_continuation_marks(document)
        trim_vertical_labels(document)  # closes the section bottoms first
        center_marks(document)
        if report.layout == "measure-pages":
            from .measures import stretch_columns

            stretch_columns(document)
    return document


def pdf_from_html(html: str) -> bytes:
    """A PDF from (possibly edited) :func:`render_html` output, through the sandboxed fetcher."""
    with _LOCK, _gc_paused():
        return build_html(html).write_pdf(font_config=_font_config())


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
    part per group of 分野, joined into the same pages (:mod:`reportgen.parallel`;
    other reports render in this process); a very large one is rendered in
    parts even with one job, to bound memory.
    ``cache`` True keeps laid-out parts (one per 分野) in the user's cache and
    lays out only those whose input changed (:mod:`reportgen.partcache`).
    Raises ValueError for an unknown paper, font or variant (before anything is
    written) and RenderError when the file cannot be written.
    """
    _check_variant(pdf_variant)
    from .parallel import parallel_reason, render_pdf_parallel

    # The parts stamp "n / N" themselves and carry no running header: a report
    # with other page numbers or a running header renders as one document, and
    # so does the tracker (its view is not cut into 分野 parts). User templates
    # render as one document too (their blocks may span parts), uncached.
    one_document = (report.running_header is not None or report.page_numbers not in (None, "n / N")
                    or (report.layout == "tracker" and report.columns is None))
    if cache and templates is None and not one_document:
        from .partcache import render_pdf_cached

        render_pdf_cached(report, target, paper=paper, font=font, pdf_variant=pdf_variant, jobs=jobs)
        return
    if templates is None and not one_document and parallel_reason(report, jobs, pdf_variant) is None:
        render_pdf_parallel(report, target, jobs=jobs, paper=paper, font=font)
        return
    document = render_document(report, paper=paper, font=font, templates=templates)
    options = {"pdf_variant": pdf_variant} if pdf_variant else {}
    # One document keeps WeasyPrint's font subsets: compacting them
    # (reportgen.fontpack) saves 0-3 % here for 20-180 ms (pikepdf's import
    # included), which a small report's start-up cannot afford. Joined parts
    # are compacted: there it merges one subset per part into one.
    if hasattr(target, "write"):
        with _LOCK, _gc_paused():
            document.write_pdf(target, **options)
        return
    try:
        with atomic_target(target) as tmp, _LOCK, _gc_paused():  # type: ignore[arg-type]
            document.write_pdf(tmp, **options)
    except OSError as exc:
        raise RenderError(f"{os.fspath(target)}: cannot write the PDF ({exc})") from exc  # type: ignore[arg-type]
