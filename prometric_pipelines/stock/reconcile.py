"""Stock reconciliation of one day: findings per organization, and optionally the safe fixes.

Every organization of the run, in ONE transaction (REPEATABLE READ: every statement sees the same
snapshot) under per-organization advisory locks (two runs of an organization never interleave), each
step one set-based statement for all of them:

1. the run row of (organization, run date) replaces any earlier one of that day (findings cascade);
2. the ledger is aggregated to its groups (`ledger_groups`): from every movement (the full pass), or
   from the sealed balances of the last sealed month plus the movements after it (the nightly pass;
   pairs a late movement touched are unsealed and rebuilt); the months that ended are sealed;
3. `sql/stock/find_discrepancies.sql` — one set-based pass over those groups, inventory and products —
   yields every finding (kinds in `KINDS`, semantics in docs/stock.md), inserted in a batch;
4. apply mode: an ADJUSTMENT movement per ledger_vs_inventory finding, products' stock set to the
   inventory sums, an audit_logs row per change;
5. one notification per warehouse manager and organization summarising their warehouses' findings;
6. the run rows get their summaries and status `completed`; commit.

A failure anywhere rolls the transaction back: the database is as before. When an organization's data
makes it fail, the run is repeated for halves of the organizations, down to the one that fails alone
(`monitoring.isolation.isolate`): its writes are rolled back, every other organization is written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import Connection, Engine

from prometric_pipelines.business_calendar import add_months
from prometric_pipelines.db.schema import stock_discrepancies
from prometric_pipelines.monitoring.isolation import OrganizationFailure, isolate, with_names
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
# Sealed months kept per organization (a run reads only the latest; older ones are history for inspection).
SEALED_MONTHS_KEPT = 12
# Above this share of the sealed groups unsealed at once (a bulk back-dated import), the run makes a
# full pass and seals from scratch instead of adding the late movements to the balances.
REBUILD_SHARE_LIMIT = 0.1
SORTS_OFF = "SELECT set_config('enable_sort', 'off', true), set_config('enable_incremental_sort', 'off', true)"
SORTS_ON = "SELECT set_config('enable_sort', 'on', true), set_config('enable_incremental_sort', 'on', true)"
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
    seconds: float  # of the transaction the organization was reconciled in (shared with the others there)
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
    """Reconciles every organization (or those given) for `run_date`, all in one transaction. An
    organization whose data makes the transaction fail is rolled back alone and listed in `failures`
    (the others are reconciled again without it). `sealed_balances=False` forces the full pass (every
    movement read, the seals rebuilt); by default an organization with sealed balances reads only the
    movements after them. `seal_through` (the first day of a month) seals no later than that month
    (default: the last month that ended `SEAL_LAG` before the run)."""
    run_key = run_key or f"manual-{uuid.uuid4()}"

    def attempt(group: list[str]) -> list[OrganizationReconciliation]:
        results = reconcile_organizations(
            engine,
            group,
            run_date,
            apply=apply,
            run_key=run_key,
            sealed_balances=sealed_balances,
            seal_through=seal_through,
        )
        for result in results if progress is not None else ():
            found = ", ".join(f"{count} {kind}" for kind, count in result.findings.items() if count) or "no findings"
            progress(f"organization {result.organization_id}: {found} ({result.seconds:.2f} s)")
        return results

    organizations = organizations_to_reconcile(engine, organization_ids)
    attempts, failures = isolate(organizations, attempt, step=STEP)
    order = {organization: index for index, organization in enumerate(organizations)}
    results = sorted((r for group in attempts for r in group), key=lambda r: order[r.organization_id])
    return ReconciliationResult(run_date, apply, results, with_names(engine, failures))


def reconcile_organizations(
    engine: Engine,
    organization_ids: Sequence[str],
    run_date: dt.date,
    *,
    apply: bool,
    run_key: str,
    sealed_balances: bool = True,
    seal_through: dt.date | None = None,
) -> list[OrganizationReconciliation]:
    """The organizations reconciled in one transaction (all committed, or none)."""
    started = time.perf_counter()
    ids = {"organization_ids": _typed(organization_ids)}
    with engine.connect() as conn:
        # Waits for other runs of these organizations to finish; taken before the transaction begins so
        # that the transaction's snapshot sees what those runs committed (no double adjustment).
        conn.execute(load_sql("stock", "lock_organizations"), ids)
        conn.commit()
        try:
            conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                results = _reconcile_in_transaction(
                    conn,
                    list(organization_ids),
                    run_date,
                    apply=apply,
                    run_key=run_key,
                    sealed_balances=sealed_balances,
                    seal_through=seal_through,
                )
        finally:
            if not conn.closed and not conn.invalidated:
                conn.execute(load_sql("stock", "unlock_organizations"), ids)
                conn.commit()
    seconds = time.perf_counter() - started
    return [dataclasses.replace(result, seconds=seconds) for result in results]


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


@dataclasses.dataclass(frozen=True)
class LedgerGroups:
    """How a run read one organization's ledger (stock_ledger_parts, a table of the transaction)."""

    mode: str  # "full" or "sealed"
    sealed_through: dt.date
    unsealed_pairs: int


def _typed(organization_ids: Iterable[str]) -> list[uuid.UUID]:
    """Ids as UUIDs: psycopg sends str as text, and text[] = uuid[] has no operator."""
    return [uuid.UUID(o) for o in organization_ids]


def _by_organization(rows: Iterable[Any]) -> dict[str, Any]:
    return {str(organization): value for organization, value in rows}


def ledger_groups(
    conn: Connection,
    organization_ids: Sequence[str],
    params: dict[str, Any],
    *,
    sealed_balances: bool,
    seal_through: dt.date | None = None,
) -> dict[str, LedgerGroups]:
    """Fills the transaction's `stock_ledger_parts` with the organizations' ledger groups as of
    `params["as_of"]` and seals the months that ended (see docs/stock.md, "Sealed balances"); each
    statement covers every organization (per-organization values go as parallel arrays)."""
    horizon = seal_horizon(params["as_of"])
    if seal_through is not None:
        horizon = min(horizon, dt.datetime.combine(add_months(seal_through, 1), dt.time()))
    period = add_months(horizon.date(), -1)  # the last month this run may seal
    latest = _by_organization(conn.execute(load_sql("stock", "latest_sealed_periods"), params))
    candidates = {o: latest.get(o) if sealed_balances and latest.get(o) and latest[o] <= period else None
                  for o in organization_ids}  # fmt: skip
    keys = conn.execute(
        load_sql("stock", "unsealed_keys"), {**params, "sealed_periods": [candidates[o] for o in organization_ids]}
    )
    unsealed: dict[str, int] = {}
    if keys.rowcount:
        unsealed = _by_organization(conn.execute(load_sql("stock", "unsealed_key_counts")))
        conn.execute(text("ANALYZE stock_unsealed_keys"))  # the planner's row estimate (no statistics yet)
    if unsealed:
        counted = [o for o in organization_ids if o in unsealed]
        counts = {"organization_ids": _typed(counted), "sealed_periods": [candidates[o] for o in counted]}
        groups = _by_organization(conn.execute(load_sql("stock", "sealed_balance_counts"), counts))
        for organization in counted:  # a bulk back-dated import: a full pass re-seals from scratch
            if unsealed[organization] > REBUILD_SHARE_LIMIT * groups.get(organization, 0):
                candidates[organization] = None
    sealed = [o for o in organization_ids if candidates[o] is not None]
    full = [o for o in organization_ids if candidates[o] is None]
    if any(o in unsealed for o in full):
        conn.execute(load_sql("stock", "keep_unsealed_keys"), {"organization_ids": _typed(sealed)})

    window = {**params, "horizon": horizon}
    # The aggregate's groups are few (thousands) but array_agg's estimated state per group makes the
    # planner expect a hash table larger than work_mem and sort every movement instead: 1.7x slower
    # (docs/stock.md, Performance), or, for several organizations, sort each organization's movements
    # after an index scan (incremental sort). A hash aggregate still spills to disk if it ever has to.
    conn.execute(text(SORTS_OFF))
    if full:
        conn.execute(load_sql("stock", "delete_seals"), {"organization_ids": _typed(full)})
    # made for every run: the organizations of a full pass (none on a quiet night) read every movement
    conn.execute(load_sql("stock", "ledger_parts_full"), {**window, "organization_ids": _typed(full)})
    if sealed:
        range_starts = [dt.datetime.combine(add_months(candidates[o], 1), dt.time()) for o in sealed]
        conn.execute(load_sql("stock", "ledger_parts_sealed"), {
            **window, "organization_ids": _typed(sealed), "sealed_periods": [candidates[o] for o in sealed],
            "range_starts": range_starts})  # fmt: skip
        # read above with the late movements' deltas; sealed again below
        conn.execute(load_sql("stock", "unseal_balances"), {"organization_ids": _typed(sealed)})
    # the late movements this run has seen are acted on (their deltas added, or covered by a full pass)
    conn.execute(load_sql("stock", "consume_seal_breaks"), params)
    conn.execute(text(SORTS_ON))

    ledgers: dict[str, LedgerGroups] = {}
    to_seal: list[tuple[str, dt.date, bool]] = []  # organization, month, every group (newly sealed)
    for organization in organization_ids:
        base = candidates[organization]
        newly_sealed = base is None or period > base
        pairs = unsealed.get(organization, 0) if base is not None else 0
        if newly_sealed or pairs:
            to_seal.append((organization, period if newly_sealed else base, newly_sealed))
        ledgers[organization] = LedgerGroups(
            "sealed" if base is not None else "full", period if newly_sealed else base, pairs
        )
    if to_seal:
        seal = {
            **params,
            "organization_ids": _typed(o for o, _, _ in to_seal),
            "periods": [month for _, month, _ in to_seal],
            "all_groups": [every for _, _, every in to_seal],
            "run_ids": [params["run_ids_by_organization"][o] for o, _, _ in to_seal],
            "keep_from": [add_months(month, -SEALED_MONTHS_KEPT) for _, month, _ in to_seal],
        }
        conn.execute(load_sql("stock", "seal_balances"), seal)
        conn.execute(load_sql("stock", "seal_period"), seal)
        conn.execute(load_sql("stock", "prune_seals"), seal)
    return ledgers


def _counts(rows: Iterable[Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for (organization,) in rows:
        counts[str(organization)] = counts.get(str(organization), 0) + 1
    return counts


def _reconcile_in_transaction(
    conn: Connection,
    organization_ids: list[str],
    run_date: dt.date,
    *,
    apply: bool,
    run_key: str,
    sealed_balances: bool = True,
    seal_through: dt.date | None = None,
) -> list[OrganizationReconciliation]:
    # the run's "now": ledger on-hand counts movements up to here; adjustments are stamped with it
    as_of = conn.execute(text(f"SELECT set_config('work_mem', '{WORK_MEM}', true), LOCALTIMESTAMP")).one()[1]
    params: dict[str, Any] = {
        "organization_ids": _typed(organization_ids),
        "run_date": run_date,
        "run_key": run_key,
        "applied": apply,
        "started_at": as_of,
        "as_of": as_of,
        "posted_at": as_of,
    }
    conn.execute(load_sql("stock", "delete_run"), params)
    run_ids = dict(conn.execute(load_sql("stock", "insert_run"), params).all())
    params["run_ids_by_organization"] = {str(o): run_id for o, run_id in run_ids.items()}
    params["run_ids"] = [params["run_ids_by_organization"][o] for o in organization_ids]
    ledgers = ledger_groups(conn, organization_ids, params, sealed_balances=sealed_balances, seal_through=seal_through)
    del params["run_ids_by_organization"]
    found, _ = guard_numeric_edges(conn.execute(load_sql("stock", "find_discrepancies"), params).mappings())
    out_of_range: dict[str, int] = {}
    for finding in found:
        if "outOfRange" in finding["details"]:
            organization = str(finding["organizationId"])
            out_of_range[organization] = out_of_range.get(organization, 0) + len(finding["details"]["outOfRange"])
    if found:
        conn.execute(
            insert(stock_discrepancies),
            [{**row, "runId": run_ids[row["organizationId"]], "createdAt": as_of} for row in found],
        )

    adjustments: dict[str, int] = {}
    products_synced: dict[str, int] = {}
    if apply:
        params["reason"] = f"stock reconciliation {run_date} (run {run_key}): inventory count taken as the truth"
        adjustments = _counts(conn.execute(load_sql("stock", "post_adjustments"), params))
        products_synced = _counts(conn.execute(load_sql("stock", "sync_product_stock"), params))
    notifications = _counts(conn.execute(load_sql("stock", "notify_managers"), params))

    findings = {o: dict.fromkeys(KINDS, 0) for o in organization_ids}
    value_impact = {o: dict.fromkeys(KINDS, Decimal(0)) for o in organization_ids}
    for organization, kind, count, value in conn.execute(load_sql("stock", "summarise_run"), params):
        findings[str(organization)][kind] = count
        value_impact[str(organization)][kind] = Decimal(value)
    results = []
    for organization in organization_ids:
        ledger = ledgers[organization]
        results.append(
            OrganizationReconciliation(
                organization_id=organization,
                run_id=str(params["run_ids"][len(results)]),
                findings=findings[organization],
                value_impact=value_impact[organization],
                adjustments=adjustments.get(organization, 0),
                products_synced=products_synced.get(organization, 0),
                audit_rows=adjustments.get(organization, 0) + products_synced.get(organization, 0),
                notifications=notifications.get(organization, 0),
                seconds=0.0,
                values_out_of_range=out_of_range.get(organization, 0),
                ledger=ledger.mode,
                sealed_through=ledger.sealed_through,
                unsealed_pairs=ledger.unsealed_pairs,
            )
        )
    conn.execute(load_sql("stock", "finish_run"), {
        **params, "summaries": [json.dumps(result.summary()) for result in results]})  # fmt: skip
    return results
