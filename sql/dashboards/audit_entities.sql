-- The entities with live audit rows in the range the viewer may see (the Audit page's hint lists what a
-- search can find), at most 50 in name order. A loose index scan of idx_audit_logs_org_entity_created:
-- each step reads the first visible row after the previous entity, so the audit_logs policy's credential
-- check (a regular expression) runs on a few rows per entity, not on every row of the range. The key is
-- the entity as `name` (its comparisons are LEAKPROOF, text's are not here, so they narrow the index scan
-- under row-level security); a name holds 63 bytes, so a key that may be cut short is expanded exactly.
WITH RECURSIVE found AS (
    (SELECT CAST(a.entity AS name) AS key
     FROM audit_logs a
     WHERE a."organizationId" = CAST(:organization_id AS uuid)
       AND a."createdAt" >= CAST(:start AS timestamp) AND a."createdAt" < CAST(:end AS timestamp)
     ORDER BY CAST(a.entity AS name)
     LIMIT 1)
    UNION ALL
    SELECT (SELECT CAST(a.entity AS name)
            FROM audit_logs a
            WHERE a."organizationId" = CAST(:organization_id AS uuid)
              AND a."createdAt" >= CAST(:start AS timestamp) AND a."createdAt" < CAST(:end AS timestamp)
              AND CAST(a.entity AS name) > f.key
            ORDER BY CAST(a.entity AS name)
            LIMIT 1)
    FROM found f
    WHERE f.key IS NOT NULL
)
SELECT DISTINCT e.entity
FROM found f
CROSS JOIN LATERAL (
    SELECT CAST(f.key AS text) AS entity
    WHERE octet_length(CAST(f.key AS text)) < 60  -- shorter than any cut (63 bytes less a split character)
    UNION ALL
    SELECT CAST(a.entity AS text)
    FROM audit_logs a
    WHERE octet_length(CAST(f.key AS text)) >= 60
      AND a."organizationId" = CAST(:organization_id AS uuid)
      AND a."createdAt" >= CAST(:start AS timestamp) AND a."createdAt" < CAST(:end AS timestamp)
      AND CAST(a.entity AS name) = f.key
) e
WHERE f.key IS NOT NULL
ORDER BY e.entity
LIMIT 50
