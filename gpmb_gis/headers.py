"""What a layer's header says, read without reading a feature: format, CRS, count, extent.

A layer in many files (per commune and per map sheet) is judged file by file from its header:
a file whose extent meets no right of way is never read. A GeoPackage's header is read with
SQLite (its contents table: extent, CRS, and GDAL's feature count), a few times faster than
through OGR, which serves every other format.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pyogrio
from pyproj import CRS

from gpmb_gis._errors import CRSError
from gpmb_gis.crs import Extent, check_extent, crs_from_text
from gpmb_gis.header_cache import HeaderCache

__all__ = ["Header", "is_parquet", "layer_info", "on_table", "quoted", "read_header"]

T = TypeVar("T")
#: Formats read whole: the drawing path needs every element, tables have no index.
WHOLE_DRIVERS = {"DXF", "DGN", "CSV", "ESRIJSON", "GeoJSON", "GeoJSONSeq", "KML"}
_PARQUET_SUFFIXES = (".parquet", ".geoparquet")


def layer_info(path: Path, layer: str | None) -> dict[str, Any] | None:
    """A layer's header (driver, CRS, feature count, extent); None when it cannot be read."""
    try:
        return pyogrio.read_info(path, layer=layer)
    except Exception:  # an unreadable file is reported by the whole read that follows
        return None


def is_parquet(path: Path) -> bool:
    """Whether a path names a (Geo)Parquet file."""
    return path.suffix.lower() in _PARQUET_SUFFIXES


@dataclass(frozen=True)
class Header:
    """What a file's header says, read without reading a feature.

    Attributes
    ----------
    driver
        The file's format (``GPKG``, ``ESRI Shapefile``, ``Parquet``, ``DGN``…).
    crs
        The CRS the config declares for the file, else the file's own (None without).
    declared
        Whether the config declares it.
    features
        Features in the file, when the header says.
    extent
        The file's extent in ``crs``, when it can be judged (:func:`_header_extent`).
    whole
        The file is read whole (a drawing, a table): no index serves it.
    """

    driver: str
    crs: str | None
    declared: bool
    features: int | None
    extent: tuple[float, float, float, float] | None
    whole: bool


def read_header(
    path: Path,
    layer: str | None,
    declared_crs: str | None,
    project_crs: CRS,
    *,
    exact: bool = False,
    known: HeaderCache | None = None,
) -> Header | None:
    """A layer's header (:class:`Header`); None for a folder or a header that cannot be read.

    ``exact``: a GeoPackage's extent and count from its R-tree and table, not from the
    contents tables a writer may leave stale (a sheet file of many, judged by its extent).
    ``known``: a GeoPackage's exact header as kept from an earlier run, if the file is
    unchanged (:mod:`gpmb_gis.header_cache`); one read is kept there.
    """
    if path.is_dir():
        return None
    if is_parquet(path):
        import pyarrow.parquet as pq

        try:
            rows = int(pq.ParquetFile(path).metadata.num_rows)
        except Exception:  # not Parquet after all: the read that follows says what it is
            return None
        crs = declared_crs or _parquet_crs(path)
        return Header("Parquet", crs, bool(declared_crs), rows, None, False)
    info = _gpkg_header(path, layer, exact, known) if path.suffix.lower() == ".gpkg" else None
    info = info or layer_info(path, layer)
    if info is None:
        return None
    # lines and labels of a drawing: polygons are built from all of them; a GeoPackage whose
    # index lost its shapes: read whole, not judged by its index
    whole = (
        info.get("driver") in WHOLE_DRIVERS
        or "Polygon" not in str(info.get("geometry_type"))
        or bool(info.get("unindexed"))
    )
    crs = declared_crs or info.get("crs")
    count = info.get("features")
    return Header(
        str(info.get("driver")),
        crs,
        bool(declared_crs),
        None if count is None or count < 0 else int(count),
        _header_extent(info.get("total_bounds"), crs, project_crs),
        whole,
    )


def _gpkg_header(
    path: Path, layer: str | None, exact: bool, known: HeaderCache | None
) -> dict[str, Any] | None:
    """:func:`_gpkg_info`, or with ``exact`` what ``known`` kept of the unchanged file."""
    if not exact or known is None:
        return _gpkg_info(path, layer, exact)
    info = known.info(path, layer)
    if info is None:
        info = _gpkg_info(path, layer, exact)
        if info is not None:
            known.keep(path, layer, info)
    return info


def _header_extent(
    bounds: Any, file_crs: str | None, project_crs: CRS
) -> tuple[float, float, float, float] | None:
    """A header's extent, when it can be judged: finite, and fitting its CRS.

    A file without a CRS (a DGN sheet) is read in the project's. An extent that does not fit
    the CRS (metres of another zone, degrees under a metric label) is not judged: the file
    is read, and the read says what is wrong with it, naming it.
    """
    if bounds is None or not np.all(np.isfinite(bounds)):
        return None
    extent = tuple(float(b) for b in bounds)
    try:
        crs = crs_from_text(file_crs) if file_crs else project_crs
        check_extent(Extent(*extent), crs, where="")
    except (CRSError, ValueError):  # pyproj's CRSError is a ValueError
        return None
    return extent  # type: ignore[return-value]


def _parquet_crs(path: Path) -> str | None:
    import json

    import pyarrow.parquet as pq

    try:
        meta = pq.read_schema(path).metadata or {}
        geo = json.loads(meta.get(b"geo", b"{}"))
        column = geo["columns"][geo["primary_column"]]
    except Exception:
        return None
    crs = column.get("crs", "OGC:CRS84")
    return None if crs is None else (json.dumps(crs) if isinstance(crs, dict) else str(crs))


def on_table(
    path: Path, layer: str | None, run: Callable[[sqlite3.Connection, str], T | None]
) -> T | None:
    """``run(connection, table)`` on a GeoPackage opened read-only with SQLite.

    The table is ``layer``, or the file's only feature table. None when SQLite cannot
    open or query the file that way (the caller then asks OGR).
    """
    try:
        # read-only, but not "immutable": edits QGIS keeps in the -wal file must be seen
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        if layer is None:
            rows = con.execute(
                "SELECT table_name FROM gpkg_contents WHERE data_type = 'features'"
            ).fetchall()
            if len(rows) != 1:
                return None
            layer = rows[0][0]
        return run(con, layer)
    except sqlite3.Error:
        return None
    finally:
        con.close()


def _gpkg_info(path: Path, layer: str | None, exact: bool) -> dict[str, Any] | None:
    """:func:`layer_info`'s answer from a GeoPackage's own tables; None where they lack it.

    The CRS is an EPSG code, else the definition the file holds. The extent and the count
    are the contents tables' (as OGR takes them), or with ``exact`` the R-tree's extent and
    the table's count: a writer may leave the contents tables stale, and a sheet judged by a
    stale extent would be skipped unread. A table with shapes and an empty R-tree is said
    to be read whole (``unindexed``). A file without what is asked is asked through OGR.
    """

    def lookup(con: sqlite3.Connection, table: str) -> dict[str, Any] | None:
        found = con.execute(
            "SELECT c.min_x, c.min_y, c.max_x, c.max_y, s.organization, "
            "s.organization_coordsys_id, s.definition, g.geometry_type_name, g.column_name "
            "FROM gpkg_contents c JOIN gpkg_geometry_columns g USING (table_name) "
            "JOIN gpkg_spatial_ref_sys s ON s.srs_id = c.srs_id WHERE c.table_name = ?",
            (table,),
        ).fetchall()
        crs = _gpkg_crs(*found[0][4:7]) if len(found) == 1 else None
        if crs is None:
            return None
        *bounds, _, _, _, kind, column = found[0]
        unindexed = False
        if exact:
            node = quoted(f"rtree_{table}_{column}_node")
            root = con.execute(f"SELECT data FROM {node} WHERE nodeno = 1").fetchone()
            count = con.execute(f"SELECT count(*) FROM {quoted(table)}").fetchone()[0]
            bounds = _rtree_extent(root[0]) if root else None
            if bounds is None:  # no shape in the index: none in the table, or an index lost
                unindexed = con.execute(
                    f"SELECT EXISTS (SELECT 1 FROM {quoted(table)} "
                    f"WHERE {quoted(str(column))} IS NOT NULL)"
                ).fetchone()[0] == 1  # fmt: skip
                bounds = [None] * 4
        else:
            count = con.execute(
                "SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = ?", (table,)
            ).fetchone()
            count = None if count is None else count[0]
        if count is None or (any(b is None for b in bounds) and count and not unindexed):
            return None
        return {
            "driver": "GPKG",
            "crs": crs,
            "features": int(count),
            "total_bounds": None if not count or unindexed else tuple(float(b) for b in bounds),
            "geometry_type": str(kind).title().replace("Multipolygon", "MultiPolygon"),
            "unindexed": unindexed,
        }

    return on_table(path, layer, lookup)


def _gpkg_crs(organization: Any, code: Any, definition: Any) -> str | None:
    """A GeoPackage CRS as text: ``EPSG:<code>``, else its definition when it defines one.

    None for an undefined one (``undefined``, GDAL's "Undefined SRS"), which OGR judges.
    """
    if str(organization).upper() == "EPSG" and code is not None:
        return f"EPSG:{int(code)}"
    text = str(definition or "").strip()
    try:
        crs = crs_from_text(text)
    except ValueError:  # pyproj's CRSError: not a definition
        return None
    return text if crs.is_projected or crs.is_geographic else None


#: A cell of an R-tree node as SQLite stores it: the id, then min x, max x, min y, max y as
#: big-endian 32-bit floats (rounded outwards from the shapes' boxes).
_RTREE_CELL = np.dtype([("id", ">i8"), ("box", ">f4", (4,))])


def _rtree_extent(root: bytes) -> tuple[float, float, float, float] | None:
    """The extent of everything an R-tree holds, from its root node; None when it is empty.

    The root's cells hold the boxes of all below them, so the extent is read from one node,
    not from a walk over every shape's box.
    """
    cells = int.from_bytes(root[2:4], "big")  # after the tree's depth
    if not cells or len(root) < 4 + cells * _RTREE_CELL.itemsize:
        return None
    box = np.frombuffer(root, dtype=_RTREE_CELL, count=cells, offset=4)["box"].astype(float)
    return (box[:, 0].min(), box[:, 2].min(), box[:, 1].max(), box[:, 3].max())


def quoted(name: str) -> str:
    """An SQL identifier: ``name`` in double quotes."""
    return '"' + name.replace("\x00", "").replace('"', '""') + '"'
