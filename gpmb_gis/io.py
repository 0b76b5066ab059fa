"""Reading layers and handover books: formats, column aliases, text encodings.

Vector layers are read with pyogrio (any format GDAL reads); handover books from .xlsx, .xls
and .csv as offices keep them: title rows above the heading, merged heading cells, a numbering
row, commune section rows, a total row at the bottom.
"""

from __future__ import annotations

import csv
import functools
import glob
import operator
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from io import StringIO
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from gpmb_gis import columns as C
from gpmb_gis import nearby, settings
from gpmb_gis._drawing import polygons_from_drawing
from gpmb_gis._errors import CRSError, InputError
from gpmb_gis._findings import ERROR, INFO, WARNING, Finding
from gpmb_gis._text import (
    LEGACY_ENCODINGS,
    best_decoding,
    decode_legacy,
    fold,
    is_vietnamese_text,
    looks_legacy,
    nfc,
    number_key,
)
from gpmb_gis.config import LayerSource
from gpmb_gis.crs import Extent, check_extent
from gpmb_gis.nearby import Window

#: Column aliases by layer: canonical name → names real files use (matched folded, without
#: spaces or punctuation).
ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "parcels": {
        C.COMMUNE: (
            "commune",
            "MAXA",
            "MaXa",
            "Ma_Xa",
            "TENXA",
            "TenXa",
            "Ten_Xa",
            "Xã",
            "Xa",
            "Tên xã",
            "Xã/Phường",
            "Xã/Phường/Thị trấn",
        ),
        C.SHEET: (
            "sheet",
            "SHBANDO",
            "SoHieuToBanDo",
            "SOTO",
            "So_to",
            "To_BD",
            "ToBD",
            "Số tờ",
            "Tờ",
            "Tờ bản đồ",
            "Số tờ bản đồ",
            "SHBD",
            "SoTo",
        ),
        C.PARCEL: (
            "parcel",
            "SOTHUA",
            "SoThuTuThua",
            "SO_THUA",
            "So_thua",
            "Số thửa",
            "Thửa",
            "Thửa số",
            "STT thửa",
            "SoThua",
        ),
        C.LAND_USE: (
            "land_use",
            "KHLOAIDAT",
            "MaLoaiDat",
            "LOAIDAT",
            "Loai_dat",
            "Loại đất",
            "Mã loại đất",
            "MDSD",
            "Mục đích sử dụng",
        ),
        C.LEGAL_AREA_M2: (
            "legal_area_m2",
            "DIENTICH",
            "DienTich",
            "Diện tích",
            "Tong_dien_",
            "DT",
            "Diện tích (m2)",
            "Diện tích pháp lý",
            "DTPL",
        ),
        C.OWNER: (
            "owner",
            "CHUSUDUNG",
            "TenChu",
            "Chủ sử dụng",
            "Chu_SD",
            "Tên chủ",
            "Tên chủ sử dụng",
            "Họ và tên",
            "Họ tên",
            "Chủ hộ",
        ),
    },
    "communes": {
        C.COMMUNE_CODE: ("commune_code", "MAXA", "MaXa", "Ma_Xa", "Mã xã", "code", "GID_3"),
        C.COMMUNE: ("commune", "TENXA", "TenXa", "Ten", "Tên", "Tên xã", "name", "NAME_3", "Xã"),
    },
    "handovers": {
        C.PROJECT: ("project", "Dự án", "Mã dự án", "Tên dự án", "Công trình"),
        C.COMMUNE: (
            "commune",
            "Xã",
            "Xã/Phường",
            "Xã/Phường/Thị trấn",
            "Xã, phường, thị trấn",
            "Địa bàn",
            "MAXA",
            "TENXA",
            "Đơn vị hành chính",
        ),
        C.SHEET: (
            "sheet",
            "Tờ bản đồ",
            "Số tờ",
            "Tờ",
            "Số tờ bản đồ",
            "Tờ BĐ",
            "Tờ bản đồ số",
            "Số hiệu tờ",
            "Số hiệu tờ bản đồ",
            "SHBANDO",
            "SOTO",
            "To_BD",
        ),
        C.PARCEL: ("parcel", "Số thửa", "Thửa", "Thửa số", "Thửa đất số", "SOTHUA", "So_thua"),
        C.INVENTORY_DATE: ("inventory_date", "Ngày kiểm đếm", "Kiểm đếm", "Ngày KĐ"),
        C.PLAN_APPROVED_DATE: (
            "plan_approved_date",
            "Ngày phê duyệt",
            "Ngày phê duyệt PA",
            "Phê duyệt",
            "Ngày phê duyệt phương án",
            "Phê duyệt phương án",
            "Ngày PD",
        ),
        C.PAID_DATE: ("paid_date", "Ngày chi trả", "Chi trả", "Ngày nhận tiền", "Nhận tiền"),
        C.HANDOVER_DATE: (
            "handover_date",
            "Ngày bàn giao",
            "Bàn giao",
            "Ngày bàn giao mặt bằng",
            "Bàn giao mặt bằng",
            "Ngày BGMB",
            "Ngày giao mặt bằng",
            "Ngày bàn giao MB",
            "Ngày BG",
            "Ngày BGMB",
        ),
        C.STATUS: ("status", "Trạng thái", "Tình trạng", "Tiến độ"),
        C.ENFORCEMENT: ("enforcement", "Cưỡng chế"),
        C.COMPLAINT: ("complaint", "Khiếu nại", "Đơn thư", "Đơn thư khiếu nại"),
        C.OWNER: (
            "owner",
            "Chủ sử dụng",
            "Họ và tên",
            "Họ tên",
            "Tên chủ sử dụng",
            "Chủ hộ",
            "Tên chủ hộ",
        ),
        C.NOTE: ("note", "Ghi chú"),
        C.LAND_USE: ("land_use", "Loại đất"),
    },
}
ALIASES["handovers"][C.INVENTORY_DATE] += ("Ngày Kiểm đếm",)
_ROW_ALIASES = {C.SITE: ("site", "Tên điểm", "Điểm", "Vị trí", "Tên", "name")}
ALIASES["centerline"] = {
    "start_chainage": ("start_chainage", "Lý trình đầu", "Km đầu", "KM_DAU", "tu_km", "from_km",
                       "LT_DAU", "Điểm đầu"),
    "end_chainage": ("end_chainage", "Lý trình cuối", "Km cuối", "KM_CUOI", "den_km", "to_km",
                     "LT_CUOI", "Điểm cuối"),
}  # fmt: skip

#: Status words → stage (matched folded, longest first).
STATUS_WORDS: dict[str, str] = {
    "chua kiem dem": C.NOT_STARTED, "chua thuc hien": C.NOT_STARTED,
    "not started": C.NOT_STARTED, "not_started": C.NOT_STARTED,
    "da kiem dem": C.INVENTORIED, "kiem dem": C.INVENTORIED, "inventoried": C.INVENTORIED,
    "da phe duyet": C.PLAN_APPROVED, "phe duyet": C.PLAN_APPROVED,
    "plan approved": C.PLAN_APPROVED, "plan_approved": C.PLAN_APPROVED,
    "approved": C.PLAN_APPROVED,
    "da chi tra": C.PAID, "da nhan tien": C.PAID, "chi tra": C.PAID, "paid": C.PAID,
    "da ban giao": C.HANDED_OVER, "ban giao": C.HANDED_OVER, "handed over": C.HANDED_OVER,
    "handed_over": C.HANDED_OVER, "da giao mat bang": C.HANDED_OVER, "da bgmb": C.HANDED_OVER,
    "bgmb": C.HANDED_OVER, "hoan thanh": C.HANDED_OVER,
}  # fmt: skip
#: Abbreviations offices write for a step done, matched as whole words ("Đã BG", "KĐ xong").
_ABBREVIATIONS = {"bg": C.HANDED_OVER, "kd": C.INVENTORIED, "pd": C.PLAN_APPROVED,
                  "pdpa": C.PLAN_APPROVED, "ct": C.PAID}  # fmt: skip
#: "Chưa <step>" (not yet) and "Đang <step>" (under way): the stage before that step.
_NOT_YET = {"kiem dem": C.NOT_STARTED, "kd": C.NOT_STARTED, "phe duyet": C.INVENTORIED,
            "pd": C.INVENTORIED, "lap phuong an": C.INVENTORIED, "lap pa": C.INVENTORIED,
            "tham dinh": C.INVENTORIED, "lap ho so": C.INVENTORIED, "chi tra": C.PLAN_APPROVED,
            "ct": C.PLAN_APPROVED, "nhan tien": C.PLAN_APPROVED, "ban giao": C.PAID,
            "bgmb": C.PAID, "bg": C.PAID, "giao mat bang": C.PAID}  # fmt: skip
#: Status words that set a record's flags, not its stage: (enforcement, complaint).
_FLAG_WORDS = {"cuong che": (True, False), "khieu nai": (False, True), "don thu": (False, True),
               "khieu kien": (False, True), "to cao": (False, True)}  # fmt: skip

_FALSE_WORDS = {"", "khong", "no", "false", "0", "k", "-"}
_TOTAL_WORDS = ("tong cong", "tong", "cong", "total", "sum")


def _colkey(name: object) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(name))


@functools.cache
def _alias_keys(layer: str) -> dict[str, str]:
    aliases = ALIASES.get(layer, _ROW_ALIASES)
    return {_colkey(alias): canon for canon, names in aliases.items() for alias in names}


def match_columns(
    names: Iterable[object], layer: str, fields: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Map a file's column names to canonical names.

    Parameters
    ----------
    names
        Column names as they are in the file.
    layer
        ``parcels``, ``communes``, ``handovers`` or ``row``.
    fields
        The config's ``[fields.<layer>]`` table: source name → canonical name; wins over aliases.

    Returns
    -------
    dict
        Source name → canonical name, for the columns recognised (first match wins).
    """
    wanted = _alias_keys(layer)
    explicit = {_colkey(src): canon for src, canon in (fields or {}).items()}
    out: dict[str, str] = {}
    taken: set[str] = set()
    for pass_map in (explicit, wanted):
        for name in names:
            key = _colkey(name)
            canon = pass_map.get(key)
            if canon and canon not in taken and name not in out:
                out[str(name)] = canon
                taken.add(canon)
    return out


def field_notes(fields: Mapping[str, Mapping[str, str]]) -> list[Finding]:
    """Note each ``[fields.<layer>]`` entry that gives a built-in column name another meaning.

    ``DIENTICH = "sheet"`` is obeyed, but the layer's ``DIENTICH`` no longer gives the legal
    area: the QA table says so, so that a mapping copied from another office is noticed.
    """
    notes = []
    for layer, table in fields.items():
        builtin = _alias_keys(layer)
        for source, target in table.items():
            meant = builtin.get(_colkey(source))
            if meant is not None and meant != target:
                notes.append(Finding(WARNING, "field_shadows_alias", "config",
                                     f"[fields.{layer}] {source}",
                                     params={"column": source, "target": target,
                                             "builtin": meant}))  # fmt: skip
    return notes


def nearest_column(wanted: str, layer: str, found: Iterable[object]) -> str | None:
    """Return the column among ``found`` whose name is closest to ``wanted`` or its aliases."""
    import difflib

    found = [str(f) for f in found]
    keys = {_colkey(f): f for f in found}
    aliases = [_colkey(a) for a in ALIASES.get(layer, {}).get(wanted, (wanted,))]
    best, best_ratio = None, 0.0
    for alias in aliases:
        for key, original in keys.items():
            ratio = difflib.SequenceMatcher(None, alias, key).ratio()
            if ratio > best_ratio:
                best, best_ratio = original, ratio
    return best if best_ratio >= 0.5 else None


# --- vector layers -------------------------------------------------------------------------


def _read_window(source: LayerSource, window: Window | None, kwargs: dict[str, Any],
                 ) -> gpd.GeoDataFrame:  # fmt: skip
    """Read a layer whole, or only the features whose shape meets ``window``'s.

    The features come from the file's spatial index where it has one; of those, only the
    ones whose shape meets the right of way's (:func:`nearby.touching`) are kept. The
    feature's place in the file is kept in ``_row`` (0-based) for labels and findings.
    """
    if window is None:
        if nearby.is_parquet(source.path):
            return nearby.read_parquet_rows(source.path, None)
        frame = pyogrio.read_dataframe(source.path, **kwargs)
        frame["_row"] = np.arange(len(frame))
        return frame
    if window.driver == "GPKG":
        frame = _read_gpkg_near(source, window, kwargs)
        if frame is not None:
            return frame
    if nearby.is_parquet(source.path):
        rows = nearby.parquet_rows(source.path, window.boxes)
        frame = nearby.read_parquet_rows(source.path, rows)
        return _touching_row(frame, window)
    fids = None
    if window.driver == "ESRI Shapefile":
        fids = nearby.shapefile_fids(source.path, window.boxes)
    if fids is not None:  # a .dbf's text is decoded as a whole read decodes it
        frame = pyogrio.read_dataframe(source.path, fids=fids, fid_as_index=True, **kwargs)
    else:
        mask = shapely.union_all(shapely.box(*window.boxes.T))
        frame = pyogrio.read_dataframe(source.path, mask=mask, fid_as_index=True, **kwargs)
    frame = _touching_row(frame, window)
    first_fid = 1 if window.driver == "GPKG" else 0  # GeoPackage counts features from 1
    frame["_row"] = np.asarray(frame.index, dtype=np.int64) - first_fid
    return frame.reset_index(drop=True)


def _touching_row(frame: gpd.GeoDataFrame, window: Window) -> gpd.GeoDataFrame:
    """The features of ``frame`` whose shape meets the window's (:func:`nearby.touching`)."""
    return frame[nearby.touching(frame.geometry.to_numpy(), window.shapes)]


def _read_gpkg_near(source: LayerSource, window: Window, kwargs: dict[str, Any],
                    ) -> gpd.GeoDataFrame | None:  # fmt: skip
    """The features of a GeoPackage that meet the window, found through its R-tree.

    The boxes are taken in parts (one per core, a few at most), each looked up, read and
    tested on a thread of its own: SQLite, OGR and GEOS work without Python's lock, so the
    parts overlap. None when the file has no R-tree.
    """
    n_parts = max(1, min(os.cpu_count() or 1, _MAX_READ_PARTS,
                         len(window.boxes) // _BOXES_PER_PART))  # fmt: skip
    parts = np.array_split(np.arange(len(window.boxes)), n_parts)

    def near(part: np.ndarray) -> gpd.GeoDataFrame | None:
        fids = nearby.gpkg_fids(source.path, source.layer, window.boxes[part])
        if fids is None:
            return None
        # UTF-8 by definition: Arrow is safe
        frame = pyogrio.read_dataframe(source.path, fids=fids, use_arrow=True,
                                       fid_as_index=True, **kwargs)  # fmt: skip
        return _touching_row(frame, window)

    if n_parts == 1:
        found = [near(parts[0])]
    else:
        with ThreadPoolExecutor(max_workers=n_parts) as pool:
            found = list(pool.map(near, parts))
    if any(frame is None for frame in found):
        return None
    frame = found[0] if len(found) == 1 else pd.concat(found)
    # a feature near the edge of two parts is found by both: once, in the file's order
    frame = frame[~frame.index.duplicated()].sort_index()
    frame = nearby.object_text(frame)
    frame["_row"] = np.asarray(frame.index, dtype=np.int64) - 1  # GeoPackage counts from 1
    return frame.reset_index(drop=True)


#: A window's boxes are read in up to this many parts at once, each of at least
#: ``_BOXES_PER_PART`` boxes (a small window is read in one go).
_MAX_READ_PARTS = 4
_BOXES_PER_PART = 100


def _check_shapefile_parts(source: LayerSource) -> None:
    """A shapefile is several files: say which one is missing, not what follows from it."""
    path = source.path
    if path.suffix.lower() != ".shp" or not path.is_file():
        return
    present = {p.suffix.lower() for p in path.parent.glob(f"{glob.escape(path.stem)}.*")}
    for part, what in ((".shx", "its index"), (".dbf", "its attribute table")):
        if part not in present:
            raise InputError(source.label(), f"the shapefile has no {path.stem}{part} "
                             f"({what}) beside it",
                             "copy all the files of the shapefile together (.shp, .shx, .dbf, "
                             ".prj, .cpg)")  # fmt: skip


def _read_vector(source: LayerSource, window: Window | None = None,
                 ) -> tuple[gpd.GeoDataFrame, bool]:  # fmt: skip
    """Read a layer; also say whether its text had to be read byte for byte (Latin-1).

    A file whose declared encoding (a .cpg saying UTF-8, say) does not decode is read again
    byte for byte, so that the legacy-encoding check can recover the text.
    """
    _check_shapefile_parts(source)
    encoding = source.encoding
    kwargs: dict[str, Any] = {}
    if encoding in LEGACY_ENCODINGS:
        kwargs["encoding"] = "latin1"
    elif encoding:
        kwargs["encoding"] = encoding
    if source.layer:
        kwargs["layer"] = source.layer
    try:
        try:
            return _read_window(source, window, kwargs), False
        except UnicodeDecodeError:
            if encoding in LEGACY_ENCODINGS:
                raise
            return _read_window(source, window, {**kwargs, "encoding": "latin1"}), True
    except Exception as exc:  # GDAL reports every failure through its own classes
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if source.layer and "layer" in message.lower():
            layers = ", ".join(str(n) for n, _ in _list_layers(source.path))
            raise InputError(
                source.label(), f"layer not found ({message})", f"use one of: {layers}"
            ) from exc
        raise InputError(
            source.label(),
            f"cannot be read as a GIS layer ({message})",
            "check that the file is complete and in a format GDAL reads "
            "(GPKG, Shapefile with .dbf/.shx, GeoJSON, DXF, DGN, ...)",
        ) from exc


def _list_layers(path: Path) -> list[tuple[str, str]]:
    try:
        return [tuple(x) for x in pyogrio.list_layers(path)]
    except Exception:
        return []


def _convert_text(
    df: pd.DataFrame, source: LayerSource, layer: str, *, bytewise: bool = False
) -> list[Finding]:
    """Apply a declared legacy encoding, detect an undeclared one, and normalise to NFC.

    ``bytewise`` says the text was read as Latin-1 because its declared encoding failed;
    columns that are neither TCVN3 nor VNI are then read as Windows-1258 (Vietnamese).
    """
    findings: list[Finding] = []
    if bytewise:
        findings.append(Finding(WARNING, "encoding_declared_wrong", layer, params={
            "file": source.path.name}))  # fmt: skip
    text_cols = [c for c in df.columns if c != "geometry" and _is_text(df[c])]
    for col in text_cols:
        values = df[col]
        if source.encoding in LEGACY_ENCODINGS:
            df[col] = values.map(lambda v: decode_legacy(v, source.encoding))
            continue
        joined = _joined(values.dropna().tolist())
        if joined.isascii():  # no legacy encoding to find, nothing to normalise
            continue
        if bytewise:
            best = best_decoding(list(values))
            guess = best if best in LEGACY_ENCODINGS else None
        else:
            guess = _guess_column_encoding(values)
        if guess:
            df[col] = values.map(lambda v, g=guess: decode_legacy(v, g))
            params = {"column": col, "encoding": guess, "example": _first_text(values)}
            findings.append(Finding(WARNING, "legacy_encoding", layer, f"column {col}",
                                    params=params))  # fmt: skip
        elif bytewise:
            df[col] = values.map(_from_cp1258)
        elif not _in_nfc(joined):
            df[col] = values.map(lambda v: nfc(v) if isinstance(v, str) else v)
    return findings


def _joined(cells: list[Any]) -> str:
    """The text among ``cells`` in one string, NUL between cells (numbers and blanks aside).

    One string answers for all the cells at once: ASCII, or in NFC (:func:`_in_nfc`).
    """
    try:
        return "\x00".join(cells)
    except TypeError:  # numbers or blanks among the text
        return "\x00".join(v for v in cells if isinstance(v, str))


def _in_nfc(joined: str) -> bool:
    """Whether every cell of a :func:`_joined` text is in NFC (NUL composes with nothing)."""
    return unicodedata.is_normalized("NFC", joined)


def _from_cp1258(value: object) -> object:
    if not isinstance(value, str):
        return value
    return nfc(value.encode("latin1", errors="replace").decode("cp1258", errors="replace"))


def _is_text(values: pd.Series) -> bool:
    return values.dtype == object or pd.api.types.is_string_dtype(values.dtype)


def _first_text(values: pd.Series) -> str:
    for v in values:
        if isinstance(v, str) and not v.isascii():
            return v[:40]
    return ""


def _guess_column_encoding(values: pd.Series) -> str | None:
    """The legacy encoding most text reads as, or None when Unicode Vietnamese is the most.

    A cell that is Vietnamese as read ("Hợp Thành") votes against: one odd character (an en
    dash, "±", "…") never decides for a whole book.
    """
    legacy: dict[str, int] = {}
    texts = [v for v in pd.unique(values.dropna().to_numpy(dtype=object)) if isinstance(v, str)]
    texts = texts[:500]
    for text in texts:
        guess = looks_legacy(text)
        if guess:
            legacy[guess] = legacy.get(guess, 0) + 1
    if not legacy:
        return None
    best = max(legacy, key=lambda k: legacy[k])
    unicode = sum(not t.isascii() and is_vietnamese_text(t) for t in texts)
    return best if legacy[best] > unicode else None


def _assign_crs(gdf: gpd.GeoDataFrame, source: LayerSource, default_crs: CRS) -> CRS:
    if source.crs:
        return CRS.from_user_input(source.crs)
    if gdf.crs is not None:
        return CRS.from_user_input(gdf.crs)
    return default_crs


def _fits(extent: Extent, crs: CRS) -> bool:
    try:
        check_extent(extent, crs, where="")
    except CRSError:
        return False
    return not crs.is_geographic


def read_layer(
    source: LayerSource,
    *,
    layer: str,
    project_crs: CRS,
    fields: Mapping[str, str] | None = None,
    name: str | None = None,
    window: Window | None = None,
) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """Read a vector layer into the project's CRS with canonical column names.

    Parameters
    ----------
    source
        Where the layer is (path, layer, encoding, crs, commune).
    layer
        What it is: ``parcels``, ``communes`` or ``row`` (picks the column aliases).
    project_crs
        The project's VN-2000 zone; a layer without a CRS is taken to be in it.
    fields
        Extra column names from the config.
    name
        The layer's name in findings and the run summary (``row:QL4B``); default ``layer``.
    window
        Read only the features that meet these right of way pieces (:mod:`nearby`); the
        features read are then those, and ``attrs["records_in_layer"]`` counts the file's.

    Returns
    -------
    (GeoDataFrame, list of Finding)
        The layer, with its original row order kept in ``source_row`` (0-based feature
        number), 2-D geometry, text in NFC; and what was noticed while reading it.

    Raises
    ------
    InputError, CRSError
        When the file cannot be read, is empty, or its coordinates do not fit its CRS.
    """
    gdf, bytewise = _read_vector(source, window)
    in_layer = None
    if window is not None and isinstance(gdf, gpd.GeoDataFrame):
        in_layer = window.features
        if not len(gdf):  # nothing near: read whole, so that the errors say why
            return read_layer(source, layer=layer, project_crs=project_crs, fields=fields,
                              name=name)  # fmt: skip
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf:
        raise InputError(
            source.label(),
            f"has no geometry: it is a table, not a {layer} layer",
            "name a GIS layer here (the handover book goes under handovers)",
        )
    if len(gdf) == 0:
        raise InputError(
            source.label(),
            f"the {layer} layer is empty (0 features)",
            "check that the right file and layer are named in the config",
        )
    if gdf.geometry.isna().all():
        raise InputError(
            source.label(),
            f"the {layer} layer has no geometry",
            "use a layer with polygons (a table without shapes cannot be measured)",
        )
    crs = _assign_crs(gdf, source, project_crs)
    extent = Extent(*map(float, gdf.geometry.total_bounds))
    findings: list[Finding] = []
    if crs.is_geographic and not source.crs and _fits(extent, project_crs):
        # GeoJSON (and some exports) claim WGS 84 by default; metres of the project's zone
        # say otherwise
        findings.append(
            Finding(
                WARNING,
                "crs_assumed",
                name or layer,
                params={"declared": crs.name, "assumed": project_crs.name},
            )
        )
        crs = project_crs
    gdf = gdf.set_crs(crs, allow_override=True)
    check_extent(extent, crs, where=source.label())
    findings += _convert_text(gdf, source, name or layer, bytewise=bytewise)
    gdf = gdf.rename(columns=match_columns(gdf.columns, layer, fields))
    geoms = gdf.geometry.to_numpy()
    has_zm = shapely.has_z(geoms) | shapely.has_m(geoms)
    if has_zm.any():
        findings.append(Finding(INFO, "z_dropped", name or layer, params={
            "count": int(has_zm.sum())}))  # fmt: skip
        gdf = gdf.set_geometry(shapely.force_2d(geoms))
    gdf[C.SOURCE_ROW] = gdf.pop("_row").to_numpy()
    n_read = len(gdf)
    kinds = sorted(set(gdf.geometry.geom_type.dropna().unique().tolist()))
    used_elements = None
    if layer != "centerline":  # polygon layers may come as drawings (lines and labels)
        gdf, found = polygons_from_drawing(gdf, name or layer)
        used_elements = gdf.attrs.get("records_used")
        findings += found
    if not crs.equals(project_crs):
        try:
            gdf = gdf.to_crs(project_crs)
        except Exception as exc:
            raise CRSError(
                source.label(),
                f"cannot transform from {crs.name} to {project_crs.name} ({exc})",
                "declare the layer's CRS",
            ) from exc
    gdf.attrs["records_read"] = n_read
    if in_layer is not None:
        gdf.attrs["records_in_layer"] = in_layer
    gdf.attrs["geometry_types"] = kinds
    if used_elements is not None:
        gdf.attrs["records_used"] = used_elements
    return gdf, findings


def _number_variants(key: str) -> list[str]:
    """How a parcel number key may be written in a file: ``7`` → 7, '7', '07', '007', '7.0'."""
    out = [f"'{key}'"] + [f"'{'0' * k}{key}'" for k in (1, 2, 3)] + [f"'{key}.0'"]
    return ([key] if key.isdigit() else []) + out


def read_parcel_keys(
    source: LayerSource, fields: Mapping[str, str] | None, parcel_keys: Iterable[str]
) -> pd.DataFrame:
    """The whole layer's parcels (attributes only) whose number is one of ``parcel_keys``.

    Used after a read near the right of way, to tell a record whose parcel lies elsewhere in
    the layer from one whose parcel does not exist. Columns: ``commune``, ``sheet``,
    ``parcel`` (those the layer has), and :data:`nearby.SHAPELESS` where it is known (a
    parcel with no shape, which a read near the right of way never meets).
    """
    keys = sorted({k for k in parcel_keys if k and re.fullmatch(r"[0-9a-z./-]+", k)})
    if not keys:
        return pd.DataFrame(columns=[C.PARCEL])
    if nearby.is_parquet(source.path):
        import pyarrow.parquet as pq

        names = pq.read_schema(source.path).names
    else:
        names = list(pyogrio.read_info(source.path, layer=source.layer)["fields"])
    found = {canon: raw for raw, canon in match_columns(names, "parcels", fields).items()}
    if C.PARCEL not in found:
        return pd.DataFrame(columns=[C.PARCEL])
    wanted = [found[c] for c in (C.COMMUNE, C.SHEET, C.PARCEL) if c in found]
    if nearby.is_parquet(source.path):
        frame = pq.read_table(source.path, columns=wanted).to_pandas()
        frame = frame[_numbered(frame[found[C.PARCEL]], keys)]
    elif source.path.suffix.lower() == ".shp":
        # OGR's SQL filter on a .dbf runs in Python-free but slow code (4 s for a million
        # rows): read the number column alone through Arrow, then the rows it names
        numbers = pyogrio.read_dataframe(source.path, layer=source.layer,
                                         columns=[found[C.PARCEL]], read_geometry=False,
                                         use_arrow=True, fid_as_index=True)  # fmt: skip
        fids = numbers.index[_numbered(numbers[found[C.PARCEL]], keys)].to_numpy(np.int64)
        if not len(fids):
            return pd.DataFrame(columns=[C.PARCEL])
        frame = pyogrio.read_dataframe(source.path, layer=source.layer, columns=wanted,
                                       fids=fids)  # fmt: skip
    else:
        values = ", ".join(v for k in keys for v in _number_variants(k))
        where = f'"{found[C.PARCEL]}" IN ({values})'
        frame = None
        if source.path.suffix.lower() == ".gpkg":
            frame = nearby.gpkg_select(source.path, source.layer, wanted, where)
        if frame is None:
            frame = pyogrio.read_dataframe(source.path, layer=source.layer, columns=wanted,
                                           where=where)  # fmt: skip
    if "geometry" in frame:
        geoms = frame.geometry.to_numpy()
        frame = pd.DataFrame(frame.drop(columns="geometry"))
        frame[nearby.SHAPELESS] = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    return frame.rename(columns={raw: canon for canon, raw in found.items()})


def _numbered(values: pd.Series, keys: Iterable[str]) -> np.ndarray:
    """Which cells hold one of the parcel numbers ``keys`` (each distinct cell keyed once)."""
    codes, uniques = pd.factorize(values)
    wanted = set(keys)
    return np.isin(codes, [k for k, u in enumerate(uniques) if number_key(u) in wanted])


# --- handover books -------------------------------------------------------------------------


def _grids_xlsx(path: Path, sheet: str | None) -> list[tuple[list[list[Any]], str]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError(
            path.name,
            f"the workbook cannot be opened ({type(exc).__name__}: {exc})",
            "open it in Excel and save it again as .xlsx",
        ) from exc
    names = [_pick_sheet(book.sheetnames, sheet, path)] if sheet else book.sheetnames
    return [_sheet_grid_xlsx(book[name]) for name in names]


def _sheet_grid_xlsx(ws: Any) -> tuple[list[list[Any]], str]:
    grid = [list(row) for row in ws.iter_rows(values_only=True)]
    for rng in ws.merged_cells.ranges:
        top = grid[rng.min_row - 1][rng.min_col - 1] if rng.min_row - 1 < len(grid) else None
        for r in range(rng.min_row - 1, min(rng.max_row, len(grid))):
            for c in range(rng.min_col - 1, rng.max_col):
                if c < len(grid[r]):
                    grid[r][c] = top
    return grid, ws.title


def _grids_xls(path: Path, sheet: str | None) -> list[tuple[list[list[Any]], str]]:
    import xlrd

    try:
        book = xlrd.open_workbook(path, formatting_info=True)
    except Exception as exc:  # xlrd raises XLRDError and struct errors on broken files
        raise InputError(
            path.name,
            f"the .xls workbook cannot be opened ({exc})",
            "open it in Excel and save it again (as .xlsx if you can)",
        ) from exc
    names = [_pick_sheet(book.sheet_names(), sheet, path)] if sheet else book.sheet_names()
    return [_sheet_grid_xls(book, name) for name in names]


def _sheet_grid_xls(book: Any, name: str) -> tuple[list[list[Any]], str]:
    import xlrd

    ws = book.sheet_by_name(name)
    grid: list[list[Any]] = []
    for r in range(ws.nrows):
        row = []
        for c in range(ws.ncols):
            cell = ws.cell(r, c)
            if cell.ctype == xlrd.XL_CELL_DATE:
                row.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
            elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                row.append(None)
            else:
                row.append(cell.value)
        grid.append(row)
    for r0, r1, c0, c1 in ws.merged_cells:
        for r in range(r0, r1):
            for c in range(c0, c1):
                grid[r][c] = grid[r0][c0]
    return grid, name


def _grid_csv(path: Path, encoding: str | None) -> tuple[list[list[Any]], str]:
    raw = path.read_bytes()
    if encoding in LEGACY_ENCODINGS:
        text = raw.decode("latin1")  # byte for byte; the legacy decoding comes after
    elif encoding:
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(
                path.name,
                f"cannot be read as {encoding} text ({exc})",
                "save it as UTF-8 or declare its encoding",
            ) from exc
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("latin1")
            if best_decoding([c for row in _csv_rows(text) for c in row]) == "cp1258":
                text = raw.decode("cp1258", errors="replace")  # Vietnamese Windows
    rows = _csv_rows(text, path.name)
    return [[cell or None for cell in row] for row in rows], path.name  # "" → None


def _csv_rows(text: str, label: str = "") -> list[list[str]]:
    """The rows of CSV text (a quoted cell may hold line breaks); an unreadable one is an error."""
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return list(csv.reader(StringIO(text, newline=""), dialect))
    except csv.Error as exc:  # a cell over the reader's limit, a NUL byte, a broken quote
        raise InputError(label or "CSV", f"cannot be read as a table ({exc})",
                         "open it in Excel and save it again as CSV UTF-8 or .xlsx",
                         ) from exc  # fmt: skip


def _fix_grid_text(grid: list[list[Any]], declared: str | None, label: str,
                   ) -> list[Finding]:  # fmt: skip
    """Decode TCVN3/VNI text in a book's cells (declared, or detected), and normalise to NFC."""
    cells = [c for row in grid for c in row if isinstance(c, str) and not c.isascii()]
    encoding = (
        declared
        if declared in LEGACY_ENCODINGS
        else _guess_column_encoding(pd.Series(cells, dtype=object))
    )
    findings = []
    if encoding and declared not in LEGACY_ENCODINGS:
        example = next((c for c in cells if looks_legacy(c)), "")
        findings.append(Finding(WARNING, "legacy_encoding", "handovers", label, params={
            "column": label, "encoding": encoding, "example": example[:40]}))  # fmt: skip
    if not encoding and _in_nfc(_joined(cells)):
        return findings  # every cell is NFC already
    for row in grid:
        for k, cell in enumerate(row):
            if isinstance(cell, str):
                if encoding:
                    row[k] = decode_legacy(cell, encoding)
                elif not cell.isascii():  # ASCII text is NFC already
                    row[k] = nfc(cell)
    return findings


def _pick_sheet(names: list[str], wanted: str | None, path: Path) -> str:
    if wanted is None:
        return names[0]
    for name in names:
        if name == wanted or fold(name) == fold(wanted):
            return name
    raise InputError(
        f"{path.name}#{wanted}", "no sheet of that name", f"use one of: {', '.join(names)}"
    )


def _is_workbook(source: LayerSource) -> bool:
    """Whether a book is a workbook of named sheets (.xlsx, .xlsm, .xls), not a CSV file."""
    return source.path.suffix.lower() in (".xlsx", ".xlsm", ".xls")


def read_grids(source: LayerSource) -> list[tuple[list[list[Any]], str]]:
    """Read a table file as grids of cells, one per sheet (merged cells filled in).

    The sheet named in the source, or every sheet of a workbook when none is named.
    """
    suffix = source.path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _grids_xlsx(source.path, source.layer)
    if suffix == ".xls":
        return _grids_xls(source.path, source.layer)
    if suffix in (".csv", ".txt", ".tsv"):
        return [_grid_csv(source.path, source.encoding)]
    raise InputError(
        source.label(),
        f"handover books must be .xlsx, .xls or .csv, not {suffix}",
        "save the book as .xlsx",
    )


def _cell_text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _header_labels(grid: list[list[Any]], row: int) -> list[str]:
    """Labels of a heading row, joined with the row above when that row is a merged group."""
    width = max(len(r) for r in grid[max(0, row - 1) : row + 1])
    cells = [_cell_text(grid[row][c]) if c < len(grid[row]) else "" for c in range(width)]
    if row == 0:
        return cells
    above = [_cell_text(grid[row - 1][c]) if c < len(grid[row - 1]) else "" for c in range(width)]
    labels = []
    for top, cell in zip(above, cells, strict=True):
        if top and cell and top != cell:
            labels.append(f"{top} {cell}")
        else:
            labels.append(cell or top)
    return labels


def _score_labels(labels: list[str], fields: Mapping[str, str] | None) -> tuple[int, dict]:
    matched = match_columns(labels, "handovers", fields)
    return len(set(matched.values())), matched


def find_heading(
    grid: list[list[Any]],
    fields: Mapping[str, str] | None = None,
) -> tuple[int, list[str], dict[str, str]]:
    """Find the heading row of a handover book.

    Returns the 0-based row index, the column labels, and label → canonical name. Heading
    rows with merged group cells above ("Ngày" over "Kiểm đếm", "Bàn giao") are read as one
    label per column ("Ngày Kiểm đếm"); a column whose joined label means nothing keeps its
    own.
    """
    best: tuple[int, int, list[str], dict[str, str]] = (-1, 0, [], {})
    for row in range(min(len(grid), settings.HEADER_SCAN_ROWS)):
        joined = _header_labels(grid, row)
        alone = [_cell_text(c) for c in grid[row]] + [""] * (len(joined) - len(grid[row]))
        labels = [
            lab if match_columns([lab], "handovers", fields) else alone[i]
            for i, lab in enumerate(joined)
        ]
        matched = match_columns(labels, "handovers", fields)
        score = len(set(matched.values()))
        if score > best[1]:
            best = (row, score, labels, matched)
    return best[0], best[2], best[3]


_DATE_COLUMNS = (C.INVENTORY_DATE, C.PLAN_APPROVED_DATE, C.PAID_DATE, C.HANDOVER_DATE)
_NUMBERING = re.compile(r"^\(?\s*\d{1,2}\s*\)?$")
_SECTION = re.compile(r"^\s*(?:[IVXLC]+|\d+|[A-Z])\s*[.)\-:/]\s*(.+)$")


def parse_status(text: object) -> str | None:
    """Return the stage a status text names, or None when it names none.

    Examples
    --------
    >>> parse_status("Đã bàn giao mặt bằng"), parse_status("ĐÃ NHẬN TIỀN"), parse_status("")
    ('handed_over', 'paid', None)
    >>> parse_status("Chưa bàn giao"), parse_status("chưa kiểm đếm")
    ('paid', 'not_started')
    >>> parse_status("Đã BG"), parse_status("KĐ"), parse_status("Đang lập phương án")
    ('handed_over', 'inventoried', 'inventoried')
    >>> parse_status("Khiếu nại") is None, parse_status("Cưỡng chế kiểm đếm") is None
    (True, True)
    """
    folded = fold(text)
    if not folded or folded.startswith(tuple(_FLAG_WORDS)) or "?" in folded:
        return None  # a flag (status_flags), or a question: no step done
    if folded.startswith(("chua ", "not yet ", "dang ")):  # "Chưa bàn giao": the step before
        return _step_before(folded.split(" ", 1)[1].removeprefix("yet "))
    clauses = [c.strip() for c in re.split(r"[,;:/()+]|\s-\s|\.\s|\snhung\s", folded)
               if c.strip()]  # fmt: skip
    if any(set(c.split()) <= _NEGATIONS for c in clauses):  # "BG: chưa", "Bàn giao - không"
        return None
    stages = [s for c in clauses if not _doubtful(c) and (s := _step_done(c)) is not None]
    return max(stages, key=C.STAGES.index) if stages else None


#: Words that deny a step ("không", "ko", "chưa").
_NEGATIONS = frozenset({"khong", "ko", "k", "kg", "khg", "chua", "ch", "not", "no", "chang",
                        "never", "dung"})  # fmt: skip
#: Phrases that make a clause say a step is not done (yet): planned, asked, put off, undone.
_DOUBT_PHRASES = ("sap", "se", "du kien", "ke hoach", "chuan bi", "tam", "huy",
                  "cham", "van dong", "cam ket", "hen", "de nghi", "phan dau", "du dk",
                  "du dieu kien", "mot phan", "truoc", "trong thang", "trong nam", "pending",
                  "planned", "refused", "tu choi", "to be", "yet", "xin", "neu")  # fmt: skip


def _doubtful(clause: str) -> bool:
    """Whether a clause of a status denies, plans or postpones its step ("không bàn giao")."""
    words = clause.split()
    padded = f" {clause} "
    return (bool(_NEGATIONS & set(words)) or clause.startswith(("cho ", "dang "))
            or any(f" {p} " in padded for p in _DOUBT_PHRASES))  # fmt: skip


def _step_done(clause: str) -> str | None:
    """The stage a clause that affirms a step names ("đã bàn giao", "BG xong").

    "Hoàn thành kiểm đếm" is the step it names, not the end of the procedure.
    """
    for done in ("da hoan thanh ", "hoan thanh "):
        if clause.startswith(done):
            return _step_done(clause.removeprefix(done))
    for words in sorted(STATUS_WORDS, key=len, reverse=True):
        if clause == words or clause.startswith(words + " ") or f" {words}" in f" {clause}":
            return STATUS_WORDS[words]
    for word_ in re.findall(r"[a-z]+", clause):
        if word_ in _ABBREVIATIONS:
            return _ABBREVIATIONS[word_]
    return None


def _step_before(rest: str) -> str | None:
    """The stage before the step that a "chưa …" or "đang …" status names."""
    for words, stage in _NOT_YET.items():
        if rest == words or rest.startswith(words + " "):
            return stage
    return C.NOT_STARTED if rest.startswith("thuc hien") else None


def status_flags(text: object) -> tuple[bool, bool]:
    """Whether a status text says enforcement, and whether it says a complaint.

    Examples
    --------
    >>> status_flags("Cưỡng chế kiểm đếm"), status_flags("Đã BG, còn khiếu nại")
    ((True, False), (False, True))
    """
    folded = f" {fold(text)}"
    enforcement = complaint = False
    for words, (enforced, complained) in _FLAG_WORDS.items():
        if f" {words}" in folded:
            enforcement, complaint = enforcement or enforced, complaint or complained
    return enforcement, complaint


def parse_flag(value: object) -> bool | None:
    """Read a yes/no cell (``x``, ``có``, ``1``, blank, or words such as "Có đơn").

    Any other text that is not a "no" (``không``, ``chưa``…) means yes: a note such as "Đơn
    ngày 12/5" in the complaint column says there is a complaint. None for a number that is
    neither 0 nor 1.

    Examples
    --------
    >>> parse_flag("x"), parse_flag("Có khiếu nại"), parse_flag("không"), parse_flag(None)
    (True, True, False, False)
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if np.isnan(value):
            return False
        return bool(value) if value in (0, 1) else None
    folded = fold(value)
    return not (folded in _FALSE_WORDS or folded.startswith(("khong", "chua", "no ")))


def _is_blank_row(cells: list[Any]) -> bool:
    return all(_cell_text(c) == "" for c in cells)


def _is_numbering_row(cells: list[Any]) -> bool:
    texts = [_cell_text(c) for c in cells if _cell_text(c)]
    return len(texts) >= 3 and all(_NUMBERING.match(t.replace(".0", "")) for t in texts)


def _total_row(cells: list[Any]) -> bool:
    """A total row: its first words say "Tổng cộng", "Cộng" or "Total"."""
    seen = 0
    for cell in cells:
        text = _cell_text(cell)
        if text:
            if _total_text(text):
                return True
            seen += 1
            if seen == 2:
                break
    return False


@functools.lru_cache(maxsize=4096)
def _total_text(text: str) -> bool:
    if text[0].isdigit():  # the row number or a parcel number: the common case
        return False
    folded = fold(text)
    return any(folded == w or folded.startswith((w + " ", w + ":")) for w in _TOTAL_WORDS)


def _section_commune(cells: list[Any]) -> str | None:
    """A row such as "I. Xã Hợp Thành" (or "II | Xã Beta | (5 thửa)") that heads a commune."""
    texts = list(dict.fromkeys(_cell_text(c) for c in cells if _cell_text(c)))
    if not texts or len(texts) > 4:
        return None
    names = []
    for text in texts:
        match = _SECTION.match(text)
        name = (match.group(1) if match else text).strip()
        if re.match(r"^(xa|phuong|thi tran|tt)\b", fold(name)):
            names.append(name)
    return names[0] if len(names) == 1 else None


def _each(values: list[Any], fn: Callable[[Any], Any], cache: dict[Any, Any]) -> list[Any]:
    """``[fn(v) for v in values]``, worked out once per distinct hashable value."""
    try:
        for value in set(values).difference(cache):
            cache[value] = fn(value)
        return [cache[value] for value in values]
    except TypeError:  # an unhashable value among them: each one worked out
        return [fn(value) for value in values]


def _date_or_problem(raw: Any) -> tuple[Any, str | None]:
    from gpmb_gis._dates import DateParseError, parse_date

    try:
        return parse_date(raw), None
    except DateParseError as exc:
        return None, str(exc)


class _BookReader:
    """Turns the data rows of a handover book into records and findings."""

    def __init__(
        self, source: LayerSource, labels: list[str], matched: dict[str, str], sheet: str | None
    ) -> None:
        self.source = source
        self.sheet = sheet
        #: the workbook sheet read, named after a project in a book of one sheet per project
        self.title = ""
        self.index = {canon: labels.index(label) for label, canon in matched.items()}
        self.findings: list[Finding] = []
        self.finding_rows: list[int] = []  # the Excel row of each finding
        self.section: str | None = None
        self.after_total = False
        # a book repeats its dates, statuses and flags: each distinct cell is read once
        self._dates: dict[Any, tuple[Any, str | None]] = {}
        self._statuses: dict[Any, str | None] = {}
        self._flags: dict[Any, bool | None] = {}

    def label(self, excel_row: int) -> str:
        """A row as the user finds it: ``row 17``, or ``QL4B!17`` in a book of several sheets."""
        return f"{self.sheet}!{excel_row}" if self.sheet else f"row {excel_row}"

    def listed(self, severity: str, check: str, excel_row: int, **params: Any) -> None:
        self.note(severity, check, excel_row, listed=True, **params)

    def note(self, severity: str, check: str, excel_row: int, *, listed: bool = False,
             **params: Any) -> None:  # fmt: skip
        self.findings.append(Finding(severity, check, "handovers", feature=self.label(excel_row),
                                     params=params, listed=listed))  # fmt: skip
        self.finding_rows.append(excel_row)

    def read(self, grid: list[list[Any]], head: int) -> tuple[dict[str, list[Any]], int]:
        """The records below the heading row, as columns; and the number of data rows read.

        Rows that are not records (a total, a commune section, a row without a parcel
        number) are listed as they come; the records' cells are then parsed column by column,
        each distinct cell once, and their findings put back in row order.
        """
        read, rows, excel_rows, sections = 0, [], [], []
        at_parcel = self.index[C.PARCEL]
        for r in range(head + 1, len(grid)):
            cells = grid[r]
            parcel = cells[at_parcel] if at_parcel < len(cells) else None
            numbered = _cell_text(parcel) != ""  # a numbered row is not blank
            if (not numbered and _is_blank_row(cells)) or (
                r == head + 1 and _is_numbering_row(cells)
            ):
                continue
            read += 1
            if not numbered or _total_row(cells):
                self._non_record(cells, r + 1)
                continue
            rows.append(cells)
            excel_rows.append(r + 1)
            sections.append(self.section)
        columns = self._columns(rows, excel_rows, sections)
        # in row order, as a row-by-row reading gives them (sorted() keeps a row's own order)
        order = sorted(range(len(self.findings)), key=self.finding_rows.__getitem__)
        self.findings = [self.findings[k] for k in order]
        return columns, read

    def _columns(self, rows: list[list[Any]], excel_rows: list[int],
                 sections: list[str | None]) -> dict[str, list[Any]]:  # fmt: skip
        width = min(map(len, rows), default=0)

        def column(canon: str) -> list[Any]:
            i = self.index.get(canon)
            if i is None:
                return [None] * len(rows)
            if i < width:
                return list(map(operator.itemgetter(i), rows))
            return [cells[i] if i < len(cells) else None for cells in rows]

        prefix = f"{self.sheet}!" if self.sheet else "row "  # as self.label gives it
        out: dict[str, list[Any]] = {
            C.SOURCE_ROW: excel_rows,
            C.SOURCE_SHEET: [self.sheet or self.title] * len(rows),
            C.RECORD_LABEL: [f"{prefix}{x}" for x in excel_rows],
        }
        for canon in (C.PROJECT, C.COMMUNE, C.SHEET, C.PARCEL, C.OWNER, C.NOTE, C.LAND_USE):
            out[canon] = column(canon)  # text is NFC since _fix_grid_text
        written = [_cell_text(c) for c in out[C.COMMUNE]]
        out[C.COMMUNE] = [c if text else (self.source.commune or section)
                          for c, text, section in zip(out[C.COMMUNE], written, sections,
                                                      strict=True)]  # fmt: skip
        for canon in _DATE_COLUMNS:
            raw = column(canon)
            parsed = _each(raw, _date_or_problem, self._dates)
            out[canon] = [date for date, _ in parsed]
            for k in [k for k, (_, problem) in enumerate(parsed) if problem is not None]:
                self.note(WARNING, "date_unparseable", excel_rows[k], column=canon,
                          value=_cell_text(raw[k]), reason=parsed[k][1])  # fmt: skip
        status = column(C.STATUS)
        out[C.STATUS] = texts = [_cell_text(v) for v in status]
        out["status_stage"] = stages = _each(status, parse_status, self._statuses)
        said = _each(status, status_flags, {})  # "Khiếu nại" in the status column
        for k in [k for k, stage in enumerate(stages) if stage is None and texts[k]]:
            if not any(said[k]):
                self.note(WARNING, "unknown_status", excel_rows[k], value=texts[k])
        for j, canon in enumerate((C.ENFORCEMENT, C.COMPLAINT)):
            raw = column(canon)
            flags = _each(raw, parse_flag, self._flags)
            for k in [k for k, flag in enumerate(flags) if flag is None]:
                self.note(WARNING, "unknown_flag", excel_rows[k], column=canon,
                          value=_cell_text(raw[k]))  # fmt: skip
            out[canon] = [bool(flag) or s[j] for flag, s in zip(flags, said, strict=True)]
        return out

    def _non_record(self, cells: list[Any], excel_row: int) -> None:
        if _total_row(cells):
            self.after_total = True
            self.listed(
                INFO,
                "total_row",
                excel_row,
                text=" | ".join(_cell_text(c) for c in cells if _cell_text(c))[:80],
            )
            return None
        section = _section_commune(cells)
        if section:
            self.section = section
            self.listed(INFO, "section_row", excel_row, commune=section)
            return None
        text = " | ".join(_cell_text(c) for c in cells if _cell_text(c))[:80]
        says = self._says_a_step(cells)
        if self.after_total and not says:  # the place, date and signatures under the total
            self.listed(INFO, "footer_row", excel_row, text=text)
            return None
        # a row that dates a step or gives a status is a record that cannot be placed
        self.section = None  # nor may the records below it take the commune of a section above
        self.listed(ERROR if says else WARNING, "record_no_parcel_number", excel_row, text=text)
        return None

    def _says_a_step(self, cells: list[Any]) -> bool:
        """Whether a row's date cells hold a date, or its status cell a stage."""
        for canon in (*_DATE_COLUMNS, C.STATUS):
            i = self.index.get(canon)
            if i is None or i >= len(cells) or not _cell_text(cells[i]):
                continue
            if canon == C.STATUS:
                if parse_status(cells[i]) is not None:
                    return True
            elif _date_or_problem(cells[i])[0] is not None:
                return True
        return False


HANDOVER_COLUMNS: tuple[str, ...] = (
    C.SOURCE_ROW, C.SOURCE_SHEET, C.RECORD_LABEL, C.PROJECT, C.COMMUNE, C.SHEET, C.PARCEL,
    *_DATE_COLUMNS, C.STATUS, "status_stage", C.ENFORCEMENT, C.COMPLAINT, C.OWNER, C.NOTE,
    C.LAND_USE,
)  # fmt: skip


def empty_handovers() -> pd.DataFrame:
    """A handover table with no record (for a config without a handover book)."""
    return pd.DataFrame(columns=list(HANDOVER_COLUMNS))


def read_handovers(
    source: LayerSource,
    *,
    fields: Mapping[str, str] | None = None,
    strict: bool = True,
) -> tuple[pd.DataFrame, list[Finding], int]:
    """Read a handover book (.xlsx, .xls, .csv) as offices keep it.

    Parameters
    ----------
    source
        The book; ``source.layer`` names the sheet, ``source.commune`` the commune of a book
        that holds one commune only.
    fields
        Extra column names from the config's ``[fields.handovers]``.
    strict
        Refuse a heading that looks like a key or date column the book lacks; otherwise it
        is listed, unused.

    Returns
    -------
    (DataFrame, list of Finding, int)
        One row per record with canonical columns and ``source_row`` (the row number as Excel
        shows it); what was noticed; and the number of data rows read (records plus listed
        rows such as the total row).

    Raises
    ------
    InputError
        When the book cannot be opened, has no heading row, or lacks the parcel number.
    """
    grids = read_grids(source)
    findings: list[Finding] = []
    for grid, sheet in grids:
        findings += _fix_grid_text(grid, source.encoding, f"sheet {sheet}")
    if all(not grid or all(_is_blank_row(r) for r in grid) for grid, _ in grids):
        raise InputError(
            source.label(),
            "the handover book is empty",
            "check the file and the sheet named in the config",
        )
    books = [(grid, sheet, find_heading(grid, fields)) for grid, sheet in grids]
    usable = [b for b in books if b[2][0] >= 0 and C.PARCEL in b[2][2].values()]
    if not usable:
        grid, sheet, (head, labels, matched) = books[0]
        found = [lab for lab in (labels or [_cell_text(c) for c in grid[0]]) if lab]
        near = nearest_column(C.PARCEL, "handovers", found)
        hint = f"; nearest: {near!r}" if near else ""
        raise InputError(
            f"{source.label()} (sheet {sheet})",
            f"no column for 'parcel' (columns found: {', '.join(found[:15])}{hint})",
            'rename the column to "Số thửa" or map it under [fields.handovers]'
            ' as "<column>" = "parcel"',
        )
    says = {*_DATE_COLUMNS, C.STATUS}
    dated = [b for b in usable if says & set(b[2][2].values())]
    if dated:  # a summary sheet of parcels without dates beside the book: not the book
        usable = dated
    for _, sheet, (_, labels, matched) in usable:
        findings += _check_headings(source, sheet, labels, matched, strict=strict)
    for _, sheet, _ in [b for b in books if b not in usable]:
        findings.append(Finding(INFO, "sheet_skipped", "handovers", f"sheet {sheet}",
                                params={"sheet": sheet}))  # fmt: skip
    records: dict[str, list[Any]] = {name: [] for name in HANDOVER_COLUMNS}
    read = 0
    for grid, sheet, (head, labels, matched) in usable:
        reader = _BookReader(source, labels, matched, sheet if len(usable) > 1 else None)
        if _is_workbook(source):
            reader.title = sheet
        columns, rows = reader.read(grid, head)
        read += rows
        for name in HANDOVER_COLUMNS:
            records[name] += columns[name]
        findings += reader.findings
    table = (pd.DataFrame(records, columns=list(HANDOVER_COLUMNS)) if records[C.SOURCE_ROW]
             else empty_handovers())  # fmt: skip
    table.attrs["headings"] = [lab for _, _, (_, labels, _) in usable for lab in labels if lab]
    return table, findings, read


#: Headings that hold no data of a record: its number in the book.
_NUMBER_HEADINGS = frozenset({"stt", "tt", "sott", "so", "no", "nr", "thutu", "sothutu"})
#: Columns whose heading, written longer, is refused rather than lost: the key and the dates.
_KEY_AND_DATES = (C.SHEET, C.PARCEL, C.COMMUNE, *_DATE_COLUMNS)


def closest_heading(label: str) -> tuple[str, str, bool] | None:
    """The known heading nearest a book's heading: (alias, canonical name, starts with it).

    Examples
    --------
    >>> closest_heading("Ngày bàn giao (thực tế)")
    ('Ngày bàn giao', 'handover_date', True)
    >>> closest_heading("Ngay ban gia") is not None
    True
    """
    import difflib

    key = _colkey(label)
    if not key:
        return None
    aliases = [(a, canon) for canon, names in ALIASES["handovers"].items() for a in names]
    prefixed = [(len(_colkey(a)), a, canon) for a, canon in aliases
                if len(_colkey(a)) >= 5 and key.startswith(_colkey(a))]  # fmt: skip
    if prefixed:
        _, alias, canon = max(prefixed)
        return alias, canon, True
    scored = [(difflib.SequenceMatcher(None, key, _colkey(a)).ratio(), a, canon)
              for a, canon in aliases]  # fmt: skip
    ratio, alias, canon = max(scored)
    return (alias, canon, False) if ratio >= 0.6 else None


#: Headings of the book that later capabilities read (DESIGN §9); not taken for another column.
_LATER_HEADINGS = frozenset(_colkey(h) for h in (
    "Mã hộ", "Số tiền BT, HT được duyệt (đồng)", "Số tiền đã chi trả (đồng)", "Tái định cư",
    "Số lô TĐC", "Mồ mả phải di chuyển", "Mồ mả đã di chuyển", "Ngày nhận đơn",
    "Ngày giải quyết đơn", "Ngày thông báo thu hồi đất", "Ngày niêm yết",
    "Ngày trình thẩm định", "Ngày thẩm định", "Ngày quyết định thu hồi"))  # fmt: skip


def _like_a_date_column(label: str, alias: str) -> bool:
    """Whether a date heading ("Ngày giao đất") is close to a known date heading's alias."""
    import difflib

    key, known = _colkey(label), _colkey(alias)
    if not key.startswith("ngay") or key in _LATER_HEADINGS or not known.startswith("ngay"):
        return False
    return difflib.SequenceMatcher(None, key, known).ratio() >= 0.7


def _one_column_each(where: str, labels: list[str], *, strict: bool) -> None:
    """Refuse two columns that read as the same key or date column.

    A planned and an actual handover date under one merged "Ngày bàn giao", say: which one
    is meant is not guessed.
    """
    if not strict:
        return
    seen: dict[str, list[int]] = {}
    for k, label in enumerate(labels):
        canon = _alias_keys("handovers").get(_colkey(label)) if label else None
        if canon in _KEY_AND_DATES:
            seen.setdefault(canon, []).append(k)
    for canon, columns in seen.items():
        if len(columns) > 1:
            which = ", ".join(f"column {k + 1} ({labels[k]!r})" for k in columns)
            raise InputError(where, f"{which} all read as {canon}: which one holds it is not "
                             "guessed", "give the columns headings of their own (e.g. "
                             f"\"{labels[columns[0]]} thực tế\") and map the one to use under "
                             "[fields.handovers]")  # fmt: skip


def _check_headings(source: LayerSource, sheet: str, labels: list[str],
                    matched: dict[str, str], *, strict: bool = True,
                    ) -> list[Finding]:  # fmt: skip
    """List the headings not understood; refuse a book that lost a key or date column.

    A heading that starts with a known one whose column the book lacks ("Ngày bàn giao MB"
    beside no "Ngày bàn giao") is an error, not a guess; a book without any date or status
    column is an error too. Other unknown headings are listed with the closest known name.
    """
    found = [lab for lab in labels if lab]
    where = f"{source.label()} (sheet {sheet})" if _is_workbook(source) else source.label()
    have = set(matched.values())
    if not have & {*_DATE_COLUMNS, C.STATUS}:
        raise InputError(where, "no column of handover dates or status was understood "
                         f"(headings found: {', '.join(found[:20])})",
                         'name the column "Ngày bàn giao" (or "Trạng thái"), or map it under '
                         '[fields.handovers] as "<heading>" = "handover_date"')  # fmt: skip
    _one_column_each(where, labels, strict=strict)
    findings = []
    for label in found:
        if label in matched or _colkey(label) in _NUMBER_HEADINGS or _NUMBERING.match(label):
            continue
        near = closest_heading(label)
        if (
            strict
            and near
            and near[1] not in have
            and ((near[2] and near[1] in _KEY_AND_DATES) or _like_a_date_column(label, near[0]))
        ):
            raise InputError(where, f"the heading {label!r} is not understood; it looks like "
                             f"{near[0]!r} ({near[1]}), which the book has no column for",
                             f'map it under [fields.handovers] as "{label}" = "{near[1]}", or '
                             "rename it")  # fmt: skip
        closest = f"{near[0]} ({near[1]})" if near else "—"
        findings.append(Finding(WARNING, "book_column_unknown", "handovers", f"sheet {sheet}",
                                params={"column": label, "closest": closest}))  # fmt: skip
    return findings
