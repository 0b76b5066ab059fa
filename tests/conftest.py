"""Shared fixtures: tiny datasets built in code (helpers.py holds the paths of shared data)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def hand_config(tmp_path: Path) -> Path:
    """The hand-checked corridor (see helpers.hand_case)."""
    from helpers import hand_case

    return hand_case(tmp_path)
