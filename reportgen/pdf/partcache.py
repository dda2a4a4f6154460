"""The part cache (issue #16): laid-out parts kept between renders, so a save re-lays only what changed.

Staff re-render the same report many times a day, changing a figure or a mark
each time. A plan-status report is already rendered as independent parts, one
per 分野 (:mod:`reportgen.pdf.parallel`), joined afterwards with the page numbers,
掲載ページ and outline stamped on; this module keeps each part's PDF between
runs, so a render lays out only the parts whose input changed and joins the
rest from the cache.

**The key** of a part is a digest of everything that decides its pages:

* the exact HTML WeasyPrint gets for the part and the extra stylesheet it is
  laid out with. The HTML is built from the *whole* report's view model, so it
  carries the part's data, the view options (paper, font), and whatever of the
  other parts shapes it (column widths, global anchors and numbering): a change
  elsewhere that moves this part's layout changes its HTML;
* every file the templates can load: all files below each folder of the Jinja
  loader's search path (the bundled templates and CSS, and user templates when
  a loader is given more folders), by content;
* the bundled fonts (name, size, modification time: the files are 15 MB, read
  on every render otherwise);
* the versions of reportgen, WeasyPrint, pikepdf and Python, and
  :data:`FORMAT` (bumped when what a part is changes).

**Why a part is position-independent.** A part is laid out as a document of
its own, starting on a new page (every 分野 after the first starts on a new
page in the single-process layout too) and *without* the "n / N" margin box:
page numbers are stamped after the join, the 掲載ページ of the appendix are
literal text passed to the appendix's layout (its key includes them, so the
appendix is re-laid when an item moves to another page), and the outline and
named destinations are copied from the parts and renumbered by the join. The
templates use no page-position selectors (``:first``, ``:left``, ``:right``)
or counters across parts. A part that grows by a page therefore shifts the
numbers of every later page without any later part being laid out again.

**The store**: one file per key under ``<cache>/parts`` (see
:func:`reportgen.core.cache.cache_dir`: ``$REPORTGEN_CACHE_DIR``, an empty value
turning every cache off). A file is ``MAGIC``, the SHA-256 of the rest, the
length of a JSON header (pages, anchors, links) and the PDF: a truncated or
damaged file fails the checksum, counts as a miss and is rewritten. Files are
written aside and renamed (concurrent renders see the old file or the whole
new one; two renders of the same part both write, the last rename wins, both
files being equal). A hit touches the file's modification time; after a
render, the least recently used files (not those of that render) are removed
until the folder holds at most :func:`limit_bytes` (``$REPORTGEN_CACHE_MB``, default
500 MB). Every failure to read or write is a miss: the cache is never a
reason for a render to fail.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import sys
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ..model.report import Report

__all__ = [
    "FORMAT",
    "CacheRun",
    "Entry",
    "environment_digest",
    "font_digest",
    "key",
    "last_run",
    "limit_bytes",
    "load",
    "prune",
    "render_pdf_cached",
    "set_last_run",
    "store",
    "templates_digest",
    "versions",
]

#: Bumped when what a cached part holds (or how it is laid out) changes shape.
FORMAT = "1"
#: The subfolder of the user cache (reportgen.core.cache.cache_dir).
FOLDER = "parts"
MAGIC = b"RGPART1\n"
_HEAD = struct.Struct(">32sQ")  # SHA-256 of the rest, length of the JSON header
DEFAULT_LIMIT_MB = 500


@dataclass
class Entry:
    """A cached laid-out part: its PDF and what the join needs to know about it."""

    pdf: bytes
    meta: dict[str, Any]


@dataclass
class CacheRun:
    """What the last cached render did (``reportgen watch`` prints it)."""

    #: Names of what was laid out again ("2 戦略的保険者機能関係", "appendix", "document").
    relaid: list[str] = field(default_factory=list)
    #: How many parts came from the cache.
    reused: int = 0
    #: How many parts the document has in all (appendix included).
    parts: int = 0
    seconds: float = 0.0
    #: :func:`environment_digest` of this render (computed once per render).
    environment: str = ""
    #: The keys used by this render (kept last when the cache is pruned).
    keys: list[str] = field(default_factory=list)
    #: 分野 heading → what of it was laid out, where the rest came from the cache
    #: ("２ 戦略的保険者機能関係 （１３）–（１５）", by :mod:`reportgen.partsync`).
    details: dict[str, str] = field(default_factory=dict)
    #: Blocks of pieces whose joins this render left for later ((key, pieces); :func:`finish_pending`).
    pending: list[Any] = field(default_factory=list, repr=False)

    def describe(self) -> str:
        if not self.relaid:
            return f"re-laid nothing ({self.reused} parts from the cache)"
        names = [self.details.get(name, name) for name in self.relaid]
        return f"re-laid {', '.join(names)}; {self.reused} of {self.parts} parts from the cache"


_LAST: list[CacheRun] = [CacheRun()]


def last_run() -> CacheRun:
    """What the latest cached render of this process re-laid and reused."""
    return _LAST[0]


def set_last_run(run: CacheRun) -> None:
    _LAST[0] = run


def finish_pending() -> int:
    """Do what the latest render of this process left for later (the joins of the blocks an
    edit changed, :func:`reportgen.pdf.partblocks.join_pending`): ``watch`` calls it once the
    new PDF is written, so the next save finds them. How many blocks were joined."""
    run = _LAST[0]
    if not run.pending:
        return 0
    from .partblocks import join_pending

    return join_pending(run)


# --------------------------------------------------------------------------- the key


@cache
def versions() -> tuple[str, ...]:
    """reportgen, WeasyPrint, pikepdf and Python versions (from the installed metadata:
    WeasyPrint is not imported for this, so a render served from the cache never pays its import)."""
    from importlib import metadata

    from .. import __version__

    out = [f"reportgen {__version__}", f"python {sys.version.split()[0]}"]
    for name in ("weasyprint", "pikepdf", "pydyf", "tinycss2", "cssselect2"):
        try:
            out.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            out.append(f"{name} -")
    return tuple(out)


def font_digest() -> str:
    """The bundled fonts as name, size and modification time (not content: 15 MB a render)."""
    from ..core.assets import fonts_dir

    folder = fonts_dir()
    parts = []
    for path in sorted(folder.iterdir()):
        try:
            st = path.stat()
        except OSError:
            continue
        parts.append(f"{path.name}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def template_folders() -> list[Path]:
    """Every folder templates and stylesheets can come from: the Jinja loader's search path
    (user templates included when the loader has them) and the bundled templates."""
    from ..core.assets import templates_dir
    from .engine import environment

    folders = [templates_dir()]
    for entry in getattr(environment().loader, "searchpath", []) or []:
        path = Path(entry).resolve()
        if path not in folders:
            folders.append(path)
    return folders


def templates_digest() -> str:
    """The content of every file below the template folders (a few dozen small files)."""
    digest = hashlib.sha256()
    for folder in template_folders():
        digest.update(f"folder {folder}\n".encode())
        for here, dirs, files in os.walk(folder):
            dirs.sort()
            for name in sorted(files):
                path = Path(here) / name
                try:
                    data = path.read_bytes()
                except OSError:
                    data = b"<unreadable>"
                digest.update(f"{path.relative_to(folder)} {len(data)}\n".encode())
                digest.update(data)
    return digest.hexdigest()


def environment_digest() -> str:
    """Everything besides the part's own HTML that decides its pages."""
    inputs = [FORMAT, *versions(), f"fonts {font_digest()}", f"templates {templates_digest()}"]
    return hashlib.sha256("\n".join(inputs).encode()).hexdigest()


def key(kind: str, html: str, css: str, environment: str) -> str:
    """The cache key of one laid-out part: what it is, its HTML and extra CSS, the environment."""
    digest = hashlib.sha256()
    for piece in (kind, environment, css, html):
        data = piece.encode("utf-8")
        digest.update(struct.pack(">Q", len(data)))
        digest.update(data)
    return digest.hexdigest()


# --------------------------------------------------------------------------- the store


def _folder() -> Path | None:
    from ..core.cache import cache_dir

    return cache_dir(FOLDER)


def load(name: str) -> Entry | None:
    """The entry stored under ``name``, or None (no cache, not stored, truncated or damaged)."""
    folder = _folder()
    if folder is None:
        return None
    path = folder / name
    try:
        data = path.read_bytes()
    except OSError:
        return None
    start = len(MAGIC) + _HEAD.size
    if len(data) < start or not data.startswith(MAGIC):
        return None
    checksum, length = _HEAD.unpack_from(data, len(MAGIC))
    body = memoryview(data)[start:]
    if hashlib.sha256(body).digest() != checksum or length > len(body):
        return None
    try:
        meta = json.loads(bytes(body[:length]).decode("utf-8"))
    except ValueError:
        return None
    if not isinstance(meta, dict):
        return None
    try:
        os.utime(path)  # recently used: the last to go when the cache is pruned
    except OSError:
        pass
    return Entry(bytes(body[length:]), meta)


def store(name: str, entry: Entry) -> None:
    """Store ``entry`` under ``name``, written aside and renamed; a cache that cannot be written is not used."""
    from ..core.errors import RenderError
    from ..core.output import write_bytes_atomic

    folder = _folder()
    if folder is None:
        return
    header = json.dumps(entry.meta, ensure_ascii=False, sort_keys=True).encode("utf-8")
    body = header + entry.pdf
    data = MAGIC + _HEAD.pack(hashlib.sha256(body).digest(), len(header)) + body
    try:
        write_bytes_atomic(folder / name, data)
    except (OSError, RenderError):
        pass


def limit_bytes() -> int:
    """The cache's size bound: ``$REPORTGEN_CACHE_MB`` megabytes, default 500."""
    raw = os.environ.get("REPORTGEN_CACHE_MB", "")
    try:
        mb = float(raw) if raw else DEFAULT_LIMIT_MB
    except ValueError:
        mb = DEFAULT_LIMIT_MB
    return max(0, int(mb * 1024 * 1024))


def prune(limit: int | None = None, keep: set[str] | frozenset[str] = frozenset()) -> int:
    """Remove the least recently used entries until the folder holds at most ``limit`` bytes.

    ``keep`` (the entries of the render just finished) is never removed. Temporary
    files of writes in progress (dot files) are left alone unless older than an
    hour (a killed render). Returns the number of files removed.
    """
    folder = _folder()
    if folder is None:
        return 0
    limit = limit_bytes() if limit is None else limit
    files: list[tuple[bool, int, int, Path]] = []
    total = 0
    now = time.time()
    try:
        listing = list(os.scandir(folder))
    except OSError:
        return 0
    removed = 0
    for item in listing:
        try:
            st = item.stat(follow_symlinks=False)
        except OSError:
            continue
        if item.name.startswith("."):
            if now - st.st_mtime > 3600:
                try:
                    os.unlink(item.path)
                    removed += 1
                except OSError:
                    pass
            continue
        total += st.st_size
        if item.name not in keep:
            files.append((st.st_mtime_ns, st.st_size, Path(item.path)))
    if total <= limit:
        return removed
    for _mtime, size, path in sorted(files):
        try:
            path.unlink()
        except OSError:
            continue
        removed += 1
        total -= size
        if total <= limit:
            break
    return removed


# --------------------------------------------------------------------------- one-document reports


def render_pdf_cached(
    report: Report,
    target: str | os.PathLike[str] | IO[bytes],
    *,
    paper: str = "A4",
    font: str = "gothic",
    pdf_variant: str | None = None,
    jobs: int = 1,
) -> CacheRun:
    """:func:`reportgen.pdf.engine.render_pdf` through the part cache.

    A report that can be split (:func:`reportgen.partsync.cache_reason`) is
    rendered in pieces of its 分野 (:mod:`reportgen.partsync`), whatever its
    size: only the changed pieces are laid out. Any other report is one cached part: the whole PDF, keyed
    like a part, so an unchanged report is not laid out again.
    """
    from .parallel import render_pdf_parallel
    from .partsync import cache_reason

    start = time.perf_counter()
    if cache_reason(report, pdf_variant) is None:
        info = render_pdf_parallel(report, target, jobs=jobs, paper=paper, font=font, cache=True)
        run: CacheRun = info["cache"]
    else:
        run = _render_document_cached(report, target, paper, font, pdf_variant)
    run.seconds = time.perf_counter() - start
    set_last_run(run)
    return run


def _render_document_cached(report: Report, target: str | os.PathLike[str] | IO[bytes], paper: str, font: str,
                            pdf_variant: str | None) -> CacheRun:
    import io

    from ..core.errors import RenderError
    from ..core.output import write_bytes_atomic
    from .engine import render_document, render_html
    from .weasy import LOCK, gc_paused

    html = render_html(report, paper=paper, font=font)
    name = key(f"document {paper} {font} {pdf_variant} {report.layout}", html, "", environment_digest())
    entry = load(name)
    run = CacheRun(parts=1)
    if entry is None:
        document = render_document(report, paper=paper, font=font)
        out = io.BytesIO()
        options = {"pdf_variant": pdf_variant} if pdf_variant else {}
        with LOCK, gc_paused():
            document.write_pdf(out, **options)
        del document
        entry = Entry(out.getvalue(), {"kind": "document"})
        store(name, entry)
        prune(keep={name})
        run.relaid.append("document")
    else:
        run.reused = 1
    try:
        write_bytes_atomic(target, entry.pdf)
    except OSError as exc:
        raise RenderError(f"{os.fspath(target)}: cannot write the PDF ({exc})") from exc  # type: ignore[arg-type]
    return run
