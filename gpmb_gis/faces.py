"""Geometry of the overlay: unions, the cut of a right of way by the parcels, disjoint faces.

The right of way of a project is cut by the parcels into *pieces*. Overlapping parcels make
overlapping pieces, so pieces are also split into *faces*: disjoint polygons, each with the
pieces covering it. Every area the package reports is a sum over faces, which is the area of
a union (overlaps never count twice).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import STRtree

from gpmb_gis import columns as C
from gpmb_gis import settings
from gpmb_gis._arrays import LINEAL, POLYGONAL, PUNCTUAL
from gpmb_gis.stages import NEVER

# --- geometry helpers ----------------------------------------------------------------------


__all__ = [
    "Faces",
    "coverage_union",
    "cut_pieces",
    "disjoint_faces",
    "overlapping_pairs",
    "pieces_frame",
    "polygonal",
    "union_of",
    "union_of_pieces",
]


def polygonal(geoms: np.ndarray) -> np.ndarray:
    """Keep only the polygonal part of each geometry (lines and points of a collection go)."""
    geoms = np.asarray(geoms, dtype=object)
    out = geoms.copy()
    types = shapely.get_type_id(geoms)
    mixed = np.flatnonzero(types == shapely.GeometryType.GEOMETRYCOLLECTION)
    for i in mixed:
        parts = shapely.get_parts(geoms[i])
        polys = parts[np.isin(shapely.get_type_id(parts), POLYGONAL)]
        out[i] = shapely.union_all(polys) if len(polys) else shapely.Polygon()
    lines_or_points = np.isin(types, (*PUNCTUAL, *LINEAL))
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


def overlapping_pairs(
    geoms: np.ndarray,
    min_area: float = 1e-6,
    *,
    clean: bool | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
    shared = (
        shapely.area(shapely.intersection(geoms[left], geoms[right]))
        if len(left)
        else (np.zeros(0))
    )
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
        np.zeros(0, dtype=np.int64),
        np.zeros(0, dtype=np.int64),
        np.zeros(0),
    )

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
    if C.SOURCE_FILE in parcels:  # a layer in many files: findings name the file
        columns[C.SOURCE_FILE] = parcels[C.SOURCE_FILE].array.take(parcel_pos)
    return gpd.GeoDataFrame(columns, geometry="geometry", crs=parcels.crs)
