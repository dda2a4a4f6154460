"""Cell values of a hand-made tracker: figures, their formats, ranks.

Offices type the same figure in many ways — 3700 with a ``#,##0`` format, the
text "3,700", "95.5%", 0.955 formatted ``0.0%``, "4:56" or an Excel time,
"△12" for minus twelve — and leave months not reached yet blank or "-".  This
module turns one cell into a model value plus what the cell says about the
format (``int``, ``dec:N``, ``pct:N``, ``time``), so a grid row's format is
inferred from what the office wrote rather than guessed.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["Figure", "NotAFigure", "cell_text", "parse_figure", "row_format", "parse_rank", "normal"]

#: Typed for "no value" in a month not reached yet (kept blank on import).
BLANKS = frozenset({"-", "‐", "―", "—", "–", "ー", "－", "−", "ｰ", "/", "／"})
_NEGATIVE = ("△", "▲")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_TIME = re.compile(r"(\d{1,4}):([0-5]\d)")
_RANK = re.compile(r"^(\d{1,2})\s*位")
_RANK_PREV = re.compile(r"[(]\s*(?:前月|前回|前年度|前年)?\s*(\d{1,2})\s*位?\s*[)]")
_DECIMALS_IN_FORMAT = re.compile(r"0\.(0+)")
#: Excel's day zero: a time-only cell comes back as a datetime on this day.
_EXCEL_EPOCHS = (_dt.date(1899, 12, 30), _dt.date(1899, 12, 31), _dt.date(1900, 1, 1))


class NotAFigure(ValueError):
    """The cell holds text where a figure was expected."""


@dataclass(frozen=True)
class Figure:
    """One grid value and what its cell says about the format."""

    value: int | float | str | None      # None: blank; str only for "H:MM" times
    kind: str = "blank"                  # blank | int | dec | pct | time
    decimals: int = 0


@functools.lru_cache(maxsize=4096)
def normal(text: str) -> str:
    """NFKC and no whitespace at all: for comparing labels typed with line breaks.

    Cached: the reader asks it of the same cells several times per row (header,
    summary and month-header tests)."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


_SPACES = re.compile(r"\s+")


def cell_text(value: Any) -> str:
    """A cell's content as text (line breaks normalised, 2974.0 → "2974")."""
    if value is None:
        return ""
    if value.__class__ is str and "\r" not in value:
        return value  # the usual cases, without the two replacements
    if value.__class__ is int:
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


def _format_decimals(number_format: str) -> int | None:
    if not number_format or number_format == "General":
        return None
    m = _DECIMALS_IN_FORMAT.search(number_format)
    return len(m.group(1)) if m else 0


def _decimals_of(value: float) -> int:
    text = repr(round(value, 6)).rstrip("0")
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


def _time_text(minutes: int) -> str:
    sign = "-" if minutes < 0 else ""
    h, m = divmod(abs(minutes), 60)
    return f"{sign}{h}:{m:02d}"


def _number_figure(value: int | float, number_format: str) -> Figure:
    fmt = number_format or "General"
    if "h" in fmt.lower() and ":" in fmt and "%" not in fmt:
        return Figure(_time_text(round(float(value) * 24 * 60)), "time")
    decimals = _format_decimals(fmt)
    if "%" in fmt:
        d = decimals if decimals is not None else max(_decimals_of(float(value) * 100), 0)
        return Figure(round(float(value), d + 2 + 4), "pct", d)
    if decimals is None:
        decimals = 0 if isinstance(value, int) or float(value).is_integer() else _decimals_of(float(value))
    if isinstance(value, float) and value.is_integer() and decimals == 0:
        value = int(value)
    return Figure(value, "dec" if decimals else "int", decimals)


def _text_figure(text: str) -> Figure:
    s = unicodedata.normalize("NFKC", text).strip()
    if s in BLANKS or not s:
        return Figure(None)
    negative = s.startswith(_NEGATIVE)
    if negative:
        s = s[1:].strip()
    s = s.replace(",", "").replace(" ", "")
    sign = -1 if negative else 1
    if m := _TIME.fullmatch(s):
        minutes = int(m.group(1)) * 60 + int(m.group(2))
        return Figure(_time_text(sign * minutes), "time")
    pct = s.endswith("%")
    if pct:
        s = s[:-1]
    if not _NUMBER.fullmatch(s):
        raise NotAFigure(text)
    try:
        d = Decimal(s) * sign
    except InvalidOperation:  # pragma: no cover - the pattern above admits only numbers
        raise NotAFigure(text) from None
    decimals = max(-d.as_tuple().exponent, 0)  # type: ignore[operator]
    if pct:
        return Figure(float(d / 100), "pct", decimals)
    if decimals:
        return Figure(float(d), "dec", decimals)
    return Figure(int(d), "int")


def parse_figure(value: Any, number_format: str = "General") -> Figure:
    """One grid cell as a Figure; raises NotAFigure for text that is no figure."""
    if value is None:
        return Figure(None)
    if isinstance(value, bool):
        raise NotAFigure(str(value))
    if isinstance(value, (int, float)):
        return _number_figure(value, number_format)
    if isinstance(value, _dt.timedelta):
        return Figure(_time_text(round(value.total_seconds() / 60)), "time")
    if isinstance(value, _dt.datetime):
        if value.date() in _EXCEL_EPOCHS:
            days = (value.date() - _EXCEL_EPOCHS[0]).days
            return Figure(_time_text(days * 1440 + value.hour * 60 + value.minute), "time")
        raise NotAFigure(value.strftime("%Y-%m-%d"))
    if isinstance(value, _dt.time):
        return Figure(_time_text(value.hour * 60 + value.minute), "time")
    if isinstance(value, str):
        return _text_figure(value)
    raise NotAFigure(str(value))


def row_format(figures: list[Figure]) -> str:
    """The series format of a row: the most precise kind its cells show.

    A percentage anywhere makes the row ``pct`` (the other cells are ratios
    written without the sign); times make it ``time``; otherwise the largest
    number of decimals decides between ``int`` and ``dec:N``.
    """
    kinds = {f.kind for f in figures if f.kind != "blank"}
    if "time" in kinds:
        return "time"
    decimals = min(max((f.decimals for f in figures if f.kind in ("pct", "dec", "int")), default=0), 6)
    if "pct" in kinds:
        return f"pct:{decimals}"
    if decimals:
        return f"dec:{decimals}"
    return "int"


def convert_to(figure: Figure, fmt: str) -> int | float | str | None:
    """The figure's value in a row of format ``fmt``; raises NotAFigure when it cannot be."""
    if figure.value is None:
        return None
    if fmt == "time":
        if figure.kind != "time":
            raise NotAFigure(str(figure.value))
        return figure.value
    if figure.kind == "time":
        raise NotAFigure(str(figure.value))
    return figure.value


def parse_rank(text: str) -> tuple[int, int | None] | None:
    """("46位 (前月46位)" → (46, 46)), ("20位" → (20, None)); None when not a rank."""
    s = unicodedata.normalize("NFKC", text).strip()
    m = _RANK.match(s)
    if not m:
        return None
    prev = _RANK_PREV.search(s[m.end():])
    rest = _RANK_PREV.sub("", s[m.end():]).strip()
    if rest:
        return None
    return int(m.group(1)), int(prev.group(1)) if prev else None
