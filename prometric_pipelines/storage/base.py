"""The storage interface shared by the local folder and the S3 bucket."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from prometric_pipelines.errors import PrometricError

PART_BYTES = 16 << 20  # multipart part size: the most a streamed upload holds in memory at once
READ_CHUNK = 1 << 20
STAGED_SUFFIX = ".tmp"
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


class StorageError(PrometricError):
    """The store refused or lost an object (the message says which and why)."""


class PreconditionFailed(StorageError):
    """A conditional write lost: the key already exists, or changed since it was read."""


@dataclass(frozen=True)
class StoredObject:
    """A published object, as read back from the store."""

    key: str
    url: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Versioned:
    """A small document and the tag a compare-and-swap must name to replace it."""

    data: bytes
    tag: str


class ObjectStore(ABC):
    """Objects under relative keys; see the package's docstring for the guarantees."""

    url: str  # the store's root, as the user wrote it (no credentials)

    def object_url(self, key: str) -> str:
        return f"{self.url.rstrip('/')}/{key}"

    @abstractmethod
    def staging_path(self, key: str) -> Path:
        """A private local file (0600, folders 0700) to write `key`'s content into before `put_file`."""

    @abstractmethod
    def put_file(self, key: str, staged: Path) -> StoredObject:
        """Publishes `staged` as the new object `key` (PreconditionFailed if it exists), reads it back and
        checks its SHA-256; the staged file is gone afterwards either way."""

    @abstractmethod
    def put_bytes(self, key: str, data: bytes, *, expected_tag: str | None) -> str:
        """Creates `key` (expected_tag None) or replaces the version read with that tag; the new tag."""

    @abstractmethod
    def read_bytes(self, key: str) -> Versioned | None:
        """A small object's content and tag; None when there is none."""

    @abstractmethod
    def open_read(self, key: str) -> Iterator[bytes]:
        """The object's content in chunks (StorageError when missing)."""

    @abstractmethod
    def size(self, key: str) -> int | None:
        """The object's size, None when there is none."""

    @abstractmethod
    def list(self, prefix: str = "") -> list[str]:
        """Every finished object's key under `prefix`, sorted."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Removes the object (nothing when it is already gone)."""

    @abstractmethod
    def clean_incomplete(self, prefix: str = "") -> int:
        """Removes staged files and unfinished uploads under `prefix` left by a killed run; how many."""

    def check(self) -> None:
        """Raises StorageError with what is wrong when the store cannot be used (a missing bucket, bad
        credentials, an unreachable endpoint); a local folder is created when first written."""
        return None

    def local_path(self, key: str) -> Path | None:
        """The object's own file when the store is a local folder (read in place), else None."""
        return None

    def exists(self, key: str) -> bool:
        return self.size(key) is not None

    def sha256(self, key: str) -> str:
        digest = hashlib.sha256()
        for chunk in self.open_read(key):
            digest.update(chunk)
        return digest.hexdigest()

    def fetch(self, key: str, target: Path) -> Path:
        """Copies the object into a private local file (streamed)."""
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        with os.fdopen(descriptor, "wb") as handle:
            for chunk in self.open_read(key):
                handle.write(chunk)
        return target

    @contextmanager
    def readable(self, keys: list[str]) -> Iterator[list[Path]]:
        """Local files with the objects' content, for readers that need a path (DuckDB, pyarrow,
        pg_restore): the objects themselves on disk, private temporary copies otherwise (removed after)."""
        direct = [self.local_path(key) for key in keys]
        if all(path is not None for path in direct):
            yield [path for path in direct if path is not None]
            return
        folder = Path(tempfile.mkdtemp(prefix="prometric-read-"))  # mkdtemp: 0700
        try:
            yield [self.fetch(key, folder / f"{index:05d}-{Path(key).name}") for index, key in enumerate(keys)]
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(4 * READ_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


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


def fsync_path(path: Path) -> None:
    """Makes a file's content, or a rename (or a new file) in a folder, durable."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


fsync_directory = fsync_path  # the name its callers use after a rename in a folder


def create_private_file(path: Path) -> int:
    """A new, empty file only its owner can read (0600 from its creation, whatever the umask); its fd."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    os.fchmod(descriptor, PRIVATE_FILE)  # an older leftover may have had another mode
    return descriptor


def new_staged_file(final: Path, root: Path) -> Path:
    """An empty private file (0600, its folders from `root` down 0700) to write `final`'s content into:
    `<final>.<8 hex>.tmp`, a name of its own, so two writers of one key never share a staged file."""
    make_private_dirs(final.parent, root)
    staged = final.with_name(f"{final.name}.{uuid.uuid4().hex[:8]}{STAGED_SUFFIX}")
    os.close(create_private_file(staged))
    return staged


def prefix_folder(root: Path, prefix: str) -> Path:
    """The folder under `root` that holds every key starting with `prefix` (`a/b/` → a/b, `a/b` → a)."""
    return root / prefix if prefix.endswith("/") or not prefix else (root / prefix).parent


def remove_staged_files(root: Path, prefix: str) -> int:
    """Deletes the staged files a killed writer left under `root` whose key starts with `prefix`; how many."""
    folder = prefix_folder(root, prefix)
    if not folder.is_dir():
        return 0
    removed = 0
    for path in sorted(folder.rglob(f"*{STAGED_SUFFIX}")):
        if path.is_file() and path.relative_to(root).as_posix().startswith(prefix):
            path.unlink(missing_ok=True)
            removed += 1
    return removed
