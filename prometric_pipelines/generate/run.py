"""`prometric generate`: load a deterministic history for several organizations in one transaction."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import time
from collections.abc import Callable

import psycopg
from sqlalchemy.engine import Engine

from prometric_pipelines.db.schema import DERIVED_TABLES, ERP_TABLES
from prometric_pipelines.errors import PrometricError
from prometric_pipelines.generate.accounts import DEMO_PASSWORD, Guest
from prometric_pipelines.generate.anomalies import inject_anomalies, run_sql
from prometric_pipelines.generate.catalog import FOREIGN_CURRENCIES
from prometric_pipelines.generate.copy import TableLoader
from prometric_pipelines.generate.org import OrgHistory
from prometric_pipelines.generate.scales import GenerateOptions
from prometric_pipelines.generate.state import Anomaly
from prometric_pipelines.security.passwords import DEFAULT_ROUNDS, hash_password
from prometric_pipelines.sql import load_sql

Progress = Callable[[str], None]
# Tables the jobs fill from the history, never the generator.
JOB_OUTPUT_TABLES = ("metrics", "payroll")


class DatabaseNotEmpty(PrometricError):
    """Generated data would mix with existing data."""


@dataclasses.dataclass
class GenerateResult:
    rows: dict[str, int]
    seconds: float
    organizations: list[str]
    anomalies: list[Anomaly]
    analyze_seconds: float = 0.0
    copy_seconds: dict[str, float] = dataclasses.field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def _raw_connection(engine: Engine) -> psycopg.Connection:
    url = engine.url.set(drivername="postgresql")
    return psycopg.connect(url.render_as_string(hide_password=False), autocommit=False)


def generate(
    engine: Engine,
    options: GenerateOptions,
    *,
    append: bool = False,
    reset: bool = False,
    progress: Progress | None = None,
    binary: bool = True,
) -> GenerateResult:
    """Generates `options.orgs` organizations into the (migrated) database, all in one transaction:
    a failure leaves the database as it was. `binary=False` loads with CSV COPY instead (slower;
    the data is the same, which a test checks)."""
    say = progress or (lambda _message: None)
    started = time.monotonic()
    with _raw_connection(engine) as conn:
        conn.execute("SET LOCAL synchronous_commit = off")
        conn.execute("SET LOCAL work_mem = '64MB'")
        conn.execute(load_sql("generate", "lock_generation").text)
        existing = conn.execute(load_sql("generate", "count_organizations").text).fetchone()[0]
        if existing and not (append or reset):
            raise DatabaseNotEmpty(
                f"the database already holds {existing} organization(s); "
                "use --append to add more or --reset to replace all ERP data"
            )
        first_ordinal = existing if append else 0
        say(
            f"generating {options.scale.name}: {options.orgs} organization(s), {options.start} .. {options.end} "
            f"({options.days} days), seed {options.seed}" + (f", after {existing} existing" if append else "")
        )
        if reset and existing:
            say(f"replacing the data of {existing} organization(s)")  # truncated below, in this transaction
        # One bcrypt hash at full cost for the demo accounts the dashboards print.
        hashes = {"demo": demo_password_hash(options)}
        deferred = _defer_constraints(conn) if not existing or reset else None
        loader = TableLoader(conn, freeze=deferred is not None, binary=binary)
        organizations: list[str] = []
        anomalies: list[Anomaly] = []
        last_report = time.monotonic()
        guests: tuple[Guest, ...] = ()
        try:
            for number in range(options.orgs):
                history = OrgHistory(options, first_ordinal + number, hashes, guests)
                for table, columns in history.build():
                    loader.write(table, columns)
                    now = time.monotonic()
                    if now - last_report >= 2:
                        total = sum(loader.rows.values())
                        say(
                            f"  organization {number + 1}/{options.orgs}: {total:,} rows so far, "
                            f"{total / (now - started):,.0f} rows/s"
                        )
                        last_report = now
                organizations.append(history.org_id)
                anomalies.extend(history.anomalies)
                # the first organization's demo accounts also belong to the second (switching is demoable)
                guests = history.guests_for_next() if history.ordinal == 0 else ()
        except BaseException:
            loader.abort()  # the COPY thread lets go of the connection before it rolls back
            raise
        loader.close()
        # exchange rates of the history's days: foreign-currency purchases convert instead of being skipped
        # from the day before: the first morning's purchases (05:00 in Almaty) are the previous day in UTC
        first_rate = options.start - dt.timedelta(days=1)
        say(f"exchange rates {first_rate} .. {options.end} for {', '.join(FOREIGN_CURRENCIES)}")
        for currency, rate in FOREIGN_CURRENCIES.items():
            run_sql(conn, "fx_rates", currency=currency, rate=rate, start=first_rate, end=options.end)
        if deferred is not None:
            say("building indexes and validating foreign keys …")
            _restore_constraints(conn, deferred)
        if options.inject_anomalies:
            anomalies.extend(inject_anomalies(conn, options, organizations))
        conn.commit()
        loaded = time.monotonic() - started
        # fresh statistics for the jobs that run right after (autovacuum would get there later)
        conn.autocommit = True
        conn.execute("ANALYZE " + ", ".join(f'"{t}"' for t in loader.rows))
    return GenerateResult(
        dict(loader.rows), loaded, organizations, anomalies, time.monotonic() - started - loaded, loader.copy_seconds
    )


def organization_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(load_sql("generate", "count_organizations")).scalar_one()


def demo_password_hash(options: GenerateOptions) -> str:
    """The full-cost bcrypt hash of the demo password: reproducible from the seed."""
    salt = hashlib.sha256(f"{options.seed}:demo".encode()).digest()[:16]
    return hash_password(DEMO_PASSWORD, rounds=DEFAULT_ROUNDS, salt_bytes=salt)


def demo_accounts(engine: Engine, options: GenerateOptions) -> list[tuple[str, str, str]]:
    """(role, email, home organization) of the demo sign-in accounts (first organization of a run),
    by role."""
    with engine.connect() as conn:
        rows = conn.execute(load_sql("generate", "demo_accounts"), {"password_hash": demo_password_hash(options)})
        return sorted((tuple(row) for row in rows), key=lambda row: (row[0], row[1]))


def demo_memberships(engine: Engine, options: GenerateOptions) -> dict[str, list[str]]:
    """email → where the demo account belongs, one entry per organization, e.g.
    `ТОО «…»: manager of Головной офис, Филиал Караганда` or `ТОО «…»: creator (every workspace)`."""
    reach: dict[str, dict[str, list[str]]] = {}
    with engine.connect() as conn:
        rows = conn.execute(load_sql("generate", "demo_memberships"), {"password_hash": demo_password_hash(options)})
        for email, organization, workspace, membership in rows:
            reach.setdefault(email, {}).setdefault(f"{organization}: {membership}", []).append(workspace)
    return {
        email: [
            key + (" (every workspace)" if key.endswith(": creator") else " of " + ", ".join(workspaces))
            for key, workspaces in organizations.items()
        ]
        for email, organizations in reach.items()
    }


def _truncate_erp_tables() -> str:
    # platform tables (tenant keys, lock-outs, job bookkeeping) are not ERP data: never truncated, except
    # those derived from ERP rows by a foreign key (payroll_items …), which TRUNCATE could not leave behind
    return "TRUNCATE " + ", ".join(f'"{name}"' for name in (*ERP_TABLES, *DERIVED_TABLES))


@dataclasses.dataclass
class _Deferred:
    indexes: list[tuple[str, str]]
    constraints: list[tuple[str, str, str]]  # foreign keys last
    triggers: list[tuple[str, str]]  # (table, trigger): change recorders, off for the load


def _defer_constraints(conn: psycopg.Connection) -> _Deferred:
    """Drops the ERP tables' keys, foreign keys and indexes (and turns their change-recording triggers
    off) for a load into empty tables. All in the
    load's transaction: no other session ever sees the schema without them. The tables are
    truncated in this transaction too, which lets COPY skip WAL (`wal_level = minimal`) and FREEZE."""
    conn.execute(_truncate_erp_tables())
    # the derived tables' foreign keys into ERP tables block dropping the ERP keys: deferred with them
    tables = [f'"{name}"' for name in (*ERP_TABLES, *DERIVED_TABLES)]
    indexes = [tuple(row) for row in run_sql(conn, "deferred_indexes", tables=tables)]
    constraints = [tuple(row) for row in run_sql(conn, "deferred_constraints", tables=tables)]
    for table, name, _definition in reversed(constraints):
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    # after the TRUNCATE, whose own triggers (clearing the stock seals) must run; the load writes the
    # exchange rates of its days too
    triggers = [tuple(row) for row in run_sql(conn, "deferred_triggers", tables=[*tables, '"fx_rates"'])]
    for table, name in triggers:
        conn.execute(f'ALTER TABLE {table} DISABLE TRIGGER "{name}"')
    return _Deferred(indexes, constraints, triggers)


def _restore_constraints(conn: psycopg.Connection, deferred: _Deferred) -> None:
    """Adds keys, indexes and foreign keys back. Each is checked as it is added, so a duplicate
    id or a dangling reference fails the whole load instead of staying in the data."""
    # parallel index builds share this between their workers; 1GB keeps the largest sorts in memory
    conn.execute("SET LOCAL maintenance_work_mem = '1GB'")
    keys = [c for c in deferred.constraints if not c[2].startswith("FOREIGN KEY")]
    foreign_keys = [c for c in deferred.constraints if c[2].startswith("FOREIGN KEY")]
    for table, name, definition in keys:
        conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for _name, definition in deferred.indexes:
        # a partitioned table's index reads `ON ONLY <table>` (its partitions' indexes not included):
        # built again on the whole table
        conn.execute(definition.replace(" ON ONLY ", " ON ", 1))
    for table, name, definition in foreign_keys:
        conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for table, name in deferred.triggers:
        conn.execute(f'ALTER TABLE {table} ENABLE TRIGGER "{name}"')
