"""Beyond one machine: the overlay of each project on a dask cluster, the same tables.

A province's or a ministry's whole set of projects is many rights of way over many
cadastral layers. The run splits where the work splits:

1. the driver reads and checks the inputs (:func:`gpmb_gis.inputs.load_inputs`): only the
   parcels that touch a right of way are read, so this follows the length of the roads, not
   the size of the files, and the handover book is matched once, as a whole (a record's
   project, repeated keys and the record accounting need all of it);
2. the overlay of each project (cut, disjoint faces, communes, chainage bins) runs on the
   cluster, one task per project, with the same :func:`gpmb_gis.overlay.overlay_project`
   as a single process;
3. the driver measures and writes the tables from the overlays.

So the tables are those of :func:`gpmb_gis.compute_progress`, whatever the cluster.
dask is optional: ``pip install "gpmb_gis[dask]"``.

Examples
--------
>>> from dask.distributed import Client, LocalCluster          # doctest: +SKIP
>>> client = Client(LocalCluster(n_workers=4))                  # doctest: +SKIP
>>> result = compute_progress_on(client, "province.toml")      # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from gpmb_gis.config import Config, Project
from gpmb_gis.inputs import Inputs, load_inputs
from gpmb_gis.overlay import overlay_project
from gpmb_gis.result import ProgressResult
from gpmb_gis.run import OverlayAll, config_for, measure_inputs

__all__ = ["compute_progress_on", "overlay_on"]


def overlay_on(client: Any) -> OverlayAll:
    """An ``overlay`` for :func:`~gpmb_gis.run.measure_inputs`: one dask task a project.

    Parameters
    ----------
    client
        A ``dask.distributed.Client``. The inputs are sent to every worker once.
    """

    def run(projects: list[Project], inputs: Inputs) -> dict[str, Any]:
        shared = client.scatter(inputs, broadcast=True)
        futures = [
            client.submit(overlay_project, p, shared, key=f"overlay-{p.id}", pure=False)
            for p in projects
        ]
        return {p.id: ov for p, ov in zip(projects, client.gather(futures), strict=True)}

    return run


def compute_progress_on(
    client: Any,
    config: Config | str,
    as_of: dt.date | None = None,
    *,
    include_owner: bool = False,
    allow_unplaced: bool = False,
) -> ProgressResult:
    """:func:`gpmb_gis.compute_progress` with each project's overlay on a dask cluster.

    Parameters
    ----------
    client
        A ``dask.distributed.Client`` (a ``LocalCluster`` on one machine, or a scheduler).
    config, as_of, include_owner, allow_unplaced
        As for :func:`gpmb_gis.compute_progress`.

    Returns
    -------
    ProgressResult
        The same tables as :func:`gpmb_gis.compute_progress`.
    """
    config = config_for(config, allow_unplaced=allow_unplaced)
    day = as_of or config.as_of or dt.date.today()
    return measure_inputs(
        load_inputs(config, settle=False),
        day,
        include_owner=include_owner,
        overlay=overlay_on(client),
    )
