"""Where archived audit logs live: `{ARCHIVE_URL}/audit_logs/organization_id=<uuid|global>/year=YYYY/month=MM/`.

Paths stored in the manifests are relative to the archive root, so an archive can be moved (or
mounted elsewhere) without rewriting them. Only local filesystems (a path or a `file://` URL) are
supported: the protocol relies on fsync and an atomic rename, which object stores do not offer.
"""

from __future__ import annotations

import hashlib
import os
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from prometric_pipelines import config
from prometric_pipelines.errors import ConfigError

TABLE_DIR = "audit_logs"
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
