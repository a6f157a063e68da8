-- Anomaly: a product's cached "currentStock" is 7 units above the sum of its inventory rows.
UPDATE products
SET "currentStock" = "currentStock" + 7
WHERE "organizationId" = :organization_id AND id = (
    SELECT p.id
    FROM products AS p
    WHERE p."organizationId" = :organization_id
      AND p.type = 'PRODUCT'
      AND p."currentStock" > 0
      AND NOT EXISTS (
          SELECT 1 FROM inventory AS i
          WHERE i."organizationId" = p."organizationId" AND i."productId" = p.id AND i."lastCountDate" = :day AND i."batchNumber" IS NULL
      )
    ORDER BY p.id
    LIMIT 1
)
RETURNING id, code
