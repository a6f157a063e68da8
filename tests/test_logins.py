"""Three logins, each minimal: the reader signs in without ever reading a hash, every sign-in pays one
bcrypt cost, the jobs login holds no credential and cannot change roles or memberships, the dashboards'
process holds the reader login only, and docs/security.md's grants table is the catalog's."""

from __future__ import annotations

import re
import time

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from prometric_pipelines.commands.servers import DASHBOARDS_WITHHELD_VARIABLES, dashboards_environment
from prometric_pipelines.config import PROJECT_ROOT
from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.db.roles import (
    EXTERNAL_SERVER_VARIABLE,
    JOBS_ROLE,
    MAINTENANCE_ROLE,
    READER_ROLE,
    password_file,
    reader_database_url,
)
from prometric_pipelines.errors import ConfigError
from prometric_pipelines.security.accounts import authenticate
from prometric_pipelines.security.grants import grants_markdown
from prometric_pipelines.security.passwords import LOGIN_ROUNDS, hash_cost, hash_password, verify_password
from tests.factories import make, make_tenant

DOCS = PROJECT_ROOT / "docs" / "security.md"


@pytest.fixture(scope="module")
def logins(engine, server_logins):
    urls = server_logins(engine)
    engines = {role: create_db_engine(url) for role, url in urls.items()}
    yield engines
    for each in engines.values():
        each.dispose()


def new_account(engine, password: str = "right", rounds: int = 4) -> dict:
    with engine.begin() as conn:
        return make(
            conn, "users", email=f"u{time.time_ns()}@example.kz", password=hash_password(password, rounds=rounds)
        )


def stored_hash(engine, user_id) -> str:
    with engine.connect() as conn:
        return conn.execute(text("SELECT password FROM users WHERE id = :u"), {"u": user_id}).scalar_one()


def refused(engine, statement: str, **params) -> bool:
    """Whether the statement fails for lack of privilege (and changes nothing)."""
    try:
        with engine.begin() as conn:
            conn.execute(text(statement), params)
    except ProgrammingError as error:
        assert isinstance(error.orig, psycopg.errors.InsufficientPrivilege), error
        return True
    return False


# ---- the reader signs in, never reading a hash ---------------------------------------------------------


def test_the_reader_signs_in_through_the_definer_functions(engine, logins):
    reader = logins[READER_ROLE]
    account = new_account(engine, rounds=LOGIN_ROUNDS)
    assert refused(reader, "SELECT password FROM users")
    assert refused(reader, "SELECT * FROM security_account_locks")
    ok = authenticate(reader, account["email"].upper(), "right")
    assert ok.ok and ok.user_id == account["id"]
    wrong = authenticate(reader, account["email"], "wrong")
    assert (wrong.ok, wrong.reason, wrong.failed_attempts) == (False, "invalid", 1)
    with engine.connect() as conn:  # the failure was recorded, as the owner sees
        failures = conn.execute(
            text('SELECT "failedAttempts" FROM security_account_locks WHERE email = :e'), {"e": account["email"]}
        ).scalar_one()
    assert failures == 1


def test_the_salt_answer_is_the_setting_never_the_hash_and_unknown_emails_get_a_stable_one(engine, logins):
    reader = logins[READER_ROLE]
    account = new_account(engine, rounds=LOGIN_ROUNDS)
    with reader.connect() as conn:

        def salt(email: str) -> str:
            return conn.execute(text("SELECT prometric_login_salt(:e)"), {"e": email}).scalar_one()

        assert salt(account["email"]) == account["password"][:29]  # cost and salt: 29 of the 60 characters
        ghost = salt("ghost@example.kz")
        assert re.fullmatch(r"\$2b\$12\$[./A-Za-z0-9]{22}", ghost)
        assert salt("GHOST@example.kz ") == ghost  # stable: asking twice does not tell an unknown e-mail apart
        assert salt("ghost2@example.kz") != ghost


def test_the_reader_cannot_choose_the_clock_of_a_lock_out(engine, logins):
    account = new_account(engine)
    assert refused(
        logins[READER_ROLE],
        "SELECT * FROM prometric_login_attempt_at(:e, NULL, NULL, now()::timestamp + interval '1 day')",
        e=account["email"],
    )


def test_a_cheaper_hash_is_rehashed_at_the_login_cost_on_a_successful_sign_in(engine, logins):
    reader = logins[READER_ROLE]
    account = new_account(engine, rounds=4)
    assert not authenticate(reader, account["email"], "wrong").ok
    assert stored_hash(engine, account["id"]) == account["password"]  # a failure changes nothing
    assert authenticate(reader, account["email"], "right").ok
    rehashed = stored_hash(engine, account["id"])
    assert hash_cost(account["password"]) == 4 and hash_cost(rehashed) == LOGIN_ROUNDS
    assert verify_password("right", rehashed) and not verify_password("wrong", rehashed)
    assert authenticate(reader, account["email"], "right").ok  # and signs in with the new hash


def test_a_rehash_is_taken_only_with_the_right_password_and_a_higher_cost(engine, logins):
    reader = logins[READER_ROLE]
    account = new_account(engine, rounds=4)
    attacker_hash = hash_password("attacker", rounds=LOGIN_ROUNDS)
    with reader.begin() as conn:
        outcome = conn.execute(
            text("SELECT outcome FROM prometric_login_attempt(:e, :c, :r)"),
            {"e": account["email"], "c": hash_password("guess", rounds=4), "r": attacker_hash},
        ).scalar_one()
    assert outcome == "invalid" and stored_hash(engine, account["id"]) == account["password"]
    right = account["password"]  # the candidate a caller knowing the password computes
    with reader.begin() as conn:
        outcome = conn.execute(
            text("SELECT outcome FROM prometric_login_attempt(:e, :c, :r)"),
            {"e": account["email"], "c": right, "r": hash_password("right", rounds=4)},
        ).scalar_one()
    assert outcome == "ok" and stored_hash(engine, account["id"]) == account["password"]  # not a higher cost


# ---- the jobs login: no credential, no role, no membership --------------------------------------------


def test_the_jobs_login_reads_no_credential_and_changes_no_role_nor_membership(engine, logins):
    jobs = logins[JOBS_ROLE]
    with engine.begin() as conn:
        tenant = make_tenant(conn)
        employee = make(conn, "employees", userId=tenant["owner"]["id"], organizationId=tenant["organization"]["id"],
                        workspaceId=tenant["workspace"]["id"], organizationRole="employee")  # fmt: skip
    user, org, ws = tenant["owner"]["id"], tenant["organization"]["id"], tenant["workspace"]["id"]
    for statement in (
        "SELECT password FROM users",
        "SELECT token FROM refresh_tokens",
        "SELECT token FROM email_verifications",
        "SELECT key FROM security_tenant_keys",
        "UPDATE users SET role = 'owner' WHERE id = :u",
        "UPDATE users SET password = 'x' WHERE id = :u",
        'INSERT INTO workspace_users ("workspaceId", "userId", role) VALUES (:w, :u, \'admin\')',
        'DELETE FROM workspace_users WHERE "userId" = :u',
        "UPDATE employees SET \"organizationRole\" = 'owner' WHERE id = :e",
        'UPDATE organizations SET "createdBy" = :u WHERE id = :o',
        "DELETE FROM security_account_locks",
        'UPDATE security_account_locks SET "lockedUntil" = NULL',
    ):
        assert refused(jobs, statement, u=user, w=ws, e=employee["id"], o=org), statement
    # what jobs do need still works
    with jobs.begin() as conn:
        assert conn.execute(text("SELECT email FROM users WHERE id = :u"), {"u": user}).scalar_one()
        changed = conn.execute(text("UPDATE employees SET position = 'Кассир' WHERE id = :e"), {"e": employee["id"]})
        assert changed.rowcount == 1


# ---- the dashboards' process ----------------------------------------------------------------------------


def test_the_dashboards_environment_holds_the_reader_login_only(monkeypatch):
    parent = {"DATABASE_URL": "postgresql://owner:pw@h/db", "JOBS_DATABASE_URL": "postgresql://jobs:pw@h/db",
              "MAINTENANCE_DATABASE_URL": "postgresql://maintenance:pw@h/db",
              "READER_DATABASE_URL": "postgresql://reader:pw@h/db", "PATH": "/bin"}  # fmt: skip
    monkeypatch.setenv("DATABASE_URL", parent["DATABASE_URL"])  # an operator's server
    env = dashboards_environment(parent)
    assert env == {"READER_DATABASE_URL": parent["READER_DATABASE_URL"], "PATH": "/bin", EXTERNAL_SERVER_VARIABLE: "1"}
    assert set(DASHBOARDS_WITHHELD_VARIABLES) == {"DATABASE_URL", "JOBS_DATABASE_URL", "MAINTENANCE_DATABASE_URL"}


def test_without_its_login_the_dashboards_refuse_rather_than_use_another(monkeypatch, tmp_path):
    # what the app's process sees on an operator's server when READER_DATABASE_URL was not set
    for name in ("DATABASE_URL", "JOBS_DATABASE_URL", "READER_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(EXTERNAL_SERVER_VARIABLE, "1")
    monkeypatch.setenv("PROMETRIC_HOME", str(tmp_path))
    password_file(READER_ROLE, tmp_path).write_text("an embedded password that must not be used\n")
    with pytest.raises(ConfigError, match="READER_DATABASE_URL is not"):
        reader_database_url()


def test_the_dashboards_code_never_asks_for_another_login():
    code = "\n".join(p.read_text() for p in (PROJECT_ROOT / "dashboards").rglob("*.py"))
    assert "reader_database_url()" in code  # the one login it uses
    for pattern in (r"jobs_database_url", r"JOBS_DATABASE_URL", r"(?<!reader_)database_url\(", r"[^_]DATABASE_URL"):
        assert not re.search(pattern, code), pattern


# ---- the documented grants are the catalog's ----------------------------------------------------------


def test_docs_grants_table_is_the_catalogs(engine):
    with engine.connect() as conn:
        expected = grants_markdown(conn, (READER_ROLE, JOBS_ROLE, MAINTENANCE_ROLE))
    documented = DOCS.read_text()
    assert expected in documented, f"docs/security.md must hold this table (Logins and their grants):\n{expected}"
