"""Data-quality checks and repairs; every finding becomes a row of the QA table."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gpmb_gis import columns as C
from gpmb_gis._findings import ERROR, INFO, WARNING, Finding
from gpmb_gis._text import number_key
from gpmb_gis.engine import polygonal
from gpmb_gis.labels import qa_message


def feature_labels(layer: gpd.GeoDataFrame) -> list[str]:
    """How the user knows each feature: ``sheet 12 / parcel 45`` or ``feature 7``."""
    rows = layer[C.SOURCE_ROW]
    if C.PARCEL in layer:
        sheets = layer[C.SHEET] if C.SHEET in layer else [None] * len(layer)
        return [
            f"sheet {number_key(s)} / parcel {number_key(p)}" if number_key(p) else f"feature {i}"
            for s, p, i in zip(sheets, layer[C.PARCEL], rows, strict=True)
        ]
    if C.SITE in layer:
        return [
            str(s) if isinstance(s, str) and s else f"feature {i}"
            for s, i in zip(layer[C.SITE], rows, strict=True)
        ]
    return [f"feature {i}" for i in rows]


def repair_polygons(
    layer: gpd.GeoDataFrame,
    name: str,
) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """Make every polygon valid with ``make_valid``; drop (and list) what has no area.

    Lines and points left by a repair are dropped from the polygon and listed; a feature with
    no polygon at all (empty, a line, zero area) is listed and not used.

    Returns
    -------
    (GeoDataFrame, list of Finding)
        The usable features (original order, ``source_row`` kept) and the findings.
    """
    findings: list[Finding] = []
    geoms = layer.geometry.to_numpy()
    labels = feature_labels(layer)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    valid = shapely.is_valid(geoms) | missing
    fixed = geoms.copy()
    for i in np.flatnonzero(~valid):
        reason = shapely.is_valid_reason(geoms[i])
        before = float(shapely.area(geoms[i]))
        repaired = polygonal(np.array([shapely.make_valid(geoms[i])], dtype=object))[0]
        fixed[i] = repaired
        findings.append(
            Finding(
                WARNING,
                "geometry_repaired",
                name,
                labels[i],
                params={"reason": reason, "before": before, "after": float(shapely.area(repaired))},
                area_m2=abs(float(shapely.area(repaired)) - before),
            )
        )
    polys = polygonal(fixed)
    collections = (shapely.get_type_id(fixed) == 7) & ~missing
    for i in np.flatnonzero(collections & valid):
        findings.append(Finding(INFO, "collection_reduced", name, labels[i]))
    area = shapely.area(polys)
    unusable = missing | (area <= 0) | shapely.is_empty(polys)
    for i in np.flatnonzero(unusable):
        check = "geometry_empty" if missing[i] else "geometry_no_area"
        findings.append(Finding(ERROR, check, name, labels[i], listed=True))
    out = layer.copy()
    out = out.set_geometry(list(polys))
    return out[~unusable], findings


def repeated_parcel_keys(parcels: pd.DataFrame) -> list[Finding]:
    """List parcel keys (commune, sheet, parcel) that several parcels share."""
    keyed = parcels[parcels[C.KEY_PARCEL] != ""]
    key_cols = [C.KEY_COMMUNE, C.KEY_SHEET, C.KEY_PARCEL]
    counts = keyed.groupby(key_cols, sort=True).size()
    findings = []
    for (kc, ks, kp), n in counts[counts > 1].items():
        findings.append(
            Finding(
                WARNING,
                "parcel_key_repeated",
                "parcels",
                f"sheet {ks} / parcel {kp}",
                params={"commune": kc or "—", "count": int(n)},
            )
        )
    return findings


def missing_parcel_keys(parcels: pd.DataFrame) -> list[Finding]:
    """List parcels without a parcel number (they cannot be matched to a handover record)."""
    rows = parcels[parcels[C.KEY_PARCEL] == ""]
    return [
        Finding(WARNING, "parcel_key_missing", "parcels", f"feature {i}")
        for i in rows[C.SOURCE_ROW]
    ]


def qa_table(findings: Sequence[Finding], lang: str = "vi") -> pd.DataFrame:
    """Build ``qa_issues.csv`` from findings (errors first, then warnings, then notes)."""
    order = {ERROR: 0, WARNING: 1, INFO: 2}
    rows = [
        {
            C.SEVERITY: f.severity,
            C.CHECK: f.check,
            C.LAYER: f.layer,
            C.FEATURE: f.feature,
            C.MESSAGE: qa_message(f.check, f.params, lang),
            C.AREA_M2: f.area_m2,
        }
        for f in sorted(findings, key=lambda f: order.get(f.severity, 3))
    ]
    return pd.DataFrame(rows, columns=list(C.QA_COLUMNS))
