"""Reading a layer and checking it: polygons repaired, communes dissolved, many files as one.

What a run reads is tallied (:class:`Tally`): records read and used per layer, and findings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gpmb_gis import _arrays, faces, nearby, qa, sheets
from gpmb_gis import columns as C
from gpmb_gis._errors import CRSError, GpmbError, InputError
from gpmb_gis._findings import ERROR, INFO, WARNING, Finding
from gpmb_gis.config import Config
from gpmb_gis.io.aliases import nearest_column
from gpmb_gis.io.vector import NONE_NEAR, read_layer
from gpmb_gis.join import CommuneIndex
from gpmb_gis.labels import word
from gpmb_gis.sources import LayerSource
from gpmb_gis.unit_lookup import boundaries_2025

__all__ = [
    "FileRead",
    "Tally",
    "io_missing_column",
    "merge_files",
    "read_communes",
    "read_file",
    "read_polygons",
    "read_units_2025",
]


@dataclass
class Tally:
    """What reading has noticed so far, and how many records each layer had and used."""

    findings: list[Finding] = field(default_factory=list)
    read: dict[str, int] = field(default_factory=dict)
    used: dict[str, int] = field(default_factory=dict)
    in_layer: dict[str, int | None] = field(default_factory=dict)


def read_polygons(
    source,
    layer: str,
    config: Config,
    name: str,
    tally: Tally,
    window: nearby.Window | None = None,
) -> gpd.GeoDataFrame:
    """A polygon layer read into the project's CRS, repaired, tallied; refused without polygons."""
    fields = config.fields.get(name) or config.fields.get(layer)  # [fields.communes_2025]
    gdf, found = read_layer(
        source, layer=layer, project_crs=config.crs, fields=fields, name=name, window=window
    )
    if NONE_NEAR in gdf.attrs:
        return gdf  # a file of many with no feature near a right of way
    tally.read[name] = int(gdf.attrs.get("records_read", len(gdf)))
    if "records_in_layer" in gdf.attrs:
        tally.in_layer[name] = gdf.attrs["records_in_layer"]
    tally.findings.extend(found)
    usable, found = qa.repair_polygons(gdf, name)
    tally.findings.extend(found)
    if not len(usable):
        kinds = ", ".join(gdf.attrs.get("geometry_types", [])) or "no shape"
        raise InputError(
            source.label(),
            f"the {layer} layer has no polygon with an area (it holds {kinds})",
            "give polygons; a drawing needs boundary lines around its parcel numbers",
        )
    # a drawing's elements are used by building polygons; a layer's features by being kept
    tally.used[name] = int(gdf.attrs.get("records_used", usable[C.SOURCE_ROW].nunique()))
    return usable


def read_communes(
    config: Config, tally: Tally, source: LayerSource | None, name: str = "communes"
) -> gpd.GeoDataFrame | None:
    """A communes layer (of 2024, or ``communes_2025``) dissolved by commune; None without."""
    if source is None:
        return None
    layer = read_polygons(source, "communes", config, name, tally)
    if C.COMMUNE not in layer and C.COMMUNE_CODE not in layer:
        raise io_missing_column(source, name, C.COMMUNE, layer.columns)
    if C.COMMUNE not in layer:
        layer[C.COMMUNE] = layer[C.COMMUNE_CODE].astype(str)
    if C.COMMUNE_CODE not in layer:
        layer[C.COMMUNE_CODE] = ""
    named = layer[C.COMMUNE].map(lambda v: _arrays.present(v) and bool(str(v).strip()))
    # a feature without a name takes the name of its code's other features, else its code
    # (blank names are not one commune)
    name_of = dict(zip(layer[C.COMMUNE_CODE][named], layer[C.COMMUNE][named], strict=True))
    unnamed = layer[C.COMMUNE_CODE][~named]
    unknown = word("commune_unknown", config.lang)  # neither name nor code: one unit, listed
    layer.loc[~named, C.COMMUNE] = [
        name_of.get(c, c) if _arrays.present(c) and str(c).strip() else unknown for c in unnamed
    ]
    nameless = int((layer[C.COMMUNE] == unknown).sum())
    if nameless:
        tally.findings.append(
            Finding(WARNING, "commune_unnamed", name, unknown, params={"count": nameless})
        )
    index = CommuneIndex(layer)
    layer[C.KEY_COMMUNE] = index.keys(layer[C.COMMUNE])
    dissolved = layer.dissolve(by=C.KEY_COMMUNE, as_index=False, aggfunc="first")
    dissolved = dissolved.set_geometry(
        faces.polygonal(shapely.make_valid(dissolved.geometry.to_numpy()))
    )
    dissolved[C.COMMUNE_CODE] = dissolved[C.COMMUNE_CODE].map(
        lambda v: (
            ""
            if v is None or (isinstance(v, float) and np.isnan(v))
            else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
        )
    )
    return dissolved


def read_units_2025(config: Config, tally: Tally) -> gpd.GeoDataFrame | None:
    """The boundaries of the units of 2025 (``communes_2025``), checked; None without."""
    layer = read_communes(config, tally, config.communes_2025, "communes_2025")
    if layer is None:
        return None
    layer, found = boundaries_2025(layer, config.province)
    tally.findings.extend(found)
    return layer


def io_missing_column(source, layer: str, wanted: str, found) -> Exception:
    """The error for a layer that lacks a needed column, naming the columns found."""
    found = [str(f) for f in found if f not in ("geometry", C.SOURCE_ROW)]
    near = nearest_column(wanted, layer, found)
    hint = f"; nearest: {near!r}" if near else ""
    return InputError(
        source.label(),
        f"no column for {wanted!r} (columns found: {', '.join(found[:20])}{hint})",
        f'rename it or map it in the config: [fields.{layer}] "<column>" = "{wanted}"',
    )


class FileRead(NamedTuple):
    """One file of a many-file layer as read: its features, tally and error (or skipped).

    ``rows``: the file's features are these rows of ``features``, a frame it shares with
    the files read with it (:mod:`gpmb_gis.sheet_files`); without, all of them.
    """

    relative: str
    features: gpd.GeoDataFrame | None
    tally: Tally
    error: Exception | None = None
    outside: int = 0  # features of a file whose extent meets no right of way (not read)
    rows: tuple[int, int] | None = None

    @property
    def size(self) -> int:
        """How many features the file gave."""
        if self.features is None:
            return 0
        return len(self.features) if self.rows is None else self.rows[1] - self.rows[0]


def read_file(
    config: Config,
    one: LayerSource,
    relative: str,
    fields: dict[str, str] | None,
    window: nearby.Window | None,
) -> FileRead:
    """Read one file of a many-file layer near the rights of way (``window``), never raising.

    A file whose extent meets no right of way is not read (its features are counted); an
    error of the file is kept, for :func:`merge_files` to stop at or list.
    """
    mine = Tally()
    if not sheets.meets(window):
        assert window is not None
        return FileRead(relative, None, mine, outside=window.features or 0)
    if window is not None:
        window = nearby.narrowed(window)
    try:
        if sheets.is_empty(one, window):  # a sheet with nothing drawn yet: said, not an error
            mine.findings.append(Finding(INFO, "file_empty", "parcels", relative))
            return FileRead(relative, None, mine)
        gdf = read_polygons(one, "parcels", config, "parcels", mine, window)
    except (InputError, CRSError) as exc:
        return FileRead(relative, None, mine, exc)
    if NONE_NEAR in gdf.attrs:  # its extent meets a right of way, none of its features does
        if not gdf.attrs[NONE_NEAR]:  # a drawing with nothing in it (no header to say so)
            return FileRead(
                relative, None, Tally([Finding(INFO, "file_empty", "parcels", relative)])
            )
        return FileRead(relative, None, Tally(), outside=gdf.attrs[NONE_NEAR])
    gdf, found = sheets.from_path(gdf, fields, relative, "parcels")
    mine.findings[:] = [
        replace(f, feature=f"{relative}: {f.feature}".rstrip(": ")) for f in mine.findings
    ] + found
    return FileRead(relative, gdf, mine)


def merge_files(
    config: Config, files: Iterable[FileRead], total: int, tally: Tally
) -> gpd.GeoDataFrame:
    """The files of a many-file layer as one layer, in the files' order, tallied.

    An unreadable file stops the run, naming itself, or is listed (``skip_unreadable``).
    """
    for key in ("read", "used", "in_layer"):
        getattr(tally, key)["parcels"] = 0
    parts, touching = [], 0
    for file in files:
        tally.in_layer["parcels"] += file.outside
        if file.error is not None:
            _unreadable(config, file, tally)
        elif file.features is None:
            tally.findings += file.tally.findings
        else:
            touching += 1
            tally.findings += file.tally.findings
            for key in ("read", "used"):
                getattr(tally, key)["parcels"] += getattr(file.tally, key)["parcels"]
            in_file = file.tally.in_layer.get("parcels") or file.tally.read["parcels"]
            tally.in_layer["parcels"] += in_file
            parts.append(file)
    sheets.say(f"parcels: {total:,} files, {touching:,} touch a right of way", total)
    if not parts:
        unread = [f.feature for f in tally.findings if f.check == "file_unreadable"]
        shown = ", ".join(unread[:5]) + (", …" if len(unread) > 5 else "")
        raise InputError(
            config.parcels.label(),
            f"no file of the layer could be read ({len(unread)} unreadable: {shown})"
            if unread
            else "no file of the layer meets a right of way",
            "repair the files"
            if unread
            else "check the paths and the rights of way (and their CRS)",
        )
    return pd.concat(_runs(parts), ignore_index=True)


def _runs(reads: list[FileRead]) -> list[gpd.GeoDataFrame]:
    """The features of ``reads`` in order, each run of files sharing a frame sliced once."""
    runs: list[tuple[gpd.GeoDataFrame, int | None, int | None]] = []
    for read in reads:
        assert read.features is not None
        start, stop = read.rows if read.rows is not None else (None, None)
        if runs and start is not None and runs[-1][0] is read.features and runs[-1][2] == start:
            runs[-1] = (read.features, runs[-1][1], stop)
        else:
            runs.append((read.features, start, stop))
    return [frame if start is None else frame.iloc[start:stop] for frame, start, stop in runs]


def _unreadable(config: Config, file: FileRead, tally: Tally) -> None:
    """A file that cannot be read: the run stops naming it, or it is listed (skip_unreadable)."""
    error = file.error
    what = error.what if isinstance(error, GpmbError) else str(error)
    if not config.parcels.skip_unreadable:
        todo = error.todo if isinstance(error, GpmbError) and error.todo else "repair the file"
        raise InputError(
            file.relative, what, f"{todo}; or set skip_unreadable = true to list it and go on"
        ) from error
    tally.findings.append(
        Finding(
            ERROR,
            "file_unreadable",
            "parcels",
            file.relative,
            params={"error": what},
        )
    )
