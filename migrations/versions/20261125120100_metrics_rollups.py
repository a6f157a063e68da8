"""metrics rollups: the metrics key, metrics.change widened, fx_rates, date-leading window indexes

* `metrics` gets the unique key the metrics job upserts and deletes by, (organizationId, period,
  date, workspaceId, name): the spec's key, ordered so that one organization's window of days of
  one period is one index range.
* `metrics.change` DECIMAL(5,2) overflows at ±1000 %: widened to NUMERIC(20,2) (|value| < 10^13
  and |previousValue| ≥ 0.01 bound |change| by 10^17 %). The baseline kept the seed's type.
* `fx_rates` (currency, date, rateToKzt), the rates table the metrics spec names.
* Date-leading indexes on the fact tables the nightly window reads: PostgreSQL 14-17 have no
  skip scan, so (organizationId, date) indexes cannot serve "these days, every organization".

Revision ID: 20261125120100
Revises: 20261125104032
Create Date: 2026-11-25 12:01:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261125120100"
down_revision: str | None = "20261125104032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JOBS = "prometric_jobs"
METRICS_KEY = "metrics_organizationId_period_date_workspaceId_name_key"

# name -> (table, column, partial-index predicate)
WINDOW_INDEXES: dict[str, tuple[str, str, str | None]] = {
    "idx_orders_order_date": ("orders", "orderDate", None),
    "idx_customers_created": ("customers", "createdAt", None),
    "idx_invoices_issue_date": ("invoices", "issueDate", None),
    "idx_invoices_open": ("invoices", "issueDate", '"paidAmount" < "totalAmount"'),
    "idx_expenses_expense_date": ("expenses", "expenseDate", None),
    "idx_stock_movements_created": ("stock_movements", "createdAt", None),
    "idx_production_orders_actual_end": ("production_orders", "actualEndDate", None),
    "idx_leaves_end_date": ("leaves", "endDate", None),
    "idx_tasks_created": ("tasks", "createdAt", None),
    "idx_tasks_completed": ("tasks", "completedAt", None),
    "idx_deals_created": ("deals", "createdAt", None),
}


def upgrade() -> None:
    op.alter_column("metrics", "change", type_=sa.Numeric(20, 2), existing_type=sa.Numeric(5, 2))
    op.create_unique_constraint(METRICS_KEY, "metrics", ["organizationId", "period", "date", "workspaceId", "name"])

    op.create_table(
        "fx_rates",
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("rateToKzt", sa.Numeric(18, 6), nullable=False),
        sa.CheckConstraint('"rateToKzt" > 0', name="fx_rates_rate_positive"),
        sa.PrimaryKeyConstraint("currency", "date", name=op.f("fx_rates_pkey")),
    )
    # not tenant data (no organizationId): the jobs read and load it; the dashboards' reader has no grant
    op.execute("ALTER TABLE fx_rates ENABLE ROW LEVEL SECURITY")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON fx_rates TO {JOBS}")
    op.execute(f"CREATE POLICY jobs_all_tenants ON fx_rates TO {JOBS} USING (true) WITH CHECK (true)")

    for name, (table, column, predicate) in WINDOW_INDEXES.items():
        op.create_index(name, table, [column], postgresql_where=sa.text(predicate) if predicate else None)


def downgrade() -> None:
    for name, (table, _column, _predicate) in WINDOW_INDEXES.items():
        op.drop_index(name, table_name=table)
    op.drop_table("fx_rates")
    op.drop_constraint(METRICS_KEY, "metrics", type_="unique")
    # values beyond ±999.99 % do not fit the seed's type: they are cleared rather than failing the downgrade
    op.execute("UPDATE metrics SET change = NULL WHERE abs(change) >= 1000")
    op.alter_column("metrics", "change", type_=sa.Numeric(5, 2), existing_type=sa.Numeric(20, 2))
