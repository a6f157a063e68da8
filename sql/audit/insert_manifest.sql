-- Step 4 of the protocol: the manifest of a verified, renamed file (same transaction as the DELETE).
INSERT INTO audit_log_archives (
    "organizationId", year, month, path, "rowCount", "minCreatedAt", "maxCreatedAt", "fileSha256",
    "contentChecksum", "chainPosition", "prevHash", hash, "archivedAt", "runKey"
) VALUES (
    CAST(:organization_id AS uuid), :year, :month, :path, :row_count, :min_created_at, :max_created_at,
    :file_sha256, :content_checksum, :chain_position, :prev_hash, :hash, :archived_at, :run_key
);
