"""The overlay: a project's right of way cut by the parcels, its faces and units, dated.

:func:`overlay_project` cuts the right of way by the parcels into pieces and disjoint faces
(:mod:`gpmb_gis.faces`), breaks them down by unit (communes or their parcels' union, sites,
chainage bins) and dates each piece and face from the handover records linked to its parcel
(:mod:`gpmb_gis.stages`). What it returns can be measured at any date (:mod:`gpmb_gis.measure`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import STRtree

from gpmb_gis import _arrays, qa, stages
from gpmb_gis import columns as C
from gpmb_gis._arrays import expand_runs
from gpmb_gis._findings import WARNING, Finding
from gpmb_gis.chainage import (
    Bin,
    Route,
    bin_regions,
    segmentized_coordinates,
    stretch_labels,
)
from gpmb_gis.config import Project
from gpmb_gis.faces import Faces, coverage_union, cut_pieces, disjoint_faces, pieces_frame, union_of
from gpmb_gis.inputs import Inputs
from gpmb_gis.labels import word
from gpmb_gis.land_use import land_use_code, land_use_name

__all__ = [
    "PARTITION_TOLERANCE_M",
    "ChainageBins",
    "ProjectOverlay",
    "RowCut",
    "Units",
    "chainage_bins",
    "cut_project",
    "cut_row",
    "overlay_project",
    "unit_parts",
    "with_reach",
]


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


def unit_parts(
    faces: np.ndarray,
    units: np.ndarray,
    *,
    partition: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
        fi, ui, area = unit_parts(faces.geoms, geoms)
        codes = list(units[C.COMMUNE_CODE].fillna(""))
        return Units(
            list(units[C.KEY_COMMUNE]), codes, list(units[C.COMMUNE]), required, fi, ui, area
        )
    # without polygons a commune is the union of its parcels' pieces: a face covered by the
    # pieces of two communes belongs to both (``docs/metrics.md``; the overlap is listed)
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
    names = [
        str(first[k]) if k in first.index and _arrays.present(first[k]) else k or unknown
        for k in unique
    ]
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
    fi, ui, area = unit_parts(faces, geoms)
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
    return [
        Finding(
            WARNING,
            "clear_land_use_unmatched",
            "config",
            f"projects.{project.id}",
            params={"code": code, "name": land_use_name(code) or code, "found": shown},
        )
        for code in missing
    ]


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


def cut_row(row: shapely.Geometry, parcel_geoms: np.ndarray, tree: STRtree | None = None) -> RowCut:
    """A right of way cut by the parcels' shapes: the parcels with a piece, and the pieces.

    ``row`` is the union of the ROW layer's polygons (:func:`~gpmb_gis.faces.union_of`);
    ``tree`` is an STRtree of ``parcel_geoms`` shared by the projects (else one is built).
    It needs no attribute of the parcels, only their final shapes.
    """
    positions, piece_geoms = cut_pieces(parcel_geoms, row, tree)
    return RowCut(row, positions, piece_geoms, coverage_union(piece_geoms))


@dataclass
class ChainageBins:
    """A road's chainage bins and the part of its right of way in each.

    Attributes
    ----------
    bins
        The bins, in order along the line (:meth:`Route.bins`).
    regions
        One region of the right of way per bin (:func:`bin_regions`).
    """

    bins: list[Bin]
    regions: np.ndarray


def chainage_bins(project: Project, row: shapely.Geometry, route: Route) -> ChainageBins:
    """A road's chainage bins and their regions of its right of way ``row``.

    They need no parcel, only the right of way and the centreline.
    """
    bins = route.bins(project.chainage_bin_m)
    return ChainageBins(bins, bin_regions(route, bins, row))


def cut_project(
    project: Project,
    inputs: Inputs,
    shapes: RowCut | None = None,
    binned: ChainageBins | None = None,
) -> ProjectOverlay:
    """A project's overlay before the handover book: cut, broken down by unit, not dated.

    The pieces and faces have no stage dates yet: :func:`with_reach` adds them from the
    records linked to the parcels. ``shapes`` is :func:`cut_row` of the project and
    ``binned`` its :func:`chainage_bins` when already worked out (else they are here).
    """
    row_layer = inputs.rows[project.id]
    parcels = inputs.parcels
    if shapes is None:
        shapes = cut_row(union_of(row_layer.geometry.to_numpy()), parcels.geometry.to_numpy())
    row, positions, piece_geoms, covered = (
        shapes.row,
        shapes.positions,
        shapes.pieces,
        shapes.covered,
    )
    pieces = pieces_frame(parcels, positions, piece_geoms, project.id)
    names = (
        {}
        if inputs.communes is None
        else dict(zip(inputs.communes[C.KEY_COMMUNE], inputs.communes[C.COMMUNE], strict=True))
    )
    pieces["commune_name"] = [
        names.get(k, c if isinstance(c, str) else "")
        for k, c in zip(pieces[C.KEY_COMMUNE].tolist(), pieces[C.COMMUNE].tolist(), strict=True)
    ]
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
    fi, ui, area = unit_parts(faces.geoms, regions, partition=True)
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
