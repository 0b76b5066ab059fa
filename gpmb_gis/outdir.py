"""Where a report is written: only under ``--out``, built aside and moved in place whole.

A run writes into a staging folder beside ``--out`` and moves it in place when everything is
written, so a run that is killed leaves the previous report as it was, and two runs into the
same folder never mix their files: the second stops with a sentence while the first holds the
folder's lock. A folder the package made holds its manifest; only such a folder is replaced
whole, so files of earlier runs that this run did not write go with it. Into a folder the
package did not make, the run's files are moved one by one and nothing else is touched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from gpmb_gis._errors import GpmbError
from gpmb_gis._text import commune_key, fold

__all__ = ["MANIFEST", "OutputError", "check_out", "file_stem", "output_folder"]


#: The file that says a folder is a report the package wrote.
MANIFEST = ".gpmb-manifest.json"


class OutputError(GpmbError, OSError):
    """The output folder cannot be written, or would overwrite inputs."""


def file_stem(text: object, *, commune: bool = False) -> str:
    """A file name made from an id or a name: no separators, no ``..``, never absolute.

    An id that is safe already stays as it is (``QL4B``); a commune name becomes its matching
    key (``hop_thanh``). Any other character is folded to ASCII or becomes ``_``, and then a
    short hash of the text keeps two names apart.

    Examples
    --------
    >>> file_stem("QL4B"), file_stem("Xã Hợp Thành", commune=True)
    ('QL4B', 'hop_thanh')
    >>> file_stem("../../etc/passwd")
    'etc_passwd-936d7c'
    >>> file_stem("Xã A/B", commune=True)
    'a_b-e8953a'
    """
    raw = str(text)
    if commune:
        key = commune_key(raw)
        if re.fullmatch(r"[a-z0-9]+( [a-z0-9]+)*", key) and len(key) <= 60:
            return key.replace(" ", "_")
    elif re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,59}", raw):
        return raw
    base = commune_key(raw) if commune else fold(raw)
    stem = re.sub(r"[^a-z0-9-]+", "_", base).strip("_-")[:60] or "x"
    digest = hashlib.sha1(raw.encode("utf-8", "surrogatepass")).hexdigest()[:6]
    return f"{stem}-{digest}"


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_out(out: Path, inputs: Iterable[Path]) -> Path:
    """The resolved output folder, after checking it can hold a report.

    Raises
    ------
    OutputError
        ``out`` is a file, or equals or contains one of ``inputs``.
    """
    where = str(out)
    if out.exists() and not out.is_dir():
        raise OutputError(
            where, "--out is a file, not a folder", "give the folder to write the report into"
        )
    target = out.resolve()
    for path in inputs:
        if _inside(Path(path).resolve(), target):
            raise OutputError(
                where,
                f"--out holds the input {path}: writing the report there could replace it",
                "give an empty or new folder for the report",
            )
    return target


@contextlib.contextmanager
def _lock(target: Path) -> Iterator[None]:
    """Hold the lock of one output folder; another run into it stops with a sentence."""
    import fcntl

    path = target.parent / f".{target.name}.gpmb-lock"
    handle = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        handle.close()
        raise OutputError(
            str(target),
            "another gpmb run is writing this folder now",
            "wait for it to finish, or give another --out",
        ) from exc
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        handle.close()


def _clear_leftovers(target: Path) -> None:
    """Remove staging folders that killed runs left beside ``target``."""
    for left in target.parent.glob(f".{target.name}.gpmb-*"):
        if left.is_dir() and not left.is_symlink():
            shutil.rmtree(left, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_manifest(staging: Path) -> None:
    files = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
    written_at = dt.datetime.now().isoformat(timespec="seconds")
    manifest = {"written_by": "gpmb_gis", "written_at": written_at, "files": files}
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")


def _move_into(staging: Path, target: Path) -> None:
    """Move each staged file into a folder the package did not make; touch nothing else."""
    for path in sorted(staging.rglob("*")):
        if path.is_dir():
            continue
        dest = target / path.relative_to(staging)
        for parent in reversed(dest.relative_to(target).parents[:-1]):
            folder = target / parent
            if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
                folder.unlink()  # never follow a link out of --out
            folder.mkdir(exist_ok=True)
        os.replace(path, dest)  # a link in the way is replaced, never followed
    shutil.rmtree(staging, ignore_errors=True)


def _carry_over(target: Path, staging: Path) -> None:
    """Move into ``staging`` what the user added to a folder the package wrote.

    Only the files the earlier run's manifest lists are the package's to replace or remove;
    anything else (a note, a folder, a link: moved as a link) stays in the report folder.
    """
    try:
        listed = json.loads((target / MANIFEST).read_text(encoding="utf-8")).get("files", [])
    except (OSError, ValueError, AttributeError):
        listed = []
    ours = {*listed, MANIFEST}
    for folder, dirs, files in os.walk(target, followlinks=False):
        here = Path(folder)
        links = [d for d in dirs if (here / d).is_symlink()]
        dirs[:] = [d for d in dirs if d not in links]
        for name in [*files, *links, *([""] if not dirs and not files else [])]:
            path = here / name if name else here
            rel = path.relative_to(target).as_posix()
            if rel in ours or rel == "." or os.path.lexists(staging / rel):
                continue
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            if name:
                os.replace(path, staging / rel)
            else:  # an empty folder the user made
                (staging / rel).mkdir(exist_ok=True)


def _publish(staging: Path, target: Path) -> None:
    _write_manifest(staging)  # the run's own files: what a later run may replace
    if (target / MANIFEST).is_file() and not target.is_symlink():
        _carry_over(target, staging)
    if target.is_symlink():
        target.unlink()
    if not target.exists():
        os.replace(staging, target)
    elif (target / MANIFEST).is_file() or not any(target.iterdir()):
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.gpmb-old-", dir=target.parent))
        os.replace(target, old / "report")
        os.replace(staging, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        _move_into(staging, target)


@contextlib.contextmanager
def output_folder(out: str | Path, inputs: Iterable[Path] = ()) -> Iterator[Path]:
    """Stage a report beside ``out`` and move it in place when the block ends without error.

    Parameters
    ----------
    out
        The output folder (``--out``); its parent folders are made when missing.
    inputs
        The run's input files: ``out`` may not be or contain any of them.

    Yields
    ------
    Path
        The staging folder to write into; its files reach ``out`` when the block ends.
    """
    target = check_out(Path(out), inputs)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with _lock(target):
            _clear_leftovers(target)
            staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.gpmb-", dir=target.parent))
            staging.chmod(0o777 & ~_umask())  # as a folder made with mkdir, not mkdtemp's 0700
            try:
                yield staging
                _publish(staging, target)
            finally:
                if staging.exists():
                    shutil.rmtree(staging, ignore_errors=True)
    except PermissionError as exc:
        raise OutputError(
            str(out), f"cannot write there ({exc.strerror})", "give a folder you can write to"
        ) from exc
    except OSError as exc:
        if isinstance(exc, GpmbError):
            raise
        raise OutputError(
            str(out),
            f"cannot write the report there ({exc.strerror or exc})",
            "check the disk and the folder, or give another --out",
        ) from exc
