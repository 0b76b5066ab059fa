"""Chainage (lý trình): notation, station equations and linear referencing.

``Km3+700`` is 3 700 m from the origin of the route; ``Km18`` is ``Km18+000``.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import shapely
from shapely import STRtree
from shapely.geometry import LineString

from gpmb_gis._arrays import expand_runs
from gpmb_gis._errors import ConfigError, InputError
from gpmb_gis._findings import WARNING, Finding

__all__ = [
    "NEAR_M",
    "Bin",
    "Route",
    "bin_regions",
    "chainage_labels",
    "format_chainage",
    "parse_chainage",
    "reverse_if_drawn_backwards",
    "route_from_layer",
    "runs",
    "segmentized_coordinates",
    "stretch_label",
    "stretch_labels",
]


_CHAINAGE = re.compile(
    r"^\s*(?:km|k)?\s*(\d+)\s*(?:\+\s*(\d+(?:\.\d+)?))?\s*$", flags=re.IGNORECASE
)


def parse_chainage(text: str | float | int, *, where: str = "chainage") -> float:
    """Return a chainage in metres from its notation.

    Parameters
    ----------
    text
        ``Km3+700``, ``KM3+700.5``, ``K3+700``, ``3+700``, ``Km18``; a number is taken as
        metres.
    where
        Where the value came from, for the error message.

    Examples
    --------
    >>> parse_chainage("Km3+700"), parse_chainage("km 18"), parse_chainage("K3 + 700.5")
    (3700.0, 18000.0, 3700.5)
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    match = _CHAINAGE.match(str(text))
    if not match:
        raise ConfigError(where, f"{text!r} is not a chainage", 'write it as "Km3+700"')
    km, metres = match.groups()
    if metres is not None and "+" in str(text) and float(metres) >= 1000:
        raise ConfigError(
            where, f"{text!r} has {metres} m after the +", "the metres after + must be under 1000"
        )
    if metres is None and "+" not in str(text) and not re.match(r"^\s*k", str(text), re.I):
        return float(km)
    return int(km) * 1000.0 + float(metres or 0.0)


def format_chainage(metres: float, *, decimals: int = 0) -> str:
    """Return the ``KmX+YYY`` label of a chainage in metres.

    Examples
    --------
    >>> format_chainage(3700), format_chainage(18000), format_chainage(3700.46, decimals=1)
    ('Km3+700', 'Km18+000', 'Km3+700.5')
    """
    return chainage_labels([metres], decimals=decimals)[0]


def chainage_labels(metres: np.ndarray | list[float], *, decimals: int = 0) -> list[str]:
    """:func:`format_chainage` of many values at once ("" for NaN).

    Examples
    --------
    >>> chainage_labels([3700, 18000.4, -12.5])
    ['Km3+700', 'Km18+000', '-Km0+012']
    """
    m = np.asarray(metres, dtype=float)
    known = ~np.isnan(m)
    value = np.round(np.abs(np.where(known, m, 0.0)), decimals)  # halves to even, as round()
    km = (value // 1000).astype(np.int64)
    rest = value - km * 1000
    if decimals == 0:  # the usual case, put together by Arrow rather than one f-string each
        import pyarrow as pa
        import pyarrow.compute as pc

        metres_part = pc.utf8_lpad(pa.array(rest.astype(np.int64)).cast(pa.string()), 3, "0")
        sign = pa.array(np.where(m < 0, "-", ""))
        text = pc.binary_join_element_wise(
            sign, "Km", pa.array(km).cast(pa.string()), "+", metres_part, ""
        )
        return np.where(known, np.array(text.to_pylist(), dtype=object), "").tolist()
    width = 4 + decimals
    return [
        f"{'-' if neg else ''}Km{k}+{r:0{width}.{decimals}f}" if ok else ""
        for neg, k, r, ok in zip(
            (m < 0).tolist(), km.tolist(), rest.tolist(), known.tolist(), strict=True
        )
    ]


def stretch_labels(from_m: np.ndarray | list[float], to_m: np.ndarray | list[float]) -> list[str]:
    """:func:`stretch_label` of many stretches at once."""
    return [
        f"{a} – {b}" for a, b in zip(chainage_labels(from_m), chainage_labels(to_m), strict=True)
    ]


# --- routes: distance along the centreline ↔ chainage ---------------------------------------


class Bin(NamedTuple):
    """A chainage bin of a route: a stretch of centreline and the chainage it carries."""

    from_d: float  #: where it starts, in metres along the line as drawn
    to_d: float  #: where it ends, along the line
    from_m: float  #: its chainage at the start (station equations applied)
    to_m: float  #: its chainage at the end
    segment: int  #: the segment of the line between station equations


@dataclass(frozen=True)
class Route:
    """A centreline with its chainage: start chainage and station equations.

    The centreline runs from its first vertex at ``start_m``. A station equation
    ``(back, ahead)`` says that where the chainage counted so far reaches ``back``, counting
    goes on from ``ahead`` (ahead > back: the chainage jumps forward; ahead < back: it goes
    back and a stretch of chainage occurs twice). The equations cut the route into
    *segments*, each with its own linear chainage.

    Attributes
    ----------
    line
        The centreline, in metres.
    seg_start_d, seg_end_d
        Distance along the line where each segment starts and ends.
    seg_start_c
        Chainage at the start of each segment.
    """

    line: LineString
    start_m: float
    equations: tuple[tuple[float, float], ...]
    seg_start_d: np.ndarray
    seg_end_d: np.ndarray
    seg_start_c: np.ndarray

    @classmethod
    def build(
        cls,
        line: LineString,
        start_m: float,
        equations: tuple[tuple[float, float], ...] = (),
        *,
        where: str = "centerline",
    ) -> Route:
        """Lay out the segments; refuse equations that do not fall on the line, in order."""
        starts_d, starts_c = [0.0], [start_m]
        for back, ahead in equations:
            d = starts_d[-1] + (back - starts_c[-1])
            if back < starts_c[-1] or d > line.length + 1e-6:
                raise ConfigError(
                    f"{where}: station equation {format_chainage(back)} = {format_chainage(ahead)}",
                    f"the back chainage is not on the line after {format_chainage(starts_c[-1])}"
                    f" (line length {line.length:.1f} m)",
                    "list the equations in order along the road, each as [back, ahead]",
                )
            starts_d.append(d)
            starts_c.append(ahead)
        ends_d = [*starts_d[1:], line.length]
        return cls(
            line,
            start_m,
            tuple(equations),
            np.array(starts_d),
            np.array(ends_d),
            np.array(starts_c),
        )

    @property
    def end_m(self) -> float:
        """Chainage at the end of the line."""
        return float(self.seg_start_c[-1] + self.seg_end_d[-1] - self.seg_start_d[-1])

    def segment_of(self, distance: np.ndarray) -> np.ndarray:
        """Index of the segment each distance along the line falls in."""
        return np.clip(
            np.searchsorted(self.seg_start_d, distance, side="right") - 1,
            0,
            len(self.seg_start_d) - 1,
        )

    def chainage_at(self, distance: np.ndarray | float) -> np.ndarray:
        """Chainage at distances along the line (station equations applied)."""
        d = np.asarray(distance, dtype=float)
        seg = self.segment_of(d)
        return self.seg_start_c[seg] + (d - self.seg_start_d[seg])

    def distance_at(self, chainage: float) -> float:
        """Distance along the line of a chainage (the first place it occurs)."""
        for d0, d1, c0 in zip(self.seg_start_d, self.seg_end_d, self.seg_start_c, strict=True):
            if c0 - 1e-9 <= chainage <= c0 + (d1 - d0) + 1e-9:
                return float(d0 + chainage - c0)
        raise ValueError(f"{format_chainage(chainage)} is not on the route")

    @functools.cached_property
    def _segments(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, STRtree]:
        """The line's straight segments: start, end, length, distance at start, and a tree."""
        xy = shapely.get_coordinates(self.line)
        a, b = xy[:-1], xy[1:]
        length = np.hypot(b[:, 0] - a[:, 0], b[:, 1] - a[:, 1])
        keep = length > 0
        a, b, length = a[keep], b[keep], length[keep]
        start = np.concatenate([[0.0], np.cumsum(length)[:-1]])
        return a, b, length, start, STRtree(shapely.linestrings(np.stack([a, b], axis=1)))

    @functools.cached_property
    def _grid(self) -> _SegmentGrid:
        a, b = self._segments[:2]
        return _SegmentGrid.build(a, b)

    def locate(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Distance along the line of the nearest point, and signed offset (left positive).

        See :meth:`locate_xy`, which takes coordinates.
        """
        points = np.asarray(points, dtype=object)
        if not len(points):
            return np.zeros(0), np.zeros(0)
        return self.locate_xy(shapely.get_coordinates(points))

    def locate_xy(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`locate` for an (n, 2) array of coordinates.

        The segments near each point come from a grid of the line's segments and the nearest
        is chosen with numpy; a point farther than :data:`NEAR_M` from the line asks a tree of
        the segments for its nearest. The cost per point does not grow with the length of the
        road.
        """
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        if not len(xy):
            return np.zeros(0), np.zeros(0)
        a, b, length, start, tree = self._segments
        seg = _nearest_segment(xy, a, b, length, self._grid, tree)
        ab, ap = b[seg] - a[seg], xy - a[seg]
        t = np.clip((ab * ap).sum(axis=1) / length[seg] ** 2, 0.0, 1.0)
        foot = a[seg] + t[:, None] * ab
        side = np.sign(ab[:, 0] * ap[:, 1] - ab[:, 1] * ap[:, 0])
        offset = side * np.hypot(xy[:, 0] - foot[:, 0], xy[:, 1] - foot[:, 1])
        return np.minimum(start[seg] + t * length[seg], self.line.length), offset

    def posts(self, every: float = 1000.0) -> list[tuple[float, float]]:
        """Chainage posts (every whole ``every`` metres): (distance along, chainage) pairs."""
        out = []
        for d0, d1, c0 in zip(self.seg_start_d, self.seg_end_d, self.seg_start_c, strict=True):
            for c in np.arange(np.ceil(c0 / every) * every, c0 + (d1 - d0) + 1e-9, every):
                out.append((float(d0 + c - c0), float(c)))
        return out

    def bins(self, bin_m: float) -> list[Bin]:
        """Bins aligned to multiples of ``bin_m``, in order along the line."""
        out = []
        for k, (d0, d1, c0) in enumerate(
            zip(self.seg_start_d, self.seg_end_d, self.seg_start_c, strict=True)
        ):
            c1 = c0 + (d1 - d0)
            edges = np.arange(np.floor(c0 / bin_m) * bin_m + bin_m, c1, bin_m)
            cuts = np.concatenate([[c0], edges[edges > c0 + 1e-9], [c1]])
            for a, b in itertools.pairwise(cuts):
                if b - a > 1e-9:
                    out.append(Bin(d0 + a - c0, d0 + b - c0, float(a), float(b), k))
        return out


#: Segments within this distance (metres) of a point are compared with numpy; a point farther
#: from the line asks the segment tree for its nearest (slower per point).
NEAR_M = 50.0


@dataclass(frozen=True)
class _SegmentGrid:
    """The line's segments listed by the square cells (``NEAR_M`` wide) they come near.

    Each segment is listed in every cell its bounding box, widened by ``NEAR_M``, touches, so
    a cell lists every segment within ``NEAR_M`` of any point in it.
    """

    keys: np.ndarray  # sorted cell keys
    first: np.ndarray  # where each cell's segments start in ``segments`` (one more at the end)
    segments: np.ndarray
    origin: np.ndarray

    @classmethod
    def build(cls, a: np.ndarray, b: np.ndarray) -> _SegmentGrid:
        origin = np.minimum(a.min(axis=0), b.min(axis=0)) - 2 * NEAR_M
        low = np.floor((np.minimum(a, b) - NEAR_M - origin) / NEAR_M).astype(np.int64)
        high = np.floor((np.maximum(a, b) + NEAR_M - origin) / NEAR_M).astype(np.int64)
        nx, ny = high[:, 0] - low[:, 0] + 1, high[:, 1] - low[:, 1] + 1
        count = nx * ny
        seg, k = expand_runs(count)
        key = _cell_key(low[seg, 0] + k // ny[seg], low[seg, 1] + k % ny[seg])
        order = np.argsort(key, kind="stable")  # within a cell, segments in line order
        keys, first = np.unique(key[order], return_index=True)
        return cls(keys, np.append(first, len(key)), seg[order], origin)

    def candidates(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Segments listed in each point's cell (every one within ``NEAR_M``, and more).

        Returns the number of segments per point and the segments, point after point.
        """
        cell = np.floor((xy - self.origin) / NEAR_M).astype(np.int64)
        key = _cell_key(cell[:, 0], cell[:, 1])
        at = np.clip(np.searchsorted(self.keys, key), 0, len(self.keys) - 1)
        listed = self.keys[at] == key
        count = np.where(listed, self.first[at + 1] - self.first[at], 0)
        return count, self.segments[expand_runs(count, self.first[at])[1]]


def _cell_key(ix: np.ndarray, iy: np.ndarray) -> np.ndarray:
    return ix * (1 << 31) + iy


def _nearest_segment(
    xy: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    length: np.ndarray,
    grid: _SegmentGrid,
    tree: STRtree,
) -> np.ndarray:
    """Index of the segment nearest to each point (the first of equals along the line)."""
    count, near_s = grid.candidates(xy)
    seg = np.full(len(xy), -1, dtype=np.int64)
    if len(near_s):
        near_p = np.repeat(np.arange(len(xy)), count)
        ab, ap = b[near_s] - a[near_s], xy[near_p] - a[near_s]
        t = np.clip((ab * ap).sum(axis=1) / length[near_s] ** 2, 0.0, 1.0)
        gap = ((ap - t[:, None] * ab) ** 2).sum(axis=1)
        some = np.flatnonzero(count)
        starts = (np.cumsum(count) - count)[some]
        least = np.minimum.reduceat(gap, starts)
        # per point the first of its nearest (a cell lists its segments in line order)
        at = np.where(gap <= np.repeat(least, count[some]), np.arange(len(gap)), len(gap))
        best = np.minimum.reduceat(at, starts)
        close = least <= NEAR_M**2  # anything nearer would be listed too: this is the nearest
        seg[some[close]] = near_s[best[close]]
    far = np.flatnonzero(seg < 0)
    if len(far):
        found = tree.query_nearest(shapely.points(xy[far]), all_matches=False)
        seg[far[found[0]]] = found[1]
    return seg


def reverse_if_drawn_backwards(
    line: LineString,
    first_m: float | None,
    last_m: float | None,
) -> tuple[LineString, bool]:
    """Reverse a centreline whose own chainage attributes run from high to low."""
    if first_m is not None and last_m is not None and first_m > last_m:
        return shapely.reverse(line), True
    return line, False


def segmentized_coordinates(geoms: np.ndarray, max_m: float) -> tuple[np.ndarray, np.ndarray]:
    """The coordinates of ``shapely.segmentize(geoms, max_m)`` and their geometry's index.

    Only the geometries with an edge longer than ``max_m`` are segmentized (most pieces of a
    cadastre have none, and copying them costs more than reading them); the others give
    their own coordinates, which is what segmenting would leave of them, in the same order.
    """
    xy, owner = shapely.get_coordinates(geoms, return_index=True)
    step = np.hypot(*np.diff(xy, axis=0).T)
    # consecutive coordinates of two rings look like an edge too: a false alarm, harmless
    long = np.unique(owner[1:][(step > max_m * (1 - 1e-9)) & (owner[1:] == owner[:-1])])
    if not len(long):
        return xy, owner
    dense_xy, dense_at = shapely.get_coordinates(
        shapely.segmentize(geoms[long], max_m), return_index=True
    )
    keep = ~np.isin(owner, long)
    xy = np.concatenate([xy[keep], dense_xy])
    owner = np.concatenate([owner[keep], long[dense_at]])
    order = np.argsort(owner, kind="stable")
    return xy[order], owner[order]


def _normals(line: LineString, distances: np.ndarray, half_length: float) -> np.ndarray:
    """Lines across the centreline, normal to it, at distances along it."""
    ahead = shapely.line_interpolate_point(line, np.minimum(distances + 0.5, line.length))
    behind = shapely.line_interpolate_point(line, np.maximum(distances - 0.5, 0.0))
    tx = shapely.get_x(ahead) - shapely.get_x(behind)
    ty = shapely.get_y(ahead) - shapely.get_y(behind)
    norm = np.hypot(tx, ty)
    norm[norm == 0] = 1.0
    nx, ny = -ty / norm * half_length, tx / norm * half_length
    at = shapely.get_coordinates(shapely.line_interpolate_point(line, distances))
    starts = np.column_stack([at[:, 0] - nx, at[:, 1] - ny])
    ends = np.column_stack([at[:, 0] + nx, at[:, 1] + ny])
    return shapely.linestrings(np.stack([starts, ends], axis=1))


def _grid_parts(piece: shapely.Geometry, cell: float) -> np.ndarray:
    """A polygon cut by a square grid."""
    x0, y0, x1, y1 = piece.bounds
    xs = np.arange(np.floor(x0 / cell) * cell, x1, cell)
    ys = np.arange(np.floor(y0 / cell) * cell, y1, cell)
    gx, gy = np.meshgrid(xs, ys)
    boxes = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + cell, gy.ravel() + cell)
    shapely.prepare(piece)
    boxes = boxes[shapely.intersects(piece, boxes)]
    inside = shapely.within(boxes, piece)
    parts = boxes.copy()
    parts[~inside] = shapely.intersection(boxes[~inside], piece)
    return parts[shapely.area(parts) > 0]


def bin_regions(
    route: Route, bins: list[Bin], area: shapely.Geometry, *, cell: float = 1.0
) -> np.ndarray:
    """Split an area (the right of way) by the bin its points' nearest centreline point is in.

    The area is cut by the normals to the centreline at every bin edge; a piece whose
    corners all lie nearest to one bin goes to that bin. A piece that straddles (on a tight
    curve, at an interchange much wider than the road) is cut by a ``cell``-metre grid and
    each part goes where its centre's nearest centreline point lies. Every piece goes to
    exactly one bin, so the regions partition the area exactly.

    Returns
    -------
    ndarray of geometry
        One region per bin (possibly empty).
    """
    edges_d = np.array([b.from_d for b in bins] + [bins[-1].to_d])
    # long enough to cross the area wherever it lies: its farthest point from the line (a
    # normal too short or needless only leaves more to the grid below, never a wrong bin)
    boundary = shapely.boundary(area)
    edge = shapely.get_coordinates(shapely.segmentize(boundary, 10.0))
    reach = float(np.abs(route.locate_xy(edge)[1]).max(initial=0.0)) + 20.0
    normals = _normals(route.line, edges_d[1:-1], reach) if len(bins) > 1 else np.array([])
    linework = shapely.union_all([boundary, *normals])
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(linework)))
    faces = faces[shapely.area(faces) > 0]
    faces = faces[shapely.contains_properly(area, shapely.point_on_surface(faces))]

    def bin_of(d: np.ndarray) -> np.ndarray:
        return np.clip(np.searchsorted(edges_d, d, side="right") - 1, 0, len(bins) - 1)

    def common_bin(geoms: np.ndarray) -> np.ndarray:
        """The bin all corners of each piece lie nearest to (corners on an edge fit both); -1."""
        xy, owner = shapely.get_coordinates(
            shapely.segmentize(geoms, 2.0 * cell), return_index=True
        )
        d = route.locate_xy(xy)[0]
        low = np.full(len(geoms), -1, dtype=np.int64)
        high = np.full(len(geoms), len(bins), dtype=np.int64)
        np.maximum.at(low, owner, bin_of(d - 1e-3))
        np.minimum.at(high, owner, bin_of(d + 1e-3))
        return np.where(low <= high, low, -1)

    pieces, owner = [], []
    todo, size = faces, 16.0 * cell
    while len(todo):
        common = common_bin(todo)
        clear = common >= 0
        pieces.append(todo[clear])
        owner.append(common[clear])
        straddling = todo[~clear]
        if not len(straddling):
            break
        parts = np.concatenate([_grid_parts(g, size) for g in straddling])
        if size <= cell:  # small enough: each part goes where its centre lies
            pieces.append(parts)
            owner.append(bin_of(route.locate(shapely.centroid(parts))[0]))
            break
        todo, size = parts, max(size / 4.0, cell)
    all_pieces = np.concatenate(pieces) if pieces else np.array([], dtype=object)
    all_owner = np.concatenate(owner) if owner else np.array([], dtype=int)
    regions = np.full(len(bins), shapely.Polygon(), dtype=object)
    order = np.argsort(all_owner, kind="stable")
    owners, first, count = np.unique(all_owner[order], return_index=True, return_counts=True)
    for k, at, n in zip(owners.tolist(), first.tolist(), count.tolist(), strict=True):
        group = all_pieces[order[at : at + n]]
        regions[k] = group[0] if n == 1 else shapely.union_all(group)
    return regions


def route_from_layer(
    layer: gpd.GeoDataFrame,
    *,
    start_m: float,
    equations: tuple[tuple[float, float], ...],
    where: str,
) -> tuple[Route, list[Finding]]:
    """The route of a centreline layer: one continuous line, the right way round.

    Several features are joined end to end; a centreline that stays in several pieces is an
    error that says where the break is. A line whose own chainage fields (``Lý trình đầu``,
    ``Lý trình cuối``) run from high to low was drawn from the far end: it is reversed, with
    a warning.

    Raises
    ------
    InputError
        When the layer holds no line, or its lines do not join into one.
    """
    lines = shapely.get_parts(layer.geometry.to_numpy())
    lines = lines[
        np.isin(
            shapely.get_type_id(lines),
            (shapely.GeometryType.LINESTRING, shapely.GeometryType.LINEARRING),
        )
    ]
    if not len(lines):
        raise InputError(
            where,
            "the centreline layer holds no line",
            "give a layer with the road's centreline as one line",
        )
    merged = shapely.line_merge(shapely.union_all(lines))
    parts = shapely.get_parts(merged)
    if len(parts) > 1:
        raise InputError(
            where,
            f"the centreline is in {len(parts)} pieces; {_break(parts)}",
            "join the pieces into one line (snap the ends together)",
        )
    line = parts[0]
    findings: list[Finding] = []
    first = _first_number(layer, "start_chainage")
    last = _first_number(layer, "end_chainage")
    start = shapely.get_point(lines[0], 0)  # joining may turn the line: keep it as drawn
    if shapely.distance(shapely.get_point(line, -1), start) < shapely.distance(
        shapely.get_point(line, 0), start
    ):
        line = shapely.reverse(line)
    line, reversed_ = reverse_if_drawn_backwards(line, first, last)
    if reversed_:
        findings.append(
            Finding(
                WARNING,
                "centerline_reversed",
                where,
                params={"first": format_chainage(first), "last": format_chainage(last)},
            )
        )
    return Route.build(line, start_m, equations, where=where), findings


def _first_number(layer: gpd.GeoDataFrame, column: str) -> float | None:
    if column not in layer:
        return None
    for value in layer[column]:
        try:
            return parse_chainage(value)
        except ConfigError:
            continue
    return None


def _break(parts: np.ndarray) -> str:
    """Where two pieces of a line come closest: the break to mend."""
    ends = [(shapely.get_point(p, 0), shapely.get_point(p, -1)) for p in parts]
    best = None
    for i, (a0, a1) in enumerate(ends):
        for b0, b1 in ends[i + 1 :]:
            for p, q in ((a0, b0), (a0, b1), (a1, b0), (a1, b1)):
                gap = float(shapely.distance(p, q))
                if best is None or gap < best[0]:
                    best = (gap, p)
    gap, point = best
    return f"break of {gap:.2f} m at x={point.x:.1f} y={point.y:.1f}"


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Runs of consecutive True values: (first index, last index) of each.

    Examples
    --------
    >>> runs(np.array([True, True, False, True]))
    [(0, 1), (3, 3)]
    """
    out, start = [], None
    for i, value in enumerate(np.asarray(mask, dtype=bool)):
        if value and start is None:
            start = i
        elif not value and start is not None:
            out.append((start, i - 1))
            start = None
    if start is not None:
        out.append((start, len(mask) - 1))
    return out


def stretch_label(from_m: float, to_m: float) -> str:
    """``Km7+200 – Km7+450``."""
    return stretch_labels([from_m], [to_m])[0]
