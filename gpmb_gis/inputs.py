"""Everything a run reads, checked and keyed: the step between reading and measuring.

:func:`load_inputs` reads the layers and the handover book named in the config
(:mod:`gpmb_gis.io`), repairs and checks them (:mod:`gpmb_gis.qa`), adds the matching keys and
links handover records to parcels (:mod:`gpmb_gis.join`). Each of those steps is a function of
its own (:func:`read_layers`, :func:`read_parcel_shapes`, :func:`key_parcels`,
:func:`read_book`, :func:`gather`, :func:`linked`, :func:`settled`), so that a run
(:mod:`gpmb_gis.run`) can do some of them at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from gpmb_gis import _arrays, chainage, households, join, nearby, qa, sheets
from gpmb_gis import columns as C
from gpmb_gis._errors import InputError
from gpmb_gis._findings import ERROR, WARNING, Finding
from gpmb_gis._text import number_key
from gpmb_gis.chainage import Route
from gpmb_gis.config import Config, LayerSource, Project
from gpmb_gis.eras import Eras, records_in_old_communes
from gpmb_gis.io.aliases import field_notes
from gpmb_gis.io.book import empty_handovers, read_handovers
from gpmb_gis.io.vector import read_layer
from gpmb_gis.join import LINK_COLUMNS, LOOK_FARTHER, CommuneIndex, add_keys, match_records
from gpmb_gis.layers import (
    Tally,
    io_missing_column,
    read_communes,
    read_polygons,
    read_units_2025,
)
from gpmb_gis.sheet_files import read_files
from gpmb_gis.stages import record_reach_days
from gpmb_gis.unit_lookup import own_crosswalk

__all__ = [
    "Book",
    "Inputs",
    "KeyedParcels",
    "Layers",
    "gather",
    "io_missing_column",
    "key_parcels",
    "linked",
    "load_inputs",
    "read_book",
    "read_layers",
    "read_parcel_shapes",
    "settled",
]


@dataclass(frozen=True)
class Inputs:
    """The checked inputs of one run (read only: a later step makes a changed copy).

    Attributes
    ----------
    parcels
        Usable parcels (valid polygons in the project CRS) with key columns; their position
        is the ``parcel_index`` used everywhere.
    communes
        Commune polygons dissolved by commune, or None.
    rows
        Each project's right of way layer, by project id.
    records
        Handover records with key columns; their position is the ``record_index``.
    links
        ``record_index, parcel_index, project``.
    record_reach
        Day each record reached each dated stage (records × 4).
    findings
        Everything noticed so far.
    read
        Records read per layer (``parcels``, ``communes``, ``handovers``, ``row:<id>``).
    used
        Records used per polygon layer (the handover book's are known after the overlay).
    routes
        Each road project's centreline with its chainage, by project id.
    in_layer
        Features in the whole file, for a layer read only near the right of way (parcels).
    unsettled
        Whether records that match no parcel read may still name a parcel elsewhere in the
        layer: :func:`settled` looks (a scan of the whole file's attributes, which a run
        does while the overlays work).
    linked
        Whether the records have been linked to the parcels (:func:`linked`); until then
        there are no links.
    commune_in_key
        Whether the parcels' commune is part of their key: it is when the layer carries it or
        the config names it, not when the package placed each parcel in a commune polygon.
    commune_index
        The commune keys of the run: the communes layer's and the parcels' own names, told
        apart where two fold to one spelling (``None``: the communes layer's alone).
    communes_2025
        Boundaries of the units of 2025 (``communes_2025``), dissolved by unit, or None: they
        place the land of an old commune divided between two new units.
    """

    config: Config
    parcels: gpd.GeoDataFrame
    communes: gpd.GeoDataFrame | None
    rows: dict[str, gpd.GeoDataFrame]
    records: pd.DataFrame
    links: pd.DataFrame
    record_reach: np.ndarray
    findings: list[Finding] = field(default_factory=list)
    read: dict[str, int] = field(default_factory=dict)
    used: dict[str, int] = field(default_factory=dict)
    routes: dict[str, Route] = field(default_factory=dict)
    in_layer: dict[str, int | None] = field(default_factory=dict)
    unsettled: bool = False
    linked: bool = True
    commune_in_key: bool = True
    commune_index: CommuneIndex | None = None
    communes_2025: gpd.GeoDataFrame | None = None

    def commune_keys(self) -> list[str]:
        """The keys of the communes layer's communes (none without a layer)."""
        return self.index().known()

    def index(self) -> CommuneIndex:
        """The run's commune keys (:attr:`commune_index`)."""
        return self.commune_index or CommuneIndex(self.communes)


def linked(inputs: Inputs) -> Inputs:
    """The inputs with the handover records linked to the parcels read (and their projects).

    Returns ``inputs`` itself when they are linked already.
    """
    if inputs.linked:
        return inputs
    names = {p.id: p.name for p in inputs.config.projects}
    links, found = match_records(
        inputs.records,
        inputs.parcels,
        names,
        commune_in_key=inputs.commune_in_key,
        communes=inputs.commune_keys(),
    )
    unsettled = "parcels" in inputs.in_layer and any(f.check in LOOK_FARTHER for f in found)
    return replace(
        inputs, links=links, findings=[*inputs.findings, *found], unsettled=unsettled, linked=True
    )


def settled(inputs: Inputs) -> Inputs:
    """The inputs with the records whose parcel lies elsewhere in the layer listed as such.

    They are listed as outside the right of way; until then they are listed as naming no
    parcel (see :attr:`Inputs.unsettled`). Returns ``inputs`` itself when there is nothing
    to look up.
    """
    if not inputs.unsettled:
        return inputs
    findings = _records_far_away(inputs.config, inputs.index(), inputs.records, inputs.findings)
    return replace(inputs, findings=findings, unsettled=False)


def _assignread_communes(
    parcels: gpd.GeoDataFrame, config: Config, communes: gpd.GeoDataFrame | None
) -> bool:
    """Give each parcel its commune; return whether it is part of the parcels' key.

    It is when the layer carries it or the config names it; a commune found by placing the
    parcel in a commune polygon is for the tables only.
    """
    if C.COMMUNE in parcels and parcels[C.COMMUNE].notna().any():
        return True
    if config.parcels.commune:
        parcels[C.COMMUNE] = config.parcels.commune
        return True
    if communes is not None and len(parcels):
        points = gpd.GeoDataFrame(geometry=parcels.representative_point(), crs=parcels.crs)
        joined = gpd.sjoin(
            points, communes[[C.COMMUNE, "geometry"]], how="left", predicate="within"
        )
        parcels[C.COMMUNE] = joined[~joined.index.duplicated()][C.COMMUNE].to_numpy()
    else:
        parcels[C.COMMUNE] = None
    return False


def _window(config: Config, rows: dict[str, gpd.GeoDataFrame]) -> nearby.Window | None:
    """Where the parcels matter: the right of way of every project, cut into small boxes."""
    pieces = nearby.row_boxes([g for r in rows.values() for g in r.geometry.to_numpy()])
    source = config.parcels
    return nearby.plan_window(source.path, source.layer, source.crs, config.crs, pieces)


@dataclass(frozen=True)
class Layers:
    """The layers a run reads before the parcels: communes, rights of way, centrelines.

    ``tally`` and ``lines`` hold what reading them noticed (the centrelines' findings come
    after the parcels' in the QA table, as in a reading one layer after the other).
    """

    communes: gpd.GeoDataFrame | None
    rows: dict[str, gpd.GeoDataFrame]
    routes: dict[str, Route]
    tally: Tally
    lines: Tally
    communes_2025: gpd.GeoDataFrame | None = None


def read_layers(config: Config) -> Layers:
    """Read and check the communes, every project's right of way and every centreline."""
    tally = Tally()
    tally.findings.extend(field_notes(config.fields))
    communes = read_communes(config, tally, config.communes)
    communes_2025 = read_units_2025(config, tally)
    rows = {
        p.id: read_polygons(p.row, "row", config, f"row:{p.id}", tally) for p in config.projects
    }
    lines = Tally()
    routes = {p.id: _route(p, config, lines) for p in config.projects if p.centerline}
    return Layers(communes, rows, routes, tally, lines, communes_2025)


def read_parcel_shapes(config: Config, layers: Layers) -> gpd.GeoDataFrame:
    """The parcels that meet a right of way, repaired: their shapes are final from here.

    Only columns are added to them later (:func:`key_parcels`), so the rights of way can be
    cut by these shapes while the parcels are keyed and checked.
    """
    if config.parcels.paths:
        return read_files(config, layers.rows, layers.tally)
    window = _window(config, layers.rows)
    return read_polygons(config.parcels, "parcels", config, "parcels", layers.tally, window)


@dataclass(frozen=True)
class KeyedParcels:
    """The parcels with their keys, and what the handover join needs to know of them.

    Attributes
    ----------
    parcels
        The parcels (in the order of their shapes) with key columns.
    commune_in_key
        Whether their commune is part of their key (:attr:`Inputs.commune_in_key`).
    index
        The run's commune keys (:attr:`Inputs.commune_index`).
    carried
        The key parts some parcel carries besides its number (``_key_sheet``,
        ``_key_commune``): a book must give them.
    """

    parcels: gpd.GeoDataFrame
    commune_in_key: bool
    index: CommuneIndex
    carried: tuple[str, ...]


def key_parcels(config: Config, layers: Layers, parcels: gpd.GeoDataFrame) -> KeyedParcels:
    """Key and check the parcels read (:func:`read_parcel_shapes`); refuse a misplaced ROW.

    The commune and sheet columns are added to ``parcels`` itself (its shapes stay as they
    are, so cuts already started on them are not disturbed); the keyed copy is returned.
    """
    tally, communes = layers.tally, layers.communes
    if C.PARCEL not in parcels:
        raise io_missing_column(config.parcels, "parcels", C.PARCEL, parcels.columns)
    commune_in_key = _assignread_communes(parcels, config, communes)
    if C.SHEET not in parcels:
        parcels[C.SHEET] = None
    index = CommuneIndex(communes, written=parcels[C.COMMUNE].dropna().unique())
    parcels = add_keys(parcels, index)
    tally.findings.extend(qa.repeated_parcel_keys(parcels))
    tally.findings.extend(qa.missing_parcel_keys(parcels))
    tally.findings.extend(qa.multipart_parcels(parcels))
    tally.findings.extend(qa.legal_area_mismatch(parcels, config.qa.legal_area_tolerance))
    tally.findings.extend(qa.commune_mismatch(parcels, communes))
    parcels = parcels.reset_index(drop=True)
    carried = tuple(
        part
        for part, in_key in ((C.KEY_SHEET, True), (C.KEY_COMMUNE, commune_in_key))
        if in_key and parcels[part].astype(bool).any()
    )
    for project in config.projects:
        qa.check_near(layers.rows[project.id], parcels, project.row, config.parcels)
    return KeyedParcels(parcels, commune_in_key, index, carried)


@dataclass(frozen=True)
class Book:
    """The handover records with their keys, and what reading the book noticed."""

    records: pd.DataFrame
    tally: Tally


def read_book(config: Config, keyed: KeyedParcels) -> Book:
    """Read the handover book and key its records as the parcels are keyed."""
    tally = Tally()
    return Book(_records(config, keyed.index, tally, keyed.carried), tally)


def gather(config: Config, layers: Layers, keyed: KeyedParcels, book: Book) -> Inputs:
    """The inputs of a run from its read parts: not yet linked (:func:`linked`)."""
    tally = layers.tally
    records, found = book.records, []
    if keyed.commune_in_key:  # a book of 2025 names the units the parcels' communes joined
        records, found = records_in_old_communes(
            records,
            keyed.parcels,
            layers.communes,
            config.province,
            own_crosswalk(config.crosswalk),
            eras=_eras(config),
        )
    findings = [*tally.findings, *layers.lines.findings, *book.tally.findings, *found]
    links = pd.DataFrame([], columns=LINK_COLUMNS)
    return Inputs(
        config,
        keyed.parcels,
        layers.communes,
        layers.rows,
        records,
        links,
        record_reach_days(records),
        findings,
        {**tally.read, **book.tally.read},
        dict(tally.used),
        layers.routes,
        dict(tally.in_layer),
        linked=False,
        commune_in_key=keyed.commune_in_key,
        commune_index=keyed.index,
        communes_2025=layers.communes_2025,
    )


def _eras(config: Config) -> Eras:
    """The eras of the run's communes (its communes layer's, else its parcels') and books'."""
    layer = config.communes if config.communes is not None else config.parcels
    return Eras(layer.era or 2024, {b.label(): b.era for b in config.book_sources()})


def _records(
    config: Config, index: CommuneIndex, tally: Tally, carried: Sequence[str] = ()
) -> pd.DataFrame:
    """The handover records with their keys; ``carried``: the key parts the parcels carry."""
    books = config.book_sources()
    strict = not config.qa.allow_unplaced
    tally.read["handovers"] = 0
    parts = []
    for source in books:
        records, found, read = read_handovers(
            source, fields=config.fields.get("handovers"), strict=strict
        )
        tally.read["handovers"] += read
        tally.findings.extend(found)
        _one_book(config, source, records, strict=strict)
        parts.append(records.assign(**{C.BOOK: source.label()}))
    if len(books) > 1:  # each record says which book: its sheet, else its file
        parts = [
            p.assign(
                **{
                    C.RECORD_LABEL: p[C.RECORD_LABEL].str.replace(
                        r"^row ", f"{b.layer or b.path.name}!", regex=True
                    )
                }
            )
            for p, b in zip(parts, books, strict=True)
        ]
        if pd.concat([p[C.RECORD_LABEL] for p in parts]).duplicated().any():
            parts = [
                p.assign(**{C.RECORD_LABEL: f"{b.path.name}#" + p[C.RECORD_LABEL]})
                for p, b in zip(parts, books, strict=True)
            ]
    records = pd.concat(parts, ignore_index=True) if parts else empty_handovers()
    records.attrs["columns"] = tuple(sorted({c for p in parts for c in p.attrs.get("columns", ())}))
    if C.BOOK not in records:
        records[C.BOOK] = ""
    records = add_keys(records, index).reset_index(drop=True)
    records[C.KEY_HOUSEHOLD], found = households.household_keys(records)
    tally.findings += found + households.book_checks(records)
    if not config.qa.allow_unplaced:
        for source in books:
            _book_has_the_key(source, records[records[C.BOOK] == source.label()], carried)
    return records


def _one_book(
    config: Config, source: LayerSource, records: pd.DataFrame, *, strict: bool = True
) -> None:
    """Refuse a workbook whose several sheets look like the book, unless one per project.

    An older copy of the sheet beside the current one would otherwise be merged with it.
    Not ``strict``, no record of such a book is placed (each is listed).
    """
    sheets = list(dict.fromkeys(s for s in records[C.SOURCE_SHEET].tolist() if s))
    if len(sheets) < 2:
        return
    by_key = join.project_keys({p.id: p.name for p in config.projects})
    owners = [join.match_project(sheet, by_key) for sheet in sheets]
    if all(owners) and len(set(owners)) == len(owners):
        return  # a sheet per project: each sheet's records are its project's
    others = [s for s, owner in zip(sheets, owners, strict=True) if not owner]
    if not strict:
        records[join.KEY_PROBLEM] = join.SHEETS_AMBIGUOUS
        return
    raise InputError(
        source.label(),
        f"{len(sheets)} sheets look like a handover book ({', '.join(sheets)}) and are not "
        "one per project of the config"
        + (f" (not named after a project: {', '.join(others)})" if others else ""),
        f'name the sheet to read in the config: handovers = "{source.path.name}#{sheets[0]}", '
        "or keep one sheet per project (named by its id) and remove summary sheets",
    )


def _book_has_the_key(
    source: LayerSource,
    records: pd.DataFrame,
    carried: Sequence[str],
) -> None:
    """Refuse a book none of whose records gives a key part that the parcels carry."""
    names = {C.KEY_SHEET: "sheet (Tờ bản đồ)", C.KEY_COMMUNE: "commune (Xã)"}
    for part in carried:
        if len(records) and not records[part].astype(bool).any():
            headings = ", ".join(records.attrs.get("headings", ())[:20])
            raise InputError(
                source.label(),
                f"no record gives the {names[part]}, which the parcels carry: without it a "
                f"record cannot name one parcel (the column is missing or empty; headings "
                f"found: {headings})",
                "fill or add the column, or map its heading under [fields.handovers]"
                + (
                    ", or give the book's commune: handovers = { path = ..., commune = ... }"
                    if part == C.KEY_COMMUNE
                    else ""
                ),
            )


def _route(project: Project, config: Config, tally: Tally) -> Route:
    """A project's centreline as a route with chainage (start chainage, station equations)."""
    name = f"centerline:{project.id}"
    layer, found = read_layer(
        project.centerline, layer="centerline", project_crs=config.crs, name=name
    )
    tally.findings.extend(found)
    route, found = chainage.route_from_layer(
        layer,
        start_m=project.start_chainage_m,
        equations=project.station_equations,
        where=project.centerline.label(),
    )
    tally.findings.extend(found)
    return route


def _may_hold(index: CommuneIndex, records: pd.DataFrame) -> Callable[[dict[str, str]], bool]:
    """Whether a file of many may hold one of these records' parcels, by its path's fields.

    A file named after a commune and a sheet may hold the parcels of the records of that
    commune and sheet (and of records that leave either blank).
    """
    named = set(zip(records[C.KEY_COMMUNE].tolist(), records[C.KEY_SHEET].tolist(), strict=True))

    communes, sheets_named = {c for c, _ in named}, {s for _, s in named}

    def may_hold(path: dict[str, str]) -> bool:  # set lookups: a province has 10,000 files
        commune = index.key(path["commune"]) if path.get("commune") else ""
        sheet = number_key(path["sheet"]) if path.get("sheet") else ""
        if not commune:
            return not sheet or bool({sheet, ""} & sheets_named)
        if not sheet:
            return bool({commune, ""} & communes)
        return bool({(commune, sheet), ("", sheet), (commune, ""), ("", "")} & named)

    return may_hold


def _records_far_away(
    config: Config, index: CommuneIndex, records: pd.DataFrame, findings: list[Finding]
) -> list[Finding]:
    """Records whose parcel was not read near the right of way but is in the layer elsewhere.

    They are listed as outside the right of way (as a whole read would find them), not as
    naming a parcel that does not exist.
    """
    missing = [f for f in findings if f.check in LOOK_FARTHER]
    if not missing:
        return findings
    where = {label: pos for pos, label in enumerate(records[C.RECORD_LABEL].tolist())}
    rows = [where[f.feature] for f in missing]
    far = sheets.parcel_keys(
        config.parcels,
        config.fields.get("parcels"),
        records[C.KEY_PARCEL].iloc[rows],
        _may_hold(index, records.iloc[rows]),
        config.crs,
    )
    if not len(far):
        return findings
    if C.COMMUNE not in far:
        far[C.COMMUNE] = config.parcels.commune
    far = add_keys(far.reset_index(drop=True), index)
    named = records.iloc[rows].reset_index(drop=True)
    far_in_key = C.COMMUNE in far and far[C.COMMUNE].notna().any()
    # the same join as the near parcels'
    rec, hit, _ = join.key_hits(named, far, commune_in_key=bool(far_in_key), communes=index.known())
    shapeless = far[nearby.SHAPELESS].to_numpy(dtype=bool) if nearby.SHAPELESS in far else None
    found = set(rec.tolist())
    # a parcel with no shape is in no right of way: its record cannot be placed at all
    no_shape = set() if shapeless is None else set(rec[shapeless[hit]].tolist())
    replaced: dict[int, Finding] = {}
    for k, (finding, pos) in enumerate(zip(missing, rows, strict=True)):
        if k in found:
            rec_row = records.iloc[pos]
            project = rec_row[C.PROJECT]
            params = {
                "sheet": rec_row[C.KEY_SHEET],
                "parcel": rec_row[C.KEY_PARCEL],
                "project": str(project) if _arrays.present(project) else "—",
            }
            severity, check = (
                (ERROR, "record_parcel_no_shape")
                if k in no_shape
                else (WARNING, "record_outside_row")
            )
            replaced[id(finding)] = Finding(
                severity, check, "handovers", finding.feature, params=params, listed=True
            )
    return [replaced.get(id(f), f) for f in findings]


def load_inputs(config: Config, *, settle: bool = True, link: bool = True) -> Inputs:
    """Read, repair, check and key every input of a config, one step after the other.

    With ``link=False`` the records are not yet linked to the parcels (:func:`linked`);
    with ``settle=False`` the records that match no parcel read are not yet looked up in the
    rest of the parcels layer (:func:`settled`). A run (:func:`gpmb_gis.compute_progress`)
    does the same steps, some of them at once.

    Raises
    ------
    InputError, CRSError
        When a layer cannot be read, lacks a needed column, or is in the wrong place.
    """
    layers = read_layers(config)
    keyed = key_parcels(config, layers, read_parcel_shapes(config, layers))
    inputs = gather(config, layers, keyed, read_book(config, keyed))
    if link:
        inputs = linked(inputs)
    return settled(inputs) if settle else inputs
