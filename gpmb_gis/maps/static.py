"""Static maps (matplotlib) for the weekly briefing. They draw results; they compute nothing."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from gpmb_gis import columns as C
from gpmb_gis.labels import stage_name, word
from gpmb_gis.measure import stage_names
from gpmb_gis.palette import BLOCKED_COLOUR, STAGE_COLOURS

if TYPE_CHECKING:
    from gpmb_gis.result import ProgressResult


__all__ = [
    "offscreen",
    "piece_stages",
    "plain",
    "plot_overview",
    "plot_project",
    "pyplot",
    "shape_collection",
    "stage_rank",
    "vn_date",
]


def plain(text: object) -> str:
    r"""Text from data as matplotlib draws it literally: each ``$`` escaped, so no mathtext.

    Examples
    --------
    >>> plain("Dự án $\\frac{a}{b}$ 5$")
    'Dự án \\$\\frac{a}{b}\\$ 5\\$'
    """
    return str(text).replace("$", r"\$")


def pyplot() -> Any:
    """Matplotlib's pyplot, loaded on first use, drawing where the user or Jupyter chose.

    The backend is never changed here: in Jupyter the figures show inline; without a
    display matplotlib draws off screen by itself. The command draws off screen
    (:func:`offscreen`).
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - matplotlib is a dependency
        raise ImportError("maps need matplotlib: pip install matplotlib") from exc
    return plt


def offscreen() -> None:
    """Draw into files only (matplotlib's Agg), whatever display there is: for the command."""
    import matplotlib

    matplotlib.use("Agg")


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


def shape_collection(geoms: np.ndarray, **kwargs: Any) -> Any:
    """Polygons as one matplotlib collection (drawn at once), styled by ``kwargs``."""
    from matplotlib.collections import PathCollection

    return PathCollection(_polys_to_paths(geoms), **kwargs)


def _draw_pieces(
    ax: Any,
    geoms: np.ndarray,
    stages: np.ndarray,
    small_scale: bool,
) -> dict[str, float]:
    """Parcels' pieces coloured by stage; returns the area drawn per stage."""
    areas = {}
    for stage, colour in STAGE_COLOURS.items():
        mask = stages == stage
        if mask.any():
            # at district scale a 30 m corridor is a hairline: outline pieces in their colour
            ax.add_collection(
                shape_collection(
                    geoms[mask],
                    facecolor=colour,
                    edgecolor=colour if small_scale else "#333333",
                    linewidth=1.5 if small_scale else 0.15,
                    zorder=8 - stage_rank(stage),
                )
            )
            areas[stage] = float(shapely.area(geoms[mask]).sum())
    return areas


def _draw_unmapped(ax: Any, ov: Any, pieces: np.ndarray) -> float:
    """ROW land no parcel covers: white, hatched."""
    gaps = shapely.difference(ov.row, shapely.union_all(pieces)) if len(pieces) else ov.row
    if gaps.is_empty or gaps.area < 0.5:
        return 0.0
    ax.add_collection(
        shape_collection(
            np.array([gaps]),
            facecolor="#FFFFFF",
            edgecolor="#555555",
            hatch="////",
            linewidth=0.3,
            zorder=9,
        )
    )
    return float(gaps.area)


def _draw_route(ax: Any, result: ProgressResult, ov: Any, lang: str) -> bool:
    """Km markers along the centreline and the blocked stretches; False without a route."""
    from gpmb_gis.chainage import format_chainage

    route = ov.route
    if route is None:
        return False
    for d, c in route.posts():
        point = shapely.line_interpolate_point(route.line, d)
        ax.plot(point.x, point.y, marker="o", markersize=3, color="#000000", zorder=12)
        ax.annotate(
            format_chainage(c).replace("+000", ""),
            (point.x, point.y),
            fontsize=6,
            xytext=(3, 3),
            textcoords="offset points",
            zorder=12,
        )
    blocked = result.blockers
    blocked = blocked[(blocked[C.PROJECT] == ov.project.id) & (blocked["kind"] == "stretch")]
    from shapely.ops import substring

    for a, b in zip(blocked["from_m"], blocked["to_m"], strict=True):
        line = substring(route.line, route.distance_at(a), route.distance_at(b))
        xy = shapely.get_coordinates(line)
        ax.plot(
            xy[:, 0],
            xy[:, 1],
            color=BLOCKED_COLOUR,
            linewidth=2.5,
            alpha=0.7,
            zorder=11,
            solid_capstyle="butt",
        )
    return True


def _scale_bar(ax: Any) -> None:
    """A scale bar of a round length, bottom left."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    span = (x1 - x0) / 5
    length = 10 ** np.floor(np.log10(span))
    for step in (5, 2, 1):
        if step * length <= span:
            length *= step
            break
    x, y = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.05
    ax.plot([x, x + length], [y, y], color="#000000", linewidth=3, solid_capstyle="butt", zorder=20)
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    ax.text(x + length / 2, y + (y1 - y0) * 0.012, label, ha="center", fontsize=8, zorder=20)


def _north_arrow(ax: Any) -> None:
    ax.annotate(
        "N",
        xy=(0.96, 0.95),
        xytext=(0.96, 0.86),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=11,
        fontweight="bold",
        zorder=20,
        arrowprops={"arrowstyle": "-|>", "color": "#000000", "lw": 1.5},
    )


def _inset(fig: Any, ax: Any, result: ProgressResult, ov: Any) -> None:
    """A small map locating the project among the communes of the district."""
    communes = result.inputs.communes if result.inputs is not None else None
    if communes is None:
        return
    inset = ax.inset_axes((0.0, 0.0, 0.2, 0.2))
    inset.add_collection(
        shape_collection(
            communes.geometry.to_numpy(), facecolor="#F2F2F2", edgecolor="#999999", linewidth=0.3
        )
    )
    inset.add_collection(
        shape_collection(
            np.array([ov.row.buffer(300)]), facecolor="#D55E00", edgecolor="#D55E00", linewidth=0.8
        )
    )
    x0, y0, x1, y1 = communes.total_bounds
    inset.set_xlim(x0, x1)
    inset.set_ylim(y0, y1)
    inset.set_aspect("equal")
    inset.set_xticks([])
    inset.set_yticks([])
    inset.set_facecolor("#FFFFFF")


def _label_parcels(ax: Any, pieces: Any, window: shapely.Geometry) -> None:
    """Sheet/parcel labels where they fit (a zoomed map)."""
    from gpmb_gis._text import number_key

    inside = pieces[pieces.intersects(window)]
    if len(inside) > 400:
        return
    x0, x1 = ax.get_xlim()
    min_area = ((x1 - x0) / 60) ** 2
    for geom, sheet, parcel in zip(inside.geometry, inside[C.SHEET], inside[C.PARCEL], strict=True):
        if geom.area >= min_area:
            p = geom.representative_point()
            ax.text(
                p.x,
                p.y,
                plain(f"{number_key(sheet)}/{number_key(parcel)}"),
                fontsize=5,
                ha="center",
                va="center",
                zorder=13,
                color="#111111",
            )


def plot_project(
    result: ProgressResult,
    project: str,
    *,
    ax: Any = None,
    lang: str | None = None,
    commune: str | None = None,
    figsize: tuple[float, float] = (11.69, 8.27),
) -> tuple[Any, Any]:
    """Draw a project's parcels by stage, with its ROW, communes, Km markers and blockers.

    Parameters
    ----------
    result
        What :func:`gpmb_gis.compute_progress` returned.
    project
        The project id.
    ax
        A matplotlib axes to draw on; a new A4-landscape figure when None.
    commune
        Zoom to the part of the project in this commune, with sheet/parcel labels.

    Returns
    -------
    (Figure, Axes)

    Examples
    --------
    >>> fig, ax = gg.plot_project(result, "QL4B", commune="Xã Gia Cát")
    """
    plt = pyplot()
    from matplotlib.patches import Patch

    lang = lang or result.config.lang
    ov = result.overlays[project]
    fig, ax = plt.subplots(figsize=figsize) if ax is None else (ax.figure, ax)
    geoms = ov.pieces.geometry.to_numpy()
    window = ov.row
    if commune is not None:
        polygon = _commune_polygon(result, commune)
        window = shapely.intersection(ov.row, polygon) if polygon is not None else ov.row
    xmin, ymin, xmax, ymax = window.bounds
    small_scale = max(xmax - xmin, ymax - ymin) > 3000
    areas = _draw_pieces(ax, geoms, piece_stages(result, project), small_scale)
    unmapped = _draw_unmapped(ax, ov, geoms)
    ax.add_collection(
        shape_collection(
            np.array([ov.row]), facecolor="none", edgecolor="#000000", linewidth=0.4, zorder=10
        )
    )
    communes = result.inputs.communes if result.inputs is not None else None
    if communes is not None:
        _draw_communes(ax, communes, ov.row, result)
    has_route = _draw_route(ax, result, ov, lang)
    _frame(ax, window.bounds)
    if commune is not None:
        _label_parcels(ax, ov.pieces, window)
    ax.ticklabel_format(useOffset=False, style="plain")
    ax.tick_params(labelsize=7)
    _scale_bar(ax)
    _north_arrow(ax)
    if commune is None:
        _inset(fig, ax, result, ov)
    handles = [
        Patch(
            facecolor=STAGE_COLOURS[s],
            edgecolor="#333333",
            label=f"{stage_name(s, lang)}: {areas[s] / 1e4:,.2f} ha",
        )
        for s in STAGE_COLOURS
        if s in areas
    ]
    if unmapped:
        handles.append(
            Patch(
                facecolor="#FFFFFF",
                edgecolor="#555555",
                hatch="////",
                label=f"{stage_name('unmapped', lang)}: {unmapped / 1e4:,.2f} ha",
            )
        )
    handles.append(Patch(facecolor="none", edgecolor="#000000", label=word("row", lang)))
    if communes is not None:
        handles.append(
            Patch(
                facecolor="none", edgecolor="#7A3E9D", linestyle="--", label=word("communes", lang)
            )
        )
    if has_route:
        handles.append(Patch(facecolor=BLOCKED_COLOUR, label=word("blocked", lang)))
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=8,
        framealpha=0.9,
        borderaxespad=0,
    )
    row = result.progress_by_project.set_index(C.PROJECT).loc[project]
    where = f" — {commune}" if commune else ""
    ax.set_title(
        plain(
            f"{ov.project.name}{where}\n{word('as_of', lang)} {vn_date(result.as_of)}: "
            f"{row[C.CLEARED_PCT]:.1f} % {word('cleared_of', lang)} "
            f"({row[C.CLEARED_M2] / 1e4:,.2f} / {row[C.REQUIRED_M2] / 1e4:,.2f} ha)"
        ),
        fontsize=11,
    )
    return fig, ax


def _commune_polygon(result: ProgressResult, commune: str) -> shapely.Geometry | None:
    from gpmb_gis._text import commune_key

    communes = result.inputs.communes if result.inputs is not None else None
    if communes is None:
        return None
    match = communes[communes[C.KEY_COMMUNE] == commune_key(commune)]
    return match.geometry.iloc[0] if len(match) else None


def _draw_communes(ax: Any, communes: Any, row: shapely.Geometry, result: ProgressResult) -> None:
    xmin, ymin, xmax, ymax = row.bounds
    near = communes.cx[xmin:xmax, ymin:ymax]
    ax.add_collection(
        shape_collection(
            near.geometry.to_numpy(),
            facecolor="none",
            edgecolor="#7A3E9D",
            linewidth=0.8,
            linestyle="--",
        )
    )
    points = shapely.point_on_surface(shapely.intersection(near.geometry.to_numpy(), row))
    names = result.commune_labels(near[C.COMMUNE_CODE].tolist(), near[C.COMMUNE].tolist())
    for name, point in zip(names, points, strict=True):
        if not point.is_empty:
            ax.annotate(
                plain(name), (point.x, point.y), fontsize=8, color="#7A3E9D", ha="center", zorder=14
            )


def plot_overview(
    result: ProgressResult, *, lang: str | None = None, figsize: tuple[float, float] = (11.69, 8.27)
) -> tuple[Any, Any]:
    """The district overview: every project's right of way coloured by its cleared %."""
    plt = pyplot()
    from matplotlib import colormaps
    from matplotlib.colors import Normalize

    lang = lang or result.config.lang
    fig, ax = plt.subplots(figsize=figsize)
    communes = result.inputs.communes if result.inputs is not None else None
    bounds = shapely.union_all([ov.row for ov in result.overlays.values()]).bounds
    if communes is not None:
        ax.add_collection(
            shape_collection(
                communes.geometry.to_numpy(),
                facecolor="#F7F7F7",
                edgecolor="#999999",
                linewidth=0.5,
            )
        )
        for name, geom in zip(communes[C.COMMUNE], communes.geometry, strict=True):
            p = geom.representative_point()
            ax.text(p.x, p.y, plain(name), fontsize=6, color="#777777", ha="center")
        bounds = communes.total_bounds
    cmap, norm = colormaps["viridis"], Normalize(0, 100)
    projects = result.progress_by_project.set_index(C.PROJECT)
    for pid, ov in result.overlays.items():
        pct = float(projects.loc[pid, C.CLEARED_PCT])
        shape = ov.row.buffer(150)  # visible at district scale
        ax.add_collection(
            shape_collection(
                np.array([shape]),
                facecolor=cmap(norm(pct)),
                edgecolor="#000000",
                linewidth=0.6,
                zorder=5,
            )
        )
        p = shape.representative_point()
        ax.annotate(
            plain(f"{pid}: {pct:.1f} %"),
            (p.x, p.y),
            xytext=(8, 8),
            textcoords="offset points",
            fontsize=8,
            fontweight="bold",
            zorder=6,
            bbox={"boxstyle": "round", "fc": "white", "alpha": 0.8},
        )
    _frame(ax, tuple(bounds))
    ax.ticklabel_format(useOffset=False, style="plain")
    ax.tick_params(labelsize=7)
    _scale_bar(ax)
    _north_arrow(ax)
    sm = plt.cm.ScalarMappable(cmap=cmap, norm=norm)
    fig.colorbar(sm, ax=ax, shrink=0.6, label="%")
    ax.set_title(
        plain(f"{result.config.title}\n{word('as_of', lang)} {vn_date(result.as_of)}"), fontsize=11
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


def vn_date(day: dt.date) -> str:
    """A date as Vietnamese documents write it: ``29/11/2024``."""
    return f"{day:%d/%m/%Y}"


def stage_rank(stage: str) -> int:
    """A stage's place in the order of stages (already clear after handed over)."""
    return C.STAGES.index(stage) if stage in C.STAGES else 5


def piece_stages(result: ProgressResult, project: str) -> np.ndarray:
    """Each piece's stage as of the report date (``already_clear`` for land held already)."""
    return stage_names(result.overlays[project], result.as_of)
