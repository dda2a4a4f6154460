"""Characters the bundled fonts cannot draw, found before rendering.

A PDF must not depend on the fonts of the machine that renders it, so a
character outside BIZ UD's repertoire (𠮷, emoji, a rare variant selected with
an IVS) would come out as a tofu box or in some host font.  Rather than print
that silently, every such character is reported as a warning naming it and
where it is, so the office can replace it (𠮷 → 吉) or accept the fallback.
"""

from __future__ import annotations

import marshal
import sys
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Callable, Iterator

from ..core import cache as _cache
from ..core.assets import fonts_dir
from ..core.errors import Problem
from ..model.report import Report
from ..core.locations import PathKey, format_path

#: The face each font choice uses for body text.
FONT_FILES = {"gothic": "BIZUDGothic-Regular.ttf", "mincho": "BIZUDMincho-Regular.ttf"}

_SELECTORS = range(0xFE00, 0xFE10), range(0xE0100, 0xE01F0)
_SELECTOR_POINTS = frozenset(cp for r in _SELECTORS for cp in r)


@dataclass(frozen=True)
class Coverage:
    """The code points and variation sequences one font file maps."""

    codepoints: frozenset[int]
    sequences: frozenset[tuple[int, int]]

    def missing(self, text: str) -> Iterator[str]:
        """Characters (or base + selector sequences) of ``text`` the font lacks."""
        points = set(map(ord, text))
        if points <= self.codepoints and points.isdisjoint(_SELECTOR_POINTS):
            return  # every character mapped, no sequence to check: the common case, in one set test
        previous: int | None = None
        for ch in text:
            cp = ord(ch)
            if any(cp in r for r in _SELECTORS):
                if previous is not None and (previous, cp) not in self.sequences:
                    yield chr(previous) + ch
                previous = None
                continue
            previous = cp
            if cp in self.codepoints or ch in "\n\t" or unicodedata.category(ch) in ("Cf", "Zl", "Zp"):
                continue
            yield ch


def fonttools_coverage(path: Path) -> Coverage:
    """The same sets through fontTools (any font it can read)."""
    from fontTools.ttLib import TTFont

    sequences: set[tuple[int, int]] = set()
    with TTFont(path, lazy=True) as tt:
        # Plain glyph names: otherwise fontTools derives ~12,000 names from the
        # cmap itself (0.06 s of every cold start); only code points are used.
        tt.setGlyphOrder([f"g{i}" for i in range(tt["maxp"].numGlyphs)])
        for table in tt["cmap"].tables:
            if table.format == 14:
                for selector, pairs in table.uvsDict.items():
                    sequences.update((base, selector) for base, _glyph in pairs)
        codepoints = frozenset(tt.getBestCmap())
    return Coverage(codepoints, frozenset(sequences))


@cache
def coverage(font: str = "gothic") -> Coverage:
    """The code points and variation sequences of the bundled face, once per process.

    Reading them through fontTools is ~0.1 s of every cold ``reportgen
    render``; the sets only change with the font file, so they are kept in the
    user cache (:mod:`reportgen.core.cache`, marshal: ~4 ms to load), keyed by the
    file's name, size and time and the Python version (marshal's format).
    """
    path = fonts_dir() / FONT_FILES[font]
    info = path.stat()
    key = f"{path.name}-{info.st_size}-{info.st_mtime_ns}-py{sys.version_info[0]}{sys.version_info[1]}.marshal"
    raw = _cache.read("glyphs", key)
    if raw is not None:
        try:
            codepoints, sequences = marshal.loads(raw)
        except (EOFError, ValueError, TypeError):
            pass
        else:
            if isinstance(codepoints, frozenset) and isinstance(sequences, frozenset):
                return Coverage(codepoints, sequences)
    found = fonttools_coverage(path)
    _cache.write("glyphs", key, marshal.dumps((found.codepoints, found.sequences)))
    return found


def _strings(data: Any, path: PathKey) -> Iterator[tuple[PathKey, str]]:
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, path + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _strings(value, path + (i,))


def _describe(chars: str) -> str:
    codes = " ".join(f"U+{ord(c):04X}" for c in chars)
    return f"'{chars}' ({codes})"


def missing_glyphs(
    report: Report,
    *,
    source: str = "<report>",
    font: str = "gothic",
    line_of: Callable[[PathKey], int | None] | None = None,
) -> list[Problem]:
    """One warning per field naming the characters the bundled font cannot draw."""
    cov = coverage(font)
    warnings: list[Problem] = []
    for path, text in _strings(report.to_dict(), ()):
        if path and path[-1] in ("format", "direction", "kind", "layout", "period", "width", "field"):
            continue
        seen: list[str] = []
        for chars in cov.missing(text):
            if chars not in seen:
                seen.append(chars)
        if seen:
            names = ", ".join(_describe(c) for c in seen)
            warnings.append(Problem(
                source, line_of(path) if line_of else None, format_path(path),
                f"not in the bundled font, printed with a fallback font or as a blank box: {names}",
            ))
    return warnings
