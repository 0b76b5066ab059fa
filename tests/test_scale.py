"""The fast path gives the plain definitions' answers: reading near the ROW, overlap pairs,
the chainage of points, and the dask partition path (speed itself is measured in benchmarks/).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from helpers import (
    CRS,
    SAMPLE_CONFIG,
    files_read,
    rect,
    write_book_csv,
    write_config,
    write_layer,
)
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from gpmb_gis import InputError, compute_progress
from gpmb_gis import columns as C
from gpmb_gis.chainage import Route
from gpmb_gis.faces import overlapping_pairs
from gpmb_gis.join import match_records

FAR = 5_000.0  # metres east of the corridor: parcels there must not be read


def _parcels() -> list[dict]:
    """Ten 10 × 30 m parcels across a 100 × 20 m ROW, and 400 far away (a 20 × 20 grid)."""
    near = [{"MAXA": "01", "SHBANDO": 1, "SOTHUA": k + 1, "KHLOAIDAT": "LUC",
             "geometry": rect(10 * k, -5, 10 * k + 10, 25)} for k in range(10)]  # fmt: skip
    far = [{"MAXA": "01", "SHBANDO": 2, "SOTHUA": 100 + i * 20 + j, "KHLOAIDAT": "LUC",
            "geometry": rect(FAR + 20 * i, 20 * j, FAR + 20 * i + 20, 20 * j + 20)}
           for i in range(20) for j in range(20)]  # fmt: skip
    return near + far


def _case(folder, parcels_file: str = "parcels.gpkg", crs: str = CRS):
    frame = gpd.GeoDataFrame(_parcels(), crs=CRS).to_crs(crs)
    if parcels_file.endswith(".parquet"):
        frame.to_parquet(folder / parcels_file, write_covering_bbox=True)
    else:
        frame.to_file(folder / parcels_file, engine="pyogrio")
    write_layer(folder / "row.gpkg", [{"name": "row", "geometry": rect(0, 0, 100, 20)}])
    write_book_csv(folder / "book.csv", [
        {"Xã": "01", "Tờ bản đồ": 1, "Số thửa": 1, "Ngày bàn giao": "01/03/2024"},
        {"Xã": "01", "Tờ bản đồ": 1, "Số thửa": 2, "Ngày bàn giao": "01/04/2024"},
        {"Xã": "01", "Tờ bản đồ": 1, "Số thửa": 3, "Ngày chi trả": "01/04/2024"},
        {"Xã": "01", "Tờ bản đồ": 2, "Số thửa": 105, "Ngày bàn giao": "01/04/2024"},  # far away
        {"Xã": "01", "Tờ bản đồ": 1, "Số thửa": 99, "Ngày bàn giao": "01/04/2024"},  # nowhere
    ])  # fmt: skip
    return write_config(folder, 'province = "Lạng Sơn"\nas_of = 2024-06-30\n[layers]\n'
                        f'parcels = "{parcels_file}"\nhandovers = "book.csv"\n'
                        '[[projects]]\nid = "P"\nrow = "row.gpkg"\n')  # fmt: skip


def _tables(result) -> dict[str, pd.DataFrame]:
    return {"project": result.progress_by_project, "commune": result.progress_by_commune,
            "parcels": result.parcels, "qa": result.qa_issues,
            "records": result.records}  # fmt: skip


def test_reads_only_the_parcels_that_touch_the_row(tmp_path):
    result = compute_progress(_case(tmp_path))
    records = result.records.set_index("layer")
    assert records.loc["parcels", "read"] == 10  # not 410
    assert result.inputs.in_layer["parcels"] == 410
    row = result.progress_by_project.iloc[0]
    assert row.required_m2 == pytest.approx(2000.0)
    assert row.cleared_m2 == pytest.approx(400.0)  # parcels 1 and 2: 2 × 10 × 20
    checks = dict(zip(result.qa_issues["feature"], result.qa_issues["check"], strict=True))
    assert "record_outside_row" in checks.values()  # sheet 2 / parcel 105: in the layer
    assert "record_no_parcel" in checks.values()  # sheet 1 / parcel 99: nowhere
    assert records.loc["handovers", "read"] == 5
    assert records.loc["handovers", "used"] + records.loc["handovers", "listed"] == 5


def test_rows_are_cut_from_the_shapes_the_run_keeps(tmp_path):
    """The cuts started while the parcels are keyed use the parcels the run keeps, in order."""
    from gpmb_gis import faces, load_config
    from gpmb_gis.inputs import (
        gather,
        key_parcels,
        linked,
        read_book,
        read_layers,
        read_parcel_shapes,
        settled,
    )
    from gpmb_gis.overlay import cut_row, overlay_project

    config = load_config(_case(tmp_path))
    layers = read_layers(config)
    shapes = read_parcel_shapes(config, layers)  # what a run starts the cuts with
    rows, geoms = layers.rows, shapes.geometry.to_numpy()
    keyed = key_parcels(config, layers, shapes)
    inputs = settled(linked(gather(config, layers, keyed, read_book(config, keyed))))
    assert rows is inputs.rows
    kept = inputs.parcels.geometry.to_numpy()
    assert len(geoms) == len(kept) == 10
    assert all(a is b for a, b in zip(geoms, kept, strict=True))
    project = config.projects[0]
    early = cut_row(faces.union_of(rows[project.id].geometry.to_numpy()), geoms)
    pieces = overlay_project(project, inputs).pieces
    assert early.positions.tolist() == pieces[C.PARCEL_INDEX].tolist()
    assert shapely.area(early.pieces).tolist() == pieces[C.AFFECTED_M2].tolist()


def test_bins_worked_out_before_the_parcels_are_those_of_the_cut():
    """The chainage bins a run works out while the parcels are read are the overlay's."""
    from gpmb_gis import faces, load_config
    from gpmb_gis.inputs import (
        gather,
        key_parcels,
        linked,
        read_book,
        read_layers,
        read_parcel_shapes,
        settled,
    )
    from gpmb_gis.overlay import chainage_bins, overlay_project

    config = load_config(SAMPLE_CONFIG)
    layers = read_layers(config)  # what a run works the bins out from, before the parcels
    rows, routes = layers.rows, layers.routes
    keyed = key_parcels(config, layers, read_parcel_shapes(config, layers))
    inputs = settled(linked(gather(config, layers, keyed, read_book(config, keyed))))
    assert rows is inputs.rows and routes is inputs.routes and routes
    for project in config.projects:
        if project.id not in routes:
            continue
        row = faces.union_of(rows[project.id].geometry.to_numpy())
        early = chainage_bins(project, row, routes[project.id])
        ov = overlay_project(project, inputs)
        assert early.bins == ov.bins
        assert shapely.equals_exact(early.regions, ov.bin_geoms, tolerance=0).all()
        assert sum(shapely.area(early.regions)) == pytest.approx(ov.required_m2, rel=1e-12)


def test_window_gives_the_tables_of_a_whole_read(tmp_path):
    """GeoJSON has no spatial index and is read whole: same figures, same findings."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    windowed = compute_progress(_case(tmp_path / "a"))
    whole = compute_progress(_case(tmp_path / "b", "parcels.geojson"))
    assert whole.records.set_index("layer").loc["parcels", "read"] == 410
    assert "parcels" not in whole.inputs.in_layer
    for name in ("project", "commune", "parcels"):
        # GeoJSON stores integers as int32: the values are what must agree
        pd.testing.assert_frame_equal(_tables(windowed)[name], _tables(whole)[name],
                                      check_dtype=False)  # fmt: skip
    near_checks = set(windowed.qa_issues["check"])
    assert near_checks <= set(whole.qa_issues["check"])


@pytest.mark.parametrize(("parcels_file", "crs"), [("parcels.parquet", CRS),
                                                   ("parcels.gpkg", "EPSG:32648"),
                                                   ("parcels.shp", CRS)])  # fmt: skip
def test_parquet_and_another_crs_read_the_same_parcels(tmp_path, parcels_file, crs):
    """GeoParquet's bbox column, a GPKG in UTM 48N, a Shapefile without .qix: the same 10."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    plain = compute_progress(_case(tmp_path / "a"))
    other = compute_progress(_case(tmp_path / "b", parcels_file, crs))
    assert other.records.set_index("layer").loc["parcels", "read"] == 10
    assert other.inputs.in_layer["parcels"] == 410
    mine, theirs = plain.progress_by_project.iloc[0], other.progress_by_project.iloc[0]
    assert theirs.required_m2 == pytest.approx(mine.required_m2, rel=1e-9)
    # a transformed layer's parcels move by millimetres: the same land, not the same bits
    assert theirs.cleared_m2 == pytest.approx(mine.cleared_m2, rel=1e-4)
    assert sorted(other.parcels["parcel"]) == sorted(plain.parcels["parcel"])
    # sheet 2 / parcel 105 is elsewhere in the layer, sheet 1 / parcel 99 nowhere
    assert {"record_outside_row", "record_no_parcel"} <= set(other.qa_issues["check"])


def test_shapefile_boxes_are_those_ogr_reads(tmp_path):
    """The boxes read from the .shp record headers are the shapes' bounds; a null shape has
    none."""
    from gpmb_gis.nearby import shapefile_fids

    rows = _parcels()
    rows[3]["geometry"] = None
    gpd.GeoDataFrame(rows, crs=CRS).to_file(tmp_path / "p.shp", engine="pyogrio")
    boxes = np.array(
        [
            shapely.bounds(rect(15, 0, 35, 20)),  # parcels 2, 3 and 4 (null)
            shapely.bounds(rect(FAR + 30, 30, FAR + 50, 50)),
        ]
    )  # 4 far ones
    fids = shapefile_fids(tmp_path / "p.shp", boxes)
    geoms = gpd.read_file(tmp_path / "p.shp").geometry.to_numpy()
    meets = shapely.intersects(geoms[:, None], shapely.box(*boxes.T)[None, :]).any(axis=1)
    assert fids.tolist() == np.flatnonzero(meets).tolist()
    assert len(fids) == 2 + 4 and 3 not in fids.tolist()


def test_a_window_read_in_parts_gives_each_feature_once_in_order(tmp_path, monkeypatch):
    """Parts read on threads find the features one read finds: once each, in the file's
    order, even those found by two parts."""
    from gpmb_gis import nearby
    from gpmb_gis.config import LayerSource
    from gpmb_gis.nearby import Window

    gpd.GeoDataFrame(_parcels(), crs=CRS).to_file(tmp_path / "p.gpkg", engine="pyogrio")
    # 30 m boxes every 20 m along both rows of the far grid and across the near parcels:
    # neighbouring boxes share parcels, and the parts split between them
    shapes = np.array([rect(FAR + 20 * k, 15, FAR + 20 * k + 30, 45) for k in range(19)]
                      + [rect(10 * k, 0, 10 * k + 15, 20) for k in range(9)])  # fmt: skip
    window = Window(shapely.bounds(shapes), shapes, "GPKG", 410)
    source = LayerSource(tmp_path / "p.gpkg")
    one = nearby._read_gpkg_near(source, window, {})
    monkeypatch.setattr(nearby, "_BOXES_PER_PART", 1)
    monkeypatch.setattr(nearby.os, "cpu_count", lambda: 4)
    parts = nearby._read_gpkg_near(source, window, {})
    pd.testing.assert_frame_equal(parts, one)
    geoms = gpd.read_file(tmp_path / "p.gpkg").geometry.to_numpy()
    meets = shapely.intersects(geoms[:, None], shapes[None, :]).any(axis=1)
    assert parts["_row"].tolist() == np.flatnonzero(meets).tolist()
    assert len(parts) == 10 + 3 * 20  # the boxes cross three rows of the grid


def test_gpkg_boxes_are_those_the_rtree_holds(tmp_path):
    """Boxes sent to SQLite in several statements find what each box alone finds."""
    from gpmb_gis import nearby

    gpd.GeoDataFrame(_parcels(), crs=CRS).to_file(tmp_path / "p.gpkg", engine="pyogrio")
    geoms = gpd.read_file(tmp_path / "p.gpkg").geometry.to_numpy()
    rng = np.random.default_rng(7)
    local = rng.uniform(
        [FAR - 50, -50], [FAR + 450, 450], size=(3 * nearby._BOXES_PER_QUERY + 7, 2)
    )
    corner = local + shapely.get_coordinates(rect(0, 0, 1, 1))[0]
    boxes = np.column_stack([corner, corner + rng.uniform(0, 3, size=corner.shape)])
    fids = nearby.gpkg_fids(tmp_path / "p.gpkg", None, boxes)
    meets = shapely.intersects(shapely.envelope(geoms)[:, None], shapely.box(*boxes.T)[None, :])
    assert fids.tolist() == (np.flatnonzero(meets.any(axis=1)) + 1).tolist()  # fids count from 1
    assert 50 < len(fids) < len(geoms)


# --- overlap pairs and the chainage of points: the fast forms against the definitions -------


_boxes = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30), st.integers(1, 12),
                            st.integers(1, 12)), min_size=2, max_size=25)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(_boxes, st.integers(0, 3))
@example([(0, 0, 10, 10), (2, 2, 2, 2)], 0)  # one inside another, no edge shared: CI found it
@example([(0, 0, 10, 10), (0, 0, 3, 3), (10, 0, 2, 10), (8, 2, 4, 2)], 0)
def test_overlapping_pairs_are_every_pair_that_shares_area(boxes, copies):
    geoms = [shapely.box(x, y, x + w, y + h) for x, y, w, h in boxes]
    geoms += geoms[:copies]  # exact copies pass the coverage check: still found
    geoms = np.array(geoms, dtype=object)
    left, right, shared = overlapping_pairs(geoms)
    expected = {(i, j) for i in range(len(geoms)) for j in range(i + 1, len(geoms))
                if shapely.intersection(geoms[i], geoms[j]).area > 1e-6}  # fmt: skip
    assert set(zip(left.tolist(), right.tolist(), strict=True)) == expected
    for i, j, a in zip(left, right, shared, strict=True):
        assert a == pytest.approx(shapely.intersection(geoms[i], geoms[j]).area)


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(0, 15), st.booleans(),
       st.integers(0, 3), st.floats(1e-4, 3.0), st.floats(0, 2 * np.pi))  # fmt: skip
def test_a_tiling_nudged_out_of_place_is_seen_to_overlap(nx, ny, which, corner, vertex, shift,
                                                        angle):  # fmt: skip
    """A clean tiling has no overlapping pair; one corner or one tile moved may make some.

    Tiles of 10 m that share their corners, so the coverage union (which then says that
    nothing overlaps) holds until a tile moves.
    """
    tiles = [shapely.box(10 * i, 10 * j, 10 * i + 10, 10 * j + 10)
             for i in range(nx) for j in range(ny)]  # fmt: skip
    geoms = np.array(tiles, dtype=object)
    assert len(overlapping_pairs(geoms)[0]) == 0
    k = which % len(geoms)
    step = shift * np.array([np.cos(angle), np.sin(angle)])
    ring = shapely.get_coordinates(geoms[k].exterior)[:-1]
    if corner:  # move one corner
        ring[vertex] += step
    else:  # move the whole tile
        ring += step
    moved = shapely.Polygon(ring)
    assume(moved.is_valid)
    geoms[k] = moved
    left, right, _ = overlapping_pairs(geoms)
    expected = {(i, j) for i in range(len(geoms)) for j in range(i + 1, len(geoms))
                if shapely.intersection(geoms[i], geoms[j]).area > 1e-6}  # fmt: skip
    assert set(zip(left.tolist(), right.tolist(), strict=True)) == expected


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(-300, 1300), st.floats(-300, 500)), min_size=1, max_size=30))
def test_locate_finds_the_nearest_point_of_the_line(points):
    t = np.linspace(0, 1, 60)
    line = shapely.LineString(np.column_stack([1000 * t, 200 * np.sin(6 * t)]))
    route = Route.build(line, 0.0)
    geoms = shapely.points(np.array(points))
    d, offset = route.locate(geoms)
    # the point found is as near as the nearest point of the line, whichever of two ties
    found = shapely.line_interpolate_point(line, d)
    assert np.allclose(shapely.distance(geoms, found), shapely.distance(geoms, line), atol=1e-6)
    assert np.allclose(np.abs(offset), shapely.distance(geoms, line), atol=1e-6)


# --- dask ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client():
    """A LocalCluster of two worker processes, shared by the dask tests."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:  # fmt: skip
        assert len(client.scheduler_info()["workers"]) == 2
        yield client


def _same_tables(single, on_dask) -> None:
    """Every table of the two runs, byte for byte as CSV."""
    for name in ("progress_by_project", "progress_by_commune", "progress_by_chainage",
                 "parcels", "qa_issues", "records", "blockers"):  # fmt: skip
        assert getattr(on_dask, name).to_csv() == getattr(single, name).to_csv(), name
    for name in ("timeseries", "milestones", "communes_named"):
        assert getattr(on_dask, name)().to_csv() == getattr(single, name)().to_csv(), name


def test_dask_local_cluster_gives_the_same_tables(client):
    from gpmb_gis.partition import compute_progress_on

    _same_tables(compute_progress(SAMPLE_CONFIG), compute_progress_on(client, SAMPLE_CONFIG))


def _sample_in_sheet_files(folder) -> str:
    """The sample's parcels split into a file per commune and sheet (one in three a shapefile),
    a sheet 30 km away and a corrupt sheet; the config reads them as one layer."""
    sample = SAMPLE_CONFIG.parent
    parcels = gpd.read_file(sample / "parcels.gpkg")
    for k, ((code, sheet), sheet_parcels) in enumerate(parcels.groupby(["MAXA", "SHBANDO"])):
        (folder / "dia_chinh" / code).mkdir(parents=True, exist_ok=True)
        suffix = "shp" if k % 3 == 0 else "gpkg"
        part = sheet_parcels.drop(columns=["MAXA", "SHBANDO"])
        part.to_file(folder / "dia_chinh" / code / f"To {sheet}.{suffix}", engine="pyogrio")
    far = parcels.head(50).drop(columns=["MAXA", "SHBANDO"]).translate(xoff=30_000)
    far.to_file(folder / "dia_chinh" / code / "To 99.gpkg", engine="pyogrio")
    (folder / "dia_chinh" / code / "To 98.gpkg").write_bytes(b"not a geopackage")
    text = SAMPLE_CONFIG.read_text(encoding="utf-8")
    for name in sorted({p.name for p in sample.iterdir()}):
        text = text.replace(f'"{name}"', f'"{(sample / name).as_posix()}"')
    layer = ('parcels = { paths = ["dia_chinh/**/*.gpkg", "dia_chinh/**/*.shp"], '
             'path_pattern = "{commune}/To {sheet}", skip_unreadable = true }')  # fmt: skip
    text = text.replace(f'parcels = "{(sample / "parcels.gpkg").as_posix()}"', layer)
    assert layer in text
    return write_config(folder, text)


def test_dask_reads_and_cuts_the_files_on_the_workers(tmp_path, client, monkeypatch):
    from gpmb_gis.partition import compute_progress_on

    config = _sample_in_sheet_files(tmp_path)
    single = compute_progress(config)
    # the sheet files give the one file's headline, and the run says what it skipped
    one_file = compute_progress(SAMPLE_CONFIG).progress_by_project
    assert single.progress_by_project["cleared_m2"].tolist() == pytest.approx(
        one_file["cleared_m2"].tolist(), rel=1e-12
    )
    assert single.qa_issues["check"].eq("file_unreadable").sum() == 1

    # the driver reads no sheet: every file is read and cut on the workers
    read_here = files_read(monkeypatch)
    on_dask = compute_progress_on(client, config)
    assert read_here == []
    _same_tables(single, on_dask)
    assert on_dask.inputs.in_layer["parcels"] == single.inputs.in_layer["parcels"]


def test_dask_stops_at_a_corrupt_file_naming_it(tmp_path, client):
    from gpmb_gis.partition import compute_progress_on

    config = _sample_in_sheet_files(tmp_path)
    config.write_text(config.read_text(encoding="utf-8").replace(
        ", skip_unreadable = true", ""), encoding="utf-8")  # fmt: skip
    with pytest.raises(InputError, match=r"To 98\.gpkg"):
        compute_progress_on(client, config)


def test_far_record_found_when_the_layer_writes_numbers_as_text(tmp_path):
    """Parcel numbers kept as text with leading zeros ("0105") are still found far away."""
    rows = _parcels()
    for row in rows:
        row["SOTHUA"] = f"{row['SOTHUA']:04d}"
    gpd.GeoDataFrame(rows, crs=CRS).to_file(tmp_path / "parcels.gpkg", engine="pyogrio")
    config = _case(tmp_path)
    gpd.GeoDataFrame(rows, crs=CRS).to_file(tmp_path / "parcels.gpkg", engine="pyogrio")
    result = compute_progress(config)
    qa = result.qa_issues.set_index("check")
    assert "record_outside_row" in qa.index  # sheet 2 / parcel 105, written "0105"
    assert result.progress_by_project.iloc[0].cleared_m2 == pytest.approx(400.0)


def test_parcel_inside_another_counts_once(tmp_path):
    """A parcel drawn wholly inside another (no edge shared): the union, 2 000 m², not 2 050."""
    write_layer(tmp_path / "row.gpkg", [{"name": "row", "geometry": rect(0, 0, 100, 20)}])
    write_layer(tmp_path / "parcels.gpkg", [
        {"SHBANDO": 1, "SOTHUA": 1, "geometry": rect(0, 0, 100, 20)},
        {"SHBANDO": 1, "SOTHUA": 2, "geometry": rect(40, 5, 50, 10)},
    ])  # fmt: skip
    write_book_csv(tmp_path / "book.csv", [
        {"Tờ bản đồ": 1, "Số thửa": k, "Ngày bàn giao": "01/03/2024"} for k in (1, 2)])  # fmt: skip
    config = write_config(tmp_path, 'province = "Lạng Sơn"\nas_of = 2024-06-30\n[layers]\n'
                          'parcels = "parcels.gpkg"\nhandovers = "book.csv"\n'
                          '[[projects]]\nid = "P"\nrow = "row.gpkg"\n')  # fmt: skip
    result = compute_progress(config)
    assert result.progress_by_project.iloc[0].cleared_m2 == pytest.approx(2000.0)
    assert "parcels_overlap" in set(result.qa_issues["check"])


def test_rtree_lookup_sees_edits_still_in_the_wal(tmp_path):
    """QGIS keeps edits in the -wal file until a checkpoint: the R-tree query must see them."""
    import sqlite3

    from gpmb_gis.nearby import gpkg_fids

    write_layer(tmp_path / "p.gpkg", [{"SOTHUA": 1, "geometry": rect(0, 0, 10, 10)}])
    con = sqlite3.connect(tmp_path / "p.gpkg")
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA wal_autocheckpoint=0")
    con.execute("INSERT INTO rtree_p_geom VALUES (99, 100, 110, 100, 110)")
    con.commit()
    try:
        assert (tmp_path / "p.gpkg-wal").exists()
        assert gpkg_fids(tmp_path / "p.gpkg", None, np.array([[95.0, 95, 120, 120]])).tolist() == [
            99
        ]
    finally:
        con.close()


# --- the handover join: all records at once against the rule one record at a time ----------

_key = st.sampled_from(["", "1", "2", "3"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["", "a", "b"]), _key, _key), max_size=12),
       st.lists(st.tuples(st.sampled_from(["", "a", "b", "z"]), _key, _key,
                          st.sampled_from([None, "P", "Q", "X"])), max_size=12))  # fmt: skip
def test_records_link_to_the_parcels_their_key_names(parcel_keys, record_keys):
    """Each record's parcels by the rule of the join, written for one record at a time.

    Every key part the parcels carry (commune, sheet: where any parcel has one; the parcel
    number always) must be present in the record and equal; a record lacking one, or naming
    a commune none of the parcels carries, links to nothing and is listed with its reason.
    A record without a project goes to every project unless the book names projects (then
    it is listed); one naming an unknown project goes to none.
    """
    parcels = pd.DataFrame(parcel_keys, columns=[C.KEY_COMMUNE, C.KEY_SHEET, C.KEY_PARCEL],
                           dtype=object)  # fmt: skip
    records = pd.DataFrame(record_keys, columns=[C.KEY_COMMUNE, C.KEY_SHEET, C.KEY_PARCEL,
                                                 C.PROJECT], dtype=object)  # fmt: skip
    records[C.RECORD_LABEL] = [f"row {i + 2}" for i in range(len(records))]
    records[C.SOURCE_SHEET] = "Sheet1"
    records[C.COMMUNE] = records[C.KEY_COMMUNE]
    links, findings = match_records(records, parcels, {"P": "Dự án P", "Q": "Dự án Q"})
    known = {c for c, _, _ in parcel_keys} - {""}
    has_sheets = any(s for _, s, _ in parcel_keys)
    names_projects = any(p is not None for *_, p in record_keys)
    expected, said = [], []
    for r, (kc, ks, kp, project) in enumerate(record_keys):
        if project == "X" or (project is None and names_projects):
            check = "record_unknown_project" if project else "record_no_project"
            said.append((f"row {r + 2}", check))
            continue
        hits = [p for p, (c, s, n) in enumerate(parcel_keys)
                if n == kp and (not known or c == kc) and (not has_sheets or s == ks)]  # fmt: skip
        if known and not kc:
            hits, reason = [], "record_no_commune"
        elif known and kc not in known:
            hits, reason = [], "record_commune_unknown"
        elif has_sheets and not ks:
            hits, reason = [], "record_no_sheet"
        else:
            hits, reason = ([], "record_no_parcel") if not kp else (hits, "record_no_parcel")
        if not hits:
            said.append((f"row {r + 2}", reason))
            continue
        if len(hits) > 1:
            said.append((f"row {r + 2}", "record_key_repeated"))
        expected += [(r, p, pid) for p in hits for pid in ([project] if project else ["P", "Q"])]
    assert list(links.itertuples(index=False, name=None)) == expected
    assert [(f.feature, f.check) for f in findings] == said
