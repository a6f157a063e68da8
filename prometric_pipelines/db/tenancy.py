"""Tenant scoping for code that reads on behalf of one organization (the dashboards, above all).

`tenant_session(engine, organization_id)` opens a transaction and sets, for that transaction only,
`app.organization_id`, `app.workspace_ids` and `app.tenant_proof`: an HMAC-SHA256, under a key kept
in the database (`security_tenant_keys`, owner-only) and given to this process, of the two settings,
the server process id and the transaction's start time. The row-level security policies of
`prometric_reader` show rows only when the proof checks out, so SQL run inside the session that
sets `app.organization_id` itself (a bug, an injection) gets nothing: it cannot sign. See
docs/security.md for the mechanism and its limits.

With `viewer=TenantViewer(user_id, hr_access)` the session also sets `app.viewer`, signed into the same
proof, and the policies of the HR tables (employees, attendance, leaves, payroll and its lines and
skips, HR audit rows) show everything (`all`), only the viewer's own employee record and what hangs
off it (`self`), or nothing (`none`). Without a viewer the session reads HR data as before (`all`):
batch jobs and code reading on nobody's behalf.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from sqlalchemy.engine import Connection, Engine

from prometric_pipelines.config import TENANT_KEY_VARIABLE, prometric_home, tenant_key_setting
from prometric_pipelines.errors import ConfigError
from prometric_pipelines.sql import load_sql
from prometric_pipelines.validation import InvalidInput, parse_uuid

TENANT_KEY_FILE = "tenant.key"
# app.workspace_ids for "no workspace at all": an empty list must narrow to nothing, never widen
NO_WORKSPACE = "00000000-0000-0000-0000-000000000000"

HrAccess = Literal["all", "self", "none"]
# audit_logs.entity values (lower-cased) about HR tables, visible with `all` only: the table names and
# the singular names the ERP, the generator and the payroll job write. The same list is frozen in
# migration 20261125120500 (tests/test_viewer_access.py compares them).
HR_AUDIT_ENTITIES: tuple[str, ...] = (
    "employee", "employees", "attendance", "leave", "leaves", "payroll", "payrolls",
    "payroll_item", "payroll_items", "payroll_skip", "payroll_skips",
)  # fmt: skip
HR_ACCESS_LEVELS: tuple[str, ...] = get_args(HrAccess)
# audit_logs old/new values (their JSON text, case-insensitive PostgreSQL regular expressions) that hide a
# row from the reader: a credential (every level) or pay / personal identifiers (below `all`). Frozen in
# migration 20261206200800 as well (tests/test_hr_visibility.py compares them).
AUDIT_CREDENTIAL_PATTERN = (
    r'"[^"]*(password|passwd|pwd|token|secret|api_?key|credential|private_?key|session_?id|jwt)[^"]*"\s*:'
    r'|"(auth|authorization|pass|hash|password_?hash)"\s*:'
    r"|\$2[abxy]\$\d\d\$|\$argon2|\m(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"
)
AUDIT_PERSONAL_PATTERN = r'"[^"]*(salary|net_?pay|gross|iin|bank_?account|personal_?info|bonus|deduction)[^"]*"\s*:'


def hidden_audit_values(hr_access: str | None) -> str | None:
    """The case-insensitive RE2 pattern (DuckDB, over archived rows) of the audit values the reader's
    policy hides at this HR level; None outside a tenant session (an owner or jobs connection)."""
    if hr_access is None:
        return None
    patterns = [AUDIT_CREDENTIAL_PATTERN] + ([AUDIT_PERSONAL_PATTERN] if hr_access != "all" else [])
    # PostgreSQL's word start \m is RE2's \b
    return "(?i)" + "|".join(f"(?:{p})" for p in patterns).replace("\\m", "\\b")


@dataclass(frozen=True)
class TenantViewer:
    """Who a tenant session reads for: a user, and how much personal HR data they may see.

    `all`: every HR row of the organization; `self`: their own employee record, attendance, leaves
    and payslips only; `none`: no HR rows at all (and no audit rows about them).
    """

    user_id: str
    hr_access: HrAccess

    def __post_init__(self) -> None:
        object.__setattr__(self, "user_id", parse_uuid(self.user_id, "viewer user id"))
        if self.hr_access not in HR_ACCESS_LEVELS:
            raise InvalidInput(f"HR access must be one of {', '.join(HR_ACCESS_LEVELS)}, not {self.hr_access!r}")

    @property
    def setting(self) -> str:
        """The value of `app.viewer` (signed into the tenant proof)."""
        return f"{self.hr_access}:{self.user_id}"


def tenant_key_file(home: Path | None = None) -> Path:
    return (home or prometric_home()) / TENANT_KEY_FILE


def tenant_key() -> str:
    """The key that signs tenant proofs: `$PROMETRIC_TENANT_KEY`, else `$PROMETRIC_HOME/tenant.key`."""
    key = tenant_key_setting()
    if key:
        return key
    path = tenant_key_file()
    try:
        key = path.read_text().strip()
    except FileNotFoundError:
        key = ""
    if not key:
        raise ConfigError(
            f"no tenant key: set {TENANT_KEY_VARIABLE} (SELECT key FROM security_tenant_keys, as the schema "
            f"owner) or run `prometric db migrate` on the embedded database to write {path}"
        )
    return key


def read_tenant_key(owner_connection: Connection) -> str:
    """The newest active key, read as the schema owner (the reader and jobs roles cannot)."""
    key = owner_connection.execute(load_sql("security", "active_tenant_key")).scalar_one_or_none()
    if key is None:
        raise ConfigError("security_tenant_keys holds no active key: insert one (see docs/security.md)")
    return key


def sign_tenant(key: str, organization_id: str, workspace_ids: str, challenge: str, viewer: str = "") -> str:
    """The proof the policies recompute in SQL (prometric_tenant_organization()).

    The viewer is appended only when there is one, so a session without a viewer signs the very
    message it signed before viewers existed.
    """
    message = f"{organization_id}|{workspace_ids}|{challenge}" + (f"|{viewer}" if viewer else "")
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


def _workspace_setting(workspace_ids: Iterable[str] | None) -> str:
    if workspace_ids is None:
        return ""  # no narrowing: every workspace of the organization
    if isinstance(workspace_ids, str):
        raise InvalidInput("workspace ids must be a list of UUIDs, not one string")
    ids = sorted({parse_uuid(w, "workspace id") for w in workspace_ids})
    return ",".join(ids) if ids else NO_WORKSPACE


@contextmanager
def tenant_session(
    engine: Engine,
    organization_id: str,
    workspace_ids: Iterable[str] | None = None,
    *,
    viewer: TenantViewer | None = None,
    key: str | None = None,
) -> Iterator[Connection]:
    """A connection inside a transaction scoped to one organization (and optionally some of its workspaces).

    `viewer` narrows personal HR data to what that user may see (TenantViewer); None = full HR access.

    The settings are transaction-local (`set_config(…, true)`, i.e. SET LOCAL with bound parameters):
    they end with the transaction, so a pooled connection never carries a tenant to its next user.
    Commits on a clean exit, rolls back on an exception.
    """
    organization = parse_uuid(organization_id)
    workspaces = _workspace_setting(workspace_ids)
    if viewer is not None and not isinstance(viewer, TenantViewer):
        raise InvalidInput("viewer must be a TenantViewer")
    viewer_setting = viewer.setting if viewer is not None else ""
    secret = key if key is not None else tenant_key()
    with engine.connect() as connection, connection.begin():
        challenge = connection.execute(load_sql("security", "tenant_challenge")).scalar_one()
        connection.execute(
            load_sql("security", "set_tenant"),
            {
                "organization_id": organization,
                "workspace_ids": workspaces,
                "viewer": viewer_setting,
                "proof": sign_tenant(secret, organization, workspaces, challenge, viewer_setting),
            },
        )
        yield connection
