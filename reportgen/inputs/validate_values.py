"""The values of the format: texts, numbers, dates, choices, mappings and lists.

The first layer of the validator (:mod:`reportgen.inputs.validate`): every part
of the format (KPI, content blocks, items, the report) is checked with these
primitives, so a text, a number or a date obeys one set of rules and is refused
with one wording wherever it stands.  Each primitive records a located problem
and returns None (or an empty value) instead of stopping: a user fixing a file
wants the whole list.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from typing import Any, Callable, TypeVar

from ..core.errors import Problem
from ..core.locations import Located, PathKey, is_finite_number, printable
from ..core.text_rules import text_problem
from ..model.marks import MarkScale
from ..model.numbers import NumberFormat

T = TypeVar("T")

#: Longest text of one field, in characters: what an Excel cell holds (about 16
#: printed pages), since every text reaches the tracker workbook.
MAX_TEXT_CHARS = 32_767
#: Largest magnitude of a number (figures, series values, table cells): every
#: renderer can sum, scale (pct: ×100) and round a figure this large, and Excel
#: holds its digits exactly (15 significant digits).  1e308 passes as "finite"
#: yet overflows to inf in a sum or a percentage.
MAX_MAGNITUDE = 10**15
#: First date that can be printed in 和暦: Japan adopted the Gregorian calendar on 1873-01-01.
FIRST_DATE = _dt.date(1873, 1, 1)
#: Longest message, so that a huge value quoted in one stays readable.
_MAX_MESSAGE = 400


def clip(text: str, limit: int = 20) -> str:
    """A value quoted in a message: at most ``limit`` characters, printable."""
    return printable(text if len(text) <= limit else text[:limit] + "…")


def value_kind(value: Any) -> str:
    """What a value is, as a message says it was found: 'the text "abc"'."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isnan(value):
        return "NaN (not a number)"
    if isinstance(value, float) and math.isinf(value):
        return "infinity" if value > 0 else "minus infinity"
    if isinstance(value, (int, float)):
        shown = str(value) if not isinstance(value, int) or abs(value) < 10**30 else f"{value:.3e}"
        return f"the number {shown}"
    if isinstance(value, str):
        return f'the text "{clip(value)}"'
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping (key: value pairs)"
    if isinstance(value, (_dt.date, _dt.datetime)):
        return f"the date {value.isoformat()}"
    return f"a value of type {type(value).__name__}"


def number_hint(text: str) -> str:
    """Why a text that looks like a number is not one, and how to write it."""
    t = unicodedata.normalize("NFKC", text).strip()
    if t.endswith("%"):
        try:
            ratio = float(t[:-1].replace(",", "")) / 100
            return f"; write a percentage as a ratio: {round(ratio, 10):g} for {t}"
        except ValueError:
            return ""
    plain = t.replace(",", "")
    try:
        number = float(plain)
    except ValueError:
        try:
            number = float(int(plain, 0))  # 0o17, 0x1F: YAML 1.1 reads these as text
        except ValueError:
            return ""
    if not math.isfinite(number):
        return ""
    shown = f"{int(number)}" if number.is_integer() and abs(number) < 10**15 else f"{number:g}"
    if "," in t:
        return f"; write it without commas: {shown}"
    if t != text.strip():
        return f"; write it with half-width digits: {shown}"
    return f"; write it as the number {shown}"


def _bad_char(text: str) -> str | None:
    """Characters that cannot be data (controls, bidi controls, lone surrogates):
    the one rule of every input source, :func:`reportgen.core.text_rules.text_problem`."""
    return text_problem(text)


def _too_large(value: Any) -> str | None:
    """Why a finite number cannot be a figure: beyond ±:data:`MAX_MAGNITUDE`."""
    if abs(value) > MAX_MAGNITUDE:
        shown = f"{value:.6g}" if isinstance(value, float) or len(str(value)) > 20 else str(value)
        return f"the number {shown} is too large; numbers are limited to ±{MAX_MAGNITUDE:.0e} (10^15)"
    return None


def closest(key: str, allowed: tuple[str, ...]) -> str | None:
    """The allowed name a misspelt one most likely meant ("did you mean …?"), or None."""
    import difflib

    if len(str(key)) > 40:  # a pasted paragraph is no typo of a key (and difflib is slow on it)
        return None
    match = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.7)
    return match[0] if match else None


class ValueRules:
    """The primitives every part of the format is checked with, and the state of
    one run: the problems found so far, the report's mark scale (entries read
    their marks on it), the count of entries, the 分野 label limit and layout."""

    def __init__(self, located: Located) -> None:
        self.loc = located
        self.problems: list[Problem] = []
        self.marks: MarkScale | None = None
        self.entries = 0
        #: (characters, column mm) of the vertical 分野 label, set from the report's head.
        self.label_limit: tuple[int, float] | None = None
        self.layout = "plan-status"

    def err(self, path: PathKey, message: str) -> None:
        message = printable(message)
        if len(message) > _MAX_MESSAGE:
            message = message[:_MAX_MESSAGE] + "…"
        self.problems.append(self.loc.problem(path, message))

    def kind(self, value: Any, path: PathKey) -> str:
        """``value_kind`` plus, for YAML's yes/no/on/off, how the value was written."""
        if isinstance(value, bool):
            written = self.loc.written.get(tuple(path))
            if written is not None and written.lower() not in ("true", "false"):
                return (f"{written} (YAML reads an unquoted {written} as {str(value).lower()}; "
                        f'write "{written}" in quotes to mean the text)')
        return value_kind(value)

    def mapping(self, value: Any, path: PathKey, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            some = ", ".join(allowed[:3])
            self.err(path, f"expected a mapping with keys such as {some}, got {self.kind(value, path)}")
            return None
        for key in value:
            if key not in allowed:
                hint = closest(key, allowed)
                self.err(path + (key,), "unknown key" + (f" (did you mean '{hint}'?)" if hint
                                                         else f"; expected one of {', '.join(allowed)}"))
        for key in required:
            if key not in value:
                self.err(path, f"missing required key '{key}'")
        return value

    def text(self, value: Any, path: PathKey, *, allow_number: bool = False) -> str | None:
        if isinstance(value, str):
            bad = _bad_char(value)
            if bad:
                self.err(path, bad)
                return None
            if len(value) > MAX_TEXT_CHARS:
                self.err(path, f"the text is {len(value):,} characters long; the limit is {MAX_TEXT_CHARS:,}")
                return None
            # A carriage return is a line break (old Mac files, a "\r" escape, an Excel
            # cell): one kind of line break in the model, so a workbook cell read back
            # (XML turns CR into LF) compares equal to what was written.
            return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value
        if allow_number and is_finite_number(value):
            return str(value)
        self.err(path, f"expected text, got {self.kind(value, path)}")
        return None

    def number_or_text(self, value: Any, path: PathKey) -> str | int | None:
        """Numbers like 項番 may be written 1 or "（１）"; both print as written."""
        if isinstance(value, int) and not isinstance(value, bool):
            return self.bounded(value, path)
        return self.text(value, path)

    def texts(self, value: Any, path: PathKey) -> list[str]:
        if not isinstance(value, list):
            hint = f" (write [{clip(value, 40)}] for a list of one)" if isinstance(value, str) else ""
            self.err(path, f"expected a list of texts, got {self.kind(value, path)}{hint}")
            return []
        out = [self.text(v, path + (i,), allow_number=True) for i, v in enumerate(value)]
        return [t for t in out if t is not None]

    def number(self, value: Any, path: PathKey, *, allow_none: bool = True) -> float | int | None:
        if value is None and allow_none:
            return None
        if is_finite_number(value):
            return self.bounded(value, path)
        if isinstance(value, float):
            self.err(path, f"expected a number, got {value_kind(value)}; only finite numbers can be printed")
            return None
        hint = number_hint(value) if isinstance(value, str) else ""
        self.err(path, f"expected a number, got {self.kind(value, path)}{hint}")
        return None

    def bounded(self, value: Any, path: PathKey) -> Any:
        """A finite number within ±MAX_MAGNITUDE, or None (and a located problem)."""
        problem = _too_large(value)
        if problem:
            self.err(path, problem)
            return None
        return value

    def integer(self, value: Any, path: PathKey, what: str = "an integer") -> int | None:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        self.err(path, f"expected {what}, got {self.kind(value, path)}")
        return None

    def boolean(self, value: Any, path: PathKey) -> bool:
        if isinstance(value, bool):
            return value
        self.err(path, f"expected true or false, got {self.kind(value, path)}")
        return False

    def choice(self, value: Any, path: PathKey, options: tuple[str, ...]) -> str | None:
        if isinstance(value, str) and value in options:
            return value
        self.err(path, f"expected one of {', '.join(options)}, got {self.kind(value, path)}")
        return None

    def fmt(self, value: Any, path: PathKey) -> str | None:
        spec = self.text(value, path)
        if spec is None:
            return None
        if len(spec) > 40:
            self.err(path, f"expected a format such as int:件 or pct:1, got {value_kind(spec)}")
            return None
        try:
            NumberFormat.parse(spec)
        except ValueError as exc:
            self.err(path, str(exc))
            return None
        return spec

    def each(self, value: Any, path: PathKey, fn: Callable[[Any, PathKey], T | None]) -> list[T]:
        if not isinstance(value, list):
            self.err(path, f"expected a list (lines starting with '- '), got {self.kind(value, path)}")
            return []
        out = []
        for i, v in enumerate(value):
            built = fn(v, path + (i,))
            if built is not None:
                out.append(built)
        return out

    def date(self, value: Any, path: PathKey) -> _dt.date | None:
        found = self.calendar_date(value, path)
        if found is not None and found < FIRST_DATE:
            self.err(path, f"{found.isoformat()} is before Japan adopted the Gregorian calendar "
                           f"({FIRST_DATE.isoformat()}); it cannot be printed in 和暦")
            return None
        return found

    def calendar_date(self, value: Any, path: PathKey) -> _dt.date | None:
        if isinstance(value, _dt.datetime):
            return value.date()
        if isinstance(value, _dt.date):
            return value
        if isinstance(value, str):
            try:
                return _dt.date.fromisoformat(value)
            except ValueError:
                if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", value.strip()):
                    y, m, d = (int(x) for x in value.strip().split("-"))
                    try:
                        return _dt.date(y, m, d)  # 2024-5-20, which YAML also reads as a date
                    except ValueError as exc:
                        self.err(path, f"there is no date {value.strip()} in the calendar ({exc})")
                        return None
        hint = ("; write the Western date such as 2024-05-20 (it is printed in 和暦)"
                if isinstance(value, str) and re.search("明治|大正|昭和|平成|令和|年", value) else "")
        self.err(path, f"expected a date YYYY-MM-DD, got {self.kind(value, path)}{hint}")
        return None
