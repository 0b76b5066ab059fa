"""What a map carries besides its data: frame, scale bar, north arrow, locator, Km posts.

The scale bar sits under the map and the locator inset in the key's column, never over the
data; labels are kept apart (:func:`keep_apart`): a label that would overlap one placed
before it, or the key, is left out rather than drawn over it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import shapely

from gpmb_gis.maps.draw import shape_collection

__all__ = [
    "MAP_AXES",
    "district",
    "frame",
    "inset",
    "keep_apart",
    "km_posts",
    "north_arrow",
    "scale_bar",
]

#: Where a map's axes sit on an A4 landscape page: the map left, its key in the column right.
MAP_AXES = (0.03, 0.08, 0.66, 0.80)


def frame(ax: Any, bounds: Iterable[float], aspect: float | None = None) -> None:
    """Fit the view to ``bounds`` at one scale on both axes, in the axes' own shape.

    ``aspect``: width over height of the view (by default the axes' on the page).
    """
    xmin, ymin, xmax, ymax = bounds
    if aspect is None:
        box = ax.get_position()
        aspect = (box.width * ax.figure.get_figwidth()) / (box.height * ax.figure.get_figheight())
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    width = max(xmax - xmin, (ymax - ymin) * aspect, 50.0) * 1.06
    height = width / aspect
    ax.set_xlim(cx - width / 2, cx + width / 2)
    ax.set_ylim(cy - height / 2, cy + height / 2)
    ax.set_aspect("equal", adjustable="box")


def _round_length(span: float) -> float:
    """The longest round length (1, 2 or 5 × 10ⁿ m) not over ``span``."""
    length = 10 ** np.floor(np.log10(span))
    for step in (5, 2, 1):
        if step * length <= span:
            return float(step * length)
    return float(length)


def scale_bar(ax: Any) -> Any:
    """A scale bar of a round length under the map's lower left corner (off the data)."""
    x0, x1 = ax.get_xlim()
    length = _round_length((x1 - x0) / 5)
    fraction = length / (x1 - x0)
    ax.plot(
        [0.0, fraction],
        [-0.025, -0.025],
        transform=ax.transAxes,
        color="#000000",
        linewidth=3,
        solid_capstyle="butt",
        clip_on=False,
    )
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    return ax.text(
        fraction + 0.01,
        -0.025,
        label,
        transform=ax.transAxes,
        va="center",
        fontsize=8,
        clip_on=False,
    )


def north_arrow(ax: Any, angle_deg: float = 0.0) -> Any:
    """A north arrow in the map's upper right corner, "N" at its head; returns the "N".

    ``angle_deg`` turns it counter-clockwise: on a page turned so the road runs across it.
    """
    theta = np.radians(90.0 + angle_deg)
    x, y = 0.945, 0.88
    dx, dy = 0.03 * np.cos(theta), 0.03 * np.sin(theta) * ax.bbox.width / ax.bbox.height
    arrow = {"arrowstyle": "-|>", "color": "#000000", "lw": 1.5}
    ax.annotate("", xy=(x + dx, y + dy), xytext=(x - dx, y - dy), xycoords="axes fraction",
                zorder=20, arrowprops=arrow)  # fmt: skip
    disc = {"boxstyle": "circle", "fc": "white", "ec": "none", "alpha": 0.8}
    return ax.text(x + 1.9 * dx, y + 1.9 * dy, "N", transform=ax.transAxes, ha="center",
                   va="center", fontsize=10, fontweight="bold", zorder=21, bbox=disc)  # fmt: skip


def district(ax: Any, communes: np.ndarray) -> None:
    """The district's communes, light grey under the map."""
    ax.add_collection(shape_collection(communes, facecolor="#F7F7F7", edgecolor="#999999",
                                       linewidth=0.5))  # fmt: skip


def inset(ax: Any, context: np.ndarray, here: shapely.Geometry) -> Any:
    """A locator in the key's column, under the key: ``here`` among the ``context`` shapes."""
    box = ax.inset_axes((1.03, 0.0, 0.3, 0.3))
    box.add_collection(
        shape_collection(context, facecolor="#F2F2F2", edgecolor="#999999", linewidth=0.3)
    )
    box.add_collection(
        shape_collection(np.array([here]), facecolor="#D55E00", edgecolor="#D55E00", linewidth=0.8)
    )
    x0, y0, x1, y1 = shapely.total_bounds(context)
    box.set_xlim(x0, x1)
    box.set_ylim(y0, y1)
    box.set_aspect("equal", adjustable="box")
    box.set_xticks([])
    box.set_yticks([])
    return box


def km_posts(ax: Any, route: Any, every: float = 1000.0) -> list[Any]:
    """Km posts along a centreline: a dot and ``Km7`` each ``every`` metres; their labels."""
    from gpmb_gis.chainage import format_chainage

    texts = []
    for d, c in route.posts(every):
        point = shapely.line_interpolate_point(route.line, d)
        ax.plot(point.x, point.y, marker="o", markersize=3, color="#000000", zorder=12)
        label = format_chainage(c).replace("+000", "")
        texts.append(
            ax.annotate(
                label,
                (point.x, point.y),
                fontsize=6,
                xytext=(3, 3),
                textcoords="offset points",
                zorder=12,
            )
        )
    return texts


#: Where a label beside its point may go, in points, tried in turn: up right, down right, up
#: left, down left.
OFFSETS: tuple[tuple[float, float], ...] = ((3, 3), (3, -11), (-40, 3), (-40, -11))


def keep_apart(fig: Any, texts: Iterable[Any], avoid: Iterable[Any] = ()) -> list[Any]:
    """Hide each text that would overlap one kept before it or an artist to avoid.

    ``texts`` come in order of priority (the first are kept); a label placed beside its
    point (an annotation in offset points) is tried on each side of it first
    (:data:`OFFSETS`, scaled to its first offset). The texts kept are returned.
    """
    renderer = fig.canvas.get_renderer()
    placed = [a.get_window_extent(renderer) for a in avoid if a is not None and a.get_visible()]
    kept = []
    for text in texts:
        if not text.get_visible():
            continue
        for _ in _positions(text):
            box = text.get_window_extent(renderer).padded(1.5)  # two labels never touch
            if _fits(text, box) and not any(box.overlaps(other) for other in placed):
                placed.append(box)
                kept.append(text)
                break
        else:
            text.set_visible(False)
    return kept


def _positions(text: Any) -> Iterable[None]:
    """Put a label at each place it may go, in turn (once, where it is, for a plain text)."""
    from matplotlib.text import Annotation

    beside = isinstance(text, Annotation) and text.anncoords == "offset points"
    if not beside:
        yield None
        return
    x, y = text.xyann
    if (x, y) not in {(3, 3), (8, 8)}:  # placed on purpose (under a point): keep it there
        yield None
        return
    scale = x / 3.0
    for dx, dy in OFFSETS:
        text.xyann = (dx * scale, dy * scale)
        yield None


def _fits(text: Any, box: Any) -> bool:
    """Whether a text clipped by its axes lies wholly inside them."""
    axes = text.axes
    if axes is None or not text.get_clip_on():
        return True
    frame = axes.bbox
    return bool(frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1))
