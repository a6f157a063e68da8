"""`ARCHIVE_URL` → a store: a path or `file://` URL (a local folder) or `s3://bucket/prefix`."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from prometric_pipelines import config
from prometric_pipelines.errors import ConfigError
from prometric_pipelines.storage.base import ObjectStore
from prometric_pipelines.storage.local import LocalStore


@dataclass(frozen=True)
class StoreLocation:
    """Where a store is: `root` for a local folder, `bucket` and `prefix` for S3."""

    url: str
    root: Path | None = None
    bucket: str | None = None
    prefix: str = ""


def parse_store_url(raw: str) -> StoreLocation:
    """Checks the URL's form (no network): ConfigError with what is wrong."""
    parsed = urllib.parse.urlparse(raw)
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise ConfigError(f"ARCHIVE_URL {raw!r}: an s3:// URL names a bucket (s3://bucket/prefix)")
        if parsed.query or parsed.fragment or "@" in parsed.netloc:
            raise ConfigError(
                f"ARCHIVE_URL {raw!r}: only s3://bucket/prefix; credentials and the endpoint go in AWS_* variables"
            )
        return StoreLocation(raw.rstrip("/"), bucket=parsed.netloc, prefix=parsed.path.strip("/"))
    if parsed.scheme == "file":
        if parsed.netloc not in ("", "localhost"):
            raise ConfigError(f"ARCHIVE_URL {raw!r}: file:// URLs must name a local path (file:///…)")
        path = Path(urllib.parse.unquote(parsed.path))
    elif parsed.scheme and len(parsed.scheme) > 1:  # (a one-letter "scheme" is a Windows drive)
        raise ConfigError(f"ARCHIVE_URL {raw!r}: use a local path, a file:// URL or s3://bucket/prefix")
    else:
        path = Path(raw)
    root = path.expanduser().resolve()
    return StoreLocation(str(root), root=root)


def open_store(url: str | None = None) -> ObjectStore:
    """The store of `url` (default `ARCHIVE_URL`)."""
    location = parse_store_url(url if url is not None else config.archive_url())
    if location.root is not None:
        return LocalStore(location.root, location.url)
    from prometric_pipelines.storage.s3 import S3Store  # boto3 only when a bucket is used

    assert location.bucket is not None
    staging = config.prometric_home() / "staging" / "s3" / location.bucket / location.prefix
    return S3Store(location.bucket, location.prefix, staging, location.url)
