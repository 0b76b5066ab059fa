"""Outputs go only under --out, built aside and moved in place whole; inputs are never touched."""

from __future__ import annotations

import csv
import os

import pytest
from helpers import rect, write_book_csv, write_config, write_layer

from gpmb_gis import compute_progress, write_report
from gpmb_gis.cli import main
from gpmb_gis.outdir import MANIFEST, OutputError, _lock, _umask, file_stem


def _folder(tmp_path, *, pid: str = "X", land_use: str = "LUC", book: str = "book.csv"):
    folder = tmp_path / "in"
    folder.mkdir()
    write_layer(folder / "row.gpkg", [{"geometry": rect(0, 0, 20, 10)}])
    write_layer(folder / "parcels.gpkg", [
        {"TENXA": "Xã A/B", "SHBANDO": 1, "SOTHUA": k, "KHLOAIDAT": land_use,
         "geometry": rect(10 * (k - 1), 0, 10 * k, 10)} for k in (1, 2)])  # fmt: skip
    write_book_csv(folder / book, [{"Xã": "Xã A/B", "Tờ bản đồ": 1, "Số thửa": 1,
                                    "Ngày bàn giao": "01/03/2024"}])  # fmt: skip
    return write_config(folder, 'province = "Lạng Sơn"\nas_of = 2024-06-30\n[layers]\n'
                        f'parcels = "parcels.gpkg"\nhandovers = "{book}"\n[[projects]]\n'
                        f'id = "{pid}"\nrow = "row.gpkg"\n')  # fmt: skip


def _report(config, out, *flags: str) -> int:
    return main(["report", "--config", str(config), "--out", str(out), *flags])


def test_out_holding_the_inputs_is_refused_and_the_book_kept(tmp_path, capsys):
    config = _folder(tmp_path, book="report.xlsx.csv")
    book = (config.parent / "report.xlsx.csv").read_bytes()
    assert _report(config, config.parent) == 2
    err = capsys.readouterr().err
    assert "--out holds the input" in err and "internal" not in err
    assert (config.parent / "report.xlsx.csv").read_bytes() == book
    assert _report(config, tmp_path) == 2  # a folder above the inputs holds them too


def test_out_that_is_a_file_is_a_sentence(tmp_path, capsys):
    config = _folder(tmp_path)
    (tmp_path / "out").write_text("x")
    assert _report(config, tmp_path / "out") == 2
    assert "--out is a file" in capsys.readouterr().err


def test_out_that_cannot_be_written_is_a_sentence(tmp_path, capsys):
    config = _folder(tmp_path)
    (tmp_path / "ro").mkdir(mode=0o500)
    # root writes anywhere but in /proc: the same sentence either way
    out = "/proc/gpmb-out" if os.geteuid() == 0 else str(tmp_path / "ro" / "out")
    assert _report(config, out) == 2
    err = capsys.readouterr().err
    assert f"gpmb: error: {out}: cannot write" in err and "internal" not in err


@pytest.mark.parametrize("pid", ["../evil", "/tmp/abs", "a/b"])
def test_project_ids_never_write_outside_out(tmp_path, pid):
    config = _folder(tmp_path, pid=pid)
    out = tmp_path / "deep" / "out"
    assert _report(config, out) == 0
    written = {p.resolve() for p in tmp_path.rglob("*") if p.is_file()}
    inside = {p for p in written if out.resolve() in p.parents}
    inputs = {p for p in written if (tmp_path / "in").resolve() in p.parents}
    assert written == inside | inputs
    assert (out / "maps" / f"{file_stem(pid)}.html").exists()
    assert not (tmp_path / "evil.html").exists() and not os.path.exists("/tmp/abs.html")


def test_a_second_run_into_the_same_folder_stops(tmp_path, capsys):
    config = _folder(tmp_path)
    out = tmp_path / "out"
    with _lock(out.resolve()):
        assert _report(config, out) == 2
    assert "another gpmb run is writing this folder" in capsys.readouterr().err
    assert not out.exists()
    assert _report(config, out) == 0  # the lock goes with the run


def test_a_failed_run_leaves_the_previous_report_whole(tmp_path, monkeypatch):
    config = _folder(tmp_path)
    out = tmp_path / "out"
    result = compute_progress(config)
    write_report(result, out, maps=False)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def broken(*_args, **_kwargs):
        raise RuntimeError("killed half-way")

    monkeypatch.setattr("gpmb_gis.report.write_index", broken)
    with pytest.raises(RuntimeError):
        write_report(compute_progress(config, as_of=result.as_of.replace(year=2025)), out,
                     maps=False)  # fmt: skip
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_stale_files_go_only_from_a_folder_the_package_made(tmp_path):
    config = _folder(tmp_path)
    result = compute_progress(config)
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    write_report(result, ours, maps=False)
    assert (ours / MANIFEST).is_file()
    (ours / "maps").mkdir()
    (ours / "maps" / "OLD_PROJECT.png").write_bytes(b"stale")  # a map an earlier run wrote
    listed = (ours / MANIFEST).read_text()
    (ours / MANIFEST).write_text(listed.replace('"files": [', '"files": ["maps/OLD_PROJECT.png", '))
    write_report(result, ours, maps=False)
    assert not (ours / "maps" / "OLD_PROJECT.png").exists()
    theirs.mkdir()
    (theirs / "notes.txt").write_text("mine")
    write_report(result, theirs, maps=False)
    assert (theirs / "notes.txt").read_text() == "mine" and (theirs / "index.html").exists()


def test_a_symlink_inside_out_is_not_followed(tmp_path):
    config = _folder(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "parcels.csv").write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")  # not the package's folder: files moved one by one
    (out / "tables").symlink_to(elsewhere, target_is_directory=True)
    (out / "index.html").symlink_to(elsewhere / "parcels.csv")
    write_report(compute_progress(config), out, maps=False)
    assert (elsewhere / "parcels.csv").read_text() == "precious"
    assert sorted(p.name for p in elsewhere.iterdir()) == ["parcels.csv"]
    assert not (out / "tables").is_symlink() and not (out / "index.html").is_symlink()


def test_line_breaks_in_values_never_start_a_formula_line(tmp_path):
    config = _folder(tmp_path, land_use="LUC\r=cmd|' /C calc'!A0")
    out = tmp_path / "out"
    write_report(compute_progress(config), out, maps=False)
    for path in (out / "tables").glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        assert not any(line.startswith(("=", "+", "@")) for line in text.splitlines()), path
        for row in csv.reader(text.splitlines(keepends=True)):
            for cell in row:
                assert not any(line.startswith("=") for line in cell.splitlines()), (path, cell)


def test_sample_refuses_a_folder_with_files_and_too_few_parcels(tmp_path, capsys):
    (tmp_path / "gpmb.toml").write_text("mine")
    assert main(["sample", "--out", str(tmp_path)]) == 2
    assert "--force" in capsys.readouterr().err
    assert (tmp_path / "gpmb.toml").read_text() == "mine"
    for n in ("0", "-5"):
        assert main(["sample", "--out", str(tmp_path / "new"), "--parcels", n]) == 2
        assert "fewer than the 200 parcels" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()


def test_error_type_is_the_packages(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(OutputError):
        write_report(compute_progress(_folder(tmp_path)), tmp_path / "f", maps=False)


def test_a_rerun_keeps_what_the_user_added_to_the_report_folder(tmp_path):
    config = _folder(tmp_path)
    result = compute_progress(config)
    out = tmp_path / "out"
    write_report(result, out, maps=False)
    (out / "mine.txt").write_text("x")
    (out / "userdir").mkdir()
    (out / "userdir" / "u.txt").write_text("u")
    (out / "tables" / "user_notes.csv").write_text("u")
    (out / "empty").mkdir()
    (out / "link").symlink_to(tmp_path / "in")
    (out / "tables" / "stale_old_table.csv").write_text("ours once")
    listed = (out / MANIFEST).read_text()
    (out / MANIFEST).write_text(
        listed.replace('"files": [', '"files": ["tables/stale_old_table.csv", ')
    )
    write_report(result, out, maps=False)
    assert (out / "mine.txt").read_text() == "x" and (out / "userdir" / "u.txt").exists()
    assert (out / "tables" / "user_notes.csv").exists() and (out / "empty").is_dir()
    assert (out / "link").is_symlink() and not (out / "tables" / "stale_old_table.csv").exists()
    assert "mine.txt" not in (out / MANIFEST).read_text()  # still the user's, not the package's
    assert oct(out.stat().st_mode & 0o777) == oct(0o777 & ~_umask())
