"""Sign-in and the signed-in viewer: ERP accounts (bcrypt, lock-out kept in the database), memberships.

Plain functions taking the READER engine, the dashboards' only login: the password check, the lock-out
and the viewer's memberships go through SECURITY DEFINER functions (security/accounts.py,
docs/security.md), so this process never reads a password hash. Tests and the app share them.
"""

from __future__ import annotations

import datetime as dt
import time

from sqlalchemy.engine import Engine

from lib.access import Viewer, organizations_from_rows
from prometric_pipelines.config import dashboards_idle_minutes
from prometric_pipelines.security.accounts import LoginResult, authenticate
from prometric_pipelines.sql import load_sql


def idle_timeout_seconds() -> float:
    """`$PROMETRIC_DASHBOARDS_IDLE_MINUTES` (1-1440), default 30; a bad value keeps the default."""
    return dashboards_idle_minutes() * 60.0


def sign_in(engine: Engine, email: str, password: str) -> tuple[LoginResult, str]:
    """One attempt; the message to show (never telling whether the e-mail exists)."""
    if not email.strip() or not password:
        return LoginResult(False, "invalid"), "Enter your e-mail and password."
    result = authenticate(engine, email[:255], password[:1024])
    if result.ok:
        return result, ""
    if result.reason == "locked":
        until = result.locked_until
        local = until.replace(tzinfo=dt.UTC).astimezone().strftime("%H:%M") if until else "later"
        return result, f"Too many failed attempts: this account is locked until {local}. Try again later."
    return result, "Wrong e-mail or password."


def load_viewer(engine: Engine, user_id: str) -> Viewer | None:
    """The user and every organization/workspace they belong to; None for a missing or inactive user."""
    with engine.connect() as conn:
        user = conn.execute(load_sql("dashboards", "viewer"), {"user_id": user_id}).mappings().first()
        if user is None or not user["isActive"]:
            return None
        rows = conn.execute(load_sql("dashboards", "memberships"), {"user_id": user_id}).mappings().all()
        employees = conn.execute(load_sql("dashboards", "employee_records"), {"user_id": user_id}).all()
    employments = {str(org): (str(emp), role) for org, emp, role in employees}
    name = " ".join(part for part in (user["firstName"], user["lastName"]) if part) or user["email"]
    return Viewer(
        user_id=str(user["id"]),
        email=user["email"],
        name=name,
        organizations=organizations_from_rows(rows, employments),
    )


def expired(last_seen: float | None, now: float | None = None) -> bool:
    """Whether a session idle since `last_seen` (time.monotonic()) has expired."""
    if last_seen is None:
        return True
    return (now if now is not None else time.monotonic()) - last_seen > idle_timeout_seconds()
