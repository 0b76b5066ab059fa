"""Read only the parcels that touch a right of way, whatever the size of the file.

Offices hand over a district's or a province's whole cadastral layer; the run needs the few
thousand parcels along the projects. The right of way is cut into small boxes
(:func:`row_boxes`), and the file's own spatial index answers which features fall in them:
the R-tree of a GeoPackage (read with SQLite), the bbox columns of a GeoParquet file, the boxes
at the head of a Shapefile's records (found through its .shx, read with numpy), or OGR's spatial
filter for other formats (with the index of FlatGeobuf; without one OGR still tests every shape
itself, which spares building a Python object for each). The features found are then kept only
where their shape meets the right of way (:func:`touching`).

A file the index cannot serve (a drawing, a layer in another datum, a CSV) is read whole, as
before; :func:`plan_window` says which.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS, Transformer

from gpmb_gis.crs import crs_from_text
from gpmb_gis.header_cache import HeaderCache
from gpmb_gis.headers import Header, is_parquet, on_table, quoted, read_header

if TYPE_CHECKING:
    from gpmb_gis.config import LayerSource

__all__ = [
    "BOX_CELL_M",
    "SHAPELESS",
    "RowPieces",
    "Window",
    "box_meets_file",
    "gpkg_fids",
    "gpkg_fields",
    "gpkg_select",
    "narrowed",
    "object_text",
    "parquet_rows",
    "plan_window",
    "quoted",
    "read_parquet_rows",
    "read_window",
    "row_boxes",
    "rtree_fids",
    "shapefile_fids",
    "touching",
    "touching_pairs",
    "window_for",
]


#: Side of the grid cells that cut the right of way into boxes, metres.
BOX_CELL_M = 200.0
T = TypeVar("T")


@dataclass(frozen=True)
class Window:
    """Where to read: boxes in the file's own coordinates, and the shapes they came from.

    Attributes
    ----------
    boxes
        ``(n, 4)`` array of ``xmin, ymin, xmax, ymax`` in the file's CRS.
    shapes
        The right of way pieces, in the file's CRS, for the exact test.
    driver
        The file's format (``GPKG``, ``ESRI Shapefile``, ``Parquet``…).
    features
        Features in the whole file, when its metadata says (None otherwise).
    extent
        The file's extent in its CRS, when its header says and the CRS is known (declared,
        its own, or the project's when the extent fits it): with it a file that meets no
        right of way is skipped unread.
    whole
        Read the file whole (a drawing, a table): the window only tells whether it meets a
        right of way.
    none_near_ok
        A file of many: no feature near a right of way is an answer (the file is read
        whole otherwise, so that its errors say why).
    """

    boxes: np.ndarray
    shapes: np.ndarray
    driver: str = ""
    features: int | None = None
    extent: tuple[float, float, float, float] | None = None
    whole: bool = False
    none_near_ok: bool = False

    @cached_property
    def near(self) -> np.ndarray:
        """Which boxes meet the file's extent (all without one): :func:`box_meets_file`."""
        return box_meets_file(self)


def row_boxes(geoms: Sequence[shapely.Geometry], cell_m: float = BOX_CELL_M) -> np.ndarray:
    """Cut polygons by a grid of ``cell_m`` cells; return the pieces (non-empty, polygonal).

    Examples
    --------
    >>> import shapely
    >>> pieces = row_boxes([shapely.box(0, 0, 450, 10)], cell_m=200)
    >>> len(pieces), float(sum(p.area for p in pieces))
    (3, 4500.0)
    """
    geoms = np.asarray([g for g in geoms if g is not None and not g.is_empty], dtype=object)
    if not len(geoms):
        return np.empty(0, dtype=object)
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    xs = np.arange(np.floor(xmin / cell_m), np.ceil(xmax / cell_m) + 1) * cell_m
    ys = np.arange(np.floor(ymin / cell_m), np.ceil(ymax / cell_m) + 1) * cell_m
    gx, gy = np.meshgrid(xs[:-1], ys[:-1])
    cells = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + cell_m, gy.ravel() + cell_m)
    geom_idx, cell_idx = shapely.STRtree(cells).query(geoms, predicate="intersects")
    pieces = shapely.intersection(geoms[geom_idx], cells[cell_idx])
    keep = ~shapely.is_empty(pieces) & (shapely.area(pieces) > 0)
    return pieces[keep]


def box_meets_file(window: Window, extent: Sequence[float] | None = None) -> np.ndarray:
    """Which of the window's boxes meet ``extent``, by default its file's (all without one)."""
    boxes = window.boxes
    extent = window.extent if extent is None else extent
    if extent is None:
        return np.ones(len(boxes), dtype=bool)
    x0, y0, x1, y1 = extent
    return (boxes[:, 0] <= x1) & (boxes[:, 2] >= x0) & (boxes[:, 1] <= y1) & (boxes[:, 3] >= y0)


def narrowed(window: Window) -> Window:
    """The window of a file of many: only the pieces that meet the file's extent.

    A sheet file is small beside the roads; its index is asked about the few boxes over it,
    not about every box of every right of way.
    """
    near = window.near
    return replace(window, boxes=window.boxes[near], shapes=window.shapes[near], none_near_ok=True)


class RowPieces:
    """The right of way pieces (:func:`row_boxes`), and their shapes and boxes in a CRS.

    The shapes and boxes in each CRS a file is in are worked out once for all the files of a
    layer.
    """

    def __init__(self, pieces: np.ndarray, project_crs: CRS) -> None:
        self.pieces = pieces
        self._project_crs = project_crs
        self._in: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def __len__(self) -> int:
        return len(self.pieces)

    def in_crs(self, crs: CRS) -> tuple[np.ndarray, np.ndarray]:
        """The pieces' shapes in ``crs``, and their boxes."""
        if crs.srs not in self._in:
            shapes = self.pieces
            if not crs.equals(self._project_crs):
                to_file = Transformer.from_crs(self._project_crs, crs, always_xy=True)
                shapes = shapely.transform(
                    shapely.segmentize(self.pieces, 50.0),
                    lambda xy: np.column_stack(to_file.transform(xy[:, 0], xy[:, 1])),
                )
            self._in[crs.srs] = (shapes, shapely.bounds(shapes))
        return self._in[crs.srs]


def window_for(
    header: Header | None, project_crs: CRS, row_pieces: np.ndarray | RowPieces
) -> Window | None:
    """The window of a file whose header is read (:func:`plan_window` without reading it)."""
    if header is None or not len(row_pieces):
        return None
    crs = crs_from_text(header.crs) if header.crs else project_crs
    if crs.is_geographic and not header.declared:
        return None  # may be metres under a wrong label: read whole, let read_layer decide
    if not isinstance(row_pieces, RowPieces):
        row_pieces = RowPieces(row_pieces, project_crs)
    shapes, boxes = row_pieces.in_crs(crs)
    return Window(boxes, shapes, header.driver, header.features, header.extent, header.whole)


def plan_window(
    path: Path,
    layer: str | None,
    declared_crs: str | None,
    project_crs: CRS,
    row_pieces: np.ndarray | RowPieces,
    *,
    exact: bool = False,
    known: HeaderCache | None = None,
) -> Window | None:
    """Boxes to read a layer through, or None when it must be read whole unjudged.

    A layer is read whole (``whole``) when it is not a polygon layer (a drawing, a table) or
    when it is GeoJSON, CSV or KML (parsed whole anyway); its header's extent still tells
    whether it meets a right of way. It is read whole unjudged (None) when its header cannot
    be read or its CRS is geographic without a declaration (it may hold metres under a wrong
    label, which :func:`~gpmb_gis.io.vector.read_layer` finds out).

    Parameters
    ----------
    path, layer
        The file and its layer.
    declared_crs
        The CRS the config declares for the file, if any (it overrides the file's own).
    project_crs
        The CRS of ``row_pieces``.
    row_pieces
        The right of way cut into pieces (:func:`row_boxes`), in ``project_crs``; for many
        files, as :class:`RowPieces`, so that each CRS's shapes are worked out once.
    exact
        Judge the file by its exact extent (:func:`~gpmb_gis.headers.read_header`).
    known
        Headers kept from earlier runs (:mod:`gpmb_gis.header_cache`).
    """
    if not len(row_pieces):
        return None
    header = read_header(path, layer, declared_crs, project_crs, exact=exact, known=known)
    return window_for(header, project_crs, row_pieces)


# --- finding the features ------------------------------------------------------------------


def gpkg_fids(path: Path, layer: str | None, boxes: np.ndarray) -> np.ndarray | None:
    """Feature ids whose R-tree box meets any of ``boxes``; None without an R-tree."""
    return on_table(path, layer, lambda con, table: rtree_fids(con, table, boxes))


def rtree_fids(con: sqlite3.Connection, table: str, boxes: np.ndarray) -> np.ndarray | None:
    """:func:`gpkg_fids` on an open GeoPackage: the ids, sorted; None without an R-tree.

    The boxes go to SQLite a few hundred at a time, each batch one statement: SQLite lets go
    of Python's lock while it works, and a thread that took it back after every box would
    wait for the other threads' Python each time.
    """
    found = con.execute(
        "SELECT column_name FROM gpkg_extensions WHERE table_name = ? "
        "AND extension_name = 'gpkg_rtree_index'",
        (table,),
    ).fetchall()
    if not found:
        return None
    rtree = quoted(f"rtree_{table}_{found[0][0]}")
    texts = []
    for start in range(0, len(boxes), _BOXES_PER_QUERY):
        batch = boxes[start : start + _BOXES_PER_QUERY]
        # one text of ids per batch: SQLite lists them, Python does not touch each
        query = (
            f"WITH box(xmin, ymin, xmax, ymax) AS (VALUES "
            f"{','.join(['(?, ?, ?, ?)'] * len(batch))}) "
            f"SELECT group_concat(r.id) FROM box CROSS JOIN {rtree} AS r "
            "WHERE r.minx <= box.xmax AND r.maxx >= box.xmin "
            "AND r.miny <= box.ymax AND r.maxy >= box.ymin"
        )
        texts.append(con.execute(query, batch.ravel().tolist()).fetchone()[0])
    listed = ",".join(text for text in texts if text)
    return np.unique(np.array(listed.split(",") if listed else [], dtype=np.int64))


#: Boxes per R-tree statement: four parameters each, under SQLite's oldest limit of 999.
_BOXES_PER_QUERY = 240


def gpkg_select(
    path: Path,
    layer: str | None,
    columns: Sequence[str],
    where: str,
) -> pd.DataFrame | None:
    """Attributes of the features of a GeoPackage layer that meet an SQL condition.

    Read with SQLite, which scans the table without holding Python's GIL; None when the file
    cannot be queried so (then ask OGR). The column ``SHAPELESS`` says whether each feature's
    geometry is missing or empty.
    """
    names = ", ".join(quoted(c) for c in columns)

    def select(con: sqlite3.Connection, table: str) -> list:
        found = con.execute(
            "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (table,)
        ).fetchone()
        header = f"substr({quoted(found[0])}, 1, 4)" if found else "NULL"
        return con.execute(
            f"SELECT {names}, {header} FROM {quoted(table)} WHERE {where}"
        ).fetchall()

    rows = on_table(path, layer, select)
    if rows is None:
        return None
    frame = pd.DataFrame([r[:-1] for r in rows], columns=list(columns), dtype=object)
    # a GeoPackage geometry's header: "GP", version, flags (0x10: an empty geometry)
    frame[SHAPELESS] = [h is None or len(h) < 4 or bool(h[3] & 0x10) for _, *_, h in rows]
    return frame


def gpkg_fields(path: Path, layer: str | None) -> list[str] | None:
    """A GeoPackage layer's attribute columns, as OGR lists them (its id and shape aside).

    None when SQLite cannot tell (then ask OGR).
    """

    def fields(con: sqlite3.Connection, table: str) -> list[str] | None:
        shape = con.execute(
            "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (table,)
        ).fetchone()
        columns = con.execute(f"PRAGMA table_info({quoted(table)})").fetchall()
        ids = [c[1] for c in columns if c[5]]  # (cid, name, type, notnull, default, pk)
        if shape is None or len(ids) != 1:
            return None
        return [c[1] for c in columns if c[1] not in (ids[0], shape[0])]

    return on_table(path, layer, fields)


#: Column of :func:`gpkg_select` (and of the far parcels' keys): no geometry, or an empty one.
SHAPELESS = "_shapeless"


def _cell_mask(bounds: np.ndarray, boxes: np.ndarray, cell: float) -> np.ndarray:
    """Which feature bounds may meet a box: a raster of the boxes looked up at the corners.

    Exact for features smaller than a cell; a larger feature is kept as a candidate.
    """
    x0, y0 = boxes[:, 0].min(), boxes[:, 1].min()
    nx = int((boxes[:, 2].max() - x0) // cell) + 2
    ny = int((boxes[:, 3].max() - y0) // cell) + 2
    raster = np.zeros((ny, nx), dtype=bool)
    for xmin, ymin, xmax, ymax in boxes.tolist():
        raster[
            int((ymin - y0) // cell) : int((ymax - y0) // cell) + 1,
            int((xmin - x0) // cell) : int((xmax - x0) // cell) + 1,
        ] = True
    inside = (bounds[:, 2] >= x0) & (bounds[:, 3] >= y0)
    inside &= (bounds[:, 0] <= x0 + (nx - 1) * cell) & (bounds[:, 1] <= y0 + (ny - 1) * cell)
    big = (bounds[:, 2] - bounds[:, 0] > cell) | (bounds[:, 3] - bounds[:, 1] > cell)
    col = np.clip(((bounds[:, [0, 2]] - x0) // cell).astype(np.int64), 0, nx - 1)
    row = np.clip(((bounds[:, [1, 3]] - y0) // cell).astype(np.int64), 0, ny - 1)
    hit = np.zeros(len(bounds), dtype=bool)
    for r in (0, 1):
        for c in (0, 1):
            hit |= raster[row[:, r], col[:, c]]
    return inside & (hit | big)


def _meeting(bounds: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Positions of the feature bounds (``n × 4``; NaN for none) that meet any of ``boxes``."""
    known = ~np.isnan(bounds).any(axis=1)
    cell = float(max(np.max(boxes[:, 2] - boxes[:, 0]), np.max(boxes[:, 3] - boxes[:, 1]), 1.0))
    candidates = np.flatnonzero(known & _cell_mask(np.nan_to_num(bounds), boxes, cell))
    b = bounds[candidates]
    tree = shapely.STRtree(shapely.box(boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]))
    hit = tree.query(shapely.box(b[:, 0], b[:, 1], b[:, 2], b[:, 3]), predicate="intersects")
    return candidates[np.unique(hit[0])]


def parquet_rows(path: Path, boxes: np.ndarray) -> np.ndarray | None:
    """Row numbers whose bbox column meets any of ``boxes``; None without a bbox column."""
    import pyarrow.parquet as pq

    names = pq.read_schema(path).names
    if "bbox" not in names:
        return None
    table = pq.read_table(path, columns=["bbox"])
    parts = table.column("bbox").combine_chunks()
    bounds = np.column_stack(
        [parts.field(k).to_numpy(zero_copy_only=False) for k in ("xmin", "ymin", "xmax", "ymax")]
    )
    return _meeting(bounds.astype(float), boxes)


#: Shape types whose records begin with a bounding box: polygon, polygon Z, polygon M.
_SHP_POLYGONS = (5, 15, 25)


def shapefile_fids(path: Path, boxes: np.ndarray) -> np.ndarray | None:
    """Feature ids (from 0) of a Shapefile whose shape's box meets any of ``boxes``.

    A Shapefile keeps each polygon's bounding box at the head of its record in the .shp,
    and the records' offsets in the .shx: read with numpy, they serve as the spatial index a
    file without .qix lacks, and no shape is parsed. None when there is no .shx or the
    file is not a polygon Shapefile (the caller then lets OGR filter).
    """
    shx = _sibling(path, ".shx")
    if path.suffix.lower() != ".shp" or shx is None:
        return None
    try:
        shp = np.memmap(path, dtype=np.uint8, mode="r")
        kind = int(np.frombuffer(shp[32:36].tobytes(), dtype="<i4")[0])
        offsets = np.fromfile(shx, dtype=">i4", offset=100).reshape(-1, 2)[:, 0]
    except (OSError, ValueError, IndexError):
        return None
    if kind not in _SHP_POLYGONS:
        return None
    start = offsets.astype(np.int64) * 2 + 8  # content, after the record header
    record = np.flatnonzero((start >= 100) & (start + 36 <= len(shp)))
    record = record[_at(shp, start[record], "<i4", 1)[:, 0] == kind]  # a null shape has none
    bounds = np.full((len(offsets), 4), np.nan)
    bounds[record] = _at(shp, start[record] + 4, "<f8", 4)  # xmin, ymin, xmax, ymax
    return _meeting(bounds, boxes)


def _at(buffer: np.ndarray, offsets: np.ndarray, dtype: str, count: int) -> np.ndarray:
    """``count`` numbers of ``dtype`` at each byte offset of a buffer, aligned or not."""
    size = np.dtype(dtype).itemsize
    out = np.empty((len(offsets), count), dtype=dtype)
    shift = offsets % size
    uniform = len(shift) > 0 and bool((shift == shift[0]).all())  # the usual case
    for s in [int(shift[0])] if uniform else range(size):
        sel = slice(None) if uniform else np.flatnonzero(shift == s)
        view = np.frombuffer(buffer, dtype=dtype, count=(len(buffer) - s) // size, offset=s)
        out[sel] = view[((offsets[sel] - s) // size)[:, None] + np.arange(count)]
    return out


def _sibling(path: Path, suffix: str) -> Path | None:
    """The file beside ``path`` with another suffix, in either case (``.shx``, ``.SHX``)."""
    for candidate in (path.with_suffix(suffix), path.with_suffix(suffix.upper())):
        if candidate.exists():
            return candidate
    return None


def read_parquet_rows(path: Path, rows: np.ndarray | None):
    """A GeoParquet file (all of it, or only ``rows``) as a GeoDataFrame with ``_row``."""
    import geopandas as gpd
    import pyarrow.parquet as pq

    if rows is None:
        frame = gpd.read_parquet(path)
        frame["_row"] = np.arange(len(frame))
        return frame
    pf = pq.ParquetFile(path)
    starts = np.cumsum(
        [0] + [pf.metadata.row_group(k).num_rows for k in range(pf.metadata.num_row_groups)]
    )
    groups = np.unique(np.searchsorted(starts, rows, side="right") - 1)
    columns = [n for n in pf.schema_arrow.names if n != "bbox"]
    table = pf.read_row_groups(groups.tolist(), columns=columns)
    group_rows = np.concatenate([np.arange(starts[g], starts[g + 1]) for g in groups])
    keep = np.isin(group_rows, rows)
    table = table.filter(keep)
    frame = gpd.GeoDataFrame.from_arrow(table.replace_schema_metadata(pf.schema_arrow.metadata))
    frame["_row"] = group_rows[keep]
    return frame


def touching(geoms: np.ndarray, shapes: np.ndarray) -> np.ndarray:
    """Which geometries meet any of ``shapes`` (invalid ones are tested after a repair).

    A feature without a shape meets nothing: the spatial index never holds it either.
    """
    hit = np.zeros(len(geoms), dtype=bool)
    hit[touching_pairs(geoms, shapes)[0]] = True
    return hit


def touching_pairs(
    geoms: np.ndarray, shapes: np.ndarray, valid: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The pairs (geometry, shape) that meet, as :func:`touching` tests them.

    ``valid``: ``shapely.is_valid(geoms)``, when the caller has it.
    """
    if not len(geoms):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    test = np.asarray(geoms, dtype=object).copy()
    valid = shapely.is_valid(test) if valid is None else valid
    bad = ~valid & ~shapely.is_missing(test)
    test[bad] = shapely.make_valid(test[bad])
    # the few shapes are the ones prepared, each tested against the geometries near it
    shape, geom = shapely.STRtree(test).query(shapes, predicate="intersects")
    return geom, shape


def object_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Arrow strings as Python objects, as the rest of the package reads text."""
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.StringDtype):
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return frame


# --- reading a layer near the rights of way ----------------------------------------


def read_window(
    source: LayerSource,
    window: Window | None,
    kwargs: dict[str, Any],
) -> gpd.GeoDataFrame:
    """Read a layer whole, or only the features whose shape meets ``window``'s.

    The features come from the file's spatial index where it has one; of those, only the
    ones whose shape meets the right of way's (:func:`touching`) are kept. The
    feature's place in the file is kept in ``_row`` (0-based) for labels and findings.
    """
    if window is None or window.whole:
        if is_parquet(source.path):
            return read_parquet_rows(source.path, None)
        frame = pyogrio.read_dataframe(source.path, **kwargs)
        frame["_row"] = np.arange(len(frame))
        return frame
    if window.driver == "GPKG":
        frame = _read_gpkg_near(source, window, kwargs)
        if frame is not None:
            return frame
    if is_parquet(source.path):
        rows = parquet_rows(source.path, window.boxes)
        frame = read_parquet_rows(source.path, rows)
        return _touching_row(frame, window)
    fids = None
    if window.driver == "ESRI Shapefile":
        fids = shapefile_fids(source.path, window.boxes)
    if fids is not None:  # a .dbf's text is decoded as a whole read decodes it
        frame = pyogrio.read_dataframe(source.path, fids=fids, fid_as_index=True, **kwargs)
    else:
        mask = shapely.union_all(shapely.box(*window.boxes.T))
        frame = pyogrio.read_dataframe(source.path, mask=mask, fid_as_index=True, **kwargs)
    frame = _touching_row(frame, window)
    first_fid = 1 if window.driver == "GPKG" else 0  # GeoPackage counts features from 1
    frame["_row"] = np.asarray(frame.index, dtype=np.int64) - first_fid
    return frame.reset_index(drop=True)


def _touching_row(frame: gpd.GeoDataFrame, window: Window) -> gpd.GeoDataFrame:
    """The features of ``frame`` whose shape meets the window's (:func:`touching`)."""
    return frame[touching(frame.geometry.to_numpy(), window.shapes)]


def _read_gpkg_near(
    source: LayerSource,
    window: Window,
    kwargs: dict[str, Any],
) -> gpd.GeoDataFrame | None:
    """The features of a GeoPackage that meet the window, found through its R-tree.

    The boxes are taken in parts (one per core, a few at most), each looked up, read and
    tested on a thread of its own: SQLite, OGR and GEOS work without Python's lock, so the
    parts overlap. None when the file has no R-tree.
    """
    n_parts = max(
        1, min(os.cpu_count() or 1, _MAX_READ_PARTS, len(window.boxes) // _BOXES_PER_PART)
    )
    parts = np.array_split(np.arange(len(window.boxes)), n_parts)

    def near(part: np.ndarray) -> gpd.GeoDataFrame | None:
        fids = gpkg_fids(source.path, source.layer, window.boxes[part])
        if fids is None:
            return None
        # UTF-8 by definition: Arrow is safe
        frame = pyogrio.read_dataframe(
            source.path, fids=fids, use_arrow=True, fid_as_index=True, **kwargs
        )
        return _touching_row(frame, window)

    if n_parts == 1:
        found = [near(parts[0])]
    else:
        with ThreadPoolExecutor(max_workers=n_parts) as pool:
            found = list(pool.map(near, parts))
    if any(frame is None for frame in found):
        return None
    frame = found[0] if len(found) == 1 else pd.concat(found)
    # a feature near the edge of two parts is found by both: once, in the file's order
    frame = frame[~frame.index.duplicated()].sort_index()
    frame = object_text(frame)
    frame["_row"] = np.asarray(frame.index, dtype=np.int64) - 1  # GeoPackage counts from 1
    return frame.reset_index(drop=True)


#: A window's boxes are read in up to this many parts at once, each of at least
#: ``_BOXES_PER_PART`` boxes (a small window is read in one go).
_MAX_READ_PARTS = 4
_BOXES_PER_PART = 100
