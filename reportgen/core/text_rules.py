"""Which characters data may hold: one rule for every input source.

YAML, JSON, tracker workbooks and hand-made workbooks all reach the same
renderers and the same terminal, so they follow the same rule
(:func:`text_problem`), applied by :mod:`reportgen.inputs.validate` to every text a
report holds, whatever file it came from:

* **Control characters** (Unicode category Cc: C0 U+0000–U+001F except tab,
  line feed and carriage return, DEL, and C1 U+0080–U+009F) are refused.  They
  cannot be printed or stored in a workbook, and on a terminal U+009B (CSI) or
  ESC start escape sequences.  An Excel cell can hold them (typed or pasted), so
  a workbook is no exception.
* **Lone surrogates** are refused: they are not characters at all.
* **Bidirectional overrides and isolates** (U+202A–U+202E, U+2066–U+2069) are
  refused: invisible, they reorder what follows, so a status holding
  U+202E … U+202C shows ``1,234件`` as ``432,1件`` in a PDF, a workbook or a
  terminal without any visible sign.  Japanese reports have no use for them.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["BIDI_CONTROLS", "text_problem"]

#: Bidirectional embeddings, overrides (U+202A–U+202E) and isolates (U+2066–U+2069).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ALLOWED_CONTROLS = frozenset("\n\t\r")


#: Every character the loop below refuses (Cc but tab, LF, CR; Cs; bidi controls): a C-level
#: search finds the first one, instead of a Python step per character of every multi-line text
#: (an 8-million-character cell took 9 s).
_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")


def text_problem(text: str) -> str | None:
    """Why ``text`` may not be data (the first offending character), or None."""
    if text.isprintable():  # fast path: no Cc, Cs or bidi control (all non-printable)
        return None
    found = _REFUSED.search(text)
    if found is None:
        return None
    for ch in text[found.start():]:
        if ch in _ALLOWED_CONTROLS:
            continue
        cat = unicodedata.category(ch)
        if cat == "Cs":
            return f"contains a lone surrogate U+{ord(ch):04X}"
        if cat == "Cc":
            return f"contains the control character U+{ord(ch):04X}"
        if ch in BIDI_CONTROLS:
            return (f"contains the bidirectional control U+{ord(ch):04X}, which silently reorders the text "
                    "as it is shown; remove it")
    return None
