"""VN-2000 zones, zone checks and the datum shift."""

from __future__ import annotations

import pytest
from pyproj import CRS, Transformer

from gpmb_gis._errors import CRSError
from gpmb_gis.crs import (
    PROVINCE_MERIDIANS,
    TM3_EPSG_BY_MERIDIAN,
    Extent,
    central_meridian,
    check_extent,
    province_crs,
    to_wgs84_transformer,
)

TM3 = CRS.from_epsg(9215)
# Cao Lộc area in EPSG:9215
CAO_LOC = Extent(440_000, 2_405_000, 466_000, 2_432_000)


@pytest.mark.parametrize(
    ("province", "epsg"),
    [
        ("Lạng Sơn", 9215),
        ("lang son", 9215),
        ("Tỉnh Quảng Ngãi", 5898),
        ("Hà Nội", 5897),
        ("TP. Hồ Chí Minh", 9210),
        ("Cà Mau", 9207),
        ("Quảng Ninh", 5899),
        ("Đắk Lắk", 9218),
    ],
)
def test_province_crs(province, epsg):
    assert province_crs(province).to_epsg() == epsg


def test_every_province_has_a_tm3_crs_with_its_meridian():
    assert len(PROVINCE_MERIDIANS) >= 63
    for province, meridian in PROVINCE_MERIDIANS.items():
        crs = CRS.from_epsg(TM3_EPSG_BY_MERIDIAN[meridian])
        assert central_meridian(crs) == pytest.approx(meridian), province
        assert "VN-2000" in crs.name and "TM-3" in crs.name


def test_unknown_province_is_an_error():
    with pytest.raises(CRSError, match="not a province"):
        province_crs("Atlantis")


def test_good_extent_passes():
    check_extent(CAO_LOC, TM3, where="x")


def test_degrees_in_projected_crs():
    with pytest.raises(CRSError, match="degrees"):
        check_extent(Extent(106.7, 21.8, 106.9, 22.0), TM3, where="parcels.shp")


def test_swapped_axes():
    swapped = Extent(CAO_LOC.ymin, CAO_LOC.xmin, CAO_LOC.ymax, CAO_LOC.xmax)
    with pytest.raises(CRSError, match="swapped"):
        check_extent(swapped, TM3, where="parcels.shp")


def test_utm48_labelled_as_tm3():
    to_utm = Transformer.from_crs(TM3, 3405, always_xy=True)
    x0, y0 = to_utm.transform(CAO_LOC.xmin, CAO_LOC.ymin)
    x1, y1 = to_utm.transform(CAO_LOC.xmax, CAO_LOC.ymax)
    with pytest.raises(CRSError, match="UTM zone 48N"):
        check_extent(Extent(x0, y0, x1, y1), TM3, where="parcels.shp")


def test_lat_lon_swapped_in_geographic():
    with pytest.raises(CRSError, match="swapped"):
        check_extent(Extent(21.8, 106.7, 22.0, 106.9), CRS.from_epsg(4326), where="x")


def test_wgs84_transform_applies_the_datum_shift():
    exact = to_wgs84_transformer(TM3)
    assert "VN-2000 to WGS 84" in exact.description
    lon, lat = exact.transform(450_000, 2_420_000)
    no_shift = Transformer.from_crs(TM3, "+proj=longlat +ellps=WGS84 +no_defs", always_xy=True)
    lon0, lat0 = no_shift.transform(450_000, 2_420_000)
    geod = CRS.from_epsg(4326).get_geod()
    _, _, metres = geod.inv(lon, lat, lon0, lat0)
    assert 150 < metres < 300  # about 220 m near Lạng Sơn
