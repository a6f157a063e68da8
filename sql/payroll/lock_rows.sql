-- The month's rows the run is about to rewrite or remove, locked for this transaction (a concurrent
-- approval in the ERP waits until the run has written; the writes re-check status = 'DRAFT').
SELECT p.id
FROM payroll p
WHERE p."organizationId" = :organization_id AND p.id = ANY (CAST(:payroll_ids AS uuid[]))
FOR UPDATE
