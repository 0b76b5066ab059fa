"""Money and counts as offices write them: ``1.234.567``, ``1,234,567``, ``1 234 567`` đồng.

Money is kept exactly, as whole đồng (Python integers). A heading gives the unit: "(đồng)",
"(nghìn đồng)", "(triệu đồng)", "(tỷ đồng)"; a heading without one is in đồng, and the book's
reader says so once. A cell whose reading depends on a guess (``1.234`` in millions: one
million two hundred thousand, or one thousand two hundred million?) is not read: it is said.
"""

from __future__ import annotations

import math
import numbers
import re
from decimal import ROUND_HALF_UP, Decimal

from gpmb_gis._text import fold

__all__ = [
    "MOST_COUNT",
    "MOST_LOTS",
    "MOST_VND",
    "UNITS",
    "AmountError",
    "money_unit",
    "parse_amount",
    "parse_count",
]

#: Units a money heading ends with (folded, letters and digits only) → đồng each.
UNITS: dict[str, int] = {
    "dong": 1, "vnd": 1, "vnđ": 1, "d": 1, "đ": 1,
    "nghindong": 1_000, "ngandong": 1_000, "1000dong": 1_000, "1000d": 1_000, "nghin": 1_000,
    "trieudong": 1_000_000, "trieu": 1_000_000, "trd": 1_000_000, "trdong": 1_000_000,
    "tydong": 1_000_000_000, "ty": 1_000_000_000,
    "trieuvnd": 1_000_000, "trieuvnđ": 1_000_000, "x1000d": 1_000, "x1000dong": 1_000,
    "1000vnd": 1_000, "nghinvnd": 1_000, "dongho": 1, "vndho": 1, "tyvnd": 1_000_000_000,
}  # fmt: skip


#: More đồng than one row of a book can hold (a million billion): a typo, not an amount.
MOST_VND = 10**15
#: More graves or structures than one row can hold (a year, a lot's number: not a count).
MOST_COUNT = 100
#: More resettlement lots than one household is given.
MOST_LOTS = 10


class AmountError(ValueError):
    """A cell that is not an amount, or whose reading would be a guess."""


def money_unit(heading: str) -> int | None:
    """The unit of a money heading (đồng each): in brackets anywhere, or its last words.

    None when the heading says no unit. A heading over two rows ("Kinh phí (triệu đồng)"
    over "Đã chi trả") gives the unit of either.

    Examples
    --------
    >>> money_unit("Đã chi trả (triệu đồng)"), money_unit("Kinh phí (tỷ đồng) Đã chi trả")
    (1000000, 1000000000)
    >>> money_unit("Số tiền đã chi trả, đồng"), money_unit("Số tiền đã chi trả") is None
    (1, True)
    """
    for inside in re.findall(r"\(([^()]*)\)", heading):
        unit = UNITS.get(_key(inside))
        if unit is not None:
            return unit
    words = fold(heading).replace(",", " ").split()
    for n in (2, 1):  # "... triệu đồng", "... đồng"
        unit = UNITS.get(_key(" ".join(words[-n:]))) if len(words) > n else None
        if unit is not None and _key(" ".join(words[-n:])) not in ("d", "ty", "trieu", "nghin"):
            return unit
    return None


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text))


_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
_SUFFIX = re.compile(r"(?:vnd|vnđ|dong|đồng|đ|d)\.?$", re.IGNORECASE)


def parse_amount(value: object, unit: int = 1) -> int | None:
    """An amount in whole đồng, from a cell written in ``unit`` (đồng each); None if blank.

    Thousands may be grouped by dots, commas or spaces; a decimal part is written after a
    comma (or after a dot, when commas group the thousands). In đồng a single dot or comma
    before three digits groups thousands; in a larger unit it would be a guess, refused.

    Raises
    ------
    AmountError
        When the cell is not an amount, or reading it would take a guess.

    Examples
    --------
    >>> parse_amount("1.234.567"), parse_amount("1,234,567"), parse_amount("1 234 567 đ")
    (1234567, 1234567, 1234567)
    >>> parse_amount("12,5", 1_000_000), parse_amount(12.5, 1_000_000)
    (12500000, 12500000)
    """
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise AmountError("not an amount")
    if isinstance(value, numbers.Real):
        if not math.isfinite(float(value)):
            raise AmountError("not an amount")
        integral = isinstance(value, numbers.Integral)
        number = Decimal(int(value)) if integral else Decimal(repr(float(value)))
    else:
        number = _decimal(str(value), unit)
        if number is None:
            return None
    if number < 0:
        raise AmountError("below zero")
    dong = number * unit
    if dong > MOST_VND:
        raise AmountError("more than any compensation")
    whole = dong.to_integral_value(rounding=ROUND_HALF_UP)
    if abs(dong - whole) > Decimal("0.000001"):  # part of a đồng: not money as written
        raise AmountError("a part of a đồng")
    return int(whole)


def _decimal(text: str, unit: int) -> Decimal | None:
    """The number a text writes (see :func:`parse_amount`)."""
    text = _SUFFIX.sub("", _SPACES.sub("", text.strip()))
    if not text or text == "-":
        return None
    if re.fullmatch(r"\d+", text):
        return Decimal(text)
    for group, mark in ((".", ","), (",", ".")):
        found = re.fullmatch(rf"(\d{{1,3}}(?:\{group}\d{{3}})+)(?:\{mark}(\d+))?", text)
        if found:
            whole, part = found.group(1), found.group(2)
            if part is None and whole.count(group) == 1 and unit != 1:
                raise AmountError(f"is {group!r} a decimal mark or a thousands one?")
            return Decimal(whole.replace(group, "") + (f".{part}" if part else ""))
    found = re.fullmatch(r"(\d+)[.,](\d+)", text)
    if found:  # one mark, not before a group of three digits: a decimal part
        return Decimal(f"{found.group(1)}.{found.group(2)}")
    raise AmountError("not an amount")


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


#: Words (folded) a count cell may hold for none and for one.
_WORD_COUNTS = {**dict.fromkeys(("khong", "k", "no", "0", "-"), 0),
                **dict.fromkeys(("x", "co", "yes", "v"), 1)}  # fmt: skip


def parse_count(value: object, most: int = MOST_COUNT) -> int | None:
    """A count (graves, lots): a whole number, ``2 ngôi``, or a mark (``x``) for one.

    None if blank; raises :class:`AmountError` for anything else that is not a count, and for
    a count above ``most`` (a year, a lot's number).

    Examples
    --------
    >>> parse_count(3), parse_count("2 ngôi"), parse_count("x"), parse_count("không")
    (3, 2, 1, 0)
    """
    if _blank(value):
        return None
    if isinstance(value, numbers.Real):
        if not math.isfinite(float(value)) or not 0 <= value <= most or value != int(value):
            raise AmountError("not a count")
        return int(value)
    folded = fold(value)
    if folded in _WORD_COUNTS:
        return _WORD_COUNTS[folded]
    match = re.match(r"^(\d+)(?:[.,]0+)?(?:\s|$)", folded)  # "2", "2.0", "2 ngôi"
    if match and int(match.group(1)) <= most:
        return int(match.group(1))
    if not folded:
        return None
    raise AmountError("not a count")
