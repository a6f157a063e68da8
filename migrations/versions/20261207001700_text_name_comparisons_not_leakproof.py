"""the text/name cross-type comparisons are no longer LEAKPROOF either (the EXPLAIN side channel)

Migration 20261206200800 made the built-in text comparisons not LEAKPROOF, so that under row-level
security a condition the reader writes on an e-mail or a name runs after the policy and EXPLAIN ANALYZE's
"Rows Removed by Filter" cannot count other tenants' rows. PostgreSQL also ships comparisons between
`text` and `name` (`texteqname`, `namelttext`, …) as LEAKPROOF, and they belong to the text index's
operator family: `email = CAST('x' AS name)` became an index condition on `users_email_key` again, before
the policy (found while building the Audit page's entity index). Those twelve are now not leakproof too.

`name` against `name` stays leakproof: no index holds a `name` expression of a column that identifies
people; the Audit page's entity index (20261207001600) relies on it.

Changing a built-in function needs a superuser; without one the migration says so and goes on, as
20261206200800 does.

Revision ID: 20261207001700
Revises: 20261207001600
Create Date: 2026-12-07 02:50:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "20261207001700"
down_revision: str | None = "20261207001600"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT_NAME_COMPARISONS = (
    "texteqname(text, name)", "textnename(text, name)", "textltname(text, name)",
    "textlename(text, name)", "textgtname(text, name)", "textgename(text, name)",
    "nameeqtext(name, text)", "namenetext(name, text)", "namelttext(name, text)",
    "nameletext(name, text)", "namegttext(name, text)", "namegetext(name, text)",
)  # fmt: skip


def _set_leakproof(leakproof: bool) -> None:
    statements = " ".join(
        f"ALTER FUNCTION pg_catalog.{f} {'' if leakproof else 'NOT '}LEAKPROOF;" for f in TEXT_NAME_COMPARISONS
    )
    op.execute(f"""
        DO $$ BEGIN
            IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
                {statements}
            ELSE
                RAISE NOTICE 'not a superuser: text/name comparisons stay LEAKPROOF (docs/security.md, EXPLAIN)';
            END IF;
        END $$""")


def upgrade() -> None:
    _set_leakproof(False)


def downgrade() -> None:
    _set_leakproof(True)
