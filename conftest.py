"""The names the docstrings' examples use, for ``pytest --doctest-modules``.

``gg`` is the package, ``result`` the bundled sample measured as of its date, ``tmp_path`` a
fresh folder and ``dt`` the datetime module; the examples run from the project's root.
"""

from __future__ import annotations

import datetime
import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
# the tests keep sheet headers (gpmb_gis.header_cache) in a folder of their own, never the user's
os.environ["GPMB_CACHE_DIR"] = tempfile.mkdtemp(prefix="gpmb-test-cache-")


@pytest.fixture(scope="session")
def _sample_result():
    import matplotlib

    matplotlib.use("Agg")
    import gpmb_gis

    return gpmb_gis.compute_progress(ROOT / "data" / "cao_loc" / "gpmb.toml")


@pytest.fixture(autouse=True)
def _doctest_names(request: pytest.FixtureRequest) -> None:
    if not isinstance(request.node, pytest.DoctestItem):
        return  # a test of tests/: nothing to set up
    import numpy

    import gpmb_gis

    request.getfixturevalue("monkeypatch").chdir(ROOT)
    request.getfixturevalue("doctest_namespace").update(
        gg=gpmb_gis, result=request.getfixturevalue("_sample_result"),
        tmp_path=request.getfixturevalue("tmp_path"), dt=datetime, np=numpy)  # fmt: skip
