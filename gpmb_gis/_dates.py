"""Dates as offices write them: ISO, dd/mm/yyyy (never mm/dd), Excel serials, date cells."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re

import pandas as pd

__all__ = ["DateParseError", "parse_date"]


_DMY = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2,4})\s*$")
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"  # a time of day, nothing else
_ISO = re.compile(r"^\s*(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})" + _TIME + r"\s*$")
_WORDS = re.compile(r"^\s*(?:ngay\s*)?(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*(\d{4})\s*$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# serials between 1990 and 2100: anything else is not a date a GPMB book holds
_SERIAL_RANGE = (32874, 73051)


class DateParseError(ValueError):
    """A cell that should hold a date but cannot be read as one."""


def _is_blank(value: object) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _from_serial(number: float) -> dt.date:
    if not _SERIAL_RANGE[0] <= number <= _SERIAL_RANGE[1]:
        raise DateParseError(f"{number:g} is not an Excel date serial of 1990–2100")
    return _EXCEL_EPOCH + dt.timedelta(days=math.floor(number))


def _fold(text: str) -> str:
    from gpmb_gis._text import fold

    return fold(text)


@functools.lru_cache(maxsize=1 << 14)
def _from_text(text: str) -> dt.date:
    match = _ISO.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return dt.date(year, month, day)
    match = _DMY.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        if year < 100:
            year += 2000
        return dt.date(year, month, day)
    match = _WORDS.match(_fold(text))
    if match:  # "ngày 15 tháng 3 năm 2024", the whole cell: "dự kiến ngày …" is no date done
        day, month, year = (int(g) for g in match.groups())
        return dt.date(year, month, day)
    stripped = text.strip()
    if re.fullmatch(r"\d+(\.\d+)?", stripped):
        return _from_serial(float(stripped))
    raise DateParseError(f"{text!r} is not a date (write dd/mm/yyyy)")


def parse_date(value: object) -> dt.date | None:
    """Read one cell as a date; ``None`` for a blank cell.

    Text is read day first (``05/03/2024`` is 5 March); numbers are Excel serials.

    Raises
    ------
    DateParseError
        When the cell holds something that is not a possible date (``31/02/2024``).

    Examples
    --------
    >>> parse_date("05/03/2024"), parse_date("2024-03-05"), parse_date(45356)
    (datetime.date(2024, 3, 5), datetime.date(2024, 3, 5), datetime.date(2024, 3, 5))
    >>> parse_date("Ngày 05 tháng 3 năm 2024"), parse_date("2024-03-05 00:00:00")
    (datetime.date(2024, 3, 5), datetime.date(2024, 3, 5))

    A cell that says more than a date (a plan, a condition) is not a date of a step done:

    >>> for planned in ("Dự kiến ngày 15 tháng 5 năm 2024", "2024-05-15 (dự kiến)"):
    ...     try:
    ...         parse_date(planned)
    ...     except DateParseError:
    ...         print("not a date")
    not a date
    not a date
    """
    if _is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _from_serial(float(value))
    try:
        return _from_text(str(value))
    except ValueError as exc:  # dt.date() rejects 31/02
        if isinstance(exc, DateParseError):
            raise
        raise DateParseError(f"{str(value).strip()!r} is not a possible date ({exc})") from exc
