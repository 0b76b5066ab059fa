"""What a run found: :class:`ProgressResult`, assembled from the projects' overlays.

:func:`measure_overlays` measures every overlay as of the report date, adds the findings of
the join and the record accounting, and returns the tables of ``DIR/tables/``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from gpmb_gis import columns as C
from gpmb_gis import qa
from gpmb_gis._arrays import present
from gpmb_gis._findings import ERROR, WARNING, Finding
from gpmb_gis._text import parcel_label, short_commune
from gpmb_gis.config import Config
from gpmb_gis.deadlines import procedure_findings
from gpmb_gis.household_counts import SHARED
from gpmb_gis.inputs import Inputs
from gpmb_gis.measure import ProjectTables, project_tables
from gpmb_gis.milestones import milestone_table
from gpmb_gis.overlay import ProjectOverlay
from gpmb_gis.qa import qa_table
from gpmb_gis.timeline import timeseries_table
from gpmb_gis.unit_lookup import new_units, own_crosswalk

if TYPE_CHECKING:
    from gpmb_gis.unplaced import Unplaced


__all__ = ["ProgressResult", "measure_overlays", "record_summary"]


def _record_findings(
    inputs: Inputs, overlays: list[ProjectOverlay]
) -> tuple[list[Finding], set[int]]:
    """Records linked only to parcels outside the ROW (listed), and repeated records."""
    findings: list[Finding] = []
    links = inputs.links
    # a link hits when its (project, parcel) has a piece: both as one integer key
    stride = len(inputs.parcels) + 1
    project_of = pd.Index([ov.project.id for ov in overlays], dtype=object)
    affected = np.concatenate(
        [
            k * stride + ov.pieces[C.PARCEL_INDEX].to_numpy(dtype=np.int64)
            for k, ov in enumerate(overlays)
        ]
        or [np.zeros(0, dtype=np.int64)]
    )
    link_project = project_of.get_indexer(links[C.PROJECT].to_numpy(dtype=object))
    link_key = link_project * stride + links[C.PARCEL_INDEX].to_numpy(dtype=np.int64)
    hit = (link_project >= 0) & np.isin(link_key, affected)
    used: set[int] = set(links[C.RECORD_INDEX].to_numpy(dtype=np.int64)[hit].tolist())
    records = inputs.records
    outside = links[~links[C.RECORD_INDEX].isin(used)] if len(links) else links
    if len(outside):
        first = outside.groupby(C.RECORD_INDEX, sort=True)[C.PARCEL_INDEX].first()
        pids = (
            outside.drop_duplicates([C.RECORD_INDEX, C.PROJECT])
            .sort_values([C.RECORD_INDEX, C.PROJECT])
            .groupby(C.RECORD_INDEX, sort=True)[C.PROJECT]
            .agg(", ".join)
        )
        at = first.to_numpy(dtype=np.int64)
        sheets = inputs.parcels[C.KEY_SHEET].to_numpy()[at].tolist()
        numbers = inputs.parcels[C.KEY_PARCEL].to_numpy()[at].tolist()
        labels = records[C.RECORD_LABEL].to_numpy()[first.index.to_numpy(dtype=np.int64)]
        for label, sheet, number, project in zip(
            labels.tolist(), sheets, numbers, pids.tolist(), strict=True
        ):
            params = {"sheet": sheet, "parcel": number, "project": project}
            findings.append(
                Finding(
                    WARNING, "record_outside_row", "handovers", label, params=params, listed=True
                )
            )
    inside = links[hit].drop_duplicates([C.RECORD_INDEX, C.PARCEL_INDEX, C.PROJECT])
    repeated = inside.groupby([C.PROJECT, C.PARCEL_INDEX])[C.RECORD_INDEX].transform("size") > 1
    for (pid, parcel), group in inside[repeated].groupby([C.PROJECT, C.PARCEL_INDEX]):
        if len(group) > 1:
            rows = sorted(records[C.SOURCE_ROW].iloc[group[C.RECORD_INDEX]].tolist())
            p = inputs.parcels.iloc[parcel]
            findings.append(
                Finding(
                    WARNING,
                    "record_repeated",
                    "handovers",
                    parcel_label(p[C.KEY_SHEET], p[C.KEY_PARCEL]),
                    params={"count": len(group), "project": pid, "rows": ", ".join(map(str, rows))},
                )
            )
    return findings, used


def record_summary(
    inputs: Inputs,
    findings: list[Finding],
    records_used: int,
) -> tuple[pd.DataFrame, list[Finding]]:
    """``records: N read = M used + K listed`` for each layer, and a finding where not.

    Used and listed are counted independently (what was kept, what was listed), so a record
    that went missing on the way shows as a difference instead of vanishing.
    """
    used = {**inputs.used, "handovers": records_used}
    rows, lost = [], []
    for layer, n in inputs.read.items():
        listed = sum(f.count for f in findings if f.listed and f.layer == layer)
        rows.append(
            {"layer": layer, "read": n, "used": used.get(layer, n - listed), "listed": listed}
        )
        if used.get(layer, n - listed) + listed != n:
            lost.append(
                Finding(
                    ERROR,
                    "records_unaccounted",
                    layer,
                    params={"read": n, "used": used.get(layer), "listed": listed},
                )
            )
    return pd.DataFrame(rows, columns=["layer", "read", "used", "listed"]), lost


@dataclass
class ProgressResult:
    """What :func:`compute_progress` found: the tables of ``DIR/tables/`` and the geometry.

    Attributes
    ----------
    progress_by_project, progress_by_commune, parcels, qa_issues, progress_by_chainage
        The tables of ``tables/`` (full precision; ``docs/metrics.md``).
    blockers
        Per road project: stretches not yet cleared and the parcels that block them.
    progress_by_commune_2025
        The same measures by the units of 2025 the communes became part of (unions of their
        land; ``docs/communes.md``).
    records
        Records read, used and listed per layer.
    overlays
        Per project: pieces, faces and units, for maps and further measures.
    """

    config: Config
    as_of: dt.date
    progress_by_project: pd.DataFrame
    progress_by_commune: pd.DataFrame
    parcels: pd.DataFrame
    qa_issues: pd.DataFrame
    records: pd.DataFrame
    overlays: dict[str, ProjectOverlay] = field(repr=False, default_factory=dict)
    inputs: Inputs | None = field(repr=False, default=None)
    findings: list[Finding] = field(repr=False, default_factory=list)
    progress_by_chainage: pd.DataFrame = field(
        repr=False, default_factory=lambda: pd.DataFrame(columns=C.CHAINAGE_COLUMNS)
    )
    blockers: pd.DataFrame = field(
        repr=False, default_factory=lambda: pd.DataFrame(columns=C.BLOCKER_COLUMNS)
    )
    progress_by_commune_2025: pd.DataFrame = field(
        repr=False, default_factory=lambda: pd.DataFrame(columns=C.COMMUNE_2025_COLUMNS)
    )
    _unplaced: Unplaced | None = field(default=None, init=False, repr=False, compare=False)
    _milestones: pd.DataFrame | None = field(default=None, init=False, repr=False, compare=False)
    _deadlines: dict[str, pd.DataFrame] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def unplaced(self) -> Unplaced:
        """The book's records with a date or status that no parcel took (see ``unplaced``).

        Worked out once: every headline of a report asks for it.
        """
        from gpmb_gis.unplaced import unplaced_records

        if self._unplaced is None:
            self._unplaced = unplaced_records(self)
        return self._unplaced

    def deadlines(self) -> dict[str, pd.DataFrame]:
        """``agency_deadlines`` and ``agencies`` (:mod:`gpmb_gis.deadlines`) of the run.

        Worked out once per result: the tables, the index and ``gpmb check`` all show them
        (each call gives copies of its own).
        """
        if self._deadlines is None:
            from gpmb_gis.deadlines import DEADLINE_COLUMNS, agencies_table, deadlines_table

            steps = pd.DataFrame(columns=list(DEADLINE_COLUMNS))
            if self.inputs is not None:
                pieces = {}
                for pid, ov in self.overlays.items():
                    rows = zip(ov.pieces[C.PARCEL_INDEX], ov.pieces[C.AFFECTED_M2],
                               ov.pieces["commune_name"], strict=True)  # fmt: skip
                    pieces.update({(pid, int(k)): (float(a), c) for k, a, c in rows})
                steps = deadlines_table(self.inputs, self.config.procedure, self.as_of, pieces)
            public = steps.drop(columns=[c for c in steps.columns if c.startswith("_")])
            self._deadlines = {"agency_deadlines": public, "agencies": agencies_table(steps)}
        return {name: table.copy() for name, table in self._deadlines.items()}

    def milestones(self) -> pd.DataFrame:
        """Every milestone's status as of the report date (``milestones.csv``).

        Worked out once per result: the tables, the briefing, the maps and the quarterly
        report all show it (each call gives a copy of its own).
        """
        if self._milestones is None:
            self._milestones = milestone_table(self)
        return self._milestones.copy()

    def timeseries(self) -> pd.DataFrame:
        """Weekly cleared area and %, per project and commune (``timeseries.csv``)."""
        return timeseries_table(self)

    def by_chainage(self, project: str) -> pd.DataFrame:
        """The chainage table of one road project (bins of ``chainage_bin_m``)."""
        table = self.progress_by_chainage
        return table[table[C.PROJECT] == project]

    def qa_in(self, lang: str) -> pd.DataFrame:
        """The QA table worded in another language (``vi`` or ``en``)."""
        if lang == self.config.lang or not self.findings:
            return self.qa_issues
        return qa_table(self.findings, lang)

    def __repr__(self) -> str:
        lines = [f"ProgressResult({self.config.title!r}, as of {self.as_of:%d/%m/%Y})"]
        for row in self.progress_by_project.itertuples(index=False):
            lines.append(
                f"  {row.project}: {row.cleared_pct:5.1f} % of "
                f"{row.required_m2 / 1e4:,.2f} ha handed over"
            )
        lines.append(f"  QA findings: {len(self.qa_issues)}")
        doubt = self.unplaced().sentence("en")
        if doubt:
            lines.append(f"  warning: {doubt}")
        return "\n".join(lines)

    def by_commune(self, project: str | None = None) -> pd.DataFrame:
        """The commune table, for one project or all."""
        table = self.progress_by_commune
        return table[table[C.PROJECT] == project] if project else table

    def report_era(self) -> str:
        """The era the reports name communes in: ``"2024"``, ``"2025"`` or ``"both"``."""
        return self.config.report_era(self.as_of)

    def communes_named(self, project: str | None = None) -> pd.DataFrame:
        """The commune table as the reports show it, in the report's era.

        In 2024 it is :meth:`by_commune`; in 2025 (and ``both``) the rows of
        ``progress_by_commune_2025`` with each unit's old communes in brackets ("Phường Kỳ
        Lừa (TT Cao Lộc, Hợp Thành)"), in the columns of the commune table.
        """
        if self.report_era() == "2024":
            return self.by_commune(project)
        table = self.progress_by_commune_2025
        table = table[table[C.PROJECT] == project] if project else table
        names = [
            f"{new} ({', '.join(short_commune(o) for o in olds.split('; '))})"
            if olds and olds != new
            else new
            for new, olds in zip(table[C.COMMUNE_2025], table["old_communes"], strict=True)
        ]
        out = table.rename(columns={C.COMMUNE_2025_CODE: C.COMMUNE_CODE})
        return out.assign(**{C.COMMUNE: names}).reindex(columns=C.COMMUNE_COLUMNS)

    def commune_labels(self, codes: list[object], names: list[object]) -> list[str]:
        """Communes of the run's layers as the report names them on a map.

        In 2024 their names; in 2025 (and ``both``) their unit of 2025 with the old name in
        brackets ("P. Kỳ Lừa (Hợp Thành)"), or the old name alone where the unit is not known.
        """
        written = [str(n) if present(n) else "" for n in names]
        config = self.config
        if self.report_era() == "2024" or ((config.communes or config.parcels).era or 2024) == 2025:
            return written
        keys = [c if present(c) and str(c) else n for c, n in zip(codes, written, strict=True)]
        new = new_units(keys, written, config.province, own_crosswalk(config.crosswalk))
        return [
            f"{short_commune(unit)} ({short_commune(old)})" if unit else old
            for old, (_, unit) in zip(written, new, strict=True)
        ]

    def qa(self, severity: str | None = None) -> pd.DataFrame:
        """The QA table, optionally only ``error`` or ``warning`` rows."""
        table = self.qa_issues
        return table[table[C.SEVERITY] == severity] if severity else table


def measure_overlays(
    inputs: Inputs,
    overlays: dict[str, ProjectOverlay],
    day: dt.date,
    *,
    include_owner: bool = False,
    measured: dict[str, ProjectTables] | None = None,
) -> ProgressResult:
    """Measure the overlays of inputs read and settled: the tables of a run as of ``day``.

    ``measured`` holds the projects' own tables when already made (same ``day`` and
    ``include_owner``).
    """
    config = inputs.config
    extra, records_used = _record_findings(inputs, list(overlays.values()))
    findings = inputs.findings + extra + [f for ov in overlays.values() for f in ov.findings]
    findings += qa.record_dates(inputs.records, day, config.qa.far_future_years)
    findings += procedure_findings(inputs.records, config.procedure)
    summary, lost = record_summary(inputs, findings, len(records_used))
    findings += lost
    measured = measured or {}
    tables = [
        measured.get(pid) or project_tables(ov, inputs, day, include_owner)
        for pid, ov in overlays.items()
    ]
    by_project = pd.DataFrame([t.project for t in tables])
    road = pd.DataFrame([t.road for t in tables], index=by_project.index)
    if len(road.columns):  # road figures: columns of the road projects only, blank elsewhere
        numbers = road.select_dtypes("number").columns
        road[numbers] = road[numbers].astype(float)
        by_project = pd.concat([by_project, road], axis=1)
    return ProgressResult(
        config,
        day,
        by_project,
        _commune_table([r for t in tables for r in t.communes], config.report_era(day)),
        pd.concat([t.parcels for t in tables], ignore_index=True),
        qa_table(findings, config.lang),
        summary,
        overlays,
        inputs,
        findings,
        _concat([t.chainage for t in tables], C.CHAINAGE_COLUMNS),
        _concat([t.blockers for t in tables], C.BLOCKER_COLUMNS),
        pd.DataFrame([r for t in tables for r in t.communes_2025], columns=C.COMMUNE_2025_COLUMNS),
    )


def _commune_table(rows: list[dict[str, object]], era: str) -> pd.DataFrame:
    """``progress_by_commune.csv``: its columns, and the households' when the book has any."""
    households = [c for c in (*C.HOUSEHOLD_FIGURES, SHARED) if rows and c in rows[0]]
    return pd.DataFrame(rows, columns=[*commune_columns(era), *households])


def commune_columns(era: str) -> list[str]:
    """The columns of ``progress_by_commune.csv`` for a report written in ``era``."""
    both = [C.COMMUNE_2024_CODE, C.COMMUNE_2024] if era != "2024" else []
    return [*C.COMMUNE_COLUMNS, C.COMMUNE_2025_CODE, C.COMMUNE_2025, *both]


def _concat(tables: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    tables = [t for t in tables if len(t)]
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=columns)
