"""Sheet headers kept between runs: an unchanged sheet is not opened, a changed one always is."""

from __future__ import annotations

import os
import sqlite3

import pytest
from helpers import rect, write_layer
from test_sheets import _files

from gpmb_gis import compute_progress, header_cache, headers


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A cache folder of the test's own, keeping files however recently they changed."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("GPMB_CACHE_DIR", str(folder))
    monkeypatch.setattr(header_cache, "RECENT_NS", 0)
    return folder


@pytest.fixture
def opened(monkeypatch):
    """The GeoPackages whose header is read with SQLite, from now on."""
    names: list[str] = []
    read = headers._gpkg_info

    def counting(path, layer, exact):
        names.append(path.name)
        return read(path, layer, exact)

    monkeypatch.setattr(headers, "_gpkg_info", counting)
    return names


def _tables(result):
    return {n: getattr(result, n).to_csv() for n in ("progress_by_project", "progress_by_commune")}


def test_an_unchanged_sheet_is_not_opened_again(tmp_path, cache, opened):
    config = _files(tmp_path / "run", far=True)
    first = compute_progress(config)
    assert sorted(opened) == ["To 12.gpkg", "To 3.gpkg", "To 9.gpkg"]
    opened.clear()
    second = compute_progress(config)
    assert opened == []  # every header from the cache
    assert _tables(first) == _tables(second)
    assert first.inputs.in_layer == second.inputs.in_layer  # the far sheet's count kept


def test_a_sheet_changed_since_is_opened_and_its_new_extent_used(tmp_path, cache, opened):
    config = _files(tmp_path / "run", far=True)
    before = compute_progress(config, allow_unplaced=True)
    far = tmp_path / "run" / "dia_chinh" / "Tan Lien" / "To 9.gpkg"
    # the far sheet redrawn over the road: its parcel 7 now takes 100–110 m of it
    write_layer(far, [{"SOTHUA": 7, "geometry": rect(0, 20, 100, 40)},
                      {"SOTHUA": 8, "geometry": rect(100, -10, 110, 30)}])  # fmt: skip
    os.utime(far, ns=(1_000_000_000, 1_000_000_000))  # an old time: still not the same file
    opened.clear()
    after = compute_progress(config, allow_unplaced=True)
    assert opened == ["To 9.gpkg"]
    assert "dia_chinh/Tan Lien/To 9.gpkg" in set(after.inputs.parcels["source_file"])
    assert "dia_chinh/Tan Lien/To 9.gpkg" not in set(before.inputs.parcels["source_file"])


def test_a_sheet_being_edited_is_always_opened(tmp_path, cache, opened):
    config = _files(tmp_path / "run", far=True)
    compute_progress(config)
    sheet = tmp_path / "run" / "dia_chinh" / "Tan Lien" / "To 9.gpkg"
    assert header_cache.HeaderCache.open().info(sheet, None) is not None
    wal = sheet.with_name(sheet.name + "-wal")
    wal.write_bytes(b"\0" * 32)  # what QGIS leaves while it edits: not yet in the file
    try:
        assert header_cache.HeaderCache.open().info(sheet, None) is None
    finally:
        wal.unlink()


def test_a_recent_change_is_not_kept(tmp_path, cache, monkeypatch, opened):
    monkeypatch.setattr(header_cache, "RECENT_NS", 3600 * 10**9)
    config = _files(tmp_path / "run")
    compute_progress(config)
    opened.clear()
    compute_progress(config)
    assert sorted(opened) == ["To 12.gpkg", "To 3.gpkg"]


def test_the_cache_may_be_turned_off_or_be_unwritable(tmp_path, monkeypatch, opened):
    config = _files(tmp_path / "run")
    monkeypatch.setattr(header_cache, "RECENT_NS", 0)
    monkeypatch.setenv("GPMB_CACHE_DIR", "")
    compute_progress(config)
    compute_progress(config)
    assert len(opened) == 4  # nothing kept
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("x")
    monkeypatch.setenv("GPMB_CACHE_DIR", str(blocked))
    compute_progress(config)  # the run goes on without it


def test_a_damaged_cache_is_left_alone(tmp_path, cache, opened):
    cache.mkdir()
    (cache / "headers.sqlite").write_bytes(b"not a database at all" * 100)
    config = _files(tmp_path / "run")
    result = compute_progress(config)
    assert sorted(opened) == ["To 12.gpkg", "To 3.gpkg"]
    assert result.progress_by_project.loc[0, "required_m2"] == pytest.approx(2000.0)


def test_the_cache_keeps_headers_by_the_files_identity(tmp_path, cache):
    config = _files(tmp_path / "run")
    compute_progress(config)
    with sqlite3.connect(cache / "headers.sqlite") as con:
        keys = [k for (k,) in con.execute("SELECT key FROM gpkg_headers_v1")]
    assert len(keys) == 2 and all(str(tmp_path / "run") in k for k in keys)


def test_a_sheet_named_by_a_link_is_opened_while_its_file_is_edited(tmp_path, cache):
    config = _files(tmp_path / "run")
    sheet = tmp_path / "run" / "dia_chinh" / "Tan Lien" / "To 3.gpkg"
    kept = tmp_path / "kept" / "To 3.gpkg"
    kept.parent.mkdir()
    sheet.rename(kept)
    sheet.symlink_to(kept)  # the folder of sheets names files kept elsewhere
    compute_progress(config)
    assert header_cache.HeaderCache.open().info(sheet, None) is not None
    wal = kept.with_name(kept.name + "-wal")  # SQLite's log is beside the file, not the link
    wal.write_bytes(b"\0" * 32)
    try:
        assert header_cache.HeaderCache.open().info(sheet, None) is None
    finally:
        wal.unlink()


def test_a_sheet_in_a_linked_folder_is_opened_while_it_is_edited(tmp_path, cache):
    config = _files(tmp_path / "run")
    folder = tmp_path / "run" / "dia_chinh"
    kept = tmp_path / "kept" / "dia_chinh"
    kept.parent.mkdir()
    folder.rename(kept)
    folder.symlink_to(kept, target_is_directory=True)  # the sheets' folder is elsewhere
    (tmp_path / "kept" / "link to a link.gpkg").symlink_to(folder / "Tan Lien" / "To 3.gpkg")
    compute_progress(config)
    sheet = folder / "Tan Lien" / "To 3.gpkg"
    assert header_cache.HeaderCache.open().info(sheet, None) is not None
    wal = kept / "Tan Lien" / "To 3.gpkg-wal"
    wal.write_bytes(b"\0" * 32)
    try:
        assert header_cache.HeaderCache.open().info(sheet, None) is None
        chained = tmp_path / "kept" / "link to a link.gpkg"
        assert header_cache.HeaderCache.open().info(chained, None) is None
    finally:
        wal.unlink()


def test_a_sheet_of_two_names_is_never_kept(tmp_path, cache, opened):
    config = _files(tmp_path / "run")
    sheet = tmp_path / "run" / "dia_chinh" / "Tan Lien" / "To 3.gpkg"
    os.link(sheet, tmp_path / "another name.gpkg")  # its log may be beside the other name
    compute_progress(config)
    opened.clear()
    compute_progress(config)
    assert opened == ["To 3.gpkg"]
