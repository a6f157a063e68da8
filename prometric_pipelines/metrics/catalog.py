"""The metric catalog of specs/metrics.md: every metric's name, category (`type`) and kind.

Kinds decide how a day's value is made and how periods roll up:
* flow — a day's total; a period sums its days.
* snapshot — the state at the end of the day; a period takes its last computed day. `accumulated`
  snapshots are written by the SQL as day-to-day changes and summed over the time spine.
* ratio — numerator / denominator × scale, recomputed from Σ numerator / Σ denominator per period.
* distinct — distinct entities of the day, recomputed from raw rows for each period.
* monthly — defined for months and longer periods only (payroll_gross).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Kind = Literal["flow", "snapshot", "ratio", "distinct", "monthly"]


@dataclass(frozen=True)
class Metric:
    name: str
    type: str
    kind: Kind
    accumulated: bool = False  # snapshot written as changes (running sum over the spine)
    scale: Decimal = Decimal(1)  # ratio: value = numerator / denominator × scale


CATALOG: tuple[Metric, ...] = (
    Metric("orders_count", "sales", "flow"),
    Metric("orders_revenue", "sales", "flow"),
    Metric("average_order_value", "sales", "ratio"),
    Metric("orders_cancelled", "sales", "flow"),
    Metric("active_customers", "sales", "distinct"),
    Metric("new_customers", "sales", "flow"),
    Metric("gross_profit", "sales", "flow"),
    Metric("purchases_amount", "sales", "flow"),
    Metric("deals_created", "crm", "flow"),
    Metric("deals_won", "crm", "flow"),
    Metric("deals_lost", "crm", "flow"),
    Metric("deals_won_value", "crm", "flow"),
    Metric("win_rate", "crm", "ratio", scale=Decimal(100)),
    Metric("pipeline_value", "crm", "snapshot", accumulated=True),
    Metric("weighted_pipeline_value", "crm", "snapshot", accumulated=True),
    Metric("invoiced_amount", "finance", "flow"),
    Metric("payments_received", "finance", "flow"),
    Metric("payments_made", "finance", "flow"),
    Metric("expenses_amount", "finance", "flow"),
    Metric("net_cash_flow", "finance", "flow"),
    Metric("accounts_receivable", "finance", "snapshot", accumulated=True),
    Metric("overdue_receivables", "finance", "snapshot", accumulated=True),
    Metric("stock_received_value", "inventory", "flow"),
    Metric("stock_issued_value", "inventory", "flow"),
    Metric("inventory_value", "inventory", "snapshot", accumulated=True),
    Metric("out_of_stock_products", "inventory", "snapshot", accumulated=True),
    Metric("low_stock_products", "inventory", "snapshot", accumulated=True),
    Metric("production_orders_completed", "production", "flow"),
    Metric("production_completed_quantity", "production", "flow"),
    Metric("headcount", "hr", "snapshot", accumulated=True),
    Metric("attendance_rate", "hr", "ratio", scale=Decimal(100)),
    Metric("overtime_hours", "hr", "flow"),
    Metric("employees_on_leave", "hr", "snapshot"),
    Metric("payroll_gross", "hr", "monthly"),
    Metric("tasks_created", "tasks", "flow"),
    Metric("tasks_completed", "tasks", "flow"),
    Metric("tasks_overdue", "tasks", "snapshot", accumulated=True),
)

METRICS: dict[str, Metric] = {metric.name: metric for metric in CATALOG}
DAILY_METRICS: tuple[Metric, ...] = tuple(m for m in CATALOG if m.kind != "monthly")


def catalog_arrays(metrics: tuple[Metric, ...]) -> dict[str, list]:
    """The catalog as parallel arrays, the bind parameters the SQL unnests."""
    return {
        "names": [m.name for m in metrics],
        "types": [m.type for m in metrics],
        "kinds": [m.kind for m in metrics],
        "accumulated": [m.accumulated for m in metrics],
        "scales": [m.scale for m in metrics],
    }
