"""Where archived audit logs live: `{ARCHIVE_URL}/audit_logs/organization_id=<uuid|global>/year=YYYY/month=MM/`.

Paths stored in the manifests are relative to the archive root, so an archive can be moved (or
mounted elsewhere) without rewriting them. Only local filesystems (a path or a `file://` URL) are
supported: the protocol relies on fsync and an atomic rename, which object stores do not offer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from prometric_pipelines import config
from prometric_pipelines.errors import ConfigError

TABLE_DIR = "audit_logs"
HEADS_DIR = "audit_heads"  # the newest link of each chain, recorded outside the database
GLOBAL = "global"  # the partition of rows with no organization (user registrations, platform events)
TEMP_SUFFIX = ".tmp"


def organization_label(organization_id: str | None) -> str:
    return organization_id if organization_id is not None else GLOBAL


@dataclass(frozen=True)
class Archive:
    """The archive root directory on the local filesystem."""

    root: Path

    @classmethod
    def from_url(cls, url: str | None = None) -> Archive:
        """`ARCHIVE_URL` (a path or `file://` URL), or the given one."""
        raw = url if url is not None else config.archive_url()
        parsed = urllib.parse.urlparse(raw)
        if parsed.scheme == "file":
            if parsed.netloc not in ("", "localhost"):
                raise ConfigError(f"ARCHIVE_URL {raw!r}: file:// URLs must name a local path (file:///…)")
            path = Path(urllib.parse.unquote(parsed.path))
        elif parsed.scheme and len(parsed.scheme) > 1:  # (a one-letter "scheme" is a Windows drive)
            raise ConfigError(
                f"ARCHIVE_URL {raw!r}: only local paths and file:// URLs are supported "
                "(the archival protocol needs fsync and an atomic rename)"
            )
        else:
            path = Path(raw)
        return cls(path.expanduser().resolve())

    def month_dir(self, organization_id: str | None, year: int, month: int) -> str:
        """The relative directory of one (organization, month)."""
        return f"{TABLE_DIR}/organization_id={organization_label(organization_id)}/year={year:04d}/month={month:02d}"

    def organization_dir(self, organization_id: str | None) -> Path:
        return self.root / TABLE_DIR / f"organization_id={organization_label(organization_id)}"

    def absolute(self, relative: str) -> Path:
        return self.root / relative

    def parquet_files(self, organization_id: str | None = None) -> Iterator[Path]:
        """Every finished Parquet file (of one organization, or of all)."""
        base = self.organization_dir(organization_id) if organization_id is not None else self.root / TABLE_DIR
        if base.exists():
            yield from sorted(base.rglob("*.parquet"))

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def head_path(self, organization_id: str | None) -> Path:
        return self.root / HEADS_DIR / f"organization_id={organization_label(organization_id)}.json"

    def read_head(self, organization_id: str | None) -> ChainHead | None:
        """The chain head recorded next to the archive (None: none recorded); unreadable: ValueError."""
        path = self.head_path(organization_id)
        try:
            recorded = json.loads(path.read_text(encoding="utf-8"))
            return ChainHead(int(recorded["chain_position"]), str(recorded["hash"]))
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{self.relative(path)} is not a chain head ({error})") from None

    def write_head(self, organization_id: str | None, head: ChainHead) -> None:
        """Records a chain's newest link (atomically, 0600 in a 0700 folder)."""
        content = {
            "organization_id": organization_label(organization_id),
            "chain_position": head.chain_position,
            "hash": head.hash,
            "recorded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        path = self.head_path(organization_id)
        make_private_dirs(path.parent, self.root)
        write_private_atomically(path, json.dumps(content, indent=2) + "\n")


@dataclass(frozen=True)
class ChainHead:
    """The newest link of an organization's manifest chain."""

    chain_position: int
    hash: str


# ---- private files: tenant data is 0600 in 0700 folders ---------------------------------------------

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def make_private_dirs(path: Path, root: Path | None = None) -> None:
    """Creates `path` and its missing parents as 0700 folders; those from `root` (included) down to
    `path` are made 0700 even when they already exist (folders above `root` are not ours)."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    top = root if root is not None else path
    current = path
    while True:
        if current.stat().st_mode & 0o777 != PRIVATE_DIR:
            current.chmod(PRIVATE_DIR)
        if current == top or current.parent == current or top not in current.parents:
            break
        current = current.parent


def create_private_file(path: Path) -> int:
    """A new, empty file only its owner can read (0600 from its creation, whatever the umask); its fd."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)


def write_private_atomically(path: Path, content: str) -> None:
    """Writes `path` through a synced 0600 temporary file renamed into place, then syncs the folder."""
    temporary = path.with_name(path.name + TEMP_SUFFIX)
    descriptor = create_private_file(temporary)
    os.fchmod(descriptor, PRIVATE_FILE)  # an older leftover may have had another mode
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    fsync_directory(path.parent)


def part_name(sequence: int) -> str:
    """The file name of the n-th file of a month: one more file per archived piece of the month."""
    return f"part-{sequence:04d}.parquet"


def fsync_directory(path: Path) -> None:
    """Makes a rename (or a new file) in `path` durable."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def file_sha256(path: Path, chunk_size: int = 4 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()
