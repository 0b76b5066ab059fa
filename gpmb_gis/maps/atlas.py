"""The map book along a road (bình đồ): pages at one stated scale that follow the centreline.

Each page shows a stretch of the road at the atlas scale (1:2 000 unless the config says
``[maps] atlas_scale``), turned so that the road runs across the page (the north arrow turned
with it), with a little overlap with the next page: the parcels by stage with their sheet and
parcel numbers, land in no parcel hatched, Km ticks every 100 m, the commune boundaries and
names, the blocked stretches beside the road. The margin gives the page's chainage range and
its figures, taken from the chainage bins it holds whole (pages break between bins, so the
pages' figures add up to the road's). Page 1 is a key map of the pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely import affinity
from shapely.ops import substring

from gpmb_gis import columns as C
from gpmb_gis import settings
from gpmb_gis.chainage import format_chainage, stretch_labels
from gpmb_gis.labels import format_number, format_pct, stage_name, word
from gpmb_gis.maps import furniture
from gpmb_gis.maps.draw import plain, pyplot, shape_collection, vn_date
from gpmb_gis.maps.ribbon import blocked_runs
from gpmb_gis.maps.static import draw_stages, piece_stages
from gpmb_gis.palette import BLOCKED_COLOUR, STAGE_COLOURS

if TYPE_CHECKING:
    from gpmb_gis.result import ProgressResult

__all__ = ["Page", "atlas_figures", "atlas_pages", "iter_atlas_figures"]

#: An A4 landscape page, and where its map sits on it (the margin right holds the figures).
PAGE_IN = (11.69, 8.27)
MAP_BOX = (0.03, 0.05, 0.70, 0.88)


@dataclass(frozen=True)
class Page:
    """One page of the book: the bins it holds whole, and how its map is laid on the ground."""

    number: int
    first_bin: int
    last_bin: int  # inclusive
    from_m: float
    to_m: float
    centre: tuple[float, float]
    angle_deg: float  # the road's direction on the ground; the page is turned by minus it


def _map_ground(scale: float) -> tuple[float, float]:
    """Ground metres across and up the page's map at ``scale``."""
    width_in, height_in = PAGE_IN[0] * MAP_BOX[2], PAGE_IN[1] * MAP_BOX[3]
    return width_in * 0.0254 * scale, height_in * 0.0254 * scale


def atlas_pages(result: ProgressResult, project: str, scale: float) -> list[Page]:
    """The pages of a road's book: whole chainage bins, as many as fit across a page.

    Empty for a project without a centreline.
    """
    ov = result.overlays[project]
    if ov.route is None or not ov.bins:
        return []
    fits = settings.ATLAS_ROAD_MM / 1000 * scale  # the rest of the width: the overlap
    pages: list[Page] = []
    start = 0
    while start < len(ov.bins):
        end = start
        while end + 1 < len(ov.bins) and ov.bins[end + 1].to_d - ov.bins[start].from_d <= fits:
            end += 1
        a, b = ov.bins[start], ov.bins[end]
        stretch = substring(ov.route.line, a.from_d, b.to_d)
        p0, p1 = shapely.get_coordinates(stretch)[[0, -1]]
        angle = float(np.degrees(np.arctan2(p1[1] - p0[1], p1[0] - p0[0])))
        turned = affinity.rotate(stretch, -angle, origin=tuple(p0))
        x0, y0, x1, y1 = turned.bounds
        centre = affinity.rotate(
            shapely.Point((x0 + x1) / 2, (y0 + y1) / 2), angle, origin=tuple(p0)
        )
        pages.append(
            Page(len(pages) + 1, start, end, a.from_m, b.to_m, (centre.x, centre.y), angle)
        )
        start = end + 1
    return pages


def _turn(geoms: Any, page: Page) -> Any:
    """Geometries laid on the page: turned so the road runs across, its centre at (0, 0)."""
    cx, cy = page.centre
    moved = shapely.transform(geoms, lambda xy: xy - np.array([cx, cy]))
    theta = np.radians(-page.angle_deg)
    rotation = np.array([[np.cos(theta), np.sin(theta)], [-np.sin(theta), np.cos(theta)]])
    return shapely.transform(moved, lambda xy: xy @ rotation)


def _window(page: Page, scale: float) -> shapely.Geometry:
    """The ground a page's map shows: its rectangle turned back onto the ground."""
    across, up = _map_ground(scale)
    box = shapely.box(-across / 2, -up / 2, across / 2, up / 2)
    turned = affinity.rotate(box, page.angle_deg, origin=(0, 0))
    return affinity.translate(turned, *page.centre)


def _draw_map(ax: Any, result: ProgressResult, project: str, page: Page, scale: float,
              lang: str) -> tuple[list[Any], set[str]]:  # fmt: skip
    """The page's map; returns its labels (kept apart by the caller) and what it shows."""
    ov = result.overlays[project]
    window = _window(page, scale)
    _context(ax, result, window, page)
    geoms = ov.pieces.geometry.to_numpy()
    near = shapely.STRtree(geoms).query(window, predicate="intersects")
    stages = piece_stages(result, project)[near]
    shown = _turn(shapely.intersection(geoms[near], window), page)
    keys = draw_stages(ax, shown, stages, width=0.3)
    row = shapely.intersection(ov.row, window)
    gaps = shapely.difference(row, shapely.union_all(geoms[near])) if len(near) else row
    if gaps.area > 0.5:
        keys.add("unmapped")
        ax.add_collection(
            shape_collection(
                np.array([_turn(gaps, page)]),
                facecolor="#FFFFFF",
                edgecolor="#555555",
                hatch="////",
                linewidth=0.3,
                zorder=9,
            )
        )
    ax.add_collection(
        shape_collection(
            np.array([_turn(row, page)]),
            facecolor="none",
            edgecolor="#000000",
            linewidth=0.8,
            zorder=10,
        )
    )
    line = _turn(shapely.intersection(ov.route.line, window), page)
    xy = shapely.get_coordinates(line)
    if len(xy):
        ax.plot(xy[:, 0], xy[:, 1], color="#000000", linewidth=0.6, linestyle="-.", zorder=11)
    texts = _km_ticks(ax, ov.route, window, page)
    names, boundaries = _communes(ax, result, ov, window, page)
    texts += names + _parcel_labels(ax, ov.pieces.iloc[near], shown, page)
    half = float(ov.row.area / ov.route.line.length / 2) if ov.route.line.length else 0.0
    if _blocked(ax, result, project, window, page, half):
        keys.add("blocked")
    if boundaries:  # the key's dashed line: only where one is drawn
        keys.add("communes")
    across, up = _map_ground(scale)
    ax.set_xlim(-across / 2, across / 2)
    ax.set_ylim(-up / 2, up / 2)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    return texts, keys


def _context(ax: Any, result: ProgressResult, window: shapely.Geometry, page: Page) -> None:
    """The parcels read around the road, whole, in outline: where each piece lies."""
    parcels = result.inputs.parcels if result.inputs is not None else None
    if parcels is None or not len(parcels):
        return
    geoms = parcels.geometry.to_numpy()
    near = shapely.STRtree(geoms).query(window, predicate="intersects")
    if len(near):
        outlines = _turn(shapely.intersection(geoms[near], window), page)
        ax.add_collection(
            shape_collection(
                outlines, facecolor="#FAFAFA", edgecolor="#9A9A9A", linewidth=0.3, zorder=1
            )
        )


def _km_ticks(ax: Any, route: Any, window: shapely.Geometry, page: Page) -> list[Any]:
    """A tick across the centreline every 100 m, labelled with its chainage."""
    texts = []
    for d, c in route.posts(100.0):
        point = shapely.line_interpolate_point(route.line, d)
        if not window.contains(point):
            continue
        ahead = shapely.line_interpolate_point(route.line, min(d + 1.0, route.line.length))
        p, q = _turn(np.array([point, ahead]), page)
        direction = np.array([q.x - p.x, q.y - p.y])
        normal = np.array([-direction[1], direction[0]]) / (np.hypot(*direction) or 1.0)
        ends = np.array([[p.x, p.y] - normal * 6, [p.x, p.y] + normal * 6])
        ax.plot(ends[:, 0], ends[:, 1], color="#000000", linewidth=1.0, zorder=12)
        major = abs(c / 1000 - round(c / 1000)) < 1e-9
        label = format_chainage(c).replace("+000", "") if major else f"+{round(c) % 1000:03d}"
        texts.append(
            ax.annotate(
                label,
                (p.x, p.y),
                xytext=(2, 8),
                textcoords="offset points",
                fontsize=7 if major else 6,
                fontweight="bold" if major else None,
                zorder=13,
                annotation_clip=True,
            )
        )
    return texts


def _communes(ax: Any, result: ProgressResult, ov: Any, window: shapely.Geometry,
              page: Page) -> tuple[list[Any], bool]:  # fmt: skip
    communes = result.inputs.communes if result.inputs is not None else None
    if communes is None:
        return [], False
    near = communes[communes.intersects(window)]
    if not len(near):
        return [], False
    lines = _turn(shapely.intersection(shapely.boundary(near.geometry.to_numpy()), window), page)
    drawn = lines[~shapely.is_empty(lines)]
    for line in drawn:
        for part in shapely.get_parts(line):
            xy = shapely.get_coordinates(part)
            ax.plot(xy[:, 0], xy[:, 1], color="#7A3E9D", linewidth=1.0, linestyle="--", zorder=14)
    names = result.commune_labels(near[C.COMMUNE_CODE].tolist(), near[C.COMMUNE].tolist())
    spots = _turn(
        shapely.point_on_surface(shapely.intersection(near.geometry.to_numpy(), window)), page
    )
    texts = [
        ax.text(
            p.x, p.y, plain(name), fontsize=8, color="#7A3E9D", ha="center", zorder=15, clip_on=True
        )
        for name, p in zip(names, spots, strict=True)
        if not p.is_empty
    ]
    return texts, bool(len(drawn))


def _parcel_labels(ax: Any, pieces: Any, shown: np.ndarray, page: Page) -> list[Any]:
    from gpmb_gis._text import number_key

    texts = []
    for geom, sheet, parcel in zip(shown, pieces[C.SHEET], pieces[C.PARCEL], strict=True):
        if geom.is_empty or geom.area < 20:
            continue
        p = geom.representative_point()
        texts.append(
            ax.text(
                p.x,
                p.y,
                plain(f"{number_key(sheet)}/{number_key(parcel)}"),
                fontsize=5.5,
                ha="center",
                va="center",
                zorder=13,
                clip_on=True,
            )
        )
    return texts


def _blocked(ax: Any, result: ProgressResult, project: str, window: shapely.Geometry,
             page: Page, half: float) -> bool:  # fmt: skip
    """The blocked stretches as a mark beside the right of way, never over it (any drawn?)."""
    ov = result.overlays[project]
    drawn = False
    for a, b, _ in blocked_runs(result, project):
        line = substring(ov.route.line, a, b)
        beside = shapely.intersection(shapely.offset_curve(line, half + 6.0), window)
        if beside.is_empty:
            continue
        for part in shapely.get_parts(_turn(beside, page)):
            drawn = True
            xy = shapely.get_coordinates(part)
            ax.plot(
                xy[:, 0],
                xy[:, 1],
                color=BLOCKED_COLOUR,
                linewidth=3,
                zorder=12,
                solid_capstyle="butt",
            )
    return drawn


def _margin(fig: Any, result: ProgressResult, project: str, page: Page, pages: int,
            scale: float, lang: str, keys: set[str]) -> list[Any]:  # fmt: skip
    """The page's title, chainage range, figures and key, right of the map."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    ov = result.overlays[project]
    bins = result.by_chainage(project).iloc[page.first_bin : page.last_bin + 1]
    required, cleared = float(bins[C.REQUIRED_M2].sum()), float(bins[C.CLEARED_M2].sum())
    pct = 100 * cleared / required if required > 0 else float("nan")
    lines = [
        plain(ov.project.name),
        f"{word('atlas_page', lang)} {page.number}/{pages} · {word('scale', lang)} "
        f"1:{format_number(scale, 0, lang)}",
        plain(stretch_labels([page.from_m], [page.to_m])[0]),
        f"{word('as_of', lang)} {vn_date(result.as_of)}",
        f"{word('cleared_of', lang)}: {format_pct(pct, lang)} % "
        f"({format_number(cleared / 1e4, 3, lang)} / {format_number(required / 1e4, 3, lang)} ha)",
    ]
    if ov.bin_geoms is not None:  # a right of way wider than the page: said, not hidden
        held = shapely.union_all(ov.bin_geoms[page.first_bin : page.last_bin + 1])
        if shapely.difference(held, _window(page, scale)).area > 1.0:
            lines.append(f"⚠ {word('atlas_cut', lang)}")
    x = MAP_BOX[0] + MAP_BOX[2] + 0.015
    fig.text(x, 0.93, "\n".join(lines), va="top", fontsize=8, linespacing=1.6, wrap=True)
    handles = [
        Patch(facecolor=STAGE_COLOURS[s], edgecolor="#333333", label=stage_name(s, lang))
        for s in STAGE_COLOURS
        if s in keys and s != "unmapped"
    ]
    if "unmapped" in keys:
        handles.append(
            Patch(
                facecolor="#FFFFFF",
                edgecolor="#555555",
                hatch="////",
                label=stage_name("unmapped", lang),
            )
        )
    if "blocked" in keys:
        handles.append(
            Line2D([], [], color=BLOCKED_COLOUR, linewidth=3, label=word("blocked", lang))
        )
    if "communes" in keys:
        handles.append(
            Line2D([], [], color="#7A3E9D", linestyle="--", label=word("communes", lang))
        )
    legend = fig.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(x, 0.66), fontsize=7, frameon=False
    )
    return [legend]


def _key_map(result: ProgressResult, project: str, pages: list[Page], scale: float,
             lang: str) -> Any:  # fmt: skip
    """Page 1: the road and its pages' frames, numbered."""
    plt = pyplot()
    ov = result.overlays[project]
    fig = plt.figure(figsize=PAGE_IN)
    ax = fig.add_axes(furniture.MAP_AXES)
    frames = [_window(p, scale) for p in pages]
    furniture.frame(ax, shapely.union_all([ov.row, *frames]).bounds)
    communes = result.inputs.communes if result.inputs is not None else None
    if communes is not None:
        furniture.district(ax, communes.geometry.to_numpy())
    xy = shapely.get_coordinates(ov.route.line)
    ax.plot(xy[:, 0], xy[:, 1], color="#000000", linewidth=1.5, zorder=5)
    ax.add_collection(
        shape_collection(
            np.array(frames), facecolor="none", edgecolor="#D55E00", linewidth=0.8, zorder=6
        )
    )
    texts = [
        ax.text(
            p.centre[0],
            p.centre[1],
            str(p.number),
            fontsize=7,
            ha="center",
            va="center",
            zorder=7,
            color="#D55E00",
            fontweight="bold",
        )
        for p in pages
    ]
    ax.set_xticks([])
    ax.set_yticks([])
    bar = furniture.scale_bar(ax)
    arrow = furniture.north_arrow(ax)
    ax.set_title(
        plain(
            f"{ov.project.name}\n{word('atlas_key', lang)} ({len(pages)} "
            f"{word('atlas_pages', lang)}, 1:{format_number(scale, 0, lang)})"
        ),
        fontsize=11,
    )
    furniture.keep_apart(fig, texts, avoid=[bar, arrow])
    return fig


def atlas_figures(result: ProgressResult, project: str, scale: float,
                  lang: str | None = None) -> list[Any]:  # fmt: skip
    """The book of a road: the key map, then one figure per page (empty without a road).

    Every page is open at once: for a long road, :func:`iter_atlas_figures` draws one at a
    time.
    """
    return list(iter_atlas_figures(result, project, scale, lang))


def iter_atlas_figures(result: ProgressResult, project: str, scale: float,
                       lang: str | None = None) -> Iterator[Any]:  # fmt: skip
    """The figures of :func:`atlas_figures`, each drawn when asked for: close it before the next."""
    plt = pyplot()
    lang = lang or result.config.lang
    pages = atlas_pages(result, project, scale)
    if not pages:
        return
    yield _key_map(result, project, pages, scale, lang)
    for page in pages:
        fig = plt.figure(figsize=PAGE_IN)
        ax = fig.add_axes(MAP_BOX)
        texts, keys = _draw_map(ax, result, project, page, scale, lang)
        avoid = _margin(fig, result, project, page, len(pages), scale, lang, keys)
        arrow = furniture.north_arrow(ax, angle_deg=-page.angle_deg)  # north, turned too
        furniture.keep_apart(fig, texts, avoid=[*avoid, arrow])
        yield fig
