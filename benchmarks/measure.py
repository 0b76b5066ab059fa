"""One measurement in a fresh process: ``python measure.py <what> <folder>`` prints JSON.

``what`` is ``package`` (the package's compute path on ``gpmb.toml``), ``package_parquet``
(the same on ``gpmb_parquet.toml``), ``naive`` (what a user would write with geopandas),
``floor`` (only what the answer needs: read the parcels near the right of way, intersect,
sum per unit: project, chainage bin, commune), ``floor_project`` (the same summed per
project only), or on a layer in many files (:mod:`files`): ``files_gpkg``, ``files_shp``
(the package on ``gpmb_gpkg.toml``, ``gpmb_shp.toml``, with the sheet headers kept by earlier
runs: :mod:`gpmb_gis.header_cache`, in ``$GPMB_CACHE_DIR``), ``files_gpkg_cold`` (the same
with no header kept: a first run) and ``files_dask`` (the GeoPackage files on a
``LocalCluster`` of two workers), ``province`` (the package on ``province``'s config, no
header kept). Seconds are taken around the work, after imports; ``peak_mb`` is the process's
peak resident memory, imports included. ``stolen_s`` is the CPU time the hypervisor gave
to other guests while the job ran (imports included; Linux's ``steal``, None elsewhere),
and ``job_s`` the job's time with its imports: on a shared virtual machine a run with much
stolen time measures the neighbours, not the code.
"""

from __future__ import annotations

import json
import os
import re
import resource
import sys
import time
from pathlib import Path

import numpy as np


def package(folder: Path, config_name: str = "gpmb.toml", client: object = None) -> dict:
    """The package: read, check, overlay, aggregate, every project (no maps, no files).

    With a dask ``client``, :func:`gpmb_gis.partition.compute_progress_on` on it.
    """
    import contextlib
    import io

    from gpmb_gis import compute_progress, load_config
    from gpmb_gis.partition import compute_progress_on

    said = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stderr(said):
        config = load_config(folder / config_name)
        result = (compute_progress(config) if client is None
                  else compute_progress_on(client, config))  # fmt: skip
    seconds = time.perf_counter() - start
    files = re.search(r"parcels: ([\d,]+) files, ([\d,]+) touch", said.getvalue())
    read = result.records.set_index("layer").loc["parcels", "read"]
    table = result.progress_by_project.set_index("project")
    mapped = table["required_m2"] - table["unmapped_m2"]  # what parcels cover: the others' sum
    return {"seconds": seconds, "parcels_read": int(read), "mapped_m2": mapped.to_dict(),
            "required_m2": table["required_m2"].to_dict(),
            "cleared_pct": table["cleared_pct"].to_dict(),
            "in_layer": int(result.inputs.in_layer.get("parcels") or 0),
            "files": int(files.group(1).replace(",", "")) if files else None,
            "touching": int(files.group(2).replace(",", "")) if files else None}  # fmt: skip


def on_dask(folder: Path, config_name: str) -> dict:
    """:func:`package` on a ``LocalCluster`` of two worker processes (started before the
    clock); ``workers_peak_mb``: the largest worker's peak memory."""
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:  # fmt: skip
        client.run(lambda: __import__("gpmb_gis.partition"))  # imports are not timed
        out = package(folder, config_name, client)
        out["workers_peak_mb"] = max(client.run(_peak_mb).values())
    return out


def _peak_mb() -> float:
    """This process's peak resident memory, MB (``VmHWM``: its own, not inherited).

    ``ru_maxrss`` keeps the peak of the process before ``exec``: a measurement started by a
    parent that once grew would report the parent's peak.
    """
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def naive(folder: Path) -> dict:
    """``gpd.read_file`` of the whole layer, then ``gpd.overlay`` with the rights of way."""
    import geopandas as gpd
    import pandas as pd

    start = time.perf_counter()
    parcels = gpd.read_file(folder / "parcels.gpkg")
    rows = pd.concat([gpd.read_file(p).assign(project=p.stem.removeprefix("row_"))
                      for p in sorted(folder.glob("row_*.gpkg"))])  # fmt: skip
    pieces = gpd.overlay(parcels, rows[["project", "geometry"]], how="intersection")
    required = pieces.area.groupby(pieces["project"]).sum()
    return {"seconds": time.perf_counter() - start, "required_m2": required.to_dict()}


def floor(folder: Path) -> dict:
    """Nothing but the answer, per unit: the area parcels cover in each project, chainage bin
    and commune.

    Each right of way is cut into its chainage bins (the package's :func:`bin_regions`; a
    project without a centreline into 200 m boxes); R-tree lookup of the pieces' boxes,
    ``read_arrow`` of those features (commune code and shape), ``from_wkb``, STRtree query,
    intersection, area, and a ``bincount`` per bin and per commune.
    """
    import pyogrio
    import shapely

    from gpmb_gis import load_config
    from gpmb_gis.chainage import bin_regions, route_from_layer
    from gpmb_gis.nearby import row_boxes

    start = time.perf_counter()
    projects = load_config(folder / "gpmb.toml").projects
    rows = [shapely.union_all(pyogrio.read_dataframe(p.row.path).geometry.to_numpy())
            for p in projects]  # fmt: skip
    pieces, unit, project = [], [], []
    for k, (p, row) in enumerate(zip(projects, rows, strict=True)):
        if p.centerline is None:
            cut = row_boxes([row])
            bin_of = np.zeros(len(cut), dtype=np.int64)
        else:
            route, _ = route_from_layer(pyogrio.read_dataframe(p.centerline.path),
                                        start_m=p.start_chainage_m,
                                        equations=p.station_equations, where=p.id)  # fmt: skip
            cut = bin_regions(route, route.bins(p.chainage_bin_m), row)
            bin_of = np.flatnonzero(~shapely.is_empty(cut))
            cut = cut[bin_of]
        pieces.append(cut)
        unit.append(bin_of + sum(len(u) for u in unit))  # one number per (project, bin)
        project.append(np.full(len(cut), k))
    pieces, unit, project = np.concatenate(pieces), np.concatenate(unit), np.concatenate(project)
    table, piece_idx, parcel_idx, area = _pieces_of_parcels(folder, pieces, ["MAXA"])
    commune = table.column("MAXA").dictionary_encode().combine_chunks()
    n_communes = len(commune.dictionary)
    commune = commune.indices.to_numpy(zero_copy_only=False)
    by_bin = np.bincount(unit[piece_idx], weights=area)
    by_commune = np.bincount(project[piece_idx] * n_communes + commune[parcel_idx],
                             weights=area, minlength=len(rows) * n_communes)  # fmt: skip
    required = by_commune.reshape(len(rows), n_communes).sum(axis=1)
    mapped = {p.id: float(a) for p, a in zip(projects, required, strict=True)}
    return {"seconds": time.perf_counter() - start, "units": len(by_bin) + len(by_commune),
            "required_m2": mapped}  # fmt: skip


def floor_project(folder: Path) -> dict:
    """The floor per project only: the ROW cut into 200 m boxes, one ``bincount`` per project."""
    import pyogrio
    import shapely

    from gpmb_gis.nearby import row_boxes

    start = time.perf_counter()
    paths = sorted(folder.glob("row_*.gpkg"))
    rows = [shapely.union_all(pyogrio.read_dataframe(p).geometry.to_numpy()) for p in paths]
    pieces, project = [], []
    for k, row in enumerate(rows):
        cut = row_boxes([row])
        pieces.append(cut)
        project.append(np.full(len(cut), k))
    pieces, project = np.concatenate(pieces), np.concatenate(project)
    _, piece_idx, _, area = _pieces_of_parcels(folder, pieces, [])
    required = np.bincount(project[piece_idx], weights=area, minlength=len(rows))
    return {"seconds": time.perf_counter() - start,
            "required_m2": {p.stem.removeprefix("row_"): float(a)
                            for p, a in zip(paths, required, strict=True)}}  # fmt: skip


def _pieces_of_parcels(folder: Path, pieces: np.ndarray, columns: list[str]) -> tuple:
    """The floors' core: R-tree lookup of the pieces' boxes, ``read_arrow`` of those features
    (``columns`` and shape), ``from_wkb``, STRtree query, intersection and area.

    Returns the table read, the (piece, parcel) pairs that meet and the area of each.
    """
    import pyogrio
    import shapely

    from gpmb_gis.nearby import gpkg_fids

    fids = gpkg_fids(folder / "parcels.gpkg", None, shapely.bounds(pieces))
    _, table = pyogrio.read_arrow(folder / "parcels.gpkg", fids=fids, columns=columns)
    geoms = shapely.from_wkb(table.column(table.schema.names[-1]))
    piece_idx, parcel_idx = shapely.STRtree(geoms).query(pieces, predicate="intersects")
    area = shapely.area(shapely.intersection(geoms[parcel_idx], pieces[piece_idx]))
    return table, piece_idx, parcel_idx, area


def _cold(job) -> dict:
    """``job`` with an empty cache of sheet headers (:mod:`gpmb_gis.header_cache`): a first
    run, every header read from its file."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="gpmb-bench-cache-") as empty:
        os.environ["GPMB_CACHE_DIR"] = empty
        return job()


def _stolen_s() -> float | None:
    """CPU time taken by the hypervisor so far, all cores together (``steal`` in /proc/stat)."""
    try:
        fields = Path("/proc/stat").read_text(encoding="ascii").split("\n", 1)[0].split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def main() -> None:
    what, folder = sys.argv[1], Path(sys.argv[2])
    jobs = {"package": lambda: package(folder),
            "package_parquet": lambda: package(folder, "gpmb_parquet.toml"),
            "naive": lambda: naive(folder), "floor": lambda: floor(folder),
            "floor_project": lambda: floor_project(folder),
            "files_gpkg": lambda: package(folder, "gpmb_gpkg.toml"),
            "files_gpkg_cold": lambda: _cold(lambda: package(folder, "gpmb_gpkg.toml")),
            "files_shp": lambda: package(folder, "gpmb_shp.toml"),
            "files_dask": lambda: on_dask(folder, "gpmb_gpkg.toml"),
            "province": lambda: _cold(lambda: package(folder))}  # fmt: skip
    stolen, start = _stolen_s(), time.perf_counter()
    out = jobs[what]()
    out["job_s"] = time.perf_counter() - start
    out["stolen_s"] = None if stolen is None else _stolen_s() - stolen
    out["peak_mb"] = _peak_mb()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
