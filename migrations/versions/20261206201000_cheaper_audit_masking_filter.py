"""a cheaper filter in front of the audit_logs masking trigger (same rows masked)

The trigger `audit_logs_mask_secrets` (revision 20261206200500) calls its function only for rows whose
old/new value may hold a secret. Its WHEN ran a case-insensitive regular expression on every top-level
key and string value of both values: ~7 µs of a ~47 µs row in a bulk COPY (docs/audit.md). Now:

* a hash needs a `$` (`$2b$…`, `$argon2…`): one `strpos` over the text of both values replaces the
  regular expression on every string value;
* the key regular expression runs only on the keys left after removing ORDINARY_KEYS, the keys the
  ERP writes into audit values that are not secret (none of them is a secret key for the masking, a
  test checks it): the usual `{"status": …}` row leaves an empty object and no regex runs at all.

The function is unchanged, and every row whose values it changes still reaches it: a secret key is
never an ordinary one, and a hash always holds a `$`.

Revision ID: 20261206201000
Revises: 20261206200800
Create Date: 2026-12-06 20:10:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "20261206201000"
down_revision: str | None = "20261206200800"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Keys of the ERP's audit values that are never secret (tests/test_audit_trigger_filter.py checks each
# against security.masking.is_secret_key and the trigger's function). Order does not matter.
ORDINARY_KEYS = (
    "id", "status", "type", "stage", "name", "title", "description", "notes", "code", "category", "value",
    "amount", "totalAmount", "paidAmount", "price", "cost", "quantity", "currency", "salary", "role",
    "position", "department", "email", "phone", "orderNumber", "invoiceNumber", "paymentNumber",
    "probability", "priority", "date", "dueDate", "startDate", "endDate", "createdAt", "updatedAt",
    "shippingAddress", "billingAddress", "address",
)  # fmt: skip

# A key that may be secret (the superset the previous filter used for keys).
_KEY_CANDIDATE = (
    '$.keyvalue() ? (@.key like_regex "pass|pwd|token|secret|api.?key|auth|credential|private.?key|'
    'session.?id|verification.?code|otp|pin|cvv|cvc|cookie|jwt" flag "i")'
)
_ORDINARY = "CAST(ARRAY[" + ", ".join(f"'{key}'" for key in ORDINARY_KEYS) + "] AS text[])"


def _may_have_secret_key(value: str) -> str:
    # CASE keeps the order: `jsonb - text[]` raises on a scalar, and an empty rest needs no regex
    return f"""CASE WHEN jsonb_typeof({value}) IS DISTINCT FROM 'object' THEN false
                    WHEN {value} - {_ORDINARY} = '{{}}' THEN false
                    ELSE jsonb_path_exists({value} - {_ORDINARY}, '{_KEY_CANDIDATE}', '{{}}', true) END"""


WHEN = f"""strpos(concat(NEW."oldValue", NEW."newValue"), '$') > 0
        OR {_may_have_secret_key('NEW."oldValue"')}
        OR {_may_have_secret_key('NEW."newValue"')}"""

# revision 20261206200500's filter, for the downgrade
_PREVIOUS_CANDIDATE = (
    '$.keyvalue() ? (@.key like_regex "pass|pwd|token|secret|api.?key|auth|credential|private.?key|session.?id|'
    r'verification.?code|otp|pin|cvv|cvc|cookie|jwt" flag "i" || @.value like_regex "\\$2|\\$argon2")'
)
PREVIOUS_WHEN = f"""jsonb_path_exists(NEW."oldValue", '{_PREVIOUS_CANDIDATE}', '{{}}', true)
        OR jsonb_path_exists(NEW."newValue", '{_PREVIOUS_CANDIDATE}', '{{}}', true)"""


def trigger_sql(when: str | None) -> str:
    """The masking trigger with a WHEN filter (None: the function for every row, as a benchmark baseline)."""
    condition = f"WHEN ({when})" if when else ""
    return f"""
        CREATE TRIGGER audit_logs_mask_secrets BEFORE INSERT OR UPDATE OF "oldValue", "newValue" ON audit_logs
        FOR EACH ROW {condition} EXECUTE FUNCTION prometric_mask_audit_row()
    """


def upgrade() -> None:
    op.execute("DROP TRIGGER audit_logs_mask_secrets ON audit_logs")
    op.execute(trigger_sql(WHEN))


def downgrade() -> None:
    op.execute("DROP TRIGGER audit_logs_mask_secrets ON audit_logs")
    op.execute(trigger_sql(PREVIOUS_WHEN))
