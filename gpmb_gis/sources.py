"""Where each layer comes from, as the config writes it: a file, its layer, encoding and era.

Also the gathering of a config's problems (:class:`Problems`), so that every problem of a file
is reported at once.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyproj import CRS
from pyproj.exceptions import CRSError as PyprojCRSError

from gpmb_gis._errors import ConfigError
from gpmb_gis.units import ERAS

__all__ = [
    "ENCODINGS",
    "SOURCE_KEYS",
    "LayerSource",
    "Problems",
    "books",
    "parse_crs",
    "path_fields",
    "source",
]

SOURCE_KEYS = (
    "path",
    "paths",
    "path_pattern",
    "skip_unreadable",
    "layer",
    "sheet",
    "encoding",
    "crs",
    "commune",
    "era",
    "cad_layers",
)
#: Files beside a shapefile or a raster that are parts of it, never layers of their own.
SIDE_FILES = frozenset(
    {
        ".dbf",
        ".shx",
        ".prj",
        ".cpg",
        ".qix",
        ".sbn",
        ".sbx",
        ".xml",
        ".qmd",
        ".aux",
        ".fix",
        ".atx",
        ".ain",
        ".aih",
        ".lock",
        ".qpj",
    }
)
ENCODINGS = ("utf-8", "tcvn3", "abc", "vni", "cp1252", "latin1", "cp1258", "utf-16")


@dataclass(frozen=True)
class LayerSource:
    """Where a layer comes from: a file, optionally one layer or sheet of it.

    Attributes
    ----------
    path
        Absolute path of the file.
    layer
        Layer (GPKG, DXF, ...) or sheet (Excel) name; ``None`` for the first.
    encoding
        Text encoding of the attributes: ``None`` (auto), ``"tcvn3"``, ``"vni"``, or a
        Python codec name.
    crs
        CRS of the layer when the file does not say, e.g. ``"EPSG:9215"``.
    commune
        For a file that holds one commune only: its code or name.
    key
        The config key this came from, for messages (``layers.parcels``).
    era
        The era of its commune codes and names (``2024``: before 1 July 2025, ``2025``:
        after); ``None``: not said (layers are read in 2024, a book's era is detected).
    paths
        A layer in many files (``paths = ["dia_chinh/**/*.shp"]``): every file, sorted;
        ``path`` is then the first.
    path_pattern
        Where the commune and the sheet of a file's features are, when they lack them, in its
        path relative to ``base``: ``"{commune}/To {sheet}.dgn"``.
    skip_unreadable
        A file of ``paths`` that cannot be read is listed and counted instead of stopping.
    cad_layers
        In a drawing (DXF, DGN), the layers or levels that hold the parcels' boundaries and
        labels; the other elements (house outlines, grid, frame, notes) are not used.
    base
        The config's folder, which ``paths`` and ``path_pattern`` are relative to.
    """

    path: Path
    layer: str | None = None
    encoding: str | None = None
    crs: str | None = None
    commune: str | None = None
    key: str = ""
    era: int | None = None
    paths: tuple[Path, ...] = ()
    path_pattern: str | None = None
    skip_unreadable: bool = False
    cad_layers: tuple[str, ...] = ()
    base: Path | None = None

    def label(self) -> str:
        """Return the file name (and ``#layer``) as the user wrote it, for messages."""
        if len(self.paths) > 1:
            return f"{len(self.paths)} files of {self.key or 'a layer'}"
        return f"{self.path.name}#{self.layer}" if self.layer else self.path.name

    def relative(self, path: Path) -> str:
        """A file's path as the user knows it: relative to the config's folder."""
        try:
            return path.relative_to(self.base).as_posix() if self.base else path.name
        except ValueError:
            return path.as_posix()


class Problems:
    """Gathers every problem of a config file; raises them together."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.items: list[tuple[str, str, str]] = []

    def add(self, key: str, what: str, todo: str) -> None:
        """Note a problem: the key, what is wrong and what to do."""
        self.items.append((key, what, todo))

    def unknown_keys(self, table: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
        """Note each key of ``table`` not in ``allowed``, with the closest valid one."""
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.5)
                hint = (
                    f"did you mean {close[0]!r}?" if close else f"valid keys: {', '.join(allowed)}"
                )
                self.add(f"{where}{key}", "unknown key", hint)

    def raise_if_any(self) -> None:
        """Raise one :class:`ConfigError` naming the first problem and counting the rest."""
        if not self.items:
            return
        key, what, todo = self.items[0]
        more = (
            f" (and {len(self.items) - 1} more: "
            + "; ".join(f"{k}: {w}" for k, w, _ in self.items[1:4])
            + ")"
            if len(self.items) > 1
            else ""
        )
        raise ConfigError(f"{self.path}: {key}", what + more, todo)


def source(value: Any, key: str, base: Path, problems: Problems) -> LayerSource | None:
    """A layer as the config writes it (a path, or a table with ``path``); None if wrong."""
    if isinstance(value, str):
        value = {"path": value}
    if not isinstance(value, Mapping):
        problems.add(
            key,
            f"must be a path or a table, not {type(value).__name__}",
            'write key = "file.gpkg" or key = { path = "file.gpkg" }',
        )
        return None
    problems.unknown_keys(value, SOURCE_KEYS, f"{key}.")
    paths = _globbed(value["paths"], key, base, problems) if "paths" in value else ()
    if "paths" in value and "path" in value:
        problems.add(key, "gives both path and paths", "keep one: paths lists many files")
    raw_path = value.get("path", str(paths[0]) if paths else None)
    if not isinstance(raw_path, str) or not raw_path:
        if "paths" not in value:
            problems.add(key, "has no path", 'add path = "file.gpkg"')
        return None
    pattern = value.get("path_pattern")
    if paths and _pattern_ok(pattern) and not _fits_any(pattern, paths, base):
        problems.add(
            f"{key}.path_pattern",
            f"{pattern!r} fits none of the {len(paths)} files",
            'write it as their paths are, e.g. "{commune}/To {sheet}.shp"; * stands for any text',
        )
    if pattern is not None and not _pattern_ok(pattern):
        problems.add(
            f"{key}.path_pattern",
            f"{pattern!r} names no {{commune}} or {{sheet}}",
            'write it as "{commune}/To {sheet}.dgn", relative to the config',
        )
    layer = value.get("layer", value.get("sheet"))
    if "layer" in value and "sheet" in value:
        problems.add(key, "gives both layer and sheet", "keep one: sheet is the layer of a book")
    if "#" in raw_path and layer is None:
        raw_path, layer = raw_path.split("#", 1)
    path = (base / raw_path).resolve()
    if not path.exists():
        problems.add(
            key,
            f"file {raw_path!r} not found (looked in {path.parent})",
            "fix the path; paths are relative to the config file",
        )
    encoding = value.get("encoding")
    if encoding is not None and str(encoding).lower() not in ENCODINGS:
        close = difflib.get_close_matches(str(encoding).lower(), ENCODINGS, n=1)
        problems.add(
            f"{key}.encoding",
            f"unknown encoding {encoding!r}",
            f"did you mean {close[0]!r}?" if close else f"use one of {ENCODINGS}",
        )
    crs = value.get("crs")
    if crs is not None:
        parse_crs(crs, f"{key}.crs", problems)
    commune = value.get("commune")
    era = _era(value.get("era"), f"{key}.era", problems)
    return LayerSource(
        path=path,
        layer=str(layer) if layer else None,
        encoding=str(encoding).lower() if encoding else None,
        crs=str(crs) if crs else None,
        commune=str(commune) if commune is not None else None,
        key=key,
        era=era,
        paths=paths,
        path_pattern=str(pattern) if pattern is not None else None,
        skip_unreadable=value.get("skip_unreadable") is True,
        cad_layers=_cad_layers(value.get("cad_layers"), key, problems),
        base=base,
    )


def _cad_layers(value: Any, key: str, problems: Problems) -> tuple[str, ...]:
    """The layers (DXF) or levels (DGN) of a drawing that hold boundaries and labels.

    ``cad_layers = ["RANH_THUA", "SO_THUA"]``; every layer when not given.
    """
    if value is None:
        return ()
    names = [value] if isinstance(value, str | int) else value

    def named(n: Any) -> bool:  # a name or a level number; True is neither
        return isinstance(n, str | int) and not isinstance(n, bool) and str(n).strip() != ""

    if not isinstance(names, list) or not names or not all(named(n) for n in names):
        problems.add(
            f"{key}.cad_layers",
            "must be a list of layer names or level numbers",
            'write cad_layers = ["RANH_THUA", "SO_THUA"] (DXF) or [10, 13] (DGN levels)',
        )
        return ()
    return tuple(str(n).strip() for n in names)


def _globbed(value: Any, key: str, base: Path, problems: Problems) -> tuple[Path, ...]:
    """``paths = ["dia_chinh/**/*.dgn", ...]``: every file they match, sorted, each once."""
    globs = [value] if isinstance(value, str) else value
    if not isinstance(globs, list) or not globs or not all(isinstance(g, str) for g in globs):
        problems.add(
            f"{key}.paths",
            "must be a list of paths or patterns",
            'write paths = ["dia_chinh/**/*.shp"]',
        )
        return ()
    found: dict[Path, None] = {}
    base = base.resolve()  # once: the files found under it are named from it
    for glob in globs:
        matched = sorted(
            Path(os.path.normpath(p))
            for p in base.glob(glob)
            if p.suffix.lower() not in SIDE_FILES and p.is_file()
        )
        if not matched:
            problems.add(
                f"{key}.paths",
                f"{glob!r} matches no file (looked in {base})",
                "fix the pattern; it is relative to the config file",
            )
        found.update(dict.fromkeys(matched))
    return tuple(found)


def _fits_any(pattern: str, paths: tuple[Path, ...], base: Path) -> bool:
    for path in paths:
        try:
            relative = path.relative_to(base).as_posix()
        except ValueError:
            relative = path.as_posix()
        if path_fields(pattern, relative):
            return True
    return False


def _pattern_ok(pattern: Any) -> bool:
    return isinstance(pattern, str) and ("{commune}" in pattern or "{sheet}" in pattern)


def _era(value: Any, key: str, problems: Problems) -> int | None:
    """``era = 2024 | 2025`` (a number or its text); None when not given."""
    if value is None:
        return None
    text = str(value).strip()
    if text.isdigit() and int(text) in ERAS:
        return int(text)
    problems.add(
        key,
        f"{value!r} is not an era of communes",
        "write era = 2024 (before 1 July 2025) or era = 2025 (the merged communes)",
    )
    return None


def books(value: Any, base: Path, problems: Problems) -> tuple[LayerSource, ...]:
    """``handovers``: one book, or a list of books (``[{ path = ..., sheet = ... }, ...]``)."""
    if not isinstance(value, list):
        one = source(value, "layers.handovers", base, problems)
        return (one,) if one is not None else ()
    if not value:
        problems.add("layers.handovers", "lists no book", "name a book, or leave handovers out")
    books = [source(v, f"layers.handovers[{i}]", base, problems) for i, v in enumerate(value)]
    seen: set[tuple[Path, str | None]] = set()
    for book in (b for b in books if b is not None):
        if (book.path, book.layer) in seen:
            problems.add(
                book.key,
                f"reads {book.label()} a second time",
                "list each book (file and sheet) once",
            )
        seen.add((book.path, book.layer))
    return tuple(b for b in books if b is not None)


def parse_crs(value: Any, key: str, problems: Problems) -> CRS | None:
    """A coordinate system as the config writes it (``"EPSG:9215"``); None if wrong."""
    try:
        return CRS.from_user_input(value)
    except (PyprojCRSError, TypeError, ValueError):
        problems.add(
            key,
            f"{value!r} is not a coordinate system",
            'write it as "EPSG:9215" (VN-2000 / TM-3 107-15)',
        )
        return None


@functools.lru_cache(maxsize=64)
def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """A path pattern as a regular expression matched at the end of a path.

    ``{commune}`` is any text of one folder or name; ``{sheet}`` has no space or ``_`` (so
    ``{commune}_{sheet}`` reads ``hop_thanh_13``); ``*`` is any text of one folder or name.
    """
    parts = re.split(r"(\{commune\}|\{sheet\}|\*)", pattern.replace("\\", "/"))
    regex = {"{commune}": "(?P<commune>[^/]+?)", "{sheet}": "(?P<sheet>[^/_ ]+?)", "*": "[^/]*"}
    body = "".join(regex.get(p, re.escape(p)) for p in parts)
    return re.compile(rf"(?:^|/){body}$", re.IGNORECASE)


def path_fields(pattern: str | None, relative: str) -> dict[str, str]:
    """The commune and sheet a file's path gives by ``pattern`` (none when it does not match).

    The pattern is matched against the end of the path relative to the config, so
    ``"{commune}/To {sheet}.dgn"`` reads ``dia_chinh/Hop Thanh/To 12.dgn``.

    Examples
    --------
    >>> path_fields("{commune}/To {sheet}.dgn", "dia_chinh/Hop Thanh/To 12.DGN")
    {'commune': 'Hop Thanh', 'sheet': '12'}
    >>> path_fields("{commune}_{sheet}.shp", "bo_sung/06226_12.shp")
    {'commune': '06226', 'sheet': '12'}
    >>> path_fields("{commune}_{sheet}.shp", "bo_sung/readme.txt")
    {}
    >>> path_fields("{commune}_{sheet}.*", "hop_thanh_13.shp")
    {'commune': 'hop_thanh', 'sheet': '13'}
    >>> path_fields("To {sheet}", "Hop Thanh/To 4.shp")
    {'sheet': '4'}
    """
    if not pattern:
        return {}
    relative = relative.replace("\\", "/")
    if "." not in pattern.rsplit("/", 1)[-1]:  # a pattern without the file's extension
        relative = re.sub(r"\.[^./]+$", "", relative)
    match = _pattern_regex(pattern).search(relative)
    return {k: v.strip() for k, v in match.groupdict().items()} if match else {}
