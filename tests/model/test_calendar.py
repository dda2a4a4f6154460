"""和暦 labels and report periods as printed on official reports."""

from __future__ import annotations

import datetime as dt

import pytest

from reportgen.model.calendar import (
    FISCAL_MONTHS,
    Period,
    era_year,
    fiscal_year_label,
    month_label,
    short_fy_label,
    to_fullwidth_digits,
    wareki_date,
)


@pytest.mark.parametrize(
    ("fy", "label"),
    [
        (2023, "令和5年度"),
        (2019, "令和元年度"),  # 令和 began in May, the year is still 令和元年度
        (2018, "平成30年度"),
        (2017, "平成29年度"),
        (1989, "平成元年度"),
        (1988, "昭和63年度"),
        (1927, "昭和2年度"),
        (1912, "大正元年度"),
        (1911, "明治44年度"),
        (1873, "明治6年度"),
    ],
)
def test_fiscal_year_label(fy: int, label: str) -> None:
    assert fiscal_year_label(fy) == label


def test_fiscal_year_label_fullwidth() -> None:
    assert fiscal_year_label(2023, fullwidth=True) == "令和５年度"
    assert fiscal_year_label(2030, fullwidth=True) == "令和１２年度"
    assert fiscal_year_label(2019, fullwidth=True) == "令和元年度"


def test_fiscal_year_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        fiscal_year_label(1850)
    with pytest.raises(TypeError):
        fiscal_year_label("2023")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        fiscal_year_label(True)  # type: ignore[arg-type]


def test_era_year_and_short_label() -> None:
    assert era_year(2023) == ("令和", 5)
    assert era_year(2019) == ("令和", 1)
    assert era_year(2017) == ("平成", 29)
    assert short_fy_label(2022) == "R4"
    assert short_fy_label(2017) == "H29"
    assert short_fy_label(1988) == "S63"
    assert short_fy_label(1920) == "T9"
    assert short_fy_label(1900) == "M33"


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (dt.date(2019, 4, 30), "平成31年4月30日"),  # the last day of 平成
        (dt.date(2019, 5, 1), "令和元年5月1日"),
        (dt.date(2017, 7, 14), "平成29年7月14日"),
        (dt.date(2024, 5, 20), "令和6年5月20日"),
        (dt.date(1989, 1, 7), "昭和64年1月7日"),
        (dt.date(1989, 1, 8), "平成元年1月8日"),
        (dt.date(1926, 12, 24), "大正15年12月24日"),
        (dt.date(1926, 12, 25), "昭和元年12月25日"),
        (dt.date(1912, 7, 29), "明治45年7月29日"),
        (dt.date(1912, 7, 30), "大正元年7月30日"),
    ],
)
def test_wareki_date(day: dt.date, text: str) -> None:
    assert wareki_date(day) == text


def test_wareki_date_variants() -> None:
    assert wareki_date(dt.date(2024, 5, 20), fullwidth=True) == "令和６年５月２０日"
    assert wareki_date(dt.datetime(2024, 5, 20, 9, 30)) == "令和6年5月20日"
    with pytest.raises(ValueError):
        wareki_date(dt.date(1872, 12, 31))  # lunisolar calendar still in use


def test_fiscal_months() -> None:
    assert FISCAL_MONTHS == (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)
    assert [month_label(m) for m in FISCAL_MONTHS][:2] == ["4月", "5月"]
    assert month_label(12) == "12月"
    with pytest.raises(ValueError):
        month_label(13)


def test_to_fullwidth_digits() -> None:
    assert to_fullwidth_digits("R4年度 2,974件") == "R４年度 ２,９７４件"


@pytest.mark.parametrize("text", ["annual", "Q1", "Q2", "Q3", "Q4", "2024-02", "2023-10"])
def test_period_round_trip(text: str) -> None:
    assert str(Period.parse(text)) == text


def test_period_parts() -> None:
    assert Period.parse("annual").kind == "annual"
    q = Period.parse("Q3")
    assert (q.kind, q.quarter, q.year, q.month) == ("quarter", 3, None, None)
    m = Period.parse("2024-02")
    assert (m.kind, m.quarter, m.year, m.month) == ("month", None, 2024, 2)


@pytest.mark.parametrize(
    "text", ["Q5", "Q0", "q1", "2023-13", "2023-00", "2023-6", "yearly", "", " annual", "２０２３-０６"]
)
def test_period_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        Period.parse(text)


def test_period_rejects_non_string() -> None:
    with pytest.raises(ValueError):
        Period.parse(2023)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "months"),
    [("annual", 12), ("Q1", 3), ("Q2", 6), ("Q3", 9), ("Q4", 12),
     ("2023-04", 1), ("2023-06", 3), ("2023-12", 9), ("2024-02", 11), ("2024-03", 12)],
)
def test_months_reached(text: str, months: int) -> None:
    assert Period.parse(text).months_reached(2023) == months


def test_month_outside_fiscal_year() -> None:
    for text in ("2023-03", "2024-04"):
        period = Period.parse(text)
        problem = period.check(2023)
        assert problem is not None and text in problem
        with pytest.raises(ValueError):
            period.months_reached(2023)
    assert Period.parse("2024-03").check(2023) is None
    assert Period.parse("Q2").check(2023) is None


def test_period_labels() -> None:
    assert Period.parse("Q1").label() == "第1四半期"
    assert Period.parse("Q1").label(kanji=True) == "第一四半期"
    assert Period.parse("Q4").label(kanji=True) == "第四四半期"
    assert Period.parse("annual").label() == "通期"
    assert Period.parse("2024-02").label() == "令和6年2月末"
    assert Period.parse("2019-04").label() == "平成31年4月末"  # era on the month's last day
    assert Period.parse("2019-05").label() == "令和元年5月末"


def test_months_label() -> None:
    assert [Period.parse(f"Q{q}").months_label() for q in (1, 2, 3, 4)] == [
        "4～6月", "7～9月", "10～12月", "1～3月"]
    assert Period.parse("annual").months_label() == "4～3月"
    assert Period.parse("2024-02").months_label() == "4～2月"
    assert Period.parse("2023-04").months_label() == "4月"


def test_period_is_frozen_and_hashable() -> None:
    p = Period.parse("Q1")
    with pytest.raises(AttributeError):
        p.quarter = 2  # type: ignore[misc]
    assert p == Period.parse("Q1") and len({p, Period.parse("Q1")}) == 1
