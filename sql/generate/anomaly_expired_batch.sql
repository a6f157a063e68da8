-- Anomaly: a batch still in stock whose expiry date has passed.
UPDATE inventory
SET "expiryDate" = :expired_on
WHERE "organizationId" = :organization_id AND id = (
    SELECT id FROM inventory
    WHERE "organizationId" = :organization_id AND "batchNumber" IS NOT NULL AND quantity > 0
    ORDER BY id
    LIMIT 1
)
RETURNING id, "batchNumber"
