"""text_problem finds refused characters with one regular-expression search (issue #13:
a long multi-line cell was checked a Python step per character); the search must
refuse exactly what the rule refuses, at the same first character."""

from __future__ import annotations

import unicodedata

from reportgen.core.text_rules import BIDI_CONTROLS, text_problem


def _refused_by_rule(ch: str) -> bool:
    if ch in "\n\t\r":
        return False
    return unicodedata.category(ch) in ("Cc", "Cs") or ch in BIDI_CONTROLS


def test_every_code_point_is_judged_by_the_rule() -> None:
    for code in range(0x110000):
        ch = chr(code)
        assert (text_problem("行\n" + ch) is not None) == _refused_by_rule(ch), hex(code)


def test_the_first_offending_character_is_named_in_a_long_text() -> None:
    text = "実施状況の記述\n" * 200_000 + "\u202e" + "\x07"
    assert "U+202E" in (text_problem(text) or "")
    assert text_problem("実施状況\n" * 200_000) is None
