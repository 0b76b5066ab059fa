"""Static maps (matplotlib) for the weekly briefing. They draw results; they compute nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from gpmb_gis import columns as C
from gpmb_gis._arrays import present
from gpmb_gis.labels import format_area, format_number, format_pct, stage_name, word
from gpmb_gis.maps.draw import offscreen, plain, pyplot, shape_collection, vn_date
from gpmb_gis.measure import already_clear_m2, stage_areas, stage_names
from gpmb_gis.palette import BLOCKED_COLOUR, STAGE_COLOURS, pct_colour

if TYPE_CHECKING:
    from gpmb_gis.result import ProgressResult


__all__ = [
    "LEGEND_MIN_M2",
    "commune_window",
    "draw_stages",
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


def draw_stages(
    ax: Any,
    geoms: np.ndarray,
    stages: np.ndarray,
    *,
    edge: str | None = "#333333",
    width: float = 0.15,
) -> set[str]:
    """Pieces coloured by stage, the later stages on top; returns the stages drawn.

    ``edge``: the outline's colour, or None for each piece's own (a bold outline keeps a
    piece seen whole from vanishing at small scales).
    """
    drawn = set()
    for stage, colour in STAGE_COLOURS.items():
        mask = stages == stage
        if mask.any():
            drawn.add(stage)
            ax.add_collection(shape_collection(geoms[mask], facecolor=colour,
                                               edgecolor=edge or colour, linewidth=width,
                                               zorder=8 - stage_rank(stage)))  # fmt: skip
    return drawn


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


def _label_parcels(ax: Any, pieces: Any, window: shapely.Geometry) -> list[Any]:
    """Sheet/parcel labels of the pieces big enough to hold one; the labels."""
    from gpmb_gis._text import number_key

    inside = pieces[pieces.intersects(window)]
    if len(inside) > 600:
        return []
    x0, x1 = ax.get_xlim()
    min_area = ((x1 - x0) / 80) ** 2
    texts = []
    for geom, sheet, parcel in zip(inside.geometry, inside[C.SHEET], inside[C.PARCEL], strict=True):
        if geom.area >= min_area:
            p = geom.representative_point()
            label = plain(f"{number_key(sheet)}/{number_key(parcel)}")
            texts.append(
                ax.text(
                    p.x,
                    p.y,
                    label,
                    fontsize=5,
                    ha="center",
                    va="center",
                    zorder=13,
                    color="#111111",
                    clip_on=True,
                )
            )
    return texts


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
    from gpmb_gis.maps import furniture, ribbon

    lang = lang or result.config.lang
    ov = result.overlays[project]
    own = ax is None
    fig, ax = plt.subplots(figsize=figsize) if own else (ax.figure, ax)
    if own:
        ax.set_position(furniture.MAP_AXES)
    scope, unit = _scope(result, project, commune)
    window = _window(result, ov, commune, unit)
    furniture.frame(ax, window.bounds)
    communes = result.inputs.communes if result.inputs is not None else None
    names, bounded = (_draw_communes(ax, communes, ov.row, result) if communes is not None
                      else ([], False))  # fmt: skip
    small = ribbon.map_scale(ax) > ribbon.PARCELS_FROM_SCALE
    overview = ov.route is not None and small
    if overview:  # a hairline right of way: the ribbon of its chainage bins
        drawn = ribbon.draw_ribbon(ax, result, project)
        handles = ribbon.pct_handles(
            drawn, lang, blocked=ribbon.draw_blocked_marks(ax, result, project)
        )
        labels: list[Any] = []
    else:
        geoms = ov.pieces.geometry.to_numpy()
        # at district scale a 30 m corridor is a hairline: pieces outlined in their colour
        edge, width = (None, 1.5) if small else ("#333333", 0.15)
        draw_stages(ax, geoms, piece_stages(result, project), edge=edge, width=width)
        _draw_unmapped(ax, ov, geoms)
        ax.add_collection(
            shape_collection(
                np.array([ov.row]), facecolor="none", edgecolor="#000000", linewidth=0.4, zorder=10
            )
        )
        beside = _half_width(ov)
        blocked = ribbon.draw_blocked_marks(ax, result, project, beside) if beside else False
        areas = stage_areas(scope, _already_clear(ov, scope, unit, commune))
        handles = _stage_handles(areas, lang, blocked=blocked)
        labels = _label_parcels(ax, ov.pieces, window)
    posts = furniture.km_posts(ax, ov.route) if ov.route is not None else []
    ax.set_xticks([])
    ax.set_yticks([])
    bar = furniture.scale_bar(ax)
    arrow = furniture.north_arrow(ax)
    if commune is None and communes is not None:
        furniture.inset(ax, communes.geometry.to_numpy(), ov.row.buffer(300))
    legend = _legend(ax, handles, lang, communes=bounded)
    where = f" — {scope[C.COMMUNE]}" if commune is not None else ""
    ax.set_title(
        plain(
            f"{ov.project.name}{where}\n{word('as_of', lang)} {vn_date(result.as_of)}: "
            f"{format_pct(scope[C.CLEARED_PCT], lang)} % {word('cleared_of', lang)} "
            f"({format_number(scope[C.CLEARED_M2] / 1e4, 2, lang)} / "
            f"{format_number(scope[C.REQUIRED_M2] / 1e4, 2, lang)} ha)"
        ),
        fontsize=11,
    )
    # communes first, then Km posts, then parcels: what does not fit is left out
    furniture.keep_apart(fig, [*names, *posts, *labels], avoid=[legend, bar, arrow])
    return fig, ax


def _half_width(ov: Any) -> float:
    """How far the right of way reaches from its centreline.

    The farthest of its outline's points: a mark this far beside the road is never over it.
    """
    if ov.route is None:
        return 0.0
    outline = shapely.points(shapely.get_coordinates(shapely.boundary(ov.row)))
    reach = float(shapely.distance(outline, ov.route.line).max()) if len(outline) else 0.0
    return min(reach, 150.0)  # a right of way past the centreline's end: the mark stays near


def _already_clear(ov: Any, scope: dict[str, Any], unit: int | None, commune: str | None) -> float:
    """The already clear land of a map's scope.

    The project's, a commune's, or that of the land outside every commune (the project's
    less every commune's).
    """
    if commune is None:
        return already_clear_m2(ov)
    if unit is not None:
        return already_clear_m2(ov, unit)
    if not scope.get(C.COMMUNE_CODE) and ov.communes.polygons:  # the row outside the communes
        inside = sum(already_clear_m2(ov, u) for u in range(len(ov.communes.keys)))
        return max(already_clear_m2(ov) - inside, 0.0)
    return 0.0


def _scope(
    result: ProgressResult, project: str, commune: str | None
) -> tuple[dict[str, Any], int | None]:
    """The table row a map reports (the project's, or the commune's) and the commune's unit.

    A commune is named as the commune table names it, by its code, or by its name as any
    spelling folds to; a name no row has is an error, never the project's figures.
    """
    from gpmb_gis._text import commune_key

    if commune is None:
        return result.progress_by_project.set_index(C.PROJECT).loc[project].to_dict(), None
    rows = result.by_commune(project)
    wanted = commune_key(commune)
    for row in rows.to_dict("records"):
        code = str(row[C.COMMUNE_CODE]) if present(row[C.COMMUNE_CODE]) else ""
        if commune in (row[C.COMMUNE], code) or commune_key(str(row[C.COMMUNE])) == wanted:
            return row, _unit_of(result.overlays[project].communes, code, row[C.COMMUNE])
    raise ValueError(f"project {project} has no commune {commune!r} in its commune table")


def commune_window(result: ProgressResult, project: str, commune: str) -> shapely.Geometry | None:
    """The part of a project's right of way in a commune, as its commune map shows it.

    None for a commune the project's commune table does not name.
    """
    try:
        _, unit = _scope(result, project, commune)
    except ValueError:
        return None
    return _window(result, result.overlays[project], commune, unit)


def _unit_of(units: Any, code: str, name: object) -> int | None:
    """The index of a commune's unit in a project's overlay: by code and name, else name."""
    pairs = list(zip(units.codes, units.names, strict=True))
    both = [u for u, pair in enumerate(pairs) if pair == (code, name)]
    named = [u for u, (_, n) in enumerate(pairs) if n == name]
    return (both or named or [None])[0]


def _window(
    result: ProgressResult, ov: Any, commune: str | None, unit: int | None
) -> shapely.Geometry:
    """What a map shows: the right of way, or its part in a commune.

    The part is cut by the commune's polygon, or, without one, boxes the commune's pieces.
    """
    if commune is None:
        return ov.row
    polygon = _commune_polygon(result, commune)
    if polygon is not None:
        part = shapely.intersection(ov.row, polygon)
        if not part.is_empty:
            return part
    mine = ov.piece_unit == unit if unit is not None else np.zeros(len(ov.pieces), dtype=bool)
    if mine.any():
        return shapely.union_all(ov.pieces.geometry.to_numpy()[mine]).envelope
    return ov.row


def _stage_handles(areas: dict[str, float], lang: str, *, blocked: bool) -> list[Any]:
    """Key entries: each stage the map shows with its land, land in no parcel, blocked."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [
        Patch(
            facecolor=STAGE_COLOURS[s],
            edgecolor="#555555" if s == "unmapped" else "#333333",
            hatch="////" if s == "unmapped" else None,
            label=f"{stage_name(s, lang)}: {format_area(areas[s], lang)}",
        )
        for s in STAGE_COLOURS
        if areas.get(s, 0.0) >= LEGEND_MIN_M2
    ]
    handles.append(Patch(facecolor="none", edgecolor="#000000", label=word("row", lang)))
    if blocked:
        handles.append(
            Line2D([], [], color=BLOCKED_COLOUR, linewidth=3, label=word("blocked", lang))
        )
    return handles


def _legend(ax: Any, handles: list[Any], lang: str, *, communes: bool) -> Any:
    """The map's key in the column right of the map."""
    from matplotlib.patches import Patch

    if communes:
        handles = [
            *handles,
            Patch(
                facecolor="none", edgecolor="#7A3E9D", linestyle="--", label=word("communes", lang)
            ),
        ]
    return ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        fontsize=8,
        framealpha=0.9,
        borderaxespad=0,
    )


#: A stage with less land than this (m²) is left out of a map's key: it cannot be seen.
LEGEND_MIN_M2 = 0.5


def _commune_polygon(result: ProgressResult, commune: str) -> shapely.Geometry | None:
    from gpmb_gis._text import commune_key

    communes = result.inputs.communes if result.inputs is not None else None
    if communes is None:
        return None
    match = communes[communes[C.KEY_COMMUNE] == commune_key(commune)]
    return match.geometry.iloc[0] if len(match) else None


def _draw_communes(
    ax: Any, communes: Any, row: shapely.Geometry, result: ProgressResult
) -> tuple[list[Any], bool]:
    """The commune boundaries near a right of way, and their names on it.

    Returns the names, and whether a boundary crosses the map's view (for the key).
    """
    xmin, ymin, xmax, ymax = row.bounds
    near = communes.cx[xmin:xmax, ymin:ymax]
    geoms = near.geometry.to_numpy()
    ax.add_collection(shape_collection(geoms, facecolor="none", edgecolor="#7A3E9D",
                                       linewidth=0.8, linestyle="--"))  # fmt: skip
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    view = shapely.box(x0, y0, x1, y1)
    bounded = bool(shapely.intersects(shapely.boundary(geoms), view).any()) if len(geoms) else False
    points = shapely.point_on_surface(shapely.intersection(geoms, row))
    names = result.commune_labels(near[C.COMMUNE_CODE].tolist(), near[C.COMMUNE].tolist())
    texts = [
        ax.annotate(plain(name), (point.x, point.y), fontsize=8, color="#7A3E9D", ha="center",
                    xytext=(0, -14), textcoords="offset points", zorder=14, annotation_clip=True)
        for name, point in zip(names, points, strict=True)
        if not point.is_empty
    ]  # fmt: skip
    return texts, bounded


def plot_overview(
    result: ProgressResult, *, lang: str | None = None, figsize: tuple[float, float] = (11.69, 8.27)
) -> tuple[Any, Any]:
    """The district overview: the roads as ribbons, the other projects as points, by %.

    Each road is a ribbon of its chainage bins coloured by their cleared %; a project without
    a centreline is a point coloured by its %; the communes under them.
    """
    plt = pyplot()
    from gpmb_gis.maps import furniture, ribbon

    lang = lang or result.config.lang
    fig, ax = plt.subplots(figsize=figsize)
    ax.set_position(furniture.MAP_AXES)
    communes = result.inputs.communes if result.inputs is not None else None
    bounds = shapely.union_all([ov.row for ov in result.overlays.values()]).bounds
    if communes is not None:
        furniture.district(ax, communes.geometry.to_numpy())
        # the communes, and any road beyond them
        bounds = shapely.union_all(
            [shapely.box(*communes.total_bounds), shapely.box(*bounds)]
        ).bounds
    furniture.frame(ax, tuple(bounds))
    drawn: set[str] = set()
    blocked = False
    marks = []
    for pid, ov in result.overlays.items():
        if ov.route is not None:
            drawn |= ribbon.draw_ribbon(ax, result, pid)
            blocked |= ribbon.draw_blocked_marks(ax, result, pid)
            marks.append(
                _project_label(ax, result, pid, shapely.point_on_surface(ov.route.line), lang)
            )
        else:
            point = shapely.point_on_surface(ov.row)
            pct = float(result.progress_by_project.set_index(C.PROJECT).loc[pid, C.CLEARED_PCT])
            drawn.add(pct_colour(pct))
            ax.plot(
                point.x,
                point.y,
                marker="o",
                markersize=9,
                markerfacecolor=pct_colour(pct),
                markeredgecolor="#333333",
                zorder=8,
            )
            marks.append(_project_label(ax, result, pid, point, lang))
    names = []
    if communes is not None:
        for name, geom in zip(communes[C.COMMUNE], communes.geometry, strict=True):
            p = geom.representative_point()
            names.append(
                ax.text(
                    p.x, p.y, plain(name), fontsize=6, color="#777777", ha="center", clip_on=True
                )
            )
    ax.set_xticks([])
    ax.set_yticks([])
    bar = furniture.scale_bar(ax)
    arrow = furniture.north_arrow(ax)
    legend = ax.legend(
        handles=ribbon.pct_handles(drawn, lang, blocked=blocked),
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        fontsize=8,
        borderaxespad=0,
    )
    ax.set_title(
        plain(f"{result.config.title}\n{word('as_of', lang)} {vn_date(result.as_of)}"), fontsize=11
    )
    furniture.keep_apart(fig, [*marks, *names], avoid=[legend, bar, arrow])
    return fig, ax


def _project_label(
    ax: Any, result: ProgressResult, project: str, point: shapely.Point, lang: str
) -> Any:
    """A project's id and cleared % beside its ribbon or point."""
    pct = result.progress_by_project.set_index(C.PROJECT).loc[project, C.CLEARED_PCT]
    return ax.annotate(
        plain(f"{project}: {format_pct(pct, lang)} %"),
        (point.x, point.y),
        xytext=(8, 8),
        textcoords="offset points",
        fontsize=8,
        fontweight="bold",
        zorder=9,
        bbox={"boxstyle": "round", "fc": "white", "alpha": 0.85},
    )


def stage_rank(stage: str) -> int:
    """A stage's place in the order of stages (already clear after handed over)."""
    return C.STAGES.index(stage) if stage in C.STAGES else 5


def piece_stages(result: ProgressResult, project: str) -> np.ndarray:
    """Each piece's stage as of the report date (``already_clear`` for land held already)."""
    return stage_names(result.overlays[project], result.as_of)
