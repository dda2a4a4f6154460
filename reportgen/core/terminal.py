"""What reaches a terminal: data is shown, never obeyed.

File names, problem messages, warnings, diff lines and summaries quote text
from the user's files and from the file system.  A control character there
is an instruction to the terminal: ESC or U+009B (CSI) start escape sequences
that can retitle the window, move the cursor or hide lines; a bidi override
reorders what follows.  Every CLI print of such text goes through
:func:`for_terminal`, which shows those characters as escapes (``\\x1b``,
``\\u202e``) and leaves everything else, line breaks and tabs included, alone.
"""

from __future__ import annotations

import unicodedata
from typing import IO, Any

import click

__all__ = ["SafeStream", "echo", "for_terminal"]

#: Bidi formatting characters (marks, embeddings, overrides, isolates).
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def for_terminal(text: str) -> str:
    """``text`` with control characters (except line feed and tab), lone
    surrogates and bidi controls shown as escapes."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch in "\n\t" or (ch.isprintable() and ch not in _BIDI):
            out.append(ch)
        elif unicodedata.category(ch) in ("Cc", "Cs") or ch in _BIDI:
            out.append(_escape(ch))
        else:
            out.append(ch)  # spaces and other invisible but harmless characters (ZWJ in emoji)
    return "".join(out)


def echo(message: object = "", *, err: bool = False, nl: bool = True) -> None:
    """``click.echo`` of ``message`` made safe for a terminal."""
    click.echo(for_terminal(str(message)), err=err, nl=nl)


class SafeStream:
    """A text stream whose writes go through :func:`for_terminal` (for click's own
    error messages, which quote file names given on the command line)."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(for_terminal(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
