"""The straight-line diagram (sơ đồ duỗi thẳng) of a road project (matplotlib).

The right of way drawn straight along the chainage, left and right of the centreline to scale,
pieces coloured by stage, commune bands along the top, station equations and blocked
stretches marked; a long road in rows of a few kilometres, pages of A4 landscape.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from gpmb_gis import columns as C
from gpmb_gis import settings
from gpmb_gis.labels import format_pct, stage_name, word
from gpmb_gis.palette import BLOCKED_COLOUR, STAGE_COLOURS

if TYPE_CHECKING:
    from gpmb_gis.result import ProgressResult
from gpmb_gis.maps.static import (
    draw_stages,
    piece_stages,
    plain,
    pyplot,
    shape_collection,
    vn_date,
)

# --- the straight-line diagram (sơ đồ duỗi thẳng) -------------------------------------------


__all__ = ["plot_strip", "strip_pages"]


def _straighten(route: Any, geoms: np.ndarray, step: float = 2.0) -> np.ndarray:
    """Geometries in (distance along the centreline, offset) coordinates."""

    def to_strip(xy: np.ndarray) -> np.ndarray:
        d, offset = route.locate_xy(xy)
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
            ends = shapely.line_locate_point(
                route.line, shapely.points([part.coords[0], part.coords[-1]])
            )
            bands.append((float(ends.min()), float(ends.max()), str(name)))
    return sorted(bands)


def _km_ticks(route: Any, d0: float, d1: float, every: float) -> tuple[list[float], list[str]]:
    from gpmb_gis.chainage import format_chainage

    posts = [(d, c) for d, c in route.posts(every) if d0 - 1e-6 <= d <= d1 + 1e-6]
    return [d for d, _ in posts], [format_chainage(c) for _, c in posts]


def _strip_row(
    ax: Any, result: ProgressResult, project: str, d0: float, d1: float, lang: str
) -> set[str]:
    """One row of the strip diagram: chainage d0–d1 (distances along the centreline).

    Returns what the row shows, for the legend: the stages drawn, ``unmapped`` when land of
    the right of way is in no parcel (white), ``blocked`` when a blocked stretch is marked.
    """
    from gpmb_gis.chainage import format_chainage

    ov = result.overlays[project]
    route = ov.route
    pieces = ov.pieces
    window = shapely.box(d0, -1e6, d1, 1e6)
    stages = piece_stages(result, project)
    strip = _straighten(route, pieces.geometry.to_numpy())
    near = shapely.intersects(strip, window)
    shown = draw_stages(ax, strip[near], stages[near], edge="#555555", width=0.2)
    row = _straighten(route, np.array([ov.row]))[0]
    ax.add_collection(
        shape_collection(
            np.array([shapely.make_valid(row)]),
            facecolor="none",
            edgecolor="#000000",
            linewidth=0.6,
            zorder=10,
        )
    )
    visible = shapely.intersection(shapely.make_valid(row), window)
    covered = shapely.union_all(shapely.make_valid(strip[near])) if near.any() else None
    gaps = visible if covered is None else shapely.difference(visible, covered)
    if gaps.area > settings.MIN_GAP_M2:
        shown.add("unmapped")
    bounds = visible.bounds if not visible.is_empty else row.bounds
    half = max(abs(bounds[1]), abs(bounds[3]), 10.0)
    ax.axhline(0, color="#000000", linewidth=0.5, linestyle=(0, (6, 3)), zorder=11)
    for a, b, name in _commune_bands(result, route):
        lo, hi = max(a, d0), min(b, d1)
        if hi - lo > (d1 - d0) * 0.02:
            ax.axvspan(lo, hi, ymin=0.93, ymax=1.0, color="#EEE6F5", zorder=1)
            ax.text(
                (lo + hi) / 2,
                half * 1.33,
                plain(name),
                ha="center",
                va="center",
                fontsize=7,
                color="#5B2A86",
                clip_on=True,
            )
            ax.axvline(lo, color="#7A3E9D", linewidth=0.6, linestyle="--", zorder=1)
    for d_eq, (back, ahead) in zip(route.seg_start_d[1:], route.equations, strict=False):
        if d0 <= d_eq <= d1:
            ax.axvline(d_eq, color="#CC0000", linewidth=1.0, zorder=12)
            ax.text(
                d_eq,
                half * 1.12,
                f" {format_chainage(back)} = {format_chainage(ahead)}",
                fontsize=6.5,
                color="#CC0000",
                ha="left",
                va="center",
                zorder=13,
            )
    from gpmb_gis.maps.ribbon import blocked_runs

    for da, db, label in blocked_runs(result, project):
        if db < d0 or da > d1:
            continue
        shown.add("blocked")
        ax.plot(
            [max(da, d0), min(db, d1)],
            [-half * 1.12] * 2,
            color=BLOCKED_COLOUR,
            linewidth=4,
            solid_capstyle="butt",
            zorder=12,
        )
        if db - da >= (d1 - d0) * 0.015:
            ax.text(
                (da + db) / 2,
                -half * 1.2,
                label.replace("Km", ""),
                fontsize=5.5,
                ha="center",
                va="top",
                color=BLOCKED_COLOUR,
            )
    ticks, labels = _km_ticks(route, d0, d1, 1000.0 if d1 - d0 > 2500 else 100.0)
    ax.set_xticks(ticks, labels, fontsize=7)
    ax.set_xlim(d0, d1)
    ax.set_ylim(-half * 1.45, half * 1.45)
    ax.set_ylabel("m", fontsize=7)
    ax.tick_params(axis="y", labelsize=6)
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.5)
    return shown


def plot_strip(
    result: ProgressResult,
    project: str,
    *,
    page: int = 1,
    km_per_row: float = 5.0,
    rows_per_page: int = 4,
    lang: str | None = None,
) -> tuple[Any, Any]:
    """Draw one page of the straight-line diagram (sơ đồ duỗi thẳng) of a road project.

    The right of way is drawn straight along the chainage (x), left and right of the
    centreline to scale (y, metres); pieces are coloured by stage; commune bands run along
    the top, station equations are marked in red, blocked stretches are underlined in
    orange. A long road is split into rows of ``km_per_row`` km, ``rows_per_page`` to an A4
    landscape page; :func:`strip_pages` draws every page.

    Returns
    -------
    (Figure, ndarray of Axes)
        The page, and its rows' axes (one column).

    Examples
    --------
    >>> fig, axes = gg.plot_strip(result, "QL4B")
    >>> len(axes)
    3
    """
    ov = result.overlays[project]
    if ov.route is None:
        raise ValueError(f"project {project} has no centreline: no strip diagram")
    n_rows = max(1, int(np.ceil(ov.route.line.length / (km_per_row * 1000.0))))
    pages = int(np.ceil(n_rows / rows_per_page))
    if not 1 <= page <= pages:
        raise ValueError(f"the strip diagram of {project} has pages 1 to {pages}, not {page}")
    return _strip_page(result, project, page, n_rows, rows_per_page, lang or result.config.lang)


def strip_pages(
    result: ProgressResult,
    project: str,
    *,
    km_per_row: float = 5.0,
    rows_per_page: int = 4,
    lang: str | None = None,
) -> list[Any]:
    """Every page of the straight-line diagram of a road project (:func:`plot_strip`).

    Returns
    -------
    list of Figure
        One figure per page.
    """
    ov = result.overlays[project]
    if ov.route is None:
        raise ValueError(f"project {project} has no centreline: no strip diagram")
    n_rows = max(1, int(np.ceil(ov.route.line.length / (km_per_row * 1000.0))))
    pages = int(np.ceil(n_rows / rows_per_page))
    return [
        plot_strip(
            result, project, page=k, km_per_row=km_per_row, rows_per_page=rows_per_page, lang=lang
        )[0]
        for k in range(1, pages + 1)
    ]


def _strip_page(
    result: ProgressResult, project: str, page: int, n_rows: int, rows_per_page: int, lang: str
) -> tuple[Any, Any]:
    """Page ``page`` (from 1) of a strip diagram of ``n_rows`` rows."""
    from matplotlib.patches import Patch

    plt = pyplot()
    ov = result.overlays[project]
    step = ov.route.line.length / n_rows
    row = result.progress_by_project.set_index(C.PROJECT).loc[project]
    page_start = (page - 1) * rows_per_page
    rows = range(page_start, min(page_start + rows_per_page, n_rows))
    fig, axes = plt.subplots(len(rows), 1, figsize=(11.69, 8.27), squeeze=False)
    shown: set[str] = set()
    for ax, k in zip(axes[:, 0], rows, strict=True):
        shown |= _strip_row(ax, result, project, k * step, (k + 1) * step, lang)
    of = f" ({page}/{int(np.ceil(n_rows / rows_per_page))})"
    fig.suptitle(
        plain(
            f"{ov.project.name}{of if n_rows > rows_per_page else ''}\n"
            f"{word('as_of', lang)} {vn_date(result.as_of)}: "
            f"{format_pct(row[C.CLEARED_PCT], lang)} % {word('cleared_of', lang)}"
        ),
        fontsize=10,
    )
    handles = [  # only what the page shows, land in no parcel (white) included
        Patch(facecolor=STAGE_COLOURS[s], edgecolor="#555555", label=stage_name(s, lang))
        for s in STAGE_COLOURS
        if s in shown
    ]
    if "blocked" in shown:
        handles.append(Patch(facecolor=BLOCKED_COLOUR, label=word("blocked", lang)))
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=7, frameon=False)
    from gpmb_gis.maps.furniture import keep_apart

    # a commune's name, a station equation, a blocked stretch's chainage: none over another
    keep_apart(fig, [t for ax in axes[:, 0] for t in ax.texts])
    fig.tight_layout(rect=(0, 0.04, 1, 0.95))
    return fig, axes[:, 0]
