-- Every organization that is not deleted: the organizations a failed run concerned when its
-- config named none (jobs run for all organizations by default).
SELECT o.id
FROM organizations AS o
WHERE o."deletedAt" IS NULL
ORDER BY o.id
