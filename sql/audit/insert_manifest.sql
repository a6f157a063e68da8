-- The next link of an organization's chain: an archived file's manifest (step 4 of the protocol, same
-- transaction as the DELETE), or a restore link (same transaction as the rows' return).
INSERT INTO audit_log_archives (
    "organizationId", year, month, path, "rowCount", "minCreatedAt", "maxCreatedAt", "fileSha256",
    "contentChecksum", "chainPosition", "prevHash", hash, "archivedAt", "runKey", action, "restoresId"
) VALUES (
    CAST(:organization_id AS uuid), :year, :month, :path, :row_count, :min_created_at, :max_created_at,
    :file_sha256, :content_checksum, :chain_position, :prev_hash, :hash, :archived_at, :run_key, :action,
    CAST(:restores_id AS uuid)
);
