"""Shared fixtures: tiny datasets built in code, and the paths of shared real data."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_CONFIG = ROOT / "data" / "cao_loc" / "gpmb.toml"
SHARED = ROOT.parent / "shared"
REALDATA = SHARED / "realdata"
REFERENCE = SHARED / "reference"


@pytest.fixture
def hand_config(tmp_path: Path) -> Path:
    """The hand-checked corridor (see helpers.hand_case)."""
    from helpers import hand_case

    return hand_case(tmp_path)
