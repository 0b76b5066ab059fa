"""``gpmb.gpkg``: the run's geometry as layers an analyst opens in QGIS, each with its style.

The layers are those of ``DESIGN.md`` §9, in the project's CRS (VN-2000):

- ``pieces``: each parcel's piece inside a right of way, with its stage as of the report
  date, the dates it reached each stage, its chainage range and side, and its area;
- ``chainage_bins``: each chainage bin's polygon with its required, cleared and %;
- ``blocked_stretches``: the stretches of centreline not yet cleared, as lines;
- ``rights_of_way``: each project's right of way with its figures;
- ``communes``: each commune a project crosses, with that project's figures there;
- ``qa_findings``: every QA row that has a place (overlaps, gaps, slivers, repairs, parcels
  outside their commune), worded as in ``qa_issues.csv``.

Every layer is written, empty where the run has nothing of it, and its default style (QML and
SLD, :mod:`gpmb_gis.qgis_styles`) is kept in the GeoPackage's ``layer_styles`` table, where
QGIS looks for it. Owner names are written only with ``include_owner``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gpmb_gis import columns as C
from gpmb_gis import stages
from gpmb_gis.chainage import chainage_labels
from gpmb_gis.labels import format_pct, pct_shown, qa_message, stage_name
from gpmb_gis.measure import stage_names
from gpmb_gis.qa_words import check_title
from gpmb_gis.qgis_styles import PCT_SHOWN, layer_styles, qml, sld
from gpmb_gis.result import ProgressResult

__all__ = ["LAYERS", "SCHEMA", "layer_frames", "write_gpkg"]

#: The layers of ``gpmb.gpkg``, in the order QGIS lists them (the map's top first).
LAYERS: tuple[str, ...] = (
    "qa_findings", "blocked_stretches", "pieces", "chainage_bins", "rights_of_way", "communes",
)  # fmt: skip

_DATE_COLUMNS = {  # a piece's day of each stage, and its column in the layer
    stages.REACH_COLUMNS[0]: "inventoried_date",
    stages.REACH_COLUMNS[1]: "plan_approved_date",
    stages.REACH_COLUMNS[2]: "paid_date",
    stages.REACH_COLUMNS[3]: C.HANDOVER_DATE,
}


def _numbers(values: Any) -> list[str]:
    """Sheet or parcel numbers as written, a number read as a fraction (``5.0``) as ``5``."""
    return [
        str(int(v)) if isinstance(v, float) and v.is_integer() else t
        for v, t in zip(values, _text(values), strict=True)
    ]


def _text(values: Any) -> list[str]:
    """Cells as written (a commune code keeps its leading zeros), blank for none."""
    return [str(v).strip() if v is not None and not pd.isna(v) else "" for v in values]


def _pct_label(name: object, pct: float, lang: str) -> str:
    return f"{name}: {format_pct(pct, lang)} %" if not pd.isna(pct) else str(name)


def _pieces(result: ProgressResult, lang: str, include_owner: bool) -> pd.DataFrame:
    today = stages.day_number(result.as_of)
    frames = []
    for pid, ov in result.overlays.items():
        pieces = ov.pieces
        stage = stage_names(ov, result.as_of)
        sheets, parcels = _numbers(pieces[C.SHEET]), _numbers(pieces[C.PARCEL])
        frame = pd.DataFrame({
            C.PROJECT: pid,
            C.COMMUNE: pieces["commune_name"].astype(str).to_numpy(),
            C.SHEET: sheets, C.PARCEL: parcels,
            "label": [f"{s}/{p}" for s, p in zip(sheets, parcels, strict=True)],
            C.LAND_USE: _text(pieces[C.LAND_USE]) if C.LAND_USE in pieces else "",
            C.STAGE: stage, "stage_name": [stage_name(s, lang) for s in stage],
        })  # fmt: skip
        for reach, column in _DATE_COLUMNS.items():
            days = pieces[reach].to_numpy(dtype=float)
            known = (days <= today) & (days != stages.ALWAYS)  # done by the report date
            frame[column] = stages.dates_of(np.where(known, days, np.nan))
        for column in ("from_m", "to_m"):
            frame[column] = pieces[column].to_numpy() if column in pieces else np.nan
        frame["from_label"] = chainage_labels(frame["from_m"].to_numpy()) if ov.route else ""
        frame["to_label"] = chainage_labels(frame["to_m"].to_numpy()) if ov.route else ""
        frame["side"] = pieces["side"].astype(str).to_numpy() if "side" in pieces else ""
        frame["area_m2"] = pieces[C.AFFECTED_M2].to_numpy(dtype=float)
        if include_owner and C.OWNER in pieces:
            frame[C.OWNER] = _text(pieces[C.OWNER])
        frame["geometry"] = pieces.geometry.to_numpy()
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _chainage_bins(result: ProgressResult, lang: str) -> pd.DataFrame:
    frames = []
    for pid, ov in result.overlays.items():
        if ov.bins is None or ov.bin_geoms is None:
            continue
        table = result.by_chainage(pid).reset_index(drop=True)
        if len(table) != len(ov.bin_geoms):  # the table is the bins': never paired by guess
            continue
        frame = table[[C.PROJECT, "from_m", "to_m", "from_label", "to_label", C.REQUIRED_M2,
                       C.CLEARED_M2, C.CLEARED_PCT]].copy()  # fmt: skip
        frame[PCT_SHOWN] = [pct_shown(p) for p in frame[C.CLEARED_PCT]]
        frame["label"] = [
            f"{a}: {format_pct(p, lang, 0)} %" if not pd.isna(p) else str(a)
            for a, p in zip(frame["from_label"], frame[C.CLEARED_PCT], strict=True)
        ]
        frame["geometry"] = list(ov.bin_geoms)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _blocked_stretches(result: ProgressResult) -> pd.DataFrame:
    """The rows of ``blockers.csv``'s stretches, each drawn along its own bins."""
    from shapely.ops import substring

    from gpmb_gis.maps.ribbon import blocked_runs

    rows = []
    for pid, ov in result.overlays.items():
        table = result.blockers
        mine = table[(table[C.PROJECT] == pid) & (table["kind"] == "stretch")]
        runs = blocked_runs(result, pid)
        if ov.route is None or len(runs) != len(mine):  # the table's: never paired by guess
            continue
        for row, (a, b, _) in zip(mine.itertuples(index=False), runs, strict=True):
            rows.append({C.PROJECT: pid, "from_m": row.from_m, "to_m": row.to_m,
                         "label": row.label, "length_m": row.length_m,
                         "uncleared_m2": row.uncleared_m2,
                         "geometry": substring(ov.route.line, a, b)})  # fmt: skip
    return pd.DataFrame(rows)


def _rights_of_way(result: ProgressResult, lang: str) -> pd.DataFrame:
    table = result.progress_by_project.set_index(C.PROJECT)
    rows = []
    for pid, ov in result.overlays.items():
        row = table.loc[pid]
        rows.append({
            C.PROJECT: pid, "project_name": ov.project.name,
            C.REQUIRED_M2: float(row[C.REQUIRED_M2]), C.CLEARED_M2: float(row[C.CLEARED_M2]),
            C.CLEARED_PCT: float(row[C.CLEARED_PCT]), PCT_SHOWN: pct_shown(row[C.CLEARED_PCT]),
            "unmapped_m2": float(row["unmapped_m2"]),
            "label": _pct_label(pid, float(row[C.CLEARED_PCT]), lang), "geometry": ov.row,
        })  # fmt: skip
    return pd.DataFrame(rows)


def _communes(result: ProgressResult, lang: str) -> pd.DataFrame:
    from gpmb_gis._text import commune_key

    communes = result.inputs.communes if result.inputs is not None else None
    if communes is None or not len(communes):
        return pd.DataFrame()
    by_key = dict(zip(communes[C.KEY_COMMUNE], communes.geometry, strict=True))
    codes = communes[C.COMMUNE_CODE] if C.COMMUNE_CODE in communes else [None] * len(communes)
    by_code = {c: g for c, g in zip(_text(codes), communes.geometry, strict=True) if c}
    rows = []
    for row in result.progress_by_commune.itertuples(index=False):
        code = _text([getattr(row, C.COMMUNE_CODE)])[0]
        shape = by_code.get(code) if code else by_key.get(commune_key(row.commune))
        if shape is None:  # land outside every commune, or in no parcel: no place
            continue
        pct = float(getattr(row, C.CLEARED_PCT))
        rows.append({
            C.PROJECT: row.project, C.COMMUNE_CODE: code, C.COMMUNE: str(row.commune),
            C.REQUIRED_M2: float(getattr(row, C.REQUIRED_M2)),
            C.CLEARED_M2: float(getattr(row, C.CLEARED_M2)), C.CLEARED_PCT: pct,
            PCT_SHOWN: pct_shown(pct), "geometry": shape,
            "label": _pct_label(f"{row.project} · {row.commune}", pct, lang),
        })  # fmt: skip
    return pd.DataFrame(rows)


def _qa_findings(result: ProgressResult, lang: str) -> pd.DataFrame:
    rows = []
    for finding in result.findings:
        if finding.place is None:
            continue
        parts = shapely.get_parts(finding.place)
        polygons = parts[np.isin(shapely.get_type_id(parts), (3, 6))]  # polygons only
        if not len(polygons) or shapely.union_all(polygons).is_empty:
            continue
        rows.append({
            C.SEVERITY: finding.severity, C.CHECK: finding.check,
            "check_name": check_title(finding.check, lang), C.LAYER: finding.layer,
            C.FEATURE: finding.feature, C.MESSAGE: qa_message(finding.check, finding.params, lang),
            C.AREA_M2: np.nan if finding.area_m2 is None else float(finding.area_m2),
            "geometry": shapely.multipolygons(shapely.get_parts(polygons)),
        })  # fmt: skip
    return pd.DataFrame(rows)


_RANGE = {"from_m": "float", "to_m": "float", "from_label": "str", "to_label": "str"}
_FIGURES = {C.REQUIRED_M2: "float", C.CLEARED_M2: "float", C.CLEARED_PCT: "float",
            PCT_SHOWN: "float"}  # fmt: skip

#: Each layer's geometry type and fields, the same in every run (empty or not), so that a
#: QGIS project made on one week's file opens the next week's.
SCHEMA: dict[str, tuple[str, dict[str, str]]] = {
    "pieces": ("MultiPolygon", {
        C.PROJECT: "str", C.COMMUNE: "str", C.SHEET: "str", C.PARCEL: "str", "label": "str",
        C.LAND_USE: "str", C.STAGE: "str", "stage_name": "str",
        **dict.fromkeys(_DATE_COLUMNS.values(), "date"), **_RANGE, "side": "str",
        "area_m2": "float"}),
    "chainage_bins": ("MultiPolygon", {C.PROJECT: "str", **_RANGE, **_FIGURES, "label": "str"}),
    "blocked_stretches": ("MultiLineString", {
        C.PROJECT: "str", "from_m": "float", "to_m": "float", "label": "str",
        "length_m": "float", "uncleared_m2": "float"}),
    "rights_of_way": ("MultiPolygon", {C.PROJECT: "str", "project_name": "str", **_FIGURES,
                                       "unmapped_m2": "float", "label": "str"}),
    "communes": ("MultiPolygon", {C.PROJECT: "str", C.COMMUNE_CODE: "str", C.COMMUNE: "str",
                                  **_FIGURES, "label": "str"}),
    "qa_findings": ("MultiPolygon", {
        C.SEVERITY: "str", C.CHECK: "str", "check_name": "str", C.LAYER: "str",
        C.FEATURE: "str", C.MESSAGE: "str", C.AREA_M2: "float"}),
}  # fmt: skip


def _typed(frame: pd.DataFrame, fields: dict[str, str]) -> pd.DataFrame:
    """The frame in its layer's fields and types (absent values blank), geometry last."""
    import pyarrow as pa

    n = len(frame)
    out = {}
    for name, kind in fields.items():
        values = frame[name].tolist() if name in frame else [None] * n
        if kind == "date":
            values = [v if isinstance(v, dt.date) else None for v in values]
            out[name] = pd.array(values, dtype=pd.ArrowDtype(pa.date32()))
        elif kind == "float":
            out[name] = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").astype(
                float
            )
        else:
            out[name] = pd.Series([None if v is None or (isinstance(v, float) and np.isnan(v))
                                   else str(v) for v in values], dtype="str")  # fmt: skip
    geoms = frame["geometry"].tolist() if "geometry" in frame else []
    return pd.DataFrame(out).assign(geometry=geoms)


def _parts(geom: Any, kind: str) -> np.ndarray:
    """A geometry's parts of its layer's kind.

    A bin cut at a bend may carry a line of no area beside its polygon: it has no place in
    a layer of polygons.
    """
    if geom is None:
        return np.zeros(0, dtype=object)
    parts = shapely.get_parts(geom)
    wanted = (
        shapely.GeometryType.LINESTRING
        if kind == "MultiLineString"
        else shapely.GeometryType.POLYGON
    )
    return parts[(shapely.get_type_id(parts) == wanted) & ~shapely.is_empty(parts)]


def layer_frames(
    result: ProgressResult, lang: str | None = None, *, include_owner: bool = False
) -> dict[str, gpd.GeoDataFrame]:
    """The layers of ``gpmb.gpkg`` as GeoDataFrames in the project's CRS.

    Examples
    --------
    >>> layers = layer_frames(result)
    >>> sorted(layers) == sorted(LAYERS)
    True
    """
    lang = lang or result.config.lang
    built = {
        "pieces": _pieces(result, lang, include_owner),
        "chainage_bins": _chainage_bins(result, lang),
        "blocked_stretches": _blocked_stretches(result),
        "rights_of_way": _rights_of_way(result, lang),
        "communes": _communes(result, lang),
        "qa_findings": _qa_findings(result, lang),
    }
    out = {}
    for name in LAYERS:
        kind, fields = SCHEMA[name]
        if name == "pieces" and include_owner:
            fields = {**fields, C.OWNER: "str"}
        frame = _typed(built[name], fields)
        multi = shapely.multilinestrings if kind == "MultiLineString" else shapely.multipolygons
        frame["geometry"] = [multi(_parts(g, kind)) for g in frame["geometry"]]
        out[name] = gpd.GeoDataFrame(frame, geometry="geometry", crs=result.config.crs)
    return out


#: GeoPackage 1.2, which every QGIS of the last years reads (QGIS 3.22's GDAL reads 1.4 only
#: partly).
_GPKG_VERSION = {"VERSION": "1.2"}


def write_gpkg(
    result: ProgressResult, path: Path, lang: str | None = None, *, include_owner: bool = False
) -> Path:
    """Write ``gpmb.gpkg``: every layer of :data:`LAYERS`, with its default QGIS style."""
    import pyogrio

    lang = lang or result.config.lang
    path.unlink(missing_ok=True)
    for name, frame in layer_frames(result, lang, include_owner=include_owner).items():
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG", use_arrow=True,
                                geometry_type=SCHEMA[name][0], promote_to_multi=True,
                                dataset_options=_GPKG_VERSION)  # fmt: skip
    _write_styles(path, lang)
    return path


def _write_styles(path: Path, lang: str) -> None:
    """The layers' default styles in ``layer_styles``, as QGIS keeps them in a GeoPackage."""
    import pyogrio

    now = pd.Timestamp(dt.datetime.now(dt.UTC).replace(microsecond=0))
    rows = [
        {"f_table_catalog": "", "f_table_schema": "", "f_table_name": name,
         "f_geometry_column": "geom", "styleName": name, "styleQML": qml(style),
         "styleSLD": sld(name, style), "useAsDefault": True,
         "description": "gpmb_gis", "owner": "", "ui": "", "update_time": now}
        for name, style in layer_styles(lang).items()
    ]  # fmt: skip
    table = pd.DataFrame(rows)
    pyogrio.write_dataframe(table, path, layer="layer_styles", driver="GPKG",
                            layer_options={"FID": "id"})  # fmt: skip
