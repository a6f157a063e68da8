"""The metrics job's work, without Dagster: daily metrics, period rollups and KPIs for a date range.

Each function is one transaction under one advisory lock (concurrent runs serialise): the SQL of
`sql/metrics/` fills temporary tables for the whole range in one pass per fact table, then the
window's rows are deleted and the new ones inserted (a key computed again keeps its id), with the
comparison columns and targets computed set-based in the same statement. Re-running a range gives the same rows.
Rows the SQL leaves out (malformed ERP rows, no exchange rate, a value that does not fit
`metrics.value` once rounded) are counted with their reason in `metric_skips` and stored per step
and window in `metrics_skipped_rows` (docs/data-quality.md): never an overflow of the whole statement.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Connection, Engine

from prometric_pipelines.business_calendar import TIMEZONE_NAME
from prometric_pipelines.metrics.catalog import CATALOG, DAILY_METRICS, METRICS, catalog_arrays
from prometric_pipelines.metrics.formulas import FormulaError, parse_formula
from prometric_pipelines.metrics.periods import DAILY, PERIODS, Period
from prometric_pipelines.sql import load_sql
from prometric_pipelines.validation import require_organizations

WORK_MEM = "256MB"
# one query per fact table, each reading its table once for the whole range
DAILY_QUERIES = (
    "daily_orders",
    "daily_order_items",
    "daily_customers",
    "daily_deals",
    "daily_invoices",
    "daily_payments",
    "daily_expenses",
    "daily_stock",
    "daily_production",
    "daily_employees",
    "daily_attendance",
    "daily_leaves",
    "daily_tasks",
)


@dataclass
class MetricsResult:
    """What one step wrote, for the run report and Dagster metadata."""

    period: str
    first: dt.date
    last: dt.date
    organizations: int
    rows_written: int = 0
    rows_deleted: int = 0
    # rows left out, per organization, step, source, reason and detail (skipped_rows.sql)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    kpi_failures: list[str] = field(default_factory=list)
    kpi_values_missing: int = 0  # KPI values not produced: missing input or division by zero
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def skipped_rows(self) -> int:
        return sum(s["rows"] for s in self.skipped)


def run_organizations(conn: Connection, organization_ids: Iterable[str] | None) -> list[str]:
    """The organizations given (each must exist: else InvalidInput naming it), or all of them."""
    if organization_ids is None:
        return [str(o) for o in conn.execute(load_sql("metrics", "organizations")).scalars()]
    return require_organizations(conn, organization_ids)


def _begin(conn: Connection, organization_ids: list[str]) -> None:
    conn.execute(load_sql("metrics", "lock"))
    conn.execute(load_sql("metrics", "work_mem"), {"work_mem": WORK_MEM})
    conn.execute(load_sql("metrics", "custom_plans"))
    conn.execute(
        load_sql("metrics", "create_run_organizations"),
        {"organization_ids": organization_ids, "default_zone": TIMEZONE_NAME},
    )
    conn.execute(load_sql("metrics", "analyze_run_organizations"))
    conn.execute(load_sql("metrics", "create_rows"))
    conn.execute(load_sql("metrics", "create_replaced"))
    conn.execute(load_sql("metrics", "create_final"))
    conn.execute(load_sql("metrics", "create_final_index"))
    conn.execute(load_sql("metrics", "create_skips"))


def _write(
    conn: Connection, period: Period, first: dt.date, last: dt.date, orgs: list[str], run_id: str, *, kpi: bool
) -> tuple[int, int]:
    window = {"organization_ids": orgs, "period": period.name, "first": first, "last": last}
    step_name = f"kpi_{period.name}" if kpi else period.name
    conn.execute(load_sql("metrics", "skip_out_of_range"), {"step_name": step_name})
    conn.execute(load_sql("metrics", "persist_skips"), {**window, "step_name": step_name, "run_id": run_id})
    conn.execute(load_sql("metrics", "analyze_rows"))
    # the window's rows as they will be stored, then only the new or changed ones written: the stored rows
    # that differ are deleted (their keys keep id and createdAt through metric_replaced) and re-inserted,
    # identical ones stay. A re-run writes nothing but what changed (docs/metrics.md, "Write").
    conn.execute(load_sql("metrics", "clear_final"))
    conn.execute(load_sql("metrics", "stage_final_rows"), {**window, "step": period.step})
    conn.execute(load_sql("metrics", "analyze_final"))
    conn.execute(load_sql("metrics", "mark_stored_rows"), window)
    conn.execute(load_sql("metrics", "analyze_final"))  # the mark changed `stored` (see the file)
    conn.execute(load_sql("metrics", "delete_window"), {**window, "kpi": kpi})
    conn.execute(load_sql("metrics", "analyze_replaced"))
    written = conn.execute(
        load_sql("metrics", "insert_rows"),
        {"run_id": run_id, "computed_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")},
    ).rowcount
    deleted = conn.execute(load_sql("metrics", "count_stale_rows")).scalar_one()
    # the period after the window compares itself with the window's last period: refresh it
    following = period.next(last)
    conn.execute(
        load_sql("metrics", "update_comparisons"),
        {**window, "first": following, "last": following, "step": period.step},
    )
    return written, deleted


def _skipped(conn: Connection) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in conn.execute(load_sql("metrics", "skipped_rows"))]


# the steps of compute_daily, for progress reports: one query per fact table, the rows, the write
DAILY_STEPS = (*DAILY_QUERIES, "daily_rows", "write")


def compute_daily(
    engine: Engine,
    start: dt.date,
    end: dt.date,
    organization_ids: Iterable[str] | None = None,
    run_id: str = "",
    progress: Callable[[int, str], None] | None = None,
) -> MetricsResult:
    """Daily rows of every catalog metric for the local days start..end (one pass per fact table).
    `progress(steps_done, step)` is called after each of the DAILY_STEPS (one transaction throughout)."""
    report = progress or (lambda _done, _step: None)
    began = time.perf_counter()
    with engine.begin() as conn:
        orgs = run_organizations(conn, organization_ids)
        result = MetricsResult("daily", start, end, len(orgs))
        _begin(conn, orgs)
        conn.execute(load_sql("metrics", "create_values"))
        window = {"start": start, "end": end}
        for done, name in enumerate(DAILY_QUERIES, start=1):
            step_began = time.perf_counter()
            conn.execute(load_sql("metrics", name), window)
            result.timings[name] = round(time.perf_counter() - step_began, 3)
            report(done, name)
        conn.execute(load_sql("metrics", "analyze_values"))
        step_began = time.perf_counter()
        conn.execute(load_sql("metrics", "daily_rows"), {**window, **catalog_arrays(DAILY_METRICS)})
        result.timings["daily_rows"] = round(time.perf_counter() - step_began, 3)
        report(len(DAILY_QUERIES) + 1, "daily_rows")
        step_began = time.perf_counter()
        result.rows_written, result.rows_deleted = _write(conn, DAILY, start, end, orgs, run_id, kpi=False)
        result.timings["write"] = round(time.perf_counter() - step_began, 3)
        result.skipped = _skipped(conn)
        report(len(DAILY_STEPS), "write")
    result.seconds = round(time.perf_counter() - began, 3)
    return result


def compute_rollup(
    engine: Engine,
    period: Period,
    start: dt.date,
    end: dt.date,
    organization_ids: Iterable[str] | None = None,
    run_id: str = "",
) -> MetricsResult:
    """Rows of one grain for every period containing a day of start..end, from the stored daily rows."""
    began = time.perf_counter()
    first, last = period.touched(start, end)
    with engine.begin() as conn:
        orgs = run_organizations(conn, organization_ids)
        result = MetricsResult(period.name, first, last, len(orgs))
        _begin(conn, orgs)
        params = {
            "organization_ids": orgs,
            "period": period.name,
            "grain": period.grain,
            "step": period.step,
            "first": first,
            "last": last,
        }
        rolled = tuple(m for m in CATALOG if m.kind in ("flow", "snapshot", "ratio"))
        arrays = catalog_arrays(rolled)
        conn.execute(
            load_sql("metrics", "rollup_rows"),
            {**params, "names": arrays["names"], "kinds": arrays["kinds"], "scales": arrays["scales"]},
        )
        conn.execute(load_sql("metrics", "rollup_active_customers"), params)
        if period.name != "weekly":  # payroll_gross: months and longer only
            conn.execute(load_sql("metrics", "rollup_payroll_gross"), params)
        result.rows_written, result.rows_deleted = _write(conn, period, first, last, orgs, run_id, kpi=False)
        result.skipped = _skipped(conn)
    result.seconds = round(time.perf_counter() - began, 3)
    return result


def compute_kpis(
    engine: Engine, start: dt.date, end: dt.date, organization_ids: Iterable[str] | None = None, run_id: str = ""
) -> MetricsResult:
    """KPI rows (type 'kpi') of every period containing a day of start..end, per KPI frequency.

    A formula that does not parse or names an unknown metric is skipped with a message naming the
    KPI (result.kpi_failures); the others are still computed. A missing input or a division by zero
    gives no row; a value out of NUMERIC(15,2) once rounded is skipped and counted (result.skipped).
    """
    began = time.perf_counter()
    with engine.begin() as conn:
        orgs = run_organizations(conn, organization_ids)
        result = MetricsResult("kpi", start, end, len(orgs))
        _begin(conn, orgs)
        definitions = conn.execute(load_sql("metrics", "kpi_definitions"), {"organization_ids": orgs}).mappings().all()
        formulas: dict[tuple[str, str], list[tuple[str, Any]]] = {}  # (organization, period) -> [(name, formula)]
        seen: set[tuple[str, str, str]] = set()
        for definition in definitions:
            organization, name, frequency = (
                str(definition["organizationId"]),
                definition["name"],
                definition["frequency"],
            )
            where = f"KPI {name!r} of organization {organization}"
            if (organization, name, frequency) in seen:
                continue  # an older definition of the same KPI and frequency: the latest wins
            seen.add((organization, name, frequency))
            if frequency not in PERIODS:
                result.kpi_failures.append(f"{where}: frequency {frequency!r} is not one of {', '.join(PERIODS)}")
                continue
            if name in METRICS:
                result.kpi_failures.append(f"{where}: a formula KPI cannot take the name of a catalog metric")
                continue
            try:
                formula = parse_formula(definition["formula"], METRICS)
            except FormulaError as error:
                result.kpi_failures.append(f"{where}: {error}")
                continue
            formulas.setdefault((organization, frequency), []).append((name, formula))

        for period in PERIODS.values():
            first, last = period.touched(start, end)
            wanted = {org for (org, freq) in formulas if freq == period.name}
            rows: list[dict[str, Any]] = []
            if wanted:
                inputs = conn.execute(
                    load_sql("metrics", "kpi_inputs"),
                    {"organization_ids": sorted(wanted), "period": period.name, "first": first, "last": last},
                )
                for organization, workspace, day, values in inputs:
                    for name, formula in formulas.get((str(organization), period.name), []):
                        value = formula.evaluate({k: Decimal(str(v)) for k, v in values.items()})
                        if value is None:
                            result.kpi_values_missing += 1
                            continue
                        rows.append(
                            {"organization": organization, "workspace": workspace, "name": name,
                             "period": period.name, "date": day, "value": value}
                        )  # fmt: skip
            if rows:
                conn.execute(load_sql("metrics", "insert_kpi_row"), rows)
            written, deleted = _write(conn, period, first, last, orgs, run_id, kpi=True)
            conn.execute(load_sql("metrics", "clear_rows"))
            result.rows_written += written
            result.rows_deleted += deleted
        result.skipped = _skipped(conn)
    result.seconds = round(time.perf_counter() - began, 3)
    return result
