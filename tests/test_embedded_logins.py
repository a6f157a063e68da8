"""`prometric db migrate` on the embedded server makes the reader and jobs roles usable logins."""

from __future__ import annotations

import shutil
import stat
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.db.roles import JOBS_ROLE, READER_ROLE, password_file, role_database_url
from prometric_pipelines.db.tenancy import tenant_key_file, tenant_session
from prometric_pipelines.errors import ConfigError
from tests.cli import prometric
from tests.factories import make_tenant


def test_embedded_migrate_provisions_logins_and_the_tenant_key(cli_env, monkeypatch):
    home = Path(tempfile.mkdtemp(prefix="prometric-logins-", dir="/tmp"))
    env = {**cli_env, "PROMETRIC_HOME": str(home)}
    try:
        result = prometric("db", "migrate", env=env)  # starts the embedded server on demand
        assert result.returncode == 0, result.stderr
        again = prometric("db", "migrate", env=env)
        assert again.returncode == 0 and "nothing to apply" in again.stdout
        files = [password_file(READER_ROLE, home), password_file(JOBS_ROLE, home), tenant_key_file(home)]
        for path in files:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        owner_url = make_url(prometric("db", "url", env=env).stdout.strip()).set(drivername="postgresql+psycopg")
        owner = create_db_engine(owner_url)
        with owner.begin() as conn:
            organization = str(make_tenant(conn)["organization"]["id"])

        monkeypatch.setenv("PROMETRIC_HOME", str(home))
        monkeypatch.delenv("DATABASE_URL", raising=False)
        reader = create_db_engine(role_database_url(READER_ROLE, base_url=owner_url))
        with reader.connect() as conn:
            assert conn.execute(text("SELECT current_user")).scalar_one() == READER_ROLE
            assert conn.execute(text("SELECT count(*) FROM organizations")).scalar_one() == 0
        with tenant_session(reader, organization) as conn:  # the key comes from $PROMETRIC_HOME/tenant.key
            assert conn.execute(text("SELECT count(*) FROM organizations")).scalar_one() == 1
        reader.dispose()
        owner.dispose()

        monkeypatch.setenv("DATABASE_URL", owner_url.render_as_string(hide_password=False))
        with pytest.raises(ConfigError, match="READER_DATABASE_URL is not"):
            role_database_url(READER_ROLE)
    finally:
        prometric("db", "stop", env=env)
        shutil.rmtree(home, ignore_errors=True)
