-- Every organization, in a stable order: what a run without --org reconciles.
SELECT o.id FROM organizations AS o ORDER BY o."createdAt", o.id
