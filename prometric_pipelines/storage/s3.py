"""An S3 bucket (AWS or S3-compatible: SeaweedFS, MinIO, Ceph…) as an object store, through boto3.

Why boto3: its client exposes every request option the protocols rely on — `IfNoneMatch`/`IfMatch`
on PutObject and CompleteMultipartUpload, `ChecksumSHA256` (the server refuses a body whose hash
differs), and the multipart calls one by one, so a large dump streams part by part in bounded memory
and the final CompleteMultipartUpload is itself conditional. It reads the standard `AWS_*` settings
(keys, profile, `AWS_ENDPOINT_URL`) itself. (obstore and fsspec hide the multipart calls behind a
writer; pyarrow.fs offers no conditional writes.)
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from prometric_pipelines.config import s3_endpoint_url, s3_region
from prometric_pipelines.storage.base import (
    PART_BYTES,
    READ_CHUNK,
    ObjectStore,
    PreconditionFailed,
    StorageError,
    StoredObject,
    Versioned,
    new_staged_file,
    remove_staged_files,
)

_LOST_RACE = {"PreconditionFailed", "ConditionalRequestConflict", "412", "409"}
_MISSING = {"NoSuchKey", "404", "NotFound"}


def s3_client() -> Any:
    """A client from the standard settings: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or a profile),
    AWS_REGION, and AWS_ENDPOINT_URL for an S3-compatible server (path-style addressing then)."""
    endpoint = s3_endpoint_url()
    region = s3_region()
    config = Config(
        s3={"addressing_style": "path"} if endpoint else {},
        retries={"max_attempts": 5, "mode": "standard"},
        connect_timeout=10,
        read_timeout=120,
    )
    return boto3.session.Session().client("s3", endpoint_url=endpoint, region_name=region, config=config)


class S3Store(ObjectStore):
    """Objects under `s3://bucket/prefix/`; files are staged under `staging_root` on local disk."""

    def __init__(self, bucket: str, prefix: str, staging_root: Path, url: str, client: Any = None) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.staging_root = staging_root
        self.url = url
        self.client = client if client is not None else s3_client()
        self.part_bytes = PART_BYTES  # S3's smallest part is 5 MiB (the last one excepted)

    def object_url(self, key: str) -> str:
        return f"s3://{self.bucket}/{self.prefix}{key}"

    def _key(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def check(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as error:
            code = _code(error)
            reason = {
                "404": "no such bucket (create it first)",
                "NoSuchBucket": "no such bucket (create it first)",
                "403": "access denied (check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and the bucket policy)",
            }
            raise StorageError(f"s3://{self.bucket}: {reason.get(code, code)}") from None  # fmt: skip
        except BotoCoreError as error:
            raise StorageError(f"s3://{self.bucket}: {error}") from None

    def staging_path(self, key: str) -> Path:
        return new_staged_file(self.staging_root / key, self.staging_root)

    def put_file(self, key: str, staged: Path) -> StoredObject:
        try:
            size = staged.stat().st_size
            with staged.open("rb") as handle:
                if size <= self.part_bytes:
                    sha256 = self._put_small(key, handle.read())
                else:
                    sha256 = self._put_multipart(key, handle)
        finally:
            staged.unlink(missing_ok=True)
        # read back: what the store serves must be what was written
        served = self.sha256(key)
        if served != sha256:
            self.delete(key)
            raise StorageError(f"{self.object_url(key)}: read back with SHA-256 {served[:12]}…, written {sha256[:12]}…")
        return StoredObject(key, self.object_url(key), size, sha256)

    def _put_small(self, key: str, data: bytes) -> str:
        digest = hashlib.sha256(data)
        self._call(
            "put_object",
            key,
            Bucket=self.bucket,
            Key=self._key(key),
            Body=data,
            IfNoneMatch="*",
            ChecksumSHA256=base64.b64encode(digest.digest()).decode(),
        )
        return digest.hexdigest()

    def _put_multipart(self, key: str, handle) -> str:
        """Part by part (one part in memory at a time); the object appears only with the conditional
        CompleteMultipartUpload, so a crash leaves an unfinished upload (aborted by clean_incomplete)."""
        # SHA-256 declared for the whole upload: each part is checked by the server as it arrives
        upload = self._call(
            "create_multipart_upload", key, Bucket=self.bucket, Key=self._key(key), ChecksumAlgorithm="SHA256"
        )
        upload_id = upload["UploadId"]
        digest = hashlib.sha256()
        parts = []
        try:
            number = 1
            while chunk := handle.read(self.part_bytes):
                digest.update(chunk)
                part_sha256 = base64.b64encode(hashlib.sha256(chunk).digest()).decode()
                part = self._call(
                    "upload_part",
                    key,
                    Bucket=self.bucket,
                    Key=self._key(key),
                    UploadId=upload_id,
                    PartNumber=number,
                    Body=chunk,
                    ChecksumAlgorithm="SHA256",
                    ChecksumSHA256=part_sha256,
                )
                parts.append({"ETag": part["ETag"], "PartNumber": number, "ChecksumSHA256": part_sha256})
                number += 1
            self._call(
                "complete_multipart_upload",
                key,
                Bucket=self.bucket,
                Key=self._key(key),
                UploadId=upload_id,
                MultipartUpload={"Parts": parts},
                IfNoneMatch="*",
            )
        except BaseException:
            with contextlib.suppress(ClientError, BotoCoreError):  # else clean_incomplete aborts it later
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=self._key(key), UploadId=upload_id)
            raise
        return digest.hexdigest()

    def put_bytes(self, key: str, data: bytes, *, expected_tag: str | None) -> str:
        condition = {"IfNoneMatch": "*"} if expected_tag is None else {"IfMatch": expected_tag}
        response = self._call("put_object", key, Bucket=self.bucket, Key=self._key(key), Body=data, **condition)
        return response["ETag"]

    def read_bytes(self, key: str) -> Versioned | None:
        response = self._call("get_object", key, missing_ok=True, Bucket=self.bucket, Key=self._key(key))
        return None if response is None else Versioned(response["Body"].read(), response["ETag"])

    def open_read(self, key: str) -> Iterator[bytes]:
        response = self._call("get_object", key, Bucket=self.bucket, Key=self._key(key))
        yield from response["Body"].iter_chunks(READ_CHUNK)

    def size(self, key: str) -> int | None:
        response = self._call("head_object", key, missing_ok=True, Bucket=self.bucket, Key=self._key(key))
        return None if response is None else int(response["ContentLength"])

    def list(self, prefix: str = "") -> list[str]:
        keys = []
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self._key(prefix))
            for page in pages:
                keys += [item["Key"][len(self.prefix) :] for item in page.get("Contents", [])]
        except (ClientError, BotoCoreError) as error:
            raise self._error(error, prefix) from None
        return sorted(keys)

    def delete(self, key: str) -> None:
        self._call("delete_object", key, Bucket=self.bucket, Key=self._key(key))

    def clean_incomplete(self, prefix: str = "") -> int:
        removed = 0
        uploads = self._call("list_multipart_uploads", prefix, Bucket=self.bucket, Prefix=self._key(prefix))
        for upload in uploads.get("Uploads", []):
            self._call(
                "abort_multipart_upload",
                upload["Key"],
                Bucket=self.bucket,
                Key=upload["Key"],
                UploadId=upload["UploadId"],
            )
            removed += 1
        return removed + remove_staged_files(self.staging_root, prefix)

    def _call(self, operation: str, key: str, *, missing_ok: bool = False, **arguments: Any) -> Any:
        """The client's `operation`; its error as a StorageError naming the object (None for a missing
        object with `missing_ok`)."""
        try:
            return getattr(self.client, operation)(**arguments)
        except ClientError as error:
            if missing_ok and _code(error) in _MISSING:
                return None
            raise self._error(error, key) from None
        except BotoCoreError as error:
            raise self._error(error, key) from None

    def _error(self, error: Exception, key: str) -> StorageError:
        if isinstance(error, ClientError):
            code = _code(error)
            if code in _LOST_RACE:
                return PreconditionFailed(f"{self.object_url(key)}: already exists or changed meanwhile ({code})")
            message = error.response.get("Error", {}).get("Message") or code
            return StorageError(f"{self.object_url(key)}: {code}: {message}")
        return StorageError(f"{self.object_url(key)}: {error}")


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
