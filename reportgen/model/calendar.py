"""和暦 (Japanese era) labels, fiscal months and report periods.

Babel only knows the Gregorian calendar (its era field prints 西暦 and the
``@calendar=japanese`` locale extension is ignored), so the era table lives
here.  Official documents print the first year of an era as 元年, never 1年.

Everything here is pure: no I/O, no clock, no locale state.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Literal, NamedTuple

__all__ = [
    "ERAS", "FISCAL_MONTHS", "Era", "Period", "date_in_text", "era_of_date", "era_year",
    "fiscal_year_in_text", "fiscal_year_label", "month_label", "short_fy_label", "to_fullwidth_digits",
    "wareki_date",
]


class Era(NamedTuple):
    name: str      # 令和
    initial: str   # R, as in the header 【参考】R4年度実績
    start: _dt.date


# Oldest first.  明治 counts its years from 1868, but before 明治6年 (1873)
# Japan used a lunisolar calendar, so Gregorian dates earlier than
# GREGORIAN_ADOPTION have no faithful 和暦 rendering and are refused.
ERAS: tuple[Era, ...] = (
    Era("明治", "M", _dt.date(1868, 1, 25)),
    Era("大正", "T", _dt.date(1912, 7, 30)),
    Era("昭和", "S", _dt.date(1926, 12, 25)),
    Era("平成", "H", _dt.date(1989, 1, 8)),
    Era("令和", "R", _dt.date(2019, 5, 1)),
)
GREGORIAN_ADOPTION = _dt.date(1873, 1, 1)

# Japanese fiscal years run April to March; tables list months in this order.
FISCAL_MONTHS: tuple[int, ...] = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)

_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_KANJI_DIGITS = "〇一二三四五六七八九"


def to_fullwidth_digits(s: str) -> str:
    """Replace ASCII digits by full-width ones (令和５年度), which some
    branches use in titles; other characters are left alone."""
    return s.translate(_FULLWIDTH)


def _check_int(value: object, what: str) -> int:
    # bool is an int subclass; True as a year is always a data error.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an integer, not {value!r}")
    return value


def _year_text(n: int, fullwidth: bool) -> str:
    if n == 1:
        return "元"
    return to_fullwidth_digits(str(n)) if fullwidth else str(n)


def _era_for_fiscal_year(fy: int) -> tuple[Era, int]:
    _check_int(fy, "fiscal year")
    if fy < GREGORIAN_ADOPTION.year:
        raise ValueError(f"fiscal year {fy} is before {GREGORIAN_ADOPTION.year}; no 和暦 label")
    # Official usage names a fiscal year after the era that began in that
    # calendar year, even when the era began after April: 2019 → 令和元年度
    # (not 平成31年度), 1989 → 平成元年度.
    era = [e for e in ERAS if e.start.year <= fy][-1]
    return era, fy - era.start.year + 1


def era_year(fy: int) -> tuple[str, int]:
    """("令和", 5) for fiscal year 2023: the parts of the 年度 label."""
    era, year = _era_for_fiscal_year(fy)
    return era.name, year


def fiscal_year_label(fy: int, *, fullwidth: bool = False) -> str:
    """"令和5年度" for the fiscal year that starts in April of Gregorian year fy."""
    era, year = _era_for_fiscal_year(fy)
    return f"{era.name}{_year_text(year, fullwidth)}年度"


def short_fy_label(fy: int) -> str:
    """"R5" for 2023: the abbreviated form used in column headers.

    The first year prints as 1 (R1): abbreviations are Latin-letter forms and
    "R元" is not used in headers.
    """
    era, year = _era_for_fiscal_year(fy)
    return f"{era.initial}{year}"


def era_of_date(d: _dt.date) -> tuple[str, int]:
    """("平成", 31) for 2019-04-30: the era actually in force on that day."""
    if isinstance(d, _dt.datetime):  # a datetime cannot be compared with a date
        d = d.date()
    if not isinstance(d, _dt.date):
        raise TypeError(f"expected a date, not {d!r}")
    if d < GREGORIAN_ADOPTION:
        raise ValueError(f"{d.isoformat()} is before Japan adopted the Gregorian calendar (1873-01-01)")
    era = [e for e in ERAS if e.start <= d][-1]
    return era.name, d.year - era.start.year + 1


def wareki_date(d: _dt.date, *, fullwidth: bool = False) -> str:
    """"令和6年5月20日" for 2024-05-20; dates are printed in 和暦 on official reports."""
    name, year = era_of_date(d)
    text = f"{name}{_year_text(year, fullwidth)}年{d.month}月{d.day}日"
    return to_fullwidth_digits(text) if fullwidth else text


def month_label(m: int) -> str:
    """"4月": the column header of a monthly series."""
    if _check_int(m, "month") not in range(1, 13):
        raise ValueError(f"month must be 1–12, not {m}")
    return f"{m}月"


PeriodKind = Literal["annual", "quarter", "month"]
_MONTH_RE = re.compile(r"([0-9]{4})-([0-9]{2})")
_QUARTER_RE = re.compile(r"Q([1-4])")
_QUARTER_MONTHS = {1: "4～6月", 2: "7～9月", 3: "10～12月", 4: "1～3月"}


@dataclass(frozen=True)
class Period:
    """How far into the fiscal year a report reaches: the whole year, the
    end of a quarter, or the end of a given month (status as of month-end).

    Quarterly reports leave months after the period empty, so the renderer
    needs ``months_reached``; headings need the labels.
    """

    kind: PeriodKind
    quarter: int | None = None
    year: int | None = None
    month: int | None = None

    def __post_init__(self) -> None:
        ok = {
            "annual": self.quarter is None and self.year is None and self.month is None,
            "quarter": self.quarter in (1, 2, 3, 4) and self.year is None and self.month is None,
            "month": self.quarter is None and isinstance(self.year, int)
            and self.month in range(1, 13),
        }.get(self.kind, False)
        if not ok:
            raise ValueError(f"inconsistent period {self!r}")

    @classmethod
    def parse(cls, text: str) -> Period:
        """Accept exactly "annual", "Q1".."Q4" or "YYYY-MM"."""
        if not isinstance(text, str):
            raise ValueError(f"period must be annual, Q1–Q4 or YYYY-MM, not {text!r}")
        if text == "annual":
            return cls("annual")
        if m := _QUARTER_RE.fullmatch(text):
            return cls("quarter", quarter=int(m.group(1)))
        if m := _MONTH_RE.fullmatch(text):
            month = int(m.group(2))
            if not 1 <= month <= 12:
                raise ValueError(f"period {text!r}: month must be 01–12")
            return cls("month", year=int(m.group(1)), month=month)
        raise ValueError(f"period must be annual, Q1–Q4 or YYYY-MM (month-end), not {text!r}")

    def __str__(self) -> str:
        if self.kind == "annual":
            return "annual"
        if self.kind == "quarter":
            return f"Q{self.quarter}"
        return f"{self.year:04d}-{self.month:02d}"

    def check(self, fiscal_year: int) -> str | None:
        """The problem with using this period in fiscal_year, or None.

        Only a YYYY-MM period can disagree: it must lie between April of
        fiscal_year and March of the next year.
        """
        _check_int(fiscal_year, "fiscal year")
        if self.kind != "month":
            return None
        if (fiscal_year, 4) <= (self.year, self.month) <= (fiscal_year + 1, 3):
            return None
        return (f"period {self} is outside fiscal year {fiscal_year} "
                f"({fiscal_year}-04 … {fiscal_year + 1}-03)")

    def months_reached(self, fiscal_year: int) -> int:
        """How many fiscal months (April first) the period covers, 1..12."""
        problem = self.check(fiscal_year)
        if problem:
            raise ValueError(problem)
        if self.kind == "annual":
            return 12
        if self.kind == "quarter":
            assert self.quarter is not None
            return 3 * self.quarter
        return FISCAL_MONTHS.index(self.month) + 1

    def _month_end(self) -> _dt.date:
        assert self.year is not None and self.month is not None
        first_next = _dt.date(self.year + self.month // 12, self.month % 12 + 1, 1)
        return first_next - _dt.timedelta(days=1)

    def label(self, kanji: bool = False, *, fullwidth: bool = False) -> str:
        """"第1四半期" (kanji: "第一四半期"), "通期" or "令和6年2月末".

        A month label takes the era in force on the month's last day
        (2019-04 → 平成31年4月末).
        """
        if self.kind == "annual":
            return "通期"
        if self.kind == "quarter":
            assert self.quarter is not None
            q = _KANJI_DIGITS[self.quarter] if kanji else str(self.quarter)
            return to_fullwidth_digits(f"第{q}四半期") if fullwidth else f"第{q}四半期"
        end = self._month_end()
        name, year = era_of_date(end)
        text = f"{name}{_year_text(year, fullwidth)}年{end.month}月末"
        return to_fullwidth_digits(text) if fullwidth else text

    def months_label(self) -> str:
        """The months covered, "4～6月" style (U+FF5E as in the official forms).

        A quarter covers its own three months; annual covers "4～3月"; a
        month-end period reports the year so far, so 2024-02 gives "4～2月".
        """
        if self.kind == "annual":
            return "4～3月"
        if self.kind == "quarter":
            assert self.quarter is not None
            return _QUARTER_MONTHS[self.quarter]
        return "4月" if self.month == 4 else f"4～{self.month}月"


_FY_TEXT_RE = re.compile(r"(明治|大正|昭和|平成|令和|[MTSHR])\s*([0-9]{1,2}|元)\s*年度|([12][0-9]{3})\s*年度")


def fiscal_year_in_text(text: str) -> tuple[int, str] | None:
    """The fiscal year a 年度 label in ``text`` names, and the label as found.

    "令和5年度 群馬支部事業計画" → (2023, "令和5年度"); R5年度, 令和元年度,
    full-width digits and 2023年度 are read too.  None when there is no such label.
    """
    import unicodedata

    normal = unicodedata.normalize("NFKC", text)
    m = _FY_TEXT_RE.search(normal)
    if not m:
        return None
    if m.group(3):
        return int(m.group(3)), m.group(0)
    era = next(e for e in ERAS if m.group(1) in (e.name, e.initial))
    year = 1 if m.group(2) == "元" else int(m.group(2))
    return era.start.year + year - 1, m.group(0)


_DATE_TEXT_RE = re.compile(r"(?:(明治|大正|昭和|平成|令和|[MTSHR])\s*([0-9]{1,2}|元)|([12][0-9]{3}))\s*"
                           r"(?:年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日|[./-]([0-9]{1,2})[./-]([0-9]{1,2}))"
                           r"\s*(?:現在|時点|付け?|作成)?")


def date_in_text(text: str) -> _dt.date | None:
    """The date a whole text states: "令和6年10月15日", "R6.10.15", "2024年10月15日現在",
    "２０２４/１０/１５" (full-width digits, 元年).  None when the text is anything else, or
    the date does not exist (令和6年2月30日) or precedes the Gregorian calendar in Japan."""
    import unicodedata

    m = _DATE_TEXT_RE.fullmatch(unicodedata.normalize("NFKC", text).strip())
    if not m:
        return None
    if m.group(3):
        year = int(m.group(3))
    else:
        era = next(e for e in ERAS if m.group(1) in (e.name, e.initial))
        year = era.start.year + (1 if m.group(2) == "元" else int(m.group(2))) - 1
    month, day = int(m.group(4) or m.group(6)), int(m.group(5) or m.group(7))
    try:
        found = _dt.date(year, month, day)
    except ValueError:
        return None
    return found if found >= GREGORIAN_ADOPTION else None
