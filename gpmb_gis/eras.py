"""Handover records read in their book's era, on cadastres of 2024 or of 2025.

Parcels keep the communes of 2024 (their sheets are numbered per old commune) while books
written after 1 July 2025 name the new units, and the same code names different communes in
the two eras. Each record's commune is read in its book's era (:class:`Eras`); a record that
could name parcels of two old communes is listed, never guessed
(:mod:`gpmb_gis.unit_lookup` finds the units).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

import pandas as pd

from gpmb_gis import columns as C
from gpmb_gis._arrays import present
from gpmb_gis._findings import INFO, WARNING, Finding
from gpmb_gis._text import commune_parts
from gpmb_gis.join import AMBIGUOUS_AFTER_MERGER, KEY_PROBLEM, MERGER_CANDIDATES
from gpmb_gis.unit_lookup import (
    code_text,
    codes_2025,
    is_code,
    names_2024,
    names_2025,
    new_units,
    official_kinds,
    unit_targets,
    units_2025,
)

__all__ = ["Eras", "records_in_old_communes"]


class _Run(NamedTuple):
    """What reading a record's commune needs to know of the run's communes."""

    merged: dict[tuple[str, str], set[str]]  # unit of 2025 (name key, kind) → old communes
    old_kind: dict[str, str]  # an old commune's key → its kind
    old_names: dict[str, set[tuple[str, str]]]  # name key → (kind, key), official names too
    codes_2025: dict[str, str]
    names_2025: set[tuple[str, str]]
    codes_2024: dict[str, str]
    by_code: dict[str, str]  # an old commune's code (five digits) → its key


def _merged(
    parcels: pd.DataFrame,
    communes: pd.DataFrame | None,
    province: str | None,
    own: pd.DataFrame | None,
) -> _Run:
    """The run's communes: their units of 2025, kinds and names (as written and official)."""
    if communes is not None:
        old = communes[[C.KEY_COMMUNE, C.COMMUNE_CODE, C.COMMUNE]]
    else:  # a commune written on the parcels may be a code as well as a name
        old = parcels[[C.KEY_COMMUNE, C.COMMUNE]].drop_duplicates(C.KEY_COMMUNE)
        old = old.assign(**{C.COMMUNE_CODE: old[C.COMMUNE]})
    keys, codes = old[C.KEY_COMMUNE].tolist(), old[C.COMMUNE_CODE].tolist()
    codes_2024 = names_2024(province)
    written = [str(n) if present(n) and not is_code(n) else "" for n in old[C.COMMUNE]]
    official = [  # the lists' name of a commune its layer gives by code only
        codes_2024.get(code_text(c), "") if is_code(c) and not w else ""
        for c, w in zip(codes, written, strict=True)
    ]
    kinds = dict(zip(keys, official_kinds(codes, old[C.COMMUNE].tolist(), province), strict=True))
    names: dict[str, set[tuple[str, str]]] = {}
    for key, mine, listed in zip(keys, written, official, strict=True):
        for name in {mine, listed} - {""}:
            name_key, kind, _ = commune_parts(name)
            names.setdefault(name_key, set()).add((kind or kinds[key], key))
    merged: dict[tuple[str, str], set[str]] = {}
    targets = unit_targets(codes, old[C.COMMUNE].tolist(), province, own)
    for key, new_of in zip(keys, targets, strict=True):
        for _, name in new_of:  # a divided commune is in each of its units
            if name:
                merged.setdefault(commune_parts(name)[:2], set()).add(key)
    by_code = {code_text(c): k for c, k in zip(codes, keys, strict=True) if is_code(c)}
    return _Run(
        merged, kinds, names, codes_2025(province), names_2025(province), codes_2024, by_code
    )


class _Reading(NamedTuple):
    """How a record's commune is read.

    The old communes whose parcel it may name (their parcels decide), the key it takes when
    none has it, and the era it was read in.
    """

    olds: frozenset[str]
    otherwise: str
    era: int


def _contradicts(kind: str, other: str) -> bool:
    """Whether two kinds written (xa, phuong, thi tran or "") name two different units."""
    return bool(kind and other and kind != other)


def _read(run_key: str, written: object, era: int | None, run: _Run) -> _Reading | None:
    """How a record's commune is read in its book's era; None: as keyed, in the era of 2024.

    A commune of the run written as the run writes it (and not as another kind: "Xã Cao
    Lộc" is not Thị trấn Cao Lộc) is that commune; the official name of a commune the run
    gives by its code is that commune too. In a book without an era, a name that is none of
    them may be a unit of 2025 the run's communes joined; in a book of 2025 every name is
    read so first (:func:`_read_2025`).
    """
    if not run_key:
        return None
    if era == 2025:
        return _read_2025(run_key, written, run)
    key, kind, _ = commune_parts(written)
    if run_key in run.old_kind and not _contradicts(kind, run.old_kind[run_key]):
        return None
    if is_code(written):  # 6211 for 06211: the same code
        found = run.by_code.get(code_text(written))
        return _Reading(frozenset(), found, 2024) if found else None
    olds = {k for kd, k in run.old_names.get(key, set()) if not _contradicts(kind, kd)}
    units = {k for (nk, kd), v in run.merged.items() if nk == key and kind in ("", kd) for k in v}
    reading = None
    if len(olds) == 1 and not is_code(written):
        reading = _Reading(frozenset(), olds.pop(), 2024)  # by the official name of its code
    elif len(olds) > 1:
        reading = _Reading(frozenset(), f"?{key}", 2024)  # a name two communes of the run have
    elif era is None and units:
        reading = _Reading(frozenset(units), f"?{key} ({kind})", 2025)
    elif run_key in run.old_kind:  # another kind than the commune of its name: names none
        reading = _Reading(frozenset(), f"?{key} ({kind})", 2024)
    return reading


def _read_2025(run_key: str, written: object, run: _Run) -> _Reading | None:
    """A commune in a book of 2025: a code of 2025, or a unit's name; else one of 2024."""
    code = code_text(written) if is_code(written) else ""
    name = run.codes_2025.get(code, "") if code else written
    if code and not name:
        return _Reading(frozenset(), f"?{code}", 2025)  # no code of 2025: names no commune
    key, kind, _ = commune_parts(name)
    units = {k for (nk, kd), v in run.merged.items() if nk == key and kind in ("", kd) for k in v}
    if units or code or any(k == key and kind in ("", kd) for k, kd in run.names_2025):
        return _Reading(frozenset(units), f"?{key}", 2025)  # none joined: names no parcel
    return _read(run_key, written, 2024, run)  # no unit of 2025: an old commune kept


def _other_era(written: object, era: int | None, run: _Run) -> bool:
    """Whether a commune that names none of the run's is one of the book's other era."""
    if is_code(written):
        code = code_text(written)
        if era == 2025:
            return code in run.codes_2024 and code not in run.codes_2025
        return code in run.codes_2025 and code not in run.codes_2024
    if era == 2025:
        return False
    key, kind, _ = commune_parts(written)
    return any(k == key and kind in ("", kd) for k, kd in run.names_2025)


def _written_names(parcels: pd.DataFrame, communes: pd.DataFrame | None) -> dict[str, str]:
    """Each commune key of the run → its name as the communes layer (or the parcels) write it."""
    table = communes if communes is not None else parcels.drop_duplicates(C.KEY_COMMUNE)
    return {k: str(n) for k, n in zip(table[C.KEY_COMMUNE], table[C.COMMUNE], strict=True)}


def _holders(parcels: pd.DataFrame, communes: set[str]) -> dict[tuple[str, str], set[str]]:
    """(sheet, parcel) → the communes among ``communes`` whose parcels have that key."""
    near = parcels[parcels[C.KEY_COMMUNE].isin(communes)]
    holders: dict[tuple[str, str], set[str]] = {}
    parts = (near[c].tolist() for c in (C.KEY_COMMUNE, C.KEY_SHEET, C.KEY_PARCEL))
    for kc, ks, kp in zip(*parts, strict=True):
        holders.setdefault((ks, kp), set()).add(kc)
    return holders


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
    if eras.communes == 2025 and len(records) and province:
        return _on_units_2025(records, parcels, communes, province, own, eras)
    if (
        eras.communes == 2025
        or not (province or own is not None)
        or not len(records)
        or not parcels[C.KEY_COMMUNE].astype(bool).any()
    ):
        return records, []
    run = _merged(parcels, communes, province, own)
    asked, notes = _asked_in_eras(records, eras, run)
    if not asked:
        return records, notes
    holders = _holders(parcels, set().union(*(r.olds for _, r in asked)))
    out = records.copy()
    if KEY_PROBLEM not in out:
        out[KEY_PROBLEM] = 0
    out[MERGER_CANDIDATES] = ""
    names: dict[str, str] = {}
    key_col, problem_col = out.columns.get_loc(C.KEY_COMMUNE), out.columns.get_loc(KEY_PROBLEM)
    sheets, numbers = records[C.KEY_SHEET].tolist(), records[C.KEY_PARCEL].tolist()
    matched = 0
    for pos, reading in asked:
        found = holders.get((sheets[pos], numbers[pos]), set()) & reading.olds
        if len(found) > 1:
            out.iat[pos, problem_col] = AMBIGUOUS_AFTER_MERGER
            names = names or _written_names(parcels, communes)
            out.iat[pos, out.columns.get_loc(MERGER_CANDIDATES)] = "; ".join(
                sorted(names.get(k, k) for k in found)
            )
        else:
            matched += bool(found)
            out.iat[pos, key_col] = found.pop() if found else reading.otherwise
    if not matched:
        return out, notes
    count = Finding(INFO, "book_communes_2025", "handovers", params={"count": matched})
    return out, [count, *notes]


def _on_units_2025(
    records: pd.DataFrame,
    parcels: pd.DataFrame,
    communes: pd.DataFrame | None,
    province: str,
    own: pd.DataFrame | None,
    eras: Eras,
) -> tuple[pd.DataFrame, list[Finding]]:
    """Records on layers of 2025: a commune of 2024 is read as the unit it became part of.

    In a book of 2024 every code is a code of 2024 (06211 is Lộc Yên, part of Xã Cao Lộc) and
    every name an old commune's; in a book without an era a code that names two communes in
    the two eras names none, and a name that is no unit of the run is read in 2024.
    """
    old = communes if communes is not None else parcels.drop_duplicates(C.KEY_COMMUNE)
    keys = old[C.KEY_COMMUNE].tolist()
    codes = old[C.COMMUNE_CODE].tolist() if C.COMMUNE_CODE in old else old[C.COMMUNE].tolist()
    mine = new_units(codes, old[C.COMMUNE].tolist(), province, own, era=2025)
    key_of = {unit: key for unit, key in zip(mine, keys, strict=True) if unit[1]}
    codes_2024, codes_now = names_2024(province), codes_2025(province)
    book_of = records[C.BOOK].tolist() if C.BOOK in records else [""] * len(records)
    memo: dict[tuple[object, int | None], str | None] = {}
    doubt: dict[str, set[str]] = {}
    out = records[C.KEY_COMMUNE].tolist()
    run_keys = set(keys)
    for pos, (run_key, written) in enumerate(zip(out, records[C.COMMUNE].tolist(), strict=True)):
        era = eras.books.get(book_of[pos])
        if not run_key or (run_key in run_keys and era != 2024 and not is_code(written)):
            continue  # a unit of the run by its name
        if (written, era) not in memo:
            code = code_text(written) if is_code(written) else ""
            both = code in codes_2024 and code in codes_now
            if era is None and code and both:
                memo[written, era] = f"?{code}"  # 06211: Lộc Yên or Xã Cao Lộc
                doubt.setdefault(book_of[pos], set()).add(code)
            else:
                memo[written, era] = key_of.get(
                    _unit_of(code, written, era, province, own),
                    f"?{code or commune_parts(written)[0]}",
                )
        if memo[written, era] is not None:
            out[pos] = memo[written, era]
    notes = [
        Finding(
            WARNING,
            "commune_other_era",
            "handovers",
            book,
            params={"communes": ", ".join(sorted(found)[:5])},
        )
        for book, found in doubt.items()
    ]
    return records.assign(**{C.KEY_COMMUNE: out}), notes


def _unit_of(
    code: str, written: object, era: int | None, province: str, own: pd.DataFrame | None
) -> tuple[str, str]:
    """The unit of 2025 a record's commune names.

    Read in 2025 first unless its book is of 2024, then (but a code in a book of 2025) as a
    commune of 2024 and the unit it became part of.
    """
    name = written if not code else ""
    unit = units_2025([code], [name], province)[0][0] if era != 2024 else ("", "")
    if not unit[1] and not (era == 2025 and code):
        unit = new_units([code], [name], province, own)[0]
    return unit


def _asked_in_eras(
    records: pd.DataFrame, eras: Eras, run: _Run
) -> tuple[list[tuple[int, _Reading]], list[Finding]]:
    """The records whose commune is read otherwise than keyed (position, reading); notes."""
    book_of = records[C.BOOK].tolist() if C.BOOK in records else [""] * len(records)
    memo: dict[tuple[str, object, int | None], _Reading | None] = {}
    asked = []
    eras_seen: dict[str, list[int]] = {}  # book → records read in 2024, in 2025
    other_era: dict[str, set[str]] = {}  # book → communes written in the other era
    for pos, (run_key, written) in enumerate(
        zip(records[C.KEY_COMMUNE].tolist(), records[C.COMMUNE].tolist(), strict=True)
    ):
        book = book_of[pos]
        era = eras.books.get(book)
        pair = (run_key, written, era)
        if pair not in memo:
            memo[pair] = _read(run_key, written, era, run)
        reading = memo[pair]
        if run_key:
            eras_seen.setdefault(book, [0, 0])[reading is not None and reading.era == 2025] += 1
        names_none = reading.otherwise.startswith("?") if reading else run_key not in run.old_kind
        unread = run_key and names_none and not (reading and reading.olds)
        if unread and _other_era(written, era, run):
            other_era.setdefault(book, set()).add(str(written))
        if reading is not None:
            asked.append((pos, reading))
    return asked, _era_notes(eras_seen, other_era, eras)


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
