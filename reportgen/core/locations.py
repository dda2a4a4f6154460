"""Where a value sits in a report: field paths, source lines, printable quotes.

Every stage speaks of the same places: the reader records the line of each
field, the validator and every checker name ``file:line: field`` in their
messages, whatever file (YAML, JSON, a workbook) or object the report came
from.  These few names are the shared vocabulary, so they live below every
stage.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from .errors import Problem

__all__ = ["Located", "PathKey", "format_path", "is_finite_number", "printable"]

#: A field's place in the plain data: ("sections", 0, "items", 2, "title").
PathKey = tuple[str | int, ...]


def printable(text: str) -> str:
    """``text`` with line breaks, controls and lone surrogates shown as escapes.

    Keys and values quoted in messages come from the file; a stray newline
    would break "one line per problem" and an escape sequence could garble
    the user's terminal.
    """
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch.isprintable() or (ch == " "):
            out.append(ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif unicodedata.category(ch) in ("Zs", "Zl", "Zp") and ch not in "\u2028\u2029":
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return "".join(out)


def format_path(path: PathKey) -> str:
    """``("sections", 0, "title")`` → ``sections[0].title``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            shown = printable(part)
            if len(shown) > 40:
                shown = shown[:40] + "…"
            out += ("." if out else "") + shown
    return out


@dataclass
class Located:
    """Plain data plus the source line of each path, for error messages.

    ``written`` keeps, for YAML values that YAML turned into true/false, how
    they were written (``no``, ``On``…), so a message can say what it read.
    """

    data: Any
    source: str
    lines: dict[PathKey, int] = field(default_factory=dict)
    written: dict[PathKey, str] = field(default_factory=dict)

    def line(self, path: PathKey) -> int | None:
        """Line of ``path``, or of its nearest located ancestor."""
        p = tuple(path)
        while True:
            if p in self.lines:
                return self.lines[p]
            if not p:
                return None
            p = p[:-1]

    def problem(self, path: PathKey, message: str) -> Problem:
        return Problem(self.source, self.line(path), format_path(path), message)


def is_finite_number(value: Any) -> bool:
    """A number usable as a figure: int or float, not bool, not NaN or infinite."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return not (isinstance(value, float) and not math.isfinite(value))
