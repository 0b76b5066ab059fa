"""The measurement on hand-made geometry whose areas are known on paper (docs/metrics.md)."""

from __future__ import annotations

import pytest
from helpers import day, rect, simple_config, write_book_csv, write_config, write_layer

from gpmb_gis import compute_progress


def by_commune(result):
    return result.progress_by_commune.set_index("commune")


def test_project_figures_by_hand(hand_config):
    # as of 01/04/2024: A (800) handed over, C (400) DGT already clear; D's handover is
    # dated 01/05/2024, after the report date; 90–100 m has no parcel.
    result = compute_progress(hand_config)
    row = result.progress_by_project.iloc[0]
    assert row.required_m2 == pytest.approx(2000)
    assert row.cleared_m2 == pytest.approx(1200)
    assert row.cleared_pct == pytest.approx(60.0)
    assert row.unmapped_m2 == pytest.approx(200)
    assert row.parcels_affected == 4
    assert row.parcels_cleared == 2
    # B (paid) covers 40–70; D's overlap with A and B counts once
    assert row.paid_m2 == pytest.approx(1800)


def test_overlap_counted_once_after_handover_of_the_overlapping_parcel(hand_config):
    # as of 01/06/2024 D is handed over too: cleared = 0–50 ∪ 70–90 = 1400, not 800+400+400
    result = compute_progress(hand_config, day("01/06/2024"))
    assert result.progress_by_project.iloc[0].cleared_m2 == pytest.approx(1400)


def test_commune_figures_by_hand(hand_config):
    communes = by_commune(compute_progress(hand_config))
    west, east = communes.loc["Xã Hợp Thành"], communes.loc["Xã Tân Liên"]
    assert (west.required_m2, west.cleared_m2, west.unmapped_m2) == pytest.approx((1000, 800, 0))
    assert (east.required_m2, east.cleared_m2, east.unmapped_m2) == pytest.approx((1000, 400, 200))
    assert west.commune_code == "01"
    assert west.paid_m2 == pytest.approx(1000)  # 0–40 handed over, 40–50 under B (paid)


def test_communes_add_up_to_the_project(hand_config):
    result = compute_progress(hand_config)
    project = result.progress_by_project.iloc[0]
    communes = result.progress_by_commune
    for col in ("required_m2", "cleared_m2", "unmapped_m2"):
        assert communes[col].sum() == pytest.approx(project[col], abs=0.01)


def test_half_inside_parcel_and_parcels_table(hand_config):
    parcels = compute_progress(hand_config).parcels.set_index("parcel")
    assert parcels.loc[2, "affected_m2"] == pytest.approx(600)  # 900 m², half inside
    assert parcels.loc[2, "stage"] == "paid"
    assert parcels.loc[3, "stage"] == "already_clear"
    assert parcels.loc[4, "stage"] == "not_started"  # handover dated after the report date
    assert parcels.loc[4, "handover_date"] is None
    assert str(parcels.loc[1, "handover_date"]) == "2024-03-01"
    assert "owner" not in parcels.columns


def test_status_counts_when_there_are_no_dates(tmp_path):
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, 0, 10, 10)}])
    write_layer(
        tmp_path / "parcels.gpkg",
        [
            {"SHBANDO": 1, "SOTHUA": 1, "geometry": rect(0, 0, 5, 10)},
            {"SHBANDO": 1, "SOTHUA": 2, "geometry": rect(5, 0, 10, 10)},
        ],
    )
    write_book_csv(
        tmp_path / "book.csv",
        [
            {"Tờ bản đồ": 1, "Số thửa": 1, "Trạng thái": "ĐÃ BÀN GIAO MẶT BẰNG"},
            {"Tờ bản đồ": 1, "Số thửa": 2, "Trạng thái": "đã nhận tiền"},
        ],
    )
    cfg = write_config(
        tmp_path,
        'province = "Lạng Sơn"\nas_of = 2020-01-01\n[layers]\n'
        'parcels = "parcels.gpkg"\nhandovers = "book.csv"\n[[projects]]\n'
        'id = "X"\nrow = "row.gpkg"\n',
    )
    row = compute_progress(cfg).progress_by_project.iloc[0]
    assert row.cleared_m2 == pytest.approx(50)
    assert row.paid_m2 == pytest.approx(100)


def test_records_are_accounted_for(hand_config):
    records = compute_progress(hand_config).records.set_index("layer")
    assert (records["read"] == records["used"] + records["listed"]).all()
    assert records.loc["handovers", "read"] == 3


def test_book_name_unknown_to_parcel_codes_matches_nothing(tmp_path):
    """Without a communes layer, a name cannot be linked to a code: no guess on sheet + parcel."""
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, 0, 10, 10)}])
    write_layer(
        tmp_path / "parcels.gpkg",
        [{"MAXA": "06040", "SHBANDO": 1, "SOTHUA": 1, "geometry": rect(0, 0, 10, 10)}],
    )
    write_book_csv(
        tmp_path / "book.csv",
        [{"Xã": "Xã Hợp Thành", "Tờ bản đồ": 1, "Số thửa": 1, "Ngày bàn giao": "01/03/2024"}],
    )
    cfg = simple_config(tmp_path)
    result = compute_progress(cfg)
    assert result.progress_by_project.iloc[0].cleared_pct == 0.0
    qa = result.qa_issues.set_index("check").loc["record_commune_unknown"]
    assert qa.severity == "error"
    assert "06040 / tờ 1 / thửa 1" in qa.message  # the key it may have meant


def test_without_communes_layer_a_commune_is_the_union_of_its_pieces(tmp_path):
    # A (commune X) 0–10 and B (commune Y) 5–15 overlap on 5–10; the ROW is 0–20 × 0–10
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, 0, 20, 10)}])
    write_layer(
        tmp_path / "parcels.gpkg",
        [
            {"TENXA": "X", "SHBANDO": 1, "SOTHUA": 1, "geometry": rect(0, 0, 10, 10)},
            {"TENXA": "Y", "SHBANDO": 1, "SOTHUA": 2, "geometry": rect(5, 0, 15, 10)},
        ],
    )
    write_book_csv(
        tmp_path / "book.csv",
        [{"Xã": "Y", "Tờ bản đồ": 1, "Số thửa": 2, "Ngày bàn giao": "01/03/2024"}],
    )
    cfg = simple_config(tmp_path)
    result = compute_progress(cfg)
    project = result.progress_by_project.iloc[0]
    assert (project.required_m2, project.cleared_m2, project.unmapped_m2) == pytest.approx(
        (200, 100, 50)
    )
    communes = by_commune(result)
    assert communes.loc["X", "required_m2"] == pytest.approx(100)
    assert communes.loc["X", "cleared_m2"] == pytest.approx(50)  # B's handover covers 5–10
    assert communes.loc["Y", "required_m2"] == pytest.approx(100)
    assert communes.loc["Y", "cleared_m2"] == pytest.approx(100)
    # land outside every parcel is in no commune: a row of its own, so the table adds up
    assert communes.loc[["X", "Y"], "unmapped_m2"].sum() == 0
    unmapped = communes.loc["(đất không thuộc thửa nào)"]
    assert (unmapped.required_m2, unmapped.cleared_m2, unmapped.unmapped_m2) == (50, 0, 50)


@pytest.mark.parametrize(
    ("written", "matched"),
    [
        ("QL4B", "QL4B"),
        ("ql4b", "QL4B"),
        ("Dự án QL4B", "QL4B"),
        ("Cao tốc Hữu Nghị - Chi Lăng", "CT"),
        ("CAO TOC HUU NGHI CHI LANG", "CT"),
        ("Đường tỉnh 241", None),
    ],
)
def test_record_project_by_id_or_name(written, matched):
    from gpmb_gis._text import fold
    from gpmb_gis.join import match_project

    projects = {
        "QL4B": "Cải tạo, nâng cấp QL4B (Km3+700 – Km18)",
        "CT": "Cao tốc cửa khẩu Hữu Nghị – Chi Lăng (BOT)",
    }
    by_key = {fold(n): p for p, n in projects.items()} | {fold(p): p for p in projects}
    assert match_project(written, by_key) == matched


def test_what_if_takes_the_parcels_commune_when_the_parcels_carry_one(hand_config):
    """B (sheet 5 / parcel 2, paid) handed over: 0–70 m is then clear, plus C's DGT."""
    from gpmb_gis import what_if

    result = compute_progress(hand_config, day("01/06/2024"))
    assert result.progress_by_project.loc[0, "cleared_m2"] == pytest.approx(1400.0)
    plan = what_if(result, [(5, 2)], day("30/06/2024"))
    assert plan.progress_by_project.loc[0, "cleared_m2"] == pytest.approx(1800.0)
    assert "records_unaccounted" not in set(plan.qa_issues["check"])
    # the result asked about is left as it was
    assert result.progress_by_project.loc[0, "cleared_m2"] == pytest.approx(1400.0)


def test_what_if_refuses_a_parcel_that_changes_nothing(hand_config):
    from gpmb_gis import InputError, what_if

    result = compute_progress(hand_config, day("01/06/2024"))
    with pytest.raises(InputError, match="sheet 9 / parcel 9"):
        what_if(result, [(5, 2), (9, 9)], day("30/06/2024"))
