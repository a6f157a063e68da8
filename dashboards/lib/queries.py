"""Every database read of the dashboards.

Two layers:
* plain functions `*_data(conn, scope, filters)` / `deal_detail(conn, scope, deal_id)` …: check the
  viewer's permission FIRST (access.Forbidden before any SQL), then run parameterised SQL from
  `sql/dashboards/*.sql` (never string-built). The tests and `bench/dashboards.py` call these.
* `page_data` for the app: the permission check, then one shared single-flight cache for every
  session (`lib/shared_cache.py`) keyed by `page_key` — organization, workspaces, HR access, the user
  where the rows depend on who looks, the metrics data version and the filters — so viewers of one
  scope share one read and no one else's rows ever answer a call. The drill-downs (`deal`,
  `employee`, `payslip`) keep `st.cache_data` keyed by the whole Scope.

Every read runs inside `reader_session(scope)`: the reader login — the dashboards' only login — with
row-level security scoped to the organization (and workspaces) and the viewer — the one place that
opens a tenant session. The owner-only Database page reads the database-wide health snapshots there too:
their policies show them only when the signed viewer owns the organization (docs/security.md).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pandas as pd
import streamlit as st
from psycopg.types.numeric import FloatLoader
from sqlalchemy.engine import Connection, Engine

from lib import format as fmt
from lib.access import Forbidden, Scope, require_hr, require_page
from lib.filters import GRAINS, Filters
from lib.shared_cache import SingleFlightCache
from prometric_pipelines.audit.query import AuditFilters, query_audit_logs
from prometric_pipelines.business_calendar import TIMEZONE_NAME, add_months
from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.db.roles import reader_database_url
from prometric_pipelines.db.tenancy import TenantViewer, tenant_session
from prometric_pipelines.errors import PrometricError
from prometric_pipelines.maintenance.backup import backup_location, list_backups
from prometric_pipelines.maintenance.health import DEAD_RATIO_WORTH_A_LOOK, read_report
from prometric_pipelines.metrics.catalog import METRICS, catalog_arrays
from prometric_pipelines.metrics.formulas import FormulaError, parse_formula
from prometric_pipelines.sql import load_sql

CACHE_SECONDS = 300  # the metrics change nightly; ERP tables within minutes
CACHE_ENTRIES = 256  # per function: bounded memory under many viewers × filters
TABLE_LIMIT = 500  # rows of a listing table (the CSV download holds the same rows)
BACKUPS_SHOWN = 5  # the Database page's newest backups

OVERVIEW_CARDS: tuple[tuple[str, str, str], ...] = (
    # (metric, title, unit)
    ("orders_revenue", "Revenue", "kzt"),
    ("orders_count", "Orders", "count"),
    ("average_order_value", "Average order value", "kzt"),
    ("gross_profit", "Gross profit", "kzt"),
    ("net_cash_flow", "Net cash flow", "kzt"),
    ("accounts_receivable", "Accounts receivable", "kzt"),
    ("pipeline_value", "Pipeline", "kzt"),
    ("headcount", "Headcount", "count"),
)


# ---- engines and the one tenant session ---------------------------------------------------------


@st.cache_resource(max_entries=4)
def _engine(url: str) -> Engine:
    return create_db_engine(url, pool_size=10, max_overflow=20)


def reader_engine() -> Engine:
    return _engine(reader_database_url().render_as_string(hide_password=False))


@contextmanager
def reader_session(scope: Scope, engine: Engine | None = None) -> Iterator[Connection]:
    """The reader login inside a transaction scoped to the scope's organization and workspaces.

    The viewer's HR access is signed into the session too, so the database's own policies hide the HR
    rows (employees, attendance, leaves, payroll, HR audit rows) the role may not see, even if a page's
    SQL forgot the query layer's check (docs/security.md)."""
    viewer = TenantViewer(scope.user_id, scope.hr_access)
    with tenant_session(engine or reader_engine(), scope.organization_id, scope.workspace_ids, viewer=viewer) as conn:
        # NUMERIC arrives as float on the reader's connections: the pages only chart and format, and the
        # driver converting is cheaper than a per-column Decimal check on every frame
        conn.connection.driver_connection.adapters.register_loader("numeric", FloatLoader)
        yield conn


def _params(scope: Scope, **more: Any) -> dict[str, Any]:
    return {
        "organization_id": scope.organization_id,
        "workspace_ids": list(scope.workspace_ids) if scope.workspace_ids is not None else None,
        **more,
    }


def _frame(conn: Connection, name: str, params: dict[str, Any]) -> pd.DataFrame:
    result = conn.execute(load_sql("dashboards", name), params)
    # plain tuples: pandas turns Row objects into tuples itself, at twice the cost (a cold page's Python time)
    rows = [tuple(row) for row in result.fetchall()]
    return pd.DataFrame(rows, columns=list(result.keys()))  # NUMERIC as float: reader_session


# ---- metrics: combined over workspaces in SQL ----------------------------------------------------


def _catalog(names: Sequence[str]) -> dict[str, list]:
    """The metrics' kinds and scales as bind parameters: the SQL combines workspaces with them."""
    return catalog_arrays(tuple(METRICS[name] for name in dict.fromkeys(names)))


def metric_series(
    conn: Connection, scope: Scope, names: Sequence[str], period: str, start: dt.date, end: dt.date
) -> pd.DataFrame:
    """Combined values of `names` at `period` for periods starting start..end: one row per (date, name)
    with value (ratios Σ numerator / Σ denominator × scale, the rest summed), numerator, denominator."""
    params = _params(scope, **_catalog(names), period=period, start=start, end=end)
    return _frame(conn, "metric_rows", params)


def metric_totals(
    conn: Connection,
    scope: Scope,
    names: Sequence[str],
    start: dt.date,
    end: dt.date,
    previous: tuple[dt.date, dt.date] | None = None,
) -> pd.DataFrame:
    """One row per (range_name, name) for start..end ("current") and the `previous` range: flows summed,
    snapshots the last day's total, ratios Σ/Σ over the range — computed in SQL (metric_summary.sql)."""
    previous_start, previous_end = previous or (None, None)
    params = _params(
        scope, **_catalog(names), start=start, end=end, previous_start=previous_start, previous_end=previous_end
    )
    return _frame(conn, "metric_summary", params)


CASH_FLOW_PARTS = ("payments_received", "payments_made", "expenses_amount")


def cash_flow_after_expenses(frame: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """`net_cash_flow` as the pages show it: Received − Paid out − Expenses. The catalog metric nets the
    payments only (OUTGOING payments settle purchase orders; expenses are paid outside `payments`), so a
    reader adding the Finance cards got another number. Rows per `keys` (a range, a date) get the sum of
    the parts present there; the other metrics' rows are unchanged.

    One pass in Python over the parts' rows and one pandas group sum (the arithmetic pandas did before,
    so the figures are the same to the last bit): the merge and duplicate removal it replaces cost 8–23 ms
    per call, a third of a cold Overview (tests/test_dashboards_cold_reads.py compares both)."""
    if frame.empty:
        return frame
    is_part = frame["name"].isin(CASH_FLOW_PARTS).to_numpy()
    if not is_part.any():
        return frame
    sign = {"payments_received": 1.0, "payments_made": -1.0, "expenses_amount": -1.0}
    key_rows = zip(*(frame[k].tolist() for k in keys), strict=True)
    groups: dict[tuple, int] = {}  # key → its group number, in order of first appearance
    first_rows: list[int] = []  # each group's first part row: the net row's other columns
    codes: list[int] = []
    signed: list[float] = []
    for row, (key, name, value, part) in enumerate(
        zip(key_rows, frame["name"].tolist(), frame["value"].tolist(), is_part, strict=True)
    ):
        if not part or any(pd.isna(k) for k in key):  # a missing key has no group (groupby's dropna)
            continue
        code = groups.setdefault(key, len(groups))
        if code == len(first_rows):
            first_rows.append(row)
        codes.append(code)
        signed.append((0.0 if pd.isna(value) else float(value)) * sign[name])
    rest = frame[frame["name"] != "net_cash_flow"]
    if not first_rows:
        return pd.concat([rest, frame.iloc[0:0]], ignore_index=True)
    sums = pd.Series(signed, dtype="float64").groupby(codes).sum().to_numpy()
    net = frame.iloc[first_rows].assign(name="net_cash_flow", value=sums)
    return pd.concat([rest, net], ignore_index=True)


def summarize(totals: pd.DataFrame, name: str) -> float | None:
    """The range's number of `name` from `metric_totals` rows (one range): None when it has no rows."""
    rows = totals[totals["name"] == name]
    if rows.empty or pd.isna(rows["value"].iloc[0]):
        return None
    return float(rows["value"].iloc[0])


def summaries(totals: pd.DataFrame) -> dict[str, float | None]:
    """`summarize` of every name in `totals` at once (one pass instead of a filter per name)."""
    found: dict[str, float | None] = {}
    for name, value in zip(totals["name"], totals["value"], strict=True):
        if name not in found:
            found[name] = None if pd.isna(value) else float(value)
    return found


def _current_totals(conn: Connection, scope: Scope, names: Sequence[str], f: Filters) -> pd.DataFrame:
    return metric_totals(conn, scope, names, f.start, f.end)


# ---- pages ----------------------------------------------------------------------------------------


def data_as_of(conn: Connection, scope: Scope) -> tuple[dt.date | None, str | None]:
    row = conn.execute(load_sql("dashboards", "data_as_of"), _params(scope)).first()
    return (row.day, row.computed_at) if row is not None else (None, None)


def overview_data(conn: Connection, scope: Scope, f: Filters) -> dict[str, Any]:
    require_page(scope, "overview")
    names = [name for name, _, _ in OVERVIEW_CARDS]
    kpis = _frame(conn, "kpi_definitions", _params(scope))
    # one read for the cards, their previous range and the KPI formulas' inputs (set-based in SQL)
    wanted = sorted((set(names) | kpi_inputs(kpis) | set(CASH_FLOW_PARTS)) - {"net_cash_flow"})
    totals = metric_totals(conn, scope, wanted, f.start, f.end, f.previous())
    totals = cash_flow_after_expenses(totals, ["range_name"])
    current = totals[totals["range_name"] == "current"]
    previous = totals[totals["range_name"] == "previous"]
    previous_start, _ = f.previous()
    if previous.empty or previous["first_date"].min() > previous_start:
        # the history starts inside the previous range: a change against part of it would mislead
        previous = previous.iloc[0:0]
    series = metric_series(conn, scope, [*names, *CASH_FLOW_PARTS], f.period, _period_floor(f), f.end)
    series = cash_flow_after_expenses(series, ["date"])
    now, before = summaries(current), summaries(previous)
    cards = [
        {"name": name, "title": title, "unit": unit, "value": now.get(name), "previous": before.get(name)}
        for name, title, unit in OVERVIEW_CARDS
    ]
    return {"cards": cards, "series": series, "kpis": kpi_table(kpis, current, f), "as_of": data_as_of(conn, scope)}


def kpi_table(definitions: pd.DataFrame, totals: pd.DataFrame, f: Filters | None = None) -> pd.DataFrame:
    """KPI definitions with the range's value: a catalog metric's own value, or the formula evaluated
    on the range's combined catalog values (so combined workspaces get Σ/Σ, not an average); with `f`,
    each target scaled to the range (`range_target`), per grain period (`grain_target`) and the status."""
    if definitions.empty:
        return definitions
    values = {
        name: Decimal(str(value)) if value is not None else None
        for name, value in (summaries(totals).items() if not totals.empty else ())
    }
    shown = []
    for row in definitions.to_dict("records"):
        value: float | None = None
        additive = False
        if row["name"] in values:
            value = float(values[row["name"]]) if values[row["name"]] is not None else None
            additive = METRICS[row["name"]].kind == "flow"
        elif row["formula"]:
            try:
                formula = parse_formula(row["formula"], METRICS)
                if formula.metrics <= values.keys():
                    result = formula.evaluate(values)
                    value = float(result) if result is not None else None
                additive = is_additive(row["formula"], formula.metrics)
            except FormulaError:
                value = None
        extra: dict[str, Any] = {}
        if f is not None:
            target = None if pd.isna(row["target"]) else float(row["target"])
            frequency = str(row["frequency"] or "").lower()
            range_target = grain_target = None
            if target is not None:
                if additive and frequency in PERIOD_DAYS:
                    range_target = target * periods_covered(frequency, f.start, f.end)
                    grain_target = target * PERIOD_DAYS[GRAINS[f.grain]] / PERIOD_DAYS[frequency]
                else:  # a ratio or a level: the target holds for any range as it is
                    range_target = grain_target = target
            extra = {"range_target": range_target, "grain_target": grain_target,
                     "status": target_status(value, range_target)}  # fmt: skip
        shown.append({**row, "value": value, **extra})
    return pd.DataFrame(shown)


# average length in days of a KPI frequency / a grain period (targets per period → per grain period)
PERIOD_DAYS = {"daily": 1.0, "weekly": 7.0, "monthly": 365.25 / 12, "quarterly": 365.25 / 4, "yearly": 365.25}


def periods_covered(frequency: str, start: dt.date, end: dt.date) -> float:
    """How many of the frequency's periods the range covers, exactly: each day counts 1 / the length of its
    own month (quarter, year), so 1–30 June is one month and 90 days are 90 / 30.4 months only on average."""
    if frequency in ("daily", "weekly"):
        return ((end - start).days + 1) / PERIOD_DAYS[frequency]
    months = {"monthly": 1, "quarterly": 3, "yearly": 12}[frequency]
    covered, day = 0.0, start
    while day <= end:
        first_month = (day.month - 1) // months * months  # 0-based month the period starts in
        first = dt.date(day.year, first_month + 1, 1)
        following = add_months(first, months)
        last = min(end, following - dt.timedelta(days=1))
        covered += ((last - day).days + 1) / (following - first).days
        day = last + dt.timedelta(days=1)
    return covered


def is_additive(formula: str, inputs: frozenset[str]) -> bool:
    """Whether a KPI formula grows with the range (a sum or difference of flows): then its target scales."""
    return bool(inputs) and all(METRICS[n].kind == "flow" for n in inputs) and not any(c in formula for c in "/*")


def target_status(value: float | None, target: float | None) -> str | None:
    """On/off target (every demo KPI is "higher is better"); None without a value or a target."""
    if value is None or target is None or pd.isna(value) or pd.isna(target):
        return None
    return "on target" if value >= target else "below target"


def _period_floor(f: Filters) -> dt.date:
    from prometric_pipelines.metrics.periods import PERIODS

    return PERIODS[f.period].start_of(f.start)


def kpi_inputs(definitions: pd.DataFrame) -> set[str]:
    """The daily catalog metrics the KPI table needs: the KPIs that are metrics and formulas' inputs."""
    names: set[str] = set()
    for row in definitions.to_dict("records"):
        if row["name"] in METRICS:
            names.add(row["name"])
        elif row["formula"]:
            try:
                names |= set(parse_formula(row["formula"], METRICS).metrics)
            except FormulaError:
                continue
    return {name for name in names if METRICS[name].kind != "monthly"}


def sales_data(conn: Connection, scope: Scope, f: Filters, search: str = "") -> dict[str, Any]:
    require_page(scope, "sales")
    names = ["orders_revenue", "orders_count", "win_rate", "deals_won", "deals_lost", "deals_created"]
    search = search.replace("\x00", "").strip()[:100]  # PostgreSQL text cannot hold NUL
    return {
        "series": metric_series(conn, scope, names, f.period, _period_floor(f), f.end),
        "totals": _current_totals(conn, scope, names, f),
        "top_customers": _frame(conn, "top_customers", _params(scope, start=f.start, end=f.end, limit=20)),
        "funnel": _frame(conn, "pipeline_funnel", _params(scope)),
        "deals": _frame(
            conn,
            "deals",
            _params(scope, start=f.start, end=f.end, limit=TABLE_LIMIT, search=search, pattern=_like(search)),
        ),
    }


def _like(search: str) -> str:
    """A literal ILIKE pattern: the user's % and _ match themselves (escaped), bound as a parameter."""
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def deal_detail(conn: Connection, scope: Scope, deal_id: str) -> dict[str, pd.DataFrame]:
    require_page(scope, "sales")
    params = _params(scope, deal_id=deal_id)
    return {
        "products": _frame(conn, "deal_products", params),
        "activities": _frame(conn, "deal_activities", params),
    }


def finance_data(conn: Connection, scope: Scope, f: Filters) -> dict[str, Any]:
    require_page(scope, "finance")
    names = ["invoiced_amount", "payments_received", "payments_made", "expenses_amount"]
    series = metric_series(conn, scope, names, f.period, _period_floor(f), f.end)
    return {
        "series": cash_flow_after_expenses(series, ["date"]),
        "totals": cash_flow_after_expenses(_current_totals(conn, scope, names, f), ["range_name"]),
        "aging": _frame(conn, "ar_aging", _params(scope, as_of=f.end)),
        "overdue": _frame(conn, "overdue_invoices", _params(scope, as_of=f.end, limit=TABLE_LIMIT)),
        "expenses": _frame(conn, "expenses_by_category", _params(scope, start=f.start, end=f.end)),
    }


def inventory_data(conn: Connection, scope: Scope, f: Filters) -> dict[str, Any]:
    require_page(scope, "inventory")
    names = ["inventory_value", "out_of_stock_products", "low_stock_products", "stock_received_value",
             "stock_issued_value"]  # fmt: skip
    return {
        "series": metric_series(conn, scope, names, f.period, _period_floor(f), f.end),
        "levels": _frame(conn, "stock_levels", _params(scope, limit=TABLE_LIMIT)),
        "movements": _frame(conn, "stock_movements", _params(scope, start=f.start, end=f.end)),
        "findings": _frame(conn, "reconciliation_findings", _params(scope)),
    }


def hr_data(conn: Connection, scope: Scope, f: Filters, month: tuple[int, int] | None = None) -> dict[str, Any]:
    require_page(scope, "hr")
    require_hr(scope)
    names = ["headcount", "attendance_rate", "employees_on_leave", "overtime_hours"]
    months = _frame(conn, "payroll_months", _params(scope))
    if month is None and not months.empty:
        month = (int(months.iloc[0]["year"]), int(months.iloc[0]["month"]))
    year, number = month if month is not None else (None, None)
    return {
        "series": metric_series(conn, scope, names, f.period, _period_floor(f), f.end),
        "totals": _current_totals(conn, scope, names, f),
        "departments": _frame(conn, "headcount_by_department", _params(scope, as_of=f.end)),
        "leaves": _frame(conn, "leaves", _params(scope, start=f.start, end=f.end, employee_id=None, limit=TABLE_LIMIT)),
        "months": months,
        "month": month,
        "register": _frame(
            conn, "payroll_register", _params(scope, year=year, month=number, employee_id=None, issued_only=False)
        ),
        "employees": _frame(conn, "employees", _params(scope)),
    }


def employee_detail(conn: Connection, scope: Scope, f: Filters, employee_id: str) -> dict[str, pd.DataFrame]:
    require_hr(scope, employee_id)
    params = _params(scope, start=f.start, end=f.end, employee_id=employee_id)
    return {
        "attendance": _frame(conn, "employee_attendance", params),
        "leaves": _frame(conn, "leaves", {**params, "limit": TABLE_LIMIT}),
        # drafts only for HR-level `all` (the database hides them from `self` too)
        "payslips": _frame(
            conn,
            "payroll_register",
            {**params, "year": None, "month": None, "issued_only": scope.hr_access != "all"},
        ),
    }


def payslip_items(conn: Connection, scope: Scope, payroll_number: str) -> pd.DataFrame:
    """One payslip's lines: any employee's for 'all', only their own for 'self'."""
    if scope.hr_access == "all":
        employee = None
    else:
        require_hr(scope, scope.employee_id)
        employee = scope.employee_id
    return _frame(conn, "payslip_items", _params(scope, payroll_number=payroll_number, employee_id=employee))


def operations_data(conn: Connection, scope: Scope, f: Filters) -> dict[str, Any]:
    require_page(scope, "operations")
    names = ["tasks_created", "tasks_completed", "tasks_overdue", "production_orders_completed"]
    return {
        "series": metric_series(conn, scope, names, f.period, _period_floor(f), f.end),
        "totals": _current_totals(conn, scope, names, f),
        "production": _frame(conn, "production_by_status", _params(scope, start=f.start, end=f.end)),
        "overdue_tasks": _frame(conn, "tasks", _tasks_params(scope, f, assigned_to=None)),
    }


def _tasks_params(scope: Scope, f: Filters, assigned_to: str | None) -> dict[str, Any]:
    """tasks.sql counts days in the organization's zone, else the business zone (:default_zone)."""
    return _params(
        scope, start=f.start, end=f.end, assigned_to=assigned_to, limit=TABLE_LIMIT, default_zone=TIMEZONE_NAME
    )


def data_quality_data(conn: Connection, scope: Scope, f: Filters) -> dict[str, Any]:
    require_page(scope, "data_quality")
    return {"findings": _frame(conn, "data_quality", _params(scope, start=f.start, end=f.end))}


def my_tasks_data(conn: Connection, scope: Scope, f: Filters) -> dict[str, Any]:
    require_page(scope, "my_tasks")
    return {"tasks": _frame(conn, "tasks", _tasks_params(scope, f, assigned_to=scope.user_id))}


def my_payslips_data(conn: Connection, scope: Scope, f: Filters) -> dict[str, Any]:
    require_page(scope, "my_payslips")
    require_hr(scope, scope.employee_id)
    return {
        "payslips": _frame(
            conn,
            "payroll_register",
            _params(scope, year=None, month=None, employee_id=scope.employee_id, issued_only=True),
        )
    }


AUDIT_PAGE_SIZE = 100


def audit_data(
    conn: Connection,
    scope: Scope,
    f: Filters,
    entity: str = "",
    action: str = "",
    page_number: int = 0,
    page_size: int = AUDIT_PAGE_SIZE,
) -> dict[str, Any]:
    """One page of live and archived audit rows of the range, newest first (values masked by the audit
    module), users by name (`user`: "system" for rows a job wrote), and whether more pages follow."""
    require_page(scope, "audit")
    filters = AuditFilters(
        entity=entity.replace("\x00", "").strip().lower() or None,  # entities are stored lower-case, singular
        action=action.replace("\x00", "").strip().upper() or None,
        start=dt.datetime.combine(f.start, dt.time()),
        end=dt.datetime.combine(f.end + dt.timedelta(days=1), dt.time()),
    )
    page = max(0, int(page_number))
    rows = query_audit_logs(conn, scope.organization_id, filters, limit=(page + 1) * page_size + 1)
    more = len(rows) > (page + 1) * page_size
    rows = rows.iloc[page * page_size : (page + 1) * page_size].reset_index(drop=True)
    ids = sorted({str(u) for u in rows["userId"] if not pd.isna(u)}) if not rows.empty else []
    names: dict[str, str] = {}
    if ids:
        for row in conn.execute(load_sql("dashboards", "user_names"), {"user_ids": ids}):
            names[row.id] = row.name or row.email
    if not rows.empty:
        rows.insert(1, "user", [fmt.person(names.get(str(u)) if not pd.isna(u) else None, u) for u in rows["userId"]])
    entities = [row.entity for row in conn.execute(load_sql("dashboards", "audit_entities"),
                                                    _params(scope, start=filters.start, end=filters.end))]  # fmt: skip
    return {"rows": rows, "page": page, "more": more, "page_size": page_size, "entities": entities}


# ---- the owner-only Database page: database-wide facts ----------------------------------------------


def database_data(conn: Connection, scope: Scope, f: Filters | None = None) -> dict[str, Any]:
    """The latest health snapshot (`maintenance.health.read_report`) and the newest backups, as the
    Database page shows them. The `maintenance_health_*` policies show the snapshots to the reader only
    when the signed viewer owns the organization; the long-running queries' text is not even granted
    (it can carry any tenant's values)."""
    require_page(scope, "database")
    report = read_report(conn, query_text=False)
    data: dict[str, Any] = {"snapshot": None, **_backups(conn.engine.url.database or "")}
    if report is None:
        return data
    unused = report.unused_indexes
    return {
        **data,
        "snapshot": report.snapshot,
        "tables": _health_frame(pd.DataFrame(report.tables), _HEALTH_TABLE_COLUMNS),
        "dead_tables": _health_frame(pd.DataFrame(report.tables_with_dead_tuples), _DEAD_TABLE_COLUMNS),
        "dead_ratio_threshold": DEAD_RATIO_WORTH_A_LOOK,
        "indexes": _health_frame(pd.DataFrame(report.indexes), _HEALTH_INDEX_COLUMNS),
        "unused_indexes": len(unused),
        "unused_index_bytes": sum(int(i["index_bytes"]) for i in unused),
        "queries": _long_running(report.queries),
    }


_HEALTH_TABLE_COLUMNS = ("table", "total_bytes", "live_tuples", "dead_tuples", "dead_ratio", "last_vacuumed",
                         "last_analyzed")  # fmt: skip
_DEAD_TABLE_COLUMNS = ("table", "dead_tuples", "live_tuples", "dead_ratio", "last_vacuumed")
_HEALTH_INDEX_COLUMNS = ("table", "index_name", "index_scans", "tuples_read", "tuples_fetched", "index_bytes",
                         "unused")  # fmt: skip
_LONG_RUNNING_COLUMNS = ("pid", "user_name", "application_name", "state", "wait_event", "query_start",
                         "duration_seconds")  # fmt: skip


def _health_frame(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The shown columns, the table qualified by its schema unless it is `public`; capped like every listing."""
    if frame.empty:
        return pd.DataFrame(columns=list(columns))
    frame = frame.copy()
    frame["table"] = [t if s == "public" else f"{s}.{t}" for s, t in zip(frame["schema_name"], frame["table_name"],
                                                                          strict=True)]  # fmt: skip
    if "dead_ratio" in frame:
        frame["dead_ratio"] = frame["dead_ratio"].astype(float)
    return frame[list(columns)].head(TABLE_LIMIT).reset_index(drop=True)


def _long_running(queries: list[dict[str, Any]]) -> pd.DataFrame:
    """The snapshot's long-running queries WITHOUT their text (never copied into the frame)."""
    rows = [
        {
            "pid": q["pid"],
            "user_name": q["user_name"],
            "application_name": q["application_name"],
            "state": q["state"],
            "wait_event": ": ".join(p for p in (q["wait_event_type"], q["wait_event"]) if p) or None,
            "query_start": q["query_start"],
            "duration_seconds": float(q["duration_seconds"]),
        }
        for q in queries
    ]
    return pd.DataFrame(rows, columns=list(_LONG_RUNNING_COLUMNS)).head(TABLE_LIMIT)


def _backups(database: str) -> dict[str, Any]:
    """The newest backups of the database (`maintenance.backup.list_backups`), newest first, and how many
    there are; a bad ARCHIVE_URL or an unreadable directory is shown on the page (`backup_error`), not raised."""
    rows: list[dict[str, Any]] = []
    count, directory, error = 0, None, None
    try:
        location = backup_location(database)
        directory = location.url
        backups = list_backups(location)
        count = len(backups)
        rows = [
            {
                "file": b.name,
                "taken_at": b.started_at.astimezone(dt.UTC).replace(tzinfo=None),
                "size_bytes": int(b.manifest["size_bytes"]),
                "duration_seconds": b.manifest.get("duration_seconds"),
            }
            for b in reversed(backups[-BACKUPS_SHOWN:])
        ]
    except (PrometricError, OSError) as problem:
        error = str(problem)
    return {
        "backups": pd.DataFrame(rows, columns=["file", "taken_at", "size_bytes", "duration_seconds"]),
        "backup_count": count,
        "backup_directory": str(directory) if directory is not None else None,
        "backup_error": error,
    }


# ---- alerts (issue 23): the Alerts page, the Overview's markers, the drill to the rows behind a number -----

ALERT_KINDS: dict[str, str] = {"anomaly": "Unusual value", "kpi_target": "KPI off target",
                               "freshness": "Stale data", "run_failure": "Failed run"}  # fmt: skip
ALERT_SEVERITIES: dict[str, str] = {"severe": "Severe", "warning": "Warning", "info": "Info"}
# the metrics whose numbers come from each fact table: the drill opens that table first
_ORDER_METRICS = ("orders_count", "orders_revenue", "average_order_value", "orders_cancelled", "active_customers",
                  "new_customers", "gross_profit", "purchases_amount")  # fmt: skip
ALERT_SOURCES: dict[str, str] = {
    **dict.fromkeys(_ORDER_METRICS, "orders"),
    **dict.fromkeys(("payments_received", "payments_made", "net_cash_flow"), "payments"),
    **dict.fromkeys(("invoiced_amount", "accounts_receivable", "overdue_receivables"), "invoices"),
}


def _choice(value: str | None, allowed: Sequence[str]) -> str | None:
    """A filter value the page offers, or None (= any): a tampered value never reaches the SQL as a filter."""
    return value if value in allowed else None


def alerts_data(
    conn: Connection,
    scope: Scope,
    f: Filters,
    kind: str | None = None,
    severity: str | None = None,
    subject: str | None = None,
    acknowledged: bool | None = None,
) -> dict[str, Any]:
    """The range's alerts narrowed by kind, severity, subject (metric / KPI / asset) and acknowledged state
    (None = any), newest day first, and the kinds and subjects the filters can offer."""
    require_page(scope, "alerts")
    kind = _choice(kind, tuple(ALERT_KINDS))
    severity = _choice(severity, tuple(ALERT_SEVERITIES))
    subject = subject.replace("\x00", "")[:255] if subject else None
    acknowledged = acknowledged if isinstance(acknowledged, bool) else None
    params = _params(scope, start=f.start, end=f.end, kind=kind, severity=severity, subject=subject,
                     acknowledged=acknowledged, alert_id=None, limit=TABLE_LIMIT)  # fmt: skip
    return {
        "alerts": _frame(conn, "alerts", params),
        "subjects": _frame(conn, "alert_subjects", _params(scope, start=f.start, end=f.end)),
    }


ALERT_DAY_COLUMNS = ("subject", "day", "alerts", "worst", "alert_id")


def alert_language(conn: Connection, scope: Scope) -> str | None:
    """The viewer's language setting for alerts ('ru' / 'en'), as the e-mail digest reads it; None when unset."""
    require_page(scope, "alerts")
    setting = conn.execute(load_sql("dashboards", "alert_language"),
                           {"organization_id": scope.organization_id, "user_id": scope.user_id}).scalar()  # fmt: skip
    if not setting or not str(setting).strip():
        return None
    return "en" if str(setting).strip().lower().startswith("en") else "ru"


def alert_days(conn: Connection, scope: Scope, f: Filters) -> pd.DataFrame:
    """(subject, day, alerts, worst, alert_id) of the range for the Overview's markers: worst 0 = severe,
    1 = warning, 2 = info; alert_id the worst alert's (the marker's link). Empty for a role without the
    Alerts page (the database shows them no alerts either)."""
    if "alerts" not in scope.pages:
        return pd.DataFrame(columns=list(ALERT_DAY_COLUMNS))
    return _frame(conn, "alert_days", _params(scope, start=f.start, end=f.end))


def alert_detail(conn: Connection, scope: Scope, alert_id: str) -> dict[str, Any] | None:
    """One alert of the organization (None when the id is not a UUID or not one of its alerts the viewer may
    see) and the rows behind its number: the orders, payments and invoices of its day in its workspace (every
    workspace of the viewer's for an organization-wide alert)."""
    require_page(scope, "alerts")
    try:
        alert_id = str(uuid.UUID(str(alert_id)))
    except ValueError:
        return None
    # the listing's query narrowed to the id, on any day: one select list for the page and the drill
    rows = _frame(conn, "alerts", _params(scope, alert_id=alert_id, start=dt.date.min, end=dt.date.max, kind=None,
                                          severity=None, subject=None, acknowledged=None, limit=1))  # fmt: skip
    if rows.empty:
        return None
    found = rows.iloc[0].to_dict()
    workspace = None if pd.isna(found["workspace_id"]) else str(found["workspace_id"])
    # days in the organization's zone, else the business zone (:default_zone)
    params = _params(scope, day=found["day"], workspace_id=workspace, limit=TABLE_LIMIT, default_zone=TIMEZONE_NAME)
    return {
        "alert": found,
        "source": ALERT_SOURCES.get(str(found["subject"])),
        "orders": _frame(conn, "alert_orders", params),
        "payments": _frame(conn, "alert_payments", params),
        "invoices": _frame(conn, "alert_invoices", params),
    }


def acknowledge_alert(scope: Scope, alert_id: str, engine: Engine | None = None) -> bool:
    """Acknowledge an alert as the viewer, through the SECURITY DEFINER function (the reader may not UPDATE
    `alerts`): it acts only for an owner or manager of the session's organization and an alert of it.
    True when the alert is acknowledged afterwards. Then the cached page reads are cleared (all of them: the
    cache cannot be cleared per tenant, and an acknowledge is rare), so the change shows at once."""
    require_page(scope, "alerts")  # before a connection is even taken
    try:
        alert_id = str(uuid.UUID(str(alert_id)))
    except ValueError:
        return False
    with reader_session(scope, engine) as conn:
        done = bool(conn.execute(load_sql("dashboards", "acknowledge_alert"),
                                 {"alert_id": alert_id, "user_id": scope.user_id}).scalar_one())  # fmt: skip
    if done:
        clear_caches()  # the shared page cache and the cached alert reads
    return done


PAGE_QUERIES: dict[str, Callable[..., dict[str, Any]]] = {
    "overview": overview_data,
    "sales": sales_data,
    "finance": finance_data,
    "inventory": inventory_data,
    "hr": hr_data,
    "operations": operations_data,
    "audit": audit_data,
    "data_quality": data_quality_data,
    "my_tasks": my_tasks_data,
    "my_payslips": my_payslips_data,
    "database": database_data,
    "alerts": alerts_data,
}


def run_page(scope: Scope, page: str, f: Filters, engine: Engine | None = None, **options: Any) -> dict[str, Any]:
    """A page's query set (uncached: what the bench and the cache call), in one tenant session on the
    reader login (`engine`: a reader engine). The permission is checked first."""
    require_page(scope, page)  # before a connection is even taken
    with reader_session(scope, engine) as conn:
        return PAGE_QUERIES[page](conn, scope, f, **options)


# ---- the shared cache for the app -------------------------------------------------------------------

# Pages whose rows depend only on the organization, the workspaces and the HR level, never on which user
# looks (no policy of their tables reads the viewer's user id; docs/security.md): one result serves every
# viewer with the same scope. Any other page (My tasks, My payslips, Database: "does this user own the
# organization") is cached per user. A new page reading viewer-dependent rows must stay out of this set.
SHARED_ACROSS_VIEWERS = frozenset({"overview", "sales", "finance", "inventory", "hr", "operations", "audit",
                                   "data_quality"})  # fmt: skip
VERSION_SECONDS = 1.0  # one script run (the "data as of" line, then the page) reads the version once
MAX_CONCURRENT_READS = 4  # page reads at once: 2 cores; more only queue in PostgreSQL and the interpreter

PAGE_CACHE = SingleFlightCache(
    ttl_seconds=CACHE_SECONDS, max_entries=4 * CACHE_ENTRIES, max_concurrent_reads=MAX_CONCURRENT_READS
)
VERSION_CACHE = SingleFlightCache(
    ttl_seconds=VERSION_SECONDS, max_entries=CACHE_ENTRIES, max_concurrent_reads=MAX_CONCURRENT_READS
)

DataVersion = tuple[dt.date | None, str | None]


def _workspace_key(scope: Scope) -> tuple[str, ...] | None:
    return tuple(sorted(scope.workspace_ids)) if scope.workspace_ids is not None else None


def _database(engine: Engine | None) -> str:
    """Which database the reads come from: part of every key (tests and tools open several)."""
    url = (engine or reader_engine()).url
    return f"{url.host}:{url.port}/{url.database}"


def data_version(scope: Scope, engine: Engine | None = None) -> DataVersion:
    """The organization's metrics version as the scope sees it: the last daily metrics day and when the
    run that wrote it computed it ("Data as of"). Part of every page key, so a result cached before a
    metrics run is never shown after it. Concurrent requests of one scope share one read."""

    def read() -> DataVersion:
        with reader_session(scope, engine) as conn:
            return data_as_of(conn, scope)

    return VERSION_CACHE.get(("version", _database(engine), scope.organization_id, _workspace_key(scope)), read)


def page_key(
    scope: Scope, page: str, f: Filters, version: DataVersion, options: dict[str, Any], database: str = ""
) -> tuple:
    """The shared cache's key of a page read: everything the rows depend on and nothing else, so viewers
    with the same organization, workspaces and HR level share it, and no one else ever does."""
    viewer = None if page in SHARED_ACROSS_VIEWERS and scope.hr_access != "self" else (scope.user_id,
                                                                                        scope.employee_id)  # fmt: skip
    return ("page", database, page, scope.organization_id, _workspace_key(scope), scope.hr_access, viewer, version,
            f.start, f.end, f.grain, tuple(sorted(options.items())))  # fmt: skip


def page_data(scope: Scope, page: str, f: Filters, engine: Engine | None = None, **options: Any) -> dict[str, Any]:
    """A page's query set as the app reads it: the permission checked first, then the shared cache keyed
    by `page_key` at the current data version (one read for many identical requests)."""
    require_page(scope, page)  # before the cache: a cached result never answers a forbidden request
    key = page_key(scope, page, f, data_version(scope, engine), options, _database(engine))
    return PAGE_CACHE.get(key, lambda: run_page(scope, page, f, engine, **options))


def as_of(scope: Scope) -> DataVersion:
    """The "Data as of" line: the same version the pages are keyed by."""
    return data_version(scope)


def clear_caches() -> None:
    """Forget every cached read (the shared page cache, the versions and the drill-downs)."""
    PAGE_CACHE.clear()
    VERSION_CACHE.clear()
    st.cache_data.clear()


@st.cache_data(ttl=CACHE_SECONDS, max_entries=CACHE_ENTRIES, show_spinner=False)
def deal(scope: Scope, deal_id: str) -> dict[str, pd.DataFrame]:
    require_page(scope, "sales")
    with reader_session(scope) as conn:
        return deal_detail(conn, scope, deal_id)


@st.cache_data(ttl=CACHE_SECONDS, max_entries=CACHE_ENTRIES, show_spinner=False)
def employee(scope: Scope, f: Filters, employee_id: str) -> dict[str, pd.DataFrame]:
    require_hr(scope, employee_id)
    with reader_session(scope) as conn:
        return employee_detail(conn, scope, f, employee_id)


@st.cache_data(ttl=CACHE_SECONDS, max_entries=CACHE_ENTRIES, show_spinner=False)
def payslip(scope: Scope, payroll_number: str) -> pd.DataFrame:
    with reader_session(scope) as conn:
        return payslip_items(conn, scope, payroll_number)


@st.cache_data(ttl=CACHE_SECONDS, max_entries=CACHE_ENTRIES, show_spinner=False)
def alert(scope: Scope, alert_id: str) -> dict[str, Any] | None:
    require_page(scope, "alerts")
    with reader_session(scope) as conn:
        return alert_detail(conn, scope, alert_id)


@st.cache_data(ttl=CACHE_SECONDS, max_entries=CACHE_ENTRIES, show_spinner=False)
def viewer_language(scope: Scope) -> str | None:
    require_page(scope, "alerts")
    with reader_session(scope) as conn:
        return alert_language(conn, scope)


@st.cache_data(ttl=CACHE_SECONDS, max_entries=CACHE_ENTRIES, show_spinner=False)
def alert_marks(scope: Scope, f: Filters) -> pd.DataFrame:
    if "alerts" not in scope.pages:  # no connection for a role that has no alerts
        return pd.DataFrame(columns=list(ALERT_DAY_COLUMNS))
    with reader_session(scope) as conn:
        return alert_days(conn, scope, f)


__all__ = ["Forbidden", "clear_caches", "page_data", "reader_session", "run_page"]
