"""Aggregation: per project, commune and site, as of a date (DESIGN §5).

:func:`compute_progress` runs the whole chain (read → check → overlay → aggregate) and returns
a :class:`ProgressResult` whose tables are those of ``DIR/tables/``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import STRtree

from gpmb_gis import _arrays, join, qa, stages
from gpmb_gis import columns as C
from gpmb_gis._arrays import expand_runs
from gpmb_gis._errors import ConfigError
from gpmb_gis._findings import ERROR, WARNING, Finding
from gpmb_gis._text import commune_key, number_key
from gpmb_gis.chainage import (
    Bin,
    Route,
    bin_regions,
    chainage_labels,
    segmentized_coordinates,
    stretch_label,
    stretch_labels,
)
from gpmb_gis.chainage import runs as chainage_runs
from gpmb_gis.config import Config, Project, load_config
from gpmb_gis.faces import Faces, coverage_union, cut_pieces, disjoint_faces, pieces_frame, union_of
from gpmb_gis.inputs import Inputs, load_inputs
from gpmb_gis.labels import word
from gpmb_gis.land_use import land_use_code, land_use_name
from gpmb_gis.qa import qa_table
from gpmb_gis.stages import stage_at

if TYPE_CHECKING:
    from gpmb_gis.unplaced import Unplaced

OUTSIDE = "__outside__"
T = TypeVar("T")


@dataclass
class Units:
    """Areas a project's figures are broken down by (communes or sites).

    Attributes
    ----------
    keys, codes, names
        One entry per unit.
    required_m2
        area(R ∩ U) per unit.
    face_unit, face_area
        Each face's parts: the unit it lies in and the area of that part.
    """

    keys: list[str]
    codes: list[str]
    names: list[str]
    required_m2: np.ndarray
    face_index: np.ndarray
    face_unit: np.ndarray
    face_area: np.ndarray
    polygons: bool = True


@dataclass
class ProjectOverlay:
    """A project's right of way cut by the parcels, ready to be measured at any date."""

    project: Project
    row: shapely.Geometry
    required_m2: float
    pieces: gpd.GeoDataFrame
    faces: np.ndarray
    face_reach: np.ndarray
    face_area: np.ndarray
    communes: Units
    piece_unit: np.ndarray
    sites: Units | None = None
    route: Route | None = None
    bins: list[Bin] | None = None
    bin_units: Units | None = None
    bin_geoms: np.ndarray | None = None
    piece_bins: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    overlaps: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    findings: list[Finding] = field(default_factory=list)
    disjoint: Faces | None = None  # the faces and the pieces covering each


#: Bin regions partition the right of way: a face within this distance (metres) of lying
#: wholly in one region goes to it whole. The faces' edges along the ROW boundary were
#: computed by intersection and stray from it by rounding, so an exact test would send nearly
#: every face along the edge through another intersection; what the tolerance can misplace
#: is under ``width × 1e-6`` m² per face.
PARTITION_TOLERANCE_M = 1e-6


def _unit_parts(faces: np.ndarray, units: np.ndarray, *, partition: bool = False,
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Split faces by unit polygons: (face index, unit index, area of the part).

    With ``partition`` the units do not overlap, and a face that lies in one of them to within
    :data:`PARTITION_TOLERANCE_M` is given to it whole.
    """
    if len(faces) == 0 or len(units) == 0:
        empty = np.array([], dtype=np.int64)
        return empty, empty, np.array([], dtype=float)
    # each unit is tested against many faces: prepare them, on copies of their own, since
    # preparing changes a geometry and projects sharing the communes run on threads
    units = shapely.transform(np.asarray(units, dtype=object), lambda xy: xy)
    shapely.prepare(units)
    unit_idx, face_idx = STRtree(faces).query(units, predicate="intersects")
    if partition:
        wide = shapely.buffer(units, PARTITION_TOLERANCE_M, quad_segs=1, join_style="mitre")
        shapely.prepare(wide)
        covered = shapely.covers(wide[unit_idx], faces[face_idx])
        # a face whole in one unit has no part in the others: keep its first covering pair
        whole = np.zeros(len(faces), dtype=bool)
        whole[face_idx[covered]] = True
        keep_pair = ~whole[face_idx]
        covered_at = np.flatnonzero(covered)
        keep_pair[covered_at[np.unique(face_idx[covered_at], return_index=True)[1]]] = True
        unit_idx, face_idx, covered = unit_idx[keep_pair], face_idx[keep_pair], covered[keep_pair]
    else:
        covered = shapely.covers(units[unit_idx], faces[face_idx])
    area = shapely.area(faces[face_idx])
    partial = np.flatnonzero(~covered)
    derived, first = _second_of_two(face_idx[partial]) if partition else (None, None)
    if derived is not None:
        # a face across two units of a partition: its part in the second is what the
        # first leaves (one intersection instead of two; the parts add up to the face)
        whole_area = area[partial[derived]]
        partial, derived, first = np.delete(partial, derived), partial[derived], partial[first]
    if len(partial):
        area[partial] = shapely.area(
            shapely.intersection(faces[face_idx[partial]], units[unit_idx[partial]])
        )
    if derived is not None:
        area[derived] = np.maximum(whole_area - area[first], 0.0)
    keep = area > 0
    return face_idx[keep], unit_idx[keep], area[keep]


def _second_of_two(face: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
    """For faces listed exactly twice: where the second listing is, and where the first is.

    (None, None) when no face is listed twice.
    """
    order = np.argsort(face, kind="stable")
    listed = face[order]
    twice = np.bincount(face)[listed] == 2 if len(face) else np.zeros(0, dtype=bool)
    again = np.r_[False, listed[1:] == listed[:-1]] & twice
    if not again.any():
        return None, None
    return order[again], order[np.flatnonzero(again) - 1]


def _commune_units(
    overlay_row: shapely.Geometry, faces: Faces, pieces: gpd.GeoDataFrame, inputs: Inputs
) -> Units:
    """Communes as units: their polygons, or else the union of their parcels' pieces."""
    if inputs.communes is not None:
        units = inputs.communes
        geoms = units.geometry.to_numpy()
        required = shapely.area(shapely.intersection(geoms, overlay_row))
        fi, ui, area = _unit_parts(faces.geoms, geoms)
        codes = list(units[C.COMMUNE_CODE].fillna(""))
        return Units(list(units[C.KEY_COMMUNE]), codes, list(units[C.COMMUNE]), required,
                     fi, ui, area)  # fmt: skip
    # without polygons a commune is the union of its parcels' pieces: a face covered by the
    # pieces of two communes belongs to both (DESIGN §5; the overlap is listed)
    piece_keys = np.array(pieces[C.KEY_COMMUNE].tolist(), dtype=object)
    unique = sorted(set(piece_keys.tolist()))
    code = np.searchsorted(np.array(unique, dtype=object), piece_keys) if unique else piece_keys
    pairs = pd.DataFrame({"face": faces.cover_face, "unit": code[faces.cover_piece]})
    pairs = pairs.drop_duplicates()
    fi = pairs["face"].to_numpy(dtype=np.int64)
    ui = pairs["unit"].to_numpy(dtype=np.int64)
    area = faces.area[fi] if len(fi) else np.zeros(0)
    written = pd.Series(pieces[C.COMMUNE].tolist(), dtype=object)
    first = written.groupby(piece_keys).first()  # the first name written, as keyed
    unknown = word("commune_unknown", inputs.config.lang)
    names = [str(first[k]) if k in first.index and _arrays.present(first[k]) else k or unknown
             for k in unique]  # fmt: skip
    required = np.bincount(ui, weights=area, minlength=len(unique))
    return Units(unique, ["" for _ in unique], names, required, fi, ui, area, polygons=False)


def _site_units(
    row_layer: gpd.GeoDataFrame,
    row: shapely.Geometry,
    faces: np.ndarray,
) -> Units | None:
    if C.SITE not in row_layer or len(row_layer) < 2:
        return None
    names = row_layer[C.SITE].fillna("").astype(str)
    grouped = row_layer.assign(_site=names).dissolve(by="_site", as_index=False)
    geoms = shapely.make_valid(grouped.geometry.to_numpy())
    required = shapely.area(shapely.intersection(geoms, row))
    fi, ui, area = _unit_parts(faces, geoms)
    keys = list(grouped["_site"])
    return Units(keys, ["" for _ in keys], keys, required, fi, ui, area)


def _piece_reach(
    project: Project, pieces: gpd.GeoDataFrame, links: pd.DataFrame, record_reach: np.ndarray
) -> np.ndarray:
    """Reach days of each piece: its parcel's records for the project, or already clear."""
    reach = np.full((len(pieces), len(stages.DATED_STAGES)), stages.NEVER, dtype=np.int64)
    mine = links[links[C.PROJECT] == project.id]
    position = pd.Series(np.arange(len(pieces)), index=pieces[C.PARCEL_INDEX].to_numpy())
    piece = position.reindex(mine[C.PARCEL_INDEX].to_numpy(dtype=np.int64)).to_numpy(dtype=float)
    found = ~np.isnan(piece)
    rows = piece[found].astype(np.int64)
    records = mine[C.RECORD_INDEX].to_numpy(dtype=np.int64)[found]
    for j in range(reach.shape[1]):  # earliest date of each stage over a parcel's records
        np.minimum.at(reach[:, j], rows, record_reach[records, j])
    reach[pieces[C.ALREADY_CLEAR].to_numpy(dtype=bool)] = stages.ALWAYS
    return reach


def _already_clear(project: Project, pieces: gpd.GeoDataFrame) -> np.ndarray:
    """Which pieces are of a land use the project counts as clear from the start (roads…).

    A land use written as its standard name ("Đất giao thông") is its code (``DGT``).
    """
    if not project.already_clear_land_use or C.LAND_USE not in pieces:
        return np.zeros(len(pieces), dtype=bool)
    wanted = {land_use_code(c) for c in project.already_clear_land_use}
    codes = _arrays.map_unique(pieces[C.LAND_USE], land_use_code)
    return np.array([code in wanted for code in codes], dtype=bool)


def _clear_codes_unmatched(project: Project, pieces: gpd.GeoDataFrame) -> list[Finding]:
    """A warning for each ``already_clear_land_use`` code that no piece of the project has."""
    if not project.already_clear_land_use:
        return []
    found: set[str] = set()
    if C.LAND_USE in pieces:
        found = set(_arrays.map_unique(pieces[C.LAND_USE], land_use_code))
    shown = ", ".join(sorted(c for c in found if c)[:12]) or "—"
    missing = [c for c in project.already_clear_land_use if land_use_code(c) not in found]
    return [Finding(WARNING, "clear_land_use_unmatched", "config", f"projects.{project.id}",
                    params={"code": code, "name": land_use_name(code) or code, "found": shown})
            for code in missing]  # fmt: skip


def _largest_unit(
    n_pieces: int, piece_idx: np.ndarray, unit_idx: np.ndarray, area: np.ndarray
) -> np.ndarray:
    """For each piece, the unit holding most of its area (-1 for none)."""
    out = np.full(n_pieces, -1, dtype=np.int64)
    order = np.lexsort((-area, piece_idx))  # per piece, largest part first
    first = np.r_[True, piece_idx[order][1:] != piece_idx[order][:-1]] if len(order) else order
    out[piece_idx[order][first]] = unit_idx[order][first]
    return out


def overlay_project(project: Project, inputs: Inputs) -> ProjectOverlay:
    """Cut a project's right of way by the parcels and attach the handover dates.

    Parameters
    ----------
    project
        The project from the config.
    inputs
        Everything read and checked (:func:`gpmb_gis.inputs.load_inputs`).
    """
    return with_reach(cut_project(project, inputs), inputs)


@dataclass
class RowCut:
    """A right of way cut by the parcels' shapes: the part of a cut that needs no attribute.

    Attributes
    ----------
    row
        The union of the ROW layer's polygons.
    positions, pieces
        The parcels with a piece (their positions) and the pieces (:func:`faces.cut_pieces`).
    covered
        The pieces' coverage union, None unless they tile cleanly (:func:`faces.coverage_union`).
    """

    row: shapely.Geometry
    positions: np.ndarray
    pieces: np.ndarray
    covered: shapely.Geometry | None


def cut_row(row: shapely.Geometry, parcel_geoms: np.ndarray,
            tree: STRtree | None = None) -> RowCut:  # fmt: skip
    """Cut a right of way by the parcels' shapes (GEOS work, on any thread).

    ``row`` is the union of the ROW layer's polygons (:func:`faces.union_of`); ``tree`` is
    an STRtree of ``parcel_geoms`` shared by the projects (else one is built).
    """
    positions, piece_geoms = cut_pieces(parcel_geoms, row, tree)
    return RowCut(row, positions, piece_geoms, coverage_union(piece_geoms))


@dataclass
class ChainageBins:
    """A road's chainage bins and the part of its right of way in each.

    Attributes
    ----------
    bins
        ``(from_d, to_d, from_m, to_m, segment)`` per bin (:meth:`Route.bins`).
    regions
        One region of the right of way per bin (:func:`bin_regions`).
    """

    bins: list[Bin]
    regions: np.ndarray


def chainage_bins(project: Project, row: shapely.Geometry, route: Route) -> ChainageBins:
    """A road's chainage bins and their regions of its right of way ``row`` (any thread).

    They need no parcel: a run works them out while the parcels are read.
    """
    bins = route.bins(project.chainage_bin_m)
    return ChainageBins(bins, bin_regions(route, bins, row))


def cut_project(project: Project, inputs: Inputs, shapes: RowCut | None = None,
                binned: ChainageBins | None = None) -> ProjectOverlay:  # fmt: skip
    """The part of :func:`overlay_project` that needs the layers but not the handover book.

    The overlay's pieces and faces are not yet dated: :func:`with_reach` dates them once
    the book is read, so a run can cut the rights of way while it reads the book.
    ``shapes`` is :func:`cut_row` of the project already done (a run starts it as soon as
    the parcels' shapes are read), ``binned`` its :func:`chainage_bins` (worked out while
    they are read).
    """
    row_layer = inputs.rows[project.id]
    parcels = inputs.parcels
    if shapes is None:
        shapes = cut_row(union_of(row_layer.geometry.to_numpy()), parcels.geometry.to_numpy())
    row, positions, piece_geoms, covered = (shapes.row, shapes.positions, shapes.pieces,
                                            shapes.covered)  # fmt: skip
    pieces = pieces_frame(parcels, positions, piece_geoms, project.id)
    names = (
        {}
        if inputs.communes is None
        else dict(zip(inputs.communes[C.KEY_COMMUNE], inputs.communes[C.COMMUNE], strict=True))
    )
    pieces["commune_name"] = [names.get(k, c if isinstance(c, str) else "")
                              for k, c in zip(pieces[C.KEY_COMMUNE].tolist(),
                                              pieces[C.COMMUNE].tolist(), strict=True)]  # fmt: skip
    pieces[C.ALREADY_CLEAR] = _already_clear(project, pieces)
    faces = disjoint_faces(piece_geoms, clean=covered is not None)
    communes = _commune_units(row, faces, pieces, inputs)
    if inputs.communes is not None:
        piece_unit = _largest_unit(len(pieces), *_piece_parts(faces, communes))
    else:
        position = {k: i for i, k in enumerate(communes.keys)}
        unit_of = _arrays.map_unique(pieces[C.KEY_COMMUNE], lambda k: position.get(k, -1))
        piece_unit = np.array(unit_of, dtype=np.int64)
    route = inputs.routes.get(project.id)
    bins, bin_units, regions, piece_bins = None, None, None, None
    if route is not None:
        if binned is None:
            binned = chainage_bins(project, row, route)
        bins, regions = binned.bins, binned.regions
        bin_units = _bin_units(bins, regions, faces)
        piece_bins = _piece_parts(faces, bin_units)
        _add_piece_chainage(pieces, route)
    width = inputs.config.qa.sliver_width_m
    return ProjectOverlay(
        project=project,
        row=row,
        required_m2=float(shapely.area(row)),
        pieces=pieces,
        faces=faces.geoms,
        face_reach=np.full((len(faces.geoms), len(stages.DATED_STAGES)), stages.NEVER),
        face_area=faces.area,
        communes=communes,
        piece_unit=piece_unit,
        sites=_site_units(row_layer, row, faces.geoms),
        route=route,
        bins=bins,
        bin_units=bin_units,
        bin_geoms=regions,
        piece_bins=piece_bins,
        overlaps=faces.overlaps,
        findings=qa.row_findings(row, pieces, project.id, width, faces.overlaps, covered)
        + _clear_codes_unmatched(project, pieces),
        disjoint=faces,
    )


def with_reach(ov: ProjectOverlay, inputs: Inputs) -> ProjectOverlay:
    """Date a cut project (:func:`cut_project`) from the records linked to its parcels.

    The pieces get their reach columns and the faces theirs (the earliest of the pieces
    covering each); ``ov`` is changed and returned.
    """
    piece_reach = _piece_reach(ov.project, ov.pieces, inputs.links, inputs.record_reach)
    for j, col in enumerate(stages.REACH_COLUMNS):
        ov.pieces[col] = piece_reach[:, j]
    ov.face_reach = ov.disjoint.reach_of(piece_reach)
    return ov


def _piece_parts(faces: Faces, units: Units) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pieces split by units, from the faces' parts: (piece, unit, area of the part).

    A piece is the union of the faces it covers, so its part in a unit is the sum of theirs.
    """
    order = np.argsort(faces.cover_face, kind="stable")
    cover_face, cover_piece = faces.cover_face[order], faces.cover_piece[order]
    # each part of a face, once for every piece that covers the face
    first = np.searchsorted(cover_face, units.face_index, side="left")
    count = np.searchsorted(cover_face, units.face_index, side="right") - first
    part, at = expand_runs(count, first)
    piece = cover_piece[at]
    unit = units.face_unit[part]
    n_units = max(len(units.keys), int(unit.max()) + 1 if len(unit) else 1)
    pairs, at = np.unique(piece * n_units + unit, return_inverse=True)
    area = np.bincount(at.ravel(), weights=units.face_area[part], minlength=len(pairs))
    return pairs // n_units, pairs % n_units, area


def _bin_units(bins: list[Bin], regions: np.ndarray, faces: Faces) -> Units:
    """Chainage bins as units: the part of the ROW nearest to each stretch of centreline."""
    fi, ui, area = _unit_parts(faces.geoms, regions, partition=True)
    keys = [f"{k}" for k in range(len(bins))]
    labels = stretch_labels([b.from_m for b in bins], [b.to_m for b in bins])
    return Units(keys, ["" for _ in bins], labels, shapely.area(regions), fi, ui, area)


def _add_piece_chainage(pieces: gpd.GeoDataFrame, route: Route) -> None:
    """Chainage range (from, to) and side (left, right, both) of each piece."""
    n = len(pieces)
    pieces["from_m"], pieces["to_m"], pieces["side"] = np.nan, np.nan, ""
    if not n:
        return
    coords, owner = segmentized_coordinates(pieces.geometry.to_numpy(), 20.0)
    d, offset = route.locate_xy(coords)
    starts = np.searchsorted(owner, np.arange(n))  # every piece has coordinates, in order
    left = np.maximum.reduceat(offset > 0.01, starts)
    right = np.maximum.reduceat(offset < -0.01, starts)
    pieces["from_m"] = route.chainage_at(np.minimum.reduceat(d, starts))
    pieces["to_m"] = route.chainage_at(np.maximum.reduceat(d, starts))
    pieces["side"] = np.where(left & right, "both", np.where(left, "left", "right"))


# --- measuring -----------------------------------------------------------------------------


def _unit_sums(units: Units, stage_idx: np.ndarray) -> dict[str, np.ndarray]:
    n = len(units.keys)
    face_stage = stage_idx[units.face_index]
    sums = {"mapped": np.bincount(units.face_unit, weights=units.face_area, minlength=n)}
    for s, stage in enumerate(stages.DATED_STAGES, start=1):
        weights = units.face_area * (face_stage >= s)
        sums[f"{stage}_m2"] = np.bincount(units.face_unit, weights=weights, minlength=n)
    return sums


def _pct(part: float, whole: float) -> float:
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
        C.CLEARED_PCT: _pct(cleared, ov.required_m2),
        C.UNMAPPED_M2: max(ov.required_m2 - float(ov.face_area.sum()), 0.0),
        C.PARCELS_AFFECTED: int(ov.pieces[C.PARCEL_INDEX].nunique()),
        C.PARCELS_CLEARED: int(ov.pieces.loc[done, C.PARCEL_INDEX].nunique()),
    }
    for s, name in enumerate(stages.DATED_STAGES, start=1):
        row[f"{name}_m2"] = float(ov.face_area[stage >= s].sum())
    if ov.sites is not None:
        sums = _unit_sums(ov.sites, stage)
        req = ov.sites.required_m2
        full = sums[f"{C.HANDED_OVER}_m2"] >= req - 0.01
        row["sites"] = len(ov.sites.keys)
        row["sites_cleared"] = int((full & (req > 0)).sum())
    row[C.AS_OF] = day.isoformat()
    return row


def measure_chainage(ov: ProjectOverlay, day: dt.date) -> pd.DataFrame:
    """The project's rows of ``progress_by_chainage.csv`` as of a date (empty without route)."""
    if ov.bin_units is None or ov.bins is None:
        return pd.DataFrame(columns=CHAINAGE_COLUMNS)
    stage = stage_at(ov.face_reach, day)
    sums = _unit_sums(ov.bin_units, stage)
    required = ov.bin_units.required_m2
    table = pd.DataFrame({
        C.PROJECT: ov.project.id,
        "from_m": [b.from_m for b in ov.bins], "to_m": [b.to_m for b in ov.bins],
        "from_label": chainage_labels([b.from_m for b in ov.bins]),
        "to_label": chainage_labels([b.to_m for b in ov.bins]),
        "segment": [b.segment for b in ov.bins],
        "length_m": [b.to_d - b.from_d for b in ov.bins],
        C.REQUIRED_M2: required, C.CLEARED_M2: sums[f"{C.HANDED_OVER}_m2"],
    })  # fmt: skip
    with np.errstate(divide="ignore", invalid="ignore"):
        table[C.CLEARED_PCT] = np.where(required > 0, 100 * table[C.CLEARED_M2] / required,
                                        np.nan)  # fmt: skip
    table[C.UNMAPPED_M2] = np.maximum(required - sums["mapped"], 0.0)
    for name in stages.DATED_STAGES[:-1]:
        table[f"{name}_m2"] = sums[f"{name}_m2"]
    table[C.AS_OF] = day.isoformat()
    return table[CHAINAGE_COLUMNS]


#: A bin counts as fully cleared when what is left is under this area (rounding, not land).
FULL_TOLERANCE_M2 = 0.01


def _blocked_stretches(bins: pd.DataFrame, full: np.ndarray, left: np.ndarray,
                       hits: pd.DataFrame) -> pd.DataFrame:  # fmt: skip
    """Runs of bins under 100 %: where, how long, how much left, how many parcels block."""
    runs = chainage_runs(~full)
    if not runs:
        return pd.DataFrame(columns=BLOCKER_COLUMNS[1:])
    first = np.array([a for a, _ in runs])
    last = np.array([b for _, b in runs])
    run_of_bin = np.full(len(bins), -1)
    for k, (a, b) in enumerate(runs):
        run_of_bin[a : b + 1] = k
    in_run = hits.assign(run=run_of_bin[hits["bin"].to_numpy()])
    parcels = in_run[in_run["run"] >= 0].groupby("run")["piece"].nunique()
    length = [float(bins["length_m"].to_numpy()[a : b + 1].sum()) for a, b in runs]
    from_m, to_m = bins["from_m"].to_numpy()[first], bins["to_m"].to_numpy()[last]
    return pd.DataFrame({
        "kind": "stretch", "from_m": from_m, "to_m": to_m,
        "label": stretch_labels(from_m, to_m),
        "length_m": length,
        "uncleared_m2": [float(left[a : b + 1].sum()) for a, b in runs],
        "parcels": parcels.reindex(range(len(runs)), fill_value=0).to_numpy(dtype=int),
    })  # fmt: skip


def _blocking_parcels(ov: ProjectOverlay, bins: pd.DataFrame, hits: pd.DataFrame,
                      ) -> pd.DataFrame:  # fmt: skip
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
    return pd.DataFrame({
        "kind": "parcel", "from_m": from_m, "to_m": to_m,
        "label": stretch_labels(from_m, to_m),
        "length_m": length_m, "uncleared_m2": uncleared,
        "commune": pieces["commune_name"].to_numpy()[piece],
        "sheet": _arrays.map_unique(pieces[C.SHEET].to_numpy()[piece], number_key),
        "parcel": _arrays.map_unique(pieces[C.PARCEL].to_numpy()[piece], number_key),
        "side": pieces["side"].to_numpy()[piece], "completes_m": completes,
    })  # fmt: skip


def blockers_table(ov: ProjectOverlay, bins: pd.DataFrame, day: dt.date,
                   ) -> tuple[pd.DataFrame, dict[str, object]]:  # fmt: skip
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
        return pd.DataFrame(columns=BLOCKER_COLUMNS), {}
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
    table = pd.concat([_blocked_stretches(bins, full, left, hits),
                       _blocking_parcels(ov, bins, hits)], ignore_index=True)  # fmt: skip
    table = table.reindex(columns=BLOCKER_COLUMNS[1:])
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
        "longest_cleared_m": float(length[longest[0]:longest[1] + 1].sum()) if longest else 0.0,
        "longest_cleared": stretch_label(bins["from_m"].iat[longest[0]],
                                         bins["to_m"].iat[longest[1]]) if longest else "",
    }  # fmt: skip
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
    sums = _unit_sums(units, stage)
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
        C.CLEARED_PCT: _pct(cleared, required),
        C.UNMAPPED_M2: max(required - float(sums["mapped"][u]), 0.0),
        C.PARCELS_AFFECTED: int(ov.pieces.loc[mine, C.PARCEL_INDEX].nunique()),
        C.PARCELS_CLEARED: int(ov.pieces.loc[mine & (piece_stage == 4), C.PARCEL_INDEX].nunique()),
    }
    for name_ in stages.DATED_STAGES[:-1]:
        row[f"{name_}_m2"] = float(sums[f"{name_}_m2"][u])
    row[C.AS_OF] = day.isoformat()
    return row


# --- cleared area over time ---------------------------------------------------------------


@dataclass(frozen=True)
class ClearedCurve:
    """Cleared area of one unit as a step function of the day number.

    Each disjoint face adds its area on the day it was handed over (land already clear counts
    from the start), so the curve is exact: the area of a union on every date.
    """

    required_m2: float
    days: np.ndarray
    cumulative_m2: np.ndarray

    def cleared_m2(self, day: dt.date) -> float:
        """Cleared area as of a date (handovers on that date count)."""
        i = np.searchsorted(self.days, stages.day_number(day), side="right")
        return float(self.cumulative_m2[i - 1]) if i > 0 else 0.0

    def cleared_pct(self, day: dt.date) -> float:
        """Cleared % as of a date."""
        if self.required_m2 <= 0:
            return float("nan")
        return 100.0 * self.cleared_m2(day) / self.required_m2

    def reached(self, target_pct: float, until: dt.date | None = None) -> dt.date | None:
        """First date the cleared % reached the target (by ``until``); None when it did not.

        Land clear from the start (no date) reaches a target on no particular day: the first
        dated handover is given, or None when there is none.
        """
        need = self.required_m2 * target_pct / 100.0 - 1e-6
        hit = np.flatnonzero(self.cumulative_m2 >= need)
        if not len(hit):
            return None
        dated = self.days[self.days > stages.ALWAYS]
        day = int(self.days[hit[0]]) if self.days[hit[0]] > stages.ALWAYS else (
            int(dated[0]) if len(dated) else None)  # fmt: skip
        found = stages.from_day_number(day) if day is not None else None
        if found is not None and until is not None and found > until:
            return None
        return found


def _curve(required: float, reach_handover: np.ndarray, area: np.ndarray) -> ClearedCurve:
    done = reach_handover < stages.NEVER
    order = np.argsort(reach_handover[done], kind="stable")
    days = reach_handover[done][order]
    cum = np.cumsum(area[done][order])
    if len(days):
        last = np.r_[days[1:] != days[:-1], True]
        days, cum = days[last], cum[last]
    return ClearedCurve(required, days, cum)


def project_curve(ov: ProjectOverlay) -> ClearedCurve:
    """The cleared curve of a whole project."""
    return _curve(ov.required_m2, ov.face_reach[:, -1], ov.face_area)


def commune_curve(ov: ProjectOverlay, commune: str) -> ClearedCurve:
    """The cleared curve of one commune of a project (by code or name in any spelling)."""
    units = ov.communes
    wanted = commune_key(commune)
    for u, (key, code) in enumerate(zip(units.keys, units.codes, strict=True)):
        if wanted in (key, commune_key(code)) or commune == code:
            mine = units.face_unit == u
            return _curve(
                float(units.required_m2[u]),
                ov.face_reach[units.face_index[mine], -1],
                units.face_area[mine],
            )
    raise ConfigError(
        f"projects.{ov.project.id}.milestones",
        f"commune {commune!r} is not crossed by the project",
        f"use one of: {', '.join(units.names)}",
    )


TIMESERIES_COLUMNS = [C.PROJECT, "date", C.CLEARED_M2, C.CLEARED_PCT, "scope",
                      C.COMMUNE_CODE, C.COMMUNE, C.REQUIRED_M2, "inventoried_m2",
                      "plan_approved_m2", "paid_m2"]  # fmt: skip


def _week_days(ov: ProjectOverlay, as_of: dt.date, step_days: int,
               start: dt.date | None) -> list[dt.date]:  # fmt: skip
    """Report dates every ``step_days`` back from ``as_of`` to the first dated step."""
    dated = ov.face_reach[(ov.face_reach > stages.ALWAYS) & (ov.face_reach < stages.NEVER)]
    first = start or (stages.from_day_number(int(dated.min())) if dated.size else None)
    first = min(first or as_of, as_of)
    n = (as_of - first).days // step_days + 1
    return [as_of - dt.timedelta(days=k * step_days) for k in range(n, -1, -1)]


def timeseries_table(
    result: ProgressResult, *, step_days: int = 7, start: dt.date | None = None
) -> pd.DataFrame:
    """``timeseries.csv``: every week up to the report date, per project and per commune.

    Cleared area and %, and each stage's area, rebuilt from the dates in the handover book:
    the row of a past week is what a report as of that day would have said. Weeks are
    counted back from the report date to the first dated step (or ``start``).
    """
    rows = []
    for pid, ov in result.overlays.items():
        units = ov.communes
        for day in _week_days(ov, result.as_of, step_days, start):
            stage = stage_at(ov.face_reach, day)
            project = {f"{name}_m2": float(ov.face_area[stage >= s].sum())
                       for s, name in enumerate(stages.DATED_STAGES, start=1)}  # fmt: skip
            cleared = project[f"{C.HANDED_OVER}_m2"]
            rows.append({C.PROJECT: pid, "date": day, C.CLEARED_M2: cleared,
                         C.CLEARED_PCT: _pct(cleared, ov.required_m2), "scope": "project",
                         C.REQUIRED_M2: ov.required_m2, **project})  # fmt: skip
            sums = _unit_sums(units, stage)
            for u in range(len(units.keys)):
                required = float(units.required_m2[u])
                if required <= 0:
                    continue
                cleared = float(sums[f"{C.HANDED_OVER}_m2"][u])
                rows.append({C.PROJECT: pid, "date": day, C.CLEARED_M2: cleared,
                             C.CLEARED_PCT: _pct(cleared, required), "scope": "commune",
                             C.COMMUNE_CODE: units.codes[u], C.COMMUNE: units.names[u],
                             C.REQUIRED_M2: required, **{f"{n}_m2": float(sums[f"{n}_m2"][u])
                             for n in stages.DATED_STAGES[:-1]}})  # fmt: skip
    return pd.DataFrame(rows, columns=TIMESERIES_COLUMNS)


# --- parcels table and accounting ----------------------------------------------------------


def _stage_names(ov: ProjectOverlay, day: dt.date) -> list[str]:
    idx = stage_at(ov.pieces[list(stages.REACH_COLUMNS)].to_numpy(), day)
    names = np.array(C.STAGES, dtype=object)[idx]
    clear = ov.pieces[C.ALREADY_CLEAR].to_numpy(dtype=bool)
    return np.where(clear, C.ALREADY_CLEAR, names).tolist()


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
    enforcement = np.bincount(at, weights=records[C.ENFORCEMENT].to_numpy(dtype=bool)[rec],
                              minlength=len(pieces)) > 0  # fmt: skip
    complaint = np.bincount(at, weights=records[C.COMPLAINT].to_numpy(dtype=bool)[rec],
                            minlength=len(pieces)) > 0  # fmt: skip
    table = pd.DataFrame(
        {
            C.PROJECT: ov.project.id,
            C.COMMUNE: pieces["commune_name"].to_numpy(),
            C.SHEET: pieces[C.SHEET].to_numpy(),
            C.PARCEL: pieces[C.PARCEL].to_numpy(),
            C.LAND_USE: pieces[C.LAND_USE].to_numpy() if C.LAND_USE in pieces else None,
            C.AFFECTED_M2: pieces[C.AFFECTED_M2].to_numpy(),
            C.STAGE: _stage_names(ov, day),
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


def _record_findings(
    inputs: Inputs, overlays: list[ProjectOverlay]
) -> tuple[list[Finding], set[int]]:
    """Records linked only to parcels outside the ROW (listed), and repeated records."""
    findings: list[Finding] = []
    links = inputs.links
    # a link hits when its (project, parcel) has a piece: both as one integer key
    stride = len(inputs.parcels) + 1
    project_of = pd.Index([ov.project.id for ov in overlays], dtype=object)
    affected = np.concatenate(
        [k * stride + ov.pieces[C.PARCEL_INDEX].to_numpy(dtype=np.int64)
         for k, ov in enumerate(overlays)] or [np.zeros(0, dtype=np.int64)])  # fmt: skip
    link_project = project_of.get_indexer(links[C.PROJECT].to_numpy(dtype=object))
    link_key = link_project * stride + links[C.PARCEL_INDEX].to_numpy(dtype=np.int64)
    hit = (link_project >= 0) & np.isin(link_key, affected)
    used: set[int] = set(links[C.RECORD_INDEX].to_numpy(dtype=np.int64)[hit].tolist())
    records = inputs.records
    outside = links[~links[C.RECORD_INDEX].isin(used)] if len(links) else links
    if len(outside):
        first = outside.groupby(C.RECORD_INDEX, sort=True)[C.PARCEL_INDEX].first()
        pids = (outside.drop_duplicates([C.RECORD_INDEX, C.PROJECT])
                .sort_values([C.RECORD_INDEX, C.PROJECT])
                .groupby(C.RECORD_INDEX, sort=True)[C.PROJECT].agg(", ".join))  # fmt: skip
        at = first.to_numpy(dtype=np.int64)
        sheets = inputs.parcels[C.KEY_SHEET].to_numpy()[at].tolist()
        numbers = inputs.parcels[C.KEY_PARCEL].to_numpy()[at].tolist()
        labels = records[C.RECORD_LABEL].to_numpy()[first.index.to_numpy(dtype=np.int64)]
        for label, sheet, number, project in zip(labels.tolist(), sheets, numbers,
                                                 pids.tolist(), strict=True):  # fmt: skip
            params = {"sheet": sheet, "parcel": number, "project": project}
            findings.append(Finding(WARNING, "record_outside_row", "handovers", label,
                                    params=params, listed=True))  # fmt: skip
    inside = links[hit].drop_duplicates([C.RECORD_INDEX, C.PARCEL_INDEX, C.PROJECT])
    repeated = inside.groupby([C.PROJECT, C.PARCEL_INDEX])[C.RECORD_INDEX].transform("size") > 1
    for (pid, parcel), group in inside[repeated].groupby([C.PROJECT, C.PARCEL_INDEX]):
        if len(group) > 1:
            rows = sorted(records[C.SOURCE_ROW].iloc[group[C.RECORD_INDEX]].tolist())
            p = inputs.parcels.iloc[parcel]
            findings.append(
                Finding(
                    WARNING,
                    "record_repeated",
                    "handovers",
                    f"sheet {p[C.KEY_SHEET]} / parcel {p[C.KEY_PARCEL]}",
                    params={"count": len(group), "project": pid, "rows": ", ".join(map(str, rows))},
                )
            )
    return findings, used


def record_summary(inputs: Inputs, findings: list[Finding], records_used: int,
                   ) -> tuple[pd.DataFrame, list[Finding]]:  # fmt: skip
    """``records: N read = M used + K listed`` for each layer, and a finding where not.

    Used and listed are counted independently (what was kept, what was listed), so a record
    that went missing on the way shows as a difference instead of vanishing.
    """
    used = {**inputs.used, "handovers": records_used}
    rows, lost = [], []
    for layer, n in inputs.read.items():
        listed = sum(f.count for f in findings if f.listed and f.layer == layer)
        rows.append({"layer": layer, "read": n, "used": used.get(layer, n - listed),
                     "listed": listed})  # fmt: skip
        if used.get(layer, n - listed) + listed != n:
            lost.append(Finding(ERROR, "records_unaccounted", layer, params={
                "read": n, "used": used.get(layer), "listed": listed}))  # fmt: skip
    return pd.DataFrame(rows, columns=["layer", "read", "used", "listed"]), lost


@dataclass
class ProgressResult:
    """What :func:`compute_progress` found: the tables of ``DIR/tables/`` and the geometry.

    Attributes
    ----------
    progress_by_project, progress_by_commune, parcels, qa_issues, progress_by_chainage
        The tables of DESIGN §7 (full precision).
    blockers
        Per road project: stretches not yet cleared and the parcels that block them.
    records
        Records read, used and listed per layer.
    overlays
        Per project: pieces, faces and units, for maps and further measures.
    """

    config: Config
    as_of: dt.date
    progress_by_project: pd.DataFrame
    progress_by_commune: pd.DataFrame
    parcels: pd.DataFrame
    qa_issues: pd.DataFrame
    records: pd.DataFrame
    overlays: dict[str, ProjectOverlay] = field(repr=False, default_factory=dict)
    inputs: Inputs | None = field(repr=False, default=None)
    findings: list[Finding] = field(repr=False, default_factory=list)
    progress_by_chainage: pd.DataFrame = field(
        repr=False, default_factory=lambda: pd.DataFrame(columns=CHAINAGE_COLUMNS)
    )
    blockers: pd.DataFrame = field(
        repr=False, default_factory=lambda: pd.DataFrame(columns=BLOCKER_COLUMNS)
    )
    _unplaced: Unplaced | None = field(default=None, init=False, repr=False, compare=False)

    def unplaced(self) -> Unplaced:
        """The book's records with a date or status that no parcel took (see ``unplaced``).

        Worked out once: every headline of a report asks for it.
        """
        from gpmb_gis.unplaced import unplaced_records

        if self._unplaced is None:
            self._unplaced = unplaced_records(self)
        return self._unplaced

    def milestones(self) -> pd.DataFrame:
        """Every milestone's status as of the report date (``milestones.csv``)."""
        from gpmb_gis.milestones import milestone_table

        return milestone_table(self)

    def timeseries(self) -> pd.DataFrame:
        """Weekly cleared area and %, per project and commune (``timeseries.csv``)."""
        return timeseries_table(self)

    def by_chainage(self, project: str) -> pd.DataFrame:
        """The chainage table of one road project (bins of ``chainage_bin_m``)."""
        table = self.progress_by_chainage
        return table[table[C.PROJECT] == project]

    def qa_in(self, lang: str) -> pd.DataFrame:
        """The QA table worded in another language (``vi`` or ``en``)."""
        if lang == self.config.lang or not self.findings:
            return self.qa_issues
        return qa_table(self.findings, lang)

    def __repr__(self) -> str:
        lines = [f"ProgressResult({self.config.title!r}, as of {self.as_of:%d/%m/%Y})"]
        for row in self.progress_by_project.itertuples(index=False):
            lines.append(
                f"  {row.project}: {row.cleared_pct:5.1f} % of "
                f"{row.required_m2 / 1e4:,.2f} ha handed over"
            )
        lines.append(f"  QA findings: {len(self.qa_issues)}")
        doubt = self.unplaced().sentence("en")
        if doubt:
            lines.append(f"  warning: {doubt}")
        return "\n".join(lines)

    def by_commune(self, project: str | None = None) -> pd.DataFrame:
        """The commune table, for one project or all."""
        table = self.progress_by_commune
        return table[table[C.PROJECT] == project] if project else table

    def qa(self, severity: str | None = None) -> pd.DataFrame:
        """The QA table, optionally only ``error`` or ``warning`` rows."""
        table = self.qa_issues
        return table[table[C.SEVERITY] == severity] if severity else table


def compute_progress(
    config: Config | str,
    as_of: dt.date | None = None,
    *,
    include_owner: bool = False,
    allow_unplaced: bool = False,
) -> ProgressResult:
    """Measure every project of a config as of a date.

    Parameters
    ----------
    config
        A :class:`~gpmb_gis.config.Config` or the path of a config file.
    as_of
        Report date; default the config's ``as_of``, else today.
    include_owner
        Keep owner names in the parcels table (personal data: off by default).
    allow_unplaced
        Measure a book that cannot be placed as a whole (a key column missing, several sheets
        that look like the book) instead of refusing it: its records count for nothing and
        :meth:`ProgressResult.unplaced` says how many.

    Returns
    -------
    ProgressResult

    Examples
    --------
    >>> result = compute_progress("data/cao_loc/gpmb.toml")
    >>> round(float(result.progress_by_project.loc[0, "cleared_pct"]), 1)
    99.3
    """
    if not isinstance(config, Config):
        config = load_config(config)
    if allow_unplaced and not config.qa.allow_unplaced:
        import dataclasses

        config = dataclasses.replace(config, qa=dataclasses.replace(config.qa, allow_unplaced=True))
    day = as_of or config.as_of or dt.date.today()
    projects = list(config.projects)
    with ThreadPoolExecutor(max_workers=_workers(projects)) as pool:
        unions: dict[str, shapely.Geometry] = {}
        binned: dict[str, Future[ChainageBins]] = {}
        shapes: dict[str, Future[RowCut]] = {}

        def plan(rows: dict[str, gpd.GeoDataFrame], routes: dict[str, Route]) -> None:
            # the roads' chainage bins need no parcel: they are worked out while those are read
            for p in projects:
                unions[p.id] = union_of(rows[p.id].geometry.to_numpy())
                if p.id in routes:
                    binned[p.id] = pool.submit(chainage_bins, p, unions[p.id], routes[p.id])

        def start(_rows: dict[str, gpd.GeoDataFrame], parcel_geoms: np.ndarray) -> None:
            # the rights of way (their unions from plan, called first) are cut by the parcels'
            # shapes while the parcels are keyed and checked and the book is read
            tree = STRtree(parcel_geoms)  # one for every project
            for p in projects:
                shapes[p.id] = pool.submit(cut_row, unions[p.id], parcel_geoms, tree)

        try:
            inputs = load_inputs(config, settle=False, link=False, shapes_read=start,
                                 layers_read=plan)  # fmt: skip
        except BaseException:
            for cut in [*binned.values(), *shapes.values()]:
                cut.cancel()
            raise
        _without_implausible_dates(inputs, day)
        overlays, measured = overlay_while_linking(
            inputs,
            lambda ov: _project_tables(ov, inputs, day, include_owner),
            pool,
            shapes,
            binned,
        )
    return measure_overlays(inputs, overlays, day, include_owner=include_owner, measured=measured)


def _without_implausible_dates(inputs: Inputs, day: dt.date) -> None:
    """Drop the book's implausible dates (before 1990, far after ``day``): they date no step."""
    records, found = qa.drop_implausible_dates(inputs.records, day,
                                               inputs.config.qa.far_future_years)  # fmt: skip
    if found:
        inputs.records = records
        inputs.record_reach = stages.record_reach_days(records)
        inputs.findings.extend(found)


def _workers(projects: list[Project]) -> int:
    """Threads for the projects' cuts: one per core, no more than projects."""
    return max(1, min(len(projects), os.cpu_count() or 1))


#: Overlays every project of a run: ``(projects, inputs) → {project id: overlay}``.
OverlayAll = Callable[[list[Project], Inputs], dict[str, ProjectOverlay]]


def overlay_threads(projects: list[Project], inputs: Inputs) -> dict[str, ProjectOverlay]:
    """Overlay the projects on threads (one per core): GEOS works without holding the GIL."""
    workers = min(len(projects), os.cpu_count() or 1)
    if workers <= 1:
        return {p.id: overlay_project(p, inputs) for p in projects}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        done = pool.map(lambda p: overlay_project(p, inputs), projects)
        return {p.id: ov for p, ov in zip(projects, done, strict=True)}


def overlay_while_linking(inputs: Inputs, then: Callable[[ProjectOverlay], T] | None = None,
                          pool: ThreadPoolExecutor | None = None,
                          shapes: dict[str, Future[RowCut]] | None = None,
                          binned: dict[str, Future[ChainageBins]] | None = None,
                          ) -> tuple[dict[str, ProjectOverlay], dict[str, T]]:  # fmt: skip
    """Overlay every project, cutting the rights of way on threads while records are linked.

    The cuts (:func:`cut_project`) need only the layers; this thread meanwhile links the
    handover records to the parcels (:meth:`Inputs.link_records`), a side thread looks up
    the far records (:meth:`Inputs.settle`), then each project is dated (:func:`with_reach`)
    and given to ``then`` as soon as its cut is done, while the others are still cut.
    ``pool`` runs the cuts (else a pool of one thread per core); ``shapes`` holds the
    projects' :func:`cut_row` already under way on it, ``binned`` the roads'
    :func:`chainage_bins`.

    Returns
    -------
    (dict, dict)
        The overlays (the same as :func:`overlay_threads`) and what ``then`` gave for each,
        by project id in the config's order.
    """
    projects = list(inputs.config.projects)
    if pool is None:
        with ThreadPoolExecutor(max_workers=_workers(projects)) as own:
            return overlay_while_linking(inputs, then, own, shapes, binned)
    shapes = shapes or {}
    for early in shapes.values():
        early.cancel()  # not started yet: its project's cut does it, in turn, without waiting

    def cut_one(p: Project) -> ProjectOverlay:
        early = shapes.get(p.id)
        done = early is not None and not early.cancelled()
        bins = (binned or {}).get(p.id)
        return cut_project(p, inputs, early.result() if done else None,
                           None if bins is None else bins.result())  # fmt: skip

    with ThreadPoolExecutor(1) as side:
        cuts = {pool.submit(cut_one, p): p.id for p in projects}
        try:
            inputs.link_records()
        except BaseException:
            for cut in cuts:
                cut.cancel()
            raise
        settled = side.submit(inputs.settle)
        overlays, results = {}, {}
        for cut in as_completed(cuts):
            overlays[cuts[cut]] = ov = with_reach(cut.result(), inputs)
            if then is not None:
                results[cuts[cut]] = then(ov)
        settled.result()
    order = [p.id for p in projects]
    return {k: overlays[k] for k in order}, {k: results[k] for k in order if k in results}


def measure_inputs(inputs: Inputs, day: dt.date, *, include_owner: bool = False,
                   overlay: OverlayAll = overlay_threads) -> ProgressResult:  # fmt: skip
    """Overlay and measure inputs already read (:func:`compute_progress` without the reading).

    ``overlay`` runs :func:`overlay_project` for every project: on threads by default, on a
    dask cluster with :func:`gpmb_gis.partition.overlay_on`; every way gives the same tables.
    """
    _without_implausible_dates(inputs, day)
    inputs.link_records()
    with ThreadPoolExecutor(max_workers=1) as side:
        # a scan of the whole parcels file's attributes, on its own thread during the overlays
        settled = side.submit(inputs.settle)
        overlays = overlay(list(inputs.config.projects), inputs)
        settled.result()
    return measure_overlays(inputs, overlays, day, include_owner=include_owner)


@dataclass
class _ProjectTables:
    """One project's rows of the run's tables."""

    project: dict[str, object]
    road: dict[str, object]
    chainage: pd.DataFrame
    blockers: pd.DataFrame
    communes: list[dict[str, object]]
    parcels: pd.DataFrame


def _project_tables(ov: ProjectOverlay, inputs: Inputs, day: dt.date, include_owner: bool,
                    ) -> _ProjectTables:  # fmt: skip
    """A project's own tables as of ``day``: what needs no other project nor the findings."""
    row = measure_project(ov, day)
    bins = measure_chainage(ov, day)
    blockers, road = blockers_table(ov, bins, day)
    lang = inputs.config.lang
    communes = measure_communes(
        ov, day, word("outside_communes", lang), word("unmapped_land", lang)
    )
    return _ProjectTables(row, road, bins, blockers, communes,
                          parcels_table(ov, inputs, day, include_owner=include_owner))  # fmt: skip


def measure_overlays(inputs: Inputs, overlays: dict[str, ProjectOverlay], day: dt.date, *,
                     include_owner: bool = False, measured: dict[str, _ProjectTables] | None = None,
                     ) -> ProgressResult:  # fmt: skip
    """Measure the overlays of inputs read and settled: the tables of a run as of ``day``.

    ``measured`` holds the projects' own tables when already made (same ``day`` and
    ``include_owner``).
    """
    config = inputs.config
    extra, records_used = _record_findings(inputs, list(overlays.values()))
    findings = inputs.findings + extra + [f for ov in overlays.values() for f in ov.findings]
    findings += qa.record_dates(inputs.records, day, config.qa.far_future_years)
    summary, lost = record_summary(inputs, findings, len(records_used))
    findings += lost
    measured = measured or {}
    tables = [measured.get(pid) or _project_tables(ov, inputs, day, include_owner)
              for pid, ov in overlays.items()]  # fmt: skip
    by_project = pd.DataFrame([t.project for t in tables])
    road = pd.DataFrame([t.road for t in tables], index=by_project.index)
    if len(road.columns):  # road figures: columns of the road projects only, blank elsewhere
        numbers = road.select_dtypes("number").columns
        road[numbers] = road[numbers].astype(float)
        by_project = pd.concat([by_project, road], axis=1)
    return ProgressResult(
        config,
        day,
        by_project,
        pd.DataFrame([r for t in tables for r in t.communes], columns=COMMUNE_COLUMNS),
        pd.concat([t.parcels for t in tables], ignore_index=True),
        qa_table(findings, config.lang),
        summary,
        overlays,
        inputs,
        findings,
        _concat([t.chainage for t in tables], CHAINAGE_COLUMNS),
        _concat([t.blockers for t in tables], BLOCKER_COLUMNS),
    )


def _concat(tables: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    tables = [t for t in tables if len(t)]
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=columns)


BLOCKER_COLUMNS = [C.PROJECT, "kind", "from_m", "to_m", "label", "length_m", "uncleared_m2",
                   "parcels", "commune", "sheet", "parcel", "side", "completes_m"]  # fmt: skip
CHAINAGE_COLUMNS = [C.PROJECT, "from_m", "to_m", "from_label", "to_label", "segment",
                    "length_m", C.REQUIRED_M2, C.CLEARED_M2, C.CLEARED_PCT, C.UNMAPPED_M2,
                    "inventoried_m2", "plan_approved_m2", "paid_m2", C.AS_OF]  # fmt: skip
_MEASURES = [C.REQUIRED_M2, C.CLEARED_M2, C.CLEARED_PCT, C.UNMAPPED_M2, C.PARCELS_AFFECTED,
             C.PARCELS_CLEARED]  # fmt: skip
PROJECT_COLUMNS = [C.PROJECT, C.PROJECT_NAME, *_MEASURES, C.AS_OF]
COMMUNE_COLUMNS = [C.PROJECT, C.COMMUNE_CODE, C.COMMUNE, *_MEASURES, "inventoried_m2",
                   "plan_approved_m2", "paid_m2", C.AS_OF]  # fmt: skip


# --- stages and week-over-week ---------------------------------------------------------------

STAGE_COUNT_COLUMNS = [f"parcels_{s}" for s in (*C.STAGES, C.ALREADY_CLEAR)]


def stages_table(result: ProgressResult) -> pd.DataFrame:
    """``stages.csv``: per project and commune, parcels at each stage as of the report date.

    With the area at each stage or later, and the parcels under enforcement or with a
    complaint.
    """
    parcels = result.parcels
    rows = []
    for (pid, commune), group in [((pid, ""), g) for pid, g in parcels.groupby(C.PROJECT)] + [
        (key, g) for key, g in parcels.groupby([C.PROJECT, C.COMMUNE])
    ]:
        counts = group[C.STAGE].value_counts()
        row = {C.PROJECT: pid, "scope": "commune" if commune else "project",
               C.COMMUNE: commune, "parcels": len(group),
               **{f"parcels_{s}": int(counts.get(s, 0)) for s in (*C.STAGES, C.ALREADY_CLEAR)},
               "parcels_enforcement": int(group[C.ENFORCEMENT].sum()),
               "parcels_complaint": int(group[C.COMPLAINT].sum())}  # fmt: skip
        source = (
            result.progress_by_project.set_index(C.PROJECT).loc[pid]
            if not commune
            else result.progress_by_commune[
                (result.progress_by_commune[C.PROJECT] == pid)
                & (result.progress_by_commune[C.COMMUNE] == commune)
            ]
        )
        if isinstance(source, pd.DataFrame):
            if not len(source):
                continue
            source = source.iloc[0]
        for col in (C.REQUIRED_M2, "inventoried_m2", "plan_approved_m2", "paid_m2", C.CLEARED_M2):
            row[col] = float(source[col])
        rows.append(row)
    return pd.DataFrame(rows)


def week_changes(result: ProgressResult, days: int = 7) -> pd.DataFrame:
    """What changed since ``days`` ago, per project and commune: hectares, points, parcels.

    Both dates are measured on the same overlay, so the difference is exact.
    """
    before = result.as_of - dt.timedelta(days=days)
    outside = word("outside_communes", result.config.lang)
    unmapped = word("unmapped_land", result.config.lang)
    rows = []
    for pid, ov in result.overlays.items():
        now_p, then_p = measure_project(ov, result.as_of), measure_project(ov, before)
        rows.append(_change(pid, "", now_p, then_p))
        then = {r[C.COMMUNE]: r for r in measure_communes(ov, before, outside, unmapped)}
        for r in measure_communes(ov, result.as_of, outside, unmapped):
            if r[C.COMMUNE] in then:
                rows.append(_change(pid, r[C.COMMUNE], r, then[r[C.COMMUNE]]))
    table = pd.DataFrame(rows)
    table.attrs["since"] = before
    return table


def _change(pid: str, commune: str, now: dict, then: dict) -> dict[str, object]:
    return {
        C.PROJECT: pid, C.COMMUNE: commune,
        C.CLEARED_M2: now[C.CLEARED_M2], "cleared_change_m2": now[C.CLEARED_M2] -
        then[C.CLEARED_M2], C.CLEARED_PCT: now[C.CLEARED_PCT],
        "cleared_change_points": now[C.CLEARED_PCT] - then[C.CLEARED_PCT],
        "parcels_newly_cleared": now[C.PARCELS_CLEARED] - then[C.PARCELS_CLEARED],
    }  # fmt: skip


def what_if(result: ProgressResult, parcels: list[tuple[object, object]] | pd.DataFrame,
            handover_date: dt.date, *, project: str | None = None) -> ProgressResult:  # fmt: skip
    """Recompute as if some parcels were handed over on a date.

    Parameters
    ----------
    result
        What :func:`compute_progress` returned (its inputs are reused, nothing is read again).
    parcels
        ``(sheet, parcel)`` pairs, or a table with ``sheet`` and ``parcel`` columns (and
        ``commune``, when parcel numbers repeat across communes).
    handover_date
        The handover date to assume; the report date becomes the later of it and the result's.
    project
        Only for this project (default: every project those parcels are in).

    Examples
    --------
    >>> blocking = result.blockers[result.blockers["kind"] == "parcel"].head(3)
    >>> plan = what_if(result, blocking[["commune", "sheet", "parcel"]], dt.date(2024, 12, 6))
    >>> bool(plan.progress_by_project["cleared_m2"].sum() > result.progress_by_project[
    ...     "cleared_m2"].sum())
    True
    """
    import dataclasses

    from gpmb_gis import io

    if result.inputs is None:
        raise ValueError("the result holds no inputs to recompute from")
    table = parcels if isinstance(parcels, pd.DataFrame) else pd.DataFrame(
        list(parcels), columns=[C.SHEET, C.PARCEL])  # fmt: skip
    extra = io.empty_handovers().reindex(range(len(table)))
    extra[C.SHEET] = table[C.SHEET].to_numpy()
    extra[C.PARCEL] = table[C.PARCEL].to_numpy()
    extra[C.COMMUNE] = table[C.COMMUNE].to_numpy() if C.COMMUNE in table else None
    extra[C.PROJECT] = project
    if project is None:  # one record per project, as a book that names its projects has
        ids = [p.id for p in result.config.projects]
        extra = pd.concat([extra.assign(**{C.PROJECT: pid}) for pid in ids], ignore_index=True)
    extra[C.HANDOVER_DATE] = handover_date
    extra[C.SOURCE_ROW] = 0
    extra[C.RECORD_LABEL] = "what-if"
    extra[C.SOURCE_SHEET] = ""
    extra[C.ENFORCEMENT] = False
    extra[C.COMPLAINT] = False
    extra["status_stage"] = None
    inputs = result.inputs
    communes = inputs.index()
    records = pd.concat([inputs.records, join.add_keys(extra, communes)], ignore_index=True)
    projects = {p.id: p.name for p in inputs.config.projects}
    links, _ = join.match_records(records, inputs.parcels, projects,
                                    commune_in_key=inputs.commune_in_key,
                                    communes=inputs.commune_keys())  # fmt: skip
    changed = dataclasses.replace(inputs, records=records, links=links,
                                  record_reach=stages.record_reach_days(records),
                                  read={**inputs.read, "handovers": inputs.read.get(
                                      "handovers", 0) + len(extra)})  # fmt: skip
    return measure_inputs(changed, max(result.as_of, handover_date))
