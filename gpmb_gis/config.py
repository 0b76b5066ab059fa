"""The project config file (TOML) → typed, validated objects. Nothing else parses config.

The keys are listed in the README ("Using it on your own data"). Every problem in a file is
gathered, then reported at once.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyproj import CRS

from gpmb_gis import columns as C
from gpmb_gis import settings, sources
from gpmb_gis._dates import DateParseError, parse_date
from gpmb_gis._errors import ConfigError, CRSError
from gpmb_gis.chainage import parse_chainage
from gpmb_gis.crs import province_crs
from gpmb_gis.labels import LANGS
from gpmb_gis.procedure import DEFAULT_STEPS, Step, procedure_from_config
from gpmb_gis.sources import ENCODINGS, SOURCE_KEYS, LayerSource, Problems, parse_crs

__all__ = [
    "ATLAS_SCALES",
    "ENCODINGS",
    "LAYER_KEYS",
    "MAPS_KEYS",
    "MILESTONE_KEYS",
    "PROJECT_KEYS",
    "QA_KEYS",
    "SOURCE_KEYS",
    "TOP_KEYS",
    "Config",
    "LayerSource",
    "Milestone",
    "Project",
    "QASettings",
    "load_config",
]


TOP_KEYS = ("title", "province", "crs", "as_of", "layers", "fields", "projects", "lang", "qa",
            "communes", "report_communes", "maps", "procedure", "deadlines")  # fmt: skip
MAPS_KEYS = ("atlas_scale",)
#: The atlas scales a config may ask for (1:200 to 1:50 000).
ATLAS_SCALES = (200, 50_000)
QA_KEYS = ("sliver_width_m", "legal_area_tolerance", "far_future_years", "max_unplaced_records_pct")
LAYER_KEYS = ("parcels", "communes", "communes_2025", "handovers")
#: What ``report_communes`` may say: the era the reports name communes in, or both.
REPORT_ERAS = ("2024", "2025", "both")
#: From this day a report names communes in both eras unless the config says otherwise.
FIRST_DAY_2025 = dt.date(2025, 7, 1)
PROJECT_KEYS = ("id", "name", "row", "centerline", "start_chainage", "chainage_bin_m",
                "station_equations", "already_clear_land_use", "milestones")  # fmt: skip
MILESTONE_KEYS = ("date", "target_pct", "label", "commune")


@dataclass(frozen=True)
class Milestone:
    """A target: ``target_pct`` of the clearance area by ``date`` (project or one commune)."""

    date: dt.date
    target_pct: float
    label: str
    commune: str | None = None


@dataclass(frozen=True)
class Project:
    """One project: its right of way and what it is measured against."""

    id: str
    name: str
    row: LayerSource
    centerline: LayerSource | None = None
    start_chainage_m: float = 0.0
    chainage_bin_m: float = settings.CHAINAGE_BIN_M
    station_equations: tuple[tuple[float, float], ...] = ()
    already_clear_land_use: tuple[str, ...] = ()
    milestones: tuple[Milestone, ...] = ()


@dataclass(frozen=True)
class QASettings:
    """Tolerances of the data checks (the config's optional ``[qa]`` table).

    Attributes
    ----------
    sliver_width_m
        Pieces and gaps narrower than this (metres) are reported as slivers.
    legal_area_tolerance
        Relative difference between legal and drawn area that is reported (0.05 = 5 %).
    far_future_years
        Dates this many years after the report date are reported as implausible.
    max_unplaced_records_pct
        A report stops when more of the book's records than this (%) carry a date or a
        status and could not be placed on a parcel.
    allow_unplaced
        Go on where the book cannot be placed as a whole or in part (``--allow-unplaced``):
        the records concerned count for nothing, and every headline says so.
    """

    sliver_width_m: float = settings.SLIVER_WIDTH_M
    legal_area_tolerance: float = settings.LEGAL_AREA_TOLERANCE
    far_future_years: int = settings.FAR_FUTURE_YEARS
    max_unplaced_records_pct: float = settings.MAX_UNPLACED_RECORDS_PCT
    allow_unplaced: bool = False


@dataclass(frozen=True)
class Config:
    """A validated project config.

    Attributes
    ----------
    crs
        The project's VN-2000 zone: every area is computed in it.
    fields
        Per layer, extra column names mapped to canonical names (``{"parcels": {"SHBD":
        "sheet"}}``).
    """

    title: str
    crs: CRS
    parcels: LayerSource
    projects: tuple[Project, ...]
    communes: LayerSource | None = None
    handovers: LayerSource | None = None
    province: str | None = None
    as_of: dt.date | None = None
    lang: str = "vi"
    fields: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    path: Path | None = None
    qa: QASettings = field(default_factory=QASettings)
    crosswalk: Path | None = None
    communes_2025: LayerSource | None = None
    books: tuple[LayerSource, ...] = ()
    report_communes: str | None = None
    atlas_scale: int = settings.ATLAS_SCALE
    procedure: tuple[Step, ...] = DEFAULT_STEPS
    deadline_grace_days: int = 0

    def book_sources(self) -> tuple[LayerSource, ...]:
        """Every handover book (``handovers`` may list several); none without."""
        if self.books:
            return self.books
        return (self.handovers,) if self.handovers is not None else ()

    def report_era(self, day: dt.date) -> str:
        """The era the reports name communes in: ``report_communes``, else by the report date.

        ``"both"`` from 1 July 2025 (the merger), ``"2024"`` before.
        """
        if self.report_communes is not None:
            return self.report_communes
        return "both" if day >= FIRST_DAY_2025 else "2024"

    def input_paths(self) -> list[Path]:
        """Every file the config reads: itself, the layers, each project's ROW and centreline."""
        read = [self.parcels, self.communes, self.communes_2025, *self.book_sources()]
        for project in self.projects:
            read += [project.row, project.centerline]
        paths = [p for s in read if s is not None for p in (s.paths or (s.path,))]
        if self.crosswalk is not None:
            paths.append(self.crosswalk)
        return [self.path, *paths] if self.path is not None else paths

    def project(self, project_id: str) -> Project:
        """Return the project with this id."""
        for project in self.projects:
            if project.id == project_id:
                return project
        raise ConfigError(
            str(self.path),
            f"no project with id {project_id!r}",
            f"use one of {', '.join(p.id for p in self.projects)}",
        )


def _report_communes(
    data: Mapping[str, Any], layers: Mapping[str, Any], problems: Problems
) -> str | None:
    """``report_communes = "2024" | "2025" | "both"`` (top level, or under ``[layers]``)."""
    value = data.get("report_communes", layers.get("report_communes"))
    if value is None:
        return None
    if str(value) not in REPORT_ERAS:
        problems.add(
            "report_communes",
            f"{value!r} is not an era to report in",
            'write "2024", "2025" or "both"',
        )
        return None
    return str(value)


def _in_metres(crs: CRS) -> bool:
    """Whether a CRS is projected with both axes in metres (areas in it are m²)."""
    axes = crs.axis_info
    return (
        crs.is_projected and bool(axes) and all(a.unit_name in ("metre", "meter") for a in axes[:2])
    )


def _date(value: Any, key: str, problems: Problems) -> dt.date | None:
    try:
        return parse_date(value)
    except DateParseError as exc:
        problems.add(key, str(exc), "write the date as 2024-06-30")
        return None


def _milestones(raw: Any, key: str, problems: Problems) -> tuple[Milestone, ...]:
    if not isinstance(raw, list):
        problems.add(
            key,
            "must be a list of tables",
            "write milestones = [{ date = 2024-06-30, target_pct = 70 }]",
        )
        return ()
    out = []
    for i, item in enumerate(raw):
        where = f"{key}[{i}]"
        if not isinstance(item, Mapping):
            problems.add(where, "must be a table", "write { date = 2024-06-30, target_pct = 70 }")
            continue
        problems.unknown_keys(item, MILESTONE_KEYS, f"{where}.")
        date = _date(item.get("date"), f"{where}.date", problems)
        target = item.get("target_pct")
        if date is None or not isinstance(target, (int, float)) or not 0 < target <= 100:
            problems.add(
                where,
                "needs a date and a target_pct between 0 and 100",
                "write { date = 2024-06-30, target_pct = 70 }",
            )
            continue
        label = str(item.get("label") or f"{target:g}% — {date:%d/%m/%Y}")
        commune = item.get("commune")
        out.append(Milestone(date, float(target), label, str(commune) if commune else None))
    return tuple(out)


def _equations(raw: Any, key: str, problems: Problems) -> tuple[tuple[float, float], ...]:
    out = []
    if not isinstance(raw, list):
        problems.add(key, "must be a list of pairs", 'write [["Km10+250", "Km10+300"]]')
        return ()
    for i, pair in enumerate(raw):
        if not isinstance(pair, list) or len(pair) != 2:
            problems.add(
                f"{key}[{i}]", "must be a pair [back, ahead]", 'write ["Km10+250", "Km10+300"]'
            )
            continue
        try:
            out.append((parse_chainage(pair[0]), parse_chainage(pair[1])))
        except ConfigError as exc:
            problems.add(f"{key}[{i}]", exc.what, exc.todo)
    return tuple(out)


def _project(raw: Any, index: int, base: Path, problems: Problems) -> Project | None:
    key = f"projects[{index}]"
    if not isinstance(raw, Mapping):
        problems.add(key, "must be a table", "write [[projects]] with id, name and row")
        return None
    problems.unknown_keys(raw, PROJECT_KEYS, f"{key}.")
    pid = raw.get("id")
    if not isinstance(pid, str) or not pid.strip():
        problems.add(f"{key}.id", "is missing", 'add id = "QL4B"')
        return None
    key = f"projects.{pid}"
    row = sources.source(raw.get("row"), f"{key}.row", base, problems) if "row" in raw else None
    if "row" not in raw:
        problems.add(f"{key}.row", "is missing", 'add row = "row.gpkg" (the right of way layer)')
    centerline = None
    if raw.get("centerline"):
        centerline = sources.source(raw["centerline"], f"{key}.centerline", base, problems)
    start = 0.0
    if "start_chainage" in raw:
        try:
            start = parse_chainage(raw["start_chainage"], where=f"{key}.start_chainage")
        except ConfigError as exc:
            problems.add(f"{key}.start_chainage", exc.what, exc.todo)
    bin_m = raw.get("chainage_bin_m", settings.CHAINAGE_BIN_M)
    if not isinstance(bin_m, (int, float)) or bin_m <= 0:
        problems.add(f"{key}.chainage_bin_m", f"{bin_m!r} is not a length", "write 100")
        bin_m = settings.CHAINAGE_BIN_M
    clear = raw.get("already_clear_land_use", [])
    if not isinstance(clear, list):
        problems.add(f"{key}.already_clear_land_use", "must be a list", 'write ["DGT"]')
        clear = []
    if row is None:
        return None
    return Project(
        id=pid.strip(),
        name=str(raw.get("name") or pid),
        row=row,
        centerline=centerline,
        start_chainage_m=start,
        chainage_bin_m=float(bin_m),
        station_equations=_equations(
            raw.get("station_equations", []), f"{key}.station_equations", problems
        ),
        already_clear_land_use=tuple(str(c).strip().upper() for c in clear),
        milestones=_milestones(raw.get("milestones", []), f"{key}.milestones", problems),
    )


def _fields(raw: Any, problems: Problems) -> dict[str, dict[str, str]]:
    if not isinstance(raw, Mapping):
        problems.add("fields", "must be a table of tables", 'write [fields.parcels] SHBD = "sheet"')
        return {}
    problems.unknown_keys(raw, LAYER_KEYS, "fields.")
    out: dict[str, dict[str, str]] = {}
    for layer, table in raw.items():
        if not isinstance(table, Mapping) or layer not in C.FIELD_TARGETS:
            continue
        targets = C.FIELD_TARGETS[layer]
        out[layer] = {}
        for source, target in table.items():
            if not isinstance(target, str) or target not in targets:
                near = difflib.get_close_matches(str(target), targets, n=1, cutoff=0.5)
                hint = f'write "{near[0]}"; ' if near else ""
                problems.add(
                    f"fields.{layer}.{source}",
                    f"{target!r} is not a column name of {layer}",
                    f"{hint}the names are: {', '.join(targets)}",
                )
                continue
            out[layer][str(source)] = target
    return out


def _crosswalk(raw: Any, base: Path, problems: Problems) -> Path | None:
    """``[communes] crosswalk = "file.csv"``: the user's own old → new communes, or None."""
    if not isinstance(raw, Mapping):
        problems.add("communes", "must be a table", 'write [communes] with crosswalk = "file.csv"')
        return None
    problems.unknown_keys(raw, ("crosswalk",), "communes.")
    if "crosswalk" not in raw:
        return None
    path = (base / str(raw["crosswalk"])).resolve()
    if not path.is_file():
        problems.add("communes.crosswalk", f"file not found: {path}",
                     "give the CSV's path relative to the config")  # fmt: skip
        return None
    return path


def _atlas_scale(raw: Any, problems: Problems) -> int:
    """``[maps] atlas_scale``: the map book's scale denominator (2000 for 1:2 000)."""
    if not isinstance(raw, Mapping):
        problems.add("maps", "must be a table", "write [maps] with atlas_scale = 2000")
        return settings.ATLAS_SCALE
    problems.unknown_keys(raw, MAPS_KEYS, "maps.")
    value = raw.get("atlas_scale", settings.ATLAS_SCALE)
    low, high = ATLAS_SCALES
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.add("maps.atlas_scale", f"{value!r} is not a scale from {low} to {high}",
                     "write the denominator: atlas_scale = 2000 for 1:2 000")  # fmt: skip
        return settings.ATLAS_SCALE
    return value


def _grace_days(raw: Any, problems: Problems) -> int:
    """``[deadlines] grace_days``: days a step may be overdue before ``gpmb check`` fails."""
    if not isinstance(raw, Mapping):
        problems.add("deadlines", "must be a table", "write [deadlines] with grace_days = 5")
        return 0
    problems.unknown_keys(raw, ("grace_days",), "deadlines.")
    value = raw.get("grace_days", 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        problems.add("deadlines.grace_days", f"{value!r} is not a number of days", "write 5")
        return 0
    return value


def _atlas_fits(projects: Any, atlas_scale: int, problems: Problems) -> None:
    """A page of the map book holds whole chainage bins: each project's must fit one."""
    per_page = settings.ATLAS_ROAD_MM / 1000 * atlas_scale
    for project in projects:
        if project and project.chainage_bin_m > per_page:
            least = math.ceil(project.chainage_bin_m / settings.ATLAS_ROAD_MM * 10) * 100
            problems.add(
                "maps.atlas_scale",
                f"a page at 1:{atlas_scale} holds {per_page:.0f} m of road, less than project "
                f"{project.id}'s chainage bins of {project.chainage_bin_m:g} m",
                f"write atlas_scale = {least} or more, or a smaller chainage_bin_m",
            )


def _qa(raw: Any, problems: Problems) -> QASettings:
    if not isinstance(raw, Mapping):
        problems.add("qa", "must be a table", "write [qa] with sliver_width_m = 0.2")
        return QASettings()
    problems.unknown_keys(raw, QA_KEYS, "qa.")
    values = {}
    for key in QA_KEYS:
        if key in raw:
            value = raw[key]
            if (
                not isinstance(value, (int, float))
                or isinstance(value, bool)
                or not math.isfinite(value)
                or value < 0
            ):
                default = getattr(QASettings(), key)
                problems.add(
                    f"qa.{key}",
                    f"{value!r} is not a non-negative number",
                    f"write a number such as {default} (the default)",
                )
                continue
            values[key] = int(value) if key == "far_future_years" else float(value)
    return QASettings(**values)


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ConfigError(
            str(path),
            "config file not found",
            "give the path of a gpmb.toml (gpmb sample --out DIR writes one)",
        )
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            str(path), f"not valid TOML ({exc})", "fix the syntax at that line"
        ) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), "not UTF-8 text", "save the file as UTF-8") from exc


def _project_crs(data: Mapping[str, Any], problems: Problems) -> CRS | None:
    if data.get("crs"):
        crs = parse_crs(data["crs"], "crs", problems)
        if crs is not None and not _in_metres(crs):
            problems.add(
                "crs",
                f"{data['crs']!r} is not a projected coordinate system in metres: areas "
                "measured in it would not be square metres",
                'use the VN-2000 zone of the province (crs = "EPSG:9215"), or give a layer '
                "in degrees its own crs under [layers]",
            )
            return None
        return crs
    if data.get("province"):
        try:
            return province_crs(str(data["province"]))
        except CRSError as exc:
            problems.add("province", exc.what, exc.todo)
            return None
    problems.add(
        "province",
        "neither province nor crs is given",
        'add province = "Lạng Sơn" (or crs = "EPSG:9215")',
    )
    return None


def load_config(path: str | Path) -> Config:
    """Read and validate a project config file.

    Parameters
    ----------
    path
        The TOML file; the paths in it are relative to its folder.

    Returns
    -------
    Config
        Typed, validated settings.

    Raises
    ------
    ConfigError
        Listing every problem found (unknown keys with the closest valid one, missing files,
        bad dates or chainages).

    Examples
    --------
    >>> cfg = load_config("data/cao_loc/gpmb.toml")
    >>> cfg.crs.to_epsg(), [p.id for p in cfg.projects][:2]
    (9215, ['QL4B', 'CT_HNCL'])
    """
    path = Path(path).resolve()
    data = _read_toml(path)
    base = path.parent
    problems = Problems(path)
    problems.unknown_keys(data, TOP_KEYS, "")
    crs = _project_crs(data, problems)
    layers = data.get("layers", {})
    if not isinstance(layers, Mapping):
        layers = {}
        problems.add("layers", "must be a table", 'write [layers] with parcels = "..."')
    problems.unknown_keys(layers, (*LAYER_KEYS, "report_communes"), "layers.")
    found = {
        name: sources.source(layers[name], f"layers.{name}", base, problems)
        for name in LAYER_KEYS
        if layers.get(name) and name != "handovers"
    }
    books = sources.books(layers["handovers"], base, problems) if layers.get("handovers") else ()
    if "parcels" not in layers:
        problems.add("layers.parcels", "is missing", 'add parcels = "parcels.gpkg" under [layers]')
    raw_projects = data.get("projects", [])
    if not isinstance(raw_projects, list) or not raw_projects:
        problems.add("projects", "no project is defined", "add a [[projects]] table")
        raw_projects = []
    projects = [_project(p, i, base, problems) for i, p in enumerate(raw_projects)]
    ids = [p.id for p in projects if p]
    for dup in {i for i in ids if ids.count(i) > 1}:
        problems.add(f"projects.{dup}", "id used twice", "give each project its own id")
    as_of = _date(data["as_of"], "as_of", problems) if "as_of" in data else None
    lang = str(data.get("lang", "vi"))
    if lang not in LANGS:
        problems.add("lang", f"{lang!r} is not a report language", 'use "vi" or "en"')
    fields = _fields(data.get("fields", {}), problems)
    qa = _qa(data.get("qa", {}), problems)
    crosswalk = _crosswalk(data.get("communes", {}), base, problems)
    report_communes = _report_communes(data, layers, problems)
    atlas_scale = _atlas_scale(data.get("maps", {}), problems)
    _atlas_fits(projects, atlas_scale, problems)
    procedure = procedure_from_config(data.get("procedure"), problems.add)
    grace = _grace_days(data.get("deadlines", {}), problems)
    problems.raise_if_any()
    assert crs is not None and found.get("parcels") is not None  # guaranteed by problems
    return Config(
        title=str(data.get("title") or path.stem),
        crs=crs,
        parcels=found["parcels"],
        projects=tuple(p for p in projects if p),
        communes=found.get("communes"),
        handovers=books[0] if books else None,
        province=data.get("province"),
        as_of=as_of,
        lang=lang,
        fields=fields,
        path=path,
        qa=qa,
        crosswalk=crosswalk,
        communes_2025=found.get("communes_2025"),
        books=books if len(books) > 1 else (),
        report_communes=report_communes,
        atlas_scale=atlas_scale,
        procedure=procedure,
        deadline_grace_days=grace,
    )
