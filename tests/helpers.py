"""Builders of tiny test datasets whose areas are known by hand.

Coordinates are VN-2000 / TM-3 107-15 (EPSG:9215) metres near Cao Lộc: local (x, y) in metres
are shifted by ORIGIN.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import Polygon, box

#: The project's folder, the bundled sample's config, and the shared real data beside it.
ROOT = Path(__file__).resolve().parents[1]
SAMPLE_CONFIG = ROOT / "data" / "cao_loc" / "gpmb.toml"
SHARED = ROOT.parent / "shared"
REALDATA = SHARED / "realdata"
REFERENCE = SHARED / "reference"

ORIGIN = (455_000.0, 2_425_000.0)
CRS = "EPSG:9215"


def rect(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    """A rectangle in local metres."""
    return box(ORIGIN[0] + x0, ORIGIN[1] + y0, ORIGIN[0] + x1, ORIGIN[1] + y1)


def poly(coords: list[tuple[float, float]]) -> Polygon:
    """A polygon from local coordinates."""
    return Polygon([(ORIGIN[0] + x, ORIGIN[1] + y) for x, y in coords])


def write_layer(path: Path, rows: list[dict[str, Any]], crs: str | None = CRS) -> Path:
    """Write features (dicts with 'geometry') to a vector file."""
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)
    gdf.to_file(path)
    return path


def write_book_csv(path: Path, records: list[dict[str, Any]]) -> Path:
    """Write a plain handover book as CSV with Vietnamese headings."""
    pd.DataFrame(records).to_csv(path, index=False, encoding="utf-8")
    return path


def write_config(folder: Path, text: str) -> Path:
    """Write gpmb.toml into a folder."""
    path = folder / "gpmb.toml"
    path.write_text(text, encoding="utf-8")
    return path


def simple_config(folder: Path, extra: str = "") -> Path:
    """gpmb.toml for parcels.gpkg, book.csv and row.gpkg in a folder (project id "X")."""
    return write_config(
        folder,
        'province = "Lạng Sơn"\nas_of = 2024-06-30\n[layers]\nparcels = "parcels.gpkg"\n'
        f'handovers = "book.csv"\n[[projects]]\nid = "X"\nrow = "row.gpkg"\n{extra}',
    )


def hand_case(folder: Path) -> Path:
    """The hand-checked corridor of the measurement tests.

    ROW 100 × 20 m = 2000 m². Parcels: A 0–40 (800 m² in ROW, handed over 01/03/2024);
    B 40–70 × 0–30 (600 in, 300 out, paid); C 70–90 DGT (400, already clear, no record);
    D 30–50 overlapping A and B (handed over 01/05/2024); 90–100 no parcel (200 unmapped).
    Communes: West x < 50, East x ≥ 50.
    """
    write_layer(folder / "row.gpkg", [{"name": "row", "geometry": rect(0, 0, 100, 20)}])
    write_layer(
        folder / "parcels.gpkg",
        [
            {
                "MAXA": "01",
                "SHBANDO": 5,
                "SOTHUA": 1,
                "KHLOAIDAT": "LUC",
                "geometry": rect(0, 0, 40, 20),
            },
            {
                "MAXA": "02",
                "SHBANDO": 5,
                "SOTHUA": 2,
                "KHLOAIDAT": "ONT",
                "geometry": rect(40, 0, 70, 30),
            },
            {
                "MAXA": "02",
                "SHBANDO": 5,
                "SOTHUA": 3,
                "KHLOAIDAT": "DGT",
                "geometry": rect(70, 0, 90, 20),
            },
            {
                "MAXA": "01",
                "SHBANDO": 6,
                "SOTHUA": 4,
                "KHLOAIDAT": "CLN",
                "geometry": rect(30, 0, 50, 20),
            },
        ],
    )
    write_layer(
        folder / "communes.gpkg",
        [
            {"MAXA": "01", "TENXA": "Xã Hợp Thành", "geometry": rect(-10, -10, 50, 40)},
            {"MAXA": "02", "TENXA": "Xã Tân Liên", "geometry": rect(50, -10, 110, 40)},
        ],
    )
    write_book_csv(
        folder / "book.csv",
        [
            {"Xã": "Hợp Thành", "Tờ bản đồ": "05", "Số thửa": "1", "Ngày bàn giao": "01/03/2024"},
            {"Xã": "tân liên", "Tờ bản đồ": "5", "Số thửa": "002", "Ngày chi trả": "15/02/2024"},
            {"Xã": "Hop Thanh", "Tờ bản đồ": "6", "Số thửa": "4", "Ngày bàn giao": "01/05/2024"},
        ],
    )
    return write_config(
        folder,
        """
title = "Hand case"
province = "Lạng Sơn"
as_of = 2024-04-01

[layers]
parcels = "parcels.gpkg"
communes = "communes.gpkg"
handovers = "book.csv"

[[projects]]
id = "P"
name = "Test road"
row = "row.gpkg"
already_clear_land_use = ["DGT"]
""",
    )


def files_read(monkeypatch: Any) -> list[str]:
    """The names of the parcels files whose features are read from now on (this process).

    A file is counted each time its features are read: on its own, or raw among the plain
    sheet files (:mod:`gpmb_gis.sheet_files`).
    """
    from gpmb_gis import layers, sheet_files

    opened: list[str] = []
    read, read_raw = layers.read_polygons, sheet_files._read_raw

    def counting(source: Any, layer: str, *args: Any, **kwargs: Any) -> Any:
        if layer == "parcels":
            opened.append(source.path.name)
        return read(source, layer, *args, **kwargs)

    def counting_raw(file: Any) -> Any:
        opened.append(file.source.path.name)
        return read_raw(file)

    monkeypatch.setattr(layers, "read_polygons", counting)
    monkeypatch.setattr(sheet_files, "_read_raw", counting_raw)
    return opened


def day(text: str) -> dt.date:
    """A date from dd/mm/yyyy."""
    return dt.datetime.strptime(text, "%d/%m/%Y").date()
