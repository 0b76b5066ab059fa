"""``make bench``: time the package against the naive approach and the floor; write RESULTS.md.

For each synthetic layer (:mod:`synth`: 10k, 100k, 1M, 3M parcels around the same ~75 km of
roads and a cluster), every measurement runs in a fresh process (:mod:`measure`) several
times: the package's compute path on GeoPackage and on GeoParquet, the naive
``read_file`` + ``overlay``, and the floor. Then the map path: HTML bytes per parcel and
the time headless Chromium takes to draw maps of about 1k, 10k and 50k parcels.

Speed is measured here and written down, never asserted in tests.

Then a cadastre in many files (:mod:`files`): the 1M layer as 1,600 sheet files
(GeoPackage, shapefile, and on a dask ``LocalCluster``) against one GeoPackage, and a
province of 10M parcels in 10,000 files with 300 km of roads.

Usage: ``python benchmarks/run.py [--sizes 10k,100k,1M,3M] [--runs 5] [--no-maps]
[--no-files] [--no-province]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import files  # noqa: E402
import synth  # noqa: E402

WHAT = ("package", "package_parquet", "naive", "floor", "floor_project")
MAP_SIZES = (1_000, 10_000, 50_000)


#: A run during which the hypervisor took more than this share of its time (CPU time given
#: to other guests, all cores) measured the neighbours: it is run again, up to ``RETRIES``.
NOISY_SHARE = 0.10
RETRIES = 2


def _once(what: str, folder: Path) -> dict:
    proc = subprocess.run([sys.executable, str(HERE / "measure.py"), what, str(folder)],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _noisy(result: dict) -> bool:
    stolen = result.get("stolen_s")
    return stolen is not None and stolen > NOISY_SHARE * result["job_s"]


def _measure_size(folder: Path, runs: int, paths: dict[str, Path] | None = None) -> dict[str, dict]:
    """Every path ``runs`` times, taking turns (so a slow spell of the machine hits all).

    ``paths``: each path measured and its folder (default: :data:`WHAT`, all on ``folder``).
    """
    paths = paths or dict.fromkeys(WHAT, folder)
    results: dict[str, list[dict]] = {what: [] for what in paths}
    repeated = dict.fromkeys(paths, 0)
    for _ in range(runs):
        for what, where in paths.items():
            result = _once(what, where)
            for _ in range(RETRIES):
                if not _noisy(result):
                    break
                repeated[what] += 1
                result = _once(what, where)
            results[what].append(result)
    out = {}
    for what, found in results.items():
        seconds = [r["seconds"] for r in found]
        stolen = [r["stolen_s"] for r in found if r.get("stolen_s") is not None]
        out[what] = dict(found[-1])
        out[what].update(median=statistics.median(seconds), low=min(seconds), high=max(seconds),
                         peak_mb=max(r["peak_mb"] for r in found), runs=runs,
                         repeated=repeated[what], noisy=sum(map(_noisy, found)),
                         stolen=statistics.median(stolen) if stolen else None)  # fmt: skip
    return out


def _machine() -> str:
    import geopandas
    import pandas
    import pyarrow
    import pyogrio
    import shapely

    import gpmb_gis

    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"- Machine: {cpu}, {os.cpu_count()} cores, {memory:.0f} GiB, {platform.system()} "
        f"{platform.machine()}\n"
        f"- Python {platform.python_version()}, gpmb_gis {gpmb_gis.__version__}, geopandas "
        f"{geopandas.__version__}, shapely {shapely.__version__} (GEOS "
        f"{shapely.geos_version_string}), pyogrio {pyogrio.__version__} (GDAL "
        f"{pyogrio.__gdal_version_string__}), pandas {pandas.__version__}, pyarrow "
        f"{pyarrow.__version__}\n"
    )


def _fmt(m: dict) -> str:
    return f"{m['median']:.2f} s ({m['low']:.2f}–{m['high']:.2f})"


def _noise(what: str, m: dict) -> str:
    stolen = "unknown" if m["stolen"] is None else f"{m['stolen']:.2f} s taken"
    return f"{what} {m['repeated']} repeated, {m['noisy']} noisy, {stolen}"


def _check_same(results: dict) -> str:
    """The paths must agree on the area parcels cover in each ROW, or the timing means nothing.

    (The package's ``required_m2`` also holds ROW land no parcel covers; the naive overlay and
    the floor sum parcel pieces only, so the comparison is on ``required − unmapped``.)
    """
    worst = 0.0
    for other in ("naive", "floor", "floor_project", "package_parquet"):
        if other not in results:
            continue
        key = "mapped_m2" if other == "package_parquet" else "required_m2"
        for pid, area in results["package"]["mapped_m2"].items():
            theirs = results[other][key].get(pid, 0.0)
            worst = max(worst, abs(area - theirs) / max(area, 1.0))
    return f"{worst:.1e}"


def _size_rows(all_results: dict[str, dict]) -> list[str]:
    lines = [
        "| parcels in layer | read (touch a ROW) | package, GPKG | package, GeoParquet | "
        "peak MB (package) | naive | peak MB (naive) | × faster than naive | floor (per unit) "
        "| ÷ floor | floor per project | ÷ it | areas agree to |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for size, res in all_results.items():
        pkg = res["package"]
        naive = res.get("naive")
        floor, per_project = res["floor"], res["floor_project"]
        parquet = res.get("package_parquet")
        cells = [
            f"{synth.SIZES[size]:,}", f"{pkg['parcels_read']:,}", _fmt(pkg),
            _fmt(parquet) if parquet else "—", f"{pkg['peak_mb']:.0f}",
            _fmt(naive) if naive else "—", f"{naive['peak_mb']:.0f}" if naive else "—",
            f"{naive['median'] / pkg['median']:.1f}×" if naive else "—",
            _fmt(floor), f"{pkg['median'] / floor['median']:.2f}",
            _fmt(per_project), f"{pkg['median'] / per_project['median']:.2f}",
            _check_same(res),
        ]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    return lines


# --- a cadastre in many files ----------------------------------------------------------------


def _files_section(runs: int, province: bool) -> list[str]:
    """The 1M layer as one GeoPackage and as 1,600 sheet files; the province (10M, 10,000
    files, 300 km of roads), single machine."""
    one, split = synth.make("1M"), files.split_1m()
    paths = {"package": one, "files_gpkg_cold": split, "files_gpkg": split, "files_shp": split,
             "files_dask": split}  # fmt: skip
    print(f"1M in files: {', '.join(paths)}, {runs} rounds …", flush=True)
    # the headers the sheets' runs keep (gpmb_gis.header_cache): the benchmark's own, kept
    # by a first run, as a weekly run finds them
    os.environ["GPMB_CACHE_DIR"] = str(synth.DATA / "header_cache")
    shutil.rmtree(synth.DATA / "header_cache", ignore_errors=True)
    _once("files_gpkg", split)
    res = _measure_size(one, runs, paths)
    base = res["package"]
    made = json.loads((split / "made.json").read_text())
    lines = [
        "## A cadastre in many files: per commune and per map sheet", "",
        f"The 1M layer split into its {made['files']['gpkg']:,} map sheets "
        "(`<commune>/To <sheet>.gpkg`, 500 m sheets; `benchmarks/files.py`), read as one layer "
        "with `paths` and `path_pattern`, against the same parcels in one GeoPackage. The dask "
        "run is `compute_progress_on` on a `LocalCluster` of 2 worker processes (started "
        "before the clock; peak MB: the driver, and the largest worker).", "",
        "| parcels | read as | files | touch a ROW | parcels read | seconds | ÷ one file | "
        "peak MB | cleared % differs from one file by |",
        "|---|---|---|---|---|---|---|---|---|",
    ]  # fmt: skip
    names = {"package": "one GeoPackage", "files_gpkg_cold": "GeoPackage sheets, first run",
             "files_gpkg": "GeoPackage sheets, headers kept",
             "files_shp": "shapefile sheets",
             "files_dask": "GeoPackage sheets, headers kept, dask (2)"}  # fmt: skip
    for what, m in res.items():
        same = max(abs(m["cleared_pct"][p] - base["cleared_pct"][p]) for p in base["cleared_pct"])
        peak = f"{m['peak_mb']:.0f}" + (f" / {m['workers_peak_mb']:.0f}"
                                        if "workers_peak_mb" in m else "")  # fmt: skip
        lines.append(
            f"| {m['in_layer']:,} | {names[what]} | {m['files'] or 1:,} | "
            f"{m['touching'] or 1:,} | {m['parcels_read']:,} | {_fmt(m)} | "
            f"{m['median'] / base['median']:.2f} | {peak} | {same:.1e} |"
        )
    lines += ["", "Machine noise: " + "; ".join(_noise(w, m) for w, m in res.items()), ""]
    if province:
        lines += _province_rows(runs)
    return lines


def _province_rows(runs: int) -> list[str]:
    folder = files.province()
    print(f"province: package, {min(runs, 3)} rounds …", flush=True)
    m = _measure_size(folder, min(runs, 3), {"province": folder})["province"]
    made = json.loads((folder / "made.json").read_text())
    verdict = "under" if m["median"] < 60 and m["peak_mb"] < 4096 else "NOT under"
    return [
        "### A province on one machine", "",
        f"{made['parcels']:,} parcels in {made['files']:,} sheet files (a "
        f"{made['extent_km'][0]} × {made['extent_km'][1]} km square; commune and sheet only "
        f"in the paths), {len(made['projects'])} roads of {made['row_km']} km together, a "
        f"book of {made['records']:,} records: {verdict} 60 s and 4 GB on "
        f"{os.cpu_count()} cores.", "",
        "| files | touch a ROW | parcels read | seconds | peak MB |", "|---|---|---|---|---|",
        f"| {m['files']:,} | {m['touching']:,} | {m['parcels_read']:,} | {_fmt(m)} | "
        f"{m['peak_mb']:.0f} |", "",
        "Machine noise: " + _noise("province", m), "",
    ]  # fmt: skip


# --- the map path ----------------------------------------------------------------------------


def _map_config(folder: Path, n_parcels: int, out: Path) -> Path:
    """A one-project config whose ROW is a square holding about ``n_parcels`` parcels."""
    import geopandas as gpd
    import shapely

    side = float(np.sqrt(n_parcels * 400.0))
    x0, y0 = synth.X0 + 1000.0, synth.Y0 + 1000.0
    out.mkdir(parents=True, exist_ok=True)
    gpd.GeoDataFrame({"name": ["map"]}, geometry=[shapely.box(x0, y0, x0 + side, y0 + side)],
                     crs=synth.CRS).to_file(out / "row.gpkg", engine="pyogrio")  # fmt: skip
    config = out / "gpmb.toml"
    config.write_text(
        f'title = "map benchmark"\nprovince = "Lạng Sơn"\nas_of = {synth.AS_OF}\n[layers]\n'
        f'parcels = "{folder / "parcels.gpkg"}"\nhandovers = "{folder / "so_theo_doi.csv"}"\n'
        '[[projects]]\nid = "MAP"\nname = "map"\nrow = "row.gpkg"\n', encoding="utf-8")  # fmt: skip
    return config


def _chromium(page: Path) -> float:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    start = time.perf_counter()
    subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={page.parent / 'profile'}", "--proxy-server=127.0.0.1:9",
         "--dump-dom", page.as_uri()], capture_output=True, timeout=600, check=True)  # fmt: skip
    return time.perf_counter() - start


def _map_rows(folder: Path, runs: int) -> list[str]:
    from gpmb_gis import compute_progress, load_config
    from gpmb_gis.maps.web import save_web_map, web_map

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    lines = ["| parcels drawn | HTML size | bytes per parcel | build (compute + HTML) | "
             "Chromium: load and draw, minus start-up |", "|---|---|---|---|---|"]  # fmt: skip
    work = HERE / "data" / "maps"
    blank = work / "blank.html"
    work.mkdir(parents=True, exist_ok=True)
    blank.write_text("<html><body>blank</body></html>", encoding="utf-8")
    base = statistics.median(_chromium(blank) for _ in range(runs)) if browser else None
    for n in MAP_SIZES:
        config = _map_config(folder, n, work / str(n))
        start = time.perf_counter()
        result = compute_progress(load_config(config))
        page = save_web_map(web_map(result, "MAP"), work / str(n) / "map.html")
        build = time.perf_counter() - start
        drawn = len(result.parcels)
        size = page.stat().st_size
        if browser:
            times = [_chromium(page) - base for _ in range(runs)]
            shown = f"{statistics.median(times):.2f} s ({min(times):.2f}–{max(times):.2f})"
        else:
            shown = "chromium not installed"
        lines.append(f"| {drawn:,} | {size / 1e6:.2f} MB | {size / drawn:.0f} | {build:.2f} s | "
                     f"{shown} |")  # fmt: skip
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(synth.SIZES))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-maps", action="store_true")
    parser.add_argument("--no-files", action="store_true", help="skip the many-file layers")
    parser.add_argument("--no-province", action="store_true", help="skip the 10M province")
    args = parser.parse_args()
    sizes = args.sizes.split(",")
    all_results: dict[str, dict] = {}
    for size in sizes:
        folder = synth.make(size)
        print(f"{size}: {', '.join(WHAT)}, {args.runs} rounds …", flush=True)
        all_results[size] = _measure_size(folder, args.runs)
        print(f"{size}: " + ", ".join(f"{w} {all_results[size][w]['median']:.2f} s"
                                      for w in WHAT), flush=True)  # fmt: skip
    info = {s: json.loads((synth.DATA / s / "made.json").read_text()) for s in sizes}
    lines = [
        "# Benchmarks", "",
        "Written by `make bench` (`benchmarks/run.py`); do not edit by hand. Synthetic layers "
        "from `benchmarks/synth.py` (NOT official data). Each figure is the median of "
        f"{args.runs} runs in fresh processes (min–max), timed around the work after imports; "
        "peak MB is the process's peak resident memory. The paths take turns, run by run. "
        "On a virtual machine the host may give the CPU to other guests (`steal` in "
        f"/proc/stat): a run that lost more than {NOISY_SHARE:.0%} of its time so is run "
        f"again, up to {RETRIES} times (see *Machine noise*).", "",
        f"Run {time.strftime('%Y-%m-%d %H:%M')}.", "", _machine(),
        "## Compute path: read → checks → overlay → aggregation, all projects (no maps)", "",
        "- **package**: `compute_progress(load_config(...))`: reads only the parcels that touch "
        "a right of way, repairs and checks them, reads the handover book (CSV, "
        f"{info[sizes[-1]]['records']:,} records), matches, overlays every project, "
        "chainage bins, communes, time series, milestones.",
        "- **naive**: `gpd.read_file` of the whole layer, then `gpd.overlay(parcels, row)` and "
        "a sum of areas per project.",
        "- **floor (per unit)**: only what the answer needs, per unit (project, chainage "
        "bin, commune): each ROW cut into its chainage bins (the package's `bin_regions`; a "
        "project without a centreline into 200 m boxes), R-tree lookup of the pieces' boxes, "
        "`pyogrio.read_arrow` of those features (commune code and shape), `shapely.from_wkb`, "
        "STRtree query, intersection, area, one `bincount` per bin and per commune: nothing "
        "else.",
        "- **floor per project**: the same with the ROW cut into 200 m boxes and one `bincount` "
        "per project (no bins, no communes): a lower bar than the answer needs, shown for "
        "comparison.", "",
        *_size_rows(all_results), "",
    ]  # fmt: skip
    lines += [
        "Machine noise: runs repeated because the host took the CPU, runs still noisy "
        "after the repeats, and the median CPU time taken per run:",
        "",
    ]
    for size, res in all_results.items():
        lines.append(f"- {size}: " + "; ".join(_noise(w, m) for w, m in res.items()))
    lines.append("")
    if "1M" in all_results and "3M" in all_results:
        ratio = all_results["3M"]["package"]["median"] / all_results["1M"]["package"]["median"]
        lines += [f"3M ÷ 1M (same projects, three times the file): **{ratio:.2f}**", ""]
    lines += ["Projects (the same on 1M and 3M; smaller layers keep the part on them):", ""]
    for size in sizes:
        projects = ", ".join(f"{pid} {p['length_km']} km / {p['row_ha']} ha"
                             for pid, p in info[size]["projects"].items())  # fmt: skip
        lines.append(f"- {size}: {projects}")
    if not args.no_files:
        lines += ["", *_files_section(args.runs, not args.no_province)]
    if not args.no_maps:
        largest = synth.make("1M") if "1M" not in sizes else synth.DATA / "1M"
        lines += ["", "## Map path: one HTML map (self-contained, Leaflet inlined)", "",
                  *_map_rows(largest, args.runs)]  # fmt: skip
    (HERE / "RESULTS.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print((HERE / "RESULTS.md").read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
