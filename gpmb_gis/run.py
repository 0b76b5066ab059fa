"""A run: read, overlay and measure every project of a config, on threads where it pays.

:func:`compute_progress` reads the inputs (:mod:`gpmb_gis.inputs`), cuts each right of way
while the parcels are keyed and the book is read, dates and measures each project as soon as
its cut is done, and returns a :class:`~gpmb_gis.result.ProgressResult`. This is the only
module that schedules the steps of a run on threads (within one step, a GeoPackage is read in
parts on threads of its own: :mod:`gpmb_gis.nearby`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import TypeVar

import pandas as pd
from shapely import STRtree

from gpmb_gis import _arrays, join, qa, stages
from gpmb_gis import columns as C
from gpmb_gis._errors import InputError
from gpmb_gis._findings import ERROR
from gpmb_gis._text import number_key, parcel_label
from gpmb_gis.config import Config, Project, load_config
from gpmb_gis.eras import records_in_old_communes
from gpmb_gis.faces import union_of
from gpmb_gis.inputs import (
    Inputs,
    gather,
    key_parcels,
    linked,
    read_book,
    read_layers,
    read_parcel_shapes,
    settled,
)
from gpmb_gis.io.book import empty_handovers
from gpmb_gis.labels import qa_message
from gpmb_gis.measure import project_tables
from gpmb_gis.milestones import milestone_table
from gpmb_gis.overlay import (
    ChainageBins,
    ProjectOverlay,
    RowCut,
    chainage_bins,
    cut_project,
    cut_row,
    overlay_project,
    with_reach,
)
from gpmb_gis.result import ProgressResult, measure_overlays
from gpmb_gis.unit_lookup import own_crosswalk

__all__ = [
    "WHAT_IF",
    "OverlayAll",
    "check_milestones",
    "compute_progress",
    "config_for",
    "measure_cut",
    "measure_inputs",
    "overlay_threads",
    "overlay_while_linking",
    "what_if",
]


T = TypeVar("T")


#: The record label of a what-if's handover records (:func:`what_if`).
WHAT_IF = "what-if"


def compute_progress(
    config: Config | str,
    as_of: dt.date | None = None,
    *,
    include_owner: bool = False,
    allow_unplaced: bool = False,
) -> ProgressResult:
    """Measure every project of a config as of a date.

    Parameters
    ----------
    config
        A :class:`~gpmb_gis.config.Config` or the path of a config file.
    as_of
        Report date; default the config's ``as_of``, else today.
    include_owner
        Keep owner names in the parcels table (personal data: off by default).
    allow_unplaced
        Measure a book that cannot be placed as a whole (a key column missing, several sheets
        that look like the book) instead of refusing it: its records count for nothing and
        :meth:`ProgressResult.unplaced` says how many.

    Returns
    -------
    ProgressResult

    Examples
    --------
    >>> result = compute_progress("data/cao_loc/gpmb.toml")
    >>> round(float(result.progress_by_project.loc[0, "cleared_pct"]), 1)
    99.3
    """
    config = config_for(config, allow_unplaced=allow_unplaced)
    day = as_of or config.as_of or dt.date.today()
    with ThreadPoolExecutor(max_workers=_workers(list(config.projects))) as pool:
        return _measure(_read_while_cutting(config, pool), day, pool, include_owner)


def measure_cut(
    inputs: Inputs, cuts: dict[str, RowCut], day: dt.date, *, include_owner: bool = False
) -> ProgressResult:
    """:func:`compute_progress` of inputs read and rights of way cut elsewhere (on a cluster).

    ``cuts`` holds each project's :func:`~gpmb_gis.overlay.cut_row` by ``inputs.parcels``;
    the rest of the run is :func:`compute_progress`'s, so are the tables.
    """
    shapes: dict[str, Future[RowCut]] = {}
    for project_id, cut in cuts.items():
        shapes[project_id] = Future()
        shapes[project_id].set_result(cut)
    with ThreadPoolExecutor(max_workers=_workers(list(inputs.config.projects))) as pool:
        return _measure(_ReadAndCutting(inputs, shapes, {}), day, pool, include_owner)


def _measure(
    read: _ReadAndCutting, day: dt.date, pool: ThreadPoolExecutor, include_owner: bool
) -> ProgressResult:
    """Overlay and measure what a run read and began to cut (the end of every run)."""
    overlays, measured, inputs = overlay_while_linking(
        _without_implausible_dates(read.inputs, day),
        lambda ov, linked: project_tables(ov, linked, day, include_owner),
        pool,
        read.shapes,
        read.binned,
    )
    return measure_overlays(inputs, overlays, day, include_owner=include_owner, measured=measured)


def config_for(config: Config | str, *, allow_unplaced: bool = False) -> Config:
    """The config of a run: read from its path when given one, the book's doubt allowed or not.

    ``allow_unplaced`` overrides the config's ``[qa] allow_unplaced`` when true.
    """
    if not isinstance(config, Config):
        config = load_config(config)
    if allow_unplaced and not config.qa.allow_unplaced:
        config = dataclasses.replace(config, qa=dataclasses.replace(config.qa, allow_unplaced=True))
    return config


@dataclass(frozen=True)
class _ReadAndCutting:
    """A run's inputs, read, and the cuts of its rights of way started on the way."""

    inputs: Inputs
    shapes: dict[str, Future[RowCut]]
    binned: dict[str, Future[ChainageBins]]


def _read_while_cutting(config: Config, pool: ThreadPoolExecutor) -> _ReadAndCutting:
    """Read the inputs (:mod:`gpmb_gis.inputs`), starting the cuts on ``pool`` on the way.

    The roads' chainage bins need no parcel: they are worked out while the parcels are read.
    The rights of way are cut by the parcels' shapes as soon as those are final, while the
    parcels are keyed and checked and the book is read (Python work: it runs on this thread
    once the layers are read, since Python on one thread holds up SQLite, OGR and GEOS on the
    others while they are read).
    """
    projects = list(config.projects)
    binned: dict[str, Future[ChainageBins]] = {}
    shapes: dict[str, Future[RowCut]] = {}
    try:
        layers = read_layers(config)
        unions = {p.id: union_of(layers.rows[p.id].geometry.to_numpy()) for p in projects}
        for p in projects:
            if p.id in layers.routes:
                binned[p.id] = pool.submit(chainage_bins, p, unions[p.id], layers.routes[p.id])
        parcels = read_parcel_shapes(config, layers)
        parcel_geoms = parcels.geometry.to_numpy()
        tree = STRtree(parcel_geoms)  # one for every project
        for p in projects:
            shapes[p.id] = pool.submit(cut_row, unions[p.id], parcel_geoms, tree)
        keyed = key_parcels(config, layers, parcels)
        inputs = gather(config, layers, keyed, read_book(config, keyed))
    except BaseException:
        for cut in [*binned.values(), *shapes.values()]:
            cut.cancel()
        raise
    return _ReadAndCutting(inputs, shapes, binned)


def _without_implausible_dates(inputs: Inputs, day: dt.date) -> Inputs:
    """Drop the book's implausible dates (before 1990, far after ``day``): they date no step."""
    records, found = qa.drop_implausible_dates(
        inputs.records, day, inputs.config.qa.far_future_years
    )
    if not found:
        return inputs
    return dataclasses.replace(
        inputs,
        records=records,
        record_reach=stages.record_reach_days(records),
        findings=[*inputs.findings, *found],
    )


def _workers(projects: list[Project]) -> int:
    """Threads for the projects' cuts: one per core, no more than projects."""
    return max(1, min(len(projects), os.cpu_count() or 1))


#: Overlays every project of a run: ``(projects, inputs) → {project id: overlay}``.
OverlayAll = Callable[[list[Project], Inputs], dict[str, ProjectOverlay]]


def overlay_threads(projects: list[Project], inputs: Inputs) -> dict[str, ProjectOverlay]:
    """Overlay the projects on threads (one per core): GEOS works without holding the GIL."""
    workers = min(len(projects), os.cpu_count() or 1)
    if workers <= 1:
        return {p.id: overlay_project(p, inputs) for p in projects}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        done = pool.map(lambda p: overlay_project(p, inputs), projects)
        return {p.id: ov for p, ov in zip(projects, done, strict=True)}


def overlay_while_linking(
    inputs: Inputs,
    then: Callable[[ProjectOverlay, Inputs], T] | None = None,
    pool: ThreadPoolExecutor | None = None,
    shapes: dict[str, Future[RowCut]] | None = None,
    binned: dict[str, Future[ChainageBins]] | None = None,
) -> tuple[dict[str, ProjectOverlay], dict[str, T], Inputs]:
    """Overlay every project, cutting the rights of way on threads while records are linked.

    The cuts (:func:`cut_project`) need only the layers; this thread meanwhile links the
    handover records to the parcels (:func:`~gpmb_gis.inputs.linked`), a side thread looks
    up the far records (:func:`~gpmb_gis.inputs.settled`), then each project is dated
    (:func:`with_reach`) and given to ``then`` with the linked inputs as soon as its cut is
    done, while the others are still cut. ``pool`` runs the cuts (else a pool of one thread
    per core); ``shapes`` holds the projects' :func:`cut_row` already under way on it,
    ``binned`` the roads' :func:`chainage_bins`.

    Returns
    -------
    (dict, dict, Inputs)
        The overlays (the same as :func:`overlay_threads`) and what ``then`` gave for each,
        by project id in the config's order, and the inputs linked and settled.
    """
    projects = list(inputs.config.projects)
    if pool is None:
        with ThreadPoolExecutor(max_workers=_workers(projects)) as own:
            return overlay_while_linking(inputs, then, own, shapes, binned)
    shapes = shapes or {}
    for early in shapes.values():
        early.cancel()  # not started yet: its project's cut does it, in turn, without waiting
    unlinked = inputs

    def cut_one(p: Project) -> ProjectOverlay:
        early = shapes.get(p.id)
        done = early is not None and not early.cancelled()
        bins = (binned or {}).get(p.id)
        return cut_project(
            p, unlinked, early.result() if done else None, None if bins is None else bins.result()
        )

    with ThreadPoolExecutor(1) as side:
        cuts = {pool.submit(cut_one, p): p.id for p in projects}
        try:
            inputs = linked(inputs)
        except BaseException:
            for cut in cuts:
                cut.cancel()
            raise
        settling = side.submit(settled, inputs)
        overlays, results = {}, {}
        for cut in as_completed(cuts):
            overlays[cuts[cut]] = ov = with_reach(cut.result(), inputs)
            if then is not None:
                results[cuts[cut]] = then(ov, inputs)
        inputs = settling.result()
    order = [p.id for p in projects]
    return ({k: overlays[k] for k in order}, {k: results[k] for k in order if k in results}, inputs)


def measure_inputs(
    inputs: Inputs,
    day: dt.date,
    *,
    include_owner: bool = False,
    overlay: OverlayAll = overlay_threads,
) -> ProgressResult:
    """Overlay and measure inputs already read (:func:`compute_progress` without the reading).

    ``overlay`` runs :func:`overlay_project` for every project: on threads by default, on a
    dask cluster with :func:`gpmb_gis.partition.overlay_on`; every way gives the same tables.
    """
    inputs = linked(_without_implausible_dates(inputs, day))
    with ThreadPoolExecutor(max_workers=1) as side:
        # a scan of the whole parcels file's attributes, on its own thread during the overlays
        settling = side.submit(settled, inputs)
        overlays = overlay(list(inputs.config.projects), inputs)
        inputs = settling.result()
    return measure_overlays(inputs, overlays, day, include_owner=include_owner)


def what_if(
    result: ProgressResult,
    parcels: list[tuple[object, object]] | pd.DataFrame,
    handover_date: dt.date,
    *,
    project: str | None = None,
) -> ProgressResult:
    """Recompute as if some parcels were handed over on a date.

    Parameters
    ----------
    result
        What :func:`compute_progress` returned (its inputs are reused, nothing is read again).
    parcels
        ``(sheet, parcel)`` pairs, or a table with ``sheet`` and ``parcel`` columns (and
        ``commune``, needed only where a sheet and parcel number is in several communes).
    handover_date
        The handover date to assume; the report date becomes the later of it and the result's.
    project
        Only for this project (default: every project those parcels are in).

    Examples
    --------
    >>> blocking = result.blockers[result.blockers["kind"] == "parcel"].head(3)
    >>> plan = what_if(result, blocking[["commune", "sheet", "parcel"]], dt.date(2024, 12, 6))
    >>> bool(plan.progress_by_project["cleared_m2"].sum() > result.progress_by_project[
    ...     "cleared_m2"].sum())
    True

    Raises
    ------
    InputError
        When a parcel given is no parcel read near the rights of way, or its sheet and number
        are in several communes and no commune is given: the plan would change nothing.
    """
    if result.inputs is None:
        raise ValueError("the result holds no inputs to recompute from")
    table = (
        parcels
        if isinstance(parcels, pd.DataFrame)
        else pd.DataFrame(list(parcels), columns=[C.SHEET, C.PARCEL])
    )
    table = _with_communes(table, result.inputs)
    extra = empty_handovers().reindex(range(len(table)))
    extra[C.SHEET] = table[C.SHEET].to_numpy()
    extra[C.PARCEL] = table[C.PARCEL].to_numpy()
    extra[C.COMMUNE] = table[C.COMMUNE].to_numpy() if C.COMMUNE in table else None
    extra[C.PROJECT] = project
    if project is None:  # one record per project, as a book that names its projects has
        ids = [p.id for p in result.config.projects]
        extra = pd.concat([extra.assign(**{C.PROJECT: pid}) for pid in ids], ignore_index=True)
    extra[C.HANDOVER_DATE] = handover_date
    extra[C.SOURCE_ROW] = 0
    extra[C.RECORD_LABEL] = WHAT_IF
    extra[C.SOURCE_SHEET] = ""
    extra[C.ENFORCEMENT] = False
    extra[C.COMPLAINT] = False
    extra["status_stage"] = None
    inputs = result.inputs
    extra = join.add_keys(extra, inputs.index())
    if inputs.commune_in_key:  # a commune of 2025 names the old commune holding the parcel
        config = inputs.config
        own = own_crosswalk(config.crosswalk)
        extra, _ = records_in_old_communes(extra, inputs.parcels, inputs.communes,
                                           config.province, own)  # fmt: skip
    records = pd.concat([inputs.records, extra], ignore_index=True)
    projects = {p.id: p.name for p in inputs.config.projects}
    links, found = join.match_records(
        records,
        inputs.parcels,
        projects,
        commune_in_key=inputs.commune_in_key,
        communes=inputs.commune_keys(),
    )
    unplaced = [f for f in found if f.feature == WHAT_IF and f.severity == ERROR]
    if unplaced:
        first = qa_message(unplaced[0].check, unplaced[0].params, "en")
        raise InputError(
            "what_if",
            f"{len(unplaced)} of the parcels given name no parcel read: {first}",
            "check each commune, sheet and parcel: the plan would change nothing",
        )
    changed = dataclasses.replace(
        inputs,
        records=records,
        links=links,
        findings=[*inputs.findings, *(f for f in found if f.feature == WHAT_IF)],
        record_reach=stages.record_reach_days(records),
        read={**inputs.read, "handovers": inputs.read.get("handovers", 0) + len(extra)},
    )
    return measure_inputs(changed, max(result.as_of, handover_date))


def _with_communes(table: pd.DataFrame, inputs: Inputs) -> pd.DataFrame:
    """The parcels of a what-if, each with its commune where the parcels' key needs one.

    A sheet and parcel number in one commune only takes that commune.

    Raises
    ------
    InputError
        For a parcel that no parcel read is, or one in several communes without a commune.
    """
    parcels = inputs.parcels
    communes: dict[tuple[str, str], set[str]] = {}
    for key in zip(parcels[C.KEY_SHEET], parcels[C.KEY_PARCEL], parcels[C.COMMUNE], strict=True):
        communes.setdefault(key[:2], set()).add(key[2] if _arrays.present(key[2]) else "")
    sheets = _arrays.map_unique(table[C.SHEET], number_key)
    numbers = _arrays.map_unique(table[C.PARCEL], number_key)
    given = table[C.COMMUNE].tolist() if C.COMMUNE in table else [None] * len(table)
    filled = []
    for sheet, number, commune in zip(sheets, numbers, given, strict=True):
        found = communes.get((sheet, number))
        label = parcel_label(sheet, number)
        if found is None:
            raise InputError(
                "what_if",
                f"no parcel read near the rights of way is {label}",
                "check the numbers: result.parcels lists each project's parcels",
            )
        if inputs.commune_in_key and not _arrays.present(commune) and len(found) > 1:
            raise InputError(
                "what_if",
                f"{label} is a parcel of {len(found)} communes ({', '.join(sorted(found))})",
                "give a table with commune, sheet and parcel columns",
            )
        filled.append(
            commune if _arrays.present(commune) or not inputs.commune_in_key else next(iter(found))
        )
    return table.assign(**{C.COMMUNE: filled})


def check_milestones(config: Config | str, as_of: dt.date | None = None) -> pd.DataFrame:
    """Evaluate every milestone of a config as of a date (``milestones.csv``).

    Examples
    --------
    >>> table = gg.check_milestones("data/cao_loc/gpmb.toml")
    >>> table.loc[0, ["project", "status"]].tolist()
    ['QL4B', 'missed']
    """
    return milestone_table(compute_progress(config, as_of))
