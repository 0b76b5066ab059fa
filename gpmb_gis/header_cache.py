"""What GeoPackage sheets' headers said, kept between runs: a weekly run opens what changed.

A district's cadastre in a thousand sheet files changes a few sheets a week. Opening each to
read its extent and count takes about half a millisecond, and SQLite opens one file at a time
however many threads ask. So the headers read are kept in a small SQLite database in the
user's cache folder (``$GPMB_CACHE_DIR``, else ``$XDG_CACHE_HOME/gpmb_gis``, else
``~/.cache/gpmb_gis``; ``GPMB_CACHE_DIR=""`` turns it off), each under the file's identity as
the system gives it: path, device, inode, size, and the times of its last modification and of
its last change (the change time follows every write, and no tool sets it back). A file whose
identity differs is opened again. A file with a write-ahead log beside it (``-wal``: edits
QGIS has not yet written into the file itself; beside the file a symbolic link names) is
always opened and never kept, and so are a file of several names (hard links: its log may be
beside another) and a file changed in the last few seconds (a second change within one tick of
the clock would leave its identity alike). A cache that cannot be read or written is left
alone: the run opens every file, as without it. On Windows, where the change time is the time
a file was made, there is no cache.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = ["HeaderCache", "cache_folder"]

#: A file changed less than this long ago (nanoseconds) is opened but not kept.
RECENT_NS = 5_000_000_000
#: Headers kept longer than this (seconds) without being kept again are forgotten.
FORGET_AFTER_S = 365 * 24 * 3600
_TABLE = "gpkg_headers_v1"  # a new version of what is kept gets a new table


def cache_folder() -> Path | None:
    """Where the cache is kept; None when ``GPMB_CACHE_DIR`` is set empty (turned off).

    Off on Windows, where a file's "change time" is the time it was made, which a rewrite
    in place keeps.
    """
    if os.name == "nt":
        return None
    chosen = os.environ.get("GPMB_CACHE_DIR")
    if chosen is not None:
        return Path(chosen) if chosen.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "gpmb_gis"


class HeaderCache:
    """The headers kept from earlier runs, and those read in this one (kept on :meth:`save`).

    Use as a context manager: ``with HeaderCache.open() as known: ...`` keeps the new
    headers when the block ends without an error. Safe to use from several threads.
    """

    def __init__(self, database: Path | None, known: dict[str, dict[str, Any]]) -> None:
        self._database = database
        self._known = known
        self._new: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    @classmethod
    def open(cls) -> HeaderCache:
        """The cache of this user (empty when turned off or unreadable)."""
        folder = cache_folder()
        if folder is None:
            return cls(None, {})
        database = folder / "headers.sqlite"
        known: dict[str, dict[str, Any]] = {}
        if database.is_file():
            try:
                with _connected(database) as con:
                    rows = con.execute(f"SELECT key, info FROM {_TABLE}").fetchall()
                known = {key: json.loads(info) for key, info in rows}
            except (sqlite3.Error, ValueError):  # unreadable: every file is opened
                known = {}
        return cls(database, known)

    def info(self, path: Path, layer: str | None) -> dict[str, Any] | None:
        """What the file's header said when it was last kept, if it is still the same file."""
        key = _identity(path, layer, keeping=False)
        return None if key is None else self._known.get(key)

    def keep(self, path: Path, layer: str | None, info: dict[str, Any]) -> None:
        """Keep what a file's header says, unless the file is being edited or just was."""
        key = _identity(path, layer, keeping=True)
        if key is not None:
            with self._lock:
                self._new[key] = info

    def save(self) -> None:
        """Write the headers read in this run to the cache (nothing when it cannot be)."""
        if self._database is None or not self._new:
            return
        now = int(time.time())
        rows = [(key, json.dumps(info), now) for key, info in self._new.items()]
        try:
            self._database.parent.mkdir(parents=True, exist_ok=True)
            with _connected(self._database) as con:
                con.execute("PRAGMA journal_mode=WAL")  # runs that read do not wait
                con.execute(
                    f"CREATE TABLE IF NOT EXISTS {_TABLE} "
                    "(key TEXT PRIMARY KEY, info TEXT NOT NULL, kept INTEGER NOT NULL)"
                )
                con.executemany(f"INSERT OR REPLACE INTO {_TABLE} VALUES (?, ?, ?)", rows)
                con.execute(f"DELETE FROM {_TABLE} WHERE kept < ?", (now - FORGET_AFTER_S,))
        except (OSError, sqlite3.Error):  # a cache is never worth stopping a run for
            return
        self._new.clear()

    def __enter__(self) -> HeaderCache:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            self.save()


@contextlib.contextmanager
def _connected(database: Path) -> Iterator[sqlite3.Connection]:
    """A connection that waits for another run writing the cache; committed, then closed."""
    con = sqlite3.connect(database, timeout=5.0)
    try:
        with con:  # commits, or rolls back on an error
            yield con
    finally:
        con.close()


def _identity(path: Path, layer: str | None, *, keeping: bool) -> str | None:
    """The file's identity as the system gives it; None for a file that must be opened.

    A file with a write-ahead log beside it is being edited; ``keeping``: a file changed in
    the last :data:`RECENT_NS` is not kept.
    """
    try:
        stat = os.stat(path)
        # SQLite keeps the log beside the file a link names; a link among the folders
        # leads to the same folder, so only a link as the file itself is followed
        real = os.path.realpath(path) if os.path.islink(path) else os.fspath(path)
    except OSError:
        return None
    if stat.st_nlink != 1:  # a file of several names: its log may be beside any of them
        return None
    try:
        if os.stat(f"{real}-wal").st_size:
            return None
    except OSError:
        pass  # no log: the file holds all its edits
    if keeping and time.time_ns() - max(stat.st_mtime_ns, stat.st_ctime_ns) < RECENT_NS:
        return None
    return json.dumps(
        [
            os.path.abspath(path),
            layer,
            stat.st_dev,
            stat.st_ino,
            stat.st_size,
            stat.st_mtime_ns,
            stat.st_ctime_ns,
        ]
    )
