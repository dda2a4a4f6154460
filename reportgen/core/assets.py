"""Locate the package's bundled ``templates/`` and ``fonts/`` directories.

Why this module exists: the same code runs from two layouts and must find the
same assets in both, without guessing from the current working directory.

* Installed wheel: hatch force-includes the top-level ``templates`` and ``fonts``
  folders as ``reportgen/templates`` and ``reportgen/fonts`` (see pyproject.toml),
  i.e. *inside* the package directory.
* Source checkout / editable install: they stay at the repository root, i.e.
  ``../templates`` and ``../fonts`` next to the package directory.

In both layouts the two folders are siblings of each other. ``templates/base.css``
relies on that: it reaches the fonts with ``url(../fonts/...)``, which resolves to
a real file in :func:`fonts_dir` in either layout (see :mod:`reportgen.pdf.fetch`).

The results are cached: they are asked for on every render (the sandboxed URL
fetcher checks every URL against them) and never change during a process.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

__all__ = ["package_dir", "templates_dir", "fonts_dir"]

#: A file that must exist in a candidate ``fonts`` directory. Checking for a real
#: font (not only for the folder) avoids picking up an unrelated empty ``fonts/``.
_FONT_MARKER = "BIZUDGothic-Regular.ttf"


def package_dir() -> Path:
    """Return the resolved directory of the ``reportgen`` package."""
    return Path(__file__).resolve().parent.parent


def _find(name: str, marker: str | None) -> Path:
    """Return the first existing ``name`` directory: in-package, then sibling.

    The in-package location wins so that an installed wheel never reads files
    from whatever happens to sit next to ``site-packages``.
    """
    pkg = package_dir()
    candidates = (pkg / name, pkg.parent / name)
    for candidate in candidates:
        if candidate.is_dir() and (marker is None or (candidate / marker).is_file()):
            return candidate.resolve()
    searched = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(f"reportgen asset directory {name!r} not found (looked in {searched})")


@cache
def templates_dir() -> Path:
    """Return the resolved directory holding the Jinja2 templates and CSS.

    Raises :class:`FileNotFoundError` if neither layout has it, because rendering
    without the stylesheet would silently produce an unstyled document.
    """
    return _find("templates", None)


@cache
def fonts_dir() -> Path:
    """Return the resolved directory holding the bundled BIZ UD fonts.

    Raises :class:`FileNotFoundError` if the bundled fonts are missing: falling
    back to whatever fonts the host has would change line breaks and page counts.
    """
    return _find("fonts", _FONT_MARKER)
