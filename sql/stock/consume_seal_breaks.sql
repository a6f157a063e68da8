-- The late-movement records this run has seen are acted on (unsealed, or covered by a full pass);
-- one committed after the run's snapshot stays for the next run.
DELETE FROM stock_seal_breaks AS k
WHERE k."organizationId" = :organization_id
