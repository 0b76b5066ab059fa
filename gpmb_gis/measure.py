"""The tables of one day: a project's, its communes', its chainage bins', blockers and parcels.

Every area is a sum over disjoint faces (the area of a union), at the stage each face had
reached on the day (``docs/metrics.md``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import shapely

from gpmb_gis import _arrays, stages
from gpmb_gis import columns as C
from gpmb_gis._text import number_key
from gpmb_gis.chainage import (
    chainage_labels,
    stretch_label,
    stretch_labels,
)
from gpmb_gis.chainage import runs as chainage_runs
from gpmb_gis.deadlines import WAITING_COLUMNS, waiting_on
from gpmb_gis.household_counts import commune_units, household_figures
from gpmb_gis.inputs import Inputs
from gpmb_gis.labels import word
from gpmb_gis.merger import communes_2025, in_units_2025
from gpmb_gis.overlay import ProjectOverlay, Units
from gpmb_gis.stages import stage_at

# --- measuring -----------------------------------------------------------------------------


__all__ = [
    "FULL_TOLERANCE_M2",
    "ProjectTables",
    "already_clear_m2",
    "blockers_table",
    "measure_chainage",
    "measure_communes",
    "measure_communes_2025",
    "measure_project",
    "parcels_table",
    "percent",
    "project_tables",
    "stage_areas",
    "stage_names",
    "unit_sums",
]


def unit_sums(units: Units, stage_idx: np.ndarray) -> dict[str, np.ndarray]:
    """Area per unit: mapped (``mapped``) and at each dated stage or later (``<stage>_m2``).

    ``stage_idx`` is the stage index of each face as of a day (:func:`stage_at`).
    """
    n = len(units.keys)
    face_stage = stage_idx[units.face_index]
    sums = {"mapped": np.bincount(units.face_unit, weights=units.face_area, minlength=n)}
    for s, stage in enumerate(stages.DATED_STAGES, start=1):
        weights = units.face_area * (face_stage >= s)
        sums[f"{stage}_m2"] = np.bincount(units.face_unit, weights=weights, minlength=n)
    return sums


def percent(part: float, whole: float) -> float:
    """``part`` as a % of ``whole``; NaN when there is no whole."""
    return 100.0 * part / whole if whole > 0 else float("nan")


def measure_project(ov: ProjectOverlay, day: dt.date) -> dict[str, object]:
    """The project's row of ``progress_by_project.csv`` as of a date."""
    stage = stage_at(ov.face_reach, day)
    cleared = float(ov.face_area[stage == len(stages.DATED_STAGES)].sum())
    piece_stage = stage_at(ov.pieces[list(stages.REACH_COLUMNS)].to_numpy(), day)
    done = piece_stage == len(stages.DATED_STAGES)
    row = {
        C.PROJECT: ov.project.id,
        C.PROJECT_NAME: ov.project.name,
        C.REQUIRED_M2: ov.required_m2,
        C.CLEARED_M2: cleared,
        C.CLEARED_PCT: percent(cleared, ov.required_m2),
        C.UNMAPPED_M2: max(ov.required_m2 - float(ov.face_area.sum()), 0.0),
        C.PARCELS_AFFECTED: int(ov.pieces[C.PARCEL_INDEX].nunique()),
        C.PARCELS_CLEARED: int(ov.pieces.loc[done, C.PARCEL_INDEX].nunique()),
    }
    for s, name in enumerate(stages.DATED_STAGES, start=1):
        row[f"{name}_m2"] = float(ov.face_area[stage >= s].sum())
    if ov.sites is not None:
        sums = unit_sums(ov.sites, stage)
        req = ov.sites.required_m2
        full = sums[f"{C.HANDED_OVER}_m2"] >= req - 0.01
        row["sites"] = len(ov.sites.keys)
        row["sites_cleared"] = int((full & (req > 0)).sum())
    row[C.AS_OF] = day.isoformat()
    return row


def measure_chainage(ov: ProjectOverlay, day: dt.date) -> pd.DataFrame:
    """The project's rows of ``progress_by_chainage.csv`` as of a date (empty without route)."""
    if ov.bin_units is None or ov.bins is None:
        return pd.DataFrame(columns=C.CHAINAGE_COLUMNS)
    stage = stage_at(ov.face_reach, day)
    sums = unit_sums(ov.bin_units, stage)
    required = ov.bin_units.required_m2
    table = pd.DataFrame(
        {
            C.PROJECT: ov.project.id,
            "from_m": [b.from_m for b in ov.bins],
            "to_m": [b.to_m for b in ov.bins],
            "from_label": chainage_labels([b.from_m for b in ov.bins]),
            "to_label": chainage_labels([b.to_m for b in ov.bins]),
            "segment": [b.segment for b in ov.bins],
            "length_m": [b.to_d - b.from_d for b in ov.bins],
            C.REQUIRED_M2: required,
            C.CLEARED_M2: sums[f"{C.HANDED_OVER}_m2"],
        }
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        table[C.CLEARED_PCT] = np.where(required > 0, 100 * table[C.CLEARED_M2] / required, np.nan)
    table[C.UNMAPPED_M2] = np.maximum(required - sums["mapped"], 0.0)
    for name in stages.DATED_STAGES[:-1]:
        table[f"{name}_m2"] = sums[f"{name}_m2"]
    table[C.AS_OF] = day.isoformat()
    return table[C.CHAINAGE_COLUMNS]


#: A bin counts as fully cleared when what is left is under this area (rounding, not land).
FULL_TOLERANCE_M2 = 0.01


def _blocked_stretches(
    bins: pd.DataFrame, full: np.ndarray, left: np.ndarray, hits: pd.DataFrame
) -> pd.DataFrame:
    """Runs of bins under 100 %: where, how long, how much left, how many parcels block."""
    runs = chainage_runs(~full)
    if not runs:
        return pd.DataFrame(columns=C.BLOCKER_COLUMNS[1:])
    first = np.array([a for a, _ in runs])
    last = np.array([b for _, b in runs])
    run_of_bin = np.full(len(bins), -1)
    for k, (a, b) in enumerate(runs):
        run_of_bin[a : b + 1] = k
    in_run = hits.assign(run=run_of_bin[hits["bin"].to_numpy()])
    parcels = in_run[in_run["run"] >= 0].groupby("run")["piece"].nunique()
    length = [float(bins["length_m"].to_numpy()[a : b + 1].sum()) for a, b in runs]
    from_m, to_m = bins["from_m"].to_numpy()[first], bins["to_m"].to_numpy()[last]
    return pd.DataFrame(
        {
            "kind": "stretch",
            "from_m": from_m,
            "to_m": to_m,
            "label": stretch_labels(from_m, to_m),
            "length_m": length,
            "uncleared_m2": [float(left[a : b + 1].sum()) for a, b in runs],
            "parcels": parcels.reindex(range(len(runs)), fill_value=0).to_numpy(dtype=int),
        }
    )


def _blocking_parcels(
    ov: ProjectOverlay,
    bins: pd.DataFrame,
    hits: pd.DataFrame,
) -> pd.DataFrame:
    """Each piece not handed over in a bin under 100 %, with the road its handover completes.

    ``completes_m`` sums the bins where it is the only open piece and no land is unmapped.
    """
    length = bins["length_m"].to_numpy()
    unmapped = bins[C.UNMAPPED_M2].to_numpy()
    bin_idx, piece_idx = hits["bin"].to_numpy(), hits["piece"].to_numpy()
    # open pieces per bin: each (bin, piece) pair once
    pairs = np.unique(np.column_stack([bin_idx, piece_idx]), axis=0)
    only = np.bincount(pairs[:, 0], minlength=len(bins)) if len(pairs) else np.zeros(len(bins))
    sole = (only[bin_idx] == 1) & (unmapped[bin_idx] <= FULL_TOLERANCE_M2)
    piece, at = np.unique(piece_idx, return_inverse=True)
    n = len(piece)
    length_m = np.bincount(at, weights=length[bin_idx], minlength=n)
    uncleared = np.bincount(at, weights=hits["area"].to_numpy(), minlength=n)
    completes = np.bincount(at, weights=np.where(sole, length[bin_idx], 0.0), minlength=n)
    pieces = ov.pieces
    from_m, to_m = pieces["from_m"].to_numpy()[piece], pieces["to_m"].to_numpy()[piece]
    return pd.DataFrame(
        {
            "kind": "parcel",
            "from_m": from_m,
            "to_m": to_m,
            "label": stretch_labels(from_m, to_m),
            "length_m": length_m,
            "uncleared_m2": uncleared,
            "commune": pieces["commune_name"].to_numpy()[piece],
            "sheet": _arrays.map_unique(pieces[C.SHEET].to_numpy()[piece], number_key),
            "parcel": _arrays.map_unique(pieces[C.PARCEL].to_numpy()[piece], number_key),
            "side": pieces["side"].to_numpy()[piece],
            "completes_m": completes,
            C.PARCEL_INDEX: pieces[C.PARCEL_INDEX].to_numpy()[piece],
        }
    )


def blockers_table(
    ov: ProjectOverlay,
    bins: pd.DataFrame,
    day: dt.date,
) -> tuple[pd.DataFrame, dict[str, object]]:
    """What blocks the road: stretches not yet cleared, and the parcels that block them.

    Parameters
    ----------
    ov
        The project's overlay (with a route).
    bins
        Its chainage table as of ``day`` (:func:`measure_chainage`).

    Returns
    -------
    (DataFrame, dict)
        ``blockers.csv`` rows: ``kind`` = ``stretch`` (merged runs of bins under 100 %) or
        ``parcel`` (a parcel not handed over in such a bin, ranked by the metres of fully
        cleared road its handover alone would complete); and the summary: clean km, the
        longest continuous cleared stretch, the number of blocked stretches.
    """
    if ov.piece_bins is None or not len(bins):
        return pd.DataFrame(columns=C.BLOCKER_COLUMNS), {}
    required = bins[C.REQUIRED_M2].to_numpy()
    left = required - bins[C.CLEARED_M2].to_numpy()
    full = left <= FULL_TOLERANCE_M2
    length = bins["length_m"].to_numpy()
    piece_idx, bin_idx, area = ov.piece_bins
    reach = ov.pieces[stages.REACH_COLUMNS[-1]].to_numpy()
    open_piece = reach[piece_idx] > stages.day_number(day)
    hits = pd.DataFrame({"piece": piece_idx, "bin": bin_idx, "area": area})[
        open_piece & (area > FULL_TOLERANCE_M2)
    ]
    table = pd.concat(
        [_blocked_stretches(bins, full, left, hits), _blocking_parcels(ov, bins, hits)],
        ignore_index=True,
    )
    table = table.reindex(columns=[*C.BLOCKER_COLUMNS[1:], C.PARCEL_INDEX])
    table.insert(0, C.PROJECT, ov.project.id)
    parcels = table[table["kind"] == "parcel"].sort_values(
        ["completes_m", "uncleared_m2"], ascending=False
    )
    table = pd.concat([table[table["kind"] == "stretch"], parcels], ignore_index=True)
    cleared_runs = chainage_runs(full)
    longest = max(cleared_runs, key=lambda r: length[r[0] : r[1] + 1].sum(), default=None)
    summary: dict[str, object] = {
        "clean_km": float(length[full].sum()) / 1000.0,
        "blocked_stretches": int((table["kind"] == "stretch").sum()),
        "longest_cleared_m": float(length[longest[0] : longest[1] + 1].sum()) if longest else 0.0,
        "longest_cleared": stretch_label(
            bins["from_m"].iat[longest[0]], bins["to_m"].iat[longest[1]]
        )
        if longest
        else "",
    }
    return table, summary


def measure_communes(
    ov: ProjectOverlay,
    day: dt.date,
    outside_label: str,
    unmapped_label: str = "",
) -> list[dict[str, object]]:
    """The project's rows of ``progress_by_commune.csv`` as of a date.

    They add up to the project's row: land outside every commune polygon, or (without
    commune polygons) land no parcel covers, has a row of its own.
    """
    stage = stage_at(ov.face_reach, day)
    units = ov.communes
    sums = unit_sums(units, stage)
    piece_stage = stage_at(ov.pieces[list(stages.REACH_COLUMNS)].to_numpy(), day)
    rows = []
    for u in range(len(units.keys)):
        req = float(units.required_m2[u])
        if req <= 0:
            continue
        mine = ov.piece_unit == u
        rows.append(
            _commune_row(ov, (units.codes[u], units.names[u], req), sums, u, mine, piece_stage, day)
        )
    outside = ov.required_m2 - float(units.required_m2.sum())
    unmapped = ov.required_m2 - float(ov.face_area.sum())
    if not units.polygons and unmapped > 0.01:  # land no parcel covers: in no commune
        nothing = {k: np.zeros(1) for k in sums}
        no_piece = np.zeros(len(ov.pieces), dtype=bool)
        row = ("", unmapped_label, unmapped)
        rows.append(_commune_row(ov, row, nothing, 0, no_piece, piece_stage, day))
    if units.polygons and outside > 0.01:
        mapped = float(ov.face_area.sum()) - float(sums["mapped"].sum())
        extra = {"mapped": np.array([mapped])}
        for s, name in enumerate(stages.DATED_STAGES, start=1):
            inside = float(sums[f"{name}_m2"].sum())
            extra[f"{name}_m2"] = np.array([float(ov.face_area[stage >= s].sum()) - inside])
        mine = ov.piece_unit == -1
        rows.append(
            _commune_row(ov, ("", outside_label, outside), extra, 0, mine, piece_stage, day)
        )
    return rows


def _commune_row(
    ov: ProjectOverlay,
    unit: tuple[str, str, float],
    sums: dict[str, np.ndarray],
    u: int,
    mine: np.ndarray,
    piece_stage: np.ndarray,
    day: dt.date,
) -> dict[str, object]:
    code, name, required = unit
    cleared = float(sums[f"{C.HANDED_OVER}_m2"][u])
    row = {
        C.PROJECT: ov.project.id,
        C.COMMUNE_CODE: code,
        C.COMMUNE: name,
        C.REQUIRED_M2: required,
        C.CLEARED_M2: cleared,
        C.CLEARED_PCT: percent(cleared, required),
        C.UNMAPPED_M2: max(required - float(sums["mapped"][u]), 0.0),
        C.PARCELS_AFFECTED: int(ov.pieces.loc[mine, C.PARCEL_INDEX].nunique()),
        C.PARCELS_CLEARED: int(ov.pieces.loc[mine & (piece_stage == 4), C.PARCEL_INDEX].nunique()),
    }
    for name_ in stages.DATED_STAGES[:-1]:
        row[f"{name_}_m2"] = float(sums[f"{name_}_m2"][u])
    row[C.AS_OF] = day.isoformat()
    return row


# --- parcels table and accounting ----------------------------------------------------------


def already_clear_m2(ov: ProjectOverlay, unit: int | None = None) -> float:
    """Right of way land already clear (the state's land, ``already_clear_land_use``).

    The faces a piece of such land covers, in the whole right of way or in one commune
    (``unit``, an index of ``ov.communes``): part of ``cleared_m2``, never counted twice.
    """
    clear = ov.pieces[C.ALREADY_CLEAR].to_numpy(dtype=bool)
    faces = ov.disjoint
    if faces is None or not clear.any():
        return 0.0 if not clear.any() else float(shapely.union_all(ov.pieces.geometry[clear]).area)
    on = np.zeros(len(ov.face_area), dtype=bool)
    on[faces.cover_face[clear[faces.cover_piece]]] = True
    if unit is None:
        return float(ov.face_area[on].sum())
    units = ov.communes
    return float(units.face_area[(units.face_unit == unit) & on[units.face_index]].sum())


def stage_areas(row: Mapping[str, Any], already_clear: float = 0.0) -> dict[str, float]:
    """Land at each stage and no later, from a table row (project or commune).

    They add up to the row's required land. ``already_clear`` (:func:`already_clear_m2`) is
    taken out of the land handed over.
    """
    mapped = float(row[C.REQUIRED_M2]) - float(row[C.UNMAPPED_M2])
    reached = [mapped, *(float(row[f"{s}_m2"]) for s in stages.DATED_STAGES[:-1])]
    reached.append(float(row[C.CLEARED_M2]))
    areas = {stage: max(reached[k] - reached[k + 1], 0.0) for k, stage in enumerate(C.STAGES[:-1])}
    areas[C.HANDED_OVER] = max(reached[-1] - already_clear, 0.0)
    areas[C.ALREADY_CLEAR] = already_clear
    areas["unmapped"] = float(row[C.UNMAPPED_M2])
    return areas


def stage_names(ov: ProjectOverlay, day: dt.date) -> np.ndarray:
    """Each piece's stage as of a date (``already_clear`` for land the state holds already)."""
    idx = stage_at(ov.pieces[list(stages.REACH_COLUMNS)].to_numpy(), day)
    names = np.array(C.STAGES, dtype=object)[idx]
    clear = ov.pieces[C.ALREADY_CLEAR].to_numpy(dtype=bool)
    return np.where(clear, C.ALREADY_CLEAR, names)


def parcels_table(
    ov: ProjectOverlay, inputs: Inputs, day: dt.date, *, include_owner: bool = False
) -> pd.DataFrame:
    """Rows of ``parcels.csv`` for one project: each affected parcel and its stage."""
    pieces = ov.pieces
    mine = inputs.links[inputs.links[C.PROJECT] == ov.project.id]
    records = inputs.records
    rec = mine[C.RECORD_INDEX].to_numpy(dtype=np.int64)
    days = stages.day_numbers(records[C.HANDOVER_DATE].to_numpy()[rec])
    days = np.where(days <= stages.day_number(day), days, np.nan)
    # each link's piece (a project has one piece per parcel; -1: the parcel has none)
    at = pd.Index(pieces[C.PARCEL_INDEX].to_numpy(dtype=np.int64)).get_indexer(
        mine[C.PARCEL_INDEX].to_numpy(dtype=np.int64)
    )
    ok = at >= 0
    at, rec, days = at[ok], rec[ok], days[ok]
    handover_day = np.full(len(pieces), np.nan)
    np.fmin.at(handover_day, at, days)  # the earliest handover on or before the day
    enforcement = (
        np.bincount(
            at, weights=records[C.ENFORCEMENT].to_numpy(dtype=bool)[rec], minlength=len(pieces)
        )
        > 0
    )
    complaint = (
        np.bincount(
            at, weights=records[C.COMPLAINT].to_numpy(dtype=bool)[rec], minlength=len(pieces)
        )
        > 0
    )
    table = pd.DataFrame(
        {
            C.PROJECT: ov.project.id,
            C.COMMUNE: pieces["commune_name"].to_numpy(),
            C.SHEET: pieces[C.SHEET].to_numpy(),
            C.PARCEL: pieces[C.PARCEL].to_numpy(),
            C.LAND_USE: pieces[C.LAND_USE].to_numpy() if C.LAND_USE in pieces else None,
            C.AFFECTED_M2: pieces[C.AFFECTED_M2].to_numpy(),
            C.STAGE: stage_names(ov, day).tolist(),
            C.HANDOVER_DATE: stages.dates_of(handover_day),
            C.ENFORCEMENT: enforcement,
            C.COMPLAINT: complaint,
        }
    )
    if ov.route is not None:
        table["from_m"], table["to_m"] = pieces["from_m"].to_numpy(), pieces["to_m"].to_numpy()
        table["from_label"] = chainage_labels(pieces["from_m"].to_numpy())
        table["to_label"] = chainage_labels(pieces["to_m"].to_numpy())
        table["side"] = pieces["side"].to_numpy()
    if include_owner:
        table[C.OWNER] = pieces[C.OWNER].to_numpy() if C.OWNER in pieces else None
    return table


@dataclass
class ProjectTables:
    """One project's rows of the run's tables."""

    project: dict[str, object]
    road: dict[str, object]
    chainage: pd.DataFrame
    blockers: pd.DataFrame
    communes: list[dict[str, object]]
    parcels: pd.DataFrame
    communes_2025: list[dict[str, object]] = dataclasses.field(default_factory=list)


def measure_communes_2025(
    ov: ProjectOverlay, inputs: Inputs, day: dt.date, labels: tuple[str, str, str]
) -> list[dict[str, object]]:
    """The project's rows of ``progress_by_commune_2025.csv`` as of a date.

    ``labels`` word land outside every commune, land in no parcel and a commune whose unit of
    2025 is not known. The rows add up to the project's, as the commune rows do.
    """
    outside, unmapped, unknown = labels
    strict = inputs.config.report_era(day) != "2024"  # a divided commune needs its new units
    regrouped, old_names = in_units_2025(ov, inputs, unknown, strict=strict)
    by_code = dict(zip(regrouped.communes.codes, old_names, strict=True))
    by_name = dict(zip(regrouped.communes.names, old_names, strict=True))
    rows = measure_communes(regrouped, day, outside, unmapped)
    out = []
    for row in rows:
        code, name = row.pop(C.COMMUNE_CODE), row.pop(C.COMMUNE)
        olds = by_code.get(code, "") if code else by_name.get(name, "")
        out.append({C.PROJECT: row.pop(C.PROJECT), C.COMMUNE_2025_CODE: code,
                    C.COMMUNE_2025: name, "old_communes": olds, **row})  # fmt: skip
    return out


def _add_households(
    ov: ProjectOverlay,
    inputs: Inputs,
    day: dt.date,
    row: dict[str, object],
    communes: list[dict[str, object]],
    outside_label: str,
) -> None:
    """The households' figures of the project and of each commune row, when the book has any."""
    figures = household_figures(ov, inputs, day)
    if figures is None:
        return
    row.update(figures.project)
    unit_of = commune_units(ov, outside_label)
    for commune in communes:
        u = unit_of.get((commune[C.COMMUNE_CODE], commune[C.COMMUNE]))
        commune.update(figures.unit(-2 if u is None else u))  # land in no parcel: none


def _with_waiting(
    blockers: pd.DataFrame, ov: ProjectOverlay, inputs: Inputs, day: dt.date
) -> pd.DataFrame:
    """The blocking parcels' step and agency they wait on (:func:`deadlines.waiting_on`)."""
    if C.PARCEL_INDEX not in blockers:
        return blockers
    parcel = blockers["kind"] == "parcel"
    index = blockers.loc[parcel, C.PARCEL_INDEX].to_numpy(dtype=np.int64)
    waiting = waiting_on(inputs, inputs.config.procedure, ov.project.id, index, day)
    for column in WAITING_COLUMNS:
        values = blockers[column].astype(float if column == "overdue_days" else object)
        values[parcel] = waiting[column].to_numpy()
        blockers[column] = values
    return blockers.drop(columns=C.PARCEL_INDEX)


def project_tables(
    ov: ProjectOverlay,
    inputs: Inputs,
    day: dt.date,
    include_owner: bool,
) -> ProjectTables:
    """A project's own tables as of ``day``: what needs no other project nor the findings."""
    row = measure_project(ov, day)
    bins = measure_chainage(ov, day)
    blockers, road = blockers_table(ov, bins, day)
    blockers = _with_waiting(blockers, ov, inputs, day)
    lang = inputs.config.lang
    labels = (word("outside_communes", lang), word("unmapped_land", lang))
    communes = measure_communes(ov, day, *labels)
    units, config = ov.communes, inputs.config
    new = communes_2025(ov, inputs, strict=config.report_era(day) != "2024")
    of_commune = dict(zip(zip(units.codes, units.names, strict=True), new, strict=True))
    in_2024 = ((config.communes or config.parcels).era or 2024) == 2024
    _add_households(ov, inputs, day, row, communes, labels[0])
    for commune in communes:
        code, name = of_commune.get((commune[C.COMMUNE_CODE], commune[C.COMMUNE]), ("", ""))
        commune[C.COMMUNE_2025_CODE], commune[C.COMMUNE_2025] = code, name
        if config.report_era(day) != "2024":  # the report's era is 2025: name the old too
            commune[C.COMMUNE_2024_CODE] = commune[C.COMMUNE_CODE] if in_2024 else ""
            commune[C.COMMUNE_2024] = commune[C.COMMUNE] if in_2024 else ""
    return ProjectTables(
        row,
        road,
        bins,
        blockers,
        communes,
        parcels_table(ov, inputs, day, include_owner=include_owner),
        measure_communes_2025(ov, inputs, day, (*labels, word("commune_2025_unknown", lang))),
    )
