"""Cell formatting: 四捨五入 (half-up) rounding, grouping, units, Excel formats."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from babel.numbers import format_decimal

from reportgen.model.numbers import (
    NumberFormat,
    excel_number_format,
    excel_value,
    format_value,
    parse_time,
    round_half_up,
)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("text", NumberFormat("text")),
        ("int", NumberFormat("int")),
        ("int:件", NumberFormat("int", 0, "件")),
        ("int:円", NumberFormat("int", 0, "円")),
        ("dec:2", NumberFormat("dec", 2)),
        ("dec:1:日", NumberFormat("dec", 1, "日")),
        ("pct:0", NumberFormat("pct", 0)),
        ("pct:6", NumberFormat("pct", 6)),
        ("yen", NumberFormat("yen")),
        ("kyen", NumberFormat("kyen")),
        ("date", NumberFormat("date")),
        ("time", NumberFormat("time")),
    ],
)
def test_parse_spec(spec: str, expected: NumberFormat) -> None:
    parsed = NumberFormat.parse(spec)
    assert parsed == expected
    assert str(parsed) == spec


@pytest.mark.parametrize(
    "spec",
    ["pct:x", "float", "dec:-1", "dec:12", "dec:7", "pct", "dec", "dec:", "int:",
     "pct:1:件", "dec:2:", "yen:円", "text:x", "Int", "", "int: 件", 'int:"', None],
)
def test_parse_spec_rejects(spec: str) -> None:
    with pytest.raises(ValueError):
        NumberFormat.parse(spec)


def test_constructor_validates() -> None:
    with pytest.raises(ValueError):
        NumberFormat("yen", unit="円")
    with pytest.raises(ValueError):
        NumberFormat("int", decimals=2)


def test_round_half_up() -> None:
    assert round_half_up(2.5, 0) == Decimal("3")
    assert round_half_up(-2.5, 0) == Decimal("-3")
    assert round_half_up(1.005, 2) == Decimal("1.01")  # binary 1.00499999… would give 1.00
    assert round_half_up(Decimal("0.125"), 2) == Decimal("0.13")
    assert str(round_half_up(12345.6, 2)) == "12345.60"
    assert str(round_half_up(-0.4, 0)) == "0"  # never "-0"
    assert round_half_up("8.765", 2) == Decimal("8.77")
    assert round_half_up(10**30 + 0.0, 0) == Decimal(10**30)
    with pytest.raises(ValueError):
        round_half_up(float("nan"), 1)


def test_babel_alone_would_round_half_even() -> None:
    # Why we round ourselves: Babel gives "2" and "12" here; 四捨五入 gives 3 and 13.
    assert format_decimal(2.5, format="#,##0", locale="ja_JP") == "2"
    assert format_value(2.5, "int") == "3"
    assert format_value(0.125, "pct:0") == "13％"


@pytest.mark.parametrize(
    ("value", "spec", "text"),
    [
        (None, "int", ""),
        (None, "pct:1", ""),
        (None, "text", ""),
        (2974, "int", "2,974"),
        (2974, "int:件", "2,974件"),
        (2.5, "int", "3"),
        (0.5, "int", "1"),
        (1.5, "int", "2"),
        (-1234, "int", "-1,234"),
        (-2.5, "int", "-3"),
        (-0.4, "int", "0"),
        (1234567890, "int", "1,234,567,890"),
        (8.765, "dec:2", "8.77"),
        (12.345, "dec:2", "12.35"),
        (1.005, "dec:2", "1.01"),
        (12345.6, "dec:2", "12,345.60"),
        (7.0, "dec:2", "7.00"),
        (6.7, "dec:2:日", "6.70日"),
        (3, "dec:0", "3"),
        (0.965, "pct:1", "96.5％"),
        (0.125, "pct:1", "12.5％"),
        (0.96445, "pct:2", "96.45％"),
        (0.9995, "pct:1", "100.0％"),
        (1, "pct:0", "100％"),
        (0.00251, "pct:3", "0.251％"),
        (12.5, "pct:0", "1,250％"),
        (1234567, "yen", "1,234,567円"),
        (1234.5, "kyen", "1,235千円"),
        (Decimal("2.345"), "dec:2", "2.35"),
        ("2974", "int:件", "2,974件"),
        ("0.965", "pct:1", "96.5％"),
        ("―", "int:件", "―"),
        ("未実施", "pct:1", "未実施"),
        ("2,974", "int", "2,974"),
        (2974, "text", "2974"),
        (2974.0, "text", "2974"),
        (0.5, "text", "0.5"),
        ("<b>x</b>", "text", "<b>x</b>"),
        (dt.date(2024, 5, 20), "date", "令和6年5月20日"),
        ("2019-04-30", "date", "平成31年4月30日"),
        ("未定", "date", "未定"),
        ("4:56", "time", "4:56"),
        ("12:05", "time", "12:05"),
        (296, "time", "4:56"),
        (65, "time", "1:05"),
        ("―", "time", "―"),
    ],
)
def test_format_value(value: object, spec: str, text: str) -> None:
    assert format_value(value, spec) == text


def test_format_value_accepts_parsed_format() -> None:
    assert format_value(0.965, NumberFormat("pct", 1)) == "96.5％"


def test_percent_sign_is_fullwidth() -> None:
    assert format_value(0.5, "pct:0").endswith("\uff05")


def test_format_value_errors() -> None:
    with pytest.raises(ValueError):
        format_value("4:60", "time")
    with pytest.raises(ValueError):
        format_value("2023-13-01", "date")
    with pytest.raises(ValueError):
        format_value(1, "dec:9")
    with pytest.raises(TypeError):
        format_value(True, "int")
    with pytest.raises(TypeError):
        format_value([1], "int")


def test_parse_time() -> None:
    assert parse_time("4:56") == 296
    assert parse_time("0:00") == 0
    assert parse_time("100:59") == 6059
    for bad in ("4:5", "x:10", "4:60", "4", ":30", "4:56:00", " 4:56"):
        with pytest.raises(ValueError):
            parse_time(bad)


@pytest.mark.parametrize(
    ("spec", "excel"),
    [
        ("int", "#,##0"),
        ("int:件", '#,##0"件"'),
        ("dec:2", "#,##0.00"),
        ("dec:1:日", '#,##0.0"日"'),
        ("dec:0", "#,##0"),
        ("pct:1", "0.0%"),
        ("pct:0", "0%"),
        ("pct:3", "0.000%"),
        ("yen", '#,##0"円"'),
        ("kyen", '#,##0"千円"'),
        ("date", "yyyy/m/d"),
        ("time", "[h]:mm"),
        ("text", "@"),
    ],
)
def test_excel_number_format(spec: str, excel: str) -> None:
    assert excel_number_format(spec) == excel


def test_excel_value() -> None:
    assert excel_value("4:56", "time") == dt.timedelta(hours=4, minutes=56)
    assert excel_value(296, "time") == dt.timedelta(hours=4, minutes=56)
    assert excel_value("2024-05-20", "date") == dt.date(2024, 5, 20)
    assert excel_value(dt.datetime(2024, 5, 20, 9), "date") == dt.date(2024, 5, 20)
    assert excel_value(0.965, "pct:1") == 0.965  # raw ratio; Excel's 0.0% shows 96.5%
    assert excel_value(2.5, "int") == 2.5  # not pre-rounded: Excel keeps computable values
    got = excel_value("2974", "int:件")
    assert got == 2974 and isinstance(got, int)
    assert excel_value("0.965", "pct:1") == 0.965
    assert excel_value("―", "int") == "―"
    assert excel_value(None, "int") is None
    assert excel_value(2974.0, "text") == "2974"
    with pytest.raises(ValueError):
        excel_value("4:60", "time")


def test_counts_under_a_pct_column_print_as_counts() -> None:
    from reportgen.model.numbers import cell_format, format_value

    assert format_value(67604, cell_format(67604, "pct:2")) == "67,604"
    assert format_value(0.8431, cell_format(0.8431, "pct:2")) == "84.31％"
    assert format_value(1, cell_format(1, "pct:0")) == "100％"
    assert cell_format(2481, "int:件") == cell_format(1, "int:件")


def test_long_figures_typed_as_text_are_grouped() -> None:
    from reportgen.model.numbers import format_value

    assert format_value("10000000000000000000000000000", "int:件") == "10,000,000,000,000,000,000,000,000,000件"
