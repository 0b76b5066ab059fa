"""Parcels from drawings: CAD files (DGN, DXF) hold lines and text labels, not polygons.

Cadastral maps drawn in MicroStation or AutoCAD keep parcel boundaries as lines (loose
segments, and here and there a closed shape) and the parcel number and land use as text
placed inside each parcel. :func:`polygons_from_drawing` turns such a layer into polygons with
``parcel`` and ``land_use`` taken from the labels, and says what it used and what it skipped.

A drawing with any line, loose or closed, is read as drawn: every boundary (lines and the
outlines of closed shapes) is noded and the faces between them are the parcels, so a parcel
drawn inside another is a hole of it. A drawing of closed shapes only (DGN shapes) gives one
polygon per shape. A face's labels are the texts inside it; a
face with two different parcel numbers (a boundary missing?) keeps none and is listed, and so
is a parcel number that falls in no face.
"""

from __future__ import annotations

import re
import unicodedata

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gpmb_gis import _arrays
from gpmb_gis import columns as C
from gpmb_gis._arrays import LINEAL, POLYGONAL, PUNCTUAL
from gpmb_gis._errors import InputError
from gpmb_gis._findings import INFO, WARNING, Finding

__all__ = ["polygons_from_drawing"]


_COLLECTION = shapely.GeometryType.GEOMETRYCOLLECTION
_MISSING = shapely.GeometryType.MISSING
_TEXT_COLUMNS = ("Text", "TEXT", "text", "TEXTSTRING", "TextString", "label")
_LAYER_COLUMNS = ("Layer", "Level", "LAYER", "LEVEL", "layer", "level")
_PARCEL_TEXT = re.compile(r"^\s*(\d{1,6}[a-zA-Z]?)\s*$")
_LAND_USE_TEXT = re.compile(r"^\s*([A-Z]{2,4}(?:\s*\+\s*[A-Z]{2,4})*)\s*$")
_AREA_TEXT = re.compile(r"^\s*\d+[.,]\d+\s*$")


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


def _faces(lines: np.ndarray, shapes: np.ndarray) -> np.ndarray:
    """The faces between all the boundaries: loose lines and the outlines of shapes, noded."""
    parts = shapely.get_parts(shapes)
    outlines = shapely.boundary(parts[np.isin(shapely.get_type_id(parts), POLYGONAL)])
    noded = shapely.union_all(np.concatenate([lines, outlines]))
    return shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))


def _label(text: str) -> tuple[str | None, str | None]:
    r"""A text's parcel number and land use: ``45``, ``LUC``, ``45/LUC``, ``45\PLUC``.

    A text of several parts (MTEXT lines, ``/``) gives a number only when one part is a
    number and the others a land use or an area with decimals (``1234.5``): ``12/45`` says
    two numbers and gives none.
    """
    parts = [p.strip() for p in re.split(r"\\P|[\n/]", text) if p.strip()]
    numbers = [m.group(1) for p in parts if (m := _PARCEL_TEXT.match(p))]
    uses = [m.group(1).replace(" ", "") for p in parts if (m := _LAND_USE_TEXT.match(p))]
    rest = len(parts) - len(numbers) - len(uses)
    if len(parts) > 1 and (rest != sum(bool(_AREA_TEXT.match(p)) for p in parts)):
        return None, None  # a part that is neither: not a label
    return (numbers[0] if len(numbers) == 1 else None), (uses[0] if len(uses) == 1 else None)


def _where(point: shapely.Point) -> str:
    return f"({point.x:.1f}, {point.y:.1f})"


def _labels(
    polys: gpd.GeoDataFrame, points: gpd.GeoDataFrame, text_col: str, layer: str
) -> tuple[gpd.GeoDataFrame, np.ndarray, list[Finding]]:
    """Give each polygon the parcel number and land use written inside it.

    Returns the polygons, which points were used, and the findings: a parcel number in no
    polygon, a polygon with two different numbers (or land uses), which then keeps none.
    """
    texts = points[text_col].map(lambda v: "" if v is None else str(v)).to_numpy()
    read = [_label(t) for t in texts]
    number = np.array([r[0] for r in read], dtype=object)
    use = np.array([r[1] for r in read], dtype=object)
    label = (number != None) | (use != None)  # noqa: E711 (element-wise)
    geoms = points.geometry.to_numpy()
    point_at, poly_at = shapely.STRtree(polys.geometry.to_numpy()).query(
        geoms[label], predicate="within"
    )
    # a label inside shapes drawn one in another is the innermost's (the smallest)
    order = np.lexsort((shapely.area(polys.geometry.to_numpy())[poly_at], point_at))
    first = np.r_[True, point_at[order][1:] != point_at[order][:-1]] if len(order) else order
    point_at, poly_at = point_at[order][first], poly_at[order][first]
    point_at = np.flatnonzero(label)[point_at]
    used = np.zeros(len(points), dtype=bool)
    used[point_at] = True
    findings = [
        Finding(
            WARNING,
            "drawing_label_outside",
            layer,
            f"{texts[i]} {_where(geoms[i])}",
            params={"label": texts[i]},
            listed=True,
        )
        for i in np.flatnonzero(label & ~used & (number != None))  # noqa: E711
    ]
    out = polys.copy()
    for column, values in ((C.PARCEL, number), (C.LAND_USE, use)):
        found = pd.DataFrame({"poly": poly_at, "value": values[point_at]}).dropna()
        distinct = found.drop_duplicates().groupby("poly")["value"]
        kinds = distinct.nunique()
        one = distinct.first()[kinds == 1]
        if column not in out or out[column].isna().all():
            mine = pd.Series(None, index=out.index, dtype=object)
            mine[one.index] = one.to_numpy()
            out[column] = mine.to_numpy()
        for poly in kinds.index[kinds > 1]:
            shown = ", ".join(sorted(distinct.get_group(poly)))
            findings.append(
                Finding(
                    WARNING,
                    "drawing_face_labels",
                    layer,
                    _where(out.geometry.iloc[poly].representative_point()),
                    params={"labels": shown},
                    area_m2=float(out.geometry.iloc[poly].area),
                )
            )
    return out, used, findings


def _layer_key(value: object) -> str:
    """A layer's name or level as compared: NFC, any case, ``010`` the same as ``10``."""
    text = unicodedata.normalize("NFC", str(value)).strip().casefold()
    return str(int(text)) if text.isdigit() else text


def _on_layers(
    gdf: gpd.GeoDataFrame, cad_layers: tuple[str, ...], layer: str
) -> tuple[np.ndarray, list[Finding]]:
    """Which elements are on the drawing layers (DXF ``Layer``) or levels (DGN ``Level``).

    Raises
    ------
    InputError
        When ``cad_layers`` names none of the drawing's layers.
    """
    everything = np.ones(len(gdf), dtype=bool)
    if not cad_layers:
        return everything, []
    column = next((c for c in _LAYER_COLUMNS if c in gdf), None)
    if column is None:
        return everything, [Finding(WARNING, "cad_layers_unused", layer)]
    keys = _arrays.map_unique(gdf[column], _layer_key)
    wanted = {_layer_key(n) for n in cad_layers}
    on = np.array([k in wanted for k in keys], dtype=bool)
    if not on.any():
        found = ", ".join(sorted({str(v) for v in gdf[column].dropna()})[:20])
        raise InputError(
            layer,
            f"cad_layers {list(cad_layers)} names none of the drawing's layers ({found})",
            "name the layers (levels) of the parcel boundaries and labels as the drawing has them",
        )
    return on, []


def polygons_from_drawing(
    gdf: gpd.GeoDataFrame,
    layer: str,
    cad_layers: tuple[str, ...] = (),
) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """Turn a drawing (lines, closed shapes, text) into polygons; a polygon layer is unchanged.

    With any line, the faces between every boundary (lines and the outlines of closed shapes)
    are the parcels; without, each closed shape is one. Text points inside a
    polygon give its parcel number (a number) and land use (a code such as ``LUC`` or
    ``ONT+CLN``). With ``cad_layers``, only the elements on those layers (levels) are used.
    Elements not used are listed in one finding; a parcel number in no face, and a face with
    two, each in one of their own.

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
    geoms, closed = _closed_to_polygons(gdf.geometry.to_numpy())
    on_layer, findings = _on_layers(gdf, cad_layers, layer)
    closed &= on_layer
    is_shape = np.isin(types, (*POLYGONAL, _COLLECTION)) & on_layer | closed
    is_line = np.isin(types, LINEAL) & ~closed & on_layer
    is_point = np.isin(types, PUNCTUAL) & on_layer
    used = is_shape.copy()
    if (is_line | closed).any():  # lines drawn: every boundary counts, a shape in a shape too
        faces = _faces(geoms[is_line], geoms[is_shape])
        polys = gpd.GeoDataFrame(geometry=list(faces), crs=gdf.crs)
        polys[C.SOURCE_ROW] = np.arange(len(polys))
        used |= is_line
        findings.append(
            Finding(
                INFO,
                "drawing_polygonized",
                layer,
                params={
                    "lines": int(is_line.sum() + closed.sum()),
                    "shapes": int((is_shape & ~closed).sum()),
                    "polygons": len(polys),
                },
            )
        )
    else:  # closed shapes only (DGN shapes): one polygon each
        polys = gdf[is_shape].set_geometry(list(geoms[is_shape]))
    text_col = next((c for c in _TEXT_COLUMNS if c in gdf), None)
    polys = polys.reset_index(drop=True)
    if text_col and is_point.any() and len(polys):
        points = gdf[is_point].reset_index(drop=True)
        polys, used_points, found = _labels(polys, points, text_col, layer)
        used[np.flatnonzero(is_point)[used_points]] = True
        findings += found
    listed = sum(f.count for f in findings if f.listed)
    skipped = int((~used).sum()) - listed
    if skipped:
        findings.append(
            Finding(
                WARNING,
                "drawing_elements_skipped",
                layer,
                params={"count": skipped, "labels": int((used & is_point).sum())},
                listed=True,
                count=skipped,
            )
        )
    polys.attrs["records_read"] = n_read
    polys.attrs["records_used"] = n_read - skipped - listed
    return polys, findings
