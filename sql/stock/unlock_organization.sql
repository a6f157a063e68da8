SELECT pg_advisory_unlock(hashtext('prometric stock reconciliation'), hashtext(CAST(:organization_id AS text)))
