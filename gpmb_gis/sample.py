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
import itertools
import re
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
import shapely.affinity
from shapely.geometry import LineString

from gpmb_gis._errors import GpmbError
from gpmb_gis.sample_land import (
    AS_OF,
    CLUSTERS,
    COMMUNES,
    CRS,
    EXPRESSWAY,
    FIXED_TIME,
    STATUS_TEXT,
    Road,
    cluster_parcels,
    commune_polygons,
    date_cell,
    number_parcels,
    owner_name,
    police_sites,
    records_for,
    rng_for,
    road_parcels,
    spell,
    spell_2025,
    story,
)
from gpmb_gis.sample_steps import STEP_HEADINGS, StepDates
from gpmb_gis.unit_lookup import new_units

__all__ = ["MIN_PARCELS", "build_sample", "write_sample"]


_QL4B = Road(
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


def build_sample(seed: int = 2024, n_parcels: int | None = None) -> dict[str, object]:
    """Build the synthetic dataset in memory (layers, records, projects)."""
    rng = rng_for(seed)
    scale = 1.0 if n_parcels is None else n_parcels / 4000
    communes = commune_polygons()
    layers: list[tuple[str, np.ndarray, np.ndarray]] = []
    projects: dict[str, dict[str, object]] = {}
    for road in (_QL4B, EXPRESSWAY):
        geoms, codes, row, line = road_parcels(road, rng, scale)
        layers.append((road.id, geoms, codes))
        projects[road.id] = {
            "row": gpd.GeoDataFrame({"name": [road.name]}, geometry=[row], crs=CRS),
            "line": line,
            "road": road,
        }
    for pid, name, centre, radius, n, knots in CLUSTERS:
        geoms, codes, site = cluster_parcels(centre, radius, max(10, int(n * scale)), rng)
        layers.append((pid, geoms, codes))
        projects[pid] = {
            "row": gpd.GeoDataFrame({"name": [name]}, geometry=[site], crs=CRS),
            "knots": knots,
            "name": name,
        }
    geoms, codes, sites = police_sites(rng, communes)
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
    parcels["MAXA"] = joined[~joined.index.duplicated()]["MAXA"].fillna("06187").to_numpy()
    number_parcels(parcels)
    noise = rng.normal(1.0, 0.01, len(parcels))  # survey vs drawing, and a few typed wrong
    noise[rng.choice(len(parcels), 12, replace=False)] = rng.uniform(1.08, 1.4, 12)
    parcels["DIENTICH"] = np.round(parcels.area.to_numpy() * noise, 1)
    parcels["CHUSUDUNG"] = [
        owner_name(rng) if c != "DGT" else "UBND xã" for c in parcels["KHLOAIDAT"]
    ]
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
            road: Road = proj["road"]
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
        handover = story(area, clear, key, knots, float(row.area))
        for rec in records_for(pid, handover, clear, key, rng):
            rec["parcel_pos"] = int(mine[rec.pop("i")])
            records.append(rec)
    return records


_BOOK_COLUMNS = ("STT", "Dự án", "Xã", "Tờ bản đồ", "Số thửa", "Chủ sử dụng", "Loại đất",
                 "Kiểm đếm", "Phê duyệt phương án", "Chi trả", "Bàn giao mặt bằng",
                 "Trạng thái", "Cưỡng chế", "Khiếu nại", "Ghi chú", "Mã hộ",
                 "Số tiền BT, HT được duyệt (đồng)", "Đã chi trả (đồng)", "Tái định cư",
                 "Số lô TĐC", "Ngày bốc thăm/giao đất TĐC", "Mồ mả phải di chuyển",
                 "Mồ mả đã di chuyển", "Ngày nhận đơn", "Ngày giải quyết",
                 *STEP_HEADINGS)  # fmt: skip
#: Made-up prices of land by use (đồng per m²), for the sample's compensation amounts.
_PRICE = {"LUC": 60_000, "LUK": 55_000, "BHK": 50_000, "CLN": 45_000, "RSX": 30_000,
          "ONT": 1_200_000, "ODT": 2_500_000, "NTS": 40_000, "SKC": 800_000}  # fmt: skip
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII",
          "XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX")  # fmt: skip


#: Projects whose records the sample writes in a second book, retyped after 1 July 2025 with
#: the names of the new communes (DESIGN §9, ``era = 2025``).
BOOK_2025_PROJECTS = ("CCN_HT1", "CCN_HT2")
#: The sheets of the sample's handover workbook: the book of 2024, and the retyped one.
BOOK_SHEETS = ("Tiến độ GPMB", "CCN sau 1-7-2025")


def _names_2025(parcels: gpd.GeoDataFrame) -> tuple[dict[str, str], set[tuple[str, int, int]]]:
    """Each commune's unit of 2025, and the keys (unit, sheet, parcel) of one old commune only.

    An officer retyping the book after the merger writes the new unit where its sheet and
    parcel number name one parcel, and keeps the old commune where they would name two.
    """
    codes = sorted(set(parcels["MAXA"]))
    found = new_units(codes, [""] * len(codes), "Lạng Sơn")
    unit = {c: n for c, (_, n) in zip(codes, found, strict=True)}
    keys = pd.DataFrame(
        {"unit": parcels["MAXA"].map(unit), "sheet": parcels["SHBANDO"],
         "parcel": parcels["SOTHUA"], "old": parcels["MAXA"]}
    )  # fmt: skip
    olds = keys.groupby(["unit", "sheet", "parcel"])["old"].nunique()
    return unit, {(u, int(sh), int(pa)) for (u, sh, pa), n in olds.items() if n == 1}


def _book_rows(
    data: dict[str, object], records: list[dict[str, object]], rng: np.random.Generator
) -> tuple[list[list[object]], list[list[object]]]:
    """Data rows of the two books (2024, retyped 2025), by project and commune with sections."""
    parcels: gpd.GeoDataFrame = data["parcels"]  # type: ignore[assignment]
    names = {c: n for c, n, *_ in COMMUNES}
    unit, one_old = _names_2025(parcels)
    table = pd.DataFrame(records)
    table["MAXA"] = parcels["MAXA"].to_numpy()[table["parcel_pos"]]
    table["sheet"] = parcels["SHBANDO"].to_numpy()[table["parcel_pos"]]
    table["parcel"] = parcels["SOTHUA"].to_numpy()[table["parcel_pos"]]
    table = table.sort_values(["project", "MAXA", "sheet", "parcel"], kind="stable")
    rows: list[list[object]] = []
    number = 0
    households, steps = _Households(parcels), StepDates()
    for (project, code), group in table.groupby(["project", "MAXA"], sort=False):
        rows.append(
            [f"{_ROMAN[len(rows) % len(_ROMAN)]}. {names[code]}"]
            + [None] * (len(_BOOK_COLUMNS) - 1)
        )
        for rec in group.to_dict("records"):
            number += 1
            sheet = rec["sheet"]
            pos = rec["parcel_pos"]
            new = (unit[code], int(sheet), int(rec["parcel"])) in one_old
            if rng.random() < 0.05:  # a blank commune cell: the section's (the old commune)
                written = None
            elif project in BOOK_2025_PROJECTS and new:
                written = spell_2025(unit[code], rng)
            else:
                written = spell(names[code], rng)
            rows.append(
                [
                    number,
                    project,
                    written,
                    f"{sheet:02d}" if rng.random() < 0.3 else int(sheet),
                    int(rec["parcel"]),
                    parcels["CHUSUDUNG"].iat[pos],
                    parcels["KHLOAIDAT"].iat[pos],
                    *(
                        date_cell(_get_date(rec, s), rng)
                        for s in ("inventoried", "plan_approved", "paid", "handed_over")
                    ),
                    STATUS_TEXT[str(rec["stage"])],
                    "x" if rec["enforcement"] else None,
                    "Có" if rec["complaint"] else None,
                    None,
                    *households.cells(rec, code),
                    *steps.cells(
                        _get_date(rec, "inventoried"),
                        _get_date(rec, "plan_approved"),
                        _get_date(rec, "handed_over"),
                        bool(rec["enforcement"]),
                    ),
                ]
            )
    households.join_some(rows)
    _add_flaws(rows, rng)
    return _split_books(rows)


class _Households:
    """The sample book's households, money, resettlement, graves and complaints (made up).

    A household is an owner in a commune, with an id of the book; its approved money is its
    parcel's area at a made-up price by land use, paid in full when paid. Houses (ONT, ODT)
    handed over or paid resettle, on a lot drawn three weeks after payment; some gardens and
    fields hold graves, moved once the land is handed over; half the complaints are resolved.
    """

    def __init__(self, parcels: gpd.GeoDataFrame) -> None:
        self.parcels = parcels
        self.rng = rng_for(20_25)  # its own draws: the other columns are as before
        self.ids: dict[tuple[str, str], str] = {}

    def cells(self, rec: dict[str, object], code: str) -> list[object]:
        """The ten cells of a record's row after "Ghi chú"."""
        pos = int(rec["parcel_pos"])  # type: ignore[call-overload]
        owner, use = self.parcels["CHUSUDUNG"].iat[pos], self.parcels["KHLOAIDAT"].iat[pos]
        key = (code, owner)
        household = self.ids.setdefault(key, f"{code[-3:]}-{len(self.ids) + 1:04d}")
        approved_on, paid_on = _get_date(rec, "plan_approved"), _get_date(rec, "paid")
        amount = round(self.parcels.geometry.iat[pos].area * _PRICE.get(use, 50_000), -3)
        resettle = use in ("ONT", "ODT") and paid_on is not None
        graves = int(self.rng.integers(1, 4)) if use in ("CLN", "BHK") else 0
        graves = graves if self.rng.random() < 0.15 else 0
        handed = _get_date(rec, "handed_over") is not None
        received = (paid_on or approved_on or AS_OF) - dt.timedelta(int(self.rng.integers(5, 40)))
        resolved = received + dt.timedelta(int(self.rng.integers(10, 60)))
        complaint, settled = bool(rec["complaint"]), self.rng.random() < 0.5
        return [
            household,
            self._money(amount) if approved_on else None,
            self._money(amount) if paid_on else None,
            "x" if resettle else None,
            1 if resettle else None,
            date_cell(paid_on + dt.timedelta(21), self.rng) if resettle and paid_on else None,
            graves or None,
            graves if graves and handed else None,
            date_cell(received, self.rng) if complaint else None,
            date_cell(resolved, self.rng) if complaint and resolved <= AS_OF and settled else None,
        ]

    def _money(self, amount: float) -> object:
        """An amount as offices type it: a number, or text grouped by dots or commas."""
        r = self.rng.random()
        whole = int(amount)
        if r < 0.6:
            return whole
        return f"{whole:,}".replace(",", ".") if r < 0.9 else f"{whole:,}"

    def join_some(self, rows: list[list[object]]) -> None:
        """Make two households of several parcels: in two communes, and paid twice.

        The last record of a commune's section and the first of the next section of the same
        project are one household's; so are two records of a section paid on different days.
        """
        for k in range(1, len(rows) - 1):
            a, head, b = rows[k - 1], rows[k], rows[k + 1]
            data = isinstance(a[0], int) and isinstance(b[0], int)
            if data and not isinstance(head[0], int) and a[1] == b[1]:
                b[5], b[15] = a[5], a[15]  # one owner, one id, two communes
                break
        paid = [r for r in rows if isinstance(r[0], int) and r[9] is not None and r[17] is not None]
        for a, b in itertools.pairwise(paid):
            if a[1] == b[1] and a[2] == b[2] and a[9] != b[9]:
                b[5], b[15] = a[5], a[15]  # one household, paid twice
                break


def _split_books(rows: list[list[object]]) -> tuple[list[list[object]], list[list[object]]]:
    """The rows of the book of 2024, and those of the projects retyped after 1 July 2025."""
    books: tuple[list[list[object]], list[list[object]]] = ([], [])
    for k, row in enumerate(rows):
        data = (
            row if isinstance(row[0], int) else next(r for r in rows[k:] if isinstance(r[0], int))
        )
        books[data[1] in BOOK_2025_PROJECTS].append(row)
    return books


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


def _write_book(path: Path, books: tuple[list[list[object]], list[list[object]]]) -> None:
    """The handover workbook: the book of 2024, and the clusters' book retyped in 2025."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    titles = (
        "SỔ THEO DÕI TIẾN ĐỘ BÀN GIAO MẶT BẰNG CÁC DỰ ÁN NĂM 2024",
        "SỔ THEO DÕI CÁC CỤM CÔNG NGHIỆP, LẬP LẠI SAU NGÀY 01/7/2025 (GHI TÊN XÃ, PHƯỜNG MỚI)",
    )
    for sheet, rows, title in zip(BOOK_SHEETS, books, titles, strict=True):
        _write_book_sheet(book.create_sheet(sheet), rows, title)
    stamp = dt.datetime(2024, 11, 29)
    book.properties.created = stamp
    book.properties.modified = stamp
    book.properties.creator = "gpmb sample (synthetic)"
    buffer = _io.BytesIO()
    book.save(buffer)
    _rezip_fixed_time(buffer.getvalue(), path)


def _write_book_sheet(ws: object, rows: list[list[object]], title: str) -> None:
    """One sheet of the book: titles, a two-row heading, the rows and a total row."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    width = len(_BOOK_COLUMNS)
    titles = (
        "ỦY BAN NHÂN DÂN HUYỆN CAO LỘC",
        "TRUNG TÂM PHÁT TRIỂN QUỸ ĐẤT",
        title,
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
    n_records = sum(isinstance(r[0], int) and r[14] != "Nhập trùng" for r in rows)
    ws.append(["Tổng cộng", None, None, None, f"{n_records} thửa"])
    widths = (6, 10, 16, 8, 8, 22, 8, 12, 12, 12, 12, 22, 9, 9, 24, 10, 16, 16, 8, 8, 14, 10, 10,
              12, 12, *[14] * len(STEP_HEADINGS))  # fmt: skip
    for c, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = w


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
        EXPRESSWAY.id,
        EXPRESSWAY.name,
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
        for pid, name, *_ in CLUSTERS
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
            "# communes named as from 1/7/2025 (old ones in brackets), and as before",
            'report_communes = "both"',
            "",
            "# the map book along each road at 1:5 000 (the default, 1:2 000, is the field's",
            "# scale; the sample's book is kept short)",
            "[maps]",
            "atlas_scale = 5000",
            "",
            "# How a province's procedure is written, step by step (DESIGN §9). These two limits",
            "# are the sample's EXAMPLES, not official ones: write the province's own (Lạng Sơn:",
            "# Quyết định 1019/QĐ-UBND 2022, as amended) before judging an agency by them.",
            "[[procedure]]",
            'step = "appraisal"',
            'agency = "Phòng Tài nguyên và Môi trường"',
            'agency_2025 = "UBND xã"',
            'after = "appraisal_submitted"',
            "limit_days = 30",
            'days = "calendar"',
            'source = "ví dụ của dữ liệu mẫu (không phải quy định)"',
            "",
            "[[procedure]]",
            'step = "recovery_decision"',
            'after = "plan_approved"',
            "limit_days = 10",
            'days = "working"',
            'source = "ví dụ của dữ liệu mẫu (không phải quy định)"',
            "",
            "[layers]",
            'parcels = "parcels.gpkg"',
            'communes = "communes.gpkg"',
            "handovers = [",
            f'    {{ path = "so_theo_doi_ban_giao.xlsx", sheet = "{BOOK_SHEETS[0]}" }},',
            f'    {{ path = "so_theo_doi_ban_giao.xlsx", sheet = "{BOOK_SHEETS[1]}",'
            " era = 2025 },",
            "]",
            "",
            ql4b,
            expressway,
            *clusters,
            police,
        ]
    )


#: The fewest parcels the sample lays out (twenty along each of its roads and sites).
MIN_PARCELS = 200


def write_sample(
    out: str | Path, *, seed: int = 2024, n_parcels: int | None = None, force: bool = False
) -> Path:
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
        raise GpmbError(
            "--parcels",
            f"{n_parcels} is fewer than the {MIN_PARCELS} parcels the "
            "sample needs to lay out its five projects",
            f"give {MIN_PARCELS} or more, or leave it out (about 4 000)",
        )
    if out.exists() and not out.is_dir():
        raise GpmbError(str(out), "is a file, not a folder", "give an empty or new folder")
    if out.exists() and any(out.iterdir()) and not force:
        raise GpmbError(
            str(out),
            "the folder already holds files; the sample writes gpmb.toml, "
            "its layers and its book there, replacing any of the same name",
            "give an empty or new folder, or --force to write there",
        )
    out.mkdir(parents=True, exist_ok=True)
    data = build_sample(seed, n_parcels)
    names = ["parcels", "communes"] + [f"row_{p.lower()}" for p in data["projects"]]
    names += [f"centerline_{p.lower()}" for p, v in data["projects"].items() if "line" in v]
    for name in names:  # GDAL would update an existing file in place, not rewrite it
        (out / f"{name}.gpkg").unlink(missing_ok=True)
    records = _project_records(data)
    rows = _book_rows(data, records, data["rng"])  # type: ignore[arg-type]
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": FIXED_TIME})
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
    _write_book(out / "so_theo_doi_ban_giao.xlsx", rows)
    config = out / "gpmb.toml"
    config.write_text(_config_text(), encoding="utf-8")
    return config
