"""Synthetic cadastres in many files, as land offices keep them: a folder per commune, a file
per map sheet.

- ``1M_files``: the 1M layer of :mod:`synth` split into its 1,600 map sheets (500 m, a
  hundred to each 5 km commune: ``<commune>/To <sheet>``), once as GeoPackage and once as
  shapefiles, with the 1M layer's rights of way and handover book; the features keep their
  commune and sheet, equal to the path's.
- ``province``: 10M parcels in about 10,000 sheet files (``<commune>/To <sheet>.gpkg``,
  the commune and the sheet only in the path, as many offices' files are), a 63 km square,
  with five roads of about 300 km together and their handover book.

Everything here is synthetic and deterministic (seeded); none of it is an official figure.
Written once to ``benchmarks/data/`` (git-ignored).
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import synth

FILES_VERSION = 2
PROVINCE_VERSION = 1
#: Grid cells (parcels) on a side of a commune, and of a sheet file within it.
COMMUNE_CELLS, SHEET_CELLS = 256, 32
PROVINCE_PARCELS = 10_000_000
#: The province's roads (km from the corner, widths in metres): about 300 km together.
PROVINCE_ROADS = (
    synth.Road("QL_1", "Quốc lộ giả lập 1",
               ((2, 5), (15, 14), (30, 11), (45, 20), (61, 24)), 40.0),
    synth.Road("CT_2", "Cao tốc giả lập 2",
               ((4, 60), (18, 47), (33, 41), (47, 36), (61, 29)), 70.0),
    synth.Road("DT_3", "Đường tỉnh giả lập 3",
               ((9, 1), (14, 18), (24, 33), (27, 47), (31, 62)), 30.0),
    synth.Road("DT_4", "Đường tỉnh giả lập 4", ((38, 1), (44, 19), (49, 38), (56, 61)), 30.0),
    synth.Road("QL_5", "Quốc lộ giả lập 5",
               ((1, 31), (17, 28), (29, 36), (42, 50), (61, 55)), 40.0),
)  # fmt: skip


def _stamp_ok(folder: Path, version: int) -> bool:
    stamp = folder / "made.json"
    return stamp.exists() and json.loads(stamp.read_text()).get("version") == version


def _blocks(
    rows: np.ndarray, cols: np.ndarray, commune_cells: int = COMMUNE_CELLS
) -> tuple[np.ndarray, np.ndarray]:
    """Each cell's commune (a tile of ``commune_cells``) and sheet block within it (1…)."""
    across = -(-commune_cells // SHEET_CELLS)
    commune = (rows // commune_cells) * 1000 + cols // commune_cells
    sheet = ((rows % commune_cells) // SHEET_CELLS) * across + (cols % commune_cells) // SHEET_CELLS
    return commune, sheet + 1


def _write_sheets(frame: gpd.GeoDataFrame, folder: Path, names: pd.Series, suffix: str) -> int:
    """Write one file per distinct name (``<commune>/To <sheet>``); return how many."""
    import pyogrio

    driver = "ESRI Shapefile" if suffix == ".shp" else "GPKG"
    count = 0
    for name, part in frame.groupby(names.to_numpy(), sort=True):
        path = folder / f"{name}{suffix}"
        path.parent.mkdir(parents=True, exist_ok=True)
        pyogrio.write_dataframe(part, path, driver=driver, SPATIAL_INDEX="YES")
        count += 1
    return count


def _config(folder: Path, source: Path, parcels: str, plan: list[dict]) -> str:
    """A config for files in ``folder`` reusing ``source``'s rights of way and book."""
    text = synth._config(source, plan, "PARCELS")
    for name in ("so_theo_doi.csv", *(f"row_{p['id']}.gpkg" for p in plan),
                 *(f"centerline_{p['id']}.gpkg" for p in plan)):  # fmt: skip
        text = text.replace(f'"{name}"', f'"{(source / name).as_posix()}"')
    return text.replace('parcels = "PARCELS"', f"parcels = {parcels}")


def split_1m(root: Path = synth.DATA) -> Path:
    """The 1M layer in 1,024 sheet files, GeoPackage and shapefile (once)."""
    import pyogrio

    source = synth.make("1M", root=root)
    folder = root / "1M_files"
    if _stamp_ok(folder, FILES_VERSION):
        return folder
    layer = pyogrio.read_dataframe(source / "parcels.gpkg")
    sheet = pd.Series(layer["SHBANDO"].to_numpy()).astype(str)
    names = pd.Series(layer["MAXA"].to_numpy(), dtype=str) + "/To " + sheet
    files = {}
    for kind, suffix in (("gpkg", ".gpkg"), ("shp", ".shp")):
        files[kind] = _write_sheets(layer, folder / kind, names, suffix)
    plan = synth.projects(shapely.box(*json.loads((source / "made.json").read_text())["extent"]))
    for kind, suffix in (("gpkg", ".gpkg"), ("shp", ".shp")):
        parcels = (
            f'{{ paths = ["{kind}/**/*{suffix}"], path_pattern = "{{commune}}/To {{sheet}}" }}'
        )
        (folder / f"gpmb_{kind}.toml").write_text(_config(folder, source, parcels, plan),
                                                  encoding="utf-8")  # fmt: skip
    (folder / "made.json").write_text(json.dumps({"version": FILES_VERSION, "files": files}))
    return folder


def _province_plan(extent: shapely.Polygon) -> list[dict]:
    out = []
    for road in PROVINCE_ROADS:
        line = synth.road_line(road)
        row = shapely.buffer(line, road.width_m / 2, cap_style="flat").intersection(extent)
        out.append({"id": road.id, "name": road.name, "row": row, "line": line,
                    "length_km": line.length / 1000})  # fmt: skip
    return out


def province(root: Path = synth.DATA) -> Path:
    """10M parcels in about 10,000 sheet files, five roads of about 300 km (once)."""
    folder = root / "province"
    if _stamp_ok(folder, PROVINCE_VERSION):
        return folder
    xs, ys, ny, nx = synth._grid(PROVINCE_PARCELS, 11)
    extent = shapely.box(synth.X0, synth.Y0, synth.X0 + xs[nx], synth.Y0 + ys[ny])
    plan = _province_plan(extent)
    rows_union = shapely.union_all([p["row"] for p in plan])
    shapely.prepare(rows_union)
    touching, files = [], 0
    for r0 in range(0, ny, COMMUNE_CELLS):  # a band of communes at a time: their files whole
        r1 = min(ny, r0 + COMMUNE_CELLS)
        geoms = synth._chunk_polygons(xs, ys, r0, r1)
        rows, cols = np.divmod(np.arange(len(geoms)), nx)
        rows = rows + r0
        commune, sheet = _blocks(rows, cols)
        code = np.char.add("PX", np.char.zfill(((commune // 1000) * 100 + commune % 1000 + 1)
                                                .astype(str), 4))  # fmt: skip
        attrs = synth._attributes(rows, cols, shapely.area(geoms))
        parcel = (rows % SHEET_CELLS) * SHEET_CELLS + cols % SHEET_CELLS + 1
        frame = gpd.GeoDataFrame(
            {"SOTHUA": parcel.astype(np.int64), "KHLOAIDAT": attrs["KHLOAIDAT"],
             "DIENTICH": attrs["DIENTICH"]}, geometry=geoms, crs=synth.CRS)  # fmt: skip
        names = pd.Series(code, dtype=str) + "/To " + pd.Series(sheet).astype(str)
        files += _write_sheets(frame, folder / "dia_chinh", names, ".gpkg")
        near = shapely.intersects(rows_union, geoms)
        touching.append(pd.DataFrame({"MAXA": code[near], "SHBANDO": sheet[near],
                                      "SOTHUA": parcel[near], "_geom": geoms[near]}))  # fmt: skip
    for p in plan:
        gpd.GeoDataFrame({"name": [p["name"]]}, geometry=[p["row"]], crs=synth.CRS).to_file(
            folder / f"row_{p['id']}.gpkg", engine="pyogrio")  # fmt: skip
        gpd.GeoDataFrame({"name": [p["name"]]}, geometry=[p["line"]], crs=synth.CRS).to_file(
            folder / f"centerline_{p['id']}.gpkg", engine="pyogrio")  # fmt: skip
    records = _province_book(folder, plan, pd.concat(touching, ignore_index=True))
    parcels = '{ paths = ["dia_chinh/**/*.gpkg"], path_pattern = "{commune}/To {sheet}" }'
    (folder / "gpmb.toml").write_text(_config(folder, folder, parcels, plan), encoding="utf-8")
    info = {"version": PROVINCE_VERSION, "parcels": int(nx * ny), "files": files,
            "records": records, "extent_km": [round(xs[nx] / 1000, 1), round(ys[ny] / 1000, 1)],
            "row_km": round(sum(p["length_km"] for p in plan), 1),
            "projects": {p["id"]: {"row_ha": round(p["row"].area / 1e4, 1),
                                   "length_km": round(p["length_km"], 1)}
                         for p in plan}}  # fmt: skip
    (folder / "made.json").write_text(json.dumps(info, indent=1))
    return folder


def _province_book(folder: Path, plan: list[dict], near: pd.DataFrame) -> int:
    """The handover book of the province's roads: a record per parcel a right of way meets."""
    frames = []
    geoms = near.pop("_geom").to_numpy()
    for k, project in enumerate(plan):
        hit = near[shapely.intersects(geoms, project["row"])]
        frame = pd.DataFrame({"Dự án": project["id"], "Xã": hit["MAXA"].to_numpy(),
                              "Tờ bản đồ": hit["SHBANDO"].to_numpy(),
                              "Số thửa": hit["SOTHUA"].to_numpy()})  # fmt: skip
        frame["_key"] = (np.arange(len(frame)) * 8 + k).astype(np.int64)
        frames.append(frame)
    book = pd.concat(frames, ignore_index=True)
    keys = book.pop("_key").to_numpy()
    start = np.datetime64("2024-01-08")
    inventory = start + (synth._uniform(keys, 1) * 300).astype("timedelta64[D]")
    handed = inventory + (45 + synth._uniform(keys, 2) * 120).astype("timedelta64[D]")
    as_of = np.datetime64(synth.AS_OF)
    for name, values in (("Ngày kiểm đếm", inventory), ("Ngày bàn giao", handed)):
        text = pd.Series(pd.to_datetime(values).strftime("%d/%m/%Y"), index=book.index)
        book[name] = text.where(values <= as_of, "")
    book.insert(0, "STT", np.arange(1, len(book) + 1))
    book.to_csv(folder / "so_theo_doi.csv", index=False, encoding="utf-8")
    return len(book)


if __name__ == "__main__":
    print(split_1m())
    print(province())
