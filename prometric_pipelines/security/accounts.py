"""Logging in with the ERP's accounts, with throttling kept in the database; token storage.

`authenticate(engine, email, password)` never reads `users.password`: it asks the database for the
account's bcrypt setting (cost and salt: `prometric_login_salt`, a stable made-up one for an unknown
e-mail), computes the bcrypt of the typed password under it, and hands that to
`prometric_login_attempt`, which compares it with the stored hash and counts failures per lower-cased
e-mail in `security_account_locks`: five failures within 15 minutes lock the e-mail for 15 minutes
(docs/security.md). Both are SECURITY DEFINER functions granted to `prometric_reader`, so the
dashboards sign in with the reader login alone, and a lock survives a restart of the dashboards.

Every attempt pays one bcrypt cost (LOGIN_ROUNDS): an account hashed at a lower cost also pays a
full-cost hash, which replaces its stored hash when the password turns out right. So neither the
answer nor its timing tells an unknown e-mail from an account, nor a cheap hash from a dear one.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Engine

from prometric_pipelines.security.passwords import (
    LOGIN_ROUNDS,
    bcrypt_with_setting,
    hash_cost,
    hash_password,
    hash_token,
)
from prometric_pipelines.sql import load_sql

MAX_FAILED_ATTEMPTS = 5  # the same figures are in prometric_login_attempt_at (migration 20261206200800)
LOCK_DURATION = dt.timedelta(minutes=15)
# failures older than this no longer count towards a lock (four typos last month are not an attack)
FAILURE_WINDOW = dt.timedelta(minutes=15)


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
    """One login attempt on the server's clock; `now` (naive UTC) replays one at a given time and needs
    the schema owner (the reader and jobs logins cannot choose the clock of a lock-out)."""
    given = email.strip()
    with engine.connect() as conn:
        setting = conn.execute(load_sql("security", "login_salt"), {"email": given}).scalar_one()
    candidate = bcrypt_with_setting(password, setting)
    cost = hash_cost(setting) or 0
    rehash = None
    if cost < LOGIN_ROUNDS and candidate is not None:
        # the work the cheap hash saved, spent here: a full-cost hash, stored if the password is right
        rehash = hash_password(password, rounds=LOGIN_ROUNDS)
    name = "login_attempt" if now is None else "login_attempt_at"
    with engine.begin() as conn:
        row = conn.execute(
            load_sql("security", name), {"email": given, "candidate": candidate, "rehash": rehash, "now": now}
        ).one()
    return LoginResult(
        row.outcome == "ok",
        row.outcome,
        user_id=row.user_id,
        locked_until=row.locked_until,
        failed_attempts=row.failed_attempts,
    )


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
