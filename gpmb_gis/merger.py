"""A project's overlay by the units of 2025 its communes became part of (the 2025 merger).

Each commune of the run goes whole to its unit of 2025
(:func:`gpmb_gis.unit_lookup.unit_targets`); a
commune divided between two units is split by the new units' boundaries (the config's
``communes_2025`` layer), and without them the run stops, naming the commune: its land is never
given to one of its units by guess. Areas stay unions: a face of the right of way in two old
communes of one new unit counts once.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import shapely

from gpmb_gis import columns as C
from gpmb_gis._errors import InputError
from gpmb_gis.inputs import Inputs
from gpmb_gis.overlay import ProjectOverlay, Units, unit_parts
from gpmb_gis.unit_lookup import own_crosswalk, unit_targets

__all__ = ["communes_2025", "in_units_2025"]

_Unit = tuple[str, str]

#: Land of a divided commune outside every new unit's boundary, under this area (m²) per
#: face, is rounding and is not given a row of its own.
_REMAINDER_M2 = 1e-6


def _targets(ov: ProjectOverlay, inputs: Inputs) -> list[list[_Unit]]:
    """Each commune's units of 2025: one, several (divided) or none, looked up once."""
    config, units = inputs.config, ov.communes
    codes = [code or name for code, name in zip(units.codes, units.names, strict=True)]
    era = (config.communes or config.parcels).era or 2024
    own = own_crosswalk(config.crosswalk)
    return unit_targets(codes, units.names, config.province, own, era)


def communes_2025(
    ov: ProjectOverlay, inputs: Inputs, *, strict: bool = True, targets=None
) -> list[_Unit]:
    """The unit of 2025 (code, name) of each commune of the overlay; blank when not known.

    ``targets`` are the communes' units as :func:`_targets` gives them, when already known.

    Raises
    ------
    InputError
        When a commune the project crosses was divided between units of 2025 and the config
        gives no ``communes_2025`` boundaries to split it by (not ``strict``: a report in the
        era of 2024, its land goes to the unknown unit).
    """
    units = ov.communes
    targets = targets if targets is not None else _targets(ov, inputs)
    if strict and inputs.communes_2025 is None:
        crossed = [
            f"{units.names[u]} ({' / '.join(n for _, n in targets[u])})"
            for u in np.flatnonzero(units.required_m2 > 0)
            if len(targets[u]) > 1
        ]
        if crossed:
            raise InputError(
                f"project {ov.project.id}",
                f"{', '.join(crossed)} was divided between units of 2025: which unit each "
                "part of the right of way is in needs their boundaries",
                'give them under [layers] as communes_2025 = "ranh_gioi_xa_2025.gpkg", or '
                "write the commune's one unit in your own crosswalk ([communes] crosswalk)",
            )
    return [t[0] if len(t) == 1 else ("", "") for t in targets]


def in_units_2025(
    ov: ProjectOverlay, inputs: Inputs, unknown: str, *, strict: bool = True
) -> tuple[ProjectOverlay, list[str]]:
    """The overlay broken down by the units of 2025 its communes became part of.

    A commune whose unit is not known goes to a unit named ``unknown``; a divided commune's
    land goes to the unit of the ``communes_2025`` boundaries it lies in (land outside them
    to ``unknown``). Also returns, per new unit, the names of its old communes joined by "; ".
    """
    found = _targets(ov, inputs)
    new = communes_2025(ov, inputs, strict=strict, targets=found)
    units = ov.communes
    layer = _layer_units(inputs)
    shares = [set(t) if len(t) > 1 and layer is not None else set() for t in found]
    split = np.array([bool(c) for c in shares], dtype=bool)
    targets = sorted(
        {t for t, cut in zip(new, split, strict=True) if not cut}
        | ({t for _, t in layer} if layer is not None and split.any() else set())
        | ({("", "")} if split.any() else set()),
        key=lambda t: (t[0] == "", t),
    )
    position = {t: k for k, t in enumerate(targets)}
    unit_of = np.array([-1 if cut else position[t] for t, cut in zip(new, split, strict=True)])
    face, old, area = units.face_index, units.face_unit, units.face_area
    whole = ~split[old]
    parts = [(face[whole], unit_of[old[whole]], area[whole], old[whole])]
    required = np.zeros(len(targets))
    if units.polygons:  # old communes do not overlap: their parts add up to the union
        np.add.at(required, unit_of[~split], units.required_m2[~split])
    if split.any():
        assert layer is not None
        geoms = _old_geoms(ov, inputs, np.flatnonzero(split))
        split_layer = (layer, position, shares)
        parts.append(_split_parts(ov, face[~whole], old[~whole], geoms, split_layer))
        if units.polygons:
            _split_required(ov, geoms, split_layer, required)
    face, unit, area, part_old = (np.concatenate(p) for p in zip(*parts, strict=True))
    crossed = units.required_m2 > 0  # the old communes the project crosses
    in_unit: list[set[str]] = [set() for _ in targets]
    for u in np.flatnonzero(crossed):
        for k in {int(unit_of[u])} if unit_of[u] >= 0 else set(unit[part_old == u].tolist()):
            in_unit[k].add(units.names[u])
    old_names = ["; ".join(sorted(names)) for names in in_unit]
    if not units.polygons:  # a face covered by parcels of two communes: once per new unit
        pairs = pd.DataFrame({"face": face, "unit": unit, "area": area, "old": part_old})
        each = pairs.groupby(["face", "unit", "old"], sort=False)["area"].sum()  # its parts
        most = each.groupby(level=["face", "unit"], sort=False).max().reset_index()
        face, unit = (most[c].to_numpy(dtype=np.int64) for c in ("face", "unit"))
        area = most["area"].to_numpy(dtype=float)
        required = np.bincount(unit, weights=area, minlength=len(targets))
    regrouped = Units(
        [code or f"?{name}" for code, name in targets],
        [code for code, _ in targets],
        [name or unknown for _, name in targets],
        required,
        face,
        unit,
        area,
        polygons=units.polygons,
    )
    piece_unit = _piece_units(ov, unit_of, split, (layer, position, shares))
    return dataclasses.replace(ov, communes=regrouped, piece_unit=piece_unit), old_names


def _layer_units(inputs: Inputs) -> list[tuple[object, _Unit]] | None:
    """The ``communes_2025`` boundaries: (geometry, its unit of 2025), or None without.

    The layer as read (:func:`gpmb_gis.inputs.read_layers`): its units do not overlap, and a
    feature whose unit is not known or is in doubt is the unknown unit ("", "").
    """
    layer = inputs.communes_2025
    if layer is None:
        return None
    units = zip(layer[C.COMMUNE_2025_CODE], layer[C.COMMUNE_2025], strict=True)
    return list(zip(layer.geometry.to_numpy(), units, strict=True))


#: The new boundaries, each unit's position among the targets, and the units each divided
#: commune was divided between: a part in another unit's boundary goes to the unknown unit.
_Split = tuple[list[tuple[object, _Unit]], dict[_Unit, int], list[set[_Unit]]]


def _old_geoms(ov: ProjectOverlay, inputs: Inputs, divided: np.ndarray) -> dict[int, object]:
    """Each divided commune's polygon (None without a communes layer: its parcels' land)."""
    if not ov.communes.polygons or inputs.communes is None:
        return {int(u): None for u in divided}
    by_key = dict(zip(inputs.communes[C.KEY_COMMUNE], inputs.communes.geometry, strict=True))
    return {int(u): by_key.get(ov.communes.keys[u]) for u in divided}


def _split_parts(
    ov: ProjectOverlay,
    face: np.ndarray,
    old: np.ndarray,
    geoms: dict[int, object],
    split: _Split,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Divided communes' parts of faces, cut by the new boundaries: (face, unit, area, old)."""
    layer, position, shares = split
    shapes = ov.faces[face]
    mine = np.array([geoms[int(u)] for u in old], dtype=object)
    has = np.array([g is not None for g in mine], dtype=bool)
    if has.any():
        shapes = shapes.copy()
        shapes[has] = shapely.intersection(shapes[has], mine[has])
    new_geoms = np.array([g for g, _ in layer], dtype=object)
    fi, ui, area = unit_parts(shapes, new_geoms)  # exact: a boundary layer may leave gaps
    unknown = position[("", "")]
    unit = np.array(
        [
            position[layer[k][1]] if layer[k][1] in shares[old[i]] else unknown
            for i, k in zip(fi.tolist(), ui.tolist(), strict=True)
        ],
        dtype=np.int64,
    )
    left = shapely.area(shapes) - np.bincount(fi, weights=area, minlength=len(shapes))
    rest = np.flatnonzero(left > _REMAINDER_M2)
    return (
        np.concatenate([face[fi], face[rest]]),
        np.concatenate([unit, np.full(len(rest), unknown)]),
        np.concatenate([area, left[rest]]),
        np.concatenate([old[fi], old[rest]]),
    )


def _split_required(
    ov: ProjectOverlay, geoms: dict[int, object], split: _Split, required: np.ndarray
) -> None:
    """Add each divided commune's part of the right of way to the units it was divided into.

    What lies in none of their boundaries goes to the unknown unit.
    """
    layer, position, shares = split
    new_geoms = np.array([g for g, _ in layer], dtype=object)
    for u, geom in geoms.items():
        inside = shapely.intersection(geom, ov.row)
        mine = np.array([t in shares[u] for _, t in layer], dtype=bool)
        parts = shapely.area(shapely.intersection(inside, new_geoms[mine]))
        at = [position[t] for (_, t), m in zip(layer, mine, strict=True) if m]
        np.add.at(required, np.array(at, dtype=np.int64), parts)
        rest = float(shapely.area(inside)) - float(parts.sum())
        if rest > _REMAINDER_M2:
            required[position[("", "")]] += rest


def _piece_units(
    ov: ProjectOverlay, unit_of: np.ndarray, split_at: np.ndarray, split: _Split
) -> np.ndarray:
    """Each piece's unit of 2025: its commune's, or where it lies for a divided commune."""
    layer, position, shares = split
    old = ov.piece_unit
    out = np.where(old >= 0, unit_of[np.maximum(old, 0)], -1)
    cut = np.flatnonzero((old >= 0) & split_at[np.maximum(old, 0)])
    if len(cut) and layer is not None:
        points = shapely.point_on_surface(ov.pieces.geometry.to_numpy()[cut])
        out[cut] = position[("", "")]
        for geom, target in layer:
            inside = shapely.contains(geom, points)
            inside &= np.array([target in shares[old[p]] for p in cut], dtype=bool)
            out[cut[inside]] = position[target]
    return out
