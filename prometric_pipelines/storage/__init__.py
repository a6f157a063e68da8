"""Where archives and backups are kept: one interface over a local folder and an S3-compatible bucket.

`open_store(url)` gives an `ObjectStore` for `ARCHIVE_URL`: a path or `file://` URL (`LocalStore`) or
`s3://bucket/prefix` (`S3Store`). Keys are relative, `/`-separated paths under the store's root.

What the archival and backup protocols need from a store, and what both implementations guarantee:

* `put_file(key, staged)` publishes a finished local file under a key that must not exist yet
  (`If-None-Match: *` on S3, a hard link on disk), streams it in bounded memory (multipart above
  `PART_BYTES`), then reads the object back and checks its SHA-256: the caller deletes nothing from
  PostgreSQL before this returned.
* `put_bytes(key, data, expected_tag=…)` writes small documents (chain heads, manifests) as a create
  (`expected_tag=None`) or a compare-and-swap on the tag read with `read_bytes` (`If-Match: <ETag>`
  on S3, a folder lock and a content hash on disk); a lost race raises `PreconditionFailed`.
* `staging_path(key)` is the private local file a protocol writes before publishing it;
  `clean_incomplete(prefix)` removes what a killed run left (staged files, unfinished multipart uploads).
"""

from __future__ import annotations

from prometric_pipelines.storage.base import (
    PART_BYTES,
    ObjectStore,
    PreconditionFailed,
    StorageError,
    StoredObject,
    Versioned,
)
from prometric_pipelines.storage.local import LocalStore
from prometric_pipelines.storage.location import open_store, parse_store_url

__all__ = [
    "PART_BYTES",
    "LocalStore",
    "ObjectStore",
    "PreconditionFailed",
    "StorageError",
    "StoredObject",
    "Versioned",
    "open_store",
    "parse_store_url",
]
