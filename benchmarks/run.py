"""Time the compute path on the bundled sample and print the figures (``make bench``).

Speed is measured here, never asserted in tests. The full suite (synthetic layers of 10k to
3M parcels, the naive baseline and the floor) is the subject of a later issue.
"""

from __future__ import annotations

import platform
import statistics
import time
from pathlib import Path

import gpmb_gis
from gpmb_gis.config import load_config
from gpmb_gis.progress import compute_progress
from gpmb_gis.report import write_report

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "data" / "cao_loc" / "gpmb.toml"
RUNS = 5


def _time(fn) -> list[float]:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    config = load_config(CONFIG)
    compute = _time(lambda: compute_progress(config))
    result = compute_progress(config)
    n_parcels = int(result.records.set_index("layer").loc["parcels", "read"])
    out = ROOT / "output" / "bench"
    report = _time(lambda: write_report(result, out))
    print(
        f"gpmb_gis {gpmb_gis.__version__} · Python {platform.python_version()} · "
        f"{platform.machine()} · {RUNS} runs, median (min–max)"
    )
    print(
        f"compute_progress, sample ({n_parcels} parcels): {statistics.median(compute):.2f} s "
        f"({min(compute):.2f}–{max(compute):.2f})"
    )
    print(
        f"write_report (tables, xlsx, PNG maps):   {statistics.median(report):.2f} s "
        f"({min(report):.2f}–{max(report):.2f})"
    )


if __name__ == "__main__":
    main()
