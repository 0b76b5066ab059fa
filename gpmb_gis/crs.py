"""VN-2000 zones: province → central meridian → EPSG, zone checks, and WGS 84 for web maps.

Every geometry computation happens in the project's VN-2000 TM-3 zone (metres, k = 0.9999).
The central meridian of each province is set by Circular 973/2001/TT-TCĐC; EPSG defines one
projected CRS per meridian (EPSG:9205–9218 and 5896–5899).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from pyproj import CRS, Transformer

from gpmb_gis._errors import CRSError
from gpmb_gis._text import fold

T = TypeVar("T")

__all__ = [
    "PROVINCE_MERIDIANS",
    "TM3_EPSG_BY_MERIDIAN",
    "VN2000_GEOGRAPHIC",
    "WGS84",
    "Extent",
    "central_meridian",
    "check_extent",
    "crs_from_text",
    "province_crs",
    "to_wgs84_transformer",
]


#: EPSG code of the VN-2000 / TM-3 CRS for each central meridian (degrees east).
TM3_EPSG_BY_MERIDIAN: dict[float, int] = {
    102.0: 5896, 103.0: 9205, 104.0: 9206, 104.5: 9207, 104.75: 9208, 105.0: 5897,
    105.5: 9209, 105.75: 9210, 106.0: 9211, 106.25: 9212, 106.5: 9213, 107.0: 9214,
    107.25: 9215, 107.5: 9216, 107.75: 5899, 108.0: 5898, 108.25: 9217, 108.5: 9218,
}  # fmt: skip

#: Central meridian (degrees east) of each province, Circular 973/2001/TT-TCĐC, with the
#: provinces as they were before the 2025 mergers (and Hà Tây before 2008).
PROVINCE_MERIDIANS: dict[str, float] = {
    "Lai Châu": 103.0, "Điện Biên": 103.0, "Sơn La": 104.0, "Lào Cai": 104.75,
    "Yên Bái": 104.75, "Hà Giang": 105.5, "Tuyên Quang": 106.0, "Phú Thọ": 104.75,
    "Vĩnh Phúc": 105.0, "Cao Bằng": 105.75, "Lạng Sơn": 107.25, "Bắc Kạn": 106.5,
    "Thái Nguyên": 106.5, "Bắc Giang": 107.0, "Bắc Ninh": 105.5, "Quảng Ninh": 107.75,
    "Hải Phòng": 105.75, "Hải Dương": 105.5, "Hưng Yên": 105.5, "Hà Nội": 105.0,
    "Hà Tây": 105.0, "Hòa Bình": 106.0, "Hà Nam": 105.0, "Nam Định": 105.5,
    "Thái Bình": 105.5, "Ninh Bình": 105.0, "Thanh Hóa": 105.0, "Nghệ An": 104.75,
    "Hà Tĩnh": 105.5, "Quảng Bình": 106.0, "Quảng Trị": 106.25, "Thừa Thiên Huế": 107.0,
    "Đà Nẵng": 107.75, "Quảng Nam": 107.75, "Quảng Ngãi": 108.0, "Bình Định": 108.25,
    "Kon Tum": 107.5, "Gia Lai": 108.5, "Đắk Lắk": 108.5, "Đắk Nông": 108.5,
    "Phú Yên": 108.5, "Khánh Hòa": 108.25, "Ninh Thuận": 108.25, "Bình Thuận": 108.5,
    "Lâm Đồng": 107.75, "Bình Dương": 105.75, "Bình Phước": 106.25, "Đồng Nai": 107.75,
    "Bà Rịa - Vũng Tàu": 107.75, "Tây Ninh": 105.5, "Long An": 105.75,
    "Tiền Giang": 105.75, "Bến Tre": 105.75, "Đồng Tháp": 105.0, "Vĩnh Long": 105.5,
    "Trà Vinh": 105.5, "An Giang": 104.75, "Kiên Giang": 104.5, "Cần Thơ": 105.0,
    "Hậu Giang": 105.0, "Sóc Trăng": 105.5, "Bạc Liêu": 105.0, "Cà Mau": 104.5,
    "Hồ Chí Minh": 105.75,
}  # fmt: skip

_PROVINCE_ALIASES = {"ho chi minh": "Hồ Chí Minh", "sai gon": "Hồ Chí Minh",
                     "hue": "Thừa Thiên Huế", "bac can": "Bắc Kạn", "dak lak": "Đắk Lắk",
                     "dac lac": "Đắk Lắk", "dak nong": "Đắk Nông",
                     "brvt": "Bà Rịa - Vũng Tàu"}  # fmt: skip

WGS84 = "EPSG:4326"
VN2000_GEOGRAPHIC = "EPSG:4756"

# Vietnam's extent, degrees (with a margin), used to tell degrees from metres
_VN_LON = (101.5, 117.5)
_VN_LAT = (7.5, 23.7)
# a TM-3 zone is 3° wide: data further than this from its meridian is in another zone
_ZONE_HALF_WIDTH_DEG = 1.6
# UTM zones are 6° wide; data often spills a little over the zone edge
_UTM_HALF_WIDTH_DEG = 4.0


def _province_key(name: str) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", fold(name)).split()
    while words and words[0] in ("tinh", "tp", "thanh", "pho"):
        words = words[1:]
    return " ".join(words)


def _province_lookup(name: str) -> str | None:
    key = _province_key(name)
    for province in PROVINCE_MERIDIANS:
        if _province_key(province) == key:
            return province
    return _PROVINCE_ALIASES.get(key)


def province_crs(province: str) -> CRS:
    """Return the VN-2000 TM-3 CRS of a province.

    Parameters
    ----------
    province
        Province name, in any case or accent form, with or without "Tỉnh"/"TP.".

    Examples
    --------
    >>> province_crs("Lạng Sơn").to_epsg()
    9215
    >>> province_crs("quang ngai").to_epsg()
    5898
    """
    found = _province_lookup(province)
    if found is None:
        raise CRSError(
            f"province = {province!r}",
            "not a province of Vietnam known to the VN-2000 zone table",
            'spell it as in Circular 973/2001 (e.g. "Lạng Sơn"), or set crs = "EPSG:9215"',
        )
    return CRS.from_epsg(TM3_EPSG_BY_MERIDIAN[PROVINCE_MERIDIANS[found]])


def central_meridian(crs: CRS) -> float | None:
    """Return the central meridian of a transverse Mercator CRS, or None."""
    return _once_per_crs("meridian", crs, _central_meridian)


def _central_meridian(crs: CRS) -> float | None:
    conversion = crs.to_json_dict().get("conversion", {})
    for param in conversion.get("parameters", []):
        if "longitude of natural origin" in param.get("name", "").lower():
            return float(param["value"])
    return None


_PER_CRS: dict[tuple[str, str], Any] = {}


def _once_per_crs(what: str, crs: CRS, work: Callable[[CRS], T]) -> T:
    """``work(crs)`` worked out once per CRS as written (a file of many asks each time)."""
    key = (what, crs.srs)
    if key not in _PER_CRS:
        _PER_CRS[key] = work(crs)
    return _PER_CRS[key]


@dataclass(frozen=True)
class Extent:
    """A layer's bounding box: ``xmin, ymin, xmax, ymax``."""

    xmin: float
    ymin: float
    xmax: float
    ymax: float


#: Projected coordinates (metres) that a layer in Vietnam can have in any TM-3 or UTM zone.
_TM3_WINDOW = Extent(xmin=-200_000.0, ymin=800_000.0, xmax=1_200_000.0, ymax=2_650_000.0)


def _looks_like_degrees(ext: Extent) -> bool:
    return _VN_LON[0] <= ext.xmin <= ext.xmax <= _VN_LON[1] and (
        _VN_LAT[0] <= ext.ymin <= ext.ymax <= _VN_LAT[1]
    )


def _looks_like_lat_lon(ext: Extent) -> bool:
    return _VN_LAT[0] <= ext.xmin <= ext.xmax <= _VN_LAT[1] and (
        _VN_LON[0] <= ext.ymin <= ext.ymax <= _VN_LON[1]
    )


def _lon_of(x: float, y: float, crs: CRS) -> float:
    lon, _ = _to_vn2000_geographic(crs).transform(x, y)
    return float(lon)


def _to_vn2000_geographic(crs: CRS) -> Transformer:
    """The transformer to VN-2000 degrees, made once per CRS.

    pyproj's transformers may be shared between threads.
    """
    return _once_per_crs(
        "to degrees", crs, lambda c: Transformer.from_crs(c, VN2000_GEOGRAPHIC, always_xy=True)
    )


@functools.lru_cache(maxsize=64)
def crs_from_text(text: str) -> CRS:
    """A CRS from its text (``EPSG:9210``, WKT), parsed once."""
    return CRS.from_user_input(text)


def check_extent(ext: Extent, crs: CRS, *, where: str) -> None:
    """Check that a layer's coordinates fit its CRS; raise :class:`CRSError` naming the cause.

    Parameters
    ----------
    ext
        The layer's bounds, in the layer's own CRS.
    crs
        The CRS the layer declares (or takes from the config).
    where
        The layer's name or path, for the message.
    """
    if not all(np.isfinite([ext.xmin, ext.ymin, ext.xmax, ext.ymax])):
        return
    if crs.is_geographic:
        if _looks_like_degrees(ext):
            return
        if _looks_like_lat_lon(ext):
            raise CRSError(
                where,
                "latitude and longitude are swapped (X holds latitude)",
                "swap the columns, or declare the CRS with its axis order",
            )
        raise CRSError(
            where,
            f"coordinates ({ext.xmin:.0f}, {ext.ymin:.0f}) are not degrees "
            f"in Vietnam although the CRS is {crs.name}",
            'declare the layer\'s real CRS, e.g. crs = "EPSG:9215"',
        )
    _check_projected(ext, crs, where=where)


def _check_projected(ext: Extent, crs: CRS, *, where: str) -> None:
    name = crs.name
    if _looks_like_degrees(ext):
        raise CRSError(
            where,
            f"coordinates look like degrees (x {ext.xmin:.4f}..{ext.xmax:.4f})"
            f" but the CRS is {name}",
            'declare crs = "EPSG:4326" for this layer',
        )
    window = _TM3_WINDOW
    inside = window.xmin <= ext.xmin and ext.xmax <= window.xmax
    inside = inside and window.ymin <= ext.ymin and ext.ymax <= window.ymax
    if inside:
        _check_false_zone(ext, crs, where=where)
        return
    swapped = window.xmin <= ext.ymin and ext.ymax <= window.xmax
    if swapped and window.ymin <= ext.xmin and ext.xmax <= window.ymax:
        raise CRSError(
            where,
            f"X and Y look swapped (X {ext.xmin:.0f} is a northing) in {name}",
            "survey tables put northing (X) first: swap the columns before loading",
        )
    raise CRSError(
        where,
        f"coordinates ({ext.xmin:.0f}, {ext.ymin:.0f}) do not fit {name}",
        'check the layer\'s CRS (.prj) or set crs = "EPSG:…" for it in the config',
    )


def _check_false_zone(ext: Extent, crs: CRS, *, where: str) -> None:
    """Catch UTM coordinates declared as TM-3 (or TM-3 of another meridian)."""
    meridian = central_meridian(crs)
    if meridian is None:
        return
    lon = _lon_of((ext.xmin + ext.xmax) / 2, (ext.ymin + ext.ymax) / 2, crs)
    if not _VN_LON[0] <= lon <= _VN_LON[1]:
        raise CRSError(
            where,
            f"coordinates fall at longitude {lon:.2f}° outside Vietnam in {crs.name}",
            "declare the layer's real CRS in the config",
        )
    half_width = _ZONE_HALF_WIDTH_DEG if "TM-3" in crs.name else _UTM_HALF_WIDTH_DEG
    if abs(lon - meridian) > half_width:
        guess = _guess_zone(ext, meridian)
        hint = f"probably {guess.name} (EPSG:{guess.to_epsg()})" if guess else "in another zone"
        code = f"EPSG:{guess.to_epsg()}" if guess else "EPSG:…"
        raise CRSError(
            where,
            f"coordinates fall {abs(lon - meridian):.1f}° from the central "
            f"meridian {meridian:g}° of {crs.name}: the layer is {hint}",
            f'declare the layer\'s real CRS in the config, e.g. crs = "{code}"',
        )


def _guess_zone(ext: Extent, meridian: float) -> CRS | None:
    """The CRS (UTM 48N/49N first, then TM-3 zones) in which the extent lands near meridian."""
    x, y = (ext.xmin + ext.xmax) / 2, (ext.ymin + ext.ymax) / 2
    for code in (3405, 3406, *TM3_EPSG_BY_MERIDIAN.values()):
        candidate = CRS.from_epsg(code)
        if central_meridian(candidate) == meridian:
            continue
        lon = _lon_of(x, y, candidate)
        if abs(lon - meridian) <= _ZONE_HALF_WIDTH_DEG:
            return candidate
    return None


def to_wgs84_transformer(crs: CRS) -> Transformer:
    """Return the transformer from ``crs`` to WGS 84 with the VN-2000 datum shift.

    ``allow_ballpark=False`` makes PROJ refuse a transformation that ignores the datum shift
    (about 220 m near Lạng Sơn).
    """
    return Transformer.from_crs(crs, WGS84, always_xy=True, allow_ballpark=False)
