"""Dates as offices write them."""

from __future__ import annotations

import datetime as dt

import pytest

from gpmb_gis._dates import DateParseError, parse_date

D = dt.date(2024, 3, 5)


@pytest.mark.parametrize(
    "value",
    [
        "05/03/2024",
        "5/3/2024",
        "05-03-2024",
        "05.03.2024",
        "2024-03-05",
        "2024/03/05",
        "2024-03-05 00:00:00",
        45356,
        45356.0,
        "45356",
        dt.datetime(2024, 3, 5, 8, 30),
        D,
        "05/03/24",
    ],
)
def test_parse_date_forms(value):
    assert parse_date(value) == D


def test_day_first_never_month_first():
    assert parse_date("01/02/2024") == dt.date(2024, 2, 1)


@pytest.mark.parametrize("value", [None, "", "  ", float("nan")])
def test_blank_is_none(value):
    assert parse_date(value) is None


@pytest.mark.parametrize("value", ["31/02/2024", "abc", "13/13/2024", 12, "2024-02-30"])
def test_impossible_dates_raise(value):
    with pytest.raises(DateParseError):
        parse_date(value)
