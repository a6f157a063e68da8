"""`prometric db start|stop|status|url|migrate` (and, from commands/maintenance.py, backup|restore|health)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from sqlalchemy.engine import Engine

from prometric_pipelines import config
from prometric_pipelines.progress import say

EXIT_NOT_RUNNING = 3  # like `pg_ctl status`


def register_commands(commands: argparse._SubParsersAction) -> None:
    db = commands.add_parser("db", help="the operational database (embedded unless DATABASE_URL is set)")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_actions: dict[str, tuple[str, Callable[[argparse.Namespace], int]]] = {
        "start": ("start the embedded PostgreSQL (no-op with DATABASE_URL)", db_start),
        "stop": ("stop the embedded PostgreSQL (data is kept)", db_stop),
        "status": ("is the database up? exit code 3 when the embedded server is stopped", db_status),
        "url": ("print the database URL (for psql, scripts)", db_url),
        "migrate": ("apply pending schema migrations (alembic upgrade head)", db_migrate),
    }
    for name, (help_text, handler) in db_actions.items():
        db_commands.add_parser(name, help=help_text).set_defaults(handler=handler)
    from prometric_pipelines.commands.maintenance import register_db

    register_db(db_commands)  # backup, restore, health


def db_start(args: argparse.Namespace) -> int:
    external = config.external_database_url()
    if external is not None:
        say(f"DATABASE_URL is set ({config.display_url(external)}): nothing to start")
        return 0
    from prometric_pipelines.db.embedded import embedded_server

    server = embedded_server()
    was_running = server.status().running
    status = server.start()
    verb = "already running" if was_running else "started"
    url = config.libpq_url(server.url(), hide_password=True)
    say(f"embedded PostgreSQL {status.major_version} {verb}: {url} (data in {status.data_dir})")
    return 0


def db_stop(args: argparse.Namespace) -> int:
    external = config.external_database_url()
    if external is not None:
        say(f"DATABASE_URL is set ({config.display_url(external)}): nothing to stop")
        return 0
    from prometric_pipelines.db.embedded import embedded_server

    say("embedded PostgreSQL stopped" if embedded_server().stop() else "embedded PostgreSQL was not running")
    return 0


def db_status(args: argparse.Namespace) -> int:
    external = config.external_database_url()
    if external is not None:
        from prometric_pipelines.db.engine import check_connection, create_db_engine

        version = check_connection(create_db_engine(external))
        say(f"external PostgreSQL {version} reachable at {config.display_url(external)} (DATABASE_URL)")
        return 0
    from prometric_pipelines.db.embedded import embedded_server

    server = embedded_server()
    status = server.status()
    if not status.running:
        where = "initialised" if status.major_version else "not initialised"
        say(f"embedded PostgreSQL stopped ({where}, data in {status.data_dir})")
        return EXIT_NOT_RUNNING
    say(
        f"embedded PostgreSQL {status.major_version} running: pid {status.pid}, "
        f"{config.libpq_url(server.url(port=status.port), hide_password=True)}, data in {status.data_dir}"
    )
    return 0


def db_url(args: argparse.Namespace) -> int:
    external = config.database_url_as_set()
    if external is not None:
        config.normalize_database_url(external)  # validate before handing it to scripts
        say(external)
        return 0
    from prometric_pipelines.db.embedded import embedded_server

    say(config.libpq_url(embedded_server().url()))
    return 0


def db_migrate(args: argparse.Namespace) -> int:
    from prometric_pipelines.db.engine import check_connection, create_db_engine
    from prometric_pipelines.db.migrate import migrate

    engine = create_db_engine()
    check_connection(engine)
    result = migrate(engine)
    if result.applied:
        say(
            f"migrated {result.revision_before or '(empty)'} -> {result.revision}: "
            f"{len(result.applied)} migration(s) applied in {result.seconds:.1f} s; {result.table_count} tables"
        )
    else:
        say(f"already at {result.revision}: nothing to apply; {result.table_count} tables")
    _provision_embedded_logins(engine)
    return 0


def _provision_embedded_logins(engine: Engine) -> None:
    """On the embedded server, the reader and jobs roles become logins (docs/security.md)."""
    if config.external_database_url() is not None:
        return  # the operator's server: logins are the operator's (READER_DATABASE_URL …)
    from prometric_pipelines.db.roles import provision_logins

    provision_logins(engine)
