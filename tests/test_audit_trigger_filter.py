"""The filter in front of the audit_logs masking trigger (revision 20261206201000): it skips the function
for ordinary rows (counted with track_functions, no timing) and never for a row the function would
change, so every secret the trigger masked before is still masked on write."""

from __future__ import annotations

import importlib.util
import json

import pytest
from sqlalchemy import text

from prometric_pipelines.config import PROJECT_ROOT
from prometric_pipelines.security.masking import is_secret_key
from tests.factories import make_tenant

BCRYPT = "$2b$12$aFHtZUTyakjhJUPzZUz3GOHQwxNVYaQrGlQZ8g0HtrhMh1j5kuj9m"
ARGON2 = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG"
_spec = importlib.util.spec_from_file_location(
    "cheaper_audit_masking_filter",
    PROJECT_ROOT / "migrations" / "versions" / "20261206201000_cheaper_audit_masking_filter.py",
)
migration = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(migration)

# (old value, new value, the stored new value): secrets among ordinary keys, in every spelling the
# masking knows, and hashes under ordinary keys
MASKED = [
    ({"status": "A"}, {"status": "B", "password": "hunter2"}, {"status": "B", "password": "***"}),
    (None, {"name": "Aigerim", "userPassword": "x"}, {"name": "Aigerim", "userPassword": "***"}),
    (None, {"email": "a@b.kz", "API_KEY": "k"}, {"email": "a@b.kz", "API_KEY": "***"}),
    (None, {"status": "S", "x-auth-token": "t"}, {"status": "S", "x-auth-token": "***"}),
    (None, {"role": "r", "sessionId": "s", "pin": "1234"}, {"role": "r", "sessionId": "***", "pin": "***"}),
    (
        None,
        {"code": "c", "verification_code": "v", "JWT": "j"},
        {"code": "c", "verification_code": "***", "JWT": "***"},
    ),
    (None, {"type": "t", "privateKey": "p", "Cookie": "c"}, {"type": "t", "privateKey": "***", "Cookie": "***"}),
    (None, {"status": "S", "notes": f"hash {BCRYPT} set"}, {"status": "S", "notes": "hash *** set"}),
    (None, {"value": ARGON2}, {"value": "***"}),
    ({"password": BCRYPT}, None, None),  # the old value is masked too (checked below)
]


def test_no_ordinary_key_is_a_secret_key_for_the_masking(engine):
    assert [key for key in migration.ORDINARY_KEYS if is_secret_key(key)] == []
    value = {key: "v" for key in migration.ORDINARY_KEYS}
    with engine.connect() as conn:
        masked = conn.execute(
            text("SELECT prometric_mask_audit_value(CAST(:v AS jsonb))"), {"v": json.dumps(value)}
        ).scalar_one()
    assert masked == value


@pytest.fixture
def organization(engine) -> str:
    with engine.begin() as conn:
        return str(make_tenant(conn)["organization"]["id"])


def _insert(conn, organization: str, old, new) -> str:
    return conn.execute(
        text("""INSERT INTO audit_logs ("organizationId", action, entity, "oldValue", "newValue")
                VALUES (CAST(:o AS uuid), 'UPDATE', 'users', CAST(:old AS jsonb), CAST(:new AS jsonb))
                RETURNING id"""),
        {"o": organization, "old": json.dumps(old) if old else None, "new": json.dumps(new) if new else None},
    ).scalar_one()


def _function_calls(conn) -> int:
    query = (
        "SELECT coalesce(sum(calls), 0) FROM pg_stat_xact_user_functions WHERE funcname = 'prometric_mask_audit_row'"
    )
    return conn.execute(text(query)).scalar_one()


def test_every_secret_is_masked_on_write_and_ordinary_rows_skip_the_function(engine, organization):
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL track_functions = 'pl'"))
        ordinary = [
            (None, {"status": "DELIVERED"}),
            ({"status": "PENDING"}, {"status": "CONFIRMED", "totalAmount": 1200.5}),
            (None, {"orderNumber": "SO-1", "shippingAddress": "Almaty, Abai 1", "amount": 3}),
            (None, ["an", "array"]),
            (None, "a string"),
        ]
        for old, new in ordinary:
            _insert(conn, organization, old, new)
        assert _function_calls(conn) == 0

        ids = [_insert(conn, organization, old, new) for old, new, _ in MASKED]
        assert _function_calls(conn) == len(MASKED)
        stored = conn.execute(
            text("""SELECT id, "oldValue", "newValue" FROM audit_logs WHERE id = ANY (CAST(:ids AS uuid[]))"""),
            {"ids": [str(i) for i in ids]},
        ).all()
    by_id = {row.id: (row.oldValue, row.newValue) for row in stored}
    assert [by_id[i][1] for i in ids] == [expected for _, _, expected in MASKED]
    assert by_id[ids[-1]][0] == {"password": "***"}


def test_an_update_that_writes_a_secret_is_masked_too(engine, organization):
    with engine.begin() as conn:
        row = _insert(conn, organization, None, {"status": "A"})
        conn.execute(
            text("""UPDATE audit_logs SET "newValue" = CAST(:v AS jsonb) WHERE id = :id"""),
            {"v": json.dumps({"status": "A", "clientSecret": "s3cr3t"}), "id": row},
        )
        stored = conn.execute(text("""SELECT "newValue" FROM audit_logs WHERE id = :id"""), {"id": row}).scalar_one()
    assert stored == {"status": "A", "clientSecret": "***"}
