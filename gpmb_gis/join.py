"""The handover join: the keys of parcels and records, and which record names which parcel.

A record matches a parcel only when every key part the parcels carry (commune, sheet, parcel
number) is present and equal; a record that cannot name one parcel is a finding that says
why and which keys it may have meant.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from gpmb_gis import columns as C
from gpmb_gis._arrays import expand_runs, map_unique, present
from gpmb_gis._findings import ERROR, WARNING, Finding
from gpmb_gis._text import commune_key, commune_parts, fold, number_key, parcel_label

__all__ = [
    "AMBIGUOUS_AFTER_MERGER",
    "COMMUNE_UNKNOWN",
    "KEY_PROBLEM",
    "KEY_PROBLEMS",
    "LINK_COLUMNS",
    "LOOK_FARTHER",
    "MERGER_CANDIDATES",
    "NO_COMMUNE",
    "NO_PARCEL_NUMBER",
    "NO_SHEET",
    "SHEETS_AMBIGUOUS",
    "CommuneIndex",
    "add_keys",
    "key_hits",
    "match_project",
    "match_records",
    "project_keys",
]


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

    def __init__(
        self, communes: pd.DataFrame | None = None, written: Iterable[object] = ()
    ) -> None:
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
            _, kind, _ = commune_parts(name)
            kinds = {k for k, _ in self.variants.get(key, ())}
            if kind and kinds and "" not in kinds and kind not in kinds:
                return f"{key}#?{kind}"  # "Xã Cao Lộc" is not Thị trấn Cao Lộc: names none
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


def add_keys(table: pd.DataFrame, communes: CommuneIndex) -> pd.DataFrame:
    """Add the normalised key columns (commune, sheet, parcel) to parcels or records."""
    out = table.copy()
    commune = out[C.COMMUNE] if C.COMMUNE in out else pd.Series("", index=out.index)
    out[C.KEY_COMMUNE] = communes.keys(commune)
    sheet = out[C.SHEET] if C.SHEET in out else pd.Series("", index=out.index)
    out[C.KEY_SHEET] = map_unique(sheet, number_key)
    out[C.KEY_PARCEL] = map_unique(out[C.PARCEL], number_key)
    return out


# --- handover join -------------------------------------------------------------------------


class _NearKeys:
    """Existing keys a mistyped or incomplete record may have meant, closest first.

    The same parcel number on another sheet, a similar number on the same sheet, or the same
    sheet and parcel in another commune. Built once for all the records that match nothing.
    """

    def __init__(
        self,
        parcels: pd.DataFrame,
        keys: list[tuple[str, str, str]] | None = None,
    ) -> None:
        self.communes = sorted(set(parcels[C.KEY_COMMUNE].unique().tolist()))
        #: each commune key as the layer writes it
        self.written: dict[str, str] = {}
        if C.COMMUNE in parcels:
            firsts = parcels[[C.KEY_COMMUNE, C.COMMUNE]].drop_duplicates(C.KEY_COMMUNE)
            self.written = {
                k: str(c)
                for k, c in zip(firsts[C.KEY_COMMUNE], firsts[C.COMMUNE], strict=True)
                if present(c)
            }
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
#: A record naming a unit of 2025 whose sheet and parcel number is a parcel of two of the
#: communes of 2024 merged into it (:func:`gpmb_gis.eras.records_in_old_communes`).
AMBIGUOUS_AFTER_MERGER = 6
#: The check that lists each reason.
KEY_PROBLEMS = {NO_PARCEL_NUMBER: "record_no_parcel", NO_SHEET: "record_no_sheet",
                COMMUNE_UNKNOWN: "record_commune_unknown", NO_COMMUNE: "record_no_commune",
                SHEETS_AMBIGUOUS: "record_sheet_ambiguous",
                AMBIGUOUS_AFTER_MERGER: "ambiguous_after_merger"}  # fmt: skip
#: A records column that sets a problem found before the join (the book as a whole).
KEY_PROBLEM = "key_problem"
#: The old communes an ``ambiguous_after_merger`` record may mean, as the layer names them.
MERGER_CANDIDATES = "_merger_candidates"
#: The checks of records that no parcel near the right of way took: the rest of the parcels
#: layer may still hold their parcel (:func:`gpmb_gis.inputs.settled`).
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
    names = (
        C.RECORD_LABEL,
        C.SOURCE_SHEET,
        C.PROJECT,
        C.COMMUNE,
        C.KEY_COMMUNE,
        C.KEY_SHEET,
        C.KEY_PARCEL,
    )
    where, sheet, project, commune, kc, ks, kp = (records[n].tolist() for n in names)
    targets = _targets(project, sheet, projects_by_key, project_ids)
    rec, hit, problem = key_hits(records, parcels, commune_in_key=commune_in_key, communes=communes)
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
            findings.append(
                Finding(ERROR, check, "handovers", where[pos], params=params, listed=True)
            )
            continue
        if not hits[pos]:
            check = KEY_PROBLEMS.get(int(problem[pos]), "record_no_parcel")
            params = {
                "commune": written,
                "sheet": ks[pos],
                "parcel": kp[pos],
                "closest": "—",
                "closest_vi": "—",
            }
            if check == "ambiguous_after_merger" and MERGER_CANDIDATES in records:
                olds = str(records[MERGER_CANDIDATES].iat[pos]).split("; ")
                params["closest"] = _keys_text([(c, ks[pos], kp[pos]) for c in olds], *_EN)
                params["closest_vi"] = _keys_text([(c, ks[pos], kp[pos]) for c in olds], *_VI)
            else:
                missing.append(((kc[pos], ks[pos], kp[pos]), params))  # closest: below
            findings.append(
                Finding(ERROR, check, "handovers", where[pos], params=params, listed=True)
            )
            continue
        if hits[pos] > 1:
            params = {"sheet": ks[pos], "parcel": kp[pos], "count": int(hits[pos])}
            findings.append(
                Finding(WARNING, "record_key_repeated", "handovers", where[pos], params=params)
            )
    if missing:
        near = _NearKeys.around(parcels, [key for key, _ in missing])
        for key, params in missing:
            found = near.closest(key)
            params["closest"] = _keys_text(found, "sheet", "parcel")
            params["closest_vi"] = _keys_text(found, "tờ", "thửa")
    return _links(rec, hit, targets), findings


_EN, _VI = ("sheet", "parcel"), ("tờ", "thửa")


def _keys_text(keys: list[tuple[str, str, str]], sheet: str, parcel: str) -> str:
    """Candidate keys as a reader writes them: ``Xã A / sheet 1 / parcel 5; …`` or ``—``."""
    texts = [parcel_label(s, p, commune=c, words=(sheet, parcel)) for c, s, p in keys]
    return "; ".join(texts) or "—"


def _targets(
    project: list,
    sheet: list,
    by_key: dict[str, str],
    ids: list[str],
) -> list[list[str] | None]:
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
            found = memo[value, where] = _record_projects(value, where, by_key, ids, names_projects)
        except TypeError:  # an unhashable cell
            found = _record_projects(value, where, by_key, ids, names_projects)
        out.append(found)
    return out


def key_hits(
    records: pd.DataFrame,
    parcels: pd.DataFrame,
    *,
    commune_in_key: bool = True,
    communes: Iterable[str] = (),
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
    keys = [
        (records[k].tolist(), parcels[k].tolist())
        for k in (C.KEY_COMMUNE, C.KEY_SHEET, C.KEY_PARCEL)
    ]
    layer_communes = [c for c in communes if c]
    # the same text gets the same code in records and parcels; the code of "" is looked up
    codes, blank, sizes = [], [], []
    layer_codes = np.array([], dtype=np.int64)
    for k, (rec_values, parcel_values) in enumerate(keys):
        more = layer_communes if k == 0 else []
        code, uniques = pd.factorize(
            pd.Series(rec_values + parcel_values + more, dtype=object), use_na_sentinel=False
        )
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
    return pd.DataFrame({C.RECORD_INDEX: rec[pair], C.PARCEL_INDEX: hit[pair], C.PROJECT: flat[at]})


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
    fits = {
        pid
        for key, pid in by_key.items()
        if told <= set(re.findall(r"[a-z0-9]+", key)) | _PROJECT_FILLER
    }
    return fits.pop() if len(fits) == 1 else None


#: Words a book adds to a project's name that say nothing of which project it is.
_PROJECT_FILLER = frozenset({"du", "an", "cong", "trinh", "duong", "tuyen", "gpmb", "giai",
                             "phong", "mat", "bang", "hang", "muc", "goi", "thau", "va",
                             "cua", "tai"})  # fmt: skip
