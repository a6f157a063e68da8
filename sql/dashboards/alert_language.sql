-- The viewer's language for alert explanations, as the e-mail digest picks it: their employee record's
-- personalInfo.language, else the organization's settings.locale (NULL when neither is set).
SELECT coalesce(
    (SELECT e."personalInfo" ->> 'language' FROM employees e
     WHERE e."organizationId" = :organization_id AND e."userId" = CAST(:user_id AS uuid) AND e."deletedAt" IS NULL
       AND e."personalInfo" ->> 'language' IS NOT NULL
     ORDER BY e."createdAt" LIMIT 1),
    (SELECT o.settings ->> 'locale' FROM organizations o WHERE o.id = :organization_id)
) AS language
