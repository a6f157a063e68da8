"""The `prometric` command. See README.md and DESIGN.md's command-line contract.

Every user mistake or unreachable service ends as one line on stderr and a non-zero exit code
(2 for bad usage, 1 for everything else); a traceback means a bug in this program. A failed run prints
one line per failed organization or step and where its full log is (exit code 3 when only some
organizations failed, the others being written; 1 otherwise); `--verbose` adds Dagster's tracebacks.

This module assembles the parser and turns errors into those lines; the commands themselves are in
`prometric_pipelines/commands/` (see its `__init__` for how a module adds its commands).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from sqlalchemy.exc import DBAPIError

from prometric_pipelines.commands import command_registrars, registrars
from prometric_pipelines.errors import PrometricError

EXIT_ERROR = 1
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake in one line instead of usage text plus message."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    """The whole `prometric` parser; every sub-command's `handler` is in its commands/ module."""
    parser = _Parser(prog="prometric", description="Prometric Pipelines: ERP analytics and batch jobs.")
    parser.add_argument(
        "--verbose", action="store_true", help="a failed run also shows the framework's tracebacks (Dagster's log)"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for register_commands in command_registrars():  # db, generate, ui, dashboards, demo
        register_commands(commands)

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
