-- Audit query, DuckDB over the organization's archived Parquet files ($files): the same filters as
-- live_rows.sql (NULL: not filtered), newest first. $hidden_entities: the HR entities a tenant session's
-- viewer may not see (lower-cased; empty = none hidden), as the audit_logs policy hides live ones;
-- $hidden_values: a regular expression of the old/new values it hides (NULL = none hidden).
SELECT id, "organizationId", "userId", action, entity, "entityId", "oldValue", "newValue", "ipAddress",
       "userAgent", "createdAt"
FROM read_parquet($files)
WHERE "organizationId" = CAST($organization_id AS VARCHAR)
  AND (CAST($user_id AS VARCHAR) IS NULL OR "userId" = CAST($user_id AS VARCHAR))
  AND (CAST($entity AS VARCHAR) IS NULL OR entity = CAST($entity AS VARCHAR))
  AND (CAST($entity_id AS VARCHAR) IS NULL OR "entityId" = CAST($entity_id AS VARCHAR))
  AND (CAST($action AS VARCHAR) IS NULL OR action = CAST($action AS VARCHAR))
  AND (CAST($start AS TIMESTAMP) IS NULL OR "createdAt" >= CAST($start AS TIMESTAMP))
  AND (CAST($end AS TIMESTAMP) IS NULL OR "createdAt" < CAST($end AS TIMESTAMP))
  AND NOT list_contains(CAST($hidden_entities AS VARCHAR[]), lower(entity))
  AND (CAST($hidden_values AS VARCHAR) IS NULL
       OR NOT regexp_matches(coalesce(CAST("oldValue" AS VARCHAR), '') || ' ' || coalesce(CAST("newValue" AS VARCHAR), ''),
                             CAST($hidden_values AS VARCHAR)))
ORDER BY "createdAt" DESC NULLS LAST, id DESC
LIMIT $limit;
