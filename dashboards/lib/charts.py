"""Altair charts with the dashboards' conventions (KZT axes with grouping, tooltips, no chart junk)."""

from __future__ import annotations

import altair as alt
import pandas as pd

# one convention with lib/format.py: thousands grouped by no-break spaces, KZT in whole tenge
# (d3's "," groups with commas; Vega's replace() swaps them)
GROUPED = "replace(format(datum.value, ',.0f'), /,/g, '\u00a0')"
KZT_AXIS = alt.Axis(labelExpr=GROUPED + " + '\u00a0₸'", title=None, labelOverlap="greedy", tickCount=5)
COUNT_AXIS = alt.Axis(labelExpr=GROUPED, title=None, labelOverlap="greedy")


def trend(frame: pd.DataFrame, names: dict[str, str], *, kzt: bool = True, kind: str = "line") -> alt.Chart:
    """Metric series (date, name, value) as lines (or bars) per metric, named by `names`."""
    data = frame[frame["name"].isin(names)].copy()
    data["metric"] = data["name"].map(names)
    data["date"] = pd.to_datetime(data["date"])
    mark = alt.Chart(data).mark_line(point=True) if kind == "line" else alt.Chart(data).mark_bar()
    return mark.encode(
        x=alt.X("date:T", title=None),
        y=alt.Y("value:Q", axis=KZT_AXIS if kzt else COUNT_AXIS, title=None),
        color=alt.Color("metric:N", title=None, legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("date:T"), "metric:N", alt.Tooltip("value:Q", format=",.0f" if kzt else ",.2f")],
    ).properties(height=280)


def bars(frame: pd.DataFrame, category: str, value: str, *, kzt: bool = True, title: str = "") -> alt.Chart:
    """Horizontal bars, largest first, labels never truncated (sort and wide label limit)."""
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y(f"{category}:N", sort="-x", title=None, axis=alt.Axis(labelLimit=260, labelOverlap=False)),
            x=alt.X(f"{value}:Q", axis=KZT_AXIS if kzt else COUNT_AXIS, title=title or None),
            tooltip=[f"{category}:N", alt.Tooltip(f"{value}:Q", format=",.0f" if kzt else ",.2f")],
        )
        .properties(height=max(120, 32 * len(frame)))
    )


def ordered_bars(frame: pd.DataFrame, category: str, value: str, order: list[str], *, kzt: bool = True) -> alt.Chart:
    """Bars in a fixed category order (funnel stages, aging buckets)."""
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(f"{category}:N", sort=order, title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y(f"{value}:Q", axis=KZT_AXIS if kzt else COUNT_AXIS, title=None),
            tooltip=[f"{category}:N", alt.Tooltip(f"{value}:Q", format=",.0f" if kzt else ",.2f")],
        )
        .properties(height=260)
    )


def with_alert_days(chart: alt.Chart, days: pd.DataFrame) -> alt.LayerChart:
    """A trend with a dashed red rule on each alert day (`day`, `alerts`: lib/queries.py `alert_days`)."""
    marks = days.assign(date=pd.to_datetime(days["day"]))[["date", "alerts"]]
    rules = (
        alt.Chart(marks)
        .mark_rule(color="#d62728", strokeDash=[4, 3], strokeWidth=2)
        .encode(x="date:T", tooltip=[alt.Tooltip("date:T", title="Alert day"), alt.Tooltip("alerts:Q", title="Alerts")])
    )
    return alt.layer(chart, rules)
