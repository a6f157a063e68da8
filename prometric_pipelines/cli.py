"""The `prometric` command. See README.md and DESIGN.md's command-line contract.

Every user mistake or unreachable service ends as one line on stderr and a non-zero exit code
(2 for bad usage, 1 for everything else); a traceback means a bug in this program. A failed run prints
one line per failed organization or step and where its full log is (exit code 3 when only some
organizations failed, the others being written; 1 otherwise); `--verbose` adds Dagster's tracebacks.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Sequence
from typing import NoReturn

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from prometric_pipelines import business_calendar, config
from prometric_pipelines.errors import PrometricError
from prometric_pipelines.validation import argparse_type, parse_port

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NOT_RUNNING = 3  # like `pg_ctl status`


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake in one line instead of usage text plus message."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def _say(message: str) -> None:
    print(message, flush=True)


# ---- prometric db …------------------------------------------------------------------------


def _db_start(args: argparse.Namespace) -> int:
    external = config.external_database_url()
    if external is not None:
        _say(f"DATABASE_URL is set ({config.display_url(external)}): nothing to start")
        return 0
    from prometric_pipelines.db.embedded import embedded_server

    server = embedded_server()
    was_running = server.status().running
    status = server.start()
    verb = "already running" if was_running else "started"
    url = config.libpq_url(server.url(), hide_password=True)
    _say(f"embedded PostgreSQL {status.major_version} {verb}: {url} (data in {status.data_dir})")
    return 0


def _db_stop(args: argparse.Namespace) -> int:
    external = config.external_database_url()
    if external is not None:
        _say(f"DATABASE_URL is set ({config.display_url(external)}): nothing to stop")
        return 0
    from prometric_pipelines.db.embedded import embedded_server

    _say("embedded PostgreSQL stopped" if embedded_server().stop() else "embedded PostgreSQL was not running")
    return 0


def _db_status(args: argparse.Namespace) -> int:
    external = config.external_database_url()
    if external is not None:
        from prometric_pipelines.db.engine import check_connection, create_db_engine

        version = check_connection(create_db_engine(external))
        _say(f"external PostgreSQL {version} reachable at {config.display_url(external)} (DATABASE_URL)")
        return 0
    from prometric_pipelines.db.embedded import embedded_server

    server = embedded_server()
    status = server.status()
    if not status.running:
        where = "initialised" if status.major_version else "not initialised"
        _say(f"embedded PostgreSQL stopped ({where}, data in {status.data_dir})")
        return EXIT_NOT_RUNNING
    _say(
        f"embedded PostgreSQL {status.major_version} running: pid {status.pid}, "
        f"{config.libpq_url(server.url(port=status.port), hide_password=True)}, data in {status.data_dir}"
    )
    return 0


def _db_url(args: argparse.Namespace) -> int:
    external = os.environ.get("DATABASE_URL", "").strip()
    if external:
        config.normalize_database_url(external)  # validate before handing it to scripts
        _say(external)
        return 0
    from prometric_pipelines.db.embedded import embedded_server

    _say(config.libpq_url(embedded_server().url()))
    return 0


def _db_migrate(args: argparse.Namespace) -> int:
    from prometric_pipelines.db.engine import check_connection, create_db_engine
    from prometric_pipelines.db.migrate import migrate

    engine = create_db_engine()
    check_connection(engine)
    result = migrate(engine)
    if result.applied:
        _say(
            f"migrated {result.revision_before or '(empty)'} -> {result.revision}: "
            f"{len(result.applied)} migration(s) applied in {result.seconds:.1f} s; {result.table_count} tables"
        )
    else:
        _say(f"already at {result.revision}: nothing to apply; {result.table_count} tables")
    _provision_embedded_logins(engine)
    return 0


def _provision_embedded_logins(engine: Engine) -> None:
    """On the embedded server, the reader and jobs roles become logins (docs/security.md)."""
    if config.external_database_url() is not None:
        return  # the operator's server: logins are the operator's (READER_DATABASE_URL …)
    from prometric_pipelines.db.roles import provision_logins

    provision_logins(engine)


# ---- prometric generate -------------------------------------------------------------------------


def _generate(args: argparse.Namespace) -> int:
    from prometric_pipelines.db.engine import check_connection, create_db_engine
    from prometric_pipelines.db.migrate import migrate
    from prometric_pipelines.generate.run import demo_accounts, generate
    from prometric_pipelines.generate.scales import check_history, options_for

    options = options_for(
        args.scale,
        orgs=args.orgs,
        days=args.days,
        start=args.start,
        seed=args.seed,
        inject_anomalies=args.inject_anomalies,
    )
    check_history(options)
    engine = create_db_engine()
    check_connection(engine)
    migrate(engine)
    result = generate(engine, options, append=args.append, reset=args.reset, progress=_say)
    for table, rows in sorted(result.rows.items(), key=lambda item: -item[1]):
        _say(f"  {table:<22} {rows:>12,}")
    _say(
        f"{result.total_rows:,} rows in {result.seconds:.1f} s ({result.total_rows / result.seconds:,.0f} rows/s, "
        f"indexes and foreign keys included; ANALYZE {result.analyze_seconds:.1f} s)"
    )
    for anomaly in result.anomalies:
        _say(f"  anomaly {anomaly.kind}: {anomaly.description}")
    accounts = demo_accounts(engine, options)
    if accounts:
        _say("demo sign-in (password: prometric-demo): " + ", ".join(f"{role} {email}" for role, email, _ in accounts))
    return 0


# ---- servers: ui, dashboards, demo -------------------------------------------------------------


def _dagster_command(port: int, quiet: bool = False) -> list[str]:
    """`quiet` (the demo): the webserver's and daemon's own INFO lines (a sensor tick every 30 s …) stay
    off the terminal, where they would scroll the URLs and accounts away; warnings and errors still show."""
    return [
        sys.executable, "-m", "prometric_pipelines.framework_warnings", "dev",  # `dagster dev`, filtered
        "-w", str(config.PROJECT_ROOT / "workspace.yaml"),
        "-h", "127.0.0.1", "-p", str(port),
        *(["--log-level", "warning"] if quiet else []),
    ]  # fmt: skip


def _streamlit_command(port: int, quiet: bool = False) -> list[str]:
    return [
        sys.executable, "-m", "streamlit", "run", str(config.PROJECT_ROOT / "dashboards" / "streamlit_app.py"),
        "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "viewer",  # no "Deploy" button or developer menu for analysts
        *(["--logger.level", "warning"] if quiet else []),
        "--client.showErrorDetails", "none",  # a second guard behind the pages' own: no traceback in the browser
    ]  # fmt: skip


def _ui(args: argparse.Namespace) -> int:
    from prometric_pipelines.orchestration import dagster_environment

    port = args.port or config.ui_port()
    _require_free_port(port, "--port or PROMETRIC_UI_PORT")
    _prepare_database()
    env = dagster_environment()
    return subprocess.call(_dagster_command(port), env=env, cwd=env["DAGSTER_HOME"])


def _dashboards(args: argparse.Namespace) -> int:
    port = args.port or config.dashboards_port()
    _require_free_port(port, "--port or PROMETRIC_DASHBOARDS_PORT")
    _prepare_database()
    env = _database_environment()
    if config.external_database_url() is not None and not env.get("READER_DATABASE_URL", "").strip():
        raise PrometricError(
            "DATABASE_URL is set but READER_DATABASE_URL is not: the dashboards sign in with the "
            "prometric_reader login only; create it (docs/security.md)"
        )
    return subprocess.call(_streamlit_command(port), env=_dashboards_environment(env))


def _require_free_port(port: int, setting: str) -> None:
    if not config.port_is_free(port):
        raise PrometricError(f"port {port} is already in use (another demo still running?); choose one with {setting}")


def _prepare_database() -> None:
    """Starts the embedded server (when no DATABASE_URL) and checks the database answers."""
    from prometric_pipelines.db.engine import check_connection, create_db_engine

    check_connection(create_db_engine())


def _database_environment() -> dict[str, str]:
    """Pins child processes to the same database this process resolved (and, on the embedded
    server once migrated, to its reader and jobs logins)."""
    from prometric_pipelines.db.engine import database_url
    from prometric_pipelines.db.roles import ROLE_URL_VARIABLES, password_file, role_database_url

    url = database_url()
    env = {**os.environ, "DATABASE_URL": config.libpq_url(url)}
    if config.external_database_url() is None:
        for role, variable in ROLE_URL_VARIABLES.items():
            if variable not in env and password_file(role).exists():
                env[variable] = config.libpq_url(role_database_url(role, base_url=url))
    return env


# what the dashboards must not hold: the owner's URL and the jobs login (docs/security.md, "Logins")
DASHBOARDS_WITHHELD_VARIABLES = ("DATABASE_URL", "JOBS_DATABASE_URL", "MAINTENANCE_DATABASE_URL")


def _dashboards_environment(env: dict[str, str]) -> dict[str, str]:
    """The dashboards' environment: the reader login only (READER_DATABASE_URL), never the owner's URL
    nor the jobs login; sign-in goes through the reader's SECURITY DEFINER functions. On an operator's
    server without READER_DATABASE_URL the app says so at sign-in (never falls back to another login)."""
    from prometric_pipelines.db.roles import EXTERNAL_SERVER_VARIABLE

    dashboards = {k: v for k, v in env.items() if k not in DASHBOARDS_WITHHELD_VARIABLES}
    if env.get("DATABASE_URL", "").strip() and config.external_database_url() is not None:
        dashboards[EXTERNAL_SERVER_VARIABLE] = "1"
    return dashboards


def _demo(args: argparse.Namespace) -> int:
    from prometric_pipelines.db.engine import database_url
    from prometric_pipelines.orchestration import run_job

    ui_port, dashboards_port = config.ui_port(), config.dashboards_port()
    _require_free_port(ui_port, "PROMETRIC_UI_PORT")
    _require_free_port(dashboards_port, "PROMETRIC_DASHBOARDS_PORT")
    _prepare_database()
    embedded = config.external_database_url() is None
    _pin_partitions_start()  # before any definition loads: the partitions start where the data does
    env = _database_environment()
    os.environ["DATABASE_URL"] = env["DATABASE_URL"]
    result = run_job("operational_schema_job", tags={"prometric/source": "demo"})
    if embedded:
        from prometric_pipelines.db.engine import create_db_engine
        from prometric_pipelines.db.roles import ROLE_URL_VARIABLES, provision_logins

        logins = provision_logins(create_db_engine())
        env.update({ROLE_URL_VARIABLES[role]: config.libpq_url(url) for role, url in logins.items()})
    schema = result.asset_materializations_for_node("operational_schema")[0].metadata
    _say(f"operational schema at {schema['revision'].value} ({schema['table_count'].value} tables)")
    _generate_demo_data_once()
    _run_demo_jobs_once()

    # SIGTERM (a service manager, `timeout`) must also reach the `finally` that stops the children
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    dagster_env = _demo_dagster_environment(env)
    # Own process groups: we stop each tree ourselves, once, instead of the terminal's Ctrl-C
    # hitting every process at the same moment.
    children = [
        subprocess.Popen(
            _dagster_command(ui_port, quiet=True),
            env=dagster_env,
            cwd=dagster_env["DAGSTER_HOME"],
            start_new_session=True,
        ),
        subprocess.Popen(
            _streamlit_command(dashboards_port, quiet=True), env=_dashboards_environment(env), start_new_session=True
        ),
    ]
    try:
        _wait_until_serving(f"http://127.0.0.1:{ui_port}/server_info", children, "Dagster UI")
        _wait_until_serving(f"http://127.0.0.1:{dashboards_port}/_stcore/health", children, "dashboards")
        # last, after everything the start-up printed (the servers' own logs are quiet: see above)
        _say("")
        _say(f"  Dagster UI:  http://127.0.0.1:{ui_port}")
        _say(f"  Dashboards:  http://127.0.0.1:{dashboards_port}")
        _say(f"  Database:    {config.libpq_url(database_url(), hide_password=True)}  (`prometric db url` for psql)")
        _say("")
        _print_demo_accounts()
        _say("Press Ctrl-C to stop (the database keeps running: `prometric db stop`).")
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        raise PrometricError("a demo process exited unexpectedly; see its output above")
    finally:
        _stop_process_trees(children)


FIRST_LOCAL_ORDER_DAY = """SELECT min(("orderDate" AT TIME ZONE 'UTC') AT TIME ZONE 'Asia/Almaty')::date FROM orders
    WHERE to_regclass('public.orders') IS NOT NULL"""  # every organization's data: the demo's own database


def _pin_partitions_start() -> None:
    """PROMETRIC_PARTITIONS_START for the demo's runs and `dagster dev`: the data's first day (in
    Asia/Almaty), or the first day the demo generates on a fresh database. A value the caller set wins."""
    if os.environ.get(config.PARTITIONS_START_VARIABLE, "").strip():
        config.partitions_start()  # a bad value is one line now, not a broken code location later
        return
    from sqlalchemy import text

    from prometric_pipelines.db.engine import create_db_engine
    from prometric_pipelines.generate.scales import options_for

    engine = create_db_engine()
    with engine.connect() as conn:
        exists = conn.execute(text("SELECT to_regclass('public.orders') IS NOT NULL")).scalar_one()
        first = conn.execute(text(FIRST_LOCAL_ORDER_DAY)).scalar_one() if exists else None
    engine.dispose()
    os.environ[config.PARTITIONS_START_VARIABLE] = (first or options_for("demo").start).isoformat()


def _demo_dagster_environment(env: dict[str, str]) -> dict[str, str]:
    """The demo's `dagster dev`: its daemon runs, and the schedules start running (PROMETRIC_SCHEDULES,
    defs/automation.py) so the UI shows them ticking; PROMETRIC_SCHEDULES=stopped in the caller's
    environment keeps them off."""
    from prometric_pipelines.defs.automation import SCHEDULES_VARIABLE
    from prometric_pipelines.orchestration import dagster_environment

    return {SCHEDULES_VARIABLE: "running", **dagster_environment(), **env}


def _generate_demo_data_once() -> None:
    """First start: load the `demo` scale; later starts keep whatever the database holds."""
    from prometric_pipelines.db.engine import create_db_engine
    from prometric_pipelines.generate.run import demo_accounts, generate, organization_count
    from prometric_pipelines.generate.scales import options_for

    engine = create_db_engine()
    existing = organization_count(engine)
    options = options_for("demo")
    if existing:
        _say(f"demo data: the database already holds {existing} organization(s); kept as they are")
    else:
        result = generate(engine, options, progress=_say)
        _say(f"demo data: {result.total_rows:,} rows in {result.seconds:.1f} s")
    accounts = demo_accounts(engine, options)
    if accounts:
        _say("demo sign-in (password: prometric-demo): " + ", ".join(f"{role} {email}" for role, email, _ in accounts))
    engine.dispose()


DEMO_PAYROLL_MONTHS = 3  # the last complete months: each month is its own payroll run (~seconds each)
DEMO_ARCHIVED_MONTHS = 3  # the first generated months' audit rows go to the archive (retention is 12 months)
# Metrics of the whole history go through Dagster, a quarter per run: the UI shows every day materialized,
# and the terminal a line per quarter. A range run stores one materialization per day and asset (6 × 92
# per run), which is most of its time (~1-1.5 min a quarter here).
DEMO_METRICS_RUN_DAYS = 92


def _run_demo_jobs_once() -> None:
    """First start: the jobs over the generated history, all through Dagster (they are the UI's run history
    and materializations): metrics for every day in DEMO_METRICS_RUN_DAYS runs, payroll for the last
    DEMO_PAYROLL_MONTHS complete months, one stock reconciliation on the last day, the audit archive of the
    first DEMO_ARCHIVED_MONTHS months as of the last complete month (so the Audit page reads live + archived
    rows) and a health snapshot. Each step is skipped when its table already holds rows (a later start)."""
    from sqlalchemy import text

    from prometric_pipelines.db.engine import create_db_engine
    from prometric_pipelines.orchestration import run_job

    engine = create_db_engine()
    with engine.connect() as conn:
        # each step once: a first start stopped half-way finishes the remaining steps on the next start
        done = {
            table: conn.execute(text(f"SELECT EXISTS (SELECT 1 FROM {table})")).scalar_one()
            for table in (
                "metrics",
                "payroll",
                "stock_reconciliation_runs",
                "audit_log_archives",
                "maintenance_health_snapshots",
            )
        }  # fixed table names, no input
        # local (Asia/Almaty) days, as the partitions count them
        first, last = conn.execute(
            text("""SELECT min(local)::date, max(local)::date
                    FROM (SELECT ("orderDate" AT TIME ZONE 'UTC') AT TIME ZONE 'Asia/Almaty' AS local FROM orders) o""")
        ).one()
    engine.dispose()
    if all(done.values()) or first is None:
        _say("demo jobs: already run; their rows are kept as they are" if first else "demo jobs: no data to compute")
        return
    began = time.monotonic()
    tags = {"prometric/source": "demo"}
    first = max(first, config.partitions_start())
    if not done["metrics"]:
        _demo_metrics(first, last, tags, began)
    if not done["payroll"]:
        months = _last_complete_months(first, last, DEMO_PAYROLL_MONTHS)
        for month in months:
            payroll = {"organization_ids": [], "approve": False, "mark_paid": False}  # payroll: empty = all
            run_job("payroll_job", {"ops": {"payroll_run": {"config": payroll}}},
                    {"dagster/partition": month.isoformat(), **tags})  # fmt: skip
        if months:
            _say(f"demo jobs: payroll {months[0]:%Y-%m}..{months[-1]:%Y-%m} ({time.monotonic() - began:.0f} s)")
    if not done["stock_reconciliation_runs"]:
        stock = {"apply_adjustments": False, "organization_ids": []}  # stock: empty = all
        run_job("stock_reconciliation_job", {"ops": {"stock_reconciliation": {"config": stock}}},
                {"dagster/partition": last.isoformat(), **tags})  # fmt: skip
    if not done["audit_log_archives"]:
        before = _add_months(first.replace(day=1), DEMO_ARCHIVED_MONTHS)
        archive = {"organization_ids": None, "before": before.isoformat()}
        # the partition is the month as of whose end the archive runs: the last complete one (the schedule's)
        month = _add_months(business_calendar.business_today().replace(day=1), -1)
        run_job("audit_archive_job", {"ops": {"audit_archive": {"config": archive}}},
                {"dagster/partition": month.isoformat(), **tags})  # fmt: skip
        _say(f"demo jobs: audit rows before {before} archived as of {month:%Y-%m} ({time.monotonic() - began:.0f} s)")
    if not done["maintenance_health_snapshots"]:  # the owners' Database page shows it
        run_job("database_health_job", tags=tags)
    _say(f"demo jobs: done ({time.monotonic() - began:.0f} s for all jobs)")


def _demo_metrics(first: dt.date, last: dt.date, tags: dict[str, str], began: float) -> None:
    from prometric_pipelines.commands.metrics import ASSETS
    from prometric_pipelines.defs.metrics.definitions import partition_range_tags
    from prometric_pipelines.orchestration import run_job
    from prometric_pipelines.progress import progress_line

    # None = every organization (an empty list means none)
    everyone = {"organization_ids": None}
    total = (last - first).days + 1
    chunk, done = first, 0
    while chunk <= last:
        chunk_end = min(last, chunk + dt.timedelta(days=DEMO_METRICS_RUN_DAYS - 1))
        run_job("metrics_job", {"ops": {asset: {"config": everyone} for asset in ASSETS}},
                {**partition_range_tags(chunk, chunk_end), **tags})  # fmt: skip
        done += (chunk_end - chunk).days + 1
        line = progress_line("metrics", done, total, "days", time.monotonic() - began, f"run {chunk}..{chunk_end}")
        _say(f"demo jobs: {line if done < total else f'metrics {first}..{last}: {total} days through Dagster'}")
        chunk = chunk_end + dt.timedelta(days=1)


def _add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def _last_complete_months(first: dt.date, last: dt.date, count: int) -> list[dt.date]:
    """Up to `count` month starts, oldest first, of the newest months lying wholly inside first..last."""
    after_last = last + dt.timedelta(days=1)
    month = after_last.replace(day=1) if after_last.day == 1 else last.replace(day=1)
    months: list[dt.date] = []
    while len(months) < count:
        month = _add_months(month, -1)
        if month < first:
            break
        months.insert(0, month)
    return months


def _print_demo_accounts() -> None:
    """The demo sign-in accounts as a table: role, e-mail, and each organization they can switch to with
    their reach there (one line per organization)."""
    from prometric_pipelines.db.engine import create_db_engine
    from prometric_pipelines.generate.org import DEMO_PASSWORD
    from prometric_pipelines.generate.run import demo_accounts, demo_memberships
    from prometric_pipelines.generate.scales import options_for

    engine = create_db_engine()
    options = options_for("demo")
    accounts = demo_accounts(engine, options)
    reach = demo_memberships(engine, options)
    engine.dispose()
    if not accounts:
        return
    for line in demo_account_lines(accounts, reach, DEMO_PASSWORD):
        _say(line)
    _say("")


def demo_account_lines(accounts: list[tuple[str, str, str]], reach: dict[str, list[str]], password: str) -> list[str]:
    """The demo accounts table; the home organization first on each account's lines."""
    width = max(len(email) for _, email, _ in accounts)
    lines = [
        f"  Demo accounts (dashboards sign-in, password {password}; switch organization and workspace in the sidebar):",
        f"    {'role':<9} {'e-mail':<{width}}  organizations (role there)",
    ]
    for role, email, home in accounts:
        entries = sorted(reach.get(email, [home]), key=lambda entry: not entry.startswith(f"{home}: "))
        lines.append(f"    {role:<9} {email:<{width}}  {entries[0]}")
        lines.extend(f"    {'':<9} {'':<{width}}  {entry}" for entry in entries[1:])
    return lines


def _stop_process_trees(children: list[subprocess.Popen], grace_seconds: float = 30) -> None:
    """SIGINT (graceful for both Dagster and Streamlit) to every group at once, `grace_seconds` in all for
    them to stop (not per server: Ctrl-C must not take a minute and a half), then SIGKILL what is left."""
    for child in children:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGINT)
    deadline = time.monotonic() + grace_seconds
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)


def _wait_until_serving(url: str, children: list[subprocess.Popen], name: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(child.poll() is not None for child in children):
            raise PrometricError(f"{name} did not start; see its output above")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise PrometricError(f"{name} did not answer at {url} within {timeout:.0f} s")


# ---- parser and entry point -----------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="prometric", description="Prometric Pipelines: ERP analytics and batch jobs.")
    parser.add_argument(
        "--verbose", action="store_true", help="a failed run also shows the framework's tracebacks (Dagster's log)"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    db = commands.add_parser("db", help="the operational database (embedded unless DATABASE_URL is set)")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_actions: dict[str, tuple[str, Callable[[argparse.Namespace], int]]] = {
        "start": ("start the embedded PostgreSQL (no-op with DATABASE_URL)", _db_start),
        "stop": ("stop the embedded PostgreSQL (data is kept)", _db_stop),
        "status": ("is the database up? exit code 3 when the embedded server is stopped", _db_status),
        "url": ("print the database URL (for psql, scripts)", _db_url),
        "migrate": ("apply pending schema migrations (alembic upgrade head)", _db_migrate),
    }
    for name, (help_text, handler) in db_actions.items():
        db_commands.add_parser(name, help=help_text).set_defaults(handler=handler)
    from prometric_pipelines.commands.maintenance import register_db

    register_db(db_commands)  # backup, restore, health

    from prometric_pipelines.generate.scales import SCALES
    from prometric_pipelines.validation import parse_date, parse_positive_int

    generate = commands.add_parser("generate", help="load a deterministic synthetic ERP history (COPY)")
    generate.add_argument("--scale", choices=list(SCALES), default="demo", help="data set size (default demo)")
    generate.add_argument("--orgs", type=argparse_type(parse_positive_int, "--orgs", maximum=10_000))
    generate.add_argument("--days", type=argparse_type(parse_positive_int, "--days", maximum=3_650))
    generate.add_argument("--start", type=argparse_type(parse_date, "--start"), help="first day (YYYY-MM-DD)")
    generate.add_argument("--seed", type=argparse_type(parse_positive_int, "--seed"), default=42)
    generate.add_argument("--inject-anomalies", action="store_true", help="add a small reported set of known problems")
    existing = generate.add_mutually_exclusive_group()
    existing.add_argument("--append", action="store_true", help="add organizations to a database that has some")
    existing.add_argument("--reset", action="store_true", help="replace all ERP data in the database")
    generate.set_defaults(handler=_generate)

    ui = commands.add_parser("ui", help="start the Dagster UI and daemon alone")
    ui.add_argument("--port", type=argparse_type(parse_port), help="default $PROMETRIC_UI_PORT or 3000")
    ui.set_defaults(handler=_ui)
    dashboards = commands.add_parser("dashboards", help="start the Streamlit dashboards alone")
    dashboards.add_argument("--port", type=argparse_type(parse_port), help="default $PROMETRIC_DASHBOARDS_PORT or 8501")
    dashboards.set_defaults(handler=_dashboards)
    commands.add_parser("demo", help="migrate, then start the Dagster UI and the dashboards").set_defaults(
        handler=_demo
    )

    from prometric_pipelines.commands import registrars

    run = commands.add_parser("run", help="run a job through Dagster (it shows in the UI's run history)")
    run_jobs = run.add_subparsers(dest="job", metavar="JOB", required=True)
    for register in registrars():
        register(run_jobs, commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from prometric_pipelines.orchestration import set_verbose
    from prometric_pipelines.run_failures import RunFailed
    from prometric_pipelines.supervision import RunStopped

    set_verbose(args.verbose)
    try:
        return args.handler(args)
    except RunFailed as failure:
        # one line per failed organization or step, then where the full log is
        if args.verbose:
            for traceback in failure.tracebacks:
                print(traceback, file=sys.stderr)
        for line in failure.lines:
            print(line, file=sys.stderr)
        return failure.exit_code
    except RunStopped as stopped:
        print(f"prometric: {stopped}", file=sys.stderr)
        return stopped.exit_code
    except PrometricError as error:
        print(f"prometric: {error}", file=sys.stderr)
        return EXIT_ERROR
    except DBAPIError as error:
        # connection problems were already turned into PrometricError by check_connection
        reason = str(error.orig if error.orig is not None else error).strip().splitlines()[0]
        print(f"prometric: database error: {reason}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
