"""Import WeasyPrint without its slow search for the C libraries (cold start, issue #6).

WeasyPrint's ``text/ffi.py`` opens Pango, HarfBuzz, fontconfig … by trying
several spellings of each library's name (Windows, macOS and Linux ones).
cffi resolves a name that is not a path with :func:`ctypes.util.find_library`,
which on Linux runs ``ldconfig -p`` and then, for every name it does not find,
gcc and ld in subprocesses: about 0.3 s of every ``reportgen render`` on a
machine with gcc (WeasyPrint issue #1125), more than the render of a small
report takes.

While WeasyPrint loads, and only then, ``find_library`` answers from *one*
read of the ldconfig cache, with the test the standard library applies first
(``lib<name>.…`` for this machine's ABI); the gcc and ld fallbacks are skipped.
Should WeasyPrint then fail to load, it is imported again the standard way,
so nothing that used to load stops loading. Elsewhere (macOS, Windows, no
ldconfig) WeasyPrint is imported as it is.
"""

from __future__ import annotations

import contextlib
import io
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..core.gcpause import collector_paused

if TYPE_CHECKING:  # pragma: no cover
    from weasyprint.text.fonts import FontConfiguration

__all__ = ["LOCK", "absolute_placeholder", "box_types", "clear_stylesheet_cache", "descendants", "font_config", "gc_paused", "has_class",
           "import_weasyprint", "install_stylesheet_cache", "layout_box_backgrounds", "layout_until", "page_box", "pdf_variants", "stylesheets_parsed"]

#: ldconfig's ABI tag for this machine, as :mod:`ctypes.util` maps it (a
#: 64-bit build; anything else: the "libc6" prefix every tag starts with).
_ABI = {"x86_64": "libc6,x86-64", "ppc64": "libc6,64bit", "sparc64": "libc6,64bit",
        "s390x": "libc6,64bit", "ia64": "libc6,IA-64"}


def ldconfig_cache() -> str | None:
    ldconfig = "/sbin/ldconfig" if os.path.exists("/sbin/ldconfig") else shutil.which("ldconfig")
    if sys.platform != "linux" or ldconfig is None:
        return None
    try:
        done = subprocess.run([ldconfig, "-p"], capture_output=True, text=True, check=False,
                              env={"LC_ALL": "C", "LANG": "C"}, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


@contextlib.contextmanager
def find_library_from_cache() -> Iterator[None]:
    import ctypes.util

    cache = ldconfig_cache()
    abi = _ABI.get(platform.machine(), "libc6") if sys.maxsize > 2**32 else "libc6"
    if cache is None:
        yield
        return

    def find_library(name: str) -> str | None:
        # ctypes.util._findSoname_ldconfig's pattern, on the cache read once
        found = re.search(r"\s+(lib%s\.[^\s]+)\s+\(%s" % (re.escape(name), re.escape(abi)), cache)
        return found.group(1) if found else None

    original = ctypes.util.find_library
    ctypes.util.find_library = find_library
    try:
        yield
    finally:
        ctypes.util.find_library = original


def import_weasyprint() -> ModuleType:
    """``import weasyprint``, the C libraries looked up quickly (see the module doc)."""
    if "weasyprint" in sys.modules:
        return sys.modules["weasyprint"]
    try:
        # quiet: on failure WeasyPrint prints its installation help before raising,
        # which the standard import below prints again if it fails too
        with find_library_from_cache(), contextlib.redirect_stdout(io.StringIO()):
            import weasyprint
    except OSError:
        for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
            del sys.modules[name]
        import weasyprint
    return weasyprint


# -- the one door to WeasyPrint's state and internals ------------------------------
#
# WeasyPrint 70's public API makes and writes documents; reportgen also adjusts
# the laid-out boxes after layout (reportgen.pdf.boxes) and shares one font
# configuration between renders.  Everything that reaches past the public API
# is here, so a WeasyPrint upgrade is checked in one module (pyproject pins the
# tested range).

LOCK = threading.RLock()


def gc_paused() -> contextlib.AbstractContextManager[None]:
    """Python's cyclic garbage collector off while WeasyPrint lays out and writes.

    A layout allocates millions of small objects (boxes, styles, text runs),
    so the collector's young-generation passes keep firing and re-scan the
    growing box tree: about 20 % of a 400-entry render (measured, issue #6).
    Nothing is collected meanwhile; the previous state comes back afterwards
    and the next collection reclaims any cycles (peak RSS +2-3 %).  The pause
    itself is :func:`reportgen.core.gcpause.collector_paused`, which workbook
    loads use for the same reason.
    """
    return collector_paused()


@cache
def font_config() -> FontConfiguration:
    """The shared WeasyPrint font configuration (bundled faces registered once)."""
    import_weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    install_stylesheet_cache()
    return FontConfiguration()


def pdf_variants() -> tuple[str, ...]:
    """The ``pdf_variant`` names this WeasyPrint knows."""
    import_weasyprint()
    from weasyprint.pdf import VARIANTS

    return tuple(VARIANTS)


@cache
def box_types() -> Any:
    """WeasyPrint's box classes (``TableBox``, ``TableCellBox`` …): its formatting_structure.boxes module."""
    import_weasyprint()
    from weasyprint.formatting_structure import boxes

    return boxes


def absolute_placeholder() -> type:
    import_weasyprint()
    from weasyprint.layout.absolute import AbsolutePlaceholder

    return AbsolutePlaceholder


def layout_box_backgrounds(page: Any, box: Any, get_image_from_uri: Any, **options: Any) -> None:
    """Recompute the painted backgrounds and borders of ``box`` after its size changed."""
    from weasyprint.layout.background import layout_box_backgrounds as relayout

    relayout(page, box, get_image_from_uri, **options)


def page_box(page: Any) -> Any:
    """The root box of a laid-out page (``Page._page_box``)."""
    return page._page_box


def has_class(box: object, name: str) -> bool:
    """Whether the HTML element ``box`` was made from carries CSS class ``name``."""
    element = getattr(box, "element", None)
    return element is not None and name in (element.get("class") or "").split()


def descendants(box: object) -> Iterator[Any]:
    """Every box below ``box`` (absolutely positioned ones included), depth first."""
    placeholder = absolute_placeholder()
    stack = [box]
    while stack:
        current = stack.pop()
        if isinstance(current, placeholder):
            current = current._box
        yield current
        children = getattr(current, "children", None)
        if children:
            stack.extend(reversed(children))


# -- bundled stylesheets parsed once per process (watch, issue #16) -----------------
#
# Every render parses base.css (630 lines) and the layout's stylesheet again:
# ~45 ms of a 0.5 s re-render of a 2-page tracker, and of every range an edit
# re-lays. A parsed sheet is a cssselect2 matcher (selectors and declarations,
# read-only once built) plus the @page rules and @font-face registrations it
# added to its document; the faces stay registered in the shared font
# configuration. So a bundled sheet whose bytes are those parsed before is
# served from the first parse: its @page rules appended to the new document's
# list at the same point of the cascade, the matcher shared.

#: (url, media type, digest of the bytes) → the sheet parsed with the shared font configuration.
_PARSED_SHEETS: dict[tuple[str, str, bytes], Any] = {}


def _cached_css(original: Any) -> Any:
    """``weasyprint.css.CSS`` as :func:`weasyprint.css.find_stylesheets` calls it for a
    ``<link>``, served from :data:`_PARSED_SHEETS` for the bundled stylesheets of a
    reportgen render (its font configuration is :func:`font_config`); anything else as before."""
    import hashlib

    def css(*args: Any, **kwargs: Any) -> Any:
        url, fetcher = kwargs.get("url"), kwargs.get("url_fetcher")
        if (args or url is None or fetcher is None or kwargs.get("font_config") is not font_config()
                or set(kwargs) - {"url", "url_fetcher", "media_type", "font_config", "counter_style",
                                  "color_profiles", "page_rules", "layers", "_check_mime_type"}
                or not _bundled(url)):
            return original(*args, **kwargs)
        try:
            response = fetcher(url)
            body = response.read()
            mime = response.headers.get_content_type()
        except Exception:  # the original reports it (logged, sheet left out) as WeasyPrint always has
            return original(*args, **kwargs)
        if mime != "text/css" or not isinstance(body, bytes):
            return original(*args, **kwargs)
        key = (url, str(kwargs.get("media_type", "print")), hashlib.sha256(body).digest())
        parsed = _PARSED_SHEETS.get(key)
        if parsed is None:
            mine: dict[str, Any] = {"page_rules": [], "layers": [], "counter_style": {}, "color_profiles": {}}
            parsed = original(**{**kwargs, **mine})
            if parsed.layers or mine["counter_style"] or mine["color_profiles"]:
                return original(*args, **kwargs)  # @layer, @counter-style, @color-profile: not shared
            _PARSED_SHEETS[key] = parsed
        page_rules, layers = kwargs.get("page_rules"), kwargs.get("layers")
        sheet = object.__new__(type(parsed))
        sheet.base_url, sheet.matcher = parsed.base_url, parsed.matcher
        if page_rules is None:
            page_rules = []
        page_rules.extend(parsed.page_rules)  # the document's list, in source order, as a parse adds them
        sheet.page_rules = page_rules
        sheet.layers = [] if layers is None else layers
        return sheet

    return css


def _bundled(url: str) -> bool:
    """Whether ``url`` is a file of the bundled templates folder (never a user's stylesheet:
    its parse warnings are printed on every render)."""
    from ..core.assets import templates_dir

    return url.startswith(templates_dir().as_uri().rstrip("/") + "/")


def install_stylesheet_cache() -> None:
    """Serve bundled stylesheets from their first parse (see :data:`_PARSED_SHEETS`); once per process."""
    import_weasyprint()
    import weasyprint.css as css_module

    if not getattr(css_module.CSS, "reportgen_cached", False):
        cached = _cached_css(css_module.CSS)
        cached.reportgen_cached = True  # type: ignore[attr-defined]
        css_module.CSS = cached


# -- a layout that stops at a page (the part cache's ranges, issue #16) -------------
#
# WeasyPrint lays pages out one after the other, each from what the pages
# before left to print: the first pages of a document are the same whether
# or not the later ones are laid out. A range of items re-laid after an edit
# is only needed up to the page where a cached piece begins again
# (reportgen.pdf.partsync); the pages after it were laid out and thrown away.

class _Stop:
    """The predicate of the layout under way (one at a time: LOCK) and the page count it
    stopped at: a repagination pass of the same layout stops there again."""

    def __init__(self, stop: Any) -> None:
        self.stop = stop
        self.pages: int | None = None
        self.passes = 0


_STOP_AFTER: _Stop | None = None


def _resumes_at(root: Any, resume_at: Any) -> tuple[Any, Any] | None:
    """(parent, child) when the page after a laid-out one resumes at the very start of box
    ``child`` (nothing of it laid out yet), following WeasyPrint's skip stack ``resume_at``
    (child index → the child's own skip stack, None: from its start) down from ``root``;
    None when the document ends there or the stack branches (floats, columns)."""
    box, stack = root, resume_at
    while isinstance(stack, dict) and len(stack) == 1:
        (index, below), = stack.items()
        children = getattr(box, "children", None)
        if not isinstance(index, int) or children is None or not 0 <= index < len(children):
            return None
        if below is None:
            return box, children[index]
        box, stack = children[index], below
    return None


@contextlib.contextmanager
def layout_until(stop: Any) -> Iterator[Any]:
    """While the block runs, a layout ends after the first page for whose root box
    ``stop(box, resumes_at)`` is true (that page included); ``resumes_at()`` is
    (parent, child) when the next page would begin with box ``child`` from its start,
    else None. Its value's ``pages`` is the page count it stopped at (None: the document's
    end). Hold :data:`LOCK` around it."""
    global _STOP_AFTER

    import_weasyprint()
    import weasyprint.layout as layout_module

    if not getattr(layout_module.make_all_pages, "reportgen_stoppable", False):
        original = layout_module.make_all_pages

        def make_all_pages(context: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
            state = _STOP_AFTER
            first_pass = state is not None and not state.passes
            if state is not None:
                state.passes += 1
            for count, page in enumerate(original(context, *args, **kwargs), start=1):
                yield page
                if state is None:
                    continue
                # asked on the first pass only (pages in order, each once); a repagination
                # pass stops where the first did, or runs to the end as it did
                if first_pass and state.pages is None and state.stop(
                        page, lambda: _resumes_at(args[0], context.page_maker[count][0])):
                    state.pages = count
                if state.pages is not None and count >= state.pages:
                    # as WeasyPrint ends a document: the next page's entry is dropped,
                    # else its "content changed" flag would start a second pass
                    context.page_maker = context.page_maker[:count + 1]
                    context.page_maker[count][-1].update(content_changed=False, pages_wanted=False)
                    context.broken_out_of_flow.clear()
                    context.reported_footnotes.clear()
                    return

        make_all_pages.reportgen_stoppable = True  # type: ignore[attr-defined]
        layout_module.make_all_pages = make_all_pages
    before, _STOP_AFTER = _STOP_AFTER, _Stop(stop)
    try:
        yield _STOP_AFTER
    finally:
        _STOP_AFTER = before


def stylesheets_parsed() -> int:
    """How many bundled stylesheets (by content) this process has parsed and kept."""
    return len(_PARSED_SHEETS)


def clear_stylesheet_cache() -> None:
    """Forget the kept stylesheets: the next render parses them again."""
    _PARSED_SHEETS.clear()
