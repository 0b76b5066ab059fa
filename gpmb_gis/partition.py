"""Beyond one machine: a run on a dask cluster, the work where the work is, the same tables.

A province's or a ministry's projects cross many cadastres, each kept in many files (per
commune, per map sheet). With the parcels in many files (``parcels = { paths = [...] }``):

1. the workers read the files' headers (a few files a task) and say which rights of way each
   file's extent meets; a file that meets none is counted, never read;
2. the files are grouped by the rights of way they meet into partitions, and each partition is
   a task: a worker reads its files near the rights of way (each with its own encoding, CRS and
   checks, as a single process reads it) and cuts those rights of way by its parcels, and
   returns the parcels and the pieces;
3. the driver puts the files back in their order, merges the pieces of each project across
   partitions (the overlaps between files are resolved into disjoint faces as in one
   process), keys the parcels, reads the handover book and measures.

With the parcels in one file, the driver reads it (only the parcels near the rights of way)
and each project's overlay is a task. Either way the tables are those of
:func:`gpmb_gis.compute_progress`, byte for byte. The files must be on a path every worker
sees, under the same name. dask is optional: ``pip install "gpmb_gis[dask]"``.

Examples
--------
>>> from dask.distributed import Client, LocalCluster          # doctest: +SKIP
>>> client = Client(LocalCluster(n_workers=4))                  # doctest: +SKIP
>>> result = compute_progress_on(client, "province.toml")      # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import shapely
from shapely import STRtree

from gpmb_gis import headers, nearby, sheets
from gpmb_gis.config import Config, Project
from gpmb_gis.faces import coverage_union, cut_pieces, union_of
from gpmb_gis.header_cache import HeaderCache
from gpmb_gis.inputs import Inputs, Layers, gather, key_parcels, load_inputs, read_book, read_layers
from gpmb_gis.layers import FileRead, Tally, merge_files
from gpmb_gis.overlay import RowCut, overlay_project
from gpmb_gis.result import ProgressResult
from gpmb_gis.run import OverlayAll, config_for, measure_cut, measure_inputs
from gpmb_gis.sheet_files import SheetFile, read_sheets
from gpmb_gis.sources import LayerSource

__all__ = ["compute_progress_on", "overlay_on"]

#: Tasks per worker the files are cut into: enough for the quick to help the slow.
TASKS_PER_WORKER = 4

_File = tuple[LayerSource, str, "dict[str, str] | None"]


def overlay_on(client: Any) -> OverlayAll:
    """An ``overlay`` for :func:`~gpmb_gis.run.measure_inputs`: one dask task a project.

    Parameters
    ----------
    client
        A ``dask.distributed.Client``. The inputs are sent to every worker once.
    """

    def run(projects: list[Project], inputs: Inputs) -> dict[str, Any]:
        shared = client.scatter(inputs, broadcast=True)
        futures = [
            client.submit(overlay_project, p, shared, key=f"overlay-{p.id}", pure=False)
            for p in projects
        ]
        return {p.id: ov for p, ov in zip(projects, client.gather(futures), strict=True)}

    return run


def compute_progress_on(
    client: Any,
    config: Config | str,
    as_of: dt.date | None = None,
    *,
    include_owner: bool = False,
    allow_unplaced: bool = False,
) -> ProgressResult:
    """:func:`gpmb_gis.compute_progress` on a dask cluster: files read and cut on the workers.

    Parameters
    ----------
    client
        A ``dask.distributed.Client`` (a ``LocalCluster`` on one machine, or a scheduler).
    config, as_of, include_owner, allow_unplaced
        As for :func:`gpmb_gis.compute_progress`.

    Returns
    -------
    ProgressResult
        The same tables as :func:`gpmb_gis.compute_progress`.
    """
    config = config_for(config, allow_unplaced=allow_unplaced)
    day = as_of or config.as_of or dt.date.today()
    if not config.parcels.paths:
        return measure_inputs(
            load_inputs(config, settle=False),
            day,
            include_owner=include_owner,
            overlay=overlay_on(client),
        )
    layers = read_layers(config)
    parcels, cuts = _read_and_cut(client, config, layers)
    keyed = key_parcels(config, layers, parcels)
    inputs = gather(config, layers, keyed, read_book(config, keyed))
    return measure_cut(inputs, cuts, day, include_owner=include_owner)


def _row_pieces(config: Config, layers: Layers) -> tuple[np.ndarray, dict[str, tuple[int, int]]]:
    """The rights of way in small boxes (:func:`nearby.row_boxes`), and each project's span."""
    parts, spans, start = [], {}, 0
    for project in config.projects:
        pieces = nearby.row_boxes(layers.rows[project.id].geometry.to_numpy())
        parts.append(pieces)
        spans[project.id] = (start, start + len(pieces))
        start += len(pieces)
    return np.concatenate(parts) if parts else np.empty(0, dtype=object), spans


def _headers(
    config: Config, pieces: np.ndarray, spans: dict[str, tuple[int, int]], files: list[_File]
) -> list[tuple[headers.Header | None, tuple[str, ...]]]:
    """On a worker: each file's header, and the rights of way its extent meets."""
    out, row_pieces = [], nearby.RowPieces(pieces, config.crs)
    with HeaderCache.open() as known:
        for one, _, _ in files:
            header = headers.read_header(
                one.path, one.layer, one.crs, config.crs, exact=True, known=known
            )
            window = nearby.window_for(header, config.crs, row_pieces)
            out.append((header, sheets.touched(window, spans)))
    return out


def _read_partition(
    config: Config,
    pieces: np.ndarray,
    rows: dict[str, shapely.Geometry],
    files: list[tuple[int, _File, headers.Header | None]],
    touched: tuple[str, ...],
) -> tuple[list[tuple[int, FileRead]], dict[str, tuple[np.ndarray, np.ndarray]]]:
    """On a worker: read a partition's files and cut the rights of way they meet.

    Returns each file's read (by its place in the layer) and, per right of way, the cut
    (:func:`~gpmb_gis.faces.cut_pieces`) by the partition's parcels, in their order.
    """
    row_pieces = nearby.RowPieces(pieces, config.crs)
    planned = [
        SheetFile(*file, nearby.window_for(header, config.crs, row_pieces))
        for _, file, header in files
    ]
    with ThreadPoolExecutor(max_workers=max(1, min(len(files), os.cpu_count() or 1))) as pool:
        reads = list(
            zip([at for at, _, _ in files], read_sheets(config, planned, pool), strict=True)
        )
    shapes = [_shapes(r) for _, r in reads if r.features is not None]
    geoms = np.concatenate(shapes) if shapes else np.empty(0, dtype=object)
    tree = STRtree(geoms)
    return reads, {p: cut_pieces(geoms, rows[p], tree) for p in touched}


def _shapes(read: FileRead) -> np.ndarray:
    """A file's shapes (of the frame it shares with others, its rows only)."""
    assert read.features is not None
    shapes = read.features.geometry.to_numpy()
    return shapes if read.rows is None else shapes[read.rows[0] : read.rows[1]]


def _chunks(items: list, size: int) -> Iterable[list]:
    return (items[k : k + size] for k in range(0, len(items), size))


def _read_and_cut(client: Any, config: Config, layers: Layers) -> tuple[Any, dict[str, RowCut]]:
    """The parcels of a many-file layer and each project's cut, read and cut on the cluster."""
    files = sheets.file_sources(config.parcels)
    pieces, spans = _row_pieces(config, layers)
    rows = {p.id: union_of(layers.rows[p.id].geometry.to_numpy()) for p in config.projects}
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    size = max(1, math.ceil(len(files) / (TASKS_PER_WORKER * workers)))
    shared = client.scatter([config, pieces, spans, rows], broadcast=True)
    config_on, pieces_on, spans_on, rows_on = shared
    heads = [client.submit(_headers, config_on, pieces_on, spans_on, chunk, pure=False)
             for chunk in _chunks(files, size)]  # fmt: skip
    headers = [h for part in client.gather(heads) for h in part]
    reads: list[FileRead | None] = [None] * len(files)
    groups: dict[tuple[str, ...], list[tuple[int, _File, headers.Header | None]]] = {}
    for at, (file, (header, touched)) in enumerate(zip(files, headers, strict=True)):
        if touched:
            groups.setdefault(touched, []).append((at, file, header))
        else:  # its extent meets no right of way: counted from its header, never read
            outside = header.features if header is not None and header.features else 0
            reads[at] = FileRead(file[1], None, Tally(), outside=outside)
    size = max(1, math.ceil(sum(map(len, groups.values())) / (TASKS_PER_WORKER * workers)))
    tasks = [
        client.submit(_read_partition, config_on, pieces_on, rows_on, part, touched, pure=False)
        for touched, group in groups.items()
        for part in _chunks(group, size)
    ]
    from dask.distributed import as_completed

    done = []
    for task in sheets.progress(as_completed(tasks), len(tasks), "parcels", "task"):
        part_reads, part_cuts = task.result()
        for at, read in part_reads:
            reads[at] = read
        done.append((part_reads, part_cuts))
    assert all(read is not None for read in reads)
    parcels = merge_files(config, reads, len(files), layers.tally)  # type: ignore[arg-type]
    return parcels, _merged_cuts(config, rows, reads, done)  # type: ignore[arg-type]


def _merged_cuts(
    config: Config,
    rows: dict[str, shapely.Geometry],
    reads: list[FileRead],
    done: list[tuple[list[tuple[int, FileRead]], dict[str, tuple[np.ndarray, np.ndarray]]]],
) -> dict[str, RowCut]:
    """Each project's cut by the whole layer from the partitions' cuts: the same as one cut.

    A partition's parcel positions are moved to the layer's (its files' features are in the
    layer's order, one file after the other), and each project's pieces put in that order.
    """
    sizes = [r.size for r in reads]
    first = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    found: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {p.id: [] for p in config.projects}
    for part_reads, part_cuts in done:
        mine = [at for at, r in part_reads if r.features is not None]
        local = np.concatenate([[0], np.cumsum([sizes[at] for at in mine])]).astype(np.int64)
        for project_id, (positions, piece_geoms) in part_cuts.items():
            file = np.searchsorted(local, positions, side="right") - 1
            layer_at = first[np.asarray(mine, dtype=np.int64)[file]] + positions - local[file]
            found[project_id].append((layer_at, piece_geoms))
    cuts = {}
    for project_id, parts in found.items():
        at = np.concatenate([p[0] for p in parts]) if parts else np.empty(0, dtype=np.int64)
        geoms = np.concatenate([p[1] for p in parts]) if parts else np.empty(0, dtype=object)
        order = np.argsort(at, kind="stable")
        at, geoms = at[order].astype(np.int64), geoms[order]
        cuts[project_id] = RowCut(rows[project_id], at, geoms, coverage_union(geoms))
    return cuts
