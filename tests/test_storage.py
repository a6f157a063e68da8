"""The storage interface (prometric_pipelines/storage/): one suite, run against a local folder and a
real S3-compatible server (SeaweedFS started by the harness)."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from prometric_pipelines.errors import ConfigError
from prometric_pipelines.storage import ObjectStore, PreconditionFailed, open_store, parse_store_url
from prometric_pipelines.storage.s3 import S3Store


def staged(store: ObjectStore, key: str, content: bytes) -> Path:
    path = store.staging_path(key)
    path.write_bytes(content)
    return path


def test_a_published_file_is_read_back_with_its_size_and_sha256_and_the_staged_copy_is_gone(store):
    objects = open_store(store.url)
    content = b"audit rows " * 1000
    source = staged(objects, "audit_logs/organization_id=a/part-0001.parquet", content)
    assert source.stat().st_mode & 0o777 == 0o600  # private from its creation

    published = objects.put_file("audit_logs/organization_id=a/part-0001.parquet", source)

    assert (published.size, published.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    assert not source.exists()
    assert objects.list("audit_logs/") == ["audit_logs/organization_id=a/part-0001.parquet"]
    assert b"".join(objects.open_read(published.key)) == content
    assert published.url.endswith("audit_logs/organization_id=a/part-0001.parquet")
    assert published.url.startswith("s3://" if store.kind == "s3" else "file://")
    if store.kind == "local":
        assert Path(objects.local_path(published.key)).stat().st_mode & 0o777 == 0o600


def test_publishing_over_an_existing_key_is_refused_and_leaves_the_first_object(store):
    objects = open_store(store.url)
    objects.put_file("k/part-0001.parquet", staged(objects, "k/part-0001.parquet", b"first"))

    with pytest.raises(PreconditionFailed):
        objects.put_file("k/part-0001.parquet", staged(objects, "k/part-0001.parquet", b"second"))

    assert b"".join(objects.open_read("k/part-0001.parquet")) == b"first"
    assert objects.clean_incomplete("k/") == 0  # the losing copy left nothing behind


def test_two_writers_racing_for_one_key_exactly_one_wins(store):
    objects = open_store(store.url)
    contents = [f"writer {n} ".encode() * 5000 for n in range(4)]
    sources = [objects.staging_path(f"race/{n}") for n in range(4)]
    for source, content in zip(sources, contents, strict=True):
        source.write_bytes(content)
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def publish(n: int) -> None:
        barrier.wait()
        try:
            objects.put_file("race/part-0001.parquet", sources[n])
            outcomes.append(f"won {n}")
        except PreconditionFailed:
            outcomes.append("lost")

    threads = [threading.Thread(target=publish, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    winners = [outcome for outcome in outcomes if outcome.startswith("won")]
    assert len(winners) == 1 and outcomes.count("lost") == 3
    winner = int(winners[0].split()[1])
    assert b"".join(objects.open_read("race/part-0001.parquet")) == contents[winner]


def test_a_document_is_created_once_and_then_replaced_only_from_the_version_read(store):
    objects = open_store(store.url)
    assert objects.read_bytes("heads/a.json") is None
    first = objects.put_bytes("heads/a.json", b'{"position": 1}', expected_tag=None)
    with pytest.raises(PreconditionFailed):
        objects.put_bytes("heads/a.json", b'{"position": 9}', expected_tag=None)

    read = objects.read_bytes("heads/a.json")
    assert read is not None and read.data == b'{"position": 1}' and read.tag == first
    second = objects.put_bytes("heads/a.json", b'{"position": 2}', expected_tag=read.tag)
    with pytest.raises(PreconditionFailed):  # a stale writer still holds the first tag
        objects.put_bytes("heads/a.json", b'{"position": 3}', expected_tag=first)

    again = objects.read_bytes("heads/a.json")
    assert again is not None and again.data == b'{"position": 2}' and again.tag == second != first


def test_compare_and_swap_racers_from_one_read_exactly_one_wins(store):
    objects = open_store(store.url)
    tag = objects.put_bytes("heads/b.json", b"0", expected_tag=None)
    results: list[bool] = []
    barrier = threading.Barrier(5)

    def swap(n: int) -> None:
        barrier.wait()
        try:
            objects.put_bytes("heads/b.json", str(n + 1).encode(), expected_tag=tag)
            results.append(True)
        except PreconditionFailed:
            results.append(False)

    threads = [threading.Thread(target=swap, args=(n,)) for n in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 4 + [True]
    final = objects.read_bytes("heads/b.json")
    assert final is not None and final.data in {b"1", b"2", b"3", b"4", b"5"}


def test_a_large_file_streams_in_parts_and_a_killed_upload_is_cleaned_up(store):
    objects = open_store(store.url)
    content = os.urandom(11 << 20)
    if isinstance(objects, S3Store):
        objects.part_bytes = 5 << 20  # three parts: 5 + 5 + 1 MiB
        # what a run killed half-way through an upload leaves: an unfinished multipart upload
        key = objects._key("backups/db/db-1.dump")
        upload = objects.client.create_multipart_upload(Bucket=objects.bucket, Key=key)
        objects.client.upload_part(
            Bucket=objects.bucket, Key=key, UploadId=upload["UploadId"], PartNumber=1, Body=b"x" * (5 << 20)
        )
    leftover = staged(objects, "backups/db/db-0.dump", b"half a dump")  # a staged file of a killed run

    published = objects.put_file("backups/db/db-2.dump", staged(objects, "backups/db/db-2.dump", content))

    assert published.sha256 == hashlib.sha256(content).hexdigest() and published.size == 11 << 20
    assert objects.sha256("backups/db/db-2.dump") == published.sha256
    removed = objects.clean_incomplete("backups/")
    assert removed == (2 if store.kind == "s3" else 1)
    assert not leftover.exists()
    assert objects.list("backups/") == ["backups/db/db-2.dump"]
    if isinstance(objects, S3Store):
        assert not objects.client.list_multipart_uploads(Bucket=objects.bucket).get("Uploads")


def test_listing_deleting_and_reading_through_local_files(store):
    objects = open_store(store.url)
    for key in ("a/x/1.parquet", "a/y/2.parquet", "b/3.parquet"):
        objects.put_bytes(key, key.encode(), expected_tag=None)
    assert objects.list("a/") == ["a/x/1.parquet", "a/y/2.parquet"]
    assert objects.list("a/x") == ["a/x/1.parquet"]
    with objects.readable(["a/x/1.parquet", "b/3.parquet"]) as paths:
        assert [path.read_bytes() for path in paths] == [b"a/x/1.parquet", b"b/3.parquet"]
        assert all(path.stat().st_mode & 0o777 == 0o600 for path in paths)
    objects.delete("a/x/1.parquet")
    objects.delete("a/x/1.parquet")  # gone already: nothing happens
    assert objects.list() == ["a/y/2.parquet", "b/3.parquet"]
    assert objects.size("a/x/1.parquet") is None and objects.size("b/3.parquet") == len(b"b/3.parquet")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("s3://", "names a bucket"),
        ("s3://key:secret@bucket/p", "AWS_* variables"),
        ("gs://bucket/p", "s3://bucket/prefix"),
        ("file://server/share", "local path"),
    ],
)
def test_a_malformed_archive_url_is_one_clear_message(url, message):
    with pytest.raises(ConfigError, match=message.replace("*", r"\*")):
        parse_store_url(url)


def test_an_s3_url_names_its_bucket_and_prefix():
    location = parse_store_url("s3://prometric-archive/prod/audit/")
    assert (location.bucket, location.prefix, location.root) == ("prometric-archive", "prod/audit", None)


def test_a_missing_bucket_is_one_clear_line_before_anything_runs(seaweedfs, cli_env):
    env = {**cli_env, **seaweedfs.environment(), "ARCHIVE_URL": "s3://no-such-bucket/archive"}
    for command in (["run", "archive"], ["db", "backup"]):
        run = subprocess.run(
            [sys.executable, "-m", "prometric_pipelines.cli", *command], env=env, capture_output=True, text=True,
            timeout=120,
        )  # fmt: skip
        assert (run.returncode, run.stderr) == (1, "prometric: s3://no-such-bucket: no such bucket (create it first)\n")


def test_the_s3_server_refuses_a_body_whose_sha256_differs_from_the_one_sent(seaweedfs, monkeypatch):
    """What S3Store relies on for the transfer itself: the server checks `x-amz-checksum-sha256`."""
    for name, value in seaweedfs.environment().items():
        monkeypatch.setenv(name, value)
    objects = open_store(f"s3://{seaweedfs.create_bucket()}/p")
    assert isinstance(objects, S3Store)
    wrong = base64.b64encode(hashlib.sha256(b"another body").digest()).decode()
    with pytest.raises(ClientError) as refused:
        objects.client.put_object(Bucket=objects.bucket, Key="p/x", Body=b"the body", ChecksumSHA256=wrong)
    assert refused.value.response["Error"]["Code"] == "BadDigest"
    assert objects.list() == []
