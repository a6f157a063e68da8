-- APPROVED -> PAID with the payment date, for one organization's month; an audit row per row.
WITH paid AS (
    UPDATE payroll p
    SET status = 'PAID', "paymentDate" = :payment_date, "updatedAt" = :now
    WHERE p."organizationId" = :organization_id AND p.year = :year AND p.month = :month AND p.status = 'APPROVED'
    RETURNING p.id, p."organizationId"
),
audited AS (
    INSERT INTO audit_logs ("organizationId", action, entity, "entityId", "oldValue", "newValue", "userAgent",
                            "createdAt")
    SELECT paid."organizationId", 'UPDATE', 'payroll', paid.id, jsonb_build_object('status', 'APPROVED'),
           jsonb_build_object('status', 'PAID', 'paymentDate', CAST(:payment_date AS date)), :user_agent, :now
    FROM paid
    RETURNING 1
)
SELECT (SELECT count(*) FROM paid) AS paid, (SELECT count(*) FROM audited) AS audited
