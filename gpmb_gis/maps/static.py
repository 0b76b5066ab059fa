"""Static maps (matplotlib) for the weekly briefing. They draw results; they compute nothing."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from gpmb_gis import columns as C
from gpmb_gis import engine
from gpmb_gis.labels import stage_name, word

if TYPE_CHECKING:
    from gpmb_gis.progress import ProgressResult

#: One colour-blind-safe palette (Okabe–Ito based) for stages, used by every map and chart.
STAGE_COLOURS: dict[str, str] = {
    C.NOT_STARTED: "#D55E00", C.INVENTORIED: "#E69F00", C.PLAN_APPROVED: "#F0E442",
    C.PAID: "#56B4E9", C.HANDED_OVER: "#009E73", C.ALREADY_CLEAR: "#999999",
    "unmapped": "#FFFFFF",
}  # fmt: skip


#: Blocked stretches: a colour no stage uses.
BLOCKED_COLOUR = "#CC79A7"


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - matplotlib is a dependency
        raise ImportError("maps need matplotlib: pip install matplotlib") from exc
    return plt


def _polys_to_paths(geoms: np.ndarray) -> list[Any]:
    """Matplotlib paths (with holes) of polygonal geometries."""
    from matplotlib.path import Path as MplPath

    paths = []
    for geom in geoms:
        for poly in shapely.get_parts(geom):
            if poly.is_empty or poly.geom_type != "Polygon":
                continue
            rings = [np.asarray(poly.exterior.coords)] + [
                np.asarray(r.coords) for r in poly.interiors
            ]
            verts = np.concatenate(rings)
            codes = np.concatenate(
                [
                    [MplPath.MOVETO] + [MplPath.LINETO] * (len(r) - 2) + [MplPath.CLOSEPOLY]
                    for r in rings
                ]
            )
            paths.append(MplPath(verts, codes))
    return paths


def _collection(geoms: np.ndarray, **kwargs: Any) -> Any:
    from matplotlib.collections import PathCollection

    return PathCollection(_polys_to_paths(geoms), **kwargs)


def plot_project(
    result: ProgressResult,
    project: str,
    *,
    ax: Any = None,
    lang: str | None = None,
    figsize: tuple[float, float] = (11.69, 8.27),
) -> tuple[Any, Any]:
    """Draw a project's parcels coloured by stage, its ROW and the commune boundaries.

    Parameters
    ----------
    result
        What :func:`gpmb_gis.compute_progress` returned.
    project
        The project id.
    ax
        A matplotlib axes to draw on; a new A4-landscape figure when None.

    Returns
    -------
    (Figure, Axes)
    """
    plt = _pyplot()
    from matplotlib.patches import Patch

    lang = lang or result.config.lang
    ov = result.overlays[project]
    fig, ax = plt.subplots(figsize=figsize) if ax is None else (ax.figure, ax)
    pieces = ov.pieces
    reach = pieces[list(engine.REACH_COLUMNS)].to_numpy()
    stage_idx = engine.stage_index_at(reach, engine.day_number(result.as_of))
    stages = np.array([C.STAGES[i] for i in stage_idx], dtype=object)
    stages[pieces[C.ALREADY_CLEAR].to_numpy()] = C.ALREADY_CLEAR
    areas = {}
    geoms = pieces.geometry.to_numpy()
    xmin, ymin, xmax, ymax = ov.row.bounds
    small_scale = max(xmax - xmin, ymax - ymin) > 3000
    for stage, colour in STAGE_COLOURS.items():
        mask = stages == stage
        if mask.any():
            # at district scale a 30 m corridor is a hairline: outline pieces in their colour
            ax.add_collection(
                _collection(
                    geoms[mask],
                    facecolor=colour,
                    edgecolor=colour if small_scale else "#333333",
                    linewidth=1.5 if small_scale else 0.15,
                    zorder=8 - C.STAGES.index(stage) if stage in C.STAGES else 2,
                )
            )
            areas[stage] = float(shapely.area(geoms[mask]).sum())
    ax.add_collection(
        _collection(
            np.array([ov.row]), facecolor="none", edgecolor="#000000", linewidth=0.4, zorder=10
        )
    )
    communes = result.inputs.communes if result.inputs is not None else None
    if communes is not None:
        xmin, ymin, xmax, ymax = ov.row.bounds
        near = communes.cx[xmin:xmax, ymin:ymax]
        ax.add_collection(
            _collection(
                near.geometry.to_numpy(),
                facecolor="none",
                edgecolor="#7A3E9D",
                linewidth=0.8,
                linestyle="--",
            )
        )
        for name, point in zip(
            near[C.COMMUNE],
            shapely.point_on_surface(shapely.intersection(near.geometry.to_numpy(), ov.row)),
            strict=True,
        ):
            if not point.is_empty:
                ax.annotate(str(name), (point.x, point.y), fontsize=8, color="#7A3E9D", ha="center")
    _frame(ax, ov.row.bounds)
    ax.ticklabel_format(useOffset=False, style="plain")
    ax.tick_params(labelsize=7)
    handles = [
        Patch(
            facecolor=STAGE_COLOURS[s],
            edgecolor="#333333",
            label=f"{stage_name(s, lang)}: {areas[s] / 1e4:,.2f} ha",
        )
        for s in STAGE_COLOURS
        if s in areas
    ]
    handles.append(Patch(facecolor="none", edgecolor="#000000", label=word("row", lang)))
    if communes is not None:
        handles.append(
            Patch(
                facecolor="none", edgecolor="#7A3E9D", linestyle="--", label=word("communes", lang)
            )
        )
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=8,
        framealpha=0.9,
        borderaxespad=0,
    )
    row = result.progress_by_project.set_index(C.PROJECT).loc[project]
    ax.set_title(
        f"{ov.project.name}\n{word('as_of', lang)} {_vn_date(result.as_of)}: "
        f"{row[C.CLEARED_PCT]:.1f} % {word('cleared_of', lang)} "
        f"({row[C.CLEARED_M2] / 1e4:,.2f} / {row[C.REQUIRED_M2] / 1e4:,.2f} ha)",
        fontsize=11,
    )
    return fig, ax


def _frame(ax: Any, bounds: tuple[float, float, float, float], aspect: float = 1.1) -> None:
    """Fit the view to the bounds with the axes' shape (wide, for A4 landscape)."""
    xmin, ymin, xmax, ymax = bounds
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    width = max(xmax - xmin, (ymax - ymin) * aspect, 50.0) * 1.06
    height = width / aspect
    ax.set_xlim(cx - width / 2, cx + width / 2)
    ax.set_ylim(cy - height / 2, cy + height / 2)
    ax.set_aspect("equal")


def _vn_date(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


# --- the straight-line diagram (sơ đồ duỗi thẳng) -------------------------------------------


def _straighten(route: Any, geoms: np.ndarray, step: float = 2.0) -> np.ndarray:
    """Geometries in (distance along the centreline, offset) coordinates."""

    def to_strip(xy: np.ndarray) -> np.ndarray:
        d, offset = route.locate(shapely.points(xy))
        return np.column_stack([d, offset])

    return shapely.transform(shapely.segmentize(geoms, step), to_strip)


def _commune_bands(result: ProgressResult, route: Any) -> list[tuple[float, float, str]]:
    """Stretches of the centreline in each commune: (from distance, to distance, name)."""
    communes = result.inputs.communes if result.inputs is not None else None
    if communes is None:
        return []
    bands = []
    for name, geom in zip(communes[C.COMMUNE], communes.geometry, strict=True):
        for part in shapely.get_parts(shapely.intersection(route.line, geom)):
            if part.geom_type != "LineString" or part.length < 1:
                continue
            ends = shapely.line_locate_point(route.line, shapely.points(
                [part.coords[0], part.coords[-1]]))  # fmt: skip
            bands.append((float(ends.min()), float(ends.max()), str(name)))
    return sorted(bands)


def _km_ticks(route: Any, d0: float, d1: float, every: float) -> tuple[list[float], list[str]]:
    from gpmb_gis.chainage import format_chainage

    positions, labels = [], []
    for s0, s1, c0 in zip(route.seg_start_d, route.seg_end_d, route.seg_start_c, strict=True):
        first = np.ceil(c0 / every) * every
        for c in np.arange(first, c0 + (s1 - s0) + 1e-9, every):
            d = s0 + (c - c0)
            if d0 - 1e-6 <= d <= d1 + 1e-6:
                positions.append(float(d))
                labels.append(format_chainage(c))
    return positions, labels


def _strip_row(ax: Any, result: ProgressResult, project: str, d0: float, d1: float,
               lang: str) -> None:  # fmt: skip
    """One row of the strip diagram: chainage d0–d1 (distances along the centreline)."""
    from gpmb_gis.chainage import format_chainage

    ov = result.overlays[project]
    route = ov.route
    pieces = ov.pieces
    window = shapely.box(d0, -1e6, d1, 1e6)
    stages = _piece_stages(result, project)
    strip = _straighten(route, pieces.geometry.to_numpy())
    near = shapely.intersects(strip, window)
    for stage, colour in STAGE_COLOURS.items():
        mask = near & (stages == stage)
        if mask.any():
            ax.add_collection(
                _collection(
                    strip[mask],
                    facecolor=colour,
                    edgecolor="#555555",
                    linewidth=0.2,
                    zorder=8 - _stage_rank(stage),
                )
            )
    row = _straighten(route, np.array([ov.row]))[0]
    ax.add_collection(
        _collection(
            np.array([shapely.make_valid(row)]),
            facecolor="none",
            edgecolor="#000000",
            linewidth=0.6,
            zorder=10,
        )
    )
    visible = shapely.intersection(shapely.make_valid(row), window)
    bounds = visible.bounds if not visible.is_empty else row.bounds
    half = max(abs(bounds[1]), abs(bounds[3]), 10.0)
    ax.axhline(0, color="#000000", linewidth=0.5, linestyle=(0, (6, 3)), zorder=11)
    for a, b, name in _commune_bands(result, route):
        lo, hi = max(a, d0), min(b, d1)
        if hi - lo > (d1 - d0) * 0.02:
            ax.axvspan(lo, hi, ymin=0.93, ymax=1.0, color="#EEE6F5", zorder=1)
            ax.text((lo + hi) / 2, half * 1.33, name, ha="center", va="center", fontsize=7,
                    color="#5B2A86", clip_on=True)  # fmt: skip
            ax.axvline(lo, color="#7A3E9D", linewidth=0.6, linestyle="--", zorder=1)
    for d_eq, (back, ahead) in zip(route.seg_start_d[1:], route.equations, strict=False):
        if d0 <= d_eq <= d1:
            ax.axvline(d_eq, color="#CC0000", linewidth=1.0, zorder=12)
            ax.text(d_eq, half * 1.12, f" {format_chainage(back)} = {format_chainage(ahead)}",
                    fontsize=6.5, color="#CC0000", ha="left", va="center", zorder=13)  # fmt: skip
    blocked = result.blockers
    blocked = blocked[(blocked[C.PROJECT] == project) & (blocked["kind"] == "stretch")]
    for a, b, label in zip(blocked["from_m"], blocked["to_m"], blocked["label"], strict=True):
        da, db = route.distance_at(a), route.distance_at(b)
        if db < d0 or da > d1:
            continue
        ax.plot([max(da, d0), min(db, d1)], [-half * 1.12] * 2, color=BLOCKED_COLOUR, linewidth=4,
                solid_capstyle="butt", zorder=12)  # fmt: skip
        if db - da >= (d1 - d0) * 0.015:
            ax.text((da + db) / 2, -half * 1.2, label.replace("Km", ""), fontsize=5.5,
                    ha="center", va="top", color=BLOCKED_COLOUR)  # fmt: skip
    ticks, labels = _km_ticks(route, d0, d1, 1000.0 if d1 - d0 > 2500 else 100.0)
    ax.set_xticks(ticks, labels, fontsize=7)
    ax.set_xlim(d0, d1)
    ax.set_ylim(-half * 1.45, half * 1.45)
    ax.set_ylabel("m", fontsize=7)
    ax.tick_params(axis="y", labelsize=6)
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.5)


def _stage_rank(stage: str) -> int:
    return C.STAGES.index(stage) if stage in C.STAGES else 5


def _piece_stages(result: ProgressResult, project: str) -> np.ndarray:
    ov = result.overlays[project]
    reach = ov.pieces[list(engine.REACH_COLUMNS)].to_numpy()
    stage_idx = engine.stage_index_at(reach, engine.day_number(result.as_of))
    stages = np.array([C.STAGES[i] for i in stage_idx], dtype=object)
    stages[ov.pieces[C.ALREADY_CLEAR].to_numpy()] = C.ALREADY_CLEAR
    return stages


def plot_strip(result: ProgressResult, project: str, *, km_per_row: float = 5.0,
               rows_per_page: int = 4, lang: str | None = None) -> list[Any]:  # fmt: skip
    """Draw the straight-line diagram (sơ đồ duỗi thẳng) of a road project.

    The right of way is drawn straight along the chainage (x), left and right of the
    centreline to scale (y, metres); pieces are coloured by stage; commune bands run along
    the top, station equations are marked in red, blocked stretches are underlined in
    orange. A long road is split into rows of ``km_per_row`` km, ``rows_per_page`` to an A4
    landscape page.

    Returns
    -------
    list of Figure
        One figure per page.
    """
    from matplotlib.patches import Patch

    plt = _pyplot()
    lang = lang or result.config.lang
    ov = result.overlays[project]
    if ov.route is None:
        raise ValueError(f"project {project} has no centreline: no strip diagram")
    length = ov.route.line.length
    n_rows = max(1, int(np.ceil(length / (km_per_row * 1000.0))))
    step = length / n_rows
    row = result.progress_by_project.set_index(C.PROJECT).loc[project]
    figures = []
    for page_start in range(0, n_rows, rows_per_page):
        rows = range(page_start, min(page_start + rows_per_page, n_rows))
        fig, axes = plt.subplots(len(rows), 1, figsize=(11.69, 8.27), squeeze=False)
        for ax, k in zip(axes[:, 0], rows, strict=True):
            _strip_row(ax, result, project, k * step, (k + 1) * step, lang)
        page = f" ({page_start // rows_per_page + 1}/{int(np.ceil(n_rows / rows_per_page))})"
        fig.suptitle(
            f"{ov.project.name}{page if n_rows > rows_per_page else ''}\n"
            f"{word('as_of', lang)} {_vn_date(result.as_of)}: "
            f"{row[C.CLEARED_PCT]:.1f} % {word('cleared_of', lang)}",
            fontsize=10,
        )
        handles = [
            Patch(facecolor=STAGE_COLOURS[s], edgecolor="#555555", label=stage_name(s, lang))
            for s in STAGE_COLOURS
            if s != "unmapped"
        ]
        handles.append(Patch(facecolor=BLOCKED_COLOUR, label=word("blocked", lang)))
        fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=7,
                   frameon=False)  # fmt: skip
        fig.tight_layout(rect=(0, 0.04, 1, 0.95))
        figures.append(fig)
    return figures
