"""A road at overview scales: a ribbon of its chainage bins, each coloured by its cleared %.

A right of way of 40–80 m is thinner than a pixel on a map of a 20 km road. At such scales
the road is drawn as a ribbon a few millimetres wide along its centreline, whatever the right
of way's width, each chainage bin in the colour of its cleared % (:data:`PCT_CLASSES`, the
same classes on every map); the blocked stretches are a mark beside the ribbon, never over
it. A project without a centreline (a cluster, a police site) is a point with its %. The
parcels themselves are drawn once they can be read (:data:`PARCELS_FROM_SCALE`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from gpmb_gis import columns as C
from gpmb_gis.labels import word
from gpmb_gis.palette import BLOCKED_COLOUR, NO_PCT_COLOUR, PCT_CLASSES, pct_colour

if TYPE_CHECKING:
    from gpmb_gis.result import ProgressResult

__all__ = [
    "PARCELS_FROM_SCALE",
    "RIBBON_PT",
    "bin_lines",
    "blocked_runs",
    "draw_blocked_marks",
    "draw_ribbon",
    "map_scale",
    "metres_per_point",
    "pct_handles",
]

#: Parcels are drawn on maps at 1:10 000 or larger; smaller scales show the ribbon.
PARCELS_FROM_SCALE = 10_000

#: The ribbon's width on paper, in points (7 pt ≈ 2.5 mm), and the blocked mark's.
RIBBON_PT = 7.0
MARK_PT = 3.0


def metres_per_point(ax: Any) -> float:
    """Ground metres in one typographic point of the axes (their view and size as set)."""
    ax.apply_aspect()
    width_in = ax.get_position().width * ax.figure.get_figwidth()
    x0, x1 = ax.get_xlim()
    return (x1 - x0) / (width_in * 72.0)


def map_scale(ax: Any) -> float:
    """The axes' scale denominator on paper (10 000 for 1:10 000)."""
    return metres_per_point(ax) * 72.0 / 0.0254


def bin_lines(result: ProgressResult, project: str) -> tuple[np.ndarray, np.ndarray]:
    """The centreline of each chainage bin, and its cleared %; empty without a road.

    The % is NaN for a bin without land, or when the table is not the bins' (never paired by
    guess).
    """
    from shapely.ops import substring

    ov = result.overlays[project]
    if ov.route is None or not ov.bins:
        return np.zeros(0, dtype=object), np.zeros(0)
    table = result.by_chainage(project)
    pcts = table[C.CLEARED_PCT].to_numpy(dtype=float)
    if len(pcts) != len(ov.bins):  # the table is the bins': never paired by guess
        pcts = np.full(len(ov.bins), np.nan)
    lines = np.array([substring(ov.route.line, b.from_d, b.to_d) for b in ov.bins], dtype=object)
    return lines, pcts


def draw_ribbon(
    ax: Any, result: ProgressResult, project: str, width_pt: float = RIBBON_PT
) -> set[str]:
    """Draw a road's ribbon; return the colours drawn (for the legend)."""
    from matplotlib.collections import LineCollection

    lines, pcts = bin_lines(result, project)
    if not len(lines):
        return set()
    colours = [pct_colour(p) for p in pcts]
    segments = [shapely.get_coordinates(line) for line in lines]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    seen = shapely.intersects(lines, shapely.box(x0, y0, x1, y1))  # the key: what the view shows
    ax.add_collection(
        LineCollection(
            segments,
            colors=colours,
            linewidths=width_pt,
            capstyle="butt",
            joinstyle="round",
            zorder=6,
        )
    )
    ax.add_collection(
        LineCollection(
            segments, colors="#333333", linewidths=width_pt + 1.2, capstyle="butt", zorder=5
        )
    )  # a thin outline
    return {c for c, shown in zip(colours, seen, strict=True) if shown}


def blocked_runs(result: ProgressResult, project: str) -> list[tuple[float, float, str]]:
    """A road's blocked stretches along its centreline as drawn: ``(from_d, to_d, label)``.

    The runs of chainage bins under 100 %, as ``blockers.csv`` counts them, in the same
    order, placed by their bins: a chainage that occurs twice (after a station equation
    that goes back) is never looked up.
    """
    from gpmb_gis.chainage import runs, stretch_labels
    from gpmb_gis.measure import FULL_TOLERANCE_M2

    ov = result.overlays[project]
    if ov.route is None or not ov.bins:
        return []
    table = result.by_chainage(project)
    if len(table) != len(ov.bins):  # the table is the bins': never paired by guess
        return []
    left = table[C.REQUIRED_M2].to_numpy() - table[C.CLEARED_M2].to_numpy()
    out = []
    for a, b in runs(left > FULL_TOLERANCE_M2):
        label = stretch_labels([ov.bins[a].from_m], [ov.bins[b].to_m])[0]
        out.append((ov.bins[a].from_d, ov.bins[b].to_d, label))
    return out


def draw_blocked_marks(
    ax: Any, result: ProgressResult, project: str, beside_m: float = 0.0
) -> bool:
    """Mark the blocked stretches beside the road (left of it as drawn), never over it.

    Beside the ribbon, or ``beside_m`` metres from the centreline (a right of way drawn
    with its parcels). Call once the axes' view is set: the ribbon's offset is in points.
    """
    from shapely.ops import substring

    ov = result.overlays[project]
    blocked = blocked_runs(result, project)
    if not blocked:
        return False
    per_point = metres_per_point(ax)
    offset = (beside_m or RIBBON_PT / 2 * per_point) + (1.5 + MARK_PT / 2) * per_point
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    view, drawn = shapely.box(x0, y0, x1, y1), False
    for a, b, _ in blocked:
        line = substring(ov.route.line, a, b)
        if line.length <= 0:
            continue
        beside = shapely.offset_curve(line, offset)
        drawn |= bool(beside.intersects(view))
        xy = shapely.get_coordinates(beside)
        ax.plot(
            xy[:, 0],
            xy[:, 1],
            color=BLOCKED_COLOUR,
            linewidth=MARK_PT,
            solid_capstyle="butt",
            zorder=11,  # over the parcels, beside the road
        )
    return drawn


def pct_handles(colours: set[str], lang: str, *, blocked: bool = False) -> list[Any]:
    """Legend entries of the % classes drawn (highest first), and the blocked mark."""
    from matplotlib.lines import Line2D

    title = word("cleared_of", lang)
    handles = [
        Line2D(
            [],
            [],
            color=colour,
            linewidth=RIBBON_PT,
            solid_capstyle="butt",
            label=f"{label} {title}",
        )
        for _, _, colour, label in PCT_CLASSES
        if colour in colours
    ]
    if NO_PCT_COLOUR in colours:
        handles.append(
            Line2D([], [], color=NO_PCT_COLOUR, linewidth=RIBBON_PT, label=word("no_land", lang))
        )
    if blocked:
        handles.append(
            Line2D([], [], color=BLOCKED_COLOUR, linewidth=MARK_PT, label=word("blocked", lang))
        )
    return handles
