"""Stock reconciliation of one day: findings per organization, and optionally the safe fixes.

For each organization, in ONE transaction (REPEATABLE READ: every statement sees the same snapshot)
and under a per-organization advisory lock (two runs never interleave):

1. the run row of (organization, run date) replaces any earlier one of that day (findings cascade);
2. `sql/stock/find_discrepancies.sql` — one set-based pass over the ledger, inventory and products
   (a read-only query, so PostgreSQL may scan with parallel workers) — yields every finding
   (kinds in `KINDS`, semantics in ../shared/specs/stock.md and docs/stock.md), inserted in a batch;
3. apply mode: an ADJUSTMENT movement per ledger_vs_inventory finding, products' stock set to the
   inventory sums, an audit_logs row per change;
4. one notification per warehouse manager summarising their warehouses' findings;
5. the run row gets its summary and status `completed`; commit.

A failure anywhere rolls the organization's transaction back: the database is as before.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time
import uuid
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import Connection, Engine

from prometric_pipelines.config import BUSINESS_TIMEZONE, business_today  # noqa: F401 (re-exported)
from prometric_pipelines.db.schema import stock_discrepancies
from prometric_pipelines.operations.isolation import OrganizationFailure, run_per_organization, with_names
from prometric_pipelines.sql import load_sql
from prometric_pipelines.validation import require_organizations

KINDS: tuple[str, ...] = (
    "ledger_vs_inventory",
    "inventory_vs_product",
    "negative_stock",
    "expired_stock",
    "invalid_movement",
    "cross_tenant_reference",
    "below_min_stock",
)
# Open findings of these kinds fail the run's asset check; the others warn.
FAILING_KINDS: frozenset[str] = frozenset({"cross_tenant_reference", "invalid_movement"})
# The hash aggregate of the ledger pass is small (groups, not movements), but inventory and the
# findings' joins may spill at the 4 MB default on large catalogues.
WORK_MEM = "64MB"
STEP = "stock_reconciliation"  # the asset's step, in failure reports
# The guard at the numeric edge: stock_discrepancies' columns and their limits once rounded. A value
# that does not fit is stored as NULL and kept as text in details.outOfRange (never an overflow of
# the organization's run); a ledger_vs_inventory finding with one posts no adjustment.
COLUMN_LIMITS: dict[str, tuple[int, Decimal]] = {
    "expected": (3, Decimal("1e12")),
    "actual": (3, Decimal("1e12")),
    "difference": (3, Decimal("1e12")),
    "valueImpact": (2, Decimal("1e16")),
}


@dataclasses.dataclass(frozen=True)
class OrganizationReconciliation:
    """What one organization's run found and changed."""

    organization_id: str
    run_id: str
    findings: dict[str, int]  # kind -> count (every kind present, 0 when none)
    value_impact: dict[str, Decimal]  # kind -> sum of valueImpact (KZT)
    adjustments: int  # ADJUSTMENT movements posted (apply mode)
    products_synced: int  # products whose currentStock/reservedStock were set (apply mode)
    audit_rows: int
    notifications: int
    seconds: float
    values_out_of_range: int = 0  # finding values stored as NULL: too large for their column

    def summary(self) -> dict[str, object]:
        """The run row's `summary` JSON."""
        return {
            "findings": self.findings,
            "valueImpact": {kind: str(value) for kind, value in self.value_impact.items()},
            "adjustments": self.adjustments,
            "productsSynced": self.products_synced,
            "auditRows": self.audit_rows,
            "notifications": self.notifications,
            "valuesOutOfRange": self.values_out_of_range,
        }


@dataclasses.dataclass(frozen=True)
class ReconciliationResult:
    run_date: dt.date
    applied: bool
    organizations: list[OrganizationReconciliation]  # those that completed
    failures: list[OrganizationFailure] = dataclasses.field(default_factory=list)  # rolled back, with the reason

    @property
    def findings(self) -> dict[str, int]:
        return {kind: sum(org.findings[kind] for org in self.organizations) for kind in KINDS}

    @property
    def value_impact(self) -> dict[str, Decimal]:
        return {kind: sum((org.value_impact[kind] for org in self.organizations), Decimal(0)) for kind in KINDS}

    @property
    def adjustments(self) -> int:
        return sum(org.adjustments for org in self.organizations)

    @property
    def products_synced(self) -> int:
        return sum(org.products_synced for org in self.organizations)

    @property
    def audit_rows(self) -> int:
        return sum(org.audit_rows for org in self.organizations)

    @property
    def notifications(self) -> int:
        return sum(org.notifications for org in self.organizations)

    @property
    def values_out_of_range(self) -> int:
        return sum(org.values_out_of_range for org in self.organizations)


def organizations_to_reconcile(engine: Engine, organization_ids: Iterable[str] | None) -> list[str]:
    """The given organizations (each must exist: else InvalidInput "unknown organization …"), or all."""
    with engine.connect() as conn:
        if organization_ids:
            return require_organizations(conn, organization_ids)
        return [str(org) for org in conn.execute(load_sql("stock", "organizations")).scalars()]


def reconcile(
    engine: Engine,
    run_date: dt.date,
    *,
    organization_ids: Iterable[str] | None = None,
    apply: bool = False,
    run_key: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> ReconciliationResult:
    """Reconciles every organization (or those given) for `run_date`; one transaction each. An
    organization whose data makes its transaction fail is rolled back alone and listed in `failures`;
    the others go on."""
    run_key = run_key or f"manual-{uuid.uuid4()}"

    def work(organization_id: str) -> OrganizationReconciliation:
        result = reconcile_organization(engine, organization_id, run_date, apply=apply, run_key=run_key)
        if progress is not None:
            found = ", ".join(f"{count} {kind}" for kind, count in result.findings.items() if count) or "no findings"
            progress(f"organization {organization_id}: {found} ({result.seconds:.2f} s)")
        return result

    organizations = organizations_to_reconcile(engine, organization_ids)
    results, failures = run_per_organization(organizations, work, step=STEP)
    return ReconciliationResult(run_date, apply, results, with_names(engine, failures))


def reconcile_organization(
    engine: Engine, organization_id: str, run_date: dt.date, *, apply: bool, run_key: str
) -> OrganizationReconciliation:
    started = time.perf_counter()
    org = {"organization_id": uuid.UUID(organization_id)}
    with engine.connect() as conn:
        # Waits for another run of this organization to finish; taken before the transaction begins so
        # that the transaction's snapshot sees what that run committed (no double adjustment).
        conn.execute(load_sql("stock", "lock_organization"), org)
        conn.commit()
        try:
            conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                result = _reconcile_in_transaction(conn, organization_id, run_date, apply=apply, run_key=run_key)
        finally:
            if not conn.closed and not conn.invalidated:
                conn.execute(load_sql("stock", "unlock_organization"), org)
                conn.commit()
    return dataclasses.replace(result, seconds=time.perf_counter() - started)


def guard_numeric_edges(rows: Iterable[Any]) -> tuple[list[dict[str, Any]], int]:
    """The findings with every value that does not fit its column once rounded set to NULL and kept
    as text in details.outOfRange; and how many values were so set."""
    guarded, count = [], 0
    for row in rows:
        finding = dict(row)
        for column, (places, limit) in COLUMN_LIMITS.items():
            value = finding.get(column)
            if value is not None and abs(round(Decimal(value), places)) >= limit:
                finding["details"] = {**finding["details"], "outOfRange": {
                    **finding["details"].get("outOfRange", {}), column: str(value)}}  # fmt: skip
                finding[column] = None
                count += 1
        guarded.append(finding)
    return guarded, count


def _reconcile_in_transaction(
    conn: Connection, organization_id: str, run_date: dt.date, *, apply: bool, run_key: str
) -> OrganizationReconciliation:
    conn.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
    # the run's "now": ledger on-hand counts movements up to here; adjustments are stamped with it
    as_of = conn.execute(text("SELECT LOCALTIMESTAMP")).scalar_one()
    params: dict[str, object] = {
        "organization_id": uuid.UUID(organization_id),  # typed: psycopg sends str as text
        "run_date": run_date,
        "run_key": run_key,
        "applied": apply,
        "started_at": as_of,
        "as_of": as_of,
        "posted_at": as_of,
    }
    conn.execute(load_sql("stock", "delete_run"), params)
    params["run_id"] = conn.execute(load_sql("stock", "insert_run"), params).scalar_one()
    found, out_of_range = guard_numeric_edges(conn.execute(load_sql("stock", "find_discrepancies"), params).mappings())
    if found:
        conn.execute(
            insert(stock_discrepancies),
            [{**row, "runId": params["run_id"], "createdAt": as_of} for row in found],
        )

    adjustments = products_synced = 0
    if apply:
        params["reason"] = f"stock reconciliation {run_date} (run {run_key}): inventory count taken as the truth"
        adjustments = len(conn.execute(load_sql("stock", "post_adjustments"), params).all())
        products_synced = len(conn.execute(load_sql("stock", "sync_product_stock"), params).all())
    notifications = len(conn.execute(load_sql("stock", "notify_managers"), params).all())

    findings = dict.fromkeys(KINDS, 0)
    value_impact = dict.fromkeys(KINDS, Decimal(0))
    for kind, count, value in conn.execute(load_sql("stock", "summarise_run"), params):
        findings[kind] = count
        value_impact[kind] = Decimal(value)
    result = OrganizationReconciliation(
        organization_id=organization_id,
        run_id=str(params["run_id"]),
        findings=findings,
        value_impact=value_impact,
        adjustments=adjustments,
        products_synced=products_synced,
        audit_rows=adjustments + products_synced,
        notifications=notifications,
        seconds=0.0,
        values_out_of_range=out_of_range,
    )
    conn.execute(load_sql("stock", "finish_run"), {**params, "summary": json.dumps(result.summary())})
    return result
