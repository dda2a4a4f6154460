"""Wording as written: numbering and marks that the data already carries.

Offices number their section and group banners in many ways — "１．基盤的…",
"（Ⅲ）ICT化の推進", "〇サービス水準の向上", "■広報" — and a reader holding
the original notices a "〇" added in front of "（Ⅲ）" or a second "①" in
front of "①サービススタンダード…". The printers ask here whether a text
already starts with its own enumerator or bullet, and add theirs only when
it does not (issue 12, point 9).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .report import Report

__all__ = ["GROUP_MARK", "banner_text", "heading_text", "numbered", "report_heading", "starts_numbered"]

#: What a group banner starts with when its title carries no numbering of its own
#: (seed 004: 〇サービス水準の向上(業務グループ)).
GROUP_MARK = "〇"

_DIGITS = "0-9０-９"
_ROMAN = "ⅰ-ⅻⅠ-Ⅻ"
_KANJI_NUM = "一二三四五六七八九十"
#: An enumerator or bullet at the start of a text, as offices type them:
#: （１） (1) （Ⅲ） （ア） ① ㉑ １． 1. 1) Ⅲ． ア． 第1 一． 〇 ○ ◎ ● ■ □ ◆ ◇ ・ ※ 【KPI】.
_OWN_NUMBER = re.compile(
    rf"^(?:[(（][{_DIGITS}{_ROMAN}{_KANJI_NUM}ア-ンa-zA-Zａ-ｚＡ-Ｚ]{{1,3}}[)）]"
    rf"|[①-⑳㉑-㉟㊱-㊿]"
    rf"|[{_DIGITS}]{{1,3}}[.．)）、](?![{_DIGITS}])"
    rf"|[{_ROMAN}{_KANJI_NUM}ア-ンＡ-Ｚ][.．)）、]"
    rf"|第[{_DIGITS}{_KANJI_NUM}]+"
    r"|[〇○◯◎●■□◆◇▲△▼▽・※★☆]"
    r"|【KPI】)"
)


def starts_numbered(text: str) -> bool:
    """True when ``text`` starts with an enumerator or bullet of its own."""
    return _OWN_NUMBER.match(text.lstrip()) is not None


def numbered(prefix: str, text: str) -> str:
    """``prefix + text`` unless ``text`` is already numbered (no "①①")."""
    return text if not prefix or starts_numbered(text) else prefix + text


def banner_text(title: str, owner: str | None) -> str:
    """A group banner: "〇サービス水準の向上（業務グループ）", the title kept as
    written when it carries its own numbering ("（Ⅲ）ICT化の推進")."""
    return numbered(GROUP_MARK, title) + (f"（{owner}）" if owner else "")


_ENDS_ALNUM = re.compile(r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ]$")


def heading_text(number: str | int | None, title: str) -> str:
    """A section heading: "1 基盤的保険者関係", but "１．基盤的…" and "（Ⅲ）ICT化…"
    without a space added after the number's own punctuation."""
    if number is None or number == "":
        return title
    text = str(number)
    return text + (" " if _ENDS_ALNUM.search(text) else "") + title


def report_heading(report: Report) -> str:
    """"令和５年度 事業計画（埼玉支部）": the title with the organisation unless the
    title names it, or names a branch (支部) of its own: "令和5年度 群馬支部事業計画"
    with organization 全国健康保険協会群馬支部 prints as written."""
    if report.organization and report.organization not in report.title and "支部" not in report.title:
        return f"{report.title}（{report.organization}）"
    return report.title
