"""A run's communes in the era after the 2025 merger: the unit each commune of 2024 became part of.

A commune of the run (from the communes layer, or written on the parcels) is found among the
province's units of 2024 by its code read in the 2024 era, else by its name (with its kind:
Xã, Phường, Thị trấn, when written); the crosswalk (:mod:`gpmb_gis.units`) then gives its unit
of 2025. A commune not found, or found twice, or divided between two new units, has none: it
is never guessed.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from gpmb_gis._arrays import present
from gpmb_gis._text import commune_parts
from gpmb_gis.units import crosswalk, units

__all__ = ["new_units"]


@functools.cache
def _lookups(province: str) -> tuple[dict[str, tuple[str, str] | None], dict[str, list]]:
    """For a province: 2024 code → its 2025 unit (None when divided), and name key → units."""
    walk = crosswalk(province)
    by_code: dict[str, tuple[str, str] | None] = {}
    for code, group in walk.groupby("commune_2024_code"):
        targets = set(zip(group["commune_2025_code"], group["commune_2025"], strict=True))
        by_code[str(code)] = None if group["divided"].any() or len(targets) > 1 else targets.pop()
    by_name: dict[str, list] = {}
    for code, name in zip(*(units(2024, province)[c] for c in ("code", "commune")), strict=True):
        key, kind, _ = commune_parts(name)
        by_name.setdefault(key, []).append((kind, code))
    return by_code, by_name


def _code_2024(value: object) -> str:
    """A code as the unit lists write it: five digits (``6226`` read as a number → ``06226``)."""
    if not present(value):
        return ""
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text.zfill(5) if text.isdigit() and len(text) <= 5 else text


def new_units(codes: Sequence[object], names: Sequence[object], province: str | None,
              ) -> list[tuple[str, str]]:  # fmt: skip
    """The unit of 2025 (code, name) each commune of 2024 became part of; blank when not known.

    Parameters
    ----------
    codes, names
        The communes' codes and names as the run's layers write them, read in the 2024 era.
    province
        The config's province; without one no commune is known.

    Examples
    --------
    >>> new_units(["06226", "", "9"], ["", "Xã Tân Liên", "Xã Song Giáp"], "Lạng Sơn")
    [('06187', 'Phường Kỳ Lừa'), ('06187', 'Phường Kỳ Lừa'), ('', '')]
    """
    if not province:
        return [("", "")] * len(codes)
    by_code, by_name = _lookups(province)
    out = []
    for code, name in zip(codes, names, strict=True):
        found = _code_2024(code)
        if found not in by_code:
            key, kind, _ = commune_parts(name)
            candidates = {c for k, c in by_name.get(key, []) if not kind or k == kind}
            found = candidates.pop() if len(candidates) == 1 else ""
        target = by_code.get(found)
        out.append(target if target is not None else ("", ""))
    return out
