"""The synthetic dataset: deterministic, and the bundled copy is what the generator makes."""

from __future__ import annotations

import hashlib

from helpers import SAMPLE_CONFIG

from gpmb_gis.sample import write_sample


def digests(folder):
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file() and p.name != "README.md"
    }


def test_same_seed_same_bytes(tmp_path):
    a = write_sample(tmp_path / "a", n_parcels=600).parent
    b = write_sample(tmp_path / "b", n_parcels=600).parent
    assert digests(a) == digests(b)
    c = write_sample(tmp_path / "c", n_parcels=600, seed=7).parent
    assert digests(c)["parcels.gpkg"] != digests(a)["parcels.gpkg"]


def test_bundled_sample_is_the_generators(tmp_path):
    fresh = write_sample(tmp_path / "cao_loc").parent
    assert digests(fresh) == digests(SAMPLE_CONFIG.parent), "run `make sample` and commit"


def test_sample_says_it_is_synthetic():
    text = SAMPLE_CONFIG.read_text(encoding="utf-8")
    assert "Synthetic" in text and "NOT official" in text
    readme = (SAMPLE_CONFIG.parent.parent / "README.md").read_text(encoding="utf-8")
    assert "synthetic" in readme.lower()
