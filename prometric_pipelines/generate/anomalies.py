"""`--inject-anomalies`: a small, reported set of known problems for reconciliation and checks.

Two are made while generating (a revenue spike, an overdue invoice wave: see `simulate/sales.py` and
`simulate/finance.py`); the stock
problems below are applied to the loaded data, inside the same transaction.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import psycopg

from prometric_pipelines.db.ids import uuid7
from prometric_pipelines.generate.scales import GenerateOptions
from prometric_pipelines.generate.state import Anomaly
from prometric_pipelines.sql import load_sql

_BIND = re.compile(r"(?<![:\w]):(\w+)")


def run_sql(conn: psycopg.Connection, name: str, **params: object) -> list[tuple]:
    """Runs `sql/generate/<name>.sql` (`:name` placeholders) on a psycopg connection."""
    statement = _BIND.sub(r"%(\1)s", load_sql("generate", name).text)
    return conn.execute(statement, params).fetchall()


def inject_anomalies(conn: psycopg.Connection, options: GenerateOptions, organizations: list[str]) -> list[Anomaly]:
    org = organizations[0]
    day = options.end
    created_at = dt.datetime.combine(day, dt.time(7, 0))
    rng = np.random.default_rng([options.seed, 1_000_003])
    ms = int(created_at.replace(tzinfo=dt.UTC).timestamp() * 1000)
    ids = [i.decode() for i in uuid7(rng, np.array([ms, ms + 1]))]
    found: list[Anomaly] = []
    for row in run_sql(conn, "anomaly_inventory_shortfall", organization_id=org, day=day):
        found.append(Anomaly("ledger_vs_inventory", f"inventory {row[0]}: counted 3 units below the ledger"))
    for row in run_sql(conn, "anomaly_product_stock_drift", organization_id=org, day=day):
        found.append(Anomaly("inventory_vs_product", f"product {row[1]} ({row[0]}): currentStock 7 above inventory"))
    for row in run_sql(conn, "anomaly_expired_batch", organization_id=org, expired_on=day - dt.timedelta(days=10)):
        found.append(
            Anomaly("expired_stock", f"inventory {row[0]} (batch {row[1]}): expired {day - dt.timedelta(days=10)}")
        )
    for row in run_sql(
        conn, "anomaly_invalid_movement", organization_id=org, movement_id=ids[0], created_at=created_at
    ):
        found.append(Anomaly("invalid_movement", f"stock movement {row[0]}: OUT with quantity -5"))
    if len(organizations) > 1:
        for row in run_sql(
            conn,
            "anomaly_cross_tenant_movement",
            organization_id=org,
            other_organization_id=organizations[1],
            movement_id=ids[1],
            created_at=created_at,
        ):
            found.append(
                Anomaly("cross_tenant_reference", f"stock movement {row[0]}: into another organization's warehouse")
            )
    return found
