SELECT count(pg_advisory_unlock(hashtext('prometric stock reconciliation'), hashtext(CAST(o.id AS text))))
FROM unnest(CAST(:organization_ids AS uuid[])) AS o (id)
