"""Statements rewritten for cold page loads (issue 21) give exactly the rows of the statements they replaced.

Each reference below is the earlier statement, run in the same reader tenant session on the generated
demo data, for every generated organization, all workspaces and one workspace.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from prometric_pipelines.sql import load_sql
from tests.dashboards_data import app_env, demo_data  # noqa: F401  (fixtures)
from tests.test_dashboards_cache import owner_scope, owners

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
    from lib import queries

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
