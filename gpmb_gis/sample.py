"""The synthetic Cao Lộc dataset: deterministic, made up, and saying so.

Real commune names of Cao Lộc district (Lạng Sơn) on made-up geometry in VN-2000 / TM-3
107-15 (EPSG:9215), placed where the district is. Projects follow the district's 2024 plan:
QL4B Km3+700 – Km18, a section of the Hữu Nghị – Chi Lăng expressway, the Hợp Thành 1 and 2
industrial clusters and the remaining commune police headquarters. Parcels, owners, dates and
percentages are invented; none is an official figure.

The same seed writes the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io as _io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
import shapely.affinity
from shapely.geometry import LineString, Point

from gpmb_gis._errors import GpmbError

CRS = "EPSG:9215"
AS_OF = dt.date(2024, 11, 29)
_FIXED_TIME = "2024-11-29T00:00:00.000Z"

#: Communes of Cao Lộc district before the 2019–2025 mergers, with a point inside each
#: (approximate, EPSG:9215): the seeds of the synthetic commune polygons.
COMMUNES: tuple[tuple[str, str, float, float], ...] = (
    ("CL01", "Xã Bảo Lâm", 448440, 2431161), ("CL02", "Xã Bình Trung", 437778, 2422481),
    ("CL03", "Xã Cao Lâu", 465039, 2425633), ("CL04", "Thị trấn Cao Lộc", 450365, 2418906),
    ("CL05", "Xã Công Sơn", 464090, 2418894), ("CL06", "Thị trấn Đồng Đăng", 443095, 2428897),
    ("CL07", "Xã Gia Cát", 456809, 2416299), ("CL08", "Xã Hải Yến", 459549, 2421343),
    ("CL09", "Xã Hòa Cư", 453810, 2421052), ("CL10", "Xã Hồng Phong", 440365, 2425636),
    ("CL11", "Xã Hợp Thành", 451222, 2419880), ("CL12", "Xã Lộc Yên", 457127, 2425885),
    ("CL13", "Xã Mẫu Sơn", 472463, 2417986), ("CL14", "Xã Phú Xá", 441392, 2424379),
    ("CL15", "Xã Song Giáp", 441690, 2420185), ("CL16", "Xã Tân Liên", 455477, 2412730),
    ("CL17", "Xã Tân Thành", 440391, 2408400), ("CL18", "Xã Thạch Đạn", 450567, 2426786),
    ("CL19", "Xã Thanh Lòa", 457181, 2429175), ("CL20", "Xã Thụy Hùng", 444445, 2424338),
    ("CL21", "Xã Xuân Long", 441096, 2413310), ("CL22", "Xã Xuất Lễ", 474595, 2423715),
    ("CL23", "Xã Yên Trạch", 449792, 2410407),
)  # fmt: skip

_FAMILY = ("Nguyễn", "Hoàng", "Lương", "Vi", "Lý", "Hà", "Nông", "Triệu", "Lộc", "Chu", "Đinh")
_MIDDLE = ("Văn", "Thị", "Đức", "Thanh", "Minh")
_GIVEN = ("An", "Bình", "Cường", "Dũng", "Hà", "Hùng", "Lan", "Mai", "Nam", "Phúc", "Quang",
          "Sơn", "Thắng", "Tuấn", "Vân", "Yến")  # fmt: skip
_LAND_USES = (("LUC", 0.25), ("BHK", 0.15), ("CLN", 0.2), ("RSX", 0.2), ("ONT", 0.15),
              ("NTS", 0.05))  # fmt: skip


@dataclass(frozen=True)
class _Road:
    """A road project of the sample."""

    id: str
    name: str
    vertices: tuple[tuple[float, float], ...]
    half_width: float
    start_chainage: str
    n_parcels: int
    knots: tuple[tuple[dt.date, float], ...]  # cleared % of the ROW by date
    length_m: float | None = None  # the planned length, when the chainage says it


_QL4B = _Road(
    "QL4B",
    "Cải tạo, nâng cấp QL4B (Km3+700 – Km18)",
    (
        (451300, 2417100),
        (453200, 2416600),
        (455400, 2416900),
        (457600, 2416200),
        (459800, 2416700),
        (461700, 2417600),
        (463600, 2417300),
        (465200, 2418100),
    ),
    16.0,
    "Km3+700",
    1300,
    (
        (dt.date(2023, 11, 20), 9.0),
        (dt.date(2024, 1, 31), 58.0),
        (dt.date(2024, 3, 15), 90.0),
        (dt.date(2024, 3, 31), 97.6),
        (dt.date(2024, 5, 31), 99.4),
    ),
    14_300.0,
)
_EXPRESSWAY = _Road(
    "CT_HNCL",
    "Cao tốc cửa khẩu Hữu Nghị – Chi Lăng (BOT), đoạn qua huyện Cao Lộc",
    (
        (442700, 2431300),
        (442300, 2428500),
        (441300, 2425800),
        (441500, 2422800),
        (441900, 2420000),
        (441300, 2416800),
        (441000, 2413200),
        (440500, 2409800),
        (440200, 2406800),
    ),
    35.0,
    "Km0+000",
    2100,
    (
        (dt.date(2024, 2, 20), 4.0),
        (dt.date(2024, 3, 31), 24.0),
        (dt.date(2024, 5, 31), 58.0),
        (dt.date(2024, 6, 30), 71.3),
        (dt.date(2024, 9, 30), 84.5),
        (dt.date(2024, 11, 29), 88.2),
    ),
)
_CLUSTERS = (
    (
        "CCN_HT1",
        "Cụm công nghiệp Hợp Thành 1",
        (450300, 2420300),
        330.0,
        180,
        ((dt.date(2024, 4, 1), 0.0), (dt.date(2024, 11, 29), 61.0)),
    ),
    (
        "CCN_HT2",
        "Cụm công nghiệp Hợp Thành 2",
        (452300, 2420900),
        290.0,
        140,
        ((dt.date(2024, 6, 1), 0.0), (dt.date(2024, 11, 29), 37.0)),
    ),
)
_POLICE_COMMUNES = ("CL01", "CL03", "CL12", "CL18", "CL19", "CL22", "CL13", "CL23")


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _commune_polygons() -> gpd.GeoDataFrame:
    points = shapely.multipoints([(x, y) for _, _, x, y in COMMUNES])
    outline = shapely.convex_hull(points).buffer(4500, quad_segs=4)
    cells = shapely.get_parts(shapely.voronoi_polygons(points, extend_to=outline))
    seeds = [Point(x, y) for _, _, x, y in COMMUNES]
    geoms = []
    for seed in seeds:
        cell = next(c for c in cells if c.contains(seed))
        geoms.append(shapely.intersection(cell, outline))
    return gpd.GeoDataFrame(
        {"MAXA": [c for c, *_ in COMMUNES], "TENXA": [n for _, n, *_ in COMMUNES]},
        geometry=geoms,
        crs=CRS,
    )


def _tessellate(area: shapely.Geometry, n: int, rng: np.random.Generator) -> np.ndarray:
    """Cut an area into about n irregular parcels (Voronoi cells of random points)."""
    xmin, ymin, xmax, ymax = area.bounds
    shapely.prepare(area)
    points: list[np.ndarray] = []
    count = 0
    while count < n:
        batch = rng.uniform((xmin, ymin), (xmax, ymax), size=(4 * n, 2))
        inside = batch[shapely.contains_xy(area, batch[:, 0], batch[:, 1])]
        points.append(inside[: n - count])
        count += len(points[-1])
    pts = np.round(np.concatenate(points), 2)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=area))
    cells = shapely.get_parts(shapely.intersection(cells, area))
    cells = cells[np.isin(shapely.get_type_id(cells), (3,))]
    return cells[shapely.area(cells) > 0]


def _land_use(rng: np.random.Generator, n: int) -> np.ndarray:
    codes, weights = zip(*_LAND_USES, strict=True)
    return rng.choice(np.array(codes), size=n, p=np.array(weights) / sum(weights))


def _road_line(road: _Road) -> LineString:
    """The road's centreline, scaled about its start to the planned length (if one is set)."""
    line = LineString(road.vertices)
    if road.length_m is None:
        return line
    factor = road.length_m / line.length
    return shapely.affinity.scale(line, factor, factor, origin=road.vertices[0])


def _road_parcels(
    road: _Road,
    rng: np.random.Generator,
    scale: float,
) -> tuple[np.ndarray, np.ndarray, shapely.Geometry, LineString]:
    line = _road_line(road)
    row = line.buffer(road.half_width, cap_style="flat", join_style="round")
    if road.id == _EXPRESSWAY.id:  # an interchange near Đồng Đăng
        row = shapely.union(row, line.interpolate(2900).buffer(140))
    corridor = row.buffer(30)  # parcels reach 30 m beyond the right of way
    strips = _road_strips(road, line)
    blocked = shapely.union_all(strips)
    if road.id == _EXPRESSWAY.id:  # a stream: ROW land that no parcel covers
        blocked = shapely.union(blocked, _stream(line))
    cells = _tessellate(
        shapely.difference(corridor, blocked), max(20, int(road.n_parcels * scale)), rng
    )
    dgt = shapely.get_parts(shapely.intersection(np.asarray(strips, dtype=object), corridor))
    dgt = dgt[shapely.get_type_id(dgt) == 3]
    dgt = dgt[shapely.area(dgt) > 0]
    geoms = np.concatenate([cells, dgt])
    codes = np.concatenate([_land_use(rng, len(cells)), np.full(len(dgt), "DGT")])
    return geoms, codes, row, line


def _road_strips(road: _Road, line: LineString) -> list[shapely.Geometry]:
    if road.id == "QL4B":  # the existing road, in lots of 300 m
        from shapely.ops import substring

        starts = np.arange(0, line.length, 300.0)
        return [
            substring(line, d, min(d + 300.0, line.length)).buffer(5.0, cap_style="flat")
            for d in starts
        ]
    out = []
    for d in (5200, 11800, 17600):  # local roads crossing the expressway
        out.append(_cross(line, line.interpolate(d), 120).buffer(5.0, cap_style="flat"))
    return out


def _stream(line: LineString) -> shapely.Geometry:
    return _cross(line, line.interpolate(8400), 150).buffer(7.5, cap_style="flat")


def _cross(line: LineString, point: Point, half: float) -> LineString:
    d = line.project(point)
    a = np.asarray(line.interpolate(max(d - 1, 0)).coords[0])
    b = np.asarray(line.interpolate(min(d + 1, line.length)).coords[0])
    t = (b - a) / np.linalg.norm(b - a)
    n = np.array([-t[1], t[0]])
    p = np.asarray(point.coords[0])
    return LineString([p - half * n, p + half * n])


def _cluster_parcels(
    centre: tuple[float, float], radius: float, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, shapely.Geometry]:
    angles = np.linspace(0, 2 * np.pi, 9)[:-1]
    radii = radius * (0.8 + 0.35 * rng.random(8))
    site = shapely.Polygon(
        [
            (centre[0] + r * np.cos(a), centre[1] + r * np.sin(a))
            for a, r in zip(angles, radii, strict=True)
        ]
    )
    cells = _tessellate(site.buffer(40), n, rng)
    return cells, _land_use(rng, len(cells)), site


def _police_sites(
    rng: np.random.Generator,
    communes: gpd.GeoDataFrame,
) -> tuple[np.ndarray, np.ndarray, gpd.GeoDataFrame]:
    geoms, uses, sites, names = [], [], [], []
    for code in _POLICE_COMMUNES:
        row = communes[communes["MAXA"] == code].iloc[0]
        centre = np.asarray(row.geometry.representative_point().coords[0]) + rng.uniform(
            -300, 300, 2
        )
        w, h = rng.uniform(45, 70, 2)
        site = shapely.box(
            centre[0] - w / 2, centre[1] - h / 2, centre[0] + w / 2, centre[1] + h / 2
        )
        cells = _tessellate(site.buffer(25), int(rng.integers(6, 14)), rng)
        geoms.append(cells)
        uses.append(_land_use(rng, len(cells)))
        sites.append(site)
        names.append(f"Trụ sở Công an {row['TENXA']}")
    table = gpd.GeoDataFrame({"site": names}, geometry=sites, crs=CRS)
    return np.concatenate(geoms), np.concatenate(uses), table


# --- handover story ------------------------------------------------------------------------


def _interp_date(knots: tuple[tuple[dt.date, float], ...], pct: float) -> dt.date | None:
    """The date the knots' curve reaches pct (linear between knots); None beyond the last."""
    days = np.array([d.toordinal() for d, _ in knots], dtype=float)
    values = np.array([v for _, v in knots])
    if pct > values[-1]:
        return None
    return dt.date.fromordinal(int(np.interp(pct, values, days)))


def _story(
    pieces_area: np.ndarray,
    clear: np.ndarray,
    order_key: np.ndarray,
    knots: tuple[tuple[dt.date, float], ...],
    required: float,
) -> list[dt.date | None]:
    """Handover dates so that cleared % follows the knots (DGT land counts from the start)."""
    base = 100.0 * pieces_area[clear].sum() / required
    order = np.argsort(order_key, kind="stable")
    handover: list[dt.date | None] = [None] * len(pieces_area)
    cum = base
    for i in order:
        if clear[i]:
            continue
        cum += 100.0 * pieces_area[i] / required
        handover[i] = _interp_date(knots, cum)
    return handover


def _owner(rng: np.random.Generator) -> str:
    return f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"


def _spell(name: str, rng: np.random.Generator) -> str:
    """A commune name as a land officer might type it."""
    bare = name.replace("Thị trấn ", "").replace("Xã ", "")
    import unicodedata

    forms = (
        name,
        bare,
        bare.upper(),
        unicodedata.normalize("NFD", name.lower()),
        "TT " + bare if name.startswith("Thị trấn") else "xã " + bare,
    )
    return str(forms[int(rng.integers(0, len(forms)))])


def _date_cell(day: dt.date | None, rng: np.random.Generator) -> object:
    if day is None:
        return None
    r = rng.random()
    if r < 0.6:
        return dt.datetime(day.year, day.month, day.day)
    if r < 0.85:
        return f"{day:%d/%m/%Y}"
    if r < 0.95:
        return (day - dt.date(1899, 12, 30)).days
    return day.isoformat()


_STATUS = {"not_started": "Chưa kiểm đếm", "inventoried": "Đã kiểm đếm",
           "plan_approved": "Đã phê duyệt phương án", "paid": "Đã chi trả",
           "handed_over": "Đã bàn giao mặt bằng"}  # fmt: skip


def _records_for(
    project: str,
    handover: list[dt.date | None],
    clear: np.ndarray,
    order_key: np.ndarray,
    rng: np.random.Generator,
) -> list[dict[str, object]]:
    """Stage dates of each parcel of a project, consistent with its handover date."""
    pending = [
        i for i in np.argsort(order_key, kind="stable") if not clear[i] and handover[i] is None
    ]
    stage_of_pending = {}
    for rank, i in enumerate(pending):
        frac = rank / max(len(pending), 1)
        stage_of_pending[i] = (
            "paid"
            if frac < 0.35
            else "plan_approved"
            if frac < 0.6
            else "inventoried"
            if frac < 0.85
            else "not_started"
        )
    out = []
    for i in range(len(handover)):
        if clear[i]:
            continue
        rec: dict[str, object] = {"i": i, "project": project}
        days = np.cumsum(rng.integers((3, 10, 20), (25, 40, 60)))
        if handover[i] is not None:
            h = handover[i]
            rec.update(
                handed_over=h,
                paid=h - dt.timedelta(int(days[0])),
                plan_approved=h - dt.timedelta(int(days[1])),
                inventoried=h - dt.timedelta(int(days[2])),
                stage="handed_over",
                enforcement=bool(rng.random() < 0.02),
                complaint=False,
            )
        else:
            stage = stage_of_pending[i]
            last = AS_OF - dt.timedelta(int(rng.integers(5, 60)))
            steps = {
                "paid": ("paid", "plan_approved", "inventoried"),
                "plan_approved": ("plan_approved", "inventoried"),
                "inventoried": ("inventoried",),
            }.get(stage, ())
            for k, name in enumerate(steps):
                rec[name] = last - dt.timedelta(int(days[k] - days[0]) if k else 0)
            rec.update(
                stage=stage,
                enforcement=bool(stage == "paid" and rng.random() < 0.1),
                complaint=bool(rng.random() < 0.2),
            )
            if stage == "not_started" and rng.random() < 0.5:
                continue  # not in the book yet
        out.append(rec)
    return out


def _number_parcels(parcels: gpd.GeoDataFrame) -> None:
    """Sheets are 1 km squares per commune; parcels numbered north to south within a sheet."""
    pts = shapely.point_on_surface(parcels.geometry.to_numpy())
    x, y = shapely.get_x(pts), shapely.get_y(pts)
    cell = np.floor(x / 1000).astype(int) * 10000 + np.floor(y / 1000).astype(int)
    parcels["_cell"] = cell
    parcels["_x"], parcels["_y"] = x, y
    sheets, numbers = np.zeros(len(parcels), int), np.zeros(len(parcels), int)
    for _, group in parcels.groupby("MAXA"):
        for s, c in enumerate(sorted(group["_cell"].unique()), start=1):
            idx = group.index[group["_cell"] == c]
            order = np.lexsort((parcels.loc[idx, "_x"], -parcels.loc[idx, "_y"]))
            sheets[idx] = s
            numbers[idx[order]] = np.arange(1, len(idx) + 1)
    parcels["SHBANDO"] = sheets
    parcels["SOTHUA"] = numbers
    for col in ("_cell", "_x", "_y"):
        del parcels[col]


def build_sample(seed: int = 2024, n_parcels: int | None = None) -> dict[str, object]:
    """Build the synthetic dataset in memory (layers, records, projects)."""
    rng = _rng(seed)
    scale = 1.0 if n_parcels is None else n_parcels / 4000
    communes = _commune_polygons()
    layers: list[tuple[str, np.ndarray, np.ndarray]] = []
    projects: dict[str, dict[str, object]] = {}
    for road in (_QL4B, _EXPRESSWAY):
        geoms, codes, row, line = _road_parcels(road, rng, scale)
        layers.append((road.id, geoms, codes))
        projects[road.id] = {
            "row": gpd.GeoDataFrame({"name": [road.name]}, geometry=[row], crs=CRS),
            "line": line,
            "road": road,
        }
    for pid, name, centre, radius, n, knots in _CLUSTERS:
        geoms, codes, site = _cluster_parcels(centre, radius, max(10, int(n * scale)), rng)
        layers.append((pid, geoms, codes))
        projects[pid] = {
            "row": gpd.GeoDataFrame({"name": [name]}, geometry=[site], crs=CRS),
            "knots": knots,
            "name": name,
        }
    geoms, codes, sites = _police_sites(rng, communes)
    layers.append(("TSCA", geoms, codes))
    projects["TSCA"] = {"row": sites, "name": "Trụ sở công an các xã còn lại"}
    parcels = gpd.GeoDataFrame(
        {
            "_project": np.concatenate([np.full(len(g), pid) for pid, g, _ in layers]),
            "KHLOAIDAT": np.concatenate([c for *_, c in layers]),
        },
        geometry=np.concatenate([g for _, g, _ in layers]),
        crs=CRS,
    )
    parcels = parcels[~parcels.geometry.is_empty & (parcels.area > 0)].reset_index(drop=True)
    joined = gpd.sjoin(
        gpd.GeoDataFrame(geometry=parcels.representative_point(), crs=CRS),
        communes,
        how="left",
        predicate="within",
    )
    parcels["MAXA"] = joined[~joined.index.duplicated()]["MAXA"].fillna("CL04").to_numpy()
    _number_parcels(parcels)
    noise = rng.normal(1.0, 0.01, len(parcels))  # survey vs drawing, and a few typed wrong
    noise[rng.choice(len(parcels), 12, replace=False)] = rng.uniform(1.08, 1.4, 12)
    parcels["DIENTICH"] = np.round(parcels.area.to_numpy() * noise, 1)
    parcels["CHUSUDUNG"] = [_owner(rng) if c != "DGT" else "UBND xã" for c in parcels["KHLOAIDAT"]]
    return {"communes": communes, "parcels": parcels, "projects": projects, "rng": rng}


def _project_records(data: dict[str, object]) -> list[dict[str, object]]:
    parcels: gpd.GeoDataFrame = data["parcels"]  # type: ignore[assignment]
    rng: np.random.Generator = data["rng"]  # type: ignore[assignment]
    records = []
    for pid, proj in data["projects"].items():  # type: ignore[union-attr]
        row = shapely.union_all(proj["row"].geometry.to_numpy())
        mine = parcels.index[parcels["_project"] == pid].to_numpy()
        geoms = parcels.geometry.to_numpy()[mine]
        area = shapely.area(shapely.intersection(geoms, row))
        inside = area > 0.01
        mine, area = mine[inside], area[inside]
        clear = parcels.loc[mine, "KHLOAIDAT"].to_numpy() == "DGT"
        if "road" in proj:
            road: _Road = proj["road"]
            line: LineString = proj["line"]
            along = line.project(shapely.point_on_surface(geoms[inside])) / line.length
            key = along + rng.normal(0, 0.3, len(mine))
            knots = road.knots
        elif pid == "TSCA":
            site_of = proj["row"].sindex.nearest(shapely.point_on_surface(geoms[inside]))[1]
            key = site_of * 1.0 + rng.random(len(mine)) * 0.5
            knots = ((dt.date(2024, 3, 1), 0.0), (dt.date(2024, 10, 31), 79.0))
        else:
            key = rng.random(len(mine))
            knots = proj["knots"]
        handover = _story(area, clear, key, knots, float(row.area))
        for rec in _records_for(pid, handover, clear, key, rng):
            rec["parcel_pos"] = int(mine[rec.pop("i")])
            records.append(rec)
    return records


_BOOK_COLUMNS = ("STT", "Dự án", "Xã", "Tờ bản đồ", "Số thửa", "Chủ sử dụng", "Loại đất",
                 "Kiểm đếm", "Phê duyệt phương án", "Chi trả", "Bàn giao mặt bằng",
                 "Trạng thái", "Cưỡng chế", "Khiếu nại", "Ghi chú")  # fmt: skip
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII",
          "XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX")  # fmt: skip


def _book_rows(
    data: dict[str, object], records: list[dict[str, object]], rng: np.random.Generator
) -> list[list[object]]:
    """Data rows of the handover book, grouped by project and commune with section rows."""
    parcels: gpd.GeoDataFrame = data["parcels"]  # type: ignore[assignment]
    names = {c: n for c, n, *_ in COMMUNES}
    table = pd.DataFrame(records)
    table["MAXA"] = parcels["MAXA"].to_numpy()[table["parcel_pos"]]
    table["sheet"] = parcels["SHBANDO"].to_numpy()[table["parcel_pos"]]
    table["parcel"] = parcels["SOTHUA"].to_numpy()[table["parcel_pos"]]
    table = table.sort_values(["project", "MAXA", "sheet", "parcel"], kind="stable")
    rows: list[list[object]] = []
    number = 0
    for (project, code), group in table.groupby(["project", "MAXA"], sort=False):
        rows.append([f"{_ROMAN[len(rows) % len(_ROMAN)]}. {names[code]}"] + [None] * 14)
        for rec in group.to_dict("records"):
            number += 1
            sheet = rec["sheet"]
            pos = rec["parcel_pos"]
            rows.append(
                [
                    number,
                    project,
                    None if rng.random() < 0.05 else _spell(names[code], rng),
                    f"{sheet:02d}" if rng.random() < 0.3 else int(sheet),
                    int(rec["parcel"]),
                    parcels["CHUSUDUNG"].iat[pos],
                    parcels["KHLOAIDAT"].iat[pos],
                    *(
                        _date_cell(_get_date(rec, s), rng)
                        for s in ("inventoried", "plan_approved", "paid", "handed_over")
                    ),
                    _STATUS[str(rec["stage"])],
                    "x" if rec["enforcement"] else None,
                    "Có" if rec["complaint"] else None,
                    None,
                ]
            )
    _add_flaws(rows, rng)
    return rows


def _get_date(rec: dict[str, object], stage: str) -> dt.date | None:
    value = rec.get(stage)
    return value if isinstance(value, dt.date) else None


def _add_flaws(rows: list[list[object]], rng: np.random.Generator) -> None:
    """Add the typos every real book has.

    A parcel number that does not exist, a record written twice, an impossible date.
    """
    data_rows = [r for r in rows if isinstance(r[0], int)]
    typo, twice, bad_date = (
        data_rows[int(i)] for i in rng.choice(len(data_rows), 3, replace=False)
    )
    typo[4] = int(typo[4]) * 100 + 17
    typo[14] = "Số thửa ghi theo biên bản kiểm đếm"
    copy = list(twice)
    copy[14] = "Nhập trùng"
    rows.insert(rows.index(twice) + 1, copy)
    bad_date[7] = "31/02/2024"


def _write_book(path: Path, rows: list[list[object]], n_records: int) -> None:
    import openpyxl
    from openpyxl.styles import Alignment, Font

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Tiến độ GPMB"
    width = len(_BOOK_COLUMNS)
    titles = (
        "ỦY BAN NHÂN DÂN HUYỆN CAO LỘC",
        "TRUNG TÂM PHÁT TRIỂN QUỸ ĐẤT",
        "SỔ THEO DÕI TIẾN ĐỘ BÀN GIAO MẶT BẰNG CÁC DỰ ÁN NĂM 2024",
        f"(Số liệu đến ngày {AS_OF:%d/%m/%Y} — DỮ LIỆU GIẢ LẬP để thử phần mềm, "
        "không phải số liệu chính thức)",
    )
    for r, text in enumerate(titles, start=1):
        ws.cell(r, 1, text).font = Font(bold=r <= 3)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
    head = 6
    for c, name in enumerate(_BOOK_COLUMNS, start=1):
        if 8 <= c <= 11:
            ws.cell(head + 1, c, name)
        else:
            ws.cell(head, c, name)
            ws.merge_cells(start_row=head, start_column=c, end_row=head + 1, end_column=c)
    ws.cell(head, 8, "Ngày")
    ws.merge_cells(start_row=head, start_column=8, end_row=head, end_column=11)
    for row in ws.iter_rows(min_row=head, max_row=head + 1):
        for cell in row:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for c in range(1, width + 1):
        ws.cell(head + 2, c, f"({c})")
    for r, values in enumerate(rows, start=head + 3):
        for c, value in enumerate(values, start=1):
            if value is not None:
                cell = ws.cell(r, c, value)
                if isinstance(value, dt.datetime):
                    cell.number_format = "dd/mm/yyyy"
    ws.append(["Tổng cộng", None, None, None, f"{n_records} thửa"])
    for c, w in zip(
        "ABCDEFGHIJKLMNO", (6, 10, 16, 8, 8, 22, 8, 12, 12, 12, 12, 22, 9, 9, 24), strict=True
    ):
        ws.column_dimensions[c].width = w
    stamp = dt.datetime(2024, 11, 29)
    book.properties.created = stamp
    book.properties.modified = stamp
    book.properties.creator = "gpmb sample (synthetic)"
    buffer = _io.BytesIO()
    book.save(buffer)
    _rezip_fixed_time(buffer.getvalue(), path)


def _rezip_fixed_time(data: bytes, path: Path) -> None:
    """Rewrite a zip (an .xlsx) with fixed member times, so the same data gives the same bytes."""
    with (
        zipfile.ZipFile(_io.BytesIO(data)) as src,
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 11, 29, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the saving time
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2024-11-29T00:00:00Z", content
                )
            dst.writestr(fixed, content)


def _toml_project(pid: str, name: str, extra: str, milestones: list[str]) -> str:
    items = ",\n    ".join(milestones)
    return (
        f'[[projects]]\nid = "{pid}"\nname = "{name}"\nrow = "row_{pid.lower()}.gpkg"\n'
        f'{extra}already_clear_land_use = ["DGT"]\nmilestones = [\n    {items},\n]\n'
    )


def _config_text() -> str:
    ql4b = _toml_project(
        _QL4B.id,
        _QL4B.name,
        'centerline = "centerline_ql4b.gpkg"\nstart_chainage = "Km3+700"\nchainage_bin_m = 100\n',
        ['{ date = 2024-03-31, target_pct = 100, label = "100% trước 31/3/2024" }'],
    )
    expressway = _toml_project(
        _EXPRESSWAY.id,
        _EXPRESSWAY.name,
        'centerline = "centerline_ct_hncl.gpkg"\n'
        'start_chainage = "Km0+000"\nchainage_bin_m = 100\n'
        'station_equations = [["Km12+400", "Km12+450"]]\n',
        [
            '{ date = 2024-06-30, target_pct = 70, label = "70% trước 30/6/2024" }',
            '{ date = 2024-12-31, target_pct = 100, label = "100% trước 31/12/2024" }',
        ],
    )
    clusters = [
        _toml_project(
            pid,
            name,
            "",
            [
                '{ date = 2024-12-31, target_pct = 100, label = "Hoàn thành trong Quý IV/2024 '
                '(ngày của KH; thay bằng tiến độ được UBND tỉnh phê duyệt)" }'
            ],
        )
        for pid, name, *_ in _CLUSTERS
    ]
    police = _toml_project(
        "TSCA",
        "Trụ sở công an các xã còn lại",
        "",
        ['{ date = 2024-12-31, target_pct = 100, label = "100% trụ sở công an xã còn lại" }'],
    )
    return "\n".join(
        [
            "# Synthetic sample data made by `gpmb sample` — NOT official figures.",
            "# Targets and dates follow the Cao Lộc district plan for 2024 (see data/README.md).",
            'title = "GPMB huyện Cao Lộc 2024 (dữ liệu giả lập)"',
            'province = "Lạng Sơn"',
            f"as_of = {AS_OF.isoformat()}",
            "",
            "[layers]",
            'parcels = "parcels.gpkg"',
            'communes = "communes.gpkg"',
            'handovers = "so_theo_doi_ban_giao.xlsx"',
            "",
            ql4b,
            expressway,
            *clusters,
            police,
        ]
    )


#: The fewest parcels the sample lays out (twenty along each of its roads and sites).
MIN_PARCELS = 200


def write_sample(out: str | Path, *, seed: int = 2024, n_parcels: int | None = None,
                 force: bool = False) -> Path:  # fmt: skip
    """Write the synthetic Cao Lộc dataset and its config into a folder.

    Parameters
    ----------
    out
        The folder, created when missing; one that holds files is refused unless ``force``
        (its config, layers and book would be overwritten).
    seed
        Random seed: the same seed writes the same bytes.
    n_parcels
        About how many parcels (default about 4 000; at least :data:`MIN_PARCELS`).
    force
        Overwrite the sample's files in a folder that holds files.

    Returns
    -------
    Path
        The config file, ``<out>/gpmb.toml``.

    Raises
    ------
    GpmbError
        ``out`` is a file or holds files (without ``force``), or ``n_parcels`` is too few.
    """
    out = Path(out)
    if n_parcels is not None and n_parcels < MIN_PARCELS:
        raise GpmbError("--parcels", f"{n_parcels} is fewer than the {MIN_PARCELS} parcels the "
                        "sample needs to lay out its five projects",
                        f"give {MIN_PARCELS} or more, or leave it out (about 4 000)")  # fmt: skip
    if out.exists() and not out.is_dir():
        raise GpmbError(str(out), "is a file, not a folder", "give an empty or new folder")
    if out.exists() and any(out.iterdir()) and not force:
        raise GpmbError(str(out), "the folder already holds files; the sample writes gpmb.toml, "
                        "its layers and its book there, replacing any of the same name",
                        "give an empty or new folder, or --force to write there")  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    data = build_sample(seed, n_parcels)
    names = ["parcels", "communes"] + [f"row_{p.lower()}" for p in data["projects"]]
    names += [f"centerline_{p.lower()}" for p, v in data["projects"].items() if "line" in v]
    for name in names:  # GDAL would update an existing file in place, not rewrite it
        (out / f"{name}.gpkg").unlink(missing_ok=True)
    records = _project_records(data)
    rows = _book_rows(data, records, data["rng"])  # type: ignore[arg-type]
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": _FIXED_TIME})
    try:
        parcels: gpd.GeoDataFrame = data["parcels"]  # type: ignore[assignment]
        parcels.drop(columns=["_project"]).to_file(out / "parcels.gpkg", engine="pyogrio")
        data["communes"].to_file(out / "communes.gpkg", engine="pyogrio")  # type: ignore[union-attr]
        for pid, proj in data["projects"].items():  # type: ignore[union-attr]
            proj["row"].to_file(out / f"row_{pid.lower()}.gpkg", engine="pyogrio")
            if "line" in proj:
                gpd.GeoDataFrame(
                    {"name": [proj["road"].name]}, geometry=[proj["line"]], crs=CRS
                ).to_file(out / f"centerline_{pid.lower()}.gpkg", engine="pyogrio")
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
    _write_book(out / "so_theo_doi_ban_giao.xlsx", rows, len(records))
    config = out / "gpmb.toml"
    config.write_text(_config_text(), encoding="utf-8")
    return config
