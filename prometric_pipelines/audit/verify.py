"""`prometric audit verify`: re-hash every archived file and every organization's manifest chain.

Reports, per organization: a link whose stored hash is not the hash of its fields (a manifest row
edited), a link whose `prevHash` is not the previous link's hash or a gap in the positions (a
manifest deleted or re-ordered), a file that is missing, whose SHA-256 differs from its manifest
(a file replaced or edited), or whose rows (count, id checksum, time span) differ from the manifest,
and files in the archive that no active manifest lists.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from prometric_pipelines.audit.archive import _Lock
from prometric_pipelines.audit.manifests import file_stats, manifest_hash
from prometric_pipelines.audit.storage import Archive, file_sha256, organization_label
from prometric_pipelines.sql import load_sql
from prometric_pipelines.validation import require_organizations


@dataclass
class ChainReport:
    organization_id: str | None
    links: int = 0
    files_checked: int = 0
    rows_checked: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class VerifyReport:
    chains: list[ChainReport] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return [problem for chain in self.chains for problem in chain.problems]

    @property
    def clean(self) -> bool:
        return not self.problems


def verify_archive(engine: Engine, archive: Archive, organization_ids: Iterable[str] | None = None) -> VerifyReport:
    """Checks every chain (all organizations with manifests or files, or the given ones)."""
    report = VerifyReport()
    with _Lock(engine):  # not while an archive run is between its rename and its commit
        with engine.connect() as conn:
            ids = require_organizations(conn, organization_ids) if organization_ids is not None else None
            with_manifests = [
                row.organization_id
                for row in conn.execute(load_sql("audit", "manifest_organizations"), {"organization_ids": ids})
            ]
        organizations = list(ids) if ids is not None else with_manifests
        if ids is None:  # folders of organizations without any manifest are stray files too
            for folder in sorted((archive.root / "audit_logs").glob("organization_id=*")):
                label = folder.name.removeprefix("organization_id=")
                organization = None if label == "global" else label
                if organization not in organizations:
                    organizations.append(organization)
        for organization_id in organizations:
            report.chains.append(_verify_chain(engine, archive, organization_id))
    return report


def _verify_chain(engine: Engine, archive: Archive, organization_id: str | None) -> ChainReport:
    chain = ChainReport(organization_id)
    label = organization_label(organization_id)
    with engine.connect() as conn:
        manifests = conn.execute(load_sql("audit", "manifests"), {"organization_id": organization_id}).mappings().all()
    previous_hash = None
    for expected_position, manifest in enumerate(manifests, start=1):
        chain.links += 1
        where = f"{label} link {manifest['chain_position']} ({manifest['path']})"
        if manifest["chain_position"] != expected_position:
            chain.problems.append(f"{where}: position {manifest['chain_position']}, expected {expected_position}")
        if manifest["prev_hash"] != previous_hash:
            chain.problems.append(f"{where}: prevHash does not match the previous link's hash (chain broken)")
        if manifest_hash(manifest) != manifest["hash"]:
            chain.problems.append(f"{where}: hash does not match its fields (manifest row altered)")
        previous_hash = manifest["hash"]
        if manifest["restored_at"] is None:
            _verify_file(archive, manifest, where, chain)
    active = {m["path"] for m in manifests if m["restored_at"] is None}
    for path in archive.parquet_files(organization_id) if organization_id else _global_files(archive):
        relative = archive.relative(path)
        if relative not in active:
            chain.problems.append(f"{label}: {relative} is in no active manifest (left by an interrupted run?)")
    return chain


def _global_files(archive: Archive):
    folder = archive.organization_dir(None)
    return sorted(folder.rglob("*.parquet")) if folder.exists() else []


def _verify_file(archive: Archive, manifest, where: str, chain: ChainReport) -> None:
    path = archive.absolute(manifest["path"])
    if not path.exists():
        chain.problems.append(f"{where}: file missing")
        return
    chain.files_checked += 1
    if file_sha256(path) != manifest["file_sha256"]:
        chain.problems.append(f"{where}: file SHA-256 differs from the manifest (file altered or replaced)")
    try:
        stats = file_stats(path)
    except Exception as error:  # a file so damaged that Parquet cannot read it is one more finding
        chain.problems.append(f"{where}: unreadable Parquet file ({str(error).splitlines()[0]})")
        return
    chain.rows_checked += stats.row_count
    found = (stats.row_count, stats.checksum, stats.min_created_at, stats.max_created_at)
    expected = (
        manifest["row_count"],
        manifest["content_checksum"],
        manifest["min_created_at"],
        manifest["max_created_at"],
    )
    if found != expected:
        chain.problems.append(
            f"{where}: file holds {stats.row_count} rows (checksum {stats.checksum}), the manifest says "
            f"{manifest['row_count']} (checksum {manifest['content_checksum']})"
        )
