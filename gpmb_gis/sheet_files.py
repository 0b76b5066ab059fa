"""A parcels layer in many files read at once: every header, then the files near the roads.

A district's cadastre in sheet files holds a few hundred parcels a file, and reading each file
on its own costs more in Python than in reading. So the files that are *plain* are read raw on
threads (SQLite and OGR let go of Python's lock), joined, and checked as one: GeoPackages with
an R-tree, whose features near the roads are valid polygons without Z in a projected CRS that
their extent fits, with no date or JSON field, and whose text is in NFC and looks like no legacy
encoding. Every other file, and a plain-looking one whose features say otherwise, is read on its
own (:func:`gpmb_gis.layers.read_file`), so that what is wrong with it is said as for one file.
A file gives the same features, counts and findings either way (a test compares them).
"""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
from collections.abc import Iterable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyogrio
import shapely
from pyproj import CRS

from gpmb_gis import columns as C
from gpmb_gis import headers, nearby, sheets
from gpmb_gis._errors import CRSError
from gpmb_gis._text import in_nfc, looks_legacy, unvietnamese_words
from gpmb_gis.config import Config
from gpmb_gis.crs import Extent, check_extent, crs_from_text
from gpmb_gis.header_cache import HeaderCache
from gpmb_gis.io.aliases import match_columns
from gpmb_gis.layers import FileRead, Tally, merge_files, read_file
from gpmb_gis.sources import LayerSource

__all__ = ["SheetFile", "read_files", "read_sheets"]


class SheetFile(NamedTuple):
    """One file of a many-file layer, with where to read it (:func:`nearby.plan_window`)."""

    source: LayerSource
    relative: str
    fields: dict[str, str] | None
    window: nearby.Window | None


def read_files(config: Config, rows: dict[str, gpd.GeoDataFrame], tally: Tally) -> gpd.GeoDataFrame:
    """A parcels layer in many files (``paths``), with the commune and sheet their paths give.

    Every file's header is read (or taken from an earlier run's, for an unchanged
    GeoPackage: :mod:`gpmb_gis.header_cache`); only the files whose extent meets a right of
    way are read, near it, several at once; the results are taken in the files' order, so a
    run gives the same tables whatever the timing.
    """
    pieces = nearby.RowPieces(
        nearby.row_boxes([g for r in rows.values() for g in r.geometry.to_numpy()]), config.crs
    )
    files = sheets.file_sources(config.parcels)

    def planned(file: tuple[LayerSource, str, dict[str, str] | None]) -> SheetFile:
        one = file[0]
        window = nearby.plan_window(
            one.path, one.layer, one.crs, config.crs, pieces, exact=True, known=known
        )
        return SheetFile(*file, window)

    workers = max(1, min(len(files), os.cpu_count() or 1))
    with HeaderCache.open() as known, ThreadPoolExecutor(max_workers=workers) as pool:
        # the headers one after the other (SQLite opens one file at a time, whatever the
        # threads, and a header kept from an earlier run is a lookup), each plain file read
        # on the pool as soon as its header is judged
        progress = sheets.progress(files, len(files), "parcels")
        reads = read_sheets(config, (planned(f) for f in progress), pool)
    return merge_files(config, reads, len(files), tally)


def read_sheets(config: Config, files: Iterable[SheetFile], pool: Executor) -> list[FileRead]:
    """Each file's read (:class:`~gpmb_gis.layers.FileRead`), in the files' order.

    The plain GeoPackages (see the module's text) are read raw on ``pool`` as ``files``
    gives them, and checked as one; the other files near a right of way are read one by
    one on ``pool``.
    """
    planned: list[SheetFile] = []
    raws: list[tuple[int, Future[_Raw | None]]] = []
    for file in files:
        if _may_be_plain(file):
            raws.append((len(planned), pool.submit(_read_raw, file)))
        planned.append(file)
    reads = _plain_reads(config, planned, raws)
    alone = [k for k in range(len(planned)) if k not in reads]
    near = [k for k in alone if sheets.meets(planned[k].window)]
    for k in set(alone) - set(near):  # counted from its header: answered at once
        reads[k] = read_file(config, *planned[k])
    for k, read in zip(near, pool.map(lambda k: read_file(config, *planned[k]), near), strict=True):
        reads[k] = read
    return [reads[k] for k in range(len(planned))]


def _plain_reads(
    config: Config, files: list[SheetFile], raws: list[tuple[int, Future[_Raw | None]]]
) -> dict[int, FileRead]:
    """The reads of the plain files among those read raw, by their place in ``files``.

    The files already read are checked while the others are read (SQLite and GEOS work
    without Python's lock), a few dozen at a time, each kind as one.
    """
    reads: dict[int, FileRead] = {}
    groups: dict[tuple, list[tuple[int, _Raw]]] = {}
    kinds: dict[tuple, _Kind | None] = {}

    def check_groups() -> None:
        for (kind, _), group in groups.items():
            if kind not in kinds:
                kinds[kind] = _kind_of(files[group[0][0]], group[0][1])
            reads.update(_read_group(config, [files[k] for k, _ in group], group, kinds[kind]))
        groups.clear()

    for n, (k, future) in enumerate(raws, start=1):
        raw = future.result()
        if raw is not None and not raw.fids:  # no feature near a right of way
            reads[k] = FileRead(files[k].relative, None, Tally(), outside=_features(files[k]))
        elif raw is not None:  # files whose columns hold no value alike convert alike
            groups.setdefault((raw.kind, raw.nulls), []).append((k, raw))
        if n % _FILES_PER_CHECK == 0:
            check_groups()
    check_groups()
    return reads


#: Plain files read raw before those read are checked as one.
_FILES_PER_CHECK = 64


# --- the raw read of a plain GeoPackage --------------------------------------------------


class _Raw(NamedTuple):
    """A GeoPackage's features near the roads as SQLite holds them, in the order of their ids."""

    kind: tuple  # what files must share to be checked as one (:func:`_raw_rows`)
    fids: tuple[int, ...]
    columns: list[tuple]  # each attribute's values, in the table's order
    shapes: np.ndarray  # from the GeoPackage's blobs
    nulls: tuple[bool, ...] = ()  # which columns hold a NULL (it makes integers fractions)


def _may_be_plain(file: SheetFile) -> bool:
    """Whether a file's header lets it be read raw (a GeoPackage whose extent meets a road)."""
    window = file.window
    return (
        window is not None
        and window.driver == "GPKG"
        and not window.whole
        and window.extent is not None
        and bool(window.features)
        and not file.source.encoding  # a GeoPackage is UTF-8; a declared one is honoured
        and sheets.meets(window)
    )


def _read_raw(file: SheetFile) -> _Raw | None:
    """The features whose R-tree box meets a right of way's, read with SQLite.

    None when the file cannot be read so (no R-tree, a shape or value SQLite holds in a form
    OGR would have to judge): it is then read on its own, which says what is wrong.
    """
    assert file.window is not None
    boxes = nearby.narrowed(file.window).boxes
    try:
        return headers.on_table(
            file.source.path, file.source.layer, lambda con, table: _raw_rows(con, table, boxes)
        )
    except (ValueError, TypeError):  # ids or text SQLite cannot give as asked
        return None


def _raw_rows(con: sqlite3.Connection, table: str, boxes: np.ndarray) -> _Raw | None:
    """:func:`_read_raw` on an open GeoPackage."""
    geometry = con.execute(
        "SELECT g.column_name, g.geometry_type_name, g.z, g.m, s.organization, "
        "s.organization_coordsys_id, s.definition, EXISTS (SELECT 1 FROM gpkg_extensions e "
        "WHERE e.table_name = g.table_name AND e.column_name = g.column_name "
        "AND e.extension_name = 'gpkg_rtree_index') FROM gpkg_geometry_columns g "
        "JOIN gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id WHERE g.table_name = ?",
        (table,),
    ).fetchone()
    columns = con.execute(f"PRAGMA table_info({nearby.quoted(table)})").fetchall()
    keys = [c for c in columns if c[5]]  # (cid, name, type, notnull, default, pk)
    if geometry is None or not geometry[-1] or len(keys) != 1:
        return None  # no R-tree, or no single id column
    if str(keys[0][2]).upper() != "INTEGER":
        return None
    fid, shape = keys[0][1], geometry[0]
    kind = (
        tuple((c[1], str(c[2]).upper(), c[3], c[5]) for c in columns),
        tuple(geometry),
        _data_columns(con, table),
    )
    attributes = [c[1] for c in columns if c[1] not in (fid, shape)]
    names = ", ".join(f"t.{nearby.quoted(c)}" for c in [fid, *attributes, shape])
    rows = _rows_in_boxes(con, table, f"rtree_{table}_{shape}", fid, names, boxes)
    if rows is None:
        return None
    if not rows:
        return _Raw(kind, (), [], np.empty(0, dtype=object))
    fids, *columns, blobs = zip(*rows, strict=True)  # each row has every column
    shapes = _shapes(blobs)
    if shapes is None:
        return None
    return _Raw(kind, fids, columns, shapes, tuple(None in c for c in columns))


def _rows_in_boxes(
    con: sqlite3.Connection, table: str, rtree: str, fid: str, names: str, boxes: np.ndarray
) -> list[tuple] | None:
    """The rows whose R-tree box meets one of ``boxes``, in the order of their ids.

    A sheet's few boxes are one statement; many go through :func:`nearby.rtree_fids`.
    """
    t, id_ = nearby.quoted(table), nearby.quoted(fid)
    if len(boxes) <= _BOXES_PER_STATEMENT:
        return con.execute(
            f"WITH box(xmin, ymin, xmax, ymax) AS (VALUES "
            f"{','.join(['(?, ?, ?, ?)'] * len(boxes))}) "
            f"SELECT {names} FROM {t} AS t WHERE t.{id_} IN (SELECT r.id FROM box "
            f"CROSS JOIN {nearby.quoted(rtree)} AS r WHERE r.minx <= box.xmax "
            "AND r.maxx >= box.xmin AND r.miny <= box.ymax AND r.maxy >= box.ymin) "
            f"ORDER BY t.{id_}",
            boxes.ravel().tolist(),
        ).fetchall()
    fids = nearby.rtree_fids(con, table, boxes)
    if fids is None:
        return None
    return con.execute(
        f"SELECT {names} FROM json_each(?) AS j JOIN {t} AS t ON t.{id_} = j.value ORDER BY 1",
        (json.dumps(fids.tolist()),),
    ).fetchall()


#: Boxes looked up in one statement: four parameters each, under SQLite's oldest limit of 999.
_BOXES_PER_STATEMENT = 240


def _data_columns(con: sqlite3.Connection, table: str) -> tuple:
    """What ``gpkg_data_columns`` says of a table's columns (OGR reads JSON and domains there)."""
    try:
        found = con.execute(
            "SELECT column_name, mime_type, constraint_name FROM gpkg_data_columns "
            "WHERE table_name = ? ORDER BY column_name",
            (table,),
        ).fetchall()
    except sqlite3.Error:  # no such table: nothing said
        return ()
    return tuple(found)


class _Kind(NamedTuple):
    """How OGR reads the files of one kind: their attributes' Arrow types, and their CRS."""

    schema: pa.Schema
    crs: str | None


def _kind_of(file: SheetFile, raw: _Raw) -> _Kind | None:
    """OGR's reading of one feature of a file, for the Arrow types of its kind's attributes.

    None when a kind holds what only OGR converts (dates, JSON, binary), or when OGR's
    fields are not the table's columns in order.
    """
    try:
        meta, table = pyogrio.read_arrow(
            file.source.path,
            layer=file.source.layer,
            fids=list(raw.fids[:1]),
            return_fids=True,
            datetime_as_string=True,
        )
    except Exception:  # the read on its own says what it is
        return None
    attributes = [c[0] for c in raw.kind[0] if c[0] not in (raw.kind[1][0],) and not c[3]]
    if (
        list(meta["fields"]) != attributes
        or any(s == "OFSTJSON" for s in meta["ogr_subtypes"])
        or any(str(d).startswith("datetime") for d in meta["dtypes"])
        or "_row" in attributes  # the name the read on its own gives the feature's place
    ):
        return None
    schema = pa.schema([table.schema.field(name) for name in attributes])
    if not all(_convertible(f.type) for f in schema):
        return None
    return _Kind(schema, meta["crs"])


def _convertible(kind: pa.DataType) -> bool:
    return (
        pa.types.is_integer(kind)
        or pa.types.is_floating(kind)
        or kind
        in (
            pa.bool_(),
            pa.string(),
            pa.large_string(),
        )
    )


def _as_ogr_reads(raw: _Raw, schema: pa.Schema) -> bool:
    """Whether every value of a file is what OGR would read as it is.

    SQLite may hold any value in any column: a number in a text column, a fraction in an
    integer one. Such a file is read on its own.
    """
    return all(_column_fits(raw.columns[k], field.type) for k, field in enumerate(schema))


def _column_fits(values: tuple, kind: pa.DataType) -> bool:
    """Whether a column's values are all of the Python type OGR's Arrow type takes as is."""
    found = set(map(type, values)) - {type(None)}
    if kind == pa.bool_():
        return found <= {int} and set(values) <= {0, 1, None}
    if pa.types.is_floating(kind):
        return found <= {int, float}
    if not pa.types.is_integer(kind):
        return found <= {str}
    if not found <= {int}:
        return False
    numbers = [v for v in values if v is not None]
    if not numbers:
        return True
    bits = kind.bit_width - (0 if pa.types.is_unsigned_integer(kind) else 1)
    low = 0 if pa.types.is_unsigned_integer(kind) else -(2**bits)
    return low <= min(numbers) and max(numbers) < 2**bits


def _standard_blob(blob: object) -> bool:
    """A GeoPackage geometry: magic ``GP``, version 0, an envelope code 0–4, a standard type."""
    if not isinstance(blob, bytes) or len(blob) < 8 or blob[:3] != b"GP\x00":
        return False
    flags = blob[3]
    return (flags >> 1) & 7 <= 4 and not flags & 0x20  # 0x20: an extended geometry type


#: Bytes of the envelope after a GeoPackage blob's 8-byte header, by its envelope code.
_ENVELOPE = (0, 32, 48, 48, 64)


def _shapes(blobs: tuple[bytes, ...]) -> np.ndarray | None:
    """Shapes from GeoPackage blobs: the WKB after their header.

    None when a blob is not a standard one (:func:`_standard_blob`) or its WKB is not read
    (a curve, a broken shape): the file's own read names it.
    """
    if not all(map(_standard_blob, blobs)):
        return None
    wkb = [b[8 + _ENVELOPE[(b[3] >> 1) & 7] :] for b in blobs]
    try:
        return shapely.from_wkb(np.array(wkb, dtype=object))
    except Exception:  # GEOS and shapely say so in their own ways
        return None


def _table(raws: list[_Raw], schema: pa.Schema) -> pa.Table:
    """The attribute values of several files as one Arrow table of OGR's types."""
    columns = []
    for k, field in enumerate(schema):
        values = list(itertools.chain.from_iterable(raw.columns[k] for raw in raws))
        if field.type == pa.bool_():
            values = [None if v is None else bool(v) for v in values]
        columns.append(pa.array(values, type=field.type))
    return pa.Table.from_arrays(columns, schema=schema)


# --- the files of one kind checked as one ------------------------------------------------


def _read_group(
    config: Config, files: list[SheetFile], raws: list[tuple[int, _Raw]], kind: _Kind | None
) -> dict[int, FileRead]:
    """The reads of the files of one kind (:attr:`_Raw.kind`) that are plain after all.

    ``kind``: how OGR reads them (:func:`_kind_of`). A file whose features near the roads
    break a rule of the module's text is left out of the answer, to be read on its own. A
    file's read does not depend on the others checked with it.
    """
    if kind is None:
        return {}
    source = files[0].source
    crs = crs_from_text(source.crs or kind.crs) if (source.crs or kind.crs) else None
    if crs is None or crs.is_geographic:
        return {}
    fitting = [n for n, (_, raw) in enumerate(raws) if _as_ogr_reads(raw, kind.schema)]
    files, raws = [files[n] for n in fitting], [raws[n] for n in fitting]
    if not raws:
        return {}
    sizes = np.array([len(r.fids) for _, r in raws], dtype=np.int64)
    file_of = np.repeat(np.arange(len(raws)), sizes)
    geoms = np.concatenate([r.shapes for _, r in raws])
    fid = np.fromiter(itertools.chain.from_iterable(r.fids for _, r in raws), dtype=np.int64)
    table = _table([r for _, r in raws], kind.schema)
    window = files[0].window
    assert window is not None
    valid = shapely.is_valid(geoms)
    near = _touching_its_pieces(geoms, valid, files, file_of)
    table, geoms, file_of, fid = table.filter(pa.array(near)), geoms[near], file_of[near], fid[near]
    bad = _bad_shapes(geoms, valid[near], file_of, len(raws))
    bad |= _not_plain(table, geoms, file_of, crs, len(raws))
    if not crs.equals(config.crs):
        geoms = gpd.GeoSeries(geoms, crs=crs).to_crs(config.crs).to_numpy()
        bad |= _bad_shapes(geoms, shapely.is_valid(geoms), file_of, len(raws))
    return _file_reads(config, files, [k for k, _ in raws], bad, table, geoms, fid, file_of)


def _touching_its_pieces(
    geoms: np.ndarray, valid: np.ndarray, files: list[SheetFile], file_of: np.ndarray
) -> np.ndarray:
    """Which features meet a right of way piece that meets their file's extent.

    As a file read on its own tests them (:func:`nearby.narrowed`): a feature outside its
    file's extent (an index out of date) is tested as that read tests it.
    """
    window = files[0].window
    assert window is not None  # the files of a group share their CRS, so their pieces
    feature, piece = nearby.touching_pairs(geoms, window.shapes, valid)
    own = np.stack([f.window.near for f in files if f.window is not None])
    near = np.zeros(len(geoms), dtype=bool)
    near[feature[own[file_of[feature], piece]]] = True
    return near


def _file_reads(
    config: Config,
    files: list[SheetFile],
    places: list[int],
    bad: np.ndarray,
    table: pa.Table,
    geoms: np.ndarray,
    fid: np.ndarray,
    file_of: np.ndarray,
) -> dict[int, FileRead]:
    """Each plain file's read (its features, counts and findings), by its place."""
    counts = np.bincount(file_of, minlength=len(files))
    out: dict[int, FileRead] = {}
    for i in np.flatnonzero(~bad & (counts == 0)):  # none of its features is near a road
        out[places[i]] = FileRead(files[i].relative, None, Tally(), outside=_features(files[i]))
    keep = ~bad[file_of]
    if not keep.any():
        return out
    frame = _frame(table.filter(pa.array(keep)), geoms[keep], fid[keep], config)
    plain = np.flatnonzero(~bad & (counts > 0))
    frame, found = sheets.from_paths(
        frame,
        [(files[i].relative, files[i].fields) for i in plain],
        np.searchsorted(plain, file_of[keep]),
        "parcels",
    )
    starts = np.concatenate([[0], np.cumsum(counts[plain])])
    for n, i in enumerate(plain):
        size = int(counts[i])
        tally = Tally(
            found[n],
            read={"parcels": size},
            used={"parcels": size},
            in_layer={"parcels": _features(files[i])},
        )
        rows = (int(starts[n]), int(starts[n + 1]))
        out[places[i]] = FileRead(files[i].relative, frame, tally, rows=rows)
    return out


def _features(file: SheetFile) -> int:
    """The features a file holds, as its header says."""
    assert file.window is not None
    return file.window.features or 0


def _not_plain(
    table: pa.Table,
    geoms: np.ndarray,
    file_of: np.ndarray,
    crs: CRS,
    n_files: int,
) -> np.ndarray:
    """Which files break a rule of the module's text on extent or text (``file_of`` sorted)."""
    bad = np.zeros(n_files, dtype=bool)
    if not len(geoms):
        return bad
    bounds = shapely.bounds(geoms)
    starts = np.flatnonzero(np.r_[True, file_of[1:] != file_of[:-1]])
    lows = np.fmin.reduceat(bounds[:, :2], starts)  # each file's features near the roads
    highs = np.fmax.reduceat(bounds[:, 2:], starts)
    for i, low, high in zip(file_of[starts], lows, highs, strict=True):
        try:
            check_extent(Extent(*low, *high), crs, where="")
        except CRSError:
            bad[i] = True
    for field in table.schema:
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            bad |= _files_with_odd_text(table.column(field.name), file_of, n_files)
    return bad


def _bad_shapes(
    geoms: np.ndarray, valid: np.ndarray, file_of: np.ndarray, n_files: int
) -> np.ndarray:
    """Files with a feature that is not a valid polygon with an area, in two dimensions."""
    types = shapely.get_type_id(geoms)
    polygon = (types == shapely.GeometryType.POLYGON) | (types == shapely.GeometryType.MULTIPOLYGON)
    ok = polygon & valid & ~shapely.has_z(geoms) & ~shapely.has_m(geoms)
    ok &= shapely.area(geoms) > 0
    return np.bincount(file_of[~ok], minlength=n_files) > 0


def _files_with_odd_text(column: pa.ChunkedArray, file_of: np.ndarray, n_files: int) -> np.ndarray:
    """Files with text the per-file path would convert or judge, each value and word once.

    Such text is not in NFC, looks like a legacy encoding
    (:func:`~gpmb_gis._text.looks_legacy`), or holds a NUL.
    """
    texts = [v for v in pc.unique(column).to_pylist() if isinstance(v, str)]
    values = [v for v in texts if not v.isascii()]
    odd_words = unvietnamese_words(values)
    marked = [v for v in texts if "\x00" in v]  # OGR ends text at a NUL
    marked += [
        v
        for v in values
        if not in_nfc(v) or (odd_words.intersection(v.split()) and looks_legacy(v) is not None)
    ]
    if not marked:
        return np.zeros(n_files, dtype=bool)
    hit = pc.is_in(column, value_set=pa.array(marked, type=column.type))
    rows = np.asarray(pc.fill_null(hit, False).to_numpy(zero_copy_only=False), dtype=bool)
    return np.bincount(file_of[rows], minlength=n_files) > 0


def _frame(table: pa.Table, geoms: np.ndarray, fid: np.ndarray, config: Config) -> gpd.GeoDataFrame:
    """The features as :func:`~gpmb_gis.layers.read_polygons` gives them for one file.

    Attribute columns in the file's order under their package names, the shape, the
    feature's place in its file (``source_row``), text as Python objects.
    """
    frame = table.to_pandas()
    frame = nearby.object_text(frame)
    gdf = gpd.GeoDataFrame(frame, geometry=geoms, crs=config.crs)
    gdf = gdf.rename(columns=match_columns(gdf.columns, "parcels", config.fields.get("parcels")))
    gdf[C.SOURCE_ROW] = fid - 1  # GeoPackage counts features from 1
    return gdf
