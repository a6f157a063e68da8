"""`prometric generate [--scale …] [--orgs N] [--days N] [--start DATE] [--seed N] [--inject-anomalies]
[--append | --reset]`: a deterministic synthetic ERP history, loaded with COPY."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from prometric_pipelines.progress import say
from prometric_pipelines.validation import argparse_type, parse_date, parse_positive_int

if TYPE_CHECKING:  # the generator loads when a command runs, not when the parser is built
    from sqlalchemy.engine import Engine

    from prometric_pipelines.generate.scales import GenerateOptions


def register_commands(commands: argparse._SubParsersAction) -> None:
    from prometric_pipelines.generate.scales import SCALES

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
    generate.set_defaults(handler=generate_command)


def generate_command(args: argparse.Namespace) -> int:
    from prometric_pipelines.db.engine import check_connection, create_db_engine
    from prometric_pipelines.db.migrate import migrate
    from prometric_pipelines.generate.run import generate
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
    result = generate(engine, options, append=args.append, reset=args.reset, progress=say)
    for table, rows in sorted(result.rows.items(), key=lambda item: -item[1]):
        say(f"  {table:<22} {rows:>12,}")
    say(
        f"{result.total_rows:,} rows in {result.seconds:.1f} s ({result.total_rows / result.seconds:,.0f} rows/s, "
        f"indexes and foreign keys included; ANALYZE {result.analyze_seconds:.1f} s)"
    )
    for anomaly in result.anomalies:
        say(f"  anomaly {anomaly.kind}: {anomaly.description}")
    say_demo_sign_in(engine, options)
    return 0


def say_demo_sign_in(engine: Engine, options: GenerateOptions) -> None:
    """The one-line list of the demo's sign-in accounts, when the data set has any."""
    from prometric_pipelines.generate.run import demo_accounts

    accounts = demo_accounts(engine, options)
    if accounts:
        say("demo sign-in (password: prometric-demo): " + ", ".join(f"{role} {email}" for role, email, _ in accounts))
