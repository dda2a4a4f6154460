"""Messages in Japanese: the gettext catalog applied when a message is printed.

The users are Japanese office staff; errors and warnings are written in
English where they are raised (the ``file:line: field:`` lines are also read
by scripts), and printed in Japanese when the language is Japanese:

* ``reportgen --lang ja …`` or :func:`set_language`, else the environment
  (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``: ``ja_JP.UTF-8`` → ja);
  English otherwise;
* :func:`translate` finds the template of :mod:`reportgen.core.messages` a message
  was made from (``expected {what}, got {found}``), looks its Japanese text up
  in the compiled catalog (``reportgen/locale/ja/LC_MESSAGES/reportgen.mo``,
  built with Babel) and fills in the same values. Values that are themselves
  messages (``{found}``: ``the text "…"``) are translated the same way; values
  from the data are kept as written. Messages joined with ``; `` are
  translated part by part;
* the ``file:line: field:`` prefix of a :class:`~reportgen.core.errors.Problem`
  never changes (:func:`problem_text`), so scripts parse both languages alike.

A message without a template stays English (``tests/test_i18n.py`` checks that
every message of the bad-input corpus has one).
"""

from __future__ import annotations

import os
import re
import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .errors import Problem

__all__ = [
    "LANGUAGES",
    "LOCALE_DIR",
    "language",
    "install_for_click",
    "problem_text",
    "set_language",
    "tr",
    "translate",
    "translation",
]

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "reportgen"
#: Languages messages can be printed in.
LANGUAGES = ("en", "ja")
#: Template values that are messages themselves, translated in turn.
_NESTED = frozenset({"found", "what", "detail", "got", "a", "b", "options"})
_MAX_DEPTH = 4
#: Templates whose value is one word (a type name: "a dict"); else "a grid row needs …" would match.
_ONE_WORD = frozenset({"a {t}", "an {t}"})
#: English words in a row: a value that is a message, not data.
_PROSE = re.compile(r"[A-Za-z]{2,} [A-Za-z]{2,}")

_chosen: str | None = None


def set_language(lang: str | None) -> None:
    """Print messages in ``lang`` ("en", "ja") from now on; None: follow the environment."""
    global _chosen
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    _chosen = lang


def install_for_click(lang: str | None = None) -> None:
    """Let Click's own messages (``Usage:``, ``Error:``, missing options …) follow the language.

    Click translates through gettext's default domain ``messages``; the command
    line binds it to ``reportgen/locale`` (``messages.po``, built by
    ``scripts/i18n.sh``). A language chosen with ``--lang`` goes to the
    ``LANGUAGE`` variable of this process, which gettext reads first.
    """
    import gettext

    gettext.bindtextdomain("messages", str(LOCALE_DIR))
    if lang is not None:
        os.environ["LANGUAGE"] = lang


def language() -> str:
    """The language messages are printed in: the chosen one, else the locale's, else English."""
    if _chosen is not None:
        return _chosen
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            first = value.split(":")[0].lower()
            return "ja" if first.startswith("ja") else "en"
    return "en"


@cache
def translation(lang: str) -> dict[str, str]:
    """The compiled catalog of ``lang``: English template → translated template."""
    if lang == "en":
        return {}
    from babel.messages.mofile import read_mo

    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    try:
        with path.open("rb") as f:
            catalog = read_mo(f)
    except OSError:
        return {}
    return {m.id: m.string for m in catalog if m.id and isinstance(m.id, str) and m.string}


@dataclass(frozen=True)
class _Pattern:
    msgid: str
    strict: re.Pattern[str]  # values never hold "; " (the parts of a joined message)
    loose: re.Pattern[str]


def _regex(template: str, value: str) -> re.Pattern[str]:
    out, seen = [], set()
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        out.append(re.escape(literal))
        if name is None:
            continue
        if name in seen:
            out.append(f"(?P={name})")
        else:
            seen.add(name)
            out.append(f"(?P<{name}>{value})")
    return re.compile("".join(out), re.DOTALL)


@cache
def _patterns() -> tuple[_Pattern, ...]:
    from .messages import TEMPLATES

    def literal_length(template: str) -> int:
        return sum(len(lit) for lit, *_ in string.Formatter().parse(template))

    ordered = sorted(TEMPLATES, key=lambda t: -literal_length(t))
    return tuple(_Pattern(t, _regex(t, r"[\w.]+"), _regex(t, r"[\w.]+")) if t in _ONE_WORD
                 else _Pattern(t, _regex(t, r"(?:(?!; ).)+?"), _regex(t, r".+?")) for t in ordered)


def _fill(pattern: _Pattern, match: re.Match[str], catalog: dict[str, str], depth: int) -> tuple[str, bool]:
    values: dict[str, Any] = {}
    complete = pattern.msgid in catalog
    for name, value in match.groupdict().items():
        if name in _NESTED and depth < _MAX_DEPTH:
            value, done = _translate(value, catalog, depth + 1)
            # a value that is no message is data (a key list, [0, 1], '.txt'): fine as is
            complete = complete and (done or not _PROSE.search(value))
        values[name] = value
    return catalog.get(pattern.msgid, pattern.msgid).format(**values), complete


def _translate(message: str, catalog: dict[str, str], depth: int) -> tuple[str, bool]:
    for pattern in _patterns():
        match = pattern.strict.fullmatch(message)
        if match:
            return _fill(pattern, match, catalog, depth)
    if "; " in message:
        parts = [_translate(part, catalog, depth) for part in message.split("; ")]
        if all(done for _text, done in parts):
            return "。".join(text for text, _done in parts), True
    for pattern in _patterns():
        match = pattern.loose.fullmatch(message)
        if match:
            return _fill(pattern, match, catalog, depth)
    return message, False


def translate(message: str, lang: str | None = None, *, complete: bool = False) -> Any:
    """``message`` in ``lang`` (default :func:`language`); as is when there is no template.

    With ``complete=True`` returns ``(text, whether every part had a translation)``.
    """
    lang = lang or language()
    if lang == "en":
        return (message, True) if complete else message
    text, done = _translate(message, translation(lang), 0)
    return (text, done) if complete else text


def tr(template: str, lang: str | None = None, **values: Any) -> str:
    """A message of :mod:`reportgen.core.messages` made from its template, in ``lang``."""
    lang = lang or language()
    return translation(lang).get(template, template).format(**values)


def problem_text(problem: Problem, lang: str | None = None) -> str:
    """``file:line: field: message`` with the message in ``lang``; the prefix as in English."""
    where = problem.file if problem.line is None else f"{problem.file}:{problem.line}"
    message = translate(problem.message, lang)
    return f"{where}: {problem.path}: {message}" if problem.path else f"{where}: {message}"
