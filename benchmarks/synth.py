"""Synthetic cadastral layers for the benchmarks: 10k to 3M parcels around the same projects.

Parcels are a jittered grid of 8-sided polygons of 240–560 m² (rows 15–25 m, columns 12–28 m,
corners and edge midpoints moved by up to ±3 m), so they tile the land without gaps or
overlaps, like a cadastral sheet. Every size starts at the same south-west corner, and the
projects (four roads of about 80 km together, an industrial cluster) lie inside the 1M extent;
a smaller layer keeps the part of each project that falls on it. So the 1M and 3M layers carry
the same right of way, and only the land far from it grows.

Everything here is synthetic and deterministic (seeded); none of it is an official figure.
Each size is written once to ``benchmarks/data/<size>/`` (git-ignored) as GeoPackage (with its
R-tree), as GeoParquet (with the bbox covering column), the right of way and centrelines as
GeoPackage, a handover book (CSV) and two configs.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

CRS = "EPSG:9215"  # VN-2000 / TM-3 107-15 (Lạng Sơn)
X0, Y0 = 440_000.0, 2_400_000.0
SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000, "3M": 3_000_000}
DATA = Path(__file__).resolve().parent / "data"
#: Bump when the layers change, so that cached data is made again.
VERSION = 3
BOOK_VERSION = 2
ROWS_PER_CHUNK = 200  # grid rows generated and written at a time


@dataclass(frozen=True)
class Road:
    """A road project: a smooth centreline through ``points`` (km from the corner)."""

    id: str
    name: str
    points: tuple[tuple[float, float], ...]
    width_m: float


ROADS = (
    Road("QL_A", "Quốc lộ giả lập A", ((1.0, 1.5), (5.0, 4.0), (9.0, 3.5), (13.0, 7.0),
                                         (15.5, 12.0), (18.5, 16.0)), 40.0),
    Road("CT_B", "Cao tốc giả lập B", ((2.0, 18.5), (6.0, 14.0), (8.5, 9.0), (12.0, 5.0),
                                        (16.0, 2.5), (18.8, 1.2)), 70.0),
    Road("DT_C", "Đường tỉnh giả lập C", ((1.2, 9.0), (4.0, 11.0), (7.5, 12.5), (11.0, 16.0),
                                           (14.0, 18.6)), 30.0),
    Road("DH_D", "Đường huyện giả lập D", ((10.0, 10.0), (12.5, 11.0), (15.0, 9.0),
                                            (18.6, 8.0)), 25.0),
)  # fmt: skip
CLUSTER = ("CCN_E", "Cụm công nghiệp giả lập E", (16.0, 13.0, 16.5, 13.4))  # km box
STAGE_COLUMNS = ("Ngày kiểm đếm", "Ngày phê duyệt", "Ngày chi trả", "Ngày bàn giao")
AS_OF = dt.date(2024, 11, 29)


def _grid_shape(n: int) -> tuple[int, int]:
    nx = round(np.sqrt(n))
    return int(np.ceil(n / nx)), nx


def _edges(count: int, low: float, high: float, rng: np.random.Generator) -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum(rng.uniform(low, high, count))])


def _grid(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Column and row edges (metres from the corner) of a grid of at least ``n`` cells.

    The edges of a smaller grid are the first edges of a larger one (same seed, drawn in
    the same order from the corner), so that sizes share the land near the corner.
    """
    ny, nx = _grid_shape(n)
    rng = np.random.default_rng(seed)
    xs = _edges(4000, 12.0, 28.0, rng)[: nx + 1]
    ys = _edges(4000, 15.0, 25.0, np.random.default_rng(seed + 1))[: ny + 1]
    return xs, ys, ny, nx


def _jitter(shape: tuple[int, ...], rows: np.ndarray, salt: int) -> np.ndarray:
    """Jitter (±3 m) that depends only on the grid position, so chunks and sizes agree."""
    out = np.empty((*shape, 2))
    for k, row in enumerate(rows):
        rng = np.random.default_rng([salt, int(row)])
        out[k] = rng.uniform(-3.0, 3.0, (*shape[1:], 2))
    return out


def _chunk_polygons(xs: np.ndarray, ys: np.ndarray, r0: int, r1: int) -> np.ndarray:
    """Polygons of grid rows r0..r1-1 (all columns), 8 vertices each."""
    nx = len(xs) - 1
    corner_rows = np.arange(r0, r1 + 1)
    cx, cy = np.meshgrid(xs, ys[r0 : r1 + 1])
    corners = np.stack([cx, cy], axis=-1) + _jitter((r1 - r0 + 1, nx + 1), corner_rows, 1)
    hmid = (corners[:, :-1] + corners[:, 1:]) / 2 + _jitter((r1 - r0 + 1, nx), corner_rows, 2) / 2
    vmid = (corners[:-1] + corners[1:]) / 2 + _jitter((r1 - r0, nx + 1), corner_rows[:-1], 3) / 2
    ring = np.stack(
        [
            corners[:-1, :-1], hmid[:-1], corners[:-1, 1:], vmid[:, 1:],
            corners[1:, 1:], hmid[1:], corners[1:, :-1], vmid[:, :-1], corners[:-1, :-1],
        ],
        axis=2,
    )  # fmt: skip
    ring = ring.reshape(-1, 9, 2) + np.array([X0, Y0])
    return shapely.polygons(ring)


def _attributes(rows: np.ndarray, cols: np.ndarray, area: np.ndarray) -> pd.DataFrame:
    """Commune (5 km tiles), map sheet (500 m tiles) and parcel number, land use, legal area."""
    tile_row, tile_col = rows // 250, cols // 250  # ≈ 5 km
    commune = np.char.add("BX", np.char.zfill((tile_row * 8 + tile_col + 1).astype(str), 3))
    sheet = (rows % 250) // 25 * 10 + (cols % 250) // 25 + 1  # ≈ 500 m
    parcel = (rows % 25) * 25 + cols % 25 + 1
    salt = rows.astype(np.int64) * 7919 + cols * 104729
    uses = np.array(["LUC", "BHK", "ONT", "CLN", "RSX", "NTS", "DGT"])
    land_use = uses[(salt % 97) % len(uses)]
    factor = np.where(salt % 13 == 0, 1.12, 1.0 + ((salt % 41) - 20) / 2000)
    owner = np.char.add("Hộ gia đình số ", (salt % 100_000).astype(str))
    return pd.DataFrame({
        "MAXA": commune, "SHBANDO": sheet.astype(np.int64), "SOTHUA": parcel.astype(np.int64),
        "KHLOAIDAT": land_use, "DIENTICH": np.round(area * factor, 1), "CHUSUDUNG": owner,
    })  # fmt: skip


def road_line(road: Road) -> shapely.LineString:
    """The road's centreline: its points joined, corners rounded (metres, VN-2000)."""
    pts = np.array(road.points) * 1000 + np.array([X0, Y0])
    t = np.linspace(0, 1, len(pts))
    fine = np.linspace(0, 1, 40 * len(pts))
    coords = np.column_stack([np.interp(fine, t, pts[:, 0]), np.interp(fine, t, pts[:, 1])])
    return shapely.LineString(_smooth(coords))


def _smooth(coords: np.ndarray, passes: int = 6) -> np.ndarray:
    for _ in range(passes):
        inner = (coords[:-2] + 2 * coords[1:-1] + coords[2:]) / 4
        coords = np.vstack([coords[:1], inner, coords[-1:]])
    return coords


def projects(extent: shapely.Polygon) -> list[dict]:
    """Each project's right of way (clipped to the layer's extent) and centreline."""
    out = []
    for road in ROADS:
        line = road_line(road)
        row = shapely.buffer(line, road.width_m / 2, cap_style="flat").intersection(extent)
        if row.area > 0:
            out.append({"id": road.id, "name": road.name, "row": row, "line": line,
                        "length_km": line.length / 1000})  # fmt: skip
    x0, y0, x1, y1 = (v * 1000 for v in CLUSTER[2])
    site = shapely.box(x0 + X0, y0 + Y0, x1 + X0, y1 + Y0).intersection(extent)
    if site.area > 0:
        out.append({"id": CLUSTER[0], "name": CLUSTER[1], "row": site, "line": None,
                    "length_km": 0.0})  # fmt: skip
    return out


def _write_parcels(folder: Path, n: int, seed: int) -> tuple[shapely.Polygon, np.ndarray]:
    """Write the GPKG and GeoParquet layers chunk by chunk; return the extent and all geoms."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    import pyogrio

    xs, ys, ny, nx = _grid(n, seed)
    gpkg, parquet = folder / "parcels.gpkg", folder / "parcels.parquet"
    for path in (gpkg, parquet):
        path.unlink(missing_ok=True)
    writer = None
    written = 0
    for r0 in range(0, ny, ROWS_PER_CHUNK):
        r1 = min(ny, r0 + ROWS_PER_CHUNK)
        geoms = _chunk_polygons(xs, ys, r0, r1)
        rows, cols = np.divmod(np.arange(len(geoms)), nx)
        keep = min(len(geoms), n - written)
        geoms, rows, cols = geoms[:keep], rows[:keep] + r0, cols[:keep]
        frame = gpd.GeoDataFrame(
            _attributes(rows, cols, shapely.area(geoms)), geometry=geoms, crs=CRS
        )
        pyogrio.write_dataframe(frame, gpkg, layer="parcels", append=written > 0,
                                SPATIAL_INDEX="YES")  # fmt: skip
        table = pa.table(frame.to_arrow(geometry_encoding="WKB", include_z=False))
        table = _with_bbox(table, geoms)
        if writer is None:
            metadata = _geo_metadata(frame)
            schema = table.schema.with_metadata({b"geo": json.dumps(metadata).encode()})
            writer = pq.ParquetWriter(parquet, schema, compression="zstd")
        writer.write_table(table.replace_schema_metadata(writer.schema.metadata),
                           row_group_size=50_000)  # fmt: skip
        written += keep
        if written >= n:
            break
    writer.close()
    extent = shapely.box(X0, Y0, X0 + xs[nx], Y0 + ys[min(ny, int(np.ceil(n / nx)))])
    return extent, written


def _with_bbox(table, geoms: np.ndarray):
    import pyarrow as pa

    bounds = shapely.bounds(geoms)
    fields = ("xmin", "ymin", "xmax", "ymax")
    bbox = pa.StructArray.from_arrays([pa.array(bounds[:, k]) for k in range(4)], fields)
    return table.append_column("bbox", bbox)


def _geo_metadata(frame: gpd.GeoDataFrame) -> dict:
    """GeoParquet 1.1 metadata with the bbox covering column."""
    return {
        "version": "1.1.0",
        "primary_column": "geometry",
        "columns": {
            "geometry": {
                "encoding": "WKB",
                "geometry_types": ["Polygon"],
                "crs": json.loads(frame.crs.to_json()),
                "covering": {"bbox": {k: ["bbox", k] for k in ("xmin", "ymin", "xmax", "ymax")}},
            }
        },
    }


def _uniform(keys: np.ndarray, salt: int) -> np.ndarray:
    """A uniform number in [0, 1) that depends only on the key: the same on every size."""
    h = (keys.astype(np.uint64) * np.uint64(2654435761) + np.uint64(salt * 40503)) % np.uint64(
        2**32
    )
    h = (h ^ (h >> np.uint64(15))) * np.uint64(2246822519) % np.uint64(2**32)
    return (h % np.uint64(1_000_003)).astype(float) / 1_000_003


def _book(folder: Path, plan: list[dict]) -> int:
    """A handover book (CSV) for the parcels the projects touch, with a few typos.

    A record's dates depend only on its project and parcel, so the 1M and 3M books are the
    same; about 60 % of the land is handed over by the report date.
    """
    import pyogrio

    frames = []
    for k, project in enumerate(plan):
        box = shapely.bounds(project["row"])
        found = pyogrio.read_dataframe(folder / "parcels.gpkg", bbox=tuple(box),
                                       columns=["MAXA", "SHBANDO", "SOTHUA"])  # fmt: skip
        hit = found[shapely.intersects(found.geometry.to_numpy(), project["row"])]
        frame = pd.DataFrame({"Dự án": project["id"], "Xã": hit["MAXA"].to_numpy(),
                              "Tờ bản đồ": hit["SHBANDO"].to_numpy(),
                              "Số thửa": hit["SOTHUA"].to_numpy()})  # fmt: skip
        frame["_key"] = (frame["Xã"].str[2:].astype(np.int64) * 1_000_000
                         + frame["Tờ bản đồ"] * 1000 + frame["Số thửa"]) * 8 + k  # fmt: skip
        frames.append(frame)
    book = pd.concat(frames, ignore_index=True).sort_values("_key", kind="stable")
    keys = book.pop("_key").to_numpy()
    start = np.datetime64("2024-01-08")
    inventory = start + (_uniform(keys, 1) * 300).astype("timedelta64[D]")
    steps = [(15 + _uniform(keys, 2 + j) * 60).astype("timedelta64[D]") for j in range(3)]
    dates = [inventory, inventory + steps[0], inventory + steps[0] + steps[1],
             inventory + steps[0] + steps[1] + steps[2]]  # fmt: skip
    as_of = np.datetime64(AS_OF)
    for name, values in zip(STAGE_COLUMNS, dates, strict=True):
        text = pd.Series(pd.to_datetime(values).strftime("%d/%m/%Y"), index=book.index)
        book[name] = text.where(values <= as_of, "")
    typo = _uniform(keys, 9) < 0.003
    book.loc[typo, "Số thửa"] = book.loc[typo, "Số thửa"] + 10_000  # no such parcel
    book.insert(0, "STT", np.arange(1, len(book) + 1))
    book.to_csv(folder / "so_theo_doi.csv", index=False, encoding="utf-8")
    return len(book)


def _config(folder: Path, plan: list[dict], parcels: str) -> str:
    lines = [
        "# Synthetic benchmark data made by benchmarks/synth.py — NOT official figures.",
        'title = "Benchmark (dữ liệu giả lập)"', 'province = "Lạng Sơn"',
        f"as_of = {AS_OF.isoformat()}", "", "[layers]", f'parcels = "{parcels}"',
        'handovers = "so_theo_doi.csv"', "",
    ]  # fmt: skip
    for p in plan:
        lines += ["[[projects]]", f'id = "{p["id"]}"', f'name = "{p["name"]}"',
                  f'row = "row_{p["id"]}.gpkg"', 'already_clear_land_use = ["DGT"]']  # fmt: skip
        if p["line"] is not None:
            lines += [f'centerline = "centerline_{p["id"]}.gpkg"', 'start_chainage = "Km0"',
                      "chainage_bin_m = 100"]  # fmt: skip
        lines += ["milestones = [{ date = 2024-12-31, target_pct = 100 }]", ""]
    return "\n".join(lines)


def make(size: str, *, seed: int = 8, root: Path = DATA) -> Path:
    """Write the layers of one size (once; again when :data:`VERSION` changes)."""
    folder = root / size
    stamp = folder / "made.json"
    made = json.loads(stamp.read_text()) if stamp.exists() else {}
    if made.get("version") == VERSION and made.get("book") == BOOK_VERSION:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    if made.get("version") == VERSION:  # layers made: only the book changed
        n, extent = made["parcels"], shapely.box(*made["extent"])
    else:
        extent, n = _write_parcels(folder, SIZES[size], seed)
    plan = projects(extent)
    for p in plan:
        gpd.GeoDataFrame({"name": [p["name"]]}, geometry=[p["row"]], crs=CRS).to_file(
            folder / f"row_{p['id']}.gpkg", engine="pyogrio"
        )
        if p["line"] is not None:
            gpd.GeoDataFrame({"name": [p["name"]]}, geometry=[p["line"]], crs=CRS).to_file(
                folder / f"centerline_{p['id']}.gpkg", engine="pyogrio"
            )
    records = _book(folder, plan)
    (folder / "gpmb.toml").write_text(_config(folder, plan, "parcels.gpkg"), encoding="utf-8")
    (folder / "gpmb_parquet.toml").write_text(
        _config(folder, plan, "parcels.parquet"), encoding="utf-8"
    )
    info = {
        "version": VERSION, "book": BOOK_VERSION, "parcels": n, "records": records,
        "extent": list(extent.bounds),
        "extent_km": [round((b - a) / 1000, 2) for a, b in zip(
            extent.bounds[:2], extent.bounds[2:], strict=True)],
        "projects": {p["id"]: {"row_ha": round(p["row"].area / 1e4, 1),
                               "length_km": round(p["length_km"], 1)} for p in plan},
    }  # fmt: skip
    stamp.write_text(json.dumps(info, indent=1), encoding="utf-8")
    return folder


if __name__ == "__main__":
    import sys

    for name in sys.argv[1:] or list(SIZES):
        print(name, make(name))
