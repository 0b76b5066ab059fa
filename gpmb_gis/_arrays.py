"""Array helpers shared by the vectorised joins (no Python loop per element)."""

from __future__ import annotations

import numpy as np


def expand_runs(count: np.ndarray, first: np.ndarray | None = None,
                ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """List runs of ``count[i]`` elements one after the other.

    Returns, for every element, the run it belongs to and its index: ``first[i] + k`` for the
    ``k``-th element of run ``i`` (just ``k`` without ``first``).

    Examples
    --------
    >>> run, at = expand_runs(np.array([2, 0, 3]), np.array([10, 20, 30]))
    >>> run.tolist(), at.tolist()
    ([0, 0, 2, 2, 2], [10, 11, 30, 31, 32])
    """
    count = np.asarray(count, dtype=np.int64)
    run = np.repeat(np.arange(len(count)), count)
    k = np.arange(len(run)) - np.repeat(np.cumsum(count) - count, count)
    return run, k if first is None else np.asarray(first, dtype=np.int64)[run] + k
