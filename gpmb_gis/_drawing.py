"""Parcels from drawings: CAD files (DGN, DXF) hold lines and text labels, not polygons.

Cadastral maps drawn in MicroStation or AutoCAD keep parcel boundaries as lines (closed shapes
or loose segments) and the parcel number and land use as text placed inside each parcel.
:func:`polygons_from_drawing` turns such a layer into polygons with ``parcel`` and
``land_use`` taken from the labels, and says what it used and what it skipped.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gpmb_gis import columns as C
from gpmb_gis._arrays import LINEAL, POLYGONAL, PUNCTUAL
from gpmb_gis._findings import INFO, WARNING, Finding

__all__ = ["polygons_from_drawing"]


_COLLECTION = shapely.GeometryType.GEOMETRYCOLLECTION
_MISSING = shapely.GeometryType.MISSING
_TEXT_COLUMNS = ("Text", "TEXT", "text", "TEXTSTRING", "TextString", "label")
_PARCEL_TEXT = re.compile(r"^\s*(\d{1,6}[a-zA-Z]?)\s*$")
_LAND_USE_TEXT = re.compile(r"^\s*([A-Z]{2,4}(?:\s*\+\s*[A-Z]{2,4})*)\s*$")


def _closed_to_polygons(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Polygons of line features whose every part is a closed ring; mask of those features."""
    out = geoms.copy()
    closed = np.zeros(len(geoms), dtype=bool)
    for i, geom in enumerate(geoms):
        parts = shapely.get_parts(geom)
        if len(parts) and all(p.is_closed and len(p.coords) >= 4 for p in parts):
            polys = shapely.polygons(shapely.linearrings([np.asarray(p.coords) for p in parts]))
            out[i] = shapely.union_all(shapely.make_valid(polys))
            closed[i] = True
    return out, closed


def _labels(
    polys: gpd.GeoDataFrame,
    points: gpd.GeoDataFrame,
    text_col: str,
) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Give each polygon the parcel number and land use written inside it."""
    joined = gpd.sjoin(
        points[[text_col, "geometry"]], polys[["geometry"]], how="inner", predicate="within"
    )
    used = np.zeros(len(points), dtype=bool)
    parcel = pd.Series([None] * len(polys), index=polys.index, dtype=object)
    land_use = pd.Series([None] * len(polys), index=polys.index, dtype=object)
    for point_pos, (raw, target) in enumerate(
        zip(joined[text_col], joined["index_right"], strict=True)
    ):
        text = str(raw) if raw is not None else ""
        if (m := _PARCEL_TEXT.match(text)) and parcel[target] is None:
            parcel[target] = m.group(1)
        elif (m := _LAND_USE_TEXT.match(text)) and land_use[target] is None:
            land_use[target] = m.group(1).replace(" ", "")
        else:
            continue
        used[points.index.get_loc(joined.index[point_pos])] = True
    out = polys.copy()
    if C.PARCEL not in out or out[C.PARCEL].isna().all():
        out[C.PARCEL] = parcel.to_numpy()
    if C.LAND_USE not in out or out[C.LAND_USE].isna().all():
        out[C.LAND_USE] = land_use.to_numpy()
    return out, used


def polygons_from_drawing(
    gdf: gpd.GeoDataFrame,
    layer: str,
) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """Turn a drawing (lines, closed shapes, text) into polygons; a polygon layer is unchanged.

    Closed lines become polygons; where there is no polygon at all, the lines are noded and
    polygonised. Text points inside a polygon give its parcel number (a number) and land use
    (a code such as ``LUC`` or ``ONT+CLN``). Elements not used are listed in one finding.

    Returns
    -------
    (GeoDataFrame, list of Finding)
        Polygon features, with ``attrs["records_read"]`` set to the number of drawing
        elements read.
    """
    n_read = len(gdf)
    types = shapely.get_type_id(gdf.geometry.to_numpy())
    # collections and missing shapes are the repair step's to judge, like polygons
    if np.isin(types, (*POLYGONAL, _COLLECTION, _MISSING)).all():
        return gdf, []
    findings: list[Finding] = []
    geoms, closed = _closed_to_polygons(gdf.geometry.to_numpy())
    is_poly = np.isin(types, (*POLYGONAL, _COLLECTION, _MISSING)) | closed
    is_line = np.isin(types, LINEAL) & ~closed
    is_point = np.isin(types, PUNCTUAL)
    polys = gdf[is_poly].set_geometry(list(geoms[is_poly]))
    used_lines = np.zeros(len(gdf), dtype=bool)
    if not is_poly.any() and is_line.any():
        noded = shapely.union_all(gdf.geometry.to_numpy()[is_line])
        faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
        polys = gpd.GeoDataFrame(geometry=list(faces), crs=gdf.crs)
        polys[C.SOURCE_ROW] = np.arange(len(polys))
        used_lines = is_line
        findings.append(
            Finding(
                INFO,
                "drawing_polygonized",
                layer,
                params={"lines": int(is_line.sum()), "polygons": len(polys)},
            )
        )
    if closed.any():
        findings.append(
            Finding(INFO, "drawing_closed_lines", layer, params={"count": int(closed.sum())})
        )
    text_col = next((c for c in _TEXT_COLUMNS if c in gdf), None)
    used_points = np.zeros(int(is_point.sum()), dtype=bool)
    if text_col and is_point.any() and len(polys):
        polys = polys.reset_index(drop=True)
        polys, used_points = _labels(polys, gdf[is_point].reset_index(drop=True), text_col)
    other = ~(is_poly | is_line | is_point)
    skipped = int(is_point.sum() - used_points.sum() + (is_line & ~used_lines).sum() + other.sum())
    if skipped:
        findings.append(
            Finding(
                WARNING,
                "drawing_elements_skipped",
                layer,
                params={"count": skipped, "labels": int(used_points.sum())},
                listed=True,
                count=skipped,
            )
        )
    polys = polys.reset_index(drop=True)
    polys.attrs["records_read"] = n_read
    polys.attrs["records_used"] = n_read - skipped
    return polys, findings
