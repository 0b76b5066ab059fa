"""Invariants on random parcel tessellations crossed by random corridors (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from helpers import ORIGIN, rect, write_config, write_layer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString

from gpmb_gis import compute_progress
from gpmb_gis.faces import cut_pieces

SIZE = 200.0


@st.composite
def scenes(draw):
    """A 200 × 200 m square cut into a jittered grid of parcels, a corridor across it."""
    nx, ny = draw(st.integers(2, 6)), draw(st.integers(2, 6))
    xs = np.sort(
        draw(st.lists(st.integers(5, int(SIZE) - 5), min_size=nx - 1, max_size=nx - 1, unique=True))
    ).astype(float)
    ys = np.sort(
        draw(st.lists(st.integers(5, int(SIZE) - 5), min_size=ny - 1, max_size=ny - 1, unique=True))
    ).astype(float)
    xs, ys = np.r_[0, xs, SIZE], np.r_[0, ys, SIZE]
    parcels = [rect(xs[i], ys[j], xs[i + 1], ys[j + 1]) for i in range(nx) for j in range(ny)]
    n_vertices = draw(st.integers(2, 4))
    pts = draw(
        st.lists(
            st.tuples(st.floats(-20, SIZE + 20), st.floats(-20, SIZE + 20)),
            min_size=n_vertices,
            max_size=n_vertices,
            unique=True,
        )
    )
    line = LineString([(ORIGIN[0] + x, ORIGIN[1] + y) for x, y in pts])
    width = draw(st.floats(4, 60))
    stages = draw(st.lists(st.integers(0, 5), min_size=len(parcels), max_size=len(parcels)))
    overlap = draw(st.booleans())
    return parcels, line.buffer(width / 2), stages, overlap


def build(tmp_path, parcels, row, stages, overlap, codes=("01", "02"), extra=""):
    rows = [
        {
            "MAXA": codes[0] if p.centroid.x < ORIGIN[0] + SIZE / 2 else codes[1],
            "SHBANDO": 1,
            "SOTHUA": i + 1,
            "KHLOAIDAT": "DGT" if s == 5 else "LUC",
            "geometry": p,
        }
        for i, (p, s) in enumerate(zip(parcels, stages, strict=True))
    ]
    if overlap:  # a parcel digitised over its neighbours
        rows.append(
            {
                "MAXA": codes[0],
                "SHBANDO": 2,
                "SOTHUA": 1,
                "KHLOAIDAT": "LUC",
                "geometry": rect(SIZE / 4, SIZE / 4, SIZE / 2, SIZE / 2),
            }
        )
        stages = [*stages, 4]
    write_layer(tmp_path / "parcels.gpkg", rows)
    write_layer(tmp_path / "row.gpkg", [{"geometry": row}])
    write_layer(
        tmp_path / "communes.gpkg",
        [
            {
                "MAXA": codes[0],
                "TENXA": "Xã Một",
                "geometry": rect(-100, -100, SIZE / 2, SIZE + 100),
            },
            {
                "MAXA": codes[1],
                "TENXA": "Xã Hai",
                "geometry": rect(SIZE / 2, -100, SIZE + 100, SIZE + 100),
            },
        ],
    )
    dates = ["Ngày kiểm đếm", "Ngày phê duyệt", "Ngày chi trả", "Ngày bàn giao"]
    book = []
    for r, s in zip(rows, stages, strict=True):
        if 0 < s < 5:
            rec = {"Xã": r["MAXA"], "Tờ bản đồ": r["SHBANDO"], "Số thửa": r["SOTHUA"]}
            rec.update({d: "01/03/2024" if k < s else "" for k, d in enumerate(dates)})
            book.append(rec)
    book.append({"Xã": codes[0], "Tờ bản đồ": 9, "Số thửa": 999, "Ngày bàn giao": "01/03/2024"})
    pd.DataFrame(book).to_csv(tmp_path / "book.csv", index=False)
    return write_config(
        tmp_path,
        'province = "Lạng Sơn"\nas_of = 2024-06-30\n[layers]\n'
        'parcels = "parcels.gpkg"\ncommunes = "communes.gpkg"\n'
        f'{extra}handovers = "book.csv"\n[[projects]]\nid = "P"\nrow = "row.gpkg"\n'
        'already_clear_land_use = ["DGT"]\n',
    )


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(scene=scenes())
def test_invariants(tmp_path_factory, scene):
    parcels, row, stages, overlap = scene
    tmp_path = tmp_path_factory.mktemp("scene")
    result = compute_progress(build(tmp_path, parcels, row, stages, overlap))
    project = result.progress_by_project.iloc[0]
    required = row.intersection(rect(-1e6, -1e6, 1e6, 1e6)).area
    assert project.required_m2 == pytest.approx(required, rel=1e-9)
    assert -1e-6 <= project.cleared_m2 <= project.required_m2 + 1e-6
    assert project.cleared_m2 <= project.paid_m2 + 1e-6 <= project.inventoried_m2 + 2e-6
    # the definition: area of the union of cleared pieces
    table = result.parcels
    cleared = table[table.stage.isin(["handed_over", "already_clear"])]
    geoms = {
        (int(s), int(p)): g
        for s, p, g in zip(
            [1] * len(parcels) + [2],
            [*range(1, len(parcels) + 1), 1],
            [*parcels, rect(SIZE / 4, SIZE / 4, SIZE / 2, SIZE / 2)],
            strict=True,
        )
    }
    union = shapely.union_all(
        [
            geoms[(int(s), int(p))].intersection(row)
            for s, p in zip(cleared.sheet, cleared.parcel, strict=True)
        ]
    )
    assert project.cleared_m2 == pytest.approx(union.area, abs=1e-6)
    # communes add up to the project
    communes = result.progress_by_commune
    for col in ("required_m2", "cleared_m2", "unmapped_m2", "paid_m2"):
        assert communes[col].sum() == pytest.approx(project[col], abs=0.01)
    # nothing lost: every record read is used or listed
    records = result.records.set_index("layer")
    assert (records["read"] == records["used"] + records["listed"]).all()
    assert "records_unaccounted" not in set(result.qa_issues.check)
    assert (result.qa_issues.check == "record_no_parcel").sum() == 1


@settings(max_examples=40, deadline=None)
@given(scene=scenes())
def test_inside_plus_outside_is_the_parcel(scene):
    parcels, row, _, _ = scene
    geoms = np.array(parcels, dtype=object)
    positions, pieces = cut_pieces(geoms, row)
    inside = np.zeros(len(geoms))
    inside[positions] = shapely.area(pieces)
    outside = shapely.area(shapely.difference(geoms, row))
    small = shapely.area(shapely.intersection(geoms, row)) <= 0.01  # not a piece by definition
    total = inside + outside + np.where(small, shapely.area(shapely.intersection(geoms, row)), 0)
    assert np.allclose(total, shapely.area(geoms), atol=1e-6)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(scene=scenes())
def test_commune_rows_add_up_without_a_communes_layer(tmp_path_factory, scene):
    """Communes of the parcels, plus the land in no parcel, make the project (no overlap)."""
    parcels, row, stages, _ = scene
    tmp_path = tmp_path_factory.mktemp("scene")
    config = build(tmp_path, parcels, row, stages, overlap=False)
    config.write_text(config.read_text().replace('communes = "communes.gpkg"\n', ""))
    result = compute_progress(config)
    project = result.progress_by_project.iloc[0]
    communes = result.progress_by_commune
    assert "" not in set(communes.commune)  # a commune without a name is said so
    for col in ("required_m2", "cleared_m2", "unmapped_m2", "paid_m2", "inventoried_m2"):
        assert communes[col].sum() == pytest.approx(project[col], abs=0.01), col


#: Two old communes: merged into one unit, into two, and one of them divided between two.
MERGERS = [("06226", "06244"), ("06226", "06232"), ("06622", "06226")]


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(scene=scenes(), merger=st.sampled_from(MERGERS))
def test_the_units_of_2025_add_up_to_the_project(tmp_path_factory, scene, merger):
    """Whatever the merger, the rows of progress_by_commune_2025 are a partition of the ROW."""
    parcels, row, stages, overlap = scene
    tmp_path = tmp_path_factory.mktemp("merger")
    low, high, half, third = -100, SIZE + 100, SIZE / 2, SIZE / 3
    write_layer(tmp_path / "new.gpkg", [  # Bính Xá's two units; Kỳ Lừa beside them
        {"MAXA": "06613", "TENXA": "Xã Đình Lập", "geometry": rect(low, low, third, high)},
        {"MAXA": "06625", "TENXA": "Xã Kiên Mộc", "geometry": rect(third, low, half, high)},
        {"MAXA": "06187", "TENXA": "Phường Kỳ Lừa", "geometry": rect(half, low, high, high)},
    ])  # fmt: skip
    config = build(tmp_path, parcels, row, stages, overlap, merger, 'communes_2025 = "new.gpkg"\n')
    result = compute_progress(config)
    project = result.progress_by_project.iloc[0]
    units = result.progress_by_commune_2025
    for column in ("required_m2", "cleared_m2", "unmapped_m2"):
        assert units[column].sum() == pytest.approx(project[column], abs=0.01)
    if merger[0] == "06622" and project["required_m2"] > 0:
        west = row.intersection(rect(low, low, third, high)).area
        got = units.set_index("commune_2025")["required_m2"].get("Xã Đình Lập", 0.0)
        assert got == pytest.approx(west, abs=0.01)
