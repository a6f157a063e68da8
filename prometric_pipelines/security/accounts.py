"""Logging in with the ERP's accounts, with throttling kept in the database; token storage.

`authenticate(engine, email, password)` checks `users.password` (bcrypt) and counts failures per
lower-cased e-mail in `security_account_locks`: five failures within 15 minutes lock the e-mail for
15 minutes (docs/security.md, specs/dashboards.md). Because the state is in the database, a restart
of the dashboards does not lift a lock. Unknown e-mails are counted and locked the same way, and a
bcrypt check runs either way, so neither the answer nor its timing tells whether an account exists.

Run it on an engine that may write `security_account_locks` and read `users.password`: the schema
owner or `prometric_jobs`, never `prometric_reader`.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Engine

from prometric_pipelines.security.passwords import hash_token, verify_password
from prometric_pipelines.sql import load_sql

MAX_FAILED_ATTEMPTS = 5
LOCK_DURATION = dt.timedelta(minutes=15)
# failures older than this no longer count towards a lock (four typos last month are not an attack)
FAILURE_WINDOW = dt.timedelta(minutes=15)
# checked when the e-mail is unknown, so an unknown address costs the same bcrypt work as a known one
# (= hash_password("not a password of anyone", rounds=12, salt_bytes=b"prometric-dummy!"), precomputed)
_DUMMY_HASH = "$2b$12$aFHtZUTyakjhJUPzZUz3GOHQwxNVYaQrGlQZ8g0HtrhMh1j5kuj9m"


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    # "ok", "invalid" (wrong e-mail or password; deliberately not which) or "locked"
    reason: str
    user_id: uuid.UUID | None = None
    locked_until: dt.datetime | None = None
    failed_attempts: int = 0


def _utcnow() -> dt.datetime:
    # the schema stores UTC in `timestamp without time zone`
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def authenticate(engine: Engine, email: str, password: str, now: dt.datetime | None = None) -> LoginResult:
    """One login attempt; `now` (naive UTC) is for tests and replays."""
    now = now or _utcnow()
    key = email.strip().lower()
    with engine.begin() as conn:
        conn.execute(load_sql("security", "ensure_lock_row"), {"email": key})
        state = conn.execute(load_sql("security", "select_lock_state"), {"email": key}).one()
        if state.lockedUntil is not None and state.lockedUntil > now:
            return LoginResult(False, "locked", locked_until=state.lockedUntil, failed_attempts=state.failedAttempts)
        user = conn.execute(load_sql("security", "find_login_user"), {"email": key, "given": email.strip()}).first()
        valid = verify_password(password, user.password if user is not None else _DUMMY_HASH) and user is not None
        if valid:
            conn.execute(load_sql("security", "record_success"), {"email": key, "now": now})
            conn.execute(load_sql("security", "touch_last_login"), {"user_id": user.id, "now": now})
            return LoginResult(True, "ok", user_id=user.id)
        expired = state.lockedUntil is not None or (
            state.lastFailedAt is not None and state.lastFailedAt <= now - FAILURE_WINDOW
        )
        failures = 1 if expired else state.failedAttempts + 1
        locked_until = now + LOCK_DURATION if failures >= MAX_FAILED_ATTEMPTS else None
        conn.execute(
            load_sql("security", "record_failure"),
            {"email": key, "failed_attempts": failures, "locked_until": locked_until, "now": now},
        )
    if locked_until is not None:
        return LoginResult(False, "locked", locked_until=locked_until, failed_attempts=failures)
    return LoginResult(False, "invalid", failed_attempts=failures)


# ---- tokens: only their hashes are stored ------------------------------------------------------------


def issue_refresh_token(
    conn: Connection,
    user_id: uuid.UUID | str,
    expires_at: dt.datetime,
    *,
    device_info: dict[str, Any] | None = None,
    ip_address: str | None = None,
    user_agent: str | None = None,
) -> str:
    """A new random refresh token for the user; the database keeps `hash_token(token)` only."""
    token = secrets.token_urlsafe(32)
    conn.execute(
        load_sql("security", "insert_refresh_token"),
        {
            "user_id": str(user_id),
            "token_hash": hash_token(token),
            "expires_at": expires_at,
            "device_info": json.dumps(device_info) if device_info is not None else None,
            "ip_address": ip_address,
            "user_agent": user_agent,
        },
    )
    return token


def refresh_token_user(conn: Connection, token: str, now: dt.datetime | None = None) -> uuid.UUID | None:
    """The user of a valid (known, unrevoked, unexpired) refresh token, else None."""
    return conn.execute(
        load_sql("security", "find_refresh_token"), {"token_hash": hash_token(token), "now": now or _utcnow()}
    ).scalar_one_or_none()


def revoke_refresh_token(conn: Connection, token: str, reason: str = "logout", now: dt.datetime | None = None) -> bool:
    result = conn.execute(
        load_sql("security", "revoke_refresh_token"),
        {"token_hash": hash_token(token), "reason": reason, "now": now or _utcnow()},
    )
    return result.rowcount == 1


def issue_email_verification(
    conn: Connection,
    email: str,
    expires_at: dt.datetime,
    *,
    user_id: uuid.UUID | str | None = None,
    kind: str = "email_verification",
) -> tuple[str, str]:
    """(link token, 6-digit code) for an e-mail; the token is stored hashed."""
    token = secrets.token_urlsafe(32)
    code = f"{secrets.randbelow(1_000_000):06d}"
    conn.execute(
        load_sql("security", "insert_email_verification"),
        {
            "user_id": str(user_id) if user_id is not None else None,
            "email": email,
            "code": code,
            "token_hash": hash_token(token),
            "type": kind,
            "expires_at": expires_at,
        },
    )
    return token, code


def use_email_verification(conn: Connection, token: str, now: dt.datetime | None = None) -> str | None:
    """Marks the verification used; returns its e-mail, or None when unknown, used or expired."""
    row = conn.execute(
        load_sql("security", "verify_email_token"), {"token_hash": hash_token(token), "now": now or _utcnow()}
    ).first()
    return row.email if row is not None else None
