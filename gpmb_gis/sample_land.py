"""The sample's land: communes, roads, parcels and the story of their handover.

Everything is made up, deterministically from a seed: commune shapes around real names, a
national road and an expressway with their rights of way, industrial clusters and police
sites, parcels tessellating the land along them, and for each affected parcel the dates its
steps were reached, following each project's own pace.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
import shapely.affinity
from shapely.geometry import LineString, Point

__all__ = [
    "AS_OF",
    "CLUSTERS",
    "COMMUNES",
    "CRS",
    "EXPRESSWAY",
    "FIXED_TIME",
    "STATUS_TEXT",
    "Road",
    "cluster_parcels",
    "commune_polygons",
    "date_cell",
    "number_parcels",
    "owner_name",
    "police_sites",
    "records_for",
    "rng_for",
    "road_parcels",
    "spell",
    "spell_2025",
    "story",
]


CRS = "EPSG:9215"
AS_OF = dt.date(2024, 11, 29)
FIXED_TIME = "2024-11-29T00:00:00.000Z"

#: The 22 communes and towns of Cao Lộc district in 2024 (before the 2025 merger), with their
#: official codes (as ``gpmb_gis.units.units(2024, "Lạng Sơn")`` lists them) and a point
#: inside each (approximate, EPSG:9215): the seeds of the synthetic commune polygons.
COMMUNES: tuple[tuple[str, str, float, float], ...] = (
    ("06190", "Xã Bảo Lâm", 448440, 2431161), ("06217", "Xã Bình Trung", 437778, 2422481),
    ("06196", "Xã Cao Lâu", 465039, 2425633), ("06187", "Thị trấn Cao Lộc", 450365, 2418906),
    ("06232", "Xã Công Sơn", 464090, 2418894), ("06184", "Thị trấn Đồng Đăng", 443095, 2428897),
    ("06235", "Xã Gia Cát", 456809, 2416299), ("06220", "Xã Hải Yến", 459549, 2421343),
    ("06223", "Xã Hòa Cư", 453810, 2421052), ("06205", "Xã Hồng Phong", 440365, 2425636),
    ("06226", "Xã Hợp Thành", 451222, 2419880), ("06211", "Xã Lộc Yên", 457127, 2425885),
    ("06238", "Xã Mẫu Sơn", 472463, 2417986), ("06214", "Xã Phú Xá", 441392, 2424379),
    ("06244", "Xã Tân Liên", 455477, 2412730), ("06250", "Xã Tân Thành", 440391, 2408400),
    ("06199", "Xã Thạch Đạn", 450567, 2426786), ("06193", "Xã Thanh Lòa", 457181, 2429175),
    ("06208", "Xã Thụy Hùng", 444445, 2424338), ("06241", "Xã Xuân Long", 441096, 2413310),
    ("06202", "Xã Xuất Lễ", 474595, 2423715), ("06247", "Xã Yên Trạch", 449792, 2410407),
)  # fmt: skip

_FAMILY = ("Nguyễn", "Hoàng", "Lương", "Vi", "Lý", "Hà", "Nông", "Triệu", "Lộc", "Chu", "Đinh")
_MIDDLE = ("Văn", "Thị", "Đức", "Thanh", "Minh")
_GIVEN = ("An", "Bình", "Cường", "Dũng", "Hà", "Hùng", "Lan", "Mai", "Nam", "Phúc", "Quang",
          "Sơn", "Thắng", "Tuấn", "Vân", "Yến")  # fmt: skip
_LAND_USES = (("LUC", 0.25), ("BHK", 0.15), ("CLN", 0.2), ("RSX", 0.2), ("ONT", 0.15),
              ("NTS", 0.05))  # fmt: skip


@dataclass(frozen=True)
class Road:
    """A road project of the sample."""

    id: str
    name: str
    vertices: tuple[tuple[float, float], ...]
    half_width: float
    start_chainage: str
    n_parcels: int
    knots: tuple[tuple[dt.date, float], ...]  # cleared % of the ROW by date
    length_m: float | None = None  # the planned length, when the chainage says it


EXPRESSWAY = Road(
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
CLUSTERS = (
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
_POLICE_COMMUNES = ("06190", "06196", "06211", "06199", "06193", "06202", "06238", "06247")


def rng_for(seed: int) -> np.random.Generator:
    """The random generator every made-up value of a sample comes from."""
    return np.random.default_rng(seed)


def commune_polygons() -> gpd.GeoDataFrame:
    """Made-up commune shapes: Voronoi cells around each commune's point, in one outline."""
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
    cells = cells[shapely.get_type_id(cells) == shapely.GeometryType.POLYGON]
    return cells[shapely.area(cells) > 0]


def _land_use(rng: np.random.Generator, n: int) -> np.ndarray:
    codes, weights = zip(*_LAND_USES, strict=True)
    return rng.choice(np.array(codes), size=n, p=np.array(weights) / sum(weights))


def _road_line(road: Road) -> LineString:
    """The road's centreline, scaled about its start to the planned length (if one is set)."""
    line = LineString(road.vertices)
    if road.length_m is None:
        return line
    factor = road.length_m / line.length
    return shapely.affinity.scale(line, factor, factor, origin=road.vertices[0])


def road_parcels(
    road: Road,
    rng: np.random.Generator,
    scale: float,
) -> tuple[np.ndarray, np.ndarray, shapely.Geometry, LineString]:
    """A road's parcels and their land uses, its right of way and its centreline."""
    line = _road_line(road)
    row = line.buffer(road.half_width, cap_style="flat", join_style="round")
    if road.id == EXPRESSWAY.id:  # an interchange near Đồng Đăng
        row = shapely.union(row, line.interpolate(2900).buffer(140))
    corridor = row.buffer(30)  # parcels reach 30 m beyond the right of way
    strips = _road_strips(road, line)
    blocked = shapely.union_all(strips)
    if road.id == EXPRESSWAY.id:  # a stream: ROW land that no parcel covers
        blocked = shapely.union(blocked, _stream(line))
    cells = _tessellate(
        shapely.difference(corridor, blocked), max(20, int(road.n_parcels * scale)), rng
    )
    dgt = shapely.get_parts(shapely.intersection(np.asarray(strips, dtype=object), corridor))
    dgt = dgt[shapely.get_type_id(dgt) == shapely.GeometryType.POLYGON]
    dgt = dgt[shapely.area(dgt) > 0]
    geoms = np.concatenate([cells, dgt])
    codes = np.concatenate([_land_use(rng, len(cells)), np.full(len(dgt), "DGT")])
    return geoms, codes, row, line


def _road_strips(road: Road, line: LineString) -> list[shapely.Geometry]:
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


def cluster_parcels(
    centre: tuple[float, float], radius: float, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, shapely.Geometry]:
    """An industrial cluster's parcels and land uses, and its boundary."""
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


def police_sites(
    rng: np.random.Generator,
    communes: gpd.GeoDataFrame,
) -> tuple[np.ndarray, np.ndarray, gpd.GeoDataFrame]:
    """The police sites' parcels and land uses, and the sites as one ROW layer."""
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


def story(
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


def owner_name(rng: np.random.Generator) -> str:
    """A made-up owner's name."""
    return f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"


def spell(name: str, rng: np.random.Generator) -> str:
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


def spell_2025(name: str, rng: np.random.Generator) -> str:
    """A unit of 2025 as an officer types it: always with its kind (one draw, as :func:`spell`)."""
    import unicodedata

    short = name.replace("Phường ", "P. ", 1)
    forms = (name, name.upper(), unicodedata.normalize("NFD", name.lower()), short, name)
    return str(forms[int(rng.integers(0, len(forms)))])


def date_cell(day: dt.date | None, rng: np.random.Generator) -> object:
    """A date as an office types it: an Excel date, ``dd/mm/yyyy``, a serial or ISO text."""
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


STATUS_TEXT = {"not_started": "Chưa kiểm đếm", "inventoried": "Đã kiểm đếm",
           "plan_approved": "Đã phê duyệt phương án", "paid": "Đã chi trả",
           "handed_over": "Đã bàn giao mặt bằng"}  # fmt: skip


def records_for(
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


def number_parcels(parcels: gpd.GeoDataFrame) -> None:
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
