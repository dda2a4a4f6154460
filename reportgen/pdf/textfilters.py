"""Jinja filters that turn plain report text into safe, well-breaking HTML.

Report text is untrusted and plain (``<b>`` in the data prints as ``<b>``).
These filters never mark data as safe: they split the *raw* text into pieces,
escape every piece with :func:`markupsafe.escape`, and only then join the
escaped pieces with markup of our own (``<span class="nb">``, ``<br>``).
The regular expressions therefore never see entities such as ``&#39;`` and
cannot produce markup from data.

Why ``nb`` spans: WeasyPrint's line breaker (Pango, UAX #14 with CJK rules)
may break between an ideograph and a digit, so "令和|5年度" or "2,974|件" can
be split over two lines. Official documents never do that; a
``white-space: nowrap`` span around such tokens keeps them together while the
rest of the text keeps its normal Japanese line breaking.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

__all__ = ["NB_PATTERN", "lines", "nb_tokens", "rich", "rich_nobr"]

_DIGIT = "0-9０-９"
_NUM = rf"[{_DIGIT}](?:[{_DIGIT},，.．]*[{_DIGIT}])?"
#: Units that follow a number in these reports (longest first where they overlap).
_UNITS = (
    "千円", "万円", "円", "件", "人", "名", "社", "機関", "事業所", "か月", "ヶ月", "ケ月",
    "カ月", "箇所", "か所", "部位", "営業日", "日間", "日", "時間", "分", "秒", "年度", "年",
    "月末", "月分", "月", "回", "枚", "通", "位", "倍", "点", "歳", "床", "号", "部", "割",
    "％", "%", "ポイント", "pt",
)
_UNIT = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
_ERA = "令和|平成|昭和|大正|明治"
_SP = "[ 　]?"  # "令和 4 年度", "7 月": one optional (full-width) space inside the token

#: Era dates and years ("令和 4 年度", "平成29年7月14日", "R4年度"), "第1四半期", ranges
#: ("4～6月") and numbers with a unit ("2,974件", "96.5％", "10 営業日").
NB_PATTERN = re.compile(
    rf"(?:{_ERA}){_SP}(?:[{_DIGIT}]{{1,2}}|元){_SP}年(?:度|{_SP}[{_DIGIT}]{{1,2}}{_SP}月(?:{_SP}[{_DIGIT}]{{1,2}}{_SP}日)?)?"
    rf"|[RHS][{_DIGIT}]{{1,2}}{_SP}年度"
    rf"|第{_SP}[{_DIGIT}一二三四]{_SP}四半期"
    rf"|{_NUM}{_SP}[～〜~]{_SP}{_NUM}{_SP}(?:{_UNIT})"
    rf"|{_NUM}{_SP}(?:{_UNIT})"
)


def nb_tokens(text: str) -> list[tuple[str, bool]]:
    """Split ``text`` into (piece, keep_together) pairs; joined they give ``text`` back."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for m in NB_PATTERN.finditer(text):
        if m.start() > pos:
            out.append((text[pos:m.start()], False))
        out.append((m.group(0), True))
        pos = m.end()
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def _line(text: str) -> Markup:
    parts = []
    for piece, keep in nb_tokens(text):
        if keep:
            parts.append(Markup('<span class="nb">%s</span>') % piece)  # % escapes piece
        else:
            parts.append(escape(piece))
    return Markup("").join(parts)


def rich(value: object) -> Markup:
    """Escaped text with ``nb`` spans; a newline becomes ``<br>``.

    ``None`` prints nothing. Anything else is converted with ``str`` first, so a
    number in a label cell is printed as written. A value that already is
    :class:`~markupsafe.Markup` is treated as plain text too: the view model
    never produces markup, so markup arriving here can only be data.
    """
    if value is None:
        return Markup("")
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return Markup("<br>").join(_line(line) for line in text.split("\n"))


def rich_nobr(value: object) -> Markup:
    """Like :func:`rich` but newlines become spaces (single-line places: outline labels)."""
    if value is None:
        return Markup("")
    return _line(" ".join(str(value).split("\n")))


def lines(value: object) -> Markup:
    """Escaped text, a newline becomes ``<br>``, and no ``nb`` spans.

    For places that never wrap anyway (``white-space: nowrap`` cells of the
    embedded tables): there an ``nb`` span changes nothing on the page, yet each
    one is an inline box WeasyPrint styles and lays out. A 400-entry report has
    ~7,000 of them in its tables; leaving them out makes the whole render about
    10 % faster with identical pages (bench/css_experiments.py).
    """
    if value is None:
        return Markup("")
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return Markup("<br>").join(escape(line) for line in text.split("\n"))
