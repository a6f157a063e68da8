"""Where archived audit logs live: `{ARCHIVE_URL}/audit_logs/organization_id=<uuid|global>/year=YYYY/month=MM/`.

Paths stored in the manifests are keys relative to the archive root, so an archive can be moved (or
mounted elsewhere, or copied to another bucket) without rewriting them. The root is a local folder
(a path or `file://` URL) or an S3 bucket (`s3://bucket/prefix`): both behind the storage interface of
`prometric_pipelines.storage`, which gives the protocol what fsync and an atomic rename gave on
disk (a verified, create-only publish; compare-and-swap for the chain heads).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from prometric_pipelines.storage import LocalStore, ObjectStore, PreconditionFailed, open_store
from prometric_pipelines.storage.base import (
    PRIVATE_DIR,
    PRIVATE_FILE,
    create_private_file,
    file_sha256,
    fsync_directory,
    make_private_dirs,
)

__all__ = [
    "PRIVATE_DIR",
    "PRIVATE_FILE",
    "Archive",
    "ChainHead",
    "create_private_file",
    "file_sha256",
    "fsync_directory",
    "make_private_dirs",
    "organization_label",
    "part_name",
    "write_private_atomically",
]

TABLE_DIR = "audit_logs"
HEADS_DIR = "audit_heads"  # the newest link of each chain, recorded outside the database
GLOBAL = "global"  # the partition of rows with no organization (user registrations, platform events)
TEMP_SUFFIX = ".tmp"


def organization_label(organization_id: str | None) -> str:
    return organization_id if organization_id is not None else GLOBAL


@dataclass(frozen=True)
class Archive:
    """The archive root: a local folder or an S3 prefix (`store`)."""

    store: ObjectStore

    @classmethod
    def from_url(cls, url: str | None = None) -> Archive:
        """`ARCHIVE_URL` (a path, `file://` URL or `s3://bucket/prefix`), or the given one."""
        return cls(open_store(url))

    @property
    def url(self) -> str:
        return self.store.url

    @property
    def root(self) -> Path:
        """The folder of a local archive (a bucket has none)."""
        if not isinstance(self.store, LocalStore):
            raise AttributeError(f"{self.url} is not a local folder")
        return self.store.root

    def month_dir(self, organization_id: str | None, year: int, month: int) -> str:
        """The relative directory of one (organization, month)."""
        return f"{self.organization_prefix(organization_id)}year={year:04d}/month={month:02d}"

    def organization_prefix(self, organization_id: str | None) -> str:
        return f"{TABLE_DIR}/organization_id={organization_label(organization_id)}/"

    def organization_dir(self, organization_id: str | None) -> Path:
        return self.root / self.organization_prefix(organization_id)

    def absolute(self, relative: str) -> Path:
        return self.root / relative

    def parquet_keys(self, organization_id: str | None = None) -> list[str]:
        """Every finished Parquet file's key (of one organization, or of all)."""
        prefix = self.organization_prefix(organization_id) if organization_id is not None else f"{TABLE_DIR}/"
        return [key for key in self.store.list(prefix) if key.endswith(".parquet")]

    def organization_parquet_keys(self, organization_id: str | None) -> list[str]:
        """The Parquet files' keys of one organization (None: the global rows)."""
        return [key for key in self.store.list(self.organization_prefix(organization_id)) if key.endswith(".parquet")]

    def parquet_files(self, organization_id: str | None = None) -> list[Path]:
        """The local archive's Parquet files (of one organization, or of all)."""
        return [self.root / key for key in self.parquet_keys(organization_id)]

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def head_key(self, organization_id: str | None) -> str:
        return f"{HEADS_DIR}/organization_id={organization_label(organization_id)}.json"

    def head_path(self, organization_id: str | None) -> Path:
        return self.root / self.head_key(organization_id)

    def read_head(self, organization_id: str | None) -> ChainHead | None:
        """The chain head recorded next to the archive (None: none recorded); unreadable: ValueError."""
        recorded = self.store.read_bytes(self.head_key(organization_id))
        return None if recorded is None else _parse_head(self.head_key(organization_id), recorded.data)

    def write_head(self, organization_id: str | None, head: ChainHead, *, replacing: ChainHead | None) -> bool:
        """Records a chain's newest link if the recorded head is still `replacing` (None: none recorded):
        a compare-and-swap, so of two runs moving the head from the same link only one succeeds. False
        when the head was not `replacing` (left as it is)."""
        key = self.head_key(organization_id)
        current = self.store.read_bytes(key)
        try:
            recorded = None if current is None else _parse_head(key, current.data)
        except ValueError:
            return False
        if recorded != replacing:
            return False
        content = {
            "organization_id": organization_label(organization_id),
            "chain_position": head.chain_position,
            "hash": head.hash,
            "recorded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        data = (json.dumps(content, indent=2) + "\n").encode()
        try:
            self.store.put_bytes(key, data, expected_tag=None if current is None else current.tag)
        except PreconditionFailed:
            return False
        return True

    def head_labels(self) -> list[str]:
        """The organization labels of every recorded head and archive folder."""
        labels = {key.split("/")[1] for key in self.store.list(f"{TABLE_DIR}/") if key.count("/") >= 2}
        labels |= {key.split("/")[-1].removesuffix(".json") for key in self.store.list(f"{HEADS_DIR}/")}
        return sorted(
            label.removeprefix("organization_id=") for label in labels if label.startswith("organization_id=")
        )


def _parse_head(key: str, data: bytes) -> ChainHead:
    try:
        recorded = json.loads(data.decode("utf-8"))
        return ChainHead(int(recorded["chain_position"]), str(recorded["hash"]))
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as error:
        raise ValueError(f"{key} is not a chain head ({error})") from None


@dataclass(frozen=True)
class ChainHead:
    """The newest link of an organization's manifest chain."""

    chain_position: int
    hash: str


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
