"""The environment `prometric` has on an operator's server (DATABASE_URL set): one URL per login."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy.engine import URL

from prometric_pipelines.config import libpq_url
from prometric_pipelines.db.engine import create_db_engine

# one home for the logins' passwords in this pytest process: the logins are server-wide, so every
# environment made here holds the same, current passwords (a second home would change them under the first)
LOGINS_HOME = Path(tempfile.mkdtemp(prefix="prometric-test-logins-"))


def operator_env(cli_env: dict[str, str], url: URL, provision_on: URL | None = None) -> dict[str, str]:
    """`cli_env` as on an operator's server: DATABASE_URL (the owner, for `prometric db migrate`) and a
    URL for each login (JOBS_, MAINTENANCE_, READER_DATABASE_URL), provisioned on that database's server
    as `db migrate` does on the embedded one; the jobs never fall back to the owner's URL. Logins are
    server-wide: `provision_on` names a migrated database to provision them from when `url`'s is empty."""
    from prometric_pipelines.db.roles import ROLE_URL_VARIABLES, provision_logins

    owner = create_db_engine(provision_on or url)
    try:
        logins = provision_logins(owner, LOGINS_HOME)
    finally:
        owner.dispose()
    env = {**cli_env, "DATABASE_URL": libpq_url(url)}
    env.update(
        {ROLE_URL_VARIABLES[role]: libpq_url(login.set(database=url.database)) for role, login in logins.items()}
    )
    return env
