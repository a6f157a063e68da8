-- Unacknowledged alerts of the organizations :organization_ids about days since :since that a recipient
-- has not been sent on :channel yet, one row per (recipient, alert). Recipients are the organization's
-- owners and managers (dashboards/lib/access.py): its creator, employees whose organizationRole is owner
-- or manager, and active workspace admins/managers; active, not deleted users. Language: the employee
-- record's personalInfo.language, else the organization's settings.locale, else Russian ('en…' = English).
WITH managers AS (
    SELECT o.id AS organization_id, o."createdBy" AS user_id
    FROM organizations AS o
    WHERE o.id = ANY (CAST(:organization_ids AS uuid[]))
      AND o."deletedAt" IS NULL
      AND o."createdBy" IS NOT NULL
    UNION
    SELECT e."organizationId", e."userId"
    FROM employees AS e
    WHERE e."organizationId" = ANY (CAST(:organization_ids AS uuid[]))
      AND e."deletedAt" IS NULL
      AND e."userId" IS NOT NULL
      AND lower(e."organizationRole") IN ('owner', 'manager')
      AND coalesce(e.status, 'active') <> 'terminated'
    UNION
    SELECT w."organizationId", wu."userId"
    FROM workspace_users AS wu
    JOIN workspaces AS w ON w.id = wu."workspaceId"
    WHERE w."organizationId" = ANY (CAST(:organization_ids AS uuid[]))
      AND w."deletedAt" IS NULL
      AND wu."isActive"
      AND lower(wu.role) IN ('admin', 'manager')
),
recipients AS (
    SELECT m.organization_id, m.user_id, u.email, u."firstName" AS first_name, o.name AS organization_name,
           CASE WHEN lower(coalesce(e."personalInfo" ->> 'language', o.settings ->> 'locale', 'ru')) LIKE 'en%'
                THEN 'en' ELSE 'ru' END AS language
    FROM managers AS m
    JOIN users AS u ON u.id = m.user_id
    JOIN organizations AS o ON o.id = m.organization_id
    LEFT JOIN employees AS e
      ON e."organizationId" = m.organization_id AND e."userId" = m.user_id AND e."deletedAt" IS NULL
    WHERE u."deletedAt" IS NULL
      AND coalesce(u."isActive", true)
)
SELECT r.user_id, r.email, r.first_name, r.language, r.organization_id, r.organization_name,
       a.id AS alert_id, a.kind, a.subject, a.day, a.severity, a.explanation, a."explanationRu" AS explanation_ru,
       w.name AS workspace_name
FROM alerts AS a
JOIN recipients AS r ON r.organization_id = a."organizationId"
LEFT JOIN workspaces AS w ON w.id = a."workspaceId" AND w."organizationId" = a."organizationId"
WHERE a."organizationId" = ANY (CAST(:organization_ids AS uuid[]))
  AND a.day >= :since
  AND a."acknowledgedAt" IS NULL
  AND NOT EXISTS (
      SELECT 1
      FROM alert_deliveries AS d
      WHERE d."organizationId" = a."organizationId"
        AND d."alertId" = a.id
        AND d."userId" = r.user_id
        AND d.channel = :channel
  )
ORDER BY r.user_id, r.organization_name, r.organization_id,
         CASE a.severity WHEN 'severe' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, a.day, w.name, a.subject
