"""Chainage (lý trình): notation, station equations and linear referencing.

``Km3+700`` is 3 700 m from the origin of the route; ``Km18`` is ``Km18+000``.
"""

from __future__ import annotations

import re

from gpmb_gis._errors import ConfigError

_CHAINAGE = re.compile(
    r"^\s*(?:km|k)?\s*(\d+)\s*(?:\+\s*(\d+(?:\.\d+)?))?\s*$", flags=re.IGNORECASE
)


def parse_chainage(text: str | float | int, *, where: str = "chainage") -> float:
    """Return a chainage in metres from its notation.

    Parameters
    ----------
    text
        ``Km3+700``, ``KM3+700.5``, ``K3+700``, ``3+700``, ``Km18``; a number is taken as
        metres.
    where
        Where the value came from, for the error message.

    Examples
    --------
    >>> parse_chainage("Km3+700"), parse_chainage("km 18"), parse_chainage("K3 + 700.5")
    (3700.0, 18000.0, 3700.5)
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    match = _CHAINAGE.match(str(text))
    if not match:
        raise ConfigError(where, f"{text!r} is not a chainage", 'write it as "Km3+700"')
    km, metres = match.groups()
    if metres is not None and "+" in str(text) and float(metres) >= 1000:
        raise ConfigError(
            where, f"{text!r} has {metres} m after the +", "the metres after + must be under 1000"
        )
    if metres is None and "+" not in str(text) and not re.match(r"^\s*k", str(text), re.I):
        return float(km)
    return int(km) * 1000.0 + float(metres or 0.0)


def format_chainage(metres: float, *, decimals: int = 0) -> str:
    """Return the ``KmX+YYY`` label of a chainage in metres.

    Examples
    --------
    >>> format_chainage(3700), format_chainage(18000), format_chainage(3700.46, decimals=1)
    ('Km3+700', 'Km18+000', 'Km3+700.5')
    """
    sign = "-" if metres < 0 else ""
    value = round(abs(metres), decimals)
    km = int(value // 1000)
    rest = value - km * 1000
    width = 3 if decimals == 0 else 4 + decimals
    return f"{sign}Km{km}+{rest:0{width}.{decimals}f}"
