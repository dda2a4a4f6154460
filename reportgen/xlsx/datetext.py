"""A date or time typed into a text cell, as the sheet shows it.

Excel turns ``10/1`` typed into a status cell into a date shown as
``10月1日``; read back as a Python ``datetime`` it would print as
``2023-10-01 00:00:00``, which is not what anyone typed or saw.  The cell's
number format says how the sheet shows it; this module renders the date
parts of such formats (years, months, days, 和暦 eras, weekdays, hours,
minutes, seconds, quoted literals).  Anything it does not know (a fraction
of a second, an elapsed-time bracket other than ``[h]``) prints as written
in the format, and a format with no date part gives ``yyyy/m/d`` (``h:mm``
for times), the Japanese Excel default.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..model.calendar import GREGORIAN_ADOPTION, era_of_date

__all__ = ["DATE_TYPES", "date_text", "is_date_value"]

#: The classes a cell reader gives dates and times as (a quick test of a whole row: ``map(type, row)``)
DATE_TYPES = frozenset({dt.datetime, dt.date, dt.time, dt.timedelta})

_TOKEN = re.compile(r'"[^"]*"|\\.|_.|\*.|\[[^\]]*\]|yyyy|yy|e+|g{1,3}|m{1,5}|d{1,4}|a{3,4}|h{1,2}|s{1,2}|'
                    r'AM/PM|am/pm|A/P|a/p|.', re.IGNORECASE | re.DOTALL)
_WEEKDAYS_JA = "月火水木金土日"
_WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")
#: Excel's built-in date formats that Japanese Excel shows its own way
_BUILTIN = {"mm-dd-yy": "yyyy/m/d", "m/d/yyyy": "yyyy/m/d", "d-mmm-yy": "yyyy/m/d", "d-mmm": "m月d日",
            "mmm-yy": "yyyy年m月", "m/d/yy h:mm": "yyyy/m/d h:mm", "general": ""}


def is_date_value(value: Any) -> bool:
    return isinstance(value, (dt.date, dt.time, dt.timedelta))


def _default(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return "yyyy/m/d" if value.time() == dt.time() else "yyyy/m/d h:mm"
    if isinstance(value, dt.date):
        return "yyyy/m/d"
    return "h:mm:ss" if _seconds(value) % 60 else "h:mm"


def _seconds(value: Any) -> int:
    if isinstance(value, dt.timedelta):
        return int(value.total_seconds())
    if isinstance(value, dt.time):
        return value.hour * 3600 + value.minute * 60 + value.second
    if isinstance(value, dt.datetime):
        return value.hour * 3600 + value.minute * 60 + value.second
    return 0


def date_text(value: Any, number_format: str | None) -> str:
    """``value`` (a date, datetime, time or timedelta read from a cell) as ``number_format`` shows it."""
    fmt = (number_format or "").split(";", 1)[0]
    fmt = _BUILTIN.get(fmt.lower(), fmt)
    if not re.search(r"[ymdhsega]", re.sub(r'"[^"]*"|\[[^\]]*\]', "", fmt), re.IGNORECASE):
        fmt = _default(value)
    tokens = _TOKEN.findall(fmt)
    day = value.date() if isinstance(value, dt.datetime) else value if isinstance(value, dt.date) else None
    seconds = _seconds(value)
    twelve = any(t.lower() in ("am/pm", "a/p") for t in tokens)
    out: list[str] = []
    for i, token in enumerate(tokens):
        low = token.lower()
        prev = next((t.lower().strip("[]") for t in reversed(tokens[:i]) if t.lstrip("[")[:1].lower() in "ymdhs"), "")
        nxt = next((t.lower().strip("[]") for t in tokens[i + 1:] if t.lstrip("[")[:1].lower() in "ymdhs"), "")
        if token.startswith('"'):
            out.append(token[1:-1])
        elif token[0] == "\\":
            out.append(token[1:])
        elif token[0] == "_":
            out.append(" ")
        elif token[0] == "*":
            continue
        elif token.startswith("["):
            if low in ("[h]", "[hh]"):
                out.append(str(seconds // 3600).zfill(len(low) - 2))
            continue                              # locale, colour, [DBNum]: no text of their own
        elif low[0] == "m" and len(low) <= 2 and (prev.startswith("h") or nxt.startswith("s")):
            out.append(str(seconds // 60 % 60).zfill(len(low)))
        elif low[0] == "h":
            hour = seconds // 3600 % 24
            if twelve:
                hour = hour % 12 or 12
            out.append(str(hour).zfill(len(low)))
        elif low[0] == "s" and low.strip("s") == "":
            out.append(str(seconds % 60).zfill(len(low)))
        elif low in ("am/pm", "a/p"):
            pm = seconds // 3600 % 24 >= 12
            out.append(("PM" if pm else "AM") if low == "am/pm" else ("P" if pm else "A"))
        elif day is None and low[0] in "ymdgea" and low.strip(low[0]) == "":
            continue                              # a time has no date parts
        elif low[0] == "y":
            out.append(str(day.year) if low != "yy" else f"{day.year % 100:02d}")
        elif low[0] == "m":
            out.append(str(day.month).zfill(len(low)) if len(low) <= 2 else
                       _MONTHS_EN[day.month - 1][: 3 if len(low) == 3 else None] if len(low) < 5 else
                       _MONTHS_EN[day.month - 1][0])
        elif low[0] == "d":
            out.append(str(day.day).zfill(len(low)) if len(low) <= 2 else
                       _WEEKDAYS_EN[day.weekday()][: 3 if len(low) == 3 else None])
        elif low in ("aaa", "aaaa"):
            out.append(_WEEKDAYS_JA[day.weekday()] + ("曜日" if low == "aaaa" else ""))
        elif low[0] in "ge":
            if day < GREGORIAN_ADOPTION:
                out.append(str(day.year) if low[0] == "e" else "")
                continue
            name, year = era_of_date(day)
            if low[0] == "e":
                out.append(str(year).zfill(len(low)))
            else:
                out.append({1: {"明治": "M", "大正": "T", "昭和": "S", "平成": "H", "令和": "R"}[name],
                            2: name[0], 3: name}[len(low)])
        else:
            out.append(token)
    return "".join(out)
