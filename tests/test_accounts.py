"""Passwords, tokens, masking and the lock-out that survives a restart (real PostgreSQL, real bcrypt)."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from sqlalchemy import text

from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.security.accounts import (
    LOCK_DURATION,
    authenticate,
    issue_email_verification,
    issue_refresh_token,
    refresh_token_user,
    revoke_refresh_token,
    use_email_verification,
)
from prometric_pipelines.security.masking import MASK, mask_secrets
from prometric_pipelines.security.passwords import (
    LOGIN_ROUNDS,
    hash_cost,
    hash_password,
    hash_token,
    verify_password,
)
from tests.factories import make

NOW = dt.datetime(2026, 11, 25, 9, 0)
ROUNDS = 4  # bcrypt's minimum cost keeps the tests fast; the cost is read from the hash


# ---- passwords and tokens -----------------------------------------------------------------------


def test_password_hashes_are_salted_bcrypt_and_verify():
    first, second = hash_password("s3cret!", rounds=ROUNDS), hash_password("s3cret!", rounds=ROUNDS)
    assert first.startswith("$2b$04$") and len(first) == 60
    assert first != second  # salted
    assert verify_password("s3cret!", first) and verify_password("s3cret!", second)
    assert not verify_password("s3cret", first)
    assert not verify_password("s3cret!", "s3cret!")  # legacy plain text is never accepted
    assert not verify_password("s3cret!", None)
    assert not verify_password("x" * 73, first)
    with pytest.raises(ValueError, match="72 bytes"):
        hash_password("x" * 73)


def test_default_cost_is_slow_and_reproducible_salts_are_for_generated_data_only():
    started = time.perf_counter()
    hashed = hash_password("pw")
    assert hashed.startswith("$2b$12$")
    assert time.perf_counter() - started > 0.05  # a slow hash: cost 12 is ~0.2 s on these machines
    salt = bytes(range(16))
    assert hash_password("pw", rounds=ROUNDS, salt_bytes=salt) == hash_password("pw", rounds=ROUNDS, salt_bytes=salt)
    assert hash_password("pw", rounds=ROUNDS, salt_bytes=salt) != hash_password("pw2", rounds=ROUNDS, salt_bytes=salt)


def test_token_hash_is_sha256_hex():
    assert hash_token("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_refresh_tokens_are_stored_hashed_and_checked(engine):
    with engine.begin() as conn:
        user = make(conn, "users")
        token = issue_refresh_token(conn, user["id"], NOW + dt.timedelta(days=30), device_info={"os": "iOS"})
        stored = conn.execute(text('SELECT token FROM refresh_tokens WHERE "userId" = :u'), {"u": user["id"]}).scalar()
        assert stored == hash_token(token) and token not in stored
        assert refresh_token_user(conn, token, now=NOW) == user["id"]
        assert refresh_token_user(conn, token, now=NOW + dt.timedelta(days=31)) is None  # expired
        assert refresh_token_user(conn, stored, now=NOW) is None  # the stored hash is not a token
        assert revoke_refresh_token(conn, token, now=NOW)
        assert refresh_token_user(conn, token, now=NOW) is None
        assert not revoke_refresh_token(conn, token, now=NOW)


def test_email_verification_tokens_are_stored_hashed_and_single_use(engine):
    with engine.begin() as conn:
        user = make(conn, "users")
        token, code = issue_email_verification(conn, "new@example.kz", NOW + dt.timedelta(hours=1), user_id=user["id"])
        row = conn.execute(text("SELECT token, code FROM email_verifications WHERE email = 'new@example.kz'")).one()
        assert row.token == hash_token(token) and len(code) == 6 and code.isdigit() and row.code == code
        assert use_email_verification(conn, token, now=NOW + dt.timedelta(hours=2)) is None  # expired
        assert use_email_verification(conn, token, now=NOW) == "new@example.kz"
        assert use_email_verification(conn, token, now=NOW) is None  # used


# ---- masking --------------------------------------------------------------------------------------


def test_mask_secrets_in_nested_values():
    audit_new_value = {
        "email": "aigerim@example.kz",
        "password": "$2b$12$aFHtZUTyakjhJUPzZUz3GOHQwxNVYaQrGlQZ8g0HtrhMh1j5kuj9m",
        "profile": {"phone": "+77010000000", "apiKey": "k-123", "client_secret": "s", "pin": "1234"},
        "sessions": [{"refreshToken": "r1", "deviceInfo": {"os": "iOS"}}, {"access_token": "a1"}],
        "shipping": "Almaty",  # contains "pin" but is not a secret
        "code": "P-001",  # a product code, shown
        "nothing": None,
        "amount": 1200.5,
    }
    masked = mask_secrets(audit_new_value)
    assert masked == {
        "email": "aigerim@example.kz",
        "password": MASK,
        "profile": {"phone": "+77010000000", "apiKey": MASK, "client_secret": MASK, "pin": MASK},
        "sessions": [{"refreshToken": MASK, "deviceInfo": {"os": "iOS"}}, {"access_token": MASK}],
        "shipping": "Almaty",
        "code": "P-001",
        "nothing": None,
        "amount": 1200.5,
    }
    assert audit_new_value["password"].startswith("$2b$")  # the input is not modified


def test_mask_secrets_in_strings_and_json_text():
    assert mask_secrets('{"user": {"Password": "x"}, "n": [1, {"token": "t"}]}') == json.dumps(
        {"user": {"Password": MASK}, "n": [1, {"token": MASK}]}
    )
    assert mask_secrets("postgresql://erp:s3cret@db:5432/erp") == f"postgresql://erp:{MASK}@db:5432/erp"
    assert mask_secrets("$2b$12$aFHtZUTyakjhJUPzZUz3GOHQwxNVYaQrGlQZ8g0HtrhMh1j5kuj9m") == MASK
    assert mask_secrets("plain {text}") == "plain {text}"
    assert mask_secrets(("a", {"secret": 1})) == ("a", {"secret": MASK})
    assert mask_secrets(42) == 42


# ---- login and lock-out -------------------------------------------------------------------------------


@pytest.fixture
def account(engine):
    with engine.begin() as conn:
        user = make(conn, "users", email=f"user{time.time_ns()}@example.kz", password=hash_password("right", rounds=4))
    return user


def lock_row(engine, email):
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT * FROM security_account_locks WHERE email = :e"), {"e": email.lower()}
        ).one_or_none()


def test_right_password_logs_in_and_records_the_time(engine, account):
    result = authenticate(engine, account["email"].upper(), "right", now=NOW)
    assert result.ok and result.reason == "ok" and result.user_id == account["id"]
    with engine.connect() as conn:
        last = conn.execute(text('SELECT "lastLoginAt" FROM users WHERE id = :u'), {"u": account["id"]}).scalar()
    assert last == NOW
    assert authenticate(engine, account["email"], "wrong", now=NOW).reason == "invalid"


def test_five_failures_lock_for_15_minutes_even_across_a_restart(engine, database_url, account):
    email = account["email"]
    results = [authenticate(engine, email, "wrong", now=NOW + dt.timedelta(seconds=i)) for i in range(5)]
    assert [r.reason for r in results] == ["invalid"] * 4 + ["locked"]
    assert [r.failed_attempts for r in results] == [1, 2, 3, 4, 5]
    locked_until = NOW + dt.timedelta(seconds=4) + LOCK_DURATION
    assert results[-1].locked_until == locked_until

    # "restart": a brand-new engine (new pool, new connections) sees the lock, kept in the database
    restarted = create_db_engine(database_url)
    try:
        sixth = authenticate(restarted, email, "right", now=NOW + dt.timedelta(minutes=5))
        assert not sixth.ok and sixth.reason == "locked" and sixth.locked_until == locked_until
        just_before = authenticate(restarted, email, "right", now=locked_until - dt.timedelta(seconds=1))
        assert just_before.reason == "locked"
        after = authenticate(restarted, email, "right", now=locked_until + dt.timedelta(seconds=1))
        assert after.ok and after.user_id == account["id"]
    finally:
        restarted.dispose()
    row = lock_row(engine, email)
    assert row.failedAttempts == 0 and row.lockedUntil is None  # a success resets


def test_a_success_resets_the_count(engine, account):
    email = account["email"]
    for i in range(4):
        assert authenticate(engine, email, "wrong", now=NOW + dt.timedelta(seconds=i)).reason == "invalid"
    assert authenticate(engine, email, "right", now=NOW + dt.timedelta(seconds=5)).ok
    for i in range(4):
        assert authenticate(engine, email, "wrong", now=NOW + dt.timedelta(seconds=10 + i)).reason == "invalid"
    assert lock_row(engine, email).failedAttempts == 4


def test_old_failures_do_not_count(engine, account):
    email = account["email"]
    for i in range(4):
        authenticate(engine, email, "wrong", now=NOW + dt.timedelta(seconds=i))
    later = authenticate(engine, email, "wrong", now=NOW + dt.timedelta(hours=1))
    assert later.reason == "invalid" and later.failed_attempts == 1


def test_unknown_emails_get_the_same_answers(engine):
    email = f"nobody{time.time_ns()}@example.kz"
    results = [authenticate(engine, email, "guess", now=NOW + dt.timedelta(seconds=i)) for i in range(5)]
    assert [r.reason for r in results] == ["invalid"] * 4 + ["locked"]
    assert all(r.user_id is None for r in results)


def test_deleted_or_inactive_accounts_cannot_log_in(engine):
    with engine.begin() as conn:
        deleted = make(conn, "users", password=hash_password("right", rounds=4), deletedAt=NOW)
        inactive = make(conn, "users", password=hash_password("right", rounds=4), isActive=False)
    assert authenticate(engine, deleted["email"], "right", now=NOW).reason == "invalid"
    assert authenticate(engine, inactive["email"], "right", now=NOW).reason == "invalid"


def test_unknown_email_costs_a_full_bcrypt_check_too(engine):
    # not a timing assertion: the setting an unknown e-mail is checked under has the login cost, and it
    # is the same on every attempt (tests/test_logins.py covers accounts stored at a lower cost)
    email = f"ghost{time.time_ns()}@example.kz"
    with engine.connect() as conn:
        settings = {conn.execute(text("SELECT prometric_login_salt(:e)"), {"e": email}).scalar_one() for _ in range(3)}
    assert len(settings) == 1 and hash_cost(settings.pop()) == LOGIN_ROUNDS
