"""GIS layers: read a layer in any GDAL format, fix its text, check its CRS, map its columns.

Parcels can be read only near the rights of way (:mod:`gpmb_gis.nearby`); records whose
parcel was not read near them are looked up by their keys alone (:func:`read_parcel_keys`).
"""

from __future__ import annotations

import glob
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from gpmb_gis import columns as C
from gpmb_gis import headers, nearby
from gpmb_gis._drawing import polygons_from_drawing
from gpmb_gis._errors import CRSError, InputError
from gpmb_gis._findings import INFO, WARNING, Finding
from gpmb_gis._text import (
    LEGACY_ENCODINGS,
    best_decoding,
    decode_legacy,
    first_non_ascii,
    from_cp1258,
    guess_column_encoding,
    in_nfc,
    is_text_column,
    joined_text,
    nfc,
    number_key,
)
from gpmb_gis.config import LayerSource
from gpmb_gis.crs import Extent, check_extent
from gpmb_gis.io.aliases import match_columns
from gpmb_gis.nearby import Window, read_window

__all__ = ["NONE_NEAR", "read_layer", "read_parcel_keys"]


def _check_shapefile_parts(source: LayerSource) -> None:
    """A shapefile is several files: say which one is missing, not what follows from it."""
    path = source.path
    if path.suffix.lower() != ".shp" or not path.is_file():
        return
    present = {p.suffix.lower() for p in path.parent.glob(f"{glob.escape(path.stem)}.*")}
    for part, what in ((".shx", "its index"), (".dbf", "its attribute table")):
        if part not in present:
            raise InputError(
                source.label(),
                f"the shapefile has no {path.stem}{part} ({what}) beside it",
                "copy all the files of the shapefile together (.shp, .shx, .dbf, .prj, .cpg)",
            )


def _read_vector(
    source: LayerSource,
    window: Window | None = None,
) -> tuple[gpd.GeoDataFrame, bool]:
    """Read a layer; also say whether its text had to be read byte for byte (Latin-1).

    A file whose declared encoding (a .cpg saying UTF-8, say) does not decode is read again
    byte for byte, so that the legacy-encoding check can recover the text.
    """
    _check_shapefile_parts(source)
    encoding = source.encoding
    kwargs: dict[str, Any] = {}
    if encoding in LEGACY_ENCODINGS:
        kwargs["encoding"] = "latin1"
    elif encoding:
        kwargs["encoding"] = encoding
    if source.layer:
        kwargs["layer"] = source.layer
    try:
        try:
            return read_window(source, window, kwargs), False
        except UnicodeDecodeError:
            if encoding in LEGACY_ENCODINGS:
                raise
            return read_window(source, window, {**kwargs, "encoding": "latin1"}), True
    except Exception as exc:  # GDAL reports every failure through its own classes
        message = _gdal_message(exc)
        if "dgnv8" in message.lower():
            raise InputError(
                source.label(),
                "is a MicroStation V8 drawing, which the installed GDAL cannot read",
                "save it as DGN V7 or DXF (MicroStation: File > Save As)",
            ) from exc
        if source.layer and "layer" in message.lower():
            layers = ", ".join(str(n) for n, _ in _list_layers(source.path))
            raise InputError(
                source.label(), f"layer not found ({message})", f"use one of: {layers}"
            ) from exc
        raise InputError(
            source.label(),
            f"cannot be read as a GIS layer ({message})",
            "check that the file is complete and in a format GDAL reads "
            "(GPKG, Shapefile with .dbf/.shx, GeoJSON, DXF, DGN, ...)",
        ) from exc


def _gdal_message(exc: Exception) -> str:
    """The first line of a reader's error, without the library's own source files."""
    text = str(exc).strip()
    if not text:
        return type(exc).__name__
    line = re.sub(r"\s*\([^()]*\.(?:cpp|c|h)\b[^()]*\)", "", text.splitlines()[0])
    return re.sub(r"(?:/[\w.+-]+){2,}/", "", line).strip()


def _list_layers(path: Path) -> list[tuple[str, str]]:
    try:
        return [tuple(x) for x in pyogrio.list_layers(path)]
    except Exception:
        return []


def _convert_text(
    df: pd.DataFrame, source: LayerSource, layer: str, *, bytewise: bool = False
) -> list[Finding]:
    """Apply a declared legacy encoding, detect an undeclared one, and normalise to NFC.

    ``bytewise`` says the text was read as Latin-1 because its declared encoding failed;
    columns that are neither TCVN3 nor VNI are then read as Windows-1258 (Vietnamese).
    """
    findings: list[Finding] = []
    if bytewise:
        findings.append(
            Finding(WARNING, "encoding_declared_wrong", layer, params={"file": source.path.name})
        )
    text_cols = [c for c in df.columns if c != "geometry" and is_text_column(df[c])]
    for col in text_cols:
        values = df[col]
        if source.encoding in LEGACY_ENCODINGS:
            df[col] = values.map(lambda v: decode_legacy(v, source.encoding))
            continue
        joined = joined_text(values.dropna().tolist())
        if joined.isascii():  # no legacy encoding to find, nothing to normalise
            continue
        if bytewise:
            best = best_decoding(list(values))
            guess = best if best in LEGACY_ENCODINGS else None
        else:
            guess = guess_column_encoding(values)
        if guess:
            df[col] = values.map(lambda v, g=guess: decode_legacy(v, g))
            params = {"column": col, "encoding": guess, "example": first_non_ascii(values)}
            findings.append(
                Finding(WARNING, "legacy_encoding", layer, f"column {col}", params=params)
            )
        elif bytewise:
            df[col] = values.map(from_cp1258)
        elif not in_nfc(joined):
            df[col] = values.map(lambda v: nfc(v) if isinstance(v, str) else v)
    return findings


def _assign_crs(gdf: gpd.GeoDataFrame, source: LayerSource, default_crs: CRS) -> CRS:
    if source.crs:
        return CRS.from_user_input(source.crs)
    if gdf.crs is not None:
        return CRS.from_user_input(gdf.crs)
    return default_crs


def _fits(extent: Extent, crs: CRS) -> bool:
    try:
        check_extent(extent, crs, where="")
    except CRSError:
        return False
    return not crs.is_geographic


#: Files whose parcels are built from lines and labels (:mod:`gpmb_gis._drawing`).
_DRAWINGS = (".dxf", ".dgn")
#: ``attrs`` key of the empty frame :func:`read_layer` returns for a file of many with no
#: feature near a right of way: the features the file holds.
NONE_NEAR = "none_near"


def _none_near(gdf: Any, window: Window) -> bool:
    """Whether a file read through ``window`` has no feature near a right of way.

    Read near: none was found, and the file's extent (judged to fit its CRS) says so too.
    Read whole (a drawing): its elements' extent meets no box of the window (or it holds
    none); the faces of a drawing need every element.
    """
    if not isinstance(gdf, gpd.GeoDataFrame):
        return False
    if not window.whole:  # found nothing near: an answer when the file's extent was judged
        return not len(gdf) and window.extent is not None
    if not len(gdf):
        return True
    shapes = gdf.geometry.to_numpy()
    shapes = shapes[~(shapely.is_missing(shapes) | shapely.is_empty(shapes))]
    if not len(shapes) or not len(window.boxes):
        return False
    return not nearby.box_meets_file(window, shapely.total_bounds(shapes)).any()


def _fits_its_crs(gdf: Any, source: LayerSource, project_crs: CRS) -> bool:
    """Whether a layer's shapes fit its CRS (declared, its own, else the project's)."""
    shapes = gdf.geometry.to_numpy()
    shapes = shapes[~(shapely.is_missing(shapes) | shapely.is_empty(shapes))]
    if not len(shapes):
        return True
    try:
        check_extent(
            Extent(*shapely.total_bounds(shapes)), _assign_crs(gdf, source, project_crs), where=""
        )
    except CRSError:
        return False
    return True


def _has_shapes(gdf: Any, source: LayerSource, layer: str) -> None:
    """Refuse a table without shapes, an empty layer and a layer whose shapes are all missing."""
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf:
        raise InputError(
            source.label(),
            f"has no geometry: it is a table, not a {layer} layer",
            "name a GIS layer here (the handover book goes under handovers)",
        )
    if len(gdf) == 0:
        raise InputError(
            source.label(),
            f"the {layer} layer is empty (0 features)",
            "check that the right file and layer are named in the config",
        )
    if gdf.geometry.isna().all():
        raise InputError(
            source.label(),
            f"the {layer} layer has no geometry",
            "use a layer with polygons (a table without shapes cannot be measured)",
        )


def read_layer(
    source: LayerSource,
    *,
    layer: str,
    project_crs: CRS,
    fields: Mapping[str, str] | None = None,
    name: str | None = None,
    window: Window | None = None,
) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """Read a vector layer into the project's CRS with canonical column names.

    Parameters
    ----------
    source
        Where the layer is (path, layer, encoding, crs, commune).
    layer
        What it is: ``parcels``, ``communes`` or ``row`` (picks the column aliases).
    project_crs
        The project's VN-2000 zone; a layer without a CRS is taken to be in it.
    fields
        Extra column names from the config.
    name
        The layer's name in findings and the run summary (``row:QL4B``); default ``layer``.
    window
        Read only the features that meet these right of way pieces (:mod:`nearby`); the
        features read are then those, and ``attrs["records_in_layer"]`` counts the file's.

    Returns
    -------
    (GeoDataFrame, list of Finding)
        The layer, with its original row order kept in ``source_row`` (0-based feature
        number), 2-D geometry, text in NFC; and what was noticed while reading it.

    Raises
    ------
    InputError, CRSError
        When the file cannot be read, is empty, or its coordinates do not fit its CRS.
    """
    gdf, bytewise = _read_vector(source, window)
    in_layer = None
    if (
        window is not None
        and window.none_near_ok
        and _none_near(gdf, window)
        and _fits_its_crs(gdf, source, project_crs)
    ):
        # a file of many with nothing near a right of way: an answer, not an error
        empty = gpd.GeoDataFrame(geometry=[])
        empty.attrs[NONE_NEAR] = len(gdf) if window.whole else (window.features or 0)
        return empty, []
    if window is not None and not window.whole and isinstance(gdf, gpd.GeoDataFrame):
        in_layer = window.features
        if not len(gdf):  # nothing near: read whole, so that the errors say why
            return read_layer(
                source, layer=layer, project_crs=project_crs, fields=fields, name=name
            )
    _has_shapes(gdf, source, layer)
    crs = _assign_crs(gdf, source, project_crs)
    extent = Extent(*map(float, gdf.geometry.total_bounds))
    findings: list[Finding] = []
    if crs.is_geographic and not source.crs and _fits(extent, project_crs):
        # GeoJSON (and some exports) claim WGS 84 by default; metres of the project's zone
        # say otherwise
        findings.append(
            Finding(
                WARNING,
                "crs_assumed",
                name or layer,
                params={"declared": crs.name, "assumed": project_crs.name},
            )
        )
        crs = project_crs
    gdf = gdf.set_crs(crs, allow_override=True)
    check_extent(extent, crs, where=source.label())
    findings += _convert_text(gdf, source, name or layer, bytewise=bytewise)
    gdf = gdf.rename(columns=match_columns(gdf.columns, layer, fields))
    geoms = gdf.geometry.to_numpy()
    has_zm = shapely.has_z(geoms) | shapely.has_m(geoms)
    if has_zm.any():
        findings.append(
            Finding(INFO, "z_dropped", name or layer, params={"count": int(has_zm.sum())})
        )
        gdf = gdf.set_geometry(shapely.force_2d(geoms))
    gdf[C.SOURCE_ROW] = gdf.pop("_row").to_numpy()
    n_read = len(gdf)
    kinds = sorted(set(gdf.geometry.geom_type.dropna().unique().tolist()))
    used_elements = None
    if layer != "centerline":  # polygon layers may come as drawings (lines and labels)
        try:
            gdf, found = polygons_from_drawing(gdf, name or layer, source.cad_layers)
        except InputError as exc:
            raise InputError(source.label(), exc.what, exc.todo) from exc
        used_elements = gdf.attrs.get("records_used")
        findings += found
    if not crs.equals(project_crs):
        try:
            gdf = gdf.to_crs(project_crs)
        except Exception as exc:
            raise CRSError(
                source.label(),
                f"cannot transform from {crs.name} to {project_crs.name} ({exc})",
                "declare the layer's CRS",
            ) from exc
    gdf.attrs["records_read"] = n_read
    if in_layer is not None:
        gdf.attrs["records_in_layer"] = in_layer
    gdf.attrs["geometry_types"] = kinds
    if used_elements is not None:
        gdf.attrs["records_used"] = used_elements
    return gdf, findings


def _number_variants(key: str) -> list[str]:
    """How a parcel number key may be written in a file: ``7`` → 7, '7', '07', '007', '7.0'."""
    out = [f"'{key}'"] + [f"'{'0' * k}{key}'" for k in (1, 2, 3)] + [f"'{key}.0'"]
    return ([key] if key.isdigit() else []) + out


def read_parcel_keys(
    source: LayerSource,
    fields: Mapping[str, str] | None,
    parcel_keys: Iterable[str],
    project_crs: CRS | None = None,
) -> pd.DataFrame:
    """The whole layer's parcels (attributes only) whose number is one of ``parcel_keys``.

    Used after a read near the right of way, to tell a record whose parcel lies elsewhere in
    the layer from one whose parcel does not exist. A drawing (DXF, DGN) is read whole and
    its parcels built, in ``project_crs`` (:func:`_drawn_keys`); without it, a drawing gives
    none. Columns: ``commune``, ``sheet``, ``parcel`` (those the layer has), and
    :data:`nearby.SHAPELESS` where it is known (a parcel with no shape, which a read near
    the right of way never meets).
    """
    keys = sorted({k for k in parcel_keys if k and re.fullmatch(r"[0-9a-z./-]+", k)})
    if not keys:
        return pd.DataFrame(columns=[C.PARCEL])
    if project_crs is not None and source.path.suffix.lower() in _DRAWINGS:
        return _drawn_keys(source, fields, keys, project_crs)
    names = _field_names(source)
    found = {canon: raw for raw, canon in match_columns(names, "parcels", fields).items()}
    if C.PARCEL not in found:
        return pd.DataFrame(columns=[C.PARCEL])
    wanted = [found[c] for c in (C.COMMUNE, C.SHEET, C.PARCEL) if c in found]
    if headers.is_parquet(source.path):
        import pyarrow.parquet as pq

        frame = pq.read_table(source.path, columns=wanted).to_pandas()
        frame = frame[_numbered(frame[found[C.PARCEL]], keys)]
    elif source.path.suffix.lower() == ".shp":
        # OGR's SQL filter on a .dbf runs in Python-free but slow code (4 s for a million
        # rows): read the number column alone through Arrow, then the rows it names
        numbers = pyogrio.read_dataframe(
            source.path,
            layer=source.layer,
            columns=[found[C.PARCEL]],
            read_geometry=False,
            use_arrow=True,
            fid_as_index=True,
        )
        fids = numbers.index[_numbered(numbers[found[C.PARCEL]], keys)].to_numpy(np.int64)
        if not len(fids):
            return pd.DataFrame(columns=[C.PARCEL])
        frame = pyogrio.read_dataframe(source.path, layer=source.layer, columns=wanted, fids=fids)
    else:
        values = ", ".join(v for k in keys for v in _number_variants(k))
        where = f'"{found[C.PARCEL]}" IN ({values})'
        frame = None
        if source.path.suffix.lower() == ".gpkg":
            frame = nearby.gpkg_select(source.path, source.layer, wanted, where)
        if frame is None:
            frame = pyogrio.read_dataframe(
                source.path, layer=source.layer, columns=wanted, where=where
            )
    if "geometry" in frame:
        geoms = frame.geometry.to_numpy()
        frame = pd.DataFrame(frame.drop(columns="geometry"))
        frame[nearby.SHAPELESS] = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    return frame.rename(columns={raw: canon for canon, raw in found.items()})


def _field_names(source: LayerSource) -> list[str]:
    """A layer's attribute columns, read from its header."""
    if headers.is_parquet(source.path):
        import pyarrow.parquet as pq

        return list(pq.read_schema(source.path).names)
    names = None
    if source.path.suffix.lower() == ".gpkg":  # SQLite says it without opening OGR
        names = nearby.gpkg_fields(source.path, source.layer)
    if names is None:
        names = list(pyogrio.read_info(source.path, layer=source.layer)["fields"])
    return names


def _drawn_keys(
    source: LayerSource, fields: Mapping[str, str] | None, keys: list[str], project_crs: CRS
) -> pd.DataFrame:
    """:func:`read_parcel_keys` of a drawing, whose parcels are built to be looked up.

    Its parcel numbers are labels inside faces: the whole drawing is read.
    """
    drawn, _ = read_layer(source, layer="parcels", project_crs=project_crs, fields=fields)
    drawn = pd.DataFrame(drawn.drop(columns="geometry"))
    if C.PARCEL not in drawn:
        return pd.DataFrame(columns=[C.PARCEL])
    wanted = [c for c in (C.COMMUNE, C.SHEET, C.PARCEL) if c in drawn]
    return drawn.loc[_numbered(drawn[C.PARCEL], keys), wanted]


def _numbered(values: pd.Series, keys: Iterable[str]) -> np.ndarray:
    """Which cells hold one of the parcel numbers ``keys`` (each distinct cell keyed once)."""
    codes, uniques = pd.factorize(values)
    wanted = set(keys)
    return np.isin(codes, [k for k, u in enumerate(uniques) if number_key(u) in wanted])
