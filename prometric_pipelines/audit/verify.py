"""`prometric audit verify`: re-hash every archived file and every organization's manifest chain.

Reports, per organization: a link whose stored hash is not the hash of its fields (a manifest row
edited), a link whose `prevHash` is not the previous link's hash or a gap in the positions (a
manifest deleted or re-ordered), a restore link that names no earlier archive link of the chain, a
file that is missing, whose SHA-256 differs from its manifest (a file replaced or edited), or whose
rows (count, id checksum, time span) differ from the manifest, files in the archive that no active
manifest lists, and a chain that does not reach the head recorded outside the database (the head
file next to the archive): its last links removed (truncated) or rewritten.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from prometric_pipelines.audit.archive import _Lock
from prometric_pipelines.audit.manifests import ARCHIVE, RESTORE, active_links, file_stats, manifest_hash
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
        if ids is None:  # folders or heads of organizations without any manifest are findings too
            for label in archive.head_labels():
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
        links = conn.execute(load_sql("audit", "manifests"), {"organization_id": organization_id}).all()
    previous_hash = None
    archived = {}
    for expected_position, link in enumerate(links, start=1):
        manifest = link._mapping
        chain.links += 1
        where = f"{label} link {link.chain_position} ({link.path})"
        if link.chain_position != expected_position:
            chain.problems.append(f"{where}: position {link.chain_position}, expected {expected_position}")
        if link.prev_hash != previous_hash:
            chain.problems.append(f"{where}: prevHash does not match the previous link's hash (chain broken)")
        if manifest_hash(manifest) != link.hash:
            chain.problems.append(f"{where}: hash does not match its fields (manifest row altered)")
        previous_hash = link.hash
        if link.action == ARCHIVE:
            archived[link.id] = link
        elif link.action == RESTORE:
            restored = archived.get(link.restores_id)
            if restored is None or (restored.path, restored.file_sha256) != (link.path, link.file_sha256):
                chain.problems.append(f"{where}: restore link of no earlier archive link with this file")
    active = active_links(links)
    for link in active:
        where = f"{label} link {link.chain_position} ({link.path})"
        _verify_file(archive, link._mapping, where, chain)
    active_paths = {link.path for link in active}
    for relative in archive.organization_parquet_keys(organization_id):
        if relative not in active_paths:
            chain.problems.append(f"{label}: {relative} is in no active manifest (left by an interrupted run?)")
    _verify_head(archive, organization_id, links, chain)
    return chain


def _verify_head(archive: Archive, organization_id: str | None, links: list, chain: ChainReport) -> None:
    """The chain must reach the head recorded next to the archive (links after it: a run stopped between
    its commit and the head write, recorded by the next run; not a loss, but reported until then)."""
    label = organization_label(organization_id)
    try:
        head = archive.read_head(organization_id)
    except ValueError as error:
        chain.problems.append(f"{label}: {error}")
        return
    if head is None:
        if links:
            recorded_at = archive.head_key(organization_id)
            chain.problems.append(
                f"{label}: no chain head recorded outside the database ({recorded_at}); "
                "the next `prometric run archive` records it"
            )
        return
    last = (links[-1].chain_position, links[-1].hash[:12]) if links else (0, "-")
    matching = [link for link in links if (link.chain_position, link.hash) == (head.chain_position, head.hash)]
    if not matching:
        chain.problems.append(
            f"{label}: the chain does not contain its recorded head (link {head.chain_position}, hash "
            f"{head.hash[:12]}…); the database's chain ends at link {last[0]} ({last[1]}…): links were removed "
            "(truncated) or rewritten"
        )
    elif links[-1].chain_position > head.chain_position:
        chain.problems.append(
            f"{label}: {links[-1].chain_position - head.chain_position} link(s) after the recorded head "
            f"(link {head.chain_position}); a run stopped after its commit? the next archive run records them"
        )


def _verify_file(archive: Archive, manifest, where: str, chain: ChainReport) -> None:
    if not archive.store.exists(manifest["path"]):
        chain.problems.append(f"{where}: file missing")
        return
    chain.files_checked += 1
    with archive.store.readable([manifest["path"]]) as [path]:
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
