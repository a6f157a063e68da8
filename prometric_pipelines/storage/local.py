"""A local folder as an object store: fsync, hard links and renames give the guarantees S3 gives with
conditional requests."""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prometric_pipelines.storage.base import (
    READ_CHUNK,
    STAGED_SUFFIX,
    ObjectStore,
    PreconditionFailed,
    StorageError,
    StoredObject,
    Versioned,
    create_private_file,
    file_sha256,
    fsync_directory,
    fsync_path,
    make_private_dirs,
    new_staged_file,
    prefix_folder,
    remove_staged_files,
)


class LocalStore(ObjectStore):
    """Objects are files under `root`; a staged file is `<key>.tmp` beside its final place."""

    def __init__(self, root: Path, url: str | None = None) -> None:
        self.root = root
        self.url = url or str(root)

    def object_url(self, key: str) -> str:
        return f"file://{self.root / key}"

    def path(self, key: str) -> Path:
        return self.root / key

    def local_path(self, key: str) -> Path | None:
        return self.path(key)

    def staging_path(self, key: str) -> Path:
        return new_staged_file(self.path(key), self.root)

    def put_file(self, key: str, staged: Path) -> StoredObject:
        final = self.path(key)
        make_private_dirs(final.parent, self.root)
        try:
            fsync_path(staged)
            if not _same_filesystem(staged, final.parent):  # a hard link cannot cross filesystems
                beside = final.with_name(final.name + STAGED_SUFFIX)
                shutil.copyfile(staged, beside)
                os.chmod(beside, 0o600)
                fsync_path(beside)
                staged.unlink()
                staged = beside
            _link_new(staged, final, key)
        finally:
            staged.unlink(missing_ok=True)
        fsync_directory(final.parent)
        return StoredObject(key, self.object_url(key), final.stat().st_size, file_sha256(final))

    def put_bytes(self, key: str, data: bytes, *, expected_tag: str | None) -> str:
        final = self.path(key)
        make_private_dirs(final.parent, self.root)
        with _folder_lock(final.parent):
            current = self.read_bytes(key)
            if expected_tag is None and current is not None:
                raise PreconditionFailed(f"{key} already exists")
            if expected_tag is not None and (current is None or current.tag != expected_tag):
                raise PreconditionFailed(f"{key} changed since it was read")
            staged = final.with_name(final.name + STAGED_SUFFIX)
            descriptor = create_private_file(staged)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(staged, final)
            fsync_directory(final.parent)
        return _tag(data)

    def read_bytes(self, key: str) -> Versioned | None:
        try:
            data = self.path(key).read_bytes()
        except FileNotFoundError:
            return None
        return Versioned(data, _tag(data))

    def open_read(self, key: str) -> Iterator[bytes]:
        try:
            handle = self.path(key).open("rb")
        except FileNotFoundError:
            raise StorageError(f"{self.object_url(key)}: no such object") from None
        with handle:
            while chunk := handle.read(READ_CHUNK):
                yield chunk

    def size(self, key: str) -> int | None:
        try:
            return self.path(key).stat().st_size
        except FileNotFoundError:
            return None

    def list(self, prefix: str = "") -> list[str]:
        folder = prefix_folder(self.root, prefix)
        if not folder.is_dir():
            return []
        keys = (path.relative_to(self.root).as_posix() for path in folder.rglob("*") if path.is_file())
        return sorted(key for key in keys if key.startswith(prefix) and not key.endswith(STAGED_SUFFIX))

    def delete(self, key: str) -> None:
        path = self.path(key)
        path.unlink(missing_ok=True)
        if path.parent.exists():
            fsync_directory(path.parent)

    def clean_incomplete(self, prefix: str = "") -> int:
        return remove_staged_files(self.root, prefix)


def _tag(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _same_filesystem(path: Path, folder: Path) -> bool:
    return path.stat().st_dev == folder.stat().st_dev


def _link_new(staged: Path, final: Path, key: str) -> None:
    """Publishes `staged` as `final` only if `final` does not exist (atomic: a hard link)."""
    try:
        os.link(staged, final)
    except FileExistsError:
        raise PreconditionFailed(f"{key} already exists") from None
    except OSError as error:
        if error.errno == errno.EXDEV:
            raise StorageError(f"{key}: staged on another filesystem") from None
        raise


@contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """An exclusive lock on a folder (flock on its descriptor): one compare-and-swap at a time."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)
