"""The briefing's pictures written to files: maps, charts, strip diagrams and web maps.

Each writer draws with :mod:`gpmb_gis.maps` and saves PNG and PDF (HTML for the web maps)
into the folder being built; :func:`gpmb_gis.report.write_report` links them from
``index.html``.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pandas as pd

from gpmb_gis import columns as C
from gpmb_gis.labels import word
from gpmb_gis.outdir import file_stem
from gpmb_gis.result import ProgressResult
from gpmb_gis.timeline import timeseries_table

__all__ = ["write_atlases", "write_charts", "write_maps", "write_strips", "write_web_maps"]


def _households_of(row: pd.Series) -> int | None:
    """A project's households affected, for its burn-up's line of households (None without)."""
    count = row.get(C.HOUSEHOLDS_AFFECTED)
    return int(count) if count is not None and not pd.isna(count) and count > 0 else None


def write_charts(result: ProgressResult, out_dir: Path, lang: str) -> list[Path]:
    """Write the burn-up, commune and funnel charts of each project (PNG and PDF)."""
    from gpmb_gis.maps.charts import burnup_chart, plot_agencies, plot_commune_bars, plot_funnel

    charts = out_dir / "charts"
    charts.mkdir(parents=True, exist_ok=True)
    series = timeseries_table(result)
    milestones = result.milestones()
    projects = result.progress_by_project.set_index(C.PROJECT)
    paths = []
    for pid, ov in result.overlays.items():
        row = projects.loc[pid]
        mine = series[(series[C.PROJECT] == pid) & (series["scope"] == "project")]
        figures = {
            "burnup": burnup_chart(
                mine,
                milestones[milestones[C.PROJECT] == pid],
                title=f"{ov.project.name} — {word('burnup', lang)}",
                as_of=result.as_of,
                lang=lang,
                households=_households_of(row),
            )[0],
            "communes": plot_commune_bars(
                result.communes_named(pid),
                float(row[C.CLEARED_PCT]),
                title=f"{ov.project.name} — {word('communes_chart', lang)}",
                lang=lang,
            )[0],
            "funnel": plot_funnel(
                row, title=f"{ov.project.name} — {word('funnel', lang)}", lang=lang
            )[0],
        }
        for kind, fig in figures.items():
            paths += _save(fig, charts / f"{file_stem(pid)}_{kind}")
    agencies = result.deadlines()["agencies"]
    if len(agencies):
        fig = plot_agencies(agencies, title=word("agencies_chart", lang), lang=lang)[0]
        paths += _save(fig, charts / "agencies_late")
    return paths


def _save(fig: Any, stem: Path, *, dpi: int = 150, pdf: bool = True) -> list[Path]:
    """A figure as PNG (and PDF), then closed."""
    from gpmb_gis.maps.static import pyplot

    paths = []
    for suffix in ("png", "pdf") if pdf else ("png",):
        path = stem.parent / f"{stem.name}.{suffix}"  # a project's id may hold a dot
        fig.savefig(path, dpi=dpi)
        paths.append(path)
    pyplot().close(fig)
    return paths


def write_strips(result: ProgressResult, out_dir: Path, lang: str) -> list[Path]:
    """Write the straight-line diagram of each road project: ``charts/<id>_strip.png``/.pdf.

    The PNG holds the first page; the PDF every page.
    """
    from matplotlib.backends.backend_pdf import PdfPages

    from gpmb_gis.maps.static import pyplot
    from gpmb_gis.maps.strip import strip_pages

    plt = pyplot()
    charts = out_dir / "charts"
    charts.mkdir(parents=True, exist_ok=True)
    paths = []
    for pid, ov in result.overlays.items():
        if ov.route is None:
            continue
        figures = strip_pages(result, pid, lang=lang)
        stem = file_stem(pid)
        png, pdf = charts / f"{stem}_strip.png", charts / f"{stem}_strip.pdf"
        figures[0].savefig(png, dpi=150)
        with PdfPages(pdf) as pages:
            for fig in figures:
                pages.savefig(fig)
                plt.close(fig)
        paths += [png, pdf]
    return paths


def write_maps(result: ProgressResult, out_dir: Path, lang: str) -> list[Path]:
    """Write the static maps into ``maps/``.

    Per project (PNG at 200 dpi and PDF, A4 landscape), per project and commune (PNG), and
    the district overview (PNG and PDF).
    """
    from gpmb_gis.maps.static import plot_overview, plot_project

    maps = out_dir / "maps"
    maps.mkdir(parents=True, exist_ok=True)
    paths = _save(plot_overview(result, lang=lang)[0], maps / "overview", dpi=200)
    for pid in result.overlays:
        paths += _save(plot_project(result, pid, lang=lang)[0], maps / file_stem(pid), dpi=200)
        for commune in result.by_commune(pid)[C.COMMUNE]:
            # the rows of land in no commune or in no parcel, worded in the run's language
            run = result.config.lang
            if commune not in (word("outside_communes", run), word("unmapped_land", run)):
                fig, _ = plot_project(result, pid, lang=lang, commune=commune)
                stem = maps / f"{file_stem(pid)}_{file_stem(commune, commune=True)}"
                paths += _save(fig, stem, dpi=120, pdf=False)
    return paths


def write_atlases(result: ProgressResult, out_dir: Path, lang: str) -> list[Path]:
    """Write the map book of each road (:mod:`gpmb_gis.maps.atlas`).

    ``maps/<id>_atlas.pdf`` holds the key map, then the pages; each is also a PNG,
    ``maps/<id>_atlas/page_00.png`` (the key map) and on.
    """
    from matplotlib.backends.backend_pdf import PdfPages

    from gpmb_gis.maps.atlas import iter_atlas_figures
    from gpmb_gis.maps.static import pyplot

    plt = pyplot()
    paths = []
    for pid, ov in result.overlays.items():
        if ov.route is None:
            continue
        figures = iter_atlas_figures(result, pid, result.config.atlas_scale, lang)
        first = next(figures, None)  # one page open at a time, however long the road
        if first is None:
            continue
        figures = itertools.chain([first], figures)
        stem = file_stem(pid)
        pdf, pngs = out_dir / "maps" / f"{stem}_atlas.pdf", out_dir / "maps" / f"{stem}_atlas"
        pngs.mkdir(parents=True, exist_ok=True)
        with PdfPages(pdf) as pages:
            for k, fig in enumerate(figures):
                png = pngs / f"page_{k:02d}.png"
                fig.savefig(png, dpi=100)
                pages.savefig(fig)
                plt.close(fig)
                paths.append(png)
        paths.append(pdf)
    return paths


def write_web_maps(
    result: ProgressResult,
    out_dir: Path,
    lang: str,
    *,
    include_owner: bool = False,
    cdn: bool = False,
) -> list[Path]:
    """Write one HTML map per project into ``maps/`` (self-contained unless ``cdn``)."""
    from gpmb_gis.maps.web import save_web_map, web_map

    maps = out_dir / "maps"
    maps.mkdir(parents=True, exist_ok=True)
    return [
        save_web_map(
            web_map(result, pid, lang=lang, include_owner=include_owner, cdn=cdn),
            maps / f"{file_stem(pid)}.html",
            cdn=cdn,
        )
        for pid in result.overlays
    ]
