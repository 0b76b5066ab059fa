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
