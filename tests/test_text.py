"""Text normalisation, parcel keys and legacy Vietnamese encodings."""

from __future__ import annotations

import unicodedata

import pytest
from helpers import REFERENCE

from gpmb_gis._text import (
    TCVN3_TABLE,
    commune_key,
    decode_legacy,
    decode_tcvn3,
    decode_vni,
    fold,
    looks_legacy,
    number_key,
)


def test_fold_removes_accents_case_and_spaces():
    assert fold("  Thị  trấn ĐỒNG Đăng ") == "thi tran dong dang"
    assert fold(None) == "" and fold(float("nan")) == ""


@pytest.mark.parametrize(
    "name",
    [
        "Xã Hợp Thành",
        "HỢP THÀNH",
        "hop thanh",
        "xã  hợp thành",
        unicodedata.normalize("NFD", "Xã Hợp Thành"),
    ],
)
def test_commune_key_matches_spellings(name):
    assert commune_key(name) == "hop thanh"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Thị trấn Cao Lộc", "cao loc"),
        ("TT. Đồng Đăng", "dong dang"),
        ("TT Đồng Đăng", "dong dang"),
        ("Phường Vĩnh Trại", "vinh trai"),
    ],
)
def test_commune_key_drops_prefixes(name, key):
    assert commune_key(name) == key


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("007", "7"),
        (12.0, "12"),
        ("45.0", "45"),
        (" 12a ", "12a"),
        ("0", "0"),
        (None, ""),
        (float("nan"), ""),
    ],
)
def test_number_key(value, key):
    assert number_key(value) == key


def test_tcvn3_known_words():
    assert decode_tcvn3(b"H\xeep Th\xb5nh") == "Hợp Thành"
    assert decode_tcvn3(b"\xa7\xe5ng \xa7\xa8ng") == "Đồng Đăng"
    assert decode_tcvn3(b"Cao L\xe9c") == "Cao Lộc"
    assert decode_tcvn3(b"b\xb5n giao m\xc6t b\xbbng") == "bàn giao mặt bằng"


def test_vni_known_words():
    assert decode_vni("Hôïp Thaønh".encode("cp1252")) == "Hợp Thành"
    assert decode_vni("Ñoàng Ñaêng".encode("cp1252")) == "Đồng Đăng"
    assert decode_vni("Cao Loäc".encode("cp1252")) == "Cao Lộc"
    assert decode_vni("Höõu Nghò".encode("cp1252")) == "Hữu Nghị"


def test_decode_legacy_from_text_read_as_latin1():
    assert decode_legacy("Hîp Thµnh", "tcvn3") == "Hợp Thành"
    assert decode_legacy(12, "vni") == 12


def test_looks_legacy_guesses_and_leaves_unicode_alone():
    assert looks_legacy("Hîp Thµnh") == "tcvn3"
    assert looks_legacy("Ñoàng Ñaêng") == "vni"
    assert looks_legacy("Hợp Thành") is None
    assert looks_legacy("Café") is None
    assert looks_legacy("plain ascii") is None


def _reference_rows(name):
    path = REFERENCE / name
    if not path.exists():
        pytest.skip(f"{path} not present")
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip() or not line[0].isalnum():
            continue
        fields = line.split("\t")
        if fields[1].startswith("U+"):
            yield fields


def test_tcvn3_table_matches_reference():
    rows = list(_reference_rows("tcvn3_tcvn5712_to_unicode_reference.tsv"))
    assert len(rows) > 130
    for fields in rows:
        assert TCVN3_TABLE[int(fields[0], 16)] == chr(int(fields[1][2:], 16)), fields


def test_vni_decoder_matches_reference():
    rows = list(_reference_rows("vni_windows_to_unicode_reference.tsv"))
    assert len(rows) > 130
    for fields in rows:
        assert decode_vni(bytes.fromhex(fields[0])) == chr(int(fields[1][2:], 16)), fields
