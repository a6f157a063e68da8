"""Backups on the real server: pg_dump through the `database_backup` asset, restore into a new database,
the weekly restore check, a corrupted file, retention, the CLI, and client programs of the wrong version.
The tests marked `store` run against a local folder and against a bucket of a real S3-compatible server.

The source database holds a small generated ERP history (one organization, 60 days), so every table
the generator fills has rows to count and checksum.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import stat
import subprocess
import sys
from pathlib import Path

import dagster as dg
import psycopg
import pytest
from sqlalchemy.engine import URL, Engine

from prometric_pipelines.config import libpq_url
from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.definitions import defs
from prometric_pipelines.errors import ConfigError
from prometric_pipelines.maintenance import backup
from prometric_pipelines.maintenance.clients import client_programs
from prometric_pipelines.storage import open_store
from tests.operator import operator_env

# hashed independently of the implementation: every row's text, in primary-key order
INDEPENDENT_DIGEST = "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM {} AS t"
DIGEST_TABLES = ("organizations", "employees", "orders", "invoices", "stock_movements")


@pytest.fixture(scope="module")
def source(engine: Engine) -> Engine:
    from prometric_pipelines.generate.run import generate
    from prometric_pipelines.generate.scales import options_for

    generate(engine, options_for("demo", orgs=1, days=60, start=dt.date(2026, 9, 1)))
    return engine


@pytest.fixture
def archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: URL) -> Path:
    """ARCHIVE_URL in a fresh folder, and DATABASE_URL and the logins at this module's database, as the jobs
    read them: the backup and the restore check run as prometric_maintenance, never as the owner."""
    monkeypatch.setenv("ARCHIVE_URL", str(tmp_path / "archive"))
    for variable, value in operator_env({}, database_url).items():
        if variable.endswith("DATABASE_URL"):
            monkeypatch.setenv(variable, value)
    return tmp_path / "archive"


@pytest.fixture
def backups_in(store, monkeypatch: pytest.MonkeyPatch, database_url: URL):
    """ARCHIVE_URL a local folder or a bucket (StoreUnderTest), DATABASE_URL and the logins at this module's
    database (the backup and the restore check run as prometric_maintenance)."""
    monkeypatch.setenv("ARCHIVE_URL", store.url)
    for variable, value in operator_env({}, database_url).items():
        if variable.endswith("DATABASE_URL"):
            monkeypatch.setenv(variable, value)
    return store


def _made_backup(result: dg.ExecuteInProcessResult, database: str) -> backup.BackupFile:
    """The backup a job run made, found from its metadata (a local path or an s3:// URL)."""
    meta = result.asset_materializations_for_node("database_backup")[0].metadata
    return backup.resolve_backup(meta["path"].value, database)


def _tamper(made: backup.BackupFile) -> None:
    """One byte in the middle of the dump flipped, the size unchanged (in place, or a replaced object)."""
    store = made.location.store
    content = bytearray(b"".join(store.open_read(made.key)))
    content[len(content) // 2] ^= 0xFF
    store.delete(made.key)
    store.put_bytes(made.key, bytes(content), expected_tag=None)


def _counts(url: URL) -> dict[str, int]:
    with psycopg.connect(libpq_url(url)) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {t: conn.execute(f'SELECT count(*) FROM public."{t}"').fetchone()[0] for t in tables}


def _backed_up_counts(url: URL) -> dict[str, int]:
    """What a backup holds: every table's rows but the tenant keys' (left out on purpose)."""
    return {**_counts(url), "security_tenant_keys": 0}


def _tenant_keys(url: URL) -> list[str]:
    with psycopg.connect(libpq_url(url)) as conn:
        return [row[0] for row in conn.execute("SELECT key FROM security_tenant_keys")]


def _digests(url: URL) -> dict[str, tuple[int, str]]:
    with psycopg.connect(libpq_url(url)) as conn:
        return {t: tuple(conn.execute(INDEPENDENT_DIGEST.format(t)).fetchone()) for t in DIGEST_TABLES}


def _database_exists(admin: URL, name: str) -> bool:
    with psycopg.connect(libpq_url(admin.set(database="postgres"))) as conn:
        return conn.execute("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = %s)", (name,)).fetchone()[0]


def _run_backup_job() -> dg.ExecuteInProcessResult:
    with dg.DagsterInstance.ephemeral() as instance:
        return defs.resolve_job_def("database_backup_job").execute_in_process(instance=instance)


def _run_restore_check() -> dg.AssetCheckEvaluation:
    with dg.DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("backup_restore_check_job").execute_in_process(instance=instance)
    assert result.success
    (evaluation,) = result.get_asset_check_evaluations()
    return evaluation


def test_backup_then_restore_into_a_new_database_gives_equal_row_counts_and_checksums(
    source, database_url, databases, backups_in
):
    result = _run_backup_job()
    meta = result.asset_materializations_for_node("database_backup")[0].metadata
    made = _made_backup(result, database_url.database)
    store = made.location.store
    manifest = json.loads(store.read_bytes(made.manifest_key).data)
    expected = _backed_up_counts(database_url)

    # the manifest: where, how big, the object's hash, the server, and the counts of this very database
    scheme = "s3://" if backups_in.kind == "s3" else "file://"
    folder = f"{scheme}{backups_in.url.removeprefix('s3://')}/backups/{database_url.database}"
    assert meta["url"].value == made.url == f"{folder}/{made.name}"
    content = b"".join(store.open_read(made.key))
    assert manifest["size_bytes"] == len(content) == meta["size_bytes"].value
    assert manifest["sha256"] == hashlib.sha256(content).hexdigest() == meta["sha256"].value
    assert manifest["server_major"] == int(manifest["server_version"].split(".")[0]) >= 14
    assert manifest["duration_seconds"] > 0
    assert manifest["tables"] == expected
    assert expected["stock_movements"] > 1000 and expected["employees"] > 10

    target = database_url.set(database=f"{database_url.database}_restored_{backups_in.kind}"[:63])
    databases.created.append(target.database)  # dropped with the session's databases
    restored = backup.restore(made, target)

    assert restored.created_database and restored.matches
    assert _counts(target) == {**expected, "security_tenant_keys": 1}  # every table; a new key
    (source_key,) = _tenant_keys(database_url)
    (restored_key,) = _tenant_keys(target)
    assert restored_key != source_key and len(restored_key) == 64
    assert _digests(target) == _digests(database_url)  # and a few tables row for row
    assert restored.checksums_compared == len(backup.DEFAULT_CHECKSUM_TABLES)


def test_a_corrupted_backup_is_caught_by_its_hash_before_anything_is_restored(
    source, database_url, backups_in, cli_env, tmp_path
):
    result = _run_backup_job()
    where = result.asset_materializations_for_node("database_backup")[0].metadata["path"].value
    made = _made_backup(result, database_url.database)
    _tamper(made)
    target = database_url.set(database=f"{database_url.database}_never"[:63])

    with pytest.raises(backup.CorruptBackup, match=r"is corrupt: SHA-256 .* differs from its manifest"):
        backup.restore(backup.resolve_backup(where, database_url.database), target)
    assert not _database_exists(database_url, target.database)

    # the CLI says the same in one line, and the weekly check fails on it instead of restoring it
    env = {**operator_env(cli_env, database_url), **backups_in.env, "ARCHIVE_URL": backups_in.url}
    cli = subprocess.run(
        [sys.executable, "-m", "prometric_pipelines.cli", "db", "restore", "--from", where,
         "--target-url", libpq_url(target)],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert cli.returncode == 1
    assert cli.stderr.startswith(f"prometric: backup {made.name} is corrupt: SHA-256 ")
    assert len(cli.stderr.strip().splitlines()) == 1 and "Traceback" not in cli.stderr
    assert not _database_exists(database_url, target.database)

    evaluation = _run_restore_check()
    assert not evaluation.passed
    assert "is corrupt: SHA-256" in evaluation.metadata["error"].value


def test_the_weekly_restore_check_restores_the_newest_backup_and_compares_every_table(source, database_url, backups_in):
    _run_backup_job()
    evaluation = _run_restore_check()

    assert evaluation.passed
    assert evaluation.metadata["tables_compared"].value == len(_counts(database_url))
    assert evaluation.metadata["rows_restored"].value == sum(_backed_up_counts(database_url).values())
    assert evaluation.metadata["mismatches"].value == "none"
    with psycopg.connect(libpq_url(database_url)) as conn:  # the scratch database is gone again
        left = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE '%restore_check%'").fetchall()
    assert left == []


def test_the_restore_check_finds_a_backup_whose_content_differs_from_its_manifest(source, database_url, archive):
    """A manifest that claims one more employee than the dump holds (a dump of the wrong moment)."""
    result = _run_backup_job()
    dump = Path(result.asset_materializations_for_node("database_backup")[0].metadata["path"].value)
    manifest_path = dump.with_suffix(".json")
    manifest = json.loads(manifest_path.read_text())
    manifest["tables"]["employees"] += 1
    manifest_path.write_text(json.dumps(manifest))

    evaluation = _run_restore_check()

    assert not evaluation.passed
    employees = manifest["tables"]["employees"]
    assert evaluation.metadata["mismatches"].value == (
        f"employees: {employees:,} rows in the manifest, {employees - 1:,} restored"
    )


def test_a_backup_is_private_and_holds_no_tenant_key(source, database_url, archive):
    result = _run_backup_job()
    dump = Path(result.asset_materializations_for_node("database_backup")[0].metadata["path"].value)
    for path in (dump, dump.with_suffix(".json")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for folder in (archive, archive / "backups", dump.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    # the dump as SQL (pg_restore decompresses it): the table is there, its key is not
    (key,) = _tenant_keys(database_url)
    programs = client_programs(*_server_version(database_url))
    script = subprocess.run(
        [str(programs.pg_restore), "--file=-", str(dump)], capture_output=True, text=True, check=True
    ).stdout
    assert "CREATE TABLE public.security_tenant_keys" in script
    assert key not in script
    assert "COPY public.security_tenant_keys" not in script
    assert "COPY public.organizations" in script  # the data of every other table is there
    assert json.loads(dump.with_suffix(".json").read_text())["excluded_table_data"] == ["security_tenant_keys"]


def _server_version(url: URL) -> tuple[int, str]:
    with psycopg.connect(libpq_url(url)) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
    return int(version.split(".")[0]), version


# ---- retention ----------------------------------------------------------------------------------


def _fake_backup(location: backup.BackupLocation, started: dt.datetime) -> str:
    """A backup as the job lays it out (only the manifest's date matters to retention); its dump's name."""
    name = f"prometric-{started:%Y%m%dT%H%M%SZ}.dump"
    location.store.put_bytes(location.key(name), b"x", expected_tag=None)
    manifest = {"format": backup.MANIFEST_FORMAT, "sha256": "0" * 64, "size_bytes": 1, "tables": {},
                "started_at": started.isoformat(), "server_major": 18, "server_version": "18.6"}  # fmt: skip
    location.store.put_bytes(
        location.key(backup.manifest_name_of(name)), json.dumps(manifest).encode(), expected_tag=None
    )
    return name


def test_retention_keeps_14_days_and_the_first_backup_of_12_months_and_deletes_only_the_rest(store):
    location = backup.BackupLocation(open_store(store.url), "backups/prometric/")
    objects = location.store
    utc = dt.UTC
    # a daily backup at 03:30 Almaty (22:30 UTC the day before) from 1 October to 5 December 2026
    daily = [
        dt.datetime(2026, 9, 30, 22, 30, tzinfo=utc) + dt.timedelta(days=n) for n in range(66)
    ]  # local days 1 Oct .. 5 Dec
    # older, sparser ones: two in November 2025, one in December 2025, two in January 2026, one in July 2026
    older = [dt.datetime(2025, 11, 3, 22, 30, tzinfo=utc), dt.datetime(2025, 11, 20, 22, 30, tzinfo=utc),
             dt.datetime(2025, 12, 1, 10, 0, tzinfo=utc), dt.datetime(2026, 1, 9, 22, 30, tzinfo=utc),
             dt.datetime(2026, 1, 25, 22, 30, tzinfo=utc), dt.datetime(2026, 7, 14, 22, 30, tzinfo=utc)]  # fmt: skip
    for started in older + daily:
        _fake_backup(location, started)
    objects.put_bytes(location.key("README.txt"), b"notes", expected_tag=None)  # not ours: never touched
    # a dump an operator put here: not ours either
    objects.put_bytes(location.key("before-upgrade.dump"), b"pg", expected_tag=None)
    orphan = "prometric-20261001T223001Z.dump"  # ours, its manifest gone (a crash half-way)
    objects.put_bytes(location.key(orphan), b"x", expected_tag=None)
    leftover = objects.staging_path(location.key("prometric-20261120T223000Z.dump"))  # a killed run's staged dump
    leftover.write_bytes(b"half")

    deleted = backup.apply_retention(location, dt.date(2026, 12, 5), backup.RetentionPolicy(14, 12))

    kept = sorted(b.local_date for b in backup.list_backups(location))
    expected = sorted(
        [dt.date(2026, 11, 22) + dt.timedelta(days=n) for n in range(14)]  # the last 14 local days
        + [dt.date(2026, 10, 1), dt.date(2026, 11, 1)]  # first of October and November (December's is daily)
        + [dt.date(2026, 1, 10), dt.date(2026, 7, 15)]  # first of January 2026 and July 2026 (local days)
    )
    assert kept == expected  # December 2025 and November 2025 are 13 and 14 months back: gone
    assert len(deleted) == len(older) + len(daily) - len(expected) + 1  # + the orphan
    names = {key.removeprefix(location.prefix) for key in objects.list(location.prefix)}
    assert objects.read_bytes(location.key("README.txt")).data == b"notes" and "before-upgrade.dump" in names
    assert orphan not in names and not leftover.exists()
    assert not names & set(deleted) and not {backup.manifest_name_of(name) for name in deleted} & names
    assert len(names) == 2 * len(expected) + 2
    # a second run changes nothing
    assert backup.apply_retention(location, dt.date(2026, 12, 5), backup.RetentionPolicy(14, 12)) == []


def test_the_backup_job_applies_retention_to_its_own_folder(source, database_url, archive):
    location = backup.backup_location(database_url.database)
    old = _fake_backup(location, dt.datetime(2024, 1, 1, tzinfo=dt.UTC))  # older than 12 months
    result = _run_backup_job()
    meta = result.asset_materializations_for_node("database_backup")[0].metadata
    assert meta["deleted_by_retention"].value == [old]
    assert not location.store.exists(location.key(old)) and Path(meta["path"].value).exists()


# ---- the command line and the client programs ---------------------------------------------------


def test_cli_backup_and_restore_latest_into_a_new_database(source, database_url, databases, archive, cli_env):
    env = {**operator_env(cli_env, database_url), "ARCHIVE_URL": str(archive)}
    made = subprocess.run(
        [sys.executable, "-m", "prometric_pipelines.cli", "db", "backup"], env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert f"backup {archive / 'backups' / database_url.database}" in made.stdout
    target = database_url.set(database=f"{database_url.database}_cli"[:63])
    databases.created.append(target.database)
    restored = subprocess.run(
        [sys.executable, "-m", "prometric_pipelines.cli", "db", "restore", "--from", "latest",
         "--target-url", libpq_url(target)],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert restored.returncode == 0, restored.stderr
    tables = len(_counts(database_url))
    rows = sum(_backed_up_counts(database_url).values())
    assert f"{tables} tables and {rows:,} rows match the manifest" in restored.stdout
    assert _counts(target) == _counts(database_url)

    # into a database that holds tables (the operational one itself): refused, one line, nothing changed
    refused = subprocess.run(
        [sys.executable, "-m", "prometric_pipelines.cli", "db", "restore", "--from", "latest"],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert refused.returncode == 1
    assert refused.stderr.startswith(f"prometric: the target database {database_url.database} already holds ")
    assert "nothing was changed" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    missing = subprocess.run(
        [sys.executable, "-m", "prometric_pipelines.cli", "db", "restore", "--from", "/no/such.dump"],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert (missing.returncode, missing.stderr) == (1, "prometric: /no/such.dump: no such backup file\n")


def test_client_programs_of_another_major_version_are_refused_with_what_was_found(database_url):
    engine = create_db_engine(database_url)
    with engine.connect() as conn:
        major, version = backup.server_version(conn)
    engine.dispose()
    assert client_programs(major, version).major == major  # the embedded wheel's own match

    with pytest.raises(ConfigError) as refused:
        client_programs(major + 1, f"{major + 1}.0")
    message = str(refused.value)
    assert message.startswith(
        f"the server is PostgreSQL {major + 1}.0 but no pg_dump/pg_restore of major version {major + 1} is installed"
    )
    assert f"found only {version.split()[0]}" in message  # the real programs it probed, with their version
    assert f"postgresql-client-{major + 1}" in message and "PROMETRIC_PG_BIN_DIR" in message


def test_restore_refuses_a_target_server_older_than_the_backup(tmp_path, database_url):
    name = _fake_backup(backup.BackupLocation(open_store(str(tmp_path)), ""), dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    dump = tmp_path / name
    manifest = json.loads(dump.with_suffix(".json").read_text())
    manifest.update(server_major=99, server_version="99.1", sha256=backup.file_sha256(dump))
    dump.with_suffix(".json").write_text(json.dumps(manifest))
    target = database_url.set(database="never_created_for_99")
    with pytest.raises(Exception, match=r"the backup is of PostgreSQL 99.1 and the target server is PostgreSQL \d+"):
        backup.restore(backup.read_backup(dump), target)
    assert not _database_exists(database_url, target.database)
