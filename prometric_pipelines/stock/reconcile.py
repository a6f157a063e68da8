"""Stock reconciliation of one day: findings per organization, and optionally the safe fixes.

For each organization, in ONE transaction (REPEATABLE READ: every statement sees the same snapshot)
and under a per-organization advisory lock (two runs never interleave):

1. the run row of (organization, run date) replaces any earlier one of that day (findings cascade);
2. the ledger is aggregated to its groups (`ledger_groups`): from every movement (the full pass), or
   from the sealed balances of the last sealed month plus the movements after it (the nightly pass;
   pairs a late movement touched are unsealed and rebuilt); the months that ended are sealed;
3. `sql/stock/find_discrepancies.sql` — one set-based pass over those groups, inventory and products —
   yields every finding (kinds in `KINDS`, semantics in docs/stock.md), inserted in a batch;
4. apply mode: an ADJUSTMENT movement per ledger_vs_inventory finding, products' stock set to the
   inventory sums, an audit_logs row per change;
5. one notification per warehouse manager summarising their warehouses' findings;
6. the run row gets its summary and status `completed`; commit.

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
# A run seals the months that ended at least this long before it: a writer's transaction still open
# across a month's end (or in another session time zone) cannot slip a movement under a fresh seal.
SEAL_LAG = dt.timedelta(days=2)
# Sealed months kept per organization; a movement older than that unseals its pair to the beginning.
SEALED_MONTHS_KEPT = 12
# Above this share of the sealed groups, rebuilding the unsealed pairs one by one costs more than
# reading the ledger once: the run makes a full pass instead.
REBUILD_SHARE_LIMIT = 0.1
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
    ledger: str = "full"  # "full": every movement read; "sealed": sealed balances + later movements
    sealed_through: dt.date | None = None  # the last month sealed after the run
    unsealed_pairs: int = 0  # (warehouse, product) pairs a late movement unsealed

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
            "ledger": self.ledger,
            "sealedThrough": self.sealed_through.isoformat() if self.sealed_through else None,
            "unsealedPairs": self.unsealed_pairs,
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
    sealed_balances: bool = True,
    seal_through: dt.date | None = None,
) -> ReconciliationResult:
    """Reconciles every organization (or those given) for `run_date`; one transaction each. An
    organization whose data makes its transaction fail is rolled back alone and listed in `failures`;
    the others go on. `sealed_balances=False` forces the full pass (every movement read, the seals
    rebuilt); by default an organization with sealed balances reads only the movements after them.
    `seal_through` (the first day of a month) seals no later than that month (default: the last month
    that ended `SEAL_LAG` before the run)."""
    run_key = run_key or f"manual-{uuid.uuid4()}"

    def work(organization_id: str) -> OrganizationReconciliation:
        result = reconcile_organization(
            engine,
            organization_id,
            run_date,
            apply=apply,
            run_key=run_key,
            sealed_balances=sealed_balances,
            seal_through=seal_through,
        )
        if progress is not None:
            found = ", ".join(f"{count} {kind}" for kind, count in result.findings.items() if count) or "no findings"
            progress(f"organization {organization_id}: {found} ({result.seconds:.2f} s)")
        return result

    organizations = organizations_to_reconcile(engine, organization_ids)
    results, failures = run_per_organization(organizations, work, step=STEP)
    return ReconciliationResult(run_date, apply, results, with_names(engine, failures))


def reconcile_organization(
    engine: Engine,
    organization_id: str,
    run_date: dt.date,
    *,
    apply: bool,
    run_key: str,
    sealed_balances: bool = True,
    seal_through: dt.date | None = None,
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
                result = _reconcile_in_transaction(
                    conn,
                    organization_id,
                    run_date,
                    apply=apply,
                    run_key=run_key,
                    sealed_balances=sealed_balances,
                    seal_through=seal_through,
                )
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


def seal_horizon(as_of: dt.datetime) -> dt.datetime:
    """The first instant not sealed by a run at `as_of`: the start of the month `SEAL_LAG` before it."""
    day = (as_of - SEAL_LAG).date()
    return dt.datetime(day.year, day.month, 1)


def _month_before(day: dt.date, months: int = 1) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclasses.dataclass(frozen=True)
class LedgerGroups:
    """How a run read its ledger (stock_ledger_parts, a table of the transaction)."""

    mode: str  # "full" or "sealed"
    sealed_through: dt.date
    unsealed_pairs: int


def ledger_groups(
    conn: Connection, params: dict[str, Any], *, sealed_balances: bool, seal_through: dt.date | None = None
) -> LedgerGroups:
    """Fills the transaction's `stock_ledger_parts` with the organization's ledger groups as of
    `params["as_of"]` and seals the months that ended (see docs/stock.md, "Sealed balances")."""
    horizon = seal_horizon(params["as_of"])
    if seal_through is not None:
        horizon = min(horizon, dt.datetime.combine(_month_before(seal_through.replace(day=1), -1), dt.time()))
    period = _month_before(horizon.date())  # the last month this run may seal
    latest = conn.execute(load_sql("stock", "latest_sealed_period"), params).scalar_one_or_none()
    sealed = sealed_balances and latest is not None and latest <= period
    keys = conn.execute(load_sql("stock", "unsealed_keys"), {**params, "sealed_period": latest if sealed else None})
    unsealed = keys.rowcount
    conn.execute(load_sql("stock", "consume_seal_breaks"), params)
    if unsealed:  # the planner's row estimate (a fresh temporary table has no statistics)
        conn.execute(text("ANALYZE stock_unsealed_keys"))
    if sealed and unsealed:
        groups = conn.execute(load_sql("stock", "sealed_balance_count"), {**params, "sealed_period": latest})
        sealed = unsealed <= REBUILD_SHARE_LIMIT * groups.scalar_one()
    window = {**params, "horizon": horizon}
    # The aggregate's groups are few (thousands) but array_agg's estimated state per group makes the
    # planner expect a hash table larger than work_mem and sort every movement instead: 1.7x slower
    # (docs/stock.md, Performance). A hash aggregate still spills to disk if it ever has to.
    conn.execute(text("SET LOCAL enable_sort = off"))
    if sealed:
        conn.execute(load_sql("stock", "unseal_balances"), params)
        range_start = dt.datetime.combine(_month_before(latest, -1), dt.time())  # the month after `latest`
        conn.execute(
            load_sql("stock", "ledger_parts_sealed"), {**window, "sealed_period": latest, "range_start": range_start}
        )
    else:
        conn.execute(load_sql("stock", "delete_seals"), params)
        conn.execute(load_sql("stock", "ledger_parts_full"), window)
    conn.execute(text("SET LOCAL enable_sort = on"))
    newly_sealed = not sealed or period > latest
    if newly_sealed or unsealed:
        seal = {**params, "period": period if newly_sealed else latest, "all_groups": newly_sealed}
        conn.execute(load_sql("stock", "seal_balances"), seal)
        conn.execute(load_sql("stock", "seal_period"), seal)
        keep_from = _month_before(period, SEALED_MONTHS_KEPT)
        conn.execute(load_sql("stock", "prune_seals"), {**params, "keep_from": keep_from})
    return LedgerGroups("sealed" if sealed else "full", period if newly_sealed else latest, unsealed if sealed else 0)


def _reconcile_in_transaction(
    conn: Connection,
    organization_id: str,
    run_date: dt.date,
    *,
    apply: bool,
    run_key: str,
    sealed_balances: bool = True,
    seal_through: dt.date | None = None,
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
    ledger = ledger_groups(conn, params, sealed_balances=sealed_balances, seal_through=seal_through)
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
        ledger=ledger.mode,
        sealed_through=ledger.sealed_through,
        unsealed_pairs=ledger.unsealed_pairs,
    )
    conn.execute(load_sql("stock", "finish_run"), {**params, "summary": json.dumps(result.summary())})
    return result
