"""What was rewritten for cold page loads (issue 21) gives exactly what it replaced.

Each reference below is the earlier statement or function, run on the generated demo data (in the same
reader tenant session for SQL) for every generated organization, and on hand-made edge cases.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import text

from prometric_pipelines.sql import load_sql
from tests.dashboards_data import app_env, demo_data  # noqa: F401  (fixtures)
from tests.test_dashboards_cache import from_query, owner_scope, owners, queries

CASH_FLOW_PARTS = ("payments_received", "payments_made", "expenses_amount")

# sql/dashboards/stock_movements.sql before the per-movement product probe
STOCK_MOVEMENTS_JOINED = """
SELECT CAST(m."createdAt" AS date) AS day, m.type, p.unit, count(*) AS movements, sum(abs(m.quantity)) AS quantity
FROM stock_movements m
JOIN products p ON p.id = m."productId" AND p."organizationId" = m."organizationId"
WHERE m."organizationId" = :organization_id
  AND m."createdAt" >= :start AND m."createdAt" < CAST(:end AS date) + 1
  AND (CAST(:workspace_ids AS uuid[]) IS NULL OR m."workspaceId" = ANY(CAST(:workspace_ids AS uuid[])))
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3"""


@pytest.mark.parametrize("one_workspace", [False, True], ids=["all-workspaces", "one-workspace"])
def test_stock_movements_equal_the_joined_statement(app_env, one_workspace):  # noqa: F811
    start, end = app_env.today - dt.timedelta(days=89), app_env.today
    compared = 0
    for org, user in owners(app_env):
        workspaces = None
        if one_workspace:
            with app_env.owner.connect() as conn:
                first = text('SELECT id FROM workspaces WHERE "organizationId" = :o ORDER BY name LIMIT 1')
                workspaces = (str(conn.execute(first, {"o": org}).scalar_one()),)
        scope = owner_scope(org, user, workspaces=workspaces)
        params = queries._params(scope, start=start, end=end)
        with queries.reader_session(scope) as conn:
            rows = conn.execute(load_sql("dashboards", "stock_movements"), params).all()
            reference = conn.execute(text(STOCK_MOVEMENTS_JOINED), params).all()
        assert rows == reference
        compared += len(rows)
    assert compared > 50  # the demo data has movements in the range: the comparison is not of two empty sets


def cash_flow_by_merge(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """queries.cash_flow_after_expenses before issue 21 (pandas merge and duplicate removal): the reference."""
    if frame.empty:
        return frame
    parts = frame[frame["name"].isin(CASH_FLOW_PARTS)].copy()
    if parts.empty:
        return frame
    sign = parts["name"].map({"payments_received": 1.0, "payments_made": -1.0, "expenses_amount": -1.0})
    parts["value"] = parts["value"].astype(float).fillna(0.0) * sign
    net = parts.groupby(keys, as_index=False)["value"].sum()
    rest = frame[frame["name"] != "net_cash_flow"]
    template = (
        frame[frame["name"].isin(CASH_FLOW_PARTS)]
        .drop_duplicates(subset=keys)
        .drop(columns=["value"])
        .assign(name="net_cash_flow")
    )
    return pd.concat([rest, template.merge(net, on=keys, how="inner")], ignore_index=True)


def test_net_cash_flow_equals_the_merge_on_hand_made_rows():
    day = [dt.date(2025, 11, d) for d in (1, 2, 3)]
    frame = pd.DataFrame(
        {
            # day 1: all three parts (a sum that rounds: pandas' own summation must decide the last bit);
            # day 2: one part with no value and a stale catalog net; day 3: no part at all
            "date": [day[0]] * 4 + [day[1]] * 3 + [day[2]],
            "name": ["expenses_amount", "orders_count", "payments_made", "payments_received",
                     "net_cash_flow", "payments_received", "payments_made", "orders_count"],
            "value": [8108145.83, 7.0, -0.01, 25344651620.81, 5.0, 10.0, None, 3.0],
            "numerator": [float("nan")] * 8,
        }
    )  # fmt: skip
    expected = cash_flow_by_merge(frame, ["date"])
    pd.testing.assert_frame_equal(queries.cash_flow_after_expenses(frame, ["date"]), expected, check_exact=True)
    net = expected[expected["name"] == "net_cash_flow"]
    assert net["date"].tolist() == day[:2]  # one net row per day with parts, in the frame's order
    assert net["value"].iloc[1] == 10.0  # a missing part counts as 0; the stale catalog row is gone
    no_parts = frame[frame["name"] == "orders_count"]
    assert queries.cash_flow_after_expenses(no_parts, ["date"]) is no_parts


@pytest.mark.parametrize("grain", ["day", "week"])
def test_net_cash_flow_equals_the_merge_on_generated_pages(app_env, monkeypatch, grain):  # noqa: F811
    frames: list[tuple[pd.DataFrame, list[str]]] = []
    real = queries.cash_flow_after_expenses

    def captured(frame: pd.DataFrame, keys) -> pd.DataFrame:
        frames.append((frame.copy(), list(keys)))
        return real(frame, keys)

    monkeypatch.setattr(queries, "cash_flow_after_expenses", captured)
    filters = from_query({"preset": "90d", "grain": grain}, app_env.today)
    for org, user in owners(app_env):
        for page in ("overview", "finance"):
            queries.run_page(owner_scope(org, user), page, filters)
    assert len(frames) >= 8
    for frame, keys in frames:
        pd.testing.assert_frame_equal(real(frame, keys), cash_flow_by_merge(frame, keys), check_exact=True)
