"""Every failure is a sentence: one line, exit 2, never ``internal:`` nor a library's own line."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from helpers import rect, simple_config, write_book_csv, write_layer

from gpmb_gis import cli
from gpmb_gis._errors import GpmbError
from gpmb_gis.cli import main


def _case(tmp_path, parcels: str = "parcels.gpkg"):
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, 0, 20, 10)}])
    write_layer(tmp_path / parcels, [
        {"TENXA": "Hợp Thành", "SHBANDO": 1, "SOTHUA": k,
         "geometry": rect(10 * (k - 1), 0, 10 * k, 10)} for k in (1, 2)])  # fmt: skip
    write_book_csv(tmp_path / "book.csv", [{"Xã": "Hợp Thành", "Tờ bản đồ": 1, "Số thửa": 1,
                                           "Ngày bàn giao": "01/03/2024"}])  # fmt: skip
    config = simple_config(tmp_path)
    if parcels != "parcels.gpkg":
        config.write_text(config.read_text().replace("parcels.gpkg", parcels))
    return config


def _one_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("gpmb: error: ") and "internal" not in err[0], err
    return err[0]


@pytest.mark.parametrize(("part", "what"), [(".dbf", "attribute table"), (".shx", "index")])
def test_shapefile_without_a_part_says_which(tmp_path, capsys, part, what):
    config = _case(tmp_path, "parcels.shp")
    (tmp_path / f"parcels{part}").unlink()
    assert main(["check", "--config", str(config)]) == 2
    line = _one_line(capsys)
    assert f"no parcels{part} (its {what})" in line and "no column for" not in line


def test_a_huge_csv_cell_is_a_sentence(tmp_path, capsys):
    config = _case(tmp_path)
    (tmp_path / "book.csv").write_text(
        "Tờ bản đồ,Số thửa,Ngày bàn giao,Ghi chú\n1,1,01/03/2024," + "x" * 10_000_000 + "\n",
        encoding="utf-8")  # fmt: skip
    assert main(["check", "--config", str(config)]) == 2
    assert "book.csv: cannot be read as a table" in _one_line(capsys)


def test_a_console_that_cannot_show_vietnamese_still_gets_the_table(tmp_path):
    config = _case(tmp_path)
    config.write_text(config.read_text().replace(
        'row = "row.gpkg"\n',
        'row = "row.gpkg"\nname = "Đường Hữu Nghị"\n'
        'milestones = [{ date = 2024-03-31, target_pct = 50, label = "Mốc đầu tiên" }]\n',
    ))  # fmt: skip
    env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    proc = subprocess.run([sys.executable, "-m", "gpmb_gis", "check", "--config", str(config)],
                          capture_output=True, env=env, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "M?c ??u ti\xean".encode("cp1252") in proc.stdout and b"internal" not in proc.stderr


def test_what_a_library_prints_is_folded_into_the_line(monkeypatch, capfd):
    def noisy(_args):
        os.write(2, b"ERROR 1: sqlite3_open(x.gpkg) failed: unable to open database file\n")
        raise GpmbError("x.gpkg", "cannot be read as a GIS layer", "check the file")

    monkeypatch.setitem(cli.COMMANDS, "qa", noisy)
    assert main(["qa", "--config", "x.toml"]) == 2
    err = capfd.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("gpmb: error: x.gpkg: cannot be read as a GIS layer — check the file")
    assert "(the library said: ERROR 1: sqlite3_open" in err[0]


def test_what_a_library_prints_on_success_is_in_our_words(monkeypatch, capfd):
    def noisy(_args):
        os.write(2, b"Warning 1: a field was truncated\n")
        return 0

    monkeypatch.setitem(cli.COMMANDS, "qa", noisy)
    assert main(["qa", "--config", "x.toml"]) == 0
    assert capfd.readouterr().err == "gpmb: warning: Warning 1: a field was truncated\n"


def test_control_characters_in_text_are_written_not_a_crash(tmp_path, capsys):
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, 0, 20, 10)}])
    write_layer(tmp_path / "parcels.gpkg", [
        {"TENXA": "Hợp\x0bThành", "SHBANDO": 1, "SOTHUA": k, "KHLOAIDAT": "LUC\x01",
         "CHUSUDUNG": "Bà\x0bA", "geometry": rect(10 * (k - 1), 0, 10 * k, 10)}
        for k in (1, 2)])  # fmt: skip
    write_book_csv(tmp_path / "book.csv", [{"Xã": "Hợp\x0bThành", "Tờ bản đồ": 1, "Số thửa": 1,
                                           "Ngày bàn giao": "01/03/2024"}])  # fmt: skip
    config = simple_config(tmp_path, 'name = "Road\\fone"\n')
    out = tmp_path / "out"
    code = main(["report", "--config", str(config), "--out", str(out), "--include-owner",
                 "--quarter", "2024Q2"])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert (out / "report.xlsx").stat().st_size and (out / "report.docx").stat().st_size
