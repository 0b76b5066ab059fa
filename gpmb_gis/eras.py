"""A run's communes in the era after the 2025 merger: the unit each commune of 2024 became part of.

A commune of the run (from the communes layer, or written on the parcels) is found among the
province's units of 2024 by its code read in the 2024 era, else by its name (with its kind:
Xã, Phường, Thị trấn, when written); the crosswalk (:mod:`gpmb_gis.units`) then gives its unit
of 2025. A commune not found, or found twice, or divided between two new units, has none: it
is never guessed.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

import pandas as pd

from gpmb_gis import columns as C
from gpmb_gis._arrays import present
from gpmb_gis._errors import GpmbError
from gpmb_gis._findings import INFO, WARNING, Finding
from gpmb_gis._text import commune_parts
from gpmb_gis.join import AMBIGUOUS_AFTER_MERGER, KEY_PROBLEM
from gpmb_gis.units import crosswalk, read_crosswalk, units

__all__ = ["Eras", "new_units", "own_crosswalk", "records_in_old_communes"]


_Unit = tuple[str, str]


@functools.cache
def _lookups(province: str) -> tuple[dict[str, list[_Unit]], dict[str, list]]:
    """For a province: 2024 code → its 2025 units (two or more: divided), name key → units."""
    walk = crosswalk(province)
    by_code: dict[str, list[_Unit]] = {}
    for code, group in walk.groupby("commune_2024_code"):
        targets = zip(group["commune_2025_code"], group["commune_2025"], strict=True)
        by_code[str(code)] = sorted(set(targets))
    by_name: dict[str, list] = {}
    for code, name in zip(*(units(2024, province)[c] for c in ("code", "commune")), strict=True):
        key, kind, _ = commune_parts(name)
        by_name.setdefault(key, []).append((kind, code))
    return by_code, by_name


def _own(
    own: pd.DataFrame | None,
) -> tuple[dict[str, set[_Unit]], dict[tuple[str, str], set[_Unit]]]:
    """A user's crosswalk by old code and by old name (key, kind) → the new units.

    An old commune given two rows is divided between their units.
    """
    if own is None:
        return {}, {}
    by_code: dict[str, set[_Unit]] = {}
    by_name: dict[tuple[str, str], set[_Unit]] = {}
    for old_code, old_name, code, name in own.itertuples(index=False):
        if old_code:
            by_code.setdefault(_code_2024(old_code), set()).add((code, name))
        if old_name:
            by_name.setdefault(commune_parts(old_name)[:2], set()).add((code, name))
    return by_code, by_name


def _code_2024(value: object) -> str:
    """A code as the unit lists write it: five digits (``6226`` read as a number → ``06226``)."""
    if not present(value):
        return ""
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text.zfill(5) if text.isdigit() and len(text) <= 5 else text


def _targets(
    codes: Sequence[object],
    names: Sequence[object],
    province: str | None,
    own: pd.DataFrame | None,
    era: int = 2024,
) -> list[list[_Unit]]:
    """Each commune's units of 2025: one, several (divided) or none (not known)."""
    if era == 2025:  # the communes are units of 2025 themselves
        listed = _codes_2025(province)
        by_name = {commune_parts(n)[:2]: (c, n) for c, n in listed.items()}
        out = []
        for written_code, name in zip(codes, names, strict=True):
            code = _code_2024(written_code)
            unit = (code, listed[code]) if code in listed else by_name.get(commune_parts(name)[:2])
            written = (code if code.isdigit() else "", str(name) if present(name) else "")
            out.append([unit or written])
        return out
    by_code: dict[str, list[_Unit]] = {}
    by_name: dict[str, list] = {}
    if province:
        with contextlib.suppress(GpmbError):  # a province the lists do not know: no commune
            by_code, by_name = _lookups(province)
    mine_by_code, mine_by_name = _own(own)
    out = []
    for code, name in zip(codes, names, strict=True):
        key, kind, _ = commune_parts(name)
        named = [v for (k, kd), v in mine_by_name.items() if k == key and kind in ("", kd)]
        mine = mine_by_code.get(_code_2024(code)) or (named[0] if len(named) == 1 else None)
        if mine is not None:
            out.append(sorted(mine))
            continue
        found = _code_2024(code)
        if found not in by_code:
            candidates = {c for k, c in by_name.get(key, []) if not kind or k == kind}
            found = candidates.pop() if len(candidates) == 1 else ""
        out.append(by_code.get(found, []))
    return out


def new_units(
    codes: Sequence[object],
    names: Sequence[object],
    province: str | None,
    own: pd.DataFrame | None = None,
    era: int = 2024,
) -> list[tuple[str, str]]:
    """The unit of 2025 (code, name) each commune became part of; blank when not known.

    Parameters
    ----------
    codes, names
        The communes' codes and names as the run's layers write them.
    province
        The config's province; without one no commune is known (but by ``own``).
    own
        The user's own crosswalk (:func:`gpmb_gis.units.read_crosswalk`): its rows win.
    era
        The era the communes are written in: 2024 (read through the crosswalk), or 2025 (they
        are units of 2025: their official code and name, else as written).

    Returns
    -------
    list of (code, name)
        Blank for a commune not found once in the lists, or divided between two units of
        2025 (:func:`divided_units` names them).

    Examples
    --------
    >>> new_units(["06226", "", "9"], ["", "Xã Tân Liên", "Xã Song Giáp"], "Lạng Sơn")
    [('06187', 'Phường Kỳ Lừa'), ('06187', 'Phường Kỳ Lừa'), ('', '')]
    >>> new_units(["06211"], [""], "Lạng Sơn", era=2025)
    [('06211', 'Xã Cao Lộc')]
    """
    return [t[0] if len(t) == 1 else ("", "") for t in _targets(codes, names, province, own, era)]


def divided_units(
    codes: Sequence[object],
    names: Sequence[object],
    province: str | None,
    own: pd.DataFrame | None = None,
) -> list[list[tuple[str, str]]]:
    """For each commune of 2024, the units of 2025 it was divided between (none if not).

    Examples
    --------
    >>> divided_units(["06622", "06226"], ["", ""], "Lạng Sơn")
    [[('06613', 'Xã Đình Lập'), ('06625', 'Xã Kiên Mộc')], []]
    """
    return [t if len(t) > 1 else [] for t in _targets(codes, names, province, own)]


def _merged(
    parcels: pd.DataFrame,
    communes: pd.DataFrame | None,
    province: str | None,
    own: pd.DataFrame | None,
) -> tuple[dict[tuple[str, str], set[str]], dict[str, str]]:
    """Each unit of 2025 (name key, kind) → the run's old communes in it; and their kinds."""
    if communes is not None:
        old = communes[[C.KEY_COMMUNE, C.COMMUNE_CODE, C.COMMUNE]]
    else:  # a commune written on the parcels may be a code as well as a name
        old = parcels[[C.KEY_COMMUNE, C.COMMUNE]].drop_duplicates(C.KEY_COMMUNE)
        old = old.assign(**{C.COMMUNE_CODE: old[C.COMMUNE]})
    keys = old[C.KEY_COMMUNE].tolist()
    kinds = {k: commune_parts(n)[1] for k, n in zip(keys, old[C.COMMUNE], strict=True)}
    merged: dict[tuple[str, str], set[str]] = {}
    targets = _targets(old[C.COMMUNE_CODE].tolist(), old[C.COMMUNE].tolist(), province, own)
    for key, units_2025 in zip(keys, targets, strict=True):
        for _, name in units_2025:  # a divided commune is in each of its units
            if name:
                merged.setdefault(commune_parts(name)[:2], set()).add(key)
    return merged, kinds


def _asked(
    run_key: str,
    written: object,
    merged: dict[tuple[str, str], set[str]],
    old_kind: dict[str, str] | None,
) -> tuple[set[str], str | None] | None:
    """Whether a record's commune names a unit of 2025 that the run's old communes joined.

    None when it does not (the record keeps its key); else the old communes of that unit, and
    the key to give the record when none of them holds its parcel (None: keep its own).
    ``old_kind`` is given when the record's key is an old commune's (the kinds of the run's
    communes, by key): the record names that commune unless it writes another kind ("Xã Cao
    Lộc" is not Thị trấn Cao Lộc), and then, holding no parcel, it names none.
    """
    if not run_key:
        return None
    key, kind, _ = commune_parts(written)
    olds = set().union(*(v for (k, kd), v in merged.items() if k == key and kind in ("", kd)))
    if not olds:
        return None  # no unit of 2025 that the run's communes joined has this name
    if old_kind is not None and (not kind or kind == old_kind.get(run_key)):
        return None  # an old commune's own name: read in the era of 2024
    return olds, (f"{key} ({kind})" if old_kind is not None else None)


def _holders(parcels: pd.DataFrame, communes: set[str]) -> dict[tuple[str, str], set[str]]:
    """(sheet, parcel) → the communes among ``communes`` whose parcels have that key."""
    near = parcels[parcels[C.KEY_COMMUNE].isin(communes)]
    holders: dict[tuple[str, str], set[str]] = {}
    parts = (near[c].tolist() for c in (C.KEY_COMMUNE, C.KEY_SHEET, C.KEY_PARCEL))
    for kc, ks, kp in zip(*parts, strict=True):
        holders.setdefault((ks, kp), set()).add(kc)
    return holders


def own_crosswalk(path: Path | None) -> pd.DataFrame | None:
    """The user's own crosswalk (``[communes] crosswalk``), read once per file; None without."""
    return None if path is None else _read_own(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _read_own(path: Path, _mtime: int) -> pd.DataFrame:
    return read_crosswalk(path)


class Eras(NamedTuple):
    """The eras a run reads communes in.

    Attributes
    ----------
    communes
        The era of the run's communes (its communes layer's, else its parcels'): 2024 or 2025.
    books
        Each handover book's era by its label (``Config.book_sources``): 2024, 2025, or None
        when not said (a record then names a commune of 2024 unless it names none of them but
        a unit of 2025).
    """

    communes: int = 2024
    books: Mapping[str, int | None] = MappingProxyType({})


@functools.cache
def _codes_2025(province: str | None) -> dict[str, str]:
    """The province's units of 2025: code → name (none without a province the lists know)."""
    if not province:
        return {}
    with contextlib.suppress(GpmbError):
        table = units(2025, province)
        return dict(zip(table["code"], table["commune"], strict=True))
    return {}


def _names_2025(province: str | None) -> set[tuple[str, str]]:
    """The province's units of 2025 as (name key, kind)."""
    return {commune_parts(n)[:2] for n in _codes_2025(province).values()}


def _is_code(value: object) -> bool:
    return present(value) and _code_2024(value).isdigit()


def records_in_old_communes(
    records: pd.DataFrame,
    parcels: pd.DataFrame,
    communes: pd.DataFrame | None,
    province: str | None,
    own: pd.DataFrame | None = None,
    eras: Eras | None = None,
) -> tuple[pd.DataFrame, list[Finding]]:
    """Records that name a unit of 2025, keyed to the commune of 2024 that holds their parcel.

    Parcels keep the communes of 2024 (their sheets are numbered per old commune) while books
    written after 1 July 2025 name the new units. A record whose commune is a unit of 2025
    that some of the run's communes became part of takes the old commune whose parcel has
    its sheet and number; when two old communes have one, the record is not counted
    (``ambiguous_after_merger``, with the candidates), never guessed.

    Which records name a unit of 2025 depends on their book's era (``eras.books``):

    - 2025: every record; a code is a code of 2025 (06211 is Xã Cao Lộc), and a code or
      name of a unit none of the run's communes joined names no parcel;
    - 2024: none (a unit of 2025 named is listed as a commune of the other era);
    - not said: those naming no commune of the run but a unit of 2025 (a book naming both
      is noted).

    Parameters
    ----------
    records, parcels
        Keyed (:func:`gpmb_gis.join.add_keys`); the parcels' commune is part of their key.
    communes
        The communes layer (key, code, name), or None: then the parcels' written communes.
    province
        The config's province; without one only ``own`` is read.
    own
        The user's own crosswalk (:func:`own_crosswalk`).
    eras
        The run's eras (:class:`Eras`); by default communes of 2024 and books not said.

    Returns
    -------
    (DataFrame, list of Finding)
        The records (a copy when any changed) and notes: how many were matched so, books
        naming communes of both eras, and communes written in the other era.
    """
    eras = eras or Eras()
    if (
        eras.communes == 2025
        or not (province or own is not None)
        or not len(records)
        or not parcels[C.KEY_COMMUNE].astype(bool).any()
    ):
        return records, []
    merged, old_kind = _merged(parcels, communes, province, own)
    known = set(old_kind) | set(parcels[C.KEY_COMMUNE].tolist())
    asked, notes = _asked_in_eras(records, eras, merged, old_kind, known, province)
    if not asked:
        return records, notes
    holders = _holders(parcels, set().union(*(olds for _, olds, _ in asked)))
    out = records.copy()
    if KEY_PROBLEM not in out:
        out[KEY_PROBLEM] = 0
    key_col, problem_col = out.columns.get_loc(C.KEY_COMMUNE), out.columns.get_loc(KEY_PROBLEM)
    sheets, numbers = records[C.KEY_SHEET].tolist(), records[C.KEY_PARCEL].tolist()
    matched = changed = 0
    for pos, olds, otherwise in asked:
        found = holders.get((sheets[pos], numbers[pos]), set()) & olds
        if len(found) > 1:
            out.iat[pos, problem_col] = AMBIGUOUS_AFTER_MERGER
            matched += 1
        elif found:
            out.iat[pos, key_col] = found.pop()
            matched += 1
        elif otherwise is not None:
            out.iat[pos, key_col] = otherwise  # names no parcel: listed, with its commune
            changed += 1
    if not matched and not changed:
        return records, notes
    if not matched:
        return out, notes
    count = Finding(INFO, "book_communes_2025", "handovers", params={"count": matched})
    return out, [count, *notes]


def _asked_in_eras(
    records: pd.DataFrame,
    eras: Eras,
    merged: dict[tuple[str, str], set[str]],
    old_kind: dict[str, str],
    known: set[str],
    province: str | None,
) -> tuple[list[tuple[int, set[str], str | None]], list[Finding]]:
    """The records naming a unit of 2025 (position, its old communes, key otherwise); notes."""
    book_of = records[C.BOOK].tolist() if C.BOOK in records else [""] * len(records)
    codes_2025 = _codes_2025(province)
    names_2025 = _names_2025(province)
    memo: dict[tuple[str, object, int | None], tuple[set[str], str | None] | None] = {}
    asked = []  # (position, old communes, key when none holds the parcel): few records
    eras_seen: dict[str, list[int]] = {}  # book → records read in 2024, in 2025
    other_era: dict[str, set[str]] = {}  # book → communes written in the other era
    for pos, (run_key, written) in enumerate(
        zip(records[C.KEY_COMMUNE].tolist(), records[C.COMMUNE].tolist(), strict=True)
    ):
        book = book_of[pos]
        era = eras.books.get(book)
        pair = (run_key, written, era)
        if pair not in memo:
            memo[pair] = _read_in_era(
                run_key, written, era, merged, old_kind, known, (codes_2025, names_2025)
            )
        found = memo[pair]
        seen = eras_seen.setdefault(book, [0, 0])
        if found is None:
            seen[0] += bool(run_key)
            if (
                run_key
                and run_key not in known
                and _other_era(written, era, codes_2025, names_2025)
            ):
                other_era.setdefault(book, set()).add(str(written))
            continue
        seen[1] += 1
        asked.append((pos, *found))
    return asked, _era_notes(eras_seen, other_era, eras)


def _read_in_era(
    run_key: str,
    written: object,
    era: int | None,
    merged: dict[tuple[str, str], set[str]],
    old_kind: dict[str, str],
    known: set[str],
    lists: tuple[dict[str, str], set[tuple[str, str]]],
) -> tuple[set[str], str | None] | None:
    """How a record's commune is read: as :func:`_asked` says, in its book's era."""
    if era == 2024 or not run_key:
        return None
    if era is None:
        return _asked(run_key, written, merged, old_kind if run_key in known else None)
    codes_2025, names_2025 = lists
    name = codes_2025.get(_code_2024(written), "") if _is_code(written) else written
    if _is_code(written) and not name:
        return set(), f"?{_code_2024(written)}"  # no code of 2025: names no commune
    found = _asked(run_key, name, merged, None)
    if found is not None:
        return found[0], f"?{commune_parts(name)[0]}"
    if _is_code(written) or commune_parts(name)[:2] in names_2025:
        return set(), f"?{commune_parts(name)[0]}"  # a unit no commune of the run joined
    return None  # no unit of 2025: a commune of 2024 written in a book of 2025


def _other_era(
    written: object, era: int | None, codes_2025: dict[str, str], names_2025: set[tuple[str, str]]
) -> bool:
    """Whether a commune no commune of the run is, read in 2024, names a unit of 2025."""
    if era == 2025:
        return False
    if _is_code(written):
        return _code_2024(written) in codes_2025
    key, kind, _ = commune_parts(written)
    return any(k == key and kind in ("", kd) for k, kd in names_2025)


def _era_notes(
    eras_seen: dict[str, list[int]], other_era: dict[str, set[str]], eras: Eras
) -> list[Finding]:
    """Books naming communes of both eras, and communes written in the other era."""
    notes = []
    for book, (in_2024, in_2025) in eras_seen.items():
        if in_2024 and in_2025 and eras.books.get(book) is None:
            notes.append(
                Finding(
                    WARNING,
                    "book_mixes_eras",
                    "handovers",
                    book or "",
                    params={"in_2024": in_2024, "in_2025": in_2025},
                )
            )
    for book, written in other_era.items():
        notes.append(
            Finding(
                WARNING,
                "commune_other_era",
                "handovers",
                book or "",
                params={"communes": ", ".join(sorted(written)[:5])},
            )
        )
    return notes
