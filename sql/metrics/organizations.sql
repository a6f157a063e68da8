-- Every organization (not deleted): the default set of a metrics run.
SELECT o.id FROM organizations o WHERE o."deletedAt" IS NULL ORDER BY o.id
