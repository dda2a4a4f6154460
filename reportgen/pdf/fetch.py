"""Sandboxed URL fetching for WeasyPrint, and the one place that builds ``HTML``.

Why: WeasyPrint's default fetcher reads ``file://`` anywhere on disk, opens
``http``/``https``/``ftp`` URLs and follows redirects. Report text comes from
data files written by many people; a stray ``<img src="file:///etc/...">`` or
``<link rel="attachment" href="http://...">`` that slipped past escaping must not
read local files, embed them as PDF attachments or touch the network.

:class:`SafeFetcher` therefore serves only:

* ``data:`` URLs (they carry their bytes inline, nothing is opened), and
* regular files inside :func:`~reportgen.core.assets.templates_dir` or
  :func:`~reportgen.core.assets.fonts_dir`, with a MIME type chosen from a small
  whitelist of suffixes (WeasyPrint rejects stylesheets without ``text/css``).

Everything else raises :class:`FetchRefused` *before* any disk or network
access. WeasyPrint 70 wraps exceptions from a fetcher into ``URLFetchingError``,
logs a warning and carries on (a missing image is left out, a missing
stylesheet is skipped), so a refused URL never aborts the document.

Fonts: ``templates/base.css`` loads the bundled fonts with ``url(../fonts/...)``.
Relative to the templates directory (the document's ``base_url``) that resolves
to the sibling ``fonts`` directory in both the wheel layout
(``reportgen/templates`` + ``reportgen/fonts``) and the source layout
(``templates`` + ``fonts``), so no virtual URL prefix is needed and the CSS also
works when opened from a checkout with a browser.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import posixpath
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn
from urllib.parse import unquote_to_bytes, urlsplit
from urllib.request import url2pathname

from .weasy import import_weasyprint

import_weasyprint()  # first: WeasyPrint's C libraries found without gcc/ld subprocesses
import weasyprint  # noqa: E402
from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: E402

from ..core.assets import fonts_dir, templates_dir

__all__ = [
    "MIME_TYPES",
    "FetchRefused",
    "SafeFetcher",
    "base_url",
    "build_html",
]

LOGGER = logging.getLogger(__name__)

#: Suffixes that may be served from the asset directories, with their MIME type.
#: Anything else (``.html`` templates, ``OFL.txt``, ``.py`` …) is refused even
#: inside the asset directories: WeasyPrint never needs it.
MIME_TYPES: dict[str, str] = {
    ".css": "text/css",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}

#: Text types get an explicit charset so WeasyPrint never guesses the encoding.
_TEXT_TYPES = frozenset({"text/css", "image/svg+xml"})


class FetchRefused(ValueError):
    """A URL outside the sandbox was requested.

    An ordinary exception on purpose: WeasyPrint turns it into a logged
    ``URLFetchingError`` and keeps rendering (the image or stylesheet is left
    out). Only ``weasyprint.urls.FatalURLFetchingError`` would stop the render.
    """


class SafeFetcher(URLFetcher):
    """WeasyPrint URL fetcher restricted to ``data:`` and the package assets.

    ``served`` and ``refused`` record every decision (URL, and the reason for a
    refusal) so tests and callers can prove what was and was not read.
    """

    def __init__(self, roots: Iterable[Path] | None = None) -> None:
        """Create a fetcher serving files below ``roots``.

        ``roots`` defaults to the templates and fonts directories. They are
        resolved once here, so the per-URL check is a cheap lexical prefix test
        that needs no disk access for URLs outside the roots.
        """
        # The base class must be initialised: weasyprint.urls.fetch() reads
        # ``_fail_on_errors`` from it. Its urllib handlers are never used,
        # because fetch() below never calls the base implementation.
        super().__init__(
            allowed_protocols=("data", "file"), allow_redirects=False, fail_on_errors=False
        )
        chosen = (templates_dir(), fonts_dir()) if roots is None else tuple(roots)
        self.roots: tuple[Path, ...] = tuple(Path(r).resolve() for r in chosen)
        self.served: list[str] = []
        self.refused: list[tuple[str, str]] = []

    # WeasyPrint calls fetcher(url) -> fetch(url); open() also routes to fetch().
    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        """Return the resource for ``url`` or raise :class:`FetchRefused`."""
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            response = self._fetch_data(url)
        elif scheme == "file":
            response = self._fetch_file(url)
        else:
            self._refuse(url, f"scheme {scheme or '(none)'!r} is not allowed")
        # data: URLs can be megabytes long; the trace only needs their start.
        self.served.append(url if scheme != "data" else url[:80])
        return response

    # -- helpers -----------------------------------------------------------------

    def _refuse(self, url: str, reason: str) -> NoReturn:
        """Record and log a refusal, then raise (so the caller never continues)."""
        shown = url if len(url) <= 200 else url[:200] + "…"
        self.refused.append((url, reason))
        LOGGER.warning("refused to fetch %s: %s", shown, reason)
        raise FetchRefused(f"reportgen sandbox refused {shown}: {reason}")

    def _fetch_data(self, url: str) -> URLFetcherResponse:
        """Decode a ``data:`` URL (RFC 2397) without touching anything else."""
        try:
            meta, payload = url[5:].split(",", 1)
        except ValueError:
            self._refuse(url, "malformed data: URL")
        params = [p.strip() for p in meta.split(";")]
        is_base64 = bool(params) and params[-1].lower() == "base64"
        if is_base64:
            params = params[:-1]
        mime = params[0].lower() if params and params[0] else "text/plain"
        raw = unquote_to_bytes(payload)
        if is_base64:
            try:
                body = base64.b64decode(raw + b"=" * (-len(raw) % 4))
            except (binascii.Error, ValueError):
                self._refuse(url, "invalid base64 in data: URL")
        else:
            body = raw
        content_type = mime
        for param in params[1:]:
            if param.lower().startswith("charset="):
                content_type = f"{mime}; {param}"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})

    def _fetch_file(self, url: str) -> URLFetcherResponse:
        """Serve a regular file inside one of the roots, else refuse.

        The check is done twice: first lexically (``..`` collapsed, no disk
        access, so ``file:///etc/passwd`` is refused without even a ``stat``),
        then on the resolved path (symlinks followed) so a link inside the
        templates directory cannot point outside it.
        """
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            self._refuse(url, f"remote file host {parts.netloc!r}")
        path_text = url2pathname(parts.path)  # percent-decodes
        if "\x00" in path_text or not path_text.startswith("/"):
            self._refuse(url, "not an absolute local path")
        lexical = Path(posixpath.normpath(path_text))
        if not self._inside(lexical):
            self._refuse(url, "outside the reportgen asset directories")
        mime = MIME_TYPES.get(lexical.suffix.lower())
        if mime is None:
            self._refuse(url, f"file type {lexical.suffix or '(none)'!r} is not served")
        try:
            real = lexical.resolve(strict=True)
        except (OSError, RuntimeError):
            self._refuse(url, "no such file")
        if not self._inside(real):
            self._refuse(url, "symlink leads outside the reportgen asset directories")
        if MIME_TYPES.get(real.suffix.lower()) != mime:
            self._refuse(url, "symlink changes the file type")
        try:
            # O_NOFOLLOW: the resolved path has no links; refuse one swapped in since.
            fd = os.open(real, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, "rb") as handle:
                if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                    raise OSError("not a regular file")
                body = handle.read()
        except OSError as exc:
            self._refuse(url, f"unreadable ({exc.__class__.__name__})")
        content_type = f"{mime}; charset=utf-8" if mime in _TEXT_TYPES else mime
        return URLFetcherResponse(real.as_uri(), body, {"Content-Type": content_type})

    def _inside(self, path: Path) -> bool:
        """Whether ``path`` is one of the roots or below one."""
        return any(path == root or path.is_relative_to(root) for root in self.roots)


def base_url() -> str:
    """Return the templates directory as a ``file:`` URL with a trailing slash.

    The trailing slash matters: without it ``urljoin`` would resolve relative
    URLs such as ``base.css`` against the *parent* directory.
    """
    return templates_dir().as_uri().rstrip("/") + "/"


def build_html(
    html: str,
    *,
    fetcher: SafeFetcher | None = None,
    media_type: str = "print",
) -> weasyprint.HTML:
    """Build a :class:`weasyprint.HTML` for rendered template output.

    Every caller gets the same sandbox: ``base_url`` is the templates directory
    (so ``<link href="base.css">`` and ``url(../fonts/...)`` resolve to bundled
    files) and all resource loading goes through :class:`SafeFetcher`. Pass your
    own ``fetcher`` to inspect ``fetcher.served`` / ``fetcher.refused`` afterwards.
    """
    return weasyprint.HTML(
        string=html,
        base_url=base_url(),
        url_fetcher=fetcher if fetcher is not None else SafeFetcher(),
        media_type=media_type,
    )
