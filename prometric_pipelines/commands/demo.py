"""`prometric demo` (what `make demo` runs): the database migrated, the demo data and the jobs over its
history on the first start (every job through Dagster, so the UI shows their runs), then the Dagster UI
and the dashboards until Ctrl-C."""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import subprocess
import sys
import time

from sqlalchemy.engine import Connection

from prometric_pipelines import config
from prometric_pipelines.business_calendar import (
    TIMEZONE_NAME,
    add_months,
    business_today,
    month_start,
    previous_month,
)
from prometric_pipelines.commands.generate import say_demo_sign_in
from prometric_pipelines.commands.servers import (
    dagster_command,
    dashboards_environment,
    database_environment,
    prepare_database,
    require_free_port,
    stop_process_trees,
    streamlit_command,
    wait_until_serving,
)
from prometric_pipelines.errors import PrometricError
from prometric_pipelines.progress import say
from prometric_pipelines.sql import load_sql


def register_commands(commands: argparse._SubParsersAction) -> None:
    commands.add_parser("demo", help="migrate, then start the Dagster UI and the dashboards").set_defaults(
        handler=demo_command
    )


def demo_command(args: argparse.Namespace) -> int:
    from prometric_pipelines.db.engine import database_url
    from prometric_pipelines.orchestration import run_job

    ui_port, dashboards_port = config.ui_port(), config.dashboards_port()
    require_free_port(ui_port, "PROMETRIC_UI_PORT")
    require_free_port(dashboards_port, "PROMETRIC_DASHBOARDS_PORT")
    prepare_database()
    embedded = config.external_database_url() is None
    _pin_partitions_start()  # before any definition loads: the partitions start where the data does
    env = database_environment()
    config.export_setting("DATABASE_URL", env["DATABASE_URL"])
    result = run_job("operational_schema_job", tags={"prometric/source": "demo"})
    if embedded:
        from prometric_pipelines.db.engine import create_db_engine
        from prometric_pipelines.db.roles import ROLE_URL_VARIABLES, provision_logins

        logins = provision_logins(create_db_engine())
        env.update({ROLE_URL_VARIABLES[role]: config.libpq_url(url) for role, url in logins.items()})
    schema = result.asset_materializations_for_node("operational_schema")[0].metadata
    say(f"operational schema at {schema['revision'].value} ({schema['table_count'].value} tables)")
    _generate_demo_data_once()
    _run_demo_jobs_once()

    # SIGTERM (a service manager, `timeout`) must also reach the `finally` that stops the children
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    dagster_env = demo_dagster_environment(env)
    # Own process groups: we stop each tree ourselves, once, instead of the terminal's Ctrl-C
    # hitting every process at the same moment.
    children = [
        subprocess.Popen(
            dagster_command(ui_port, quiet=True),
            env=dagster_env,
            cwd=dagster_env["DAGSTER_HOME"],
            start_new_session=True,
        ),
        subprocess.Popen(
            streamlit_command(dashboards_port, quiet=True), env=dashboards_environment(env), start_new_session=True
        ),
    ]
    try:
        wait_until_serving(f"http://127.0.0.1:{ui_port}/server_info", children, "Dagster UI")
        wait_until_serving(f"http://127.0.0.1:{dashboards_port}/_stcore/health", children, "dashboards")
        # last, after everything the start-up printed (the servers' own logs are quiet: see above)
        say("")
        say(f"  Dagster UI:  http://127.0.0.1:{ui_port}")
        say(f"  Dashboards:  http://127.0.0.1:{dashboards_port}")
        say(f"  Database:    {config.libpq_url(database_url(), hide_password=True)}  (`prometric db url` for psql)")
        say("")
        _print_demo_accounts()
        say("Press Ctrl-C to stop (the database keeps running: `prometric db stop`).")
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        raise PrometricError("a demo process exited unexpectedly; see its output above")
    finally:
        stop_process_trees(children)


def _local_order_days(conn: Connection) -> tuple[dt.date | None, dt.date | None]:
    """(first, last) local day of every organization's orders (the demo's own database); Nones when none."""
    first, last = conn.execute(load_sql("demo", "local_order_days"), {"zone": TIMEZONE_NAME}).one()
    return first, last


def _pin_partitions_start() -> None:
    """PROMETRIC_PARTITIONS_START for the demo's runs and `dagster dev`: the data's first day (in the
    business time zone), or the first day the demo generates on a fresh database. A value the caller set wins."""
    if config.partitions_start_is_set():
        config.partitions_start()  # a bad value is one line now, not a broken code location later
        return
    from prometric_pipelines.db.engine import create_db_engine
    from prometric_pipelines.generate.scales import options_for

    engine = create_db_engine()
    with engine.connect() as conn:
        exists = conn.execute(load_sql("demo", "orders_table_exists")).scalar_one()
        first = _local_order_days(conn)[0] if exists else None
    engine.dispose()
    config.export_setting(config.PARTITIONS_START_VARIABLE, (first or options_for("demo").start).isoformat())


def demo_dagster_environment(env: dict[str, str]) -> dict[str, str]:
    """The demo's `dagster dev`: its daemon runs, and the schedules start running (PROMETRIC_SCHEDULES,
    lib/automation.py) so the UI shows them ticking; PROMETRIC_SCHEDULES=stopped in the caller's
    environment keeps them off."""
    from prometric_pipelines.config import SCHEDULES_VARIABLE
    from prometric_pipelines.orchestration import dagster_environment

    return {SCHEDULES_VARIABLE: "running", **dagster_environment(), **env}


def _generate_demo_data_once() -> None:
    """First start: load the `demo` scale; later starts keep whatever the database holds."""
    from prometric_pipelines.db.engine import create_db_engine
    from prometric_pipelines.generate.run import generate, organization_count
    from prometric_pipelines.generate.scales import options_for

    engine = create_db_engine()
    existing = organization_count(engine)
    options = options_for("demo")
    if existing:
        say(f"demo data: the database already holds {existing} organization(s); kept as they are")
    else:
        result = generate(engine, options, progress=say)
        say(f"demo data: {result.total_rows:,} rows in {result.seconds:.1f} s")
    say_demo_sign_in(engine, options)
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
    from prometric_pipelines.db.engine import create_db_engine
    from prometric_pipelines.defs.audit.run_config import archive_run_config
    from prometric_pipelines.defs.payroll.run_config import payroll_run_config
    from prometric_pipelines.defs.stock.run_config import stock_run_config
    from prometric_pipelines.lib.partitions import partition_tags
    from prometric_pipelines.orchestration import run_job

    engine = create_db_engine()
    with engine.connect() as conn:
        # each step once: a first start stopped half-way finishes the remaining steps on the next start
        done = dict(conn.execute(load_sql("demo", "steps_done")).one()._mapping)
        first, last = _local_order_days(conn)
    engine.dispose()
    if all(done.values()) or first is None:
        say("demo jobs: already run; their rows are kept as they are" if first else "demo jobs: no data to compute")
        return
    began = time.monotonic()
    tags = {"prometric/source": "demo"}
    first = max(first, config.partitions_start())
    if not done["metrics"]:
        _demo_metrics(first, last, tags, began)
    if not done["payroll"]:
        months = last_complete_months(first, last, DEMO_PAYROLL_MONTHS)
        for month in months:
            run_job("payroll_job", payroll_run_config(), {**partition_tags(month), **tags})
        if months:
            say(f"demo jobs: payroll {months[0]:%Y-%m}..{months[-1]:%Y-%m} ({time.monotonic() - began:.0f} s)")
    if not done["stock_reconciliation_runs"]:
        run_job("stock_reconciliation_job", stock_run_config(), {**partition_tags(last), **tags})
    if not done["audit_log_archives"]:
        before = add_months(first, DEMO_ARCHIVED_MONTHS)
        # the partition is the month as of whose end the archive runs: the last complete one (the schedule's)
        month = previous_month(business_today())
        run_job("audit_archive_job", archive_run_config(before=before), {**partition_tags(month), **tags})
        say(f"demo jobs: audit rows before {before} archived as of {month:%Y-%m} ({time.monotonic() - began:.0f} s)")
    if not done["maintenance_health_snapshots"]:  # the owners' Database page shows it
        run_job("database_health_job", tags=tags)
    say(f"demo jobs: done ({time.monotonic() - began:.0f} s for all jobs)")


def _demo_metrics(first: dt.date, last: dt.date, tags: dict[str, str], began: float) -> None:
    from prometric_pipelines.defs.metrics.run_config import metrics_run_config
    from prometric_pipelines.lib.partitions import partition_range_tags
    from prometric_pipelines.orchestration import run_job
    from prometric_pipelines.progress import progress_line

    total = (last - first).days + 1
    chunk, done = first, 0
    while chunk <= last:
        chunk_end = min(last, chunk + dt.timedelta(days=DEMO_METRICS_RUN_DAYS - 1))
        run_job("metrics_job", metrics_run_config(), {**partition_range_tags(chunk, chunk_end), **tags})
        done += (chunk_end - chunk).days + 1
        line = progress_line("metrics", done, total, "days", time.monotonic() - began, f"run {chunk}..{chunk_end}")
        say(f"demo jobs: {line if done < total else f'metrics {first}..{last}: {total} days through Dagster'}")
        chunk = chunk_end + dt.timedelta(days=1)


def last_complete_months(first: dt.date, last: dt.date, count: int) -> list[dt.date]:
    """Up to `count` month starts, oldest first, of the newest months lying wholly inside first..last."""
    after_last = last + dt.timedelta(days=1)
    month = month_start(after_last) if after_last.day == 1 else month_start(last)
    months: list[dt.date] = []
    while len(months) < count:
        month = previous_month(month)
        if month < first:
            break
        months.insert(0, month)
    return months


def _print_demo_accounts() -> None:
    """The demo sign-in accounts as a table: role, e-mail, and each organization they can switch to with
    their reach there (one line per organization)."""
    from prometric_pipelines.db.engine import create_db_engine
    from prometric_pipelines.generate.accounts import DEMO_PASSWORD
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
        say(line)
    say("")


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
