"""Data-quality checks and repairs; every finding becomes a row of the QA table."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gpmb_gis import _arrays, faces, settings, stages
from gpmb_gis import columns as C
from gpmb_gis._arrays import LINEAL, PUNCTUAL
from gpmb_gis._errors import CRSError
from gpmb_gis._findings import ERROR, INFO, WARNING, Finding
from gpmb_gis._text import number_key, parcel_label
from gpmb_gis.faces import overlapping_pairs, polygonal
from gpmb_gis.labels import qa_message

__all__ = [
    "EARLIEST_DATE",
    "area_number",
    "check_near",
    "commune_mismatch",
    "drop_implausible_dates",
    "feature_labels",
    "gaps_in_row",
    "legal_area_mismatch",
    "missing_parcel_keys",
    "multipart_parcels",
    "overlaps_in_row",
    "qa_table",
    "record_dates",
    "repair_polygons",
    "repeated_parcel_keys",
    "row_findings",
    "sliver_pieces",
    "width_of",
]


class _Labels:
    """How the user knows each feature, worked out only for the features a finding names."""

    def __init__(self, layer: pd.DataFrame) -> None:
        self.rows = layer[C.SOURCE_ROW].to_numpy()
        self.sheets = layer[C.SHEET].to_numpy() if C.SHEET in layer else None
        self.parcels = layer[C.PARCEL].to_numpy() if C.PARCEL in layer else None
        self.sites = layer[C.SITE].to_numpy() if C.SITE in layer else None
        self.files = layer[C.SOURCE_FILE].to_numpy() if C.SOURCE_FILE in layer else None

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> str:
        label = self._label(i)
        return f"{self.files[i]}: {label}" if self.files is not None else label

    def _label(self, i: int) -> str:
        if self.parcels is not None:
            parcel = number_key(self.parcels[i])
            sheet = number_key(self.sheets[i]) if self.sheets is not None else ""
            return parcel_label(sheet, parcel) if parcel else f"feature {self.rows[i]}"
        if self.sites is not None and isinstance(self.sites[i], str) and self.sites[i]:
            return self.sites[i]
        return f"feature {self.rows[i]}"


def feature_labels(layer: gpd.GeoDataFrame) -> Sequence[str]:
    """How the user knows each feature: ``sheet 12 / parcel 45``, a site name, ``feature 7``."""
    return _Labels(layer)


def _dropped_parts(geom: shapely.Geometry) -> str:
    """What a polygon layer cannot use in a geometry: ``2 lines (3.5 m), 1 point``."""
    parts = shapely.get_parts(geom)
    types = shapely.get_type_id(parts)
    lines = parts[np.isin(types, LINEAL)]
    points = parts[np.isin(types, PUNCTUAL)]
    out = []
    if len(lines):
        out.append(f"{len(lines)} line(s) ({float(shapely.length(lines).sum()):.2f} m)")
    if len(points):
        out.append(f"{len(points)} point(s)")
    return ", ".join(out)


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
        made_valid = shapely.make_valid(geoms[i])
        repaired = polygonal(np.array([made_valid], dtype=object))[0]
        fixed[i] = repaired
        after = float(shapely.area(repaired))
        params = {
            "reason": reason,
            "before": before,
            "after": after,
            "dropped": _dropped_parts(made_valid) or "—",
        }
        findings.append(
            Finding(
                WARNING,
                "geometry_repaired",
                name,
                labels[i],
                params=params,
                area_m2=abs(after - before),
                place=repaired,
            )
        )
    polys = polygonal(fixed)
    collections = (shapely.get_type_id(fixed) == shapely.GeometryType.GEOMETRYCOLLECTION) & ~missing
    for i in np.flatnonzero(collections & valid):
        params = {"dropped": _dropped_parts(fixed[i]) or "—"}
        findings.append(Finding(INFO, "collection_reduced", name, labels[i], params=params))
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
                parcel_label(ks, kp),
                params={"commune": kc or "—", "count": int(n)},
            )
        )
    return findings


def missing_parcel_keys(parcels: pd.DataFrame) -> list[Finding]:
    """List parcels without a parcel number (they cannot be matched to a handover record)."""
    rows = parcels[parcels[C.KEY_PARCEL] == ""]
    if not len(rows):
        return []
    # the file and a point inside: a face of a drawing has no number to be found by
    labels = feature_labels(rows)
    points = shapely.point_on_surface(rows.geometry.to_numpy())
    return [
        Finding(
            WARNING,
            "parcel_key_missing",
            "parcels",
            f"{labels[k]} ({shapely.get_x(p):.1f}, {shapely.get_y(p):.1f})",
        )
        for k, p in enumerate(points)
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


# --- parcels: shape, area, commune ---------------------------------------------------------


def multipart_parcels(parcels: gpd.GeoDataFrame) -> list[Finding]:
    """List parcels drawn as several separate polygons (often a digitising slip)."""
    geoms = parcels.geometry.to_numpy()
    parts, labels = shapely.get_num_geometries(geoms), feature_labels(parcels)
    return [Finding(WARNING, "parcel_multipart", "parcels", labels[i], {"parts": int(parts[i])},
                    place=geoms[i]) for i in np.flatnonzero(parts > 1)]  # fmt: skip


_DATE_LIKE = re.compile(r"^\s*\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}(\s.*)?$")


def area_number(value: object) -> float:
    """An area cell as a number: ``1234.5``, ``"1.234,5"`` or ``"1234,5"``; NaN otherwise.

    Examples
    --------
    >>> area_number("1.234,5"), area_number("256,3"), area_number(12), area_number("01/06/8434")
    (1234.5, 256.3, 12.0, nan)
    """
    if isinstance(value, bool) or value is None:
        return float("nan")
    if isinstance(value, (int, float, np.number)):
        return float(value)
    text = str(value).strip().replace(" ", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?|\d+,\d+", text):  # Vietnamese: 1.234,5
        text = text.replace(".", "").replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return float("nan")


def _unreadable_areas(
    raw: pd.Series,
    legal: np.ndarray,
    labels: Sequence[str],
) -> list[Finding]:
    """A warning for each legal area written but not a number (a date, above all)."""
    values = raw.tolist()
    findings = []
    for i in np.flatnonzero(np.isnan(legal)):
        value = values[i]
        if not _arrays.present(value):
            continue
        date_like = isinstance(value, (dt.date, pd.Timestamp)) or bool(_DATE_LIKE.match(str(value)))
        check = "legal_area_is_date" if date_like else "legal_area_unreadable"
        findings.append(
            Finding(WARNING, check, "parcels", labels[i], params={"value": str(value)[:40]})
        )
    return findings


def legal_area_mismatch(parcels: gpd.GeoDataFrame, tolerance: float) -> list[Finding]:
    """List parcels whose drawn area differs from the legal area by more than ``tolerance``."""
    if C.LEGAL_AREA_M2 not in parcels:
        return []
    raw = parcels[C.LEGAL_AREA_M2]
    legal = np.array(_arrays.map_unique(raw, area_number), dtype=float)
    drawn = shapely.area(parcels.geometry.to_numpy())
    unreadable = _unreadable_areas(raw, legal, feature_labels(parcels))
    with np.errstate(divide="ignore", invalid="ignore"):
        diff = np.abs(drawn - legal) / legal
    bad = np.flatnonzero((legal > 0) & (diff > tolerance))
    labels = feature_labels(parcels)
    negative = [
        Finding(
            WARNING,
            "legal_area_negative",
            "parcels",
            labels[i],
            params={"legal": float(legal[i]), "drawn": float(drawn[i])},
        )
        for i in np.flatnonzero(legal < 0)
    ]
    return (
        unreadable
        + negative
        + [
            Finding(
                WARNING,
                "legal_area_mismatch",
                "parcels",
                labels[i],
                params={
                    "legal": float(legal[i]),
                    "drawn": float(drawn[i]),
                    "pct": float(100 * diff[i]),
                },
                area_m2=float(drawn[i] - legal[i]),
                place=parcels.geometry.iat[i],
            )
            for i in bad
        ]
    )


def commune_mismatch(
    parcels: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame | None,
) -> list[Finding]:
    """List parcels that lie outside every commune, or in another commune than they say."""
    if communes is None or not len(parcels):
        return []
    points = shapely.point_on_surface(parcels.geometry.to_numpy())
    tree = shapely.STRtree(communes.geometry.to_numpy())
    point_idx, commune_idx = tree.query(points, predicate="within")
    inside = np.full(len(parcels), -1)
    inside[point_idx] = commune_idx
    labels = feature_labels(parcels)
    names = communes[C.COMMUNE].to_numpy()
    keys = communes[C.KEY_COMMUNE].to_numpy()
    geoms = parcels.geometry.to_numpy()
    findings = [
        Finding(WARNING, "parcel_outside_communes", "parcels", labels[i], place=geoms[i])
        for i in np.flatnonzero(inside < 0)
    ]
    said = parcels[C.KEY_COMMUNE].to_numpy()
    for i in np.flatnonzero(inside >= 0):
        if said[i] and said[i] != keys[inside[i]]:
            findings.append(
                Finding(
                    WARNING,
                    "commune_mismatch",
                    "parcels",
                    labels[i],
                    params={
                        "said": str(parcels[C.COMMUNE].iat[i]),
                        "lies_in": str(names[inside[i]]),
                    },
                    place=geoms[i],
                )
            )
    return findings


# --- inside the right of way ---------------------------------------------------------------


def _piece_labels(pieces: gpd.GeoDataFrame) -> Sequence[str]:
    return feature_labels(pieces if C.SOURCE_ROW in pieces else pieces.assign(**{C.SOURCE_ROW: 0}))


def overlaps_in_row(
    pieces: gpd.GeoDataFrame,
    project: str,
    pairs: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> list[Finding]:
    """List pairs of parcels that overlap inside the right of way, with the shared area.

    ``pairs`` are the overlapping pairs when already known (:class:`faces.Faces`).
    """
    geoms = pieces.geometry.to_numpy()
    if len(geoms) < 2:
        return []
    left, right, shared = overlapping_pairs(geoms) if pairs is None else pairs
    big = shared > settings.MIN_OVERLAP_M2
    left, right, shared = left[big], right[big], shared[big]
    labels = _piece_labels(pieces)
    return [
        Finding(
            WARNING,
            "parcels_overlap",
            f"row:{project}",
            f"{labels[a]} ∩ {labels[b]}",
            params={"a": labels[a], "b": labels[b], "area": float(s)},
            area_m2=float(s),
            place=shapely.intersection(geoms[a], geoms[b]),
        )
        for a, b, s in zip(left, right, shared, strict=True)
    ]


def width_of(geoms: np.ndarray) -> np.ndarray:
    """Mean width of polygons, 2 × area / perimeter (exact for a long thin strip)."""
    perimeter = shapely.length(geoms)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(perimeter > 0, 2 * shapely.area(geoms) / perimeter, 0.0)


def row_findings(
    row: shapely.Geometry,
    pieces: gpd.GeoDataFrame,
    project: str,
    sliver_width: float,
    overlaps: tuple[np.ndarray, np.ndarray, np.ndarray],
    covered: shapely.Geometry | None = None,
) -> list[Finding]:
    """Checks inside one right of way: overlapping parcels, gaps, slivers.

    ``overlaps`` are the overlapping pairs of pieces (:func:`faces.overlapping_pairs`),
    ``covered`` the union of the pieces when known.
    """
    return (
        overlaps_in_row(pieces, project, overlaps)
        + gaps_in_row(row, pieces, project, sliver_width, covered)
        + sliver_pieces(pieces, project, sliver_width)
    )


def gaps_in_row(
    row: shapely.Geometry,
    pieces: gpd.GeoDataFrame,
    project: str,
    sliver_width: float,
    covered: shapely.Geometry | None = None,
) -> list[Finding]:
    """List the parts of the right of way that no parcel covers, with where they are.

    ``covered`` is the union of the pieces when already known.
    """
    if covered is None and len(pieces):
        covered = faces.union_of_pieces(pieces.geometry.to_numpy())
    uncovered = row if covered is None else shapely.difference(row, covered)
    parts = shapely.get_parts(uncovered)
    parts = parts[shapely.area(parts) > settings.MIN_GAP_M2]
    where = shapely.point_on_surface(parts)
    widths = width_of(parts)
    findings = []
    for part, point, width in zip(parts, where, widths, strict=True):
        check = "gap_sliver" if width < sliver_width else "gap_in_row"
        findings.append(
            Finding(
                WARNING if check == "gap_sliver" else INFO,
                check,
                f"row:{project}",
                f"x={point.x:.1f} y={point.y:.1f}",
                params={
                    "area": float(part.area),
                    "width": float(width),
                    "x": point.x,
                    "y": point.y,
                },
                area_m2=float(part.area),
                place=part,
            )
        )
    return findings


def sliver_pieces(pieces: gpd.GeoDataFrame, project: str, sliver_width: float) -> list[Finding]:
    """List parcels that reach into the right of way by a sliver only (a drawing mismatch?)."""
    widths = width_of(pieces.geometry.to_numpy())
    labels = _piece_labels(pieces)
    area = pieces[C.AFFECTED_M2].to_numpy()
    return [
        Finding(
            WARNING,
            "piece_sliver",
            f"row:{project}",
            labels[i],
            params={"area": float(area[i]), "width": float(widths[i])},
            area_m2=float(area[i]),
            place=pieces.geometry.iat[i],
        )
        for i in np.flatnonzero(widths < sliver_width)
    ]


# --- handover book -------------------------------------------------------------------------

_DATE_ORDER = (C.INVENTORY_DATE, C.PLAN_APPROVED_DATE, C.PAID_DATE, C.HANDOVER_DATE)


def _ordinals(values: pd.Series) -> np.ndarray:
    """Day numbers of date cells as ``date.toordinal`` counts; NaN where no date."""
    return stages.day_numbers(values) + _ORDINAL_1970


_ORDINAL_1970 = dt.date(1970, 1, 1).toordinal()


#: Dates before this are no date of a clearance book (an empty Excel cell reads as 1900).
EARLIEST_DATE = dt.date(1990, 1, 1)


def _implausible(days: np.ndarray, as_of: dt.date, far_future_years: int) -> np.ndarray:
    far = (as_of + dt.timedelta(days=round(365.25 * far_future_years))).toordinal()
    return (days > far) | (days < EARLIEST_DATE.toordinal())


def drop_implausible_dates(
    records: pd.DataFrame,
    as_of: dt.date,
    far_future_years: int,
) -> tuple[pd.DataFrame, list[Finding]]:
    """Records without their implausible dates, and an error for each date dropped.

    The steps' dates and the households' (lots drawn, complaints, enforcement). A date before
    1990, or more than ``far_future_years`` after the report date, is a typo
    or an empty cell, not a step done: it gives no stage (the record's other dates, or its
    status when it has no other, still do).
    """
    if not len(records):
        return records, []
    # the steps' dates, and those of the households' other steps (lots, complaints…)
    columns = [c for c in (*_DATE_ORDER, *C.HOUSEHOLD_DATE_COLUMNS, *C.STEP_DATE_COLUMNS)
               if c in records]  # fmt: skip
    days = np.column_stack([_ordinals(records[col]) for col in columns])
    implausible = _implausible(days, as_of, far_future_years)
    if not implausible.any():
        return records, []
    out = records.copy()
    labels = records[C.RECORD_LABEL].to_numpy()
    findings = []
    for i, k in zip(*np.nonzero(implausible), strict=True):
        column = columns[k]
        date = dt.date.fromordinal(int(days[i, k]))
        findings.append(
            Finding(
                ERROR,
                "date_implausible",
                "handovers",
                labels[i],
                params={"column": column, "date": f"{date:%d/%m/%Y}"},
            )
        )
        out.iloc[i, out.columns.get_loc(column)] = None
        if column == C.RESETTLEMENT_DATE:  # lots of no plausible draw: not counted as given
            out.iloc[i, out.columns.get_loc(C.RESETTLEMENT_LOTS)] = None
    return out, findings


def record_dates(records: pd.DataFrame, as_of: dt.date, far_future_years: int) -> list[Finding]:
    """Dates after the report date, implausible dates, and stages dated out of order."""
    if not len(records):
        return []
    days = np.column_stack([_ordinals(records[col]) for col in _DATE_ORDER])
    implausible = _implausible(days, as_of, far_future_years)
    after = (days > as_of.toordinal()) & ~implausible
    # each date against the last date given before it, in stage order
    previous = np.full(len(records), np.nan)
    before = np.full(days.shape, -1)  # column of that earlier date
    for k in range(len(_DATE_ORDER)):
        present = ~np.isnan(days[:, k])
        late = present & (days[:, k] < previous)
        if late.any():
            same = days[late, :k][:, ::-1] == previous[late, None]  # the latest such column
            before[late, k] = k - 1 - np.argmax(same, axis=1)
        previous = np.where(present, days[:, k], previous)
    return _date_findings(records, days, implausible, after, before, as_of)


def _date_findings(
    records: pd.DataFrame,
    days: np.ndarray,
    implausible: np.ndarray,
    after: np.ndarray,
    before: np.ndarray,
    as_of: dt.date,
) -> list[Finding]:
    """The findings of :func:`record_dates`, record by record, for the cells flagged."""
    findings: list[Finding] = []
    later: list[tuple[str, str, dt.date]] = []
    labels = records[C.RECORD_LABEL].to_numpy()

    def text(day: float) -> str:
        return f"{dt.date.fromordinal(int(day)):%d/%m/%Y}"

    flagged = implausible.any(axis=1) | after.any(axis=1) | (before >= 0).any(axis=1)
    for i in np.flatnonzero(flagged):
        for k, col in enumerate(_DATE_ORDER):
            if implausible[i, k]:
                params = {"column": col, "date": text(days[i, k])}
                findings.append(
                    Finding(ERROR, "date_implausible", "handovers", labels[i], params=params)
                )
            elif after[i, k]:
                later.append((labels[i], col, dt.date.fromordinal(int(days[i, k]))))
        for k in np.flatnonzero(before[i] >= 0):
            j = before[i, k]
            params = {
                "first": _DATE_ORDER[j],
                "first_date": text(days[i, j]),
                "then": _DATE_ORDER[k],
                "then_date": text(days[i, k]),
            }
            findings.append(
                Finding(WARNING, "stages_out_of_order", "handovers", labels[i], params=params)
            )
    return findings + _dates_after(later, as_of)


def _dates_after(later: list[tuple[str, str, dt.date]], as_of: dt.date) -> list[Finding]:
    """Dates after the report date: one row each when few, one row in all when many.

    A report as of a past date has many: they are normal there, and one row says so.
    """
    as_of_text = f"{as_of:%d/%m/%Y}"
    if len(later) <= _MAX_ROWS_LISTED:
        return [
            Finding(
                INFO,
                "date_after_as_of",
                "handovers",
                where,
                params={"column": col, "date": f"{date:%d/%m/%Y}", "as_of": as_of_text},
            )
            for where, col, date in later
        ]
    rows = ", ".join(dict.fromkeys(where for where, _, _ in later))
    rows = ", ".join(rows.split(", ")[:5])
    return [
        Finding(
            INFO,
            "dates_after_as_of",
            "handovers",
            f"{len(later)} cells",
            params={"count": len(later), "as_of": as_of_text, "rows": rows},
        )
    ]


_MAX_ROWS_LISTED = 10


#: A right of way this far (metres) from every parcel is in the wrong place, not a gap.
_FAR_APART_M = 10_000.0


def check_near(
    row: gpd.GeoDataFrame,
    parcels: gpd.GeoDataFrame,
    row_source,
    parcels_source,
) -> None:
    """Refuse a right of way far from every parcel: one of the two has the wrong CRS."""
    if not len(row) or not len(parcels):
        return
    distance = shapely.distance(shapely.box(*row.total_bounds), shapely.box(*parcels.total_bounds))
    if distance > _FAR_APART_M:
        raise CRSError(
            row_source.label(),
            f"the right of way lies {distance / 1000:.0f} km from every parcel of "
            f"{parcels_source.label()}: one of the two layers has the wrong CRS",
            'check the .prj of both, or set crs = "EPSG:…" for the wrong one in the config',
        )
