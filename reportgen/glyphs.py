"""Characters the bundled fonts cannot draw, found before rendering.

A PDF must not depend on the fonts of the machine that renders it, so a
character outside BIZ UD's repertoire (𠮷, emoji, a rare variant selected with
an IVS) would come out as a tofu box or in some host font.  Rather than print
that silently, every such character is reported as a warning naming it and
where it is, so the office can replace it (𠮷 → 吉) or accept the fallback.
"""

from __future__ import annotations

import struct
import sys
import unicodedata
from array import array
from dataclasses import dataclass
from functools import cache
from itertools import chain, repeat
from pathlib import Path
from typing import Any, Callable, Iterator

from .assets import fonts_dir
from .errors import Problem
from .model import Report
from .source import PathKey, format_path

#: The face each font choice uses for body text.
FONT_FILES = {"gothic": "BIZUDGothic-Regular.ttf", "mincho": "BIZUDMincho-Regular.ttf"}

_SELECTORS = range(0xFE00, 0xFE10), range(0xE0100, 0xE01F0)


@dataclass(frozen=True)
class Coverage:
    """The code points and variation sequences one font file maps."""

    codepoints: frozenset[int]
    sequences: frozenset[tuple[int, int]]

    def missing(self, text: str) -> Iterator[str]:
        """Characters (or base + selector sequences) of ``text`` the font lacks."""
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


#: fontTools' ``getBestCmap`` order of (platform, encoding) subtables.
_CMAP_PREFERENCES = ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0))


def _uint32s(data: bytes) -> array[int]:
    """Big-endian 32-bit integers of ``data`` (whose length is a multiple of 4)."""
    values = array("I")
    if values.itemsize != 4:  # pragma: no cover - no such platform in use
        values = array("L")
    values.frombytes(data)
    if sys.byteorder == "little":
        values.byteswap()
    return values


def _read_cmap(path: Path) -> Coverage | None:
    """The coverage of a TrueType/OpenType file read straight from its ``cmap`` table.

    Why not fontTools: it builds a glyph-name dict for every mapping, about
    40 ms of each cold ``reportgen render`` for the bundled fonts, where only
    the set of code points is wanted. This reads the table directory and the
    ``cmap`` table, takes the subtable fontTools' ``getBestCmap`` would take
    and, if that is format 12 (as in the bundled BIZ UD fonts), the code
    points of its groups, plus every format-14 variation sequence (default
    and non-default). Anything else (a collection, another best format, a
    table that does not add up) returns None and :func:`coverage` asks
    fontTools; tests/test_glyphs.py checks both give the same sets.
    """
    try:
        with open(path, "rb") as f:
            head = f.read(12)
            if len(head) < 12 or head[:4] == b"ttcf":
                return None
            (count,) = struct.unpack_from(">H", head, 4)
            directory = f.read(16 * count)
            for i in range(count):
                tag, _checksum, offset, length = struct.unpack_from(">4sIII", directory, 16 * i)
                if tag == b"cmap":
                    f.seek(offset)
                    data = f.read(length)
                    break
            else:
                return None
        _version, records = struct.unpack_from(">HH", data, 0)
        subtables = [struct.unpack_from(">HHI", data, 4 + 8 * i) for i in range(records)]
        best = next((offset for want in _CMAP_PREFERENCES
                     for platform, encoding, offset in subtables if (platform, encoding) == want), None)
        if best is None or struct.unpack_from(">H", data, best)[0] != 12:
            return None
        _format, _reserved, _length, _language, groups = struct.unpack_from(">HHIII", data, best)
        table = _uint32s(data[best + 16:best + 16 + 12 * groups])
        if len(table) != 3 * groups:
            return None
        codepoints = frozenset(chain.from_iterable(map(range, table[0::3], (end + 1 for end in table[1::3]))))
        sequences: set[tuple[int, int]] = set()
        for offset in {offset for _p, _e, offset in subtables}:
            if struct.unpack_from(">H", data, offset)[0] != 14:
                continue
            _format, _length, selectors = struct.unpack_from(">HII", data, offset)
            for i in range(selectors):
                record = offset + 10 + 11 * i
                selector = int.from_bytes(data[record:record + 3], "big")
                default, non_default = struct.unpack_from(">II", data, record + 3)
                if default:  # ranges: 3-byte first base, 1-byte count of further ones
                    at = offset + default
                    (ranges,) = struct.unpack_from(">I", data, at)
                    packed = _uint32s(data[at + 4:at + 4 + 4 * ranges])
                    bases = chain.from_iterable(range(v >> 8, (v >> 8) + (v & 0xFF) + 1) for v in packed)
                    sequences.update(zip(bases, repeat(selector)))
                if non_default:  # mappings: 3-byte base, 2-byte glyph id
                    at = offset + non_default
                    (mappings,) = struct.unpack_from(">I", data, at)
                    raw = data[at + 4:at + 4 + 5 * mappings]
                    bases = (a << 16 | b << 8 | c for a, b, c in zip(raw[0::5], raw[1::5], raw[2::5]))
                    sequences.update(zip(bases, repeat(selector)))
        return Coverage(codepoints, frozenset(sequences))
    except (OSError, struct.error, IndexError, ValueError):
        return None


def _fonttools_coverage(path: Path) -> Coverage:
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
    """The code points and variation sequences of the bundled face, read once per process."""
    path = fonts_dir() / FONT_FILES[font]
    return _read_cmap(path) or _fonttools_coverage(path)


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
