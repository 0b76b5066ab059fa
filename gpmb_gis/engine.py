"""The overlay: right of way ∩ parcels, the handover join, and each piece's stage as of a date.

The right of way of a project is cut by the parcels into *pieces*; each piece takes the stage
dates of its parcel's handover record. Overlapping parcels make overlapping pieces, so pieces
are also split into *faces*: disjoint polygons, each with the earliest date at which any piece
covering it reached each stage. Every area the package reports is a sum over faces, which is
the area of a union (overlaps never count twice) and makes any report date cheap.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import STRtree

from gpmb_gis import columns as C
from gpmb_gis import settings
from gpmb_gis._arrays import expand_runs
from gpmb_gis._findings import ERROR, WARNING, Finding
from gpmb_gis._text import commune_key, commune_parts, fold, number_key

#: Day numbers (days since 1970-01-01) standing for "always" and "never".
ALWAYS = np.iinfo(np.int64).min // 2
NEVER = np.iinfo(np.int64).max // 2
#: Stages that have a date, in order; reach columns hold the day each stage was reached.
DATED_STAGES: tuple[str, ...] = C.STAGES[1:]
REACH_COLUMNS: tuple[str, ...] = tuple(f"reach_{s}" for s in DATED_STAGES)


def day_number(date: dt.date | None) -> int:
    """Return the day number of a date (days since 1970-01-01); NEVER for None."""
    if date is None or (isinstance(date, float) and np.isnan(date)) or date is pd.NaT:
        return NEVER
    return (date - dt.date(1970, 1, 1)).days


def from_day_number(day: int) -> dt.date | None:
    """Return the date of a day number; None for ALWAYS and NEVER."""
    if day in (ALWAYS, NEVER):
        return None
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(day))


def day_numbers(values: Iterable[object]) -> np.ndarray:
    """Day numbers of many cells at once (each distinct value once); NaN where no date."""
    return np.array(map_unique(values, _day_or_nan), dtype=float)


def _day_or_nan(value: object) -> float:
    return float(day_number(value)) if isinstance(value, dt.date) else np.nan


def dates_of(days: Iterable[float]) -> list[dt.date | None]:
    """Dates of many day numbers at once; None for NaN, ALWAYS and NEVER."""
    return map_unique(days, lambda d: None if d is None or np.isnan(d) else from_day_number(d))


# --- geometry helpers ----------------------------------------------------------------------


def polygonal(geoms: np.ndarray) -> np.ndarray:
    """Keep only the polygonal part of each geometry (lines and points of a collection go)."""
    geoms = np.asarray(geoms, dtype=object)
    out = geoms.copy()
    types = shapely.get_type_id(geoms)
    mixed = np.flatnonzero(types == 7)  # GeometryCollection
    for i in mixed:
        parts = shapely.get_parts(geoms[i])
        polys = parts[np.isin(shapely.get_type_id(parts), (3, 6))]
        out[i] = shapely.union_all(polys) if len(polys) else shapely.Polygon()
    lines_or_points = np.isin(types, (0, 1, 2, 4, 5))
    out[lines_or_points] = shapely.Polygon()
    return out


def union_of(geoms: Iterable) -> shapely.Geometry:
    """Union of polygonal geometries, repaired; an empty polygon for none."""
    arr = np.asarray(list(geoms), dtype=object)
    if len(arr) == 0:
        return shapely.Polygon()
    return polygonal(np.array([shapely.make_valid(shapely.union_all(arr))], dtype=object))[0]


# --- keys ----------------------------------------------------------------------------------


def coverage_union(geoms: np.ndarray) -> shapely.Geometry | None:
    """The union of polygons that meet edge to edge without overlapping; None when they don't.

    GEOS's coverage union is fast and exact for such a set (a clean cadastre). Its answer is
    kept only when it is valid and its area is the sum of the parts: polygons that overlap,
    or whose shared edges do not match vertex for vertex, fail one of the two.
    """
    geoms = np.asarray(geoms, dtype=object)
    if not len(geoms):
        return None
    total = float(shapely.area(geoms).sum())
    try:
        union = shapely.coverage_union_all(geoms)
    except shapely.errors.GEOSException:
        return None
    if shapely.is_valid(union) and abs(shapely.area(union) - total) <= 1e-9 * max(total, 1.0):
        return union
    return None


def union_of_pieces(geoms: np.ndarray) -> shapely.Geometry:
    """The union of polygons that mostly tile without overlaps (pieces of a cadastre).

    The coverage union when it holds (:func:`coverage_union`), else the general union.
    """
    union = coverage_union(geoms)
    return shapely.union_all(np.asarray(geoms, dtype=object)) if union is None else union


class CommuneIndex:
    """Links commune codes and names to one key, so codes and names in any spelling match.

    Names match in any case and accent form, except where two communes fold to one spelling
    and differ by their marks ("Hòa An", "Hóa An") or their kind ("Thị trấn X", "Xã X"):
    a name then matches the one whose marks and kind it does not contradict, and none when
    it fits both.

    Parameters
    ----------
    communes
        The communes layer (``commune_code``, ``commune``), or None.
    written
        More commune names known to be written (the parcels' own), told apart the same way.
    """

    def __init__(self, communes: pd.DataFrame | None = None,
                 written: Iterable[object] = ()) -> None:  # fmt: skip
        self.by_code: dict[str, str] = {}
        self.names: dict[str, str] = {}
        #: per folded key, the kinds and marks of the names written with it
        self.variants: dict[str, set[tuple[str, str]]] = {}
        rows = []
        if communes is not None:
            rows = [(r.get(C.COMMUNE), r.get(C.COMMUNE_CODE)) for _, r in communes.iterrows()]
        for name in [n for n, _ in rows] + list(written):
            if present(name):
                key, kind, marks = commune_parts(name)
                self.variants.setdefault(key, set()).add((kind, marks))
        #: folded keys two communes share: only their names are looked at more closely
        self.ambiguous = {k for k, v in self.variants.items() if _any_clash(v)}
        for name, code in rows:
            key = self._name_key(name) if present(name) else number_key(code)
            if present(code):
                self.by_code[number_key(code)] = key
            if present(name):
                self.names[key] = str(name)

    def _name_key(self, name: object) -> str:
        key = commune_key(name)
        if key not in self.ambiguous:
            return key
        _, kind, marks = commune_parts(name)
        fits = [v for v in self.variants[key] if not _clash(v, (kind, marks))]
        if not fits or _any_clash(set(fits)):
            return f"{key}#?{kind}|{marks}"  # fits none, or more than one: names no commune
        kind, marks = max(fits, key=lambda v: (bool(v[0]), bool(v[1]), v))  # the fullest
        return f"{key}#{kind}|{marks}"

    def key(self, value: object) -> str:
        """Return the commune key of a code or a name in any spelling."""
        if not present(value):
            return ""
        code = number_key(value)
        if code in self.by_code:
            return self.by_code[code]
        return self._name_key(value)

    def known(self) -> list[str]:
        """The key of every commune of the layer."""
        return sorted(set(self.names) | set(self.by_code.values()))

    def keys(self, values: Iterable[object]) -> list[str]:
        """Vectorised :meth:`key` (each distinct value worked out once)."""
        return map_unique(values, self.key)


def _clash(a: tuple[str, str], b: tuple[str, str]) -> bool:
    """Whether two spellings (kind, marks) of one folded name are two communes."""
    return any(x and y and x != y for x, y in zip(a, b, strict=True))


def _any_clash(variants: set[tuple[str, str]]) -> bool:
    items = sorted(variants)
    return any(_clash(a, b) for i, a in enumerate(items) for b in items[i + 1 :])


def present(value: object) -> bool:
    """Whether a cell holds something: not None, not NaN, not blank text."""
    return (
        value is not None
        and not (isinstance(value, float) and np.isnan(value))
        and bool(str(value).strip())
    )


def map_unique(values: Iterable[object], fn: Callable[[object], Any]) -> list[Any]:
    """``[fn(v) for v in values]``, calling ``fn`` once per distinct value.

    Examples
    --------
    >>> map_unique(["07", 7, None, "07"], number_key)
    ['7', '7', '', '7']
    """
    if isinstance(values, (pd.Series, pd.Index, np.ndarray)):
        # factorised as stored (Arrow text, numbers); the distinct values as Python objects
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        uniques = uniques.tolist()
    else:
        codes, uniques = pd.factorize(pd.Series(list(values), dtype=object), use_na_sentinel=True)
    mapped = np.array([*(fn(u) for u in uniques), fn(None)], dtype=object)
    return mapped[codes].tolist()


def add_keys(table: pd.DataFrame, communes: CommuneIndex) -> pd.DataFrame:
    """Add the normalised key columns (commune, sheet, parcel) to parcels or records."""
    out = table.copy()
    commune = out[C.COMMUNE] if C.COMMUNE in out else pd.Series("", index=out.index)
    out[C.KEY_COMMUNE] = communes.keys(commune)
    sheet = out[C.SHEET] if C.SHEET in out else pd.Series("", index=out.index)
    out[C.KEY_SHEET] = map_unique(sheet, number_key)
    out[C.KEY_PARCEL] = map_unique(out[C.PARCEL], number_key)
    return out


# --- overlay -------------------------------------------------------------------------------


def cut_pieces(
    parcel_geoms: np.ndarray,
    row: shapely.Geometry,
    tree: STRtree | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Cut the right of way by the parcels.

    Parameters
    ----------
    parcel_geoms
        Valid polygonal parcel geometries, in metres.
    row
        The project's right of way (a union of its polygons), valid.
    tree
        An STRtree of ``parcel_geoms`` (one for all projects); built here when not given.

    Returns
    -------
    (ndarray of int, ndarray of geometry)
        The positions of the parcels that have a piece over ``MIN_PIECE_M2``, and the pieces.
    """
    parcel_geoms = np.asarray(parcel_geoms, dtype=object)
    if row.is_empty or len(parcel_geoms) == 0:
        return np.array([], dtype=np.int64), np.array([], dtype=object)
    tree = STRtree(parcel_geoms) if tree is None else tree
    parts = shapely.get_parts(row)
    hits = np.unique(tree.query(parts, predicate="intersects")[1])
    candidates = parcel_geoms[hits]
    shapely.prepare(row)
    inside = shapely.covers(row, candidates)
    pieces = candidates.copy()
    if (~inside).any():
        pieces[~inside] = polygonal(shapely.intersection(candidates[~inside], row))
    keep = shapely.area(pieces) > settings.MIN_PIECE_M2
    return hits[keep], pieces[keep]


# --- handover join -------------------------------------------------------------------------


class _NearKeys:
    """Existing keys a mistyped or incomplete record may have meant, closest first.

    The same parcel number on another sheet, a similar number on the same sheet, or the same
    sheet and parcel in another commune. Built once for all the records that match nothing.
    """

    def __init__(self, parcels: pd.DataFrame, keys: list[tuple[str, str, str]] | None = None,
                 ) -> None:  # fmt: skip
        self.communes = sorted(set(parcels[C.KEY_COMMUNE].unique().tolist()))
        #: each commune key as the layer writes it
        self.written: dict[str, str] = {}
        if C.COMMUNE in parcels:
            firsts = parcels[[C.KEY_COMMUNE, C.COMMUNE]].drop_duplicates(C.KEY_COMMUNE)
            self.written = {k: str(c) for k, c in zip(firsts[C.KEY_COMMUNE], firsts[C.COMMUNE],
                                                      strict=True) if present(c)}  # fmt: skip
        numbered = sheets = parcels[[C.KEY_COMMUNE, C.KEY_SHEET, C.KEY_PARCEL]].drop_duplicates()
        if keys is not None:  # only what these keys can look up: their numbers, their sheets
            numbered = sheets[sheets[C.KEY_PARCEL].isin({kp for _, _, kp in keys})]
            sheets = sheets[sheets[C.KEY_SHEET].isin({ks for _, ks, _ in keys})]
        self.by_parcel: dict[str, list[tuple[str, str]]] = {}
        self.by_number: dict[tuple[str, str], list[str]] = {}
        self.by_sheet: dict[tuple[str, str], list[str]] = {}
        for c, s, p in zip(*(numbered[k].tolist() for k in numbered.columns), strict=True):
            self.by_parcel.setdefault(p, []).append((c, s))
            self.by_number.setdefault((s, p), []).append(c)
        for c, s, p in zip(*(sheets[k].tolist() for k in sheets.columns), strict=True):
            self.by_sheet.setdefault((c, s), []).append(p)

    @classmethod
    def around(cls, parcels: pd.DataFrame, keys: list[tuple[str, str, str]]) -> _NearKeys:
        """The index for these keys only: parcels with one of their numbers or sheets."""
        return cls(parcels, keys)

    def closest(self, key: tuple[str, str, str], n: int = 3) -> list[tuple[str, str, str]]:
        """Up to ``n`` existing keys near ``key`` (commune, sheet, parcel), best first.

        A record whose commune is blank or none of the parcels' looks in every commune, and
        names the commune of what it finds (as the layer writes it); otherwise the commune
        of a candidate in the record's own commune is "".
        """
        import difflib

        kc, ks, kp = key
        named = kc not in self.communes  # the record's commune is no help: say which it is
        mine = set(self.communes) if named else {kc}

        def label(c: str, s: str, p: str) -> tuple[str, str, str]:
            return (self.written.get(c, c) if named else "", s, p)

        scored: list[tuple[float, tuple[str, str, str]]] = []
        for c, s in self.by_parcel.get(kp, []):
            if c in mine and (s != ks or c != kc):
                scored.append((0.9, label(c, s, kp)))
        similar = difflib.SequenceMatcher(None, "", kp)  # kp's analysis is made once
        for c in mine:
            for p in self.by_sheet.get((c, ks), []):
                if p != kp:
                    similar.set_seq1(p)
                    # the quick ratios are upper bounds of ratio(): most numbers stop there
                    if similar.real_quick_ratio() >= 0.6 and similar.quick_ratio() >= 0.6:
                        ratio = similar.ratio()
                        if ratio >= 0.6:
                            scored.append((ratio * 0.95, label(c, ks, p)))
        if kc and not named:
            for c in self.by_number.get((ks, kp), []):
                if c not in mine:
                    scored.append((0.85, (self.written.get(c, c), ks, kp)))
        scored.sort(key=lambda t: -t[0])
        return [text for _, text in scored[:n]]


#: Columns of the links between handover records and parcels (:func:`match_records`).
LINK_COLUMNS = [C.RECORD_INDEX, C.PARCEL_INDEX, C.PROJECT]

#: Why a record's key cannot name a parcel (:func:`key_hits`), by strength: a stronger
#: reason wins over a weaker one of the same record.
NO_PARCEL_NUMBER, NO_SHEET, COMMUNE_UNKNOWN, NO_COMMUNE, SHEETS_AMBIGUOUS = 1, 2, 3, 4, 5
#: The check that lists each reason.
KEY_PROBLEMS = {NO_PARCEL_NUMBER: "record_no_parcel", NO_SHEET: "record_no_sheet",
                COMMUNE_UNKNOWN: "record_commune_unknown", NO_COMMUNE: "record_no_commune",
                SHEETS_AMBIGUOUS: "record_sheet_ambiguous"}  # fmt: skip
#: A records column that sets a problem found before the join (the book as a whole).
KEY_PROBLEM = "key_problem"
#: The checks of records that no parcel near the right of way took: the rest of the parcels
#: layer may still hold their parcel (:meth:`gpmb_gis.inputs.Inputs.settle`).
LOOK_FARTHER = ("record_no_parcel", "record_commune_unknown")


def project_keys(projects: Mapping[str, str]) -> dict[str, str]:
    """Each project's id and name, folded, → its id (for :func:`match_project`)."""
    keys = {fold(name): pid for pid, name in projects.items() if name}
    keys.update({fold(pid): pid for pid in projects})
    return keys


def match_records(
    records: pd.DataFrame,
    parcels: pd.DataFrame,
    projects: Mapping[str, str],
    *,
    commune_in_key: bool = True,
    communes: Iterable[str] = (),
) -> tuple[pd.DataFrame, list[Finding]]:
    """Link handover records to parcels and projects, on the whole key only.

    A record matches the parcels whose key equals its own in every part the parcels carry
    (see :func:`key_hits`); a record lacking a part, or naming a commune none of the parcels
    carry, matches nothing and is an error listing the keys it may have meant. Parcels that
    share the whole key (one parcel drawn twice) share its record, and the repeat is listed.
    A record without a project goes to every project when the book names no project at all
    (or to the project its sheet is named after); in a book that names projects it is an
    error, as is a record naming a project the config does not have.

    Parameters
    ----------
    records
        Handover records with key columns (see :func:`add_keys`) and ``project``.
    parcels
        Parcels with key columns; their position is the parcel index.
    projects
        The config's projects, id → name; a record names its project by either (in any case
        and accent form).
    commune_in_key
        Whether the parcels' commune is part of their key (see :func:`key_hits`).
    communes
        Commune keys known beside the parcels' (the communes layer's).

    Returns
    -------
    (DataFrame, list of Finding)
        Links ``record_index, parcel_index, project``; findings for unmatched records,
        unknown projects and repeated keys.
    """
    project_ids = list(projects)
    projects_by_key = project_keys(projects)
    names = (C.RECORD_LABEL, C.SOURCE_SHEET, C.PROJECT, C.COMMUNE, C.KEY_COMMUNE, C.KEY_SHEET,
             C.KEY_PARCEL)  # fmt: skip
    where, sheet, project, commune, kc, ks, kp = (records[n].tolist() for n in names)
    targets = _targets(project, sheet, projects_by_key, project_ids)
    rec, hit, problem = key_hits(records, parcels, commune_in_key=commune_in_key,
                                 communes=communes)  # fmt: skip
    hits = np.bincount(rec, minlength=len(records))
    findings: list[Finding] = []
    missing: list[tuple[tuple[str, str, str], dict[str, object]]] = []
    unknown = np.array([t is None or not t for t in targets], dtype=bool)
    noticed = unknown | (hits != 1)
    for pos in np.flatnonzero(noticed).tolist():  # the few records with something to say
        written = str(commune[pos]) if present(commune[pos]) else ""
        if unknown[pos]:
            if targets[pos] is None:
                params = {"project": str(project[pos]), "known": ", ".join(project_ids)}
                check = "record_unknown_project"
            else:
                params = {"known": ", ".join(project_ids)}
                check = "record_no_project"
            findings.append(Finding(ERROR, check, "handovers", where[pos], params=params,
                                    listed=True))  # fmt: skip
            continue
        if not hits[pos]:
            check = KEY_PROBLEMS.get(int(problem[pos]), "record_no_parcel")
            params = {"commune": written, "sheet": ks[pos], "parcel": kp[pos], "closest": "—",
                      "closest_vi": "—"}  # fmt: skip
            missing.append(((kc[pos], ks[pos], kp[pos]), params))  # closest filled in below
            findings.append(Finding(ERROR, check, "handovers", where[pos], params=params,
                                    listed=True))  # fmt: skip
            continue
        if hits[pos] > 1:
            params = {"sheet": ks[pos], "parcel": kp[pos], "count": int(hits[pos])}
            findings.append(Finding(WARNING, "record_key_repeated", "handovers", where[pos],
                                    params=params))  # fmt: skip
    if missing:
        near = _NearKeys.around(parcels, [key for key, _ in missing])
        for key, params in missing:
            found = near.closest(key)
            params["closest"] = _keys_text(found, "sheet", "parcel")
            params["closest_vi"] = _keys_text(found, "tờ", "thửa")
    return _links(rec, hit, targets), findings


def _keys_text(keys: list[tuple[str, str, str]], sheet: str, parcel: str) -> str:
    """Candidate keys as a reader writes them: ``Xã A / sheet 1 / parcel 5; …`` or ``—``."""
    texts = [(f"{c} / " if c else "") + f"{sheet} {s} / {parcel} {p}" for c, s, p in keys]
    return "; ".join(texts) or "—"


def _targets(project: list, sheet: list, by_key: dict[str, str], ids: list[str],
             ) -> list[list[str] | None]:  # fmt: skip
    """Each record's projects (:func:`_record_projects`), worked out once per distinct cell.

    A record without a project in a book that names projects elsewhere gets ``[]`` (its
    project is not known) when the config has several projects.
    """
    names_projects = len(ids) > 1 and any(present(v) for v in project)
    memo: dict[tuple[object, object], list[str] | None] = {}  # books repeat them
    out = []
    for value, where in zip(project, sheet, strict=True):
        try:
            found = memo[value, where]
        except KeyError:
            found = memo[value, where] = _record_projects(value, where, by_key, ids,
                                                          names_projects)  # fmt: skip
        except TypeError:  # an unhashable cell
            found = _record_projects(value, where, by_key, ids, names_projects)
        out.append(found)
    return out


def key_hits(records: pd.DataFrame, parcels: pd.DataFrame, *, commune_in_key: bool = True,
             communes: Iterable[str] = (),
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """The parcels each record's whole key (commune, sheet, parcel) names, all records at once.

    The parts compared are those the parcels carry: the commune where any parcel has one (and
    ``commune_in_key``: not a commune the package found by location), the sheet where any
    parcel has one, the parcel number always. Each must be present in the record and equal. A
    record lacking one, or naming a commune that none of the parcels carries nor ``communes``
    (the communes layer's keys) holds, names no parcel: it is never applied to the parcels
    sharing the rest of its key.

    Returns
    -------
    (ndarray, ndarray, ndarray)
        Pairs (record, parcel) sorted by record then parcel, and for each record why its key
        cannot name a parcel: 0 when it can, else a key of :data:`KEY_PROBLEMS`.
    """
    keys = [(records[k].tolist(), parcels[k].tolist()) for k in (C.KEY_COMMUNE, C.KEY_SHEET,
                                                                  C.KEY_PARCEL)]  # fmt: skip
    layer_communes = [c for c in communes if c]
    # the same text gets the same code in records and parcels; the code of "" is looked up
    codes, blank, sizes = [], [], []
    layer_codes = np.array([], dtype=np.int64)
    for k, (rec_values, parcel_values) in enumerate(keys):
        more = layer_communes if k == 0 else []
        code, uniques = pd.factorize(pd.Series(rec_values + parcel_values + more, dtype=object),
                                     use_na_sentinel=False)  # fmt: skip
        n_rec, n_all = len(rec_values), len(rec_values) + len(parcel_values)
        codes.append((code[:n_rec].astype(np.int64), code[n_rec:n_all].astype(np.int64)))
        if k == 0:
            layer_codes = code[n_all:].astype(np.int64)
        found = np.flatnonzero(uniques == "")
        blank.append(int(found[0]) if len(found) else -1)
        sizes.append(max(len(uniques), 1))
    (rc, pc), (rs, ps), (rp, pp) = codes
    carries_commune = commune_in_key and bool((pc != blank[0]).any())
    carries_sheet = bool((ps != blank[1]).any())
    problem = np.zeros(len(records), dtype=np.int8)
    problem[rp == blank[2]] = NO_PARCEL_NUMBER
    if carries_sheet:
        problem[rs == blank[1]] = NO_SHEET
    if carries_commune:
        known = np.unique(np.concatenate([pc[pc != blank[0]], layer_codes]))
        problem[(rc != blank[0]) & ~np.isin(rc, known)] = COMMUNE_UNKNOWN
        problem[rc == blank[0]] = NO_COMMUNE
    if KEY_PROBLEM in records:  # the book as a whole cannot be placed
        before = records[KEY_PROBLEM].fillna(0).to_numpy(dtype=np.int8)
        problem = np.maximum(problem, before)
    uses = np.array([carries_commune, carries_sheet], dtype=np.int64)  # parts compared

    def whole(c: np.ndarray, s: np.ndarray, p: np.ndarray) -> np.ndarray:
        return (c * uses[0] * sizes[1] + s * uses[1]) * sizes[2] + p

    rec, hit = _same_key(np.where(problem == 0, whole(rc, rs, rp), -1), whole(pc, ps, pp))
    order = np.lexsort((hit, rec))
    return rec[order], hit[order], problem


def _same_key(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All pairs (i, j) with ``left[i] == right[j]``."""
    order = np.argsort(right, kind="stable")
    sorted_right = right[order]
    first = np.searchsorted(sorted_right, left, side="left")
    count = np.searchsorted(sorted_right, left, side="right") - first
    i, at = expand_runs(count, first)
    return i, order[at]


def _links(rec: np.ndarray, hit: np.ndarray, targets: list[list[str] | None]) -> pd.DataFrame:
    """Links ``record_index, parcel_index, project``: each pair once for each of its projects."""
    n_targets = np.array([0 if t is None else len(t) for t in targets], dtype=np.int64)
    if not len(rec) or not n_targets[rec].any():
        return pd.DataFrame([], columns=LINK_COLUMNS)
    flat = np.array([p for t in targets if t for p in t], dtype=object)
    start = np.cumsum(n_targets) - n_targets
    pair, at = expand_runs(n_targets[rec], start[rec])
    return pd.DataFrame({C.RECORD_INDEX: rec[pair], C.PARCEL_INDEX: hit[pair],
                         C.PROJECT: flat[at]})  # fmt: skip


def _record_projects(
    value: object,
    sheet: str,
    by_key: dict[str, str],
    ids: Sequence[str],
    names_projects: bool = False,
) -> list[str] | None:
    """The projects a record belongs to: the one it names, else its sheet's, else all.

    None when it names an unknown project; ``[]`` when it names none although the book names
    projects (``names_projects``) and its sheet is not named after one.
    """
    if not present(value):
        from_sheet = match_project(sheet, by_key) if sheet else None
        if from_sheet:
            return [from_sheet]
        return [] if names_projects else list(ids)
    found = match_project(value, by_key)
    return [found] if found else None


def match_project(value: object, by_key: dict[str, str]) -> str | None:
    """A project named by its id or name, in any case or accent form, or closely enough."""
    folded = fold(value)
    if folded in by_key:
        return by_key[folded]
    words = set(re.findall(r"[a-z0-9]+", folded))
    for key, pid in by_key.items():  # "Dự án QL4B", "QL4B - Cải tạo…"
        if key in words:
            return pid
    # a shorter wording of the project name: every word it has (but "dự án", "đường" …) is
    # the name's, and it fits one project only ("Hợp Thành 3" is not "Hợp Thành 1")
    told = words - _PROJECT_FILLER
    if len(told) < 2:
        return None
    fits = {pid for key, pid in by_key.items()
            if told <= set(re.findall(r"[a-z0-9]+", key)) | _PROJECT_FILLER}  # fmt: skip
    return fits.pop() if len(fits) == 1 else None


#: Words a book adds to a project's name that say nothing of which project it is.
_PROJECT_FILLER = frozenset({"du", "an", "cong", "trinh", "duong", "tuyen", "gpmb", "giai",
                             "phong", "mat", "bang", "hang", "muc", "goi", "thau", "va",
                             "cua", "tai"})  # fmt: skip


# --- stage dates ---------------------------------------------------------------------------


def record_reach_days(records: pd.DataFrame) -> np.ndarray:
    """Day each record reached each dated stage: an array (records × 4) of day numbers.

    A stage counts as reached when it or any later stage has a date (the stage as of D is the
    latest stage whose date is on or before D). A record with no date at all takes its stage
    from ``status``, reached at every date.
    """
    n = len(records)
    days = np.full((n, len(DATED_STAGES)), NEVER, dtype=np.int64)
    for j, stage in enumerate(DATED_STAGES):
        col = C.STAGE_DATES[stage]
        days[:, j] = map_unique(records[col], day_number)
    undated = (days == NEVER).all(axis=1)
    status = records["status_stage"].to_numpy(dtype=object)
    for i in np.flatnonzero(undated):
        if status[i] in C.STAGES:
            k = C.STAGES.index(status[i])
            days[i, :k] = ALWAYS  # STAGES[1:k+1] reached; columns 0..k-1
    # reached stage s when any later stage is dated: cumulative minimum from the right
    return np.minimum.accumulate(days[:, ::-1], axis=1)[:, ::-1]


def stage_index_at(reach: np.ndarray, day: int) -> np.ndarray:
    """Stage index (0 = not started … 4 = handed over) of each row of reach days as of a day."""
    return (reach <= day).sum(axis=1)


# --- disjoint faces ------------------------------------------------------------------------


def _coverage_suspects(geoms: np.ndarray) -> np.ndarray:
    """Positions of polygons that may overlap another: the rest form a clean coverage.

    GEOS's coverage check flags every polygon with an edge inside another polygon (but not
    the polygon around it: pairs are looked for both ways); two copies of one polygon share
    all their edges and pass it, so equal boxes are added.
    """
    try:
        flagged = ~shapely.is_empty(shapely.coverage_invalid_edges(geoms))
    except shapely.errors.GEOSException:  # not a set of valid polygons: test them all
        return np.arange(len(geoms))
    bounds = pd.DataFrame(shapely.bounds(geoms))
    return np.flatnonzero(flagged | bounds.duplicated(keep=False).to_numpy())


def overlapping_pairs(geoms: np.ndarray, min_area: float = 1e-6, *, clean: bool | None = None,
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Pairs ``i < j`` of polygons whose interiors overlap by more than ``min_area``.

    No pair if the polygons form a clean coverage (``clean``: whether :func:`coverage_union`
    holds, worked out when not given). Otherwise neighbours that only
    share an edge (most pairs in a cadastral layer) are told apart by the tree's predicates,
    so only real overlaps are intersected.

    Returns
    -------
    (ndarray, ndarray, ndarray)
        First and second positions, and the shared area of each pair.
    """
    geoms = np.asarray(geoms, dtype=object)
    if clean is None:
        clean = coverage_union(geoms) is not None
    if clean:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    tree = STRtree(geoms)
    suspects = _coverage_suspects(geoms)
    # a polygon wholly inside another flags only itself: look both ways from the suspects
    pairs = [tree.query(geoms[suspects], predicate=p) for p in ("overlaps", "contains", "within")]
    left = np.concatenate([suspects[p[0]] for p in pairs])
    right = np.concatenate([p[1] for p in pairs])
    left, right = np.minimum(left, right), np.maximum(left, right)
    keep = left < right
    unique = np.unique(np.column_stack([left[keep], right[keep]]), axis=0)
    left, right = unique[:, 0], unique[:, 1]
    shared = shapely.area(shapely.intersection(geoms[left], geoms[right])) if len(left) else (
        np.zeros(0))  # fmt: skip
    big = shared > min_area
    return left[big], right[big], shared[big]


def _overlap_groups(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Label ``n`` pieces by groups linked by overlapping pairs (a lone piece is its own)."""
    group = np.arange(n)
    while len(left):  # spread the smallest label along the pairs until nothing changes
        low = np.minimum(group[left], group[right])
        before = group.copy()
        np.minimum.at(group, left, low)
        np.minimum.at(group, right, low)
        group = group[group]
        if np.array_equal(group, before):
            break
    return group


@dataclass(frozen=True)
class Faces:
    """Disjoint polygons that together cover the pieces, each knowing which pieces cover it.

    Attributes
    ----------
    geoms
        The faces.
    cover_face, cover_piece
        Pairs (face, piece covering it); a face covered by two overlapping pieces has two.
    overlaps
        The pairs of pieces that overlap, and their shared area (:func:`overlapping_pairs`).
    """

    geoms: np.ndarray
    cover_face: np.ndarray
    cover_piece: np.ndarray
    overlaps: tuple[np.ndarray, np.ndarray, np.ndarray] = (
        np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))  # fmt: skip

    @property
    def area(self) -> np.ndarray:
        """Area of each face."""
        return shapely.area(self.geoms) if len(self.geoms) else np.zeros(0)

    def reach_of(self, piece_reach: np.ndarray) -> np.ndarray:
        """Reach days of each face: the earliest of the pieces covering it.

        ``piece_reach`` is pieces × stages; so is the answer, a row a face.
        """
        out = np.full((len(self.geoms), piece_reach.shape[1]), NEVER, dtype=piece_reach.dtype)
        np.minimum.at(out, self.cover_face, piece_reach[self.cover_piece])
        return out


def _split_group(
    pieces: np.ndarray, members: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Faces of one group of overlapping pieces: polygonise their noded boundaries."""
    lines = shapely.union_all(shapely.boundary(pieces[members]))
    cells = shapely.get_parts(shapely.polygonize(shapely.get_parts(lines)))
    cells = cells[shapely.area(cells) > 0]
    # a cell lies inside a piece when most of it does: a single test point can fall on a
    # boundary that noding moved by a rounding error
    cover = np.zeros((len(cells), len(members)), dtype=bool)
    cell_idx, member_idx = STRtree(pieces[members]).query(cells, predicate="intersects")
    shared = shapely.area(shapely.intersection(cells[cell_idx], pieces[members][member_idx]))
    inside_piece = shared > 0.5 * shapely.area(cells[cell_idx])
    cover[cell_idx[inside_piece], member_idx[inside_piece]] = True
    inside = cover.any(axis=1)
    cells, cover = cells[inside], cover[inside]
    cell_idx, member_idx = np.nonzero(cover)
    return cells, cell_idx, members[member_idx]


def disjoint_faces(pieces: np.ndarray, *, clean: bool | None = None) -> Faces:
    """Split possibly overlapping pieces into disjoint faces.

    Parameters
    ----------
    pieces
        Piece geometries.
    clean
        Whether the pieces are known to form a clean coverage (:func:`coverage_union`).
    """
    if len(pieces) == 0:
        empty = np.array([], dtype=np.int64)
        return Faces(np.array([], dtype=object), empty, empty)
    overlaps = overlapping_pairs(pieces, clean=clean)
    groups = _overlap_groups(len(pieces), overlaps[0], overlaps[1])
    lone = np.flatnonzero(np.bincount(groups, minlength=len(pieces))[groups] == 1)
    geoms, cover_face, cover_piece = [pieces[lone]], [], []
    cover_face.append(np.arange(len(lone)))
    cover_piece.append(lone)
    offset = len(lone)
    for g in np.unique(groups[~np.isin(np.arange(len(pieces)), lone)]):
        cells, cell_idx, piece_idx = _split_group(pieces, np.flatnonzero(groups == g))
        geoms.append(cells)
        cover_face.append(cell_idx + offset)
        cover_piece.append(piece_idx)
        offset += len(cells)
    return Faces(
        np.concatenate(geoms),
        np.concatenate(cover_face).astype(np.int64),
        np.concatenate(cover_piece).astype(np.int64),
        overlaps,
    )


def pieces_frame(
    parcels: gpd.GeoDataFrame, parcel_pos: np.ndarray, pieces: np.ndarray, project_id: str
) -> gpd.GeoDataFrame:
    """Assemble a project's pieces with their parcel's attributes."""
    columns: dict[str, Any] = {
        C.PROJECT: project_id,
        C.PARCEL_INDEX: parcel_pos,
        C.AFFECTED_M2: shapely.area(pieces),
        "geometry": np.asarray(pieces, dtype=object),
    }
    for col in (C.COMMUNE, C.SHEET, C.PARCEL, C.LAND_USE, C.OWNER, C.KEY_COMMUNE):
        # each column taken as it is stored (no round trip through Python objects)
        columns[col] = parcels[col].array.take(parcel_pos) if col in parcels else None
    return gpd.GeoDataFrame(columns, geometry="geometry", crs=parcels.crs)
