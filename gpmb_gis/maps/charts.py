"""Charts for the briefing (matplotlib): burn-up, communes against the project, stage funnel.

They draw tables computed elsewhere; they compute no metric.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from gpmb_gis import columns as C
from gpmb_gis.labels import format_number, format_pct, quarter_label, stage_name, word
from gpmb_gis.maps.static import plain, pyplot
from gpmb_gis.palette import AGENCY_COLOURS, BLOCKED_COLOUR, STAGE_COLOURS, STATUS_COLOURS
from gpmb_gis.timeline import timeseries_table

if TYPE_CHECKING:
    from gpmb_gis.result import ProgressResult

__all__ = ["LAG_POINTS", "burnup_chart", "plot_agencies", "plot_burnup", "plot_commune_bars",
           "plot_funnel"]  # fmt: skip


#: Communes this many points behind the project are flagged on the commune chart.
LAG_POINTS = 10.0


def burnup_chart(
    series: pd.DataFrame,
    milestones: pd.DataFrame,
    *,
    title: str,
    as_of: dt.date,
    lang: str = "vi",
    households: int | None = None,
) -> tuple[Any, Any]:
    """Cleared % over time, milestone targets, the recent trend to the next deadline.

    Parameters
    ----------
    series
        The project's weekly rows of ``timeseries.csv`` (scope ``project``).
    milestones
        The project's rows of ``milestones.csv``.
    households
        The project's households affected: the households handed over are drawn too, in %
        of them (the series must have ``households_handed_over``).
    """
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(11.69, 5.5))
    dates = pd.to_datetime(series["date"])
    ax.plot(
        dates,
        series[C.CLEARED_PCT],
        color=STAGE_COLOURS[C.HANDED_OVER],
        linewidth=2.2,
        label=word("cleared_of", lang),
    )
    ax.fill_between(dates, 0, series[C.CLEARED_PCT], color=STAGE_COLOURS[C.HANDED_OVER], alpha=0.12)
    if households and "households_handed_over" in series:
        ax.plot(
            dates,
            100 * series["households_handed_over"] / households,
            color=STAGE_COLOURS[C.PAID],
            linewidth=1.6,
            label=word("households_handed_over_pct", lang),
        )
    for row in milestones.itertuples(index=False):
        colour = STATUS_COLOURS.get(row.status, "#333333")
        ax.scatter(
            [pd.Timestamp(row.date)],
            [row.target_pct],
            marker="D",
            s=70,
            color=colour,
            zorder=5,
            edgecolor="#222222",
        )
        ax.annotate(
            f"{row.target_pct:g}% {row.date:%d/%m/%Y}\n{word(row.status, lang)}",
            (pd.Timestamp(row.date), row.target_pct),
            textcoords="offset points",
            xytext=(6, -24),
            fontsize=8,
            color=colour,
        )
    ahead = milestones[pd.to_datetime(milestones["date"]) > pd.Timestamp(as_of)]
    if len(ahead) and len(series):
        now = float(series[C.CLEARED_PCT].iloc[-1])
        rate = float(ahead["recent_pct_per_week"].iloc[0])
        end = pd.Timestamp(ahead["date"].min())
        weeks = (end - pd.Timestamp(as_of)).days / 7
        ax.plot(
            [pd.Timestamp(as_of), end],
            [now, min(now + rate * weeks, 100.0)],
            linestyle="--",
            color="#555555",
            linewidth=1.2,
            label=word("trend", lang),
        )
    ax.axvline(pd.Timestamp(as_of), color="#000000", linewidth=0.8, linestyle=":")
    ax.text(pd.Timestamp(as_of), 102, f" {word('as_of', lang)} {as_of:%d/%m/%Y}", fontsize=8)
    right = max([pd.Timestamp(as_of), *pd.to_datetime(milestones["date"])])
    ax.set_xlim(left=dates.min() if len(dates) else None, right=right + pd.Timedelta(days=45))
    from matplotlib.dates import DateFormatter

    ax.xaxis.set_major_formatter(DateFormatter("%m/%Y"))
    ax.set_ylim(0, 108)
    ax.set_ylabel("%")
    ax.grid(color="#E5E5E5")
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title(plain(title), fontsize=11)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig, ax


def plot_burnup(
    result: ProgressResult,
    project: str,
    *,
    lang: str | None = None,
    households: bool = False,
) -> tuple[Any, Any]:
    """Cleared % of a project over time with its milestones and recent trend: (fig, ax).

    ``households``: draw the households handed over too (in % of those affected), when the
    book has households.

    Examples
    --------
    >>> fig, ax = gg.plot_burnup(result, "CT_HNCL", households=True)
    """
    series = timeseries_table(result)
    series = series[(series[C.PROJECT] == project) & (series["scope"] == "project")]
    milestones = result.milestones()
    return burnup_chart(
        series,
        milestones[milestones[C.PROJECT] == project],
        title=result.overlays[project].project.name,
        as_of=result.as_of,
        lang=lang or result.config.lang,
        households=_households_affected(result, project) if households else None,
    )


def _households_affected(result: ProgressResult, project: str) -> int | None:
    table = result.progress_by_project.set_index(C.PROJECT)
    if C.HOUSEHOLDS_AFFECTED not in table:
        return None
    return int(table.loc[project, C.HOUSEHOLDS_AFFECTED])


def plot_commune_bars(
    communes: pd.DataFrame,
    project_pct: float,
    *,
    title: str,
    lang: str = "vi",
    lag_points: float = LAG_POINTS,
) -> tuple[Any, Any]:
    """Each commune's cleared % against the project's, laggards flagged."""
    plt = pyplot()
    rows = communes.sort_values(C.CLEARED_PCT)
    fig, ax = plt.subplots(figsize=(11.69, max(2.5, 0.45 * len(rows) + 1.5)))
    lagging = rows[C.CLEARED_PCT] < project_pct - lag_points
    colours = np.where(lagging, BLOCKED_COLOUR, STAGE_COLOURS[C.HANDED_OVER])
    y = np.arange(len(rows))
    ax.barh(y, rows[C.CLEARED_PCT], color=colours)
    ax.set_yticks(y, [plain(c) for c in rows[C.COMMUNE]], fontsize=9)
    ax.axvline(project_pct, color="#000000", linestyle="--", linewidth=1)
    ax.text(
        project_pct,
        len(rows) - 0.4,
        f" {word('project_average', lang)} {format_pct(project_pct, lang)} %",
        fontsize=8,
        va="bottom",
    )
    for yi, pct, lag in zip(y, rows[C.CLEARED_PCT], lagging, strict=True):
        ax.text(
            min(pct, 100) + 0.5,
            yi,
            f"{format_pct(pct, lang)} %" + (f"  ▼ {word('lagging', lang)}" if lag else ""),
            va="center",
            fontsize=8,
        )
    ax.set_xlim(0, 118)
    ax.set_xlabel("%")
    ax.set_title(plain(title), fontsize=11)
    fig.tight_layout()
    return fig, ax


def plot_funnel(stages: pd.Series, *, title: str, lang: str = "vi") -> tuple[Any, Any]:
    """Area at each stage or later (inventoried → handed over), in hectares."""
    plt = pyplot()
    order = [C.INVENTORIED, C.PLAN_APPROVED, C.PAID, C.HANDED_OVER]
    values = [float(stages.get(f"{s}_m2", 0.0)) / 1e4 for s in order]
    required = float(stages.get(C.REQUIRED_M2, max(values) * 1e4 or 1.0)) / 1e4
    fig, ax = plt.subplots(figsize=(8.27, 4.0))
    y = np.arange(len(order))[::-1]
    ax.barh(y, values, color=[STAGE_COLOURS[s] for s in order], edgecolor="#333333")
    for yi, v in zip(y, values, strict=True):
        share = format_pct(100 * v / required, lang)
        ax.text(v, yi, f" {format_number(v, 2, lang)} ha ({share} %)", va="center", fontsize=8)
    ax.set_yticks(y, [stage_name(s, lang) for s in order], fontsize=9)
    ax.set_xlim(0, required * 1.35)
    ax.axvline(required, color="#000000", linestyle=":", linewidth=1)
    ax.set_title(plain(title), fontsize=11)
    fig.tight_layout()
    return fig, ax


def plot_agencies(agencies: pd.DataFrame, *, title: str, lang: str = "vi") -> tuple[Any, Any]:
    """The steps late and overdue of each agency per quarter of their due day, stacked.

    ``agencies``: ``agencies.csv`` (:func:`gpmb_gis.deadlines.agencies_table`). Each agency
    has its colour; the steps done late are solid, those still overdue hatched.
    """
    plt = pyplot()
    quarters = sorted(agencies["quarter"].unique())
    names = list(dict.fromkeys(agencies["agency"]))
    fig, ax = plt.subplots(figsize=(11.69, 5.0))
    x = np.arange(len(quarters))
    bottom = np.zeros(len(quarters))
    for k, agency in enumerate(names):
        mine = agencies[agencies["agency"] == agency].set_index("quarter")
        colour = AGENCY_COLOURS[k % len(AGENCY_COLOURS)]
        for kind, hatch in (("late", None), ("overdue", "///")):
            counts = mine[kind].reindex(quarters, fill_value=0).to_numpy(dtype=float)
            ax.bar(x, counts, bottom=bottom, color="white" if hatch else colour,
                   edgecolor=colour, hatch=hatch, linewidth=1,
                   label=plain(agency) if hatch is None else None)  # fmt: skip
            bottom += counts
    for xi, total in zip(x, bottom, strict=True):
        ax.text(xi, total, format_number(total, 0, lang), ha="center", va="bottom", fontsize=8)
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    handles = [*ax.get_legend_handles_labels()[0],
               Patch(facecolor="white", edgecolor="#333333", hatch="///",
                     label=word("overdue_now", lang))]  # fmt: skip
    ax.set_xticks(x, [quarter_label(q, lang) for q in quarters], fontsize=9)
    ax.set_ylabel(word("steps_late", lang))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # steps are counted whole
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_number(v, 0, lang)))
    ax.set_ylim(0, max(1.0, float(bottom.max(initial=0.0))) * 1.15)
    # beside the bars, where no total can hide under it
    ax.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0),
              frameon=False)  # fmt: skip
    ax.set_title(plain(title), fontsize=11)
    fig.tight_layout()
    return fig, ax
