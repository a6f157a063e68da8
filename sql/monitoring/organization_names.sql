-- The names of the given organizations, for the run report and notifications of failed organizations.
SELECT o.id, o.name
FROM organizations AS o
WHERE o.id = ANY(CAST(:organization_ids AS uuid[]))
