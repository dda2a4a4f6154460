"""Cell value formatting for PDF text and Excel cells.

Official figures are rounded half-up (四捨五入) while Babel rounds half-even
(2.5 → "2"), so every number is rounded here with Decimal ROUND_HALF_UP first
and Babel only adds digit grouping to an already exact Decimal.  Floats are
converted through repr() so 0.96445 stays 0.96445 instead of its binary
expansion 0.964449999…, which would round down.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from functools import lru_cache
from typing import Any

from .calendar import wareki_date

__all__ = [
    "KINDS", "MAX_DECIMALS", "NumberFormat", "excel_number_format", "excel_value",
    "cell_format", "format_value", "parse_time", "parse_typed", "round_half_up",
]

Number = int | float | Decimal
KINDS = ("text", "int", "dec", "pct", "yen", "kyen", "date", "time")
MAX_DECIMALS = 6
_NUMERIC_KINDS = frozenset({"int", "dec", "pct", "yen", "kyen"})


@lru_cache(maxsize=1)
def _locale():  # type: ignore[no-untyped-def]
    """Babel's ja_JP, loaded on the first figure printed: reading and validating
    a file never needs it (Babel's import and locale data are ~40 ms of a start)."""
    from babel import Locale

    return Locale.parse("ja_JP")
_SPEC_HELP = "text, int, int:UNIT, dec:N, dec:N:UNIT, pct:N, yen, kyen, date, time"
_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_TIME_RE = re.compile(r"([0-9]+):([0-9]{2})")


@dataclass(frozen=True)
class NumberFormat:
    """A parsed cell format such as ``int:件`` or ``pct:1``.

    ``decimals`` applies to dec and pct; ``unit`` to int and dec (yen and
    kyen carry fixed units).  Invalid combinations are refused at
    construction so renderers never meet them.
    """

    kind: str
    decimals: int = 0
    unit: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown format kind {self.kind!r}; expected one of {_SPEC_HELP}")
        if self.decimals and self.kind not in ("dec", "pct"):
            raise ValueError(f"format {self.kind!r} takes no decimals")
        if self.unit and self.kind not in ("int", "dec"):
            raise ValueError(f"format {self.kind!r} takes no unit")
        if isinstance(self.decimals, bool) or not isinstance(self.decimals, int) \
                or not 0 <= self.decimals <= MAX_DECIMALS:
            raise ValueError(f"decimals must be 0–{MAX_DECIMALS}, not {self.decimals!r}")
        if self.unit != self.unit.strip() or '"' in self.unit \
                or any(ord(c) < 32 for c in self.unit):
            # '"' would break the quoted literal in the Excel number format.
            raise ValueError(f"invalid unit {self.unit!r}")

    @staticmethod
    def parse(spec: str) -> NumberFormat:
        """Parse a format spec written in the input file (see docs/FORMAT.md)."""
        if not isinstance(spec, str):
            raise ValueError(f"format must be a string ({_SPEC_HELP}), not {spec!r}")
        return _parse_spec(spec)

    def __str__(self) -> str:
        """The spec text again ("dec:1:日"), for error messages."""
        parts = [self.kind] + ([str(self.decimals)] if self.kind in ("dec", "pct") else [])
        return ":".join(parts + ([self.unit] if self.unit else []))


@lru_cache(maxsize=256)
def _parse_spec(spec: str) -> NumberFormat:
    # Cached: a large table repeats the same few specs in every row.
    kind, _, rest = spec.partition(":")
    bad = f"invalid format {spec!r}; expected one of {_SPEC_HELP}"
    if kind in ("text", "yen", "kyen", "date", "time"):
        if rest or spec != kind:
            raise ValueError(bad)
        return NumberFormat(kind)
    if kind == "int":
        if spec != "int" and not rest:
            raise ValueError(bad)
        return NumberFormat("int", unit=rest)
    if kind in ("dec", "pct"):
        digits, sep, unit = rest.partition(":")
        if not re.fullmatch(r"[0-9]+", digits):
            raise ValueError(bad)
        if int(digits) > MAX_DECIMALS:
            raise ValueError(f"invalid format {spec!r}: at most {MAX_DECIMALS} decimals")
        if sep and (kind == "pct" or not unit):
            raise ValueError(bad)
        return NumberFormat(kind, int(digits), unit)
    raise ValueError(bad)


def _as_format(fmt: NumberFormat | str) -> NumberFormat:
    return fmt if isinstance(fmt, NumberFormat) else NumberFormat.parse(fmt)


def _to_decimal(value: Number) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise TypeError(f"expected a number, not {value!r}")
    # repr() is the shortest string that round-trips, i.e. what the author wrote.
    d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not d.is_finite():
        raise ValueError(f"cannot format non-finite number {value!r}")
    return d


def round_half_up(value: Number | str, decimals: int) -> Decimal:
    """Round to ``decimals`` places, ties away from zero (四捨五入: -2.5 → -3)."""
    if isinstance(value, str):
        if not _NUMBER_RE.fullmatch(value.strip()):
            raise ValueError(f"not a number: {value!r}")
        d = Decimal(value.strip())
    else:
        d = _to_decimal(value)
    with localcontext() as ctx:
        ctx.prec = 200  # quantize fails when the result needs more digits than prec
        try:
            q = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        except InvalidOperation:
            raise ValueError(f"cannot round {value!r} to {decimals} decimals") from None
    return abs(q) if q == 0 else q  # never print "-0"


@lru_cache(maxsize=None)
def _grouping_pattern(decimals: int) -> Any:
    """Babel's parsed "#,##0.00" pattern, once per number of decimals (``format_decimal``
    parses it again for every figure: 30 µs each, a third of a second for a large tracker)."""
    from babel.numbers import parse_pattern

    return parse_pattern("#,##0" + ("." + "0" * decimals if decimals else ""))


def _grouped(d: Decimal, decimals: int) -> str:
    # keyed by the exact digits (Decimal("1.0") == Decimal("1.00") would share an entry)
    return _grouped_text(str(d), decimals)


@lru_cache(maxsize=16384)
def _grouped_text(digits: str, decimals: int) -> str:
    """Babel's grouping of one figure, memoised: ``watch`` prints the same figures after every
    save, and Babel parses its pattern on every call (issue #16)."""
    d = Decimal(digits)
    # d is already rounded; no quantization so Babel's half-even never applies.
    # Babel still quantizes internally, which needs more precision than the
    # default 28 digits for long figures typed as text.
    with localcontext() as ctx:
        ctx.prec = 200
        # what babel.numbers.format_decimal does, with the pattern parsed once
        return str(_grouping_pattern(decimals).apply(d, _locale(), decimal_quantization=False))


def _numeric(value: object) -> Number | None:
    """value as a number, or None when it is a label string."""
    if isinstance(value, str):
        s = value.strip()
        return Decimal(s) if _NUMBER_RE.fullmatch(s) else None
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise TypeError(f"expected a number or text, not {value!r}")
    return value


def parse_time(text: str) -> int:
    """Minutes in a duration written "H:MM" ("4:56" → 296).

    Minutes need two digits and must be below 60, so typos such as "4:5"
    or "4:60" are caught instead of silently meaning something else.
    """
    m = _TIME_RE.fullmatch(text) if isinstance(text, str) else None
    if not m:
        raise ValueError(f"time must be written H:MM (e.g. 4:56), not {text!r}")
    hours, minutes = int(m.group(1)), int(m.group(2))
    if minutes >= 60:
        raise ValueError(f"time {text!r}: minutes must be below 60")
    return hours * 60 + minutes


def _parse_date(text: str) -> _dt.date | None:
    m = _DATE_RE.fullmatch(text.strip())
    if not m:
        return None
    try:
        return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError as exc:
        raise ValueError(f"invalid date {text!r}: {exc}") from None


def _minutes(value: object) -> int | None:
    """Minutes for a time cell, or None when it is a label string."""
    if isinstance(value, str) and ":" in value:
        return parse_time(value.strip())
    n = _numeric(value)
    return None if n is None else int(round_half_up(n, 0))


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 2974.0 → "2974": YAML may turn counts into floats
    return str(value)


def format_value(value: object, fmt: NumberFormat | str) -> str:
    """The printed text of one cell value.

    None prints empty (not yet known).  Strings that are not numbers are
    returned unchanged, because tables mix labels (―, 未実施) with figures.
    """
    f = _as_format(fmt)
    if value is None:
        return ""
    if f.kind == "text":
        return _text(value)
    if f.kind == "date":
        if isinstance(value, str):
            d = _parse_date(value)
            return value if d is None else wareki_date(d)
        return wareki_date(value)  # type: ignore[arg-type]
    if f.kind == "time":
        minutes = _minutes(value)
        if minutes is None:
            return str(value)
        sign = "-" if minutes < 0 else ""
        h, m = divmod(abs(minutes), 60)
        return f"{sign}{h}:{m:02d}"
    n = _numeric(value)
    if n is None:
        return str(value)
    if f.kind == "pct":
        text = _grouped(round_half_up(_to_decimal(n) * 100, f.decimals), f.decimals)
        return text + "％"
    text = _grouped(round_half_up(n, f.decimals), f.decimals)
    return text + {"yen": "円", "kyen": "千円"}.get(f.kind, f.unit)


def excel_number_format(fmt: NumberFormat | str) -> str:
    """The openpyxl ``number_format`` for a cell holding the raw value, so
    the workbook keeps computable numbers yet shows what the PDF shows."""
    f = _as_format(fmt)
    fixed = {"text": "@", "date": "yyyy/m/d", "time": "[h]:mm"}
    if f.kind in fixed:
        return fixed[f.kind]
    fraction = "." + "0" * f.decimals if f.decimals else ""
    if f.kind == "pct":
        return f"0{fraction}%"
    unit = {"yen": "円", "kyen": "千円"}.get(f.kind, f.unit)
    return f"#,##0{fraction}" + (f'"{unit}"' if unit else "")


def excel_value(value: object, fmt: NumberFormat | str) -> object:
    """The value to store in an Excel cell: numbers stay numbers (not the
    rounded text), times become timedelta and dates become date, so Excel
    can compute with them; label strings pass through."""
    f = _as_format(fmt)
    if value is None:
        return None
    if f.kind == "text":
        return _text(value)
    if f.kind == "date":
        if isinstance(value, _dt.datetime):
            return value.date()
        if isinstance(value, str):
            d = _parse_date(value)
            return value if d is None else d
        return value
    if f.kind == "time":
        minutes = _minutes(value)
        return value if minutes is None else _dt.timedelta(minutes=minutes)
    n = _numeric(value)
    if n is None:
        return value
    if isinstance(n, Decimal):  # came from a numeric string
        return int(n) if n == n.to_integral_value() and "." not in str(value) else float(n)
    return n


#: Smallest whole number that cannot be a ratio under a ``pct`` column.
_COUNT_UNDER_PCT = 100


def cell_format(value: object, fmt: NumberFormat | str) -> NumberFormat:
    """The format one table cell actually takes, given its column's format.

    Real tables mix a ratio row (回収率 0.8431) with count rows (対象枚数
    67604) under one per-column format; printing the counts as 6760400.00％ is
    never what the author meant, and a ratio of 100 (10,000％) does not occur in
    these reports.  So a whole number ≥ 100 under ``pct`` is shown as a count.
    """
    parsed = _as_format(fmt)
    if (parsed.kind == "pct" and isinstance(value, int) and not isinstance(value, bool)
            and abs(value) >= _COUNT_UNDER_PCT):
        return NumberFormat("int")
    return parsed


# --------------------------------------------------------------------------
# Reading typed figures back (the inverse of excel_value)
# --------------------------------------------------------------------------

#: Signs offices write for negative figures: △100, ▲100, −100 (full-width minus).
_NEGATIVE_MARKS = ("△", "▲", "−", "－", "-")


def _figure_text(text: str, f: NumberFormat) -> object:
    import unicodedata

    s = unicodedata.normalize("NFKC", text).strip().replace(",", "").replace(" ", "")
    negative = False
    for mark in _NEGATIVE_MARKS:
        if text.strip().startswith(mark):
            negative = True
            s = unicodedata.normalize("NFKC", text.strip()[len(mark):]).strip().replace(",", "")
            break
    if f.kind == "time":
        minutes = parse_time(s)
        return ("-" if negative and minutes else "") + f"{minutes // 60}:{minutes % 60:02d}"
    if f.kind == "date":
        d = _parse_date(s.replace("/", "-")) if re.fullmatch(r"\d{4}[/-]\d{1,2}[/-]\d{1,2}", s) else None
        if d is None and re.fullmatch(r"\d{4}[/-]\d{1,2}[/-]\d{1,2}", s):
            y, m, dd = (int(x) for x in re.split(r"[/-]", s))
            d = _dt.date(y, m, dd)
        if d is None:
            raise ValueError(f"{text!r} is not a date (write 2023/4/1)")
        return d
    percent = s.endswith("%")
    if percent:
        if f.kind != "pct":
            raise ValueError(f"{text!r}: a percentage in a {f} cell")
        s = s[:-1]
    else:
        for unit in sorted({"円", "千円", f.unit} - {""}, key=len, reverse=True):
            if s.endswith(unit):
                s = s[: -len(unit)]
                break
    if not _NUMBER_RE.fullmatch(s):
        raise ValueError(f"{text!r} is not a figure of format {f}")
    d = Decimal(s)
    if negative:
        d = -d
    if percent:
        d = d / 100
    if f.kind in ("int", "yen", "kyen") and d == d.to_integral_value() and "." not in s:
        return int(d)
    return float(d)


def parse_typed(value: object, fmt: NumberFormat | str) -> object:
    """The model value of what a person typed into a cell of format ``fmt``.

    The inverse of :func:`excel_value`, accepting what offices type: numbers,
    "3,700" or "３，７００" as text, "95.5%", "4:56" and Excel times, dates,
    △/▲-negatives ("△12" is -12), the format's unit ("3,788円").  A blank
    cell is None (no value).  Raises ValueError naming what is wrong.
    """
    f = _as_format(fmt)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a figure")
    if f.kind == "text":
        return _text(value) if not isinstance(value, (int, float)) else value
    if f.kind == "time":
        if isinstance(value, _dt.timedelta):
            minutes = int(round_half_up(Decimal(repr(value.total_seconds())) / 60, 0))
        elif isinstance(value, _dt.time):
            minutes = value.hour * 60 + value.minute + (1 if value.second >= 30 else 0)
        elif isinstance(value, _dt.datetime):
            raise ValueError(f"{value!r} is a date, not a time H:MM")
        elif isinstance(value, (int, float)):
            minutes = int(round_half_up(_to_decimal(value) * 1440, 0))   # Excel: days
        else:
            return _figure_text(str(value), f)
        sign = "-" if minutes < 0 else ""
        h, m = divmod(abs(minutes), 60)
        return f"{sign}{h}:{m:02d}"
    if f.kind == "date":
        if isinstance(value, _dt.datetime):
            return value.date()
        if isinstance(value, _dt.date):
            return value
        if isinstance(value, str):
            return _figure_text(value, f)
        raise ValueError(f"{value!r} is not a date")
    if isinstance(value, (_dt.date, _dt.time, _dt.timedelta)):
        raise ValueError(f"{value!r} is not a figure of format {f}")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{value!r} is not a figure")
        if isinstance(value, float) and value.is_integer() and f.kind in ("int", "yen", "kyen"):
            return int(value)
        return value
    return _figure_text(str(value), f)
