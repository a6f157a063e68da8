"""audit entities by index: the Audit page's entity hint reads a few rows per entity, not every row

The dashboards' reader sees `audit_logs` through a row-level security policy whose credential check is
a regular expression over each row's values (~90 µs a row). `SELECT DISTINCT entity` over a range
evaluated it on every row of the range (38k rows, 3.4 s for 90 days at `medium`). The hint now walks
`idx_audit_logs_org_entity_created` (organizationId, entity as `name`, createdAt) one entity at a time
(sql/dashboards/audit_entities.sql), so the policy runs on the first visible row of each entity.

Why `name`: the built-in text comparisons are not LEAKPROOF in this database (migration 20261206200800),
so under row-level security a condition on the text `entity` cannot narrow an index scan; `name`'s
comparisons are leakproof, so `CAST(entity AS name) > …` can. A partition made later gets the index
when `prometric_audit_month_partition` attaches it (ATTACH PARTITION builds a partitioned table's
missing indexes).

Revision ID: 20261207001600
Revises: 20261207001400
Create Date: 2026-12-07 02:00:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "20261207001600"
down_revision: str | None = "20261207001400"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "idx_audit_logs_org_entity_created"


def upgrade() -> None:
    op.execute(f'CREATE INDEX {INDEX} ON audit_logs ("organizationId", (CAST(entity AS name)), "createdAt")')


def downgrade() -> None:
    op.execute(f"DROP INDEX {INDEX}")
