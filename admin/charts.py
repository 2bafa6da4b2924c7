"""Chart configurations for Chart.js (app/static/charts.js draws them): the server says what to draw."""

from __future__ import annotations

import json

from flask_babel import gettext as _

from models.hazards import HazardCategory
from models.statistics import MonthSeries

PALETTE = ("#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#c62828", "#00838f")


def _config(kind: str, labels: list[str], datasets: list[dict], *, stacked: bool = False, percent: bool = False) -> str:
    for n, dataset in enumerate(datasets):
        dataset.setdefault("backgroundColor", PALETTE[n % len(PALETTE)])
        dataset.setdefault("borderColor", PALETTE[n % len(PALETTE)])
    scale: dict = {"beginAtZero": True, "ticks": {"precision": 0}}  # counts and points: whole numbers
    if percent:
        scale["max"] = 100
    options = {"scales": {"x": {"stacked": stacked}, "y": {**scale, "stacked": stacked}}}
    return json.dumps({"type": kind, "data": {"labels": labels, "datasets": datasets}, "options": options})


def points_chart(series: MonthSeries) -> str:
    return _config(
        "bar",
        [m[5:] for m in series.months],
        [
            {"label": _("Points credited"), "data": series.credited},
            {"label": _("Points redeemed"), "data": series.redeemed},
        ],
    )


def hazards_chart(series: MonthSeries) -> str:
    datasets = [{"label": str(c.label), "data": series.hazards[c.value]} for c in HazardCategory]
    datasets.append({"label": _("Of them major (valid)"), "data": series.major, "type": "line", "stack": "major"})
    return _config("bar", [m[5:] for m in series.months], datasets, stacked=True)


def rectification_chart(series: MonthSeries) -> str:
    return _config(
        "line",
        [m[5:] for m in series.months],
        [{"label": _("Rectification rate (%)"), "data": series.rectification, "spanGaps": True}],
        percent=True,
    )


def year_charts(series: MonthSeries) -> dict[str, str]:
    """The three charts of a year, as the dashboard and the statistics page show them."""
    return {
        "points_chart": points_chart(series),
        "hazards_chart": hazards_chart(series),
        "rectification_chart": rectification_chart(series),
    }
