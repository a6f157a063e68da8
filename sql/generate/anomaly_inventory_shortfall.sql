-- Anomaly: the physical count of two (warehouse, product) rows is 3 units below the ledger.
-- products."currentStock" follows inventory, so only ledger_vs_inventory fires for them.
WITH picked AS (
    SELECT DISTINCT ON ("productId") id, "productId"
    FROM inventory
    WHERE "organizationId" = :organization_id
      AND "batchNumber" IS NULL
      AND quantity - "reservedQuantity" >= 5
    ORDER BY "productId", id
    LIMIT 2
),
counted AS (
    UPDATE inventory AS i
    SET quantity = i.quantity - 3, "lastCountDate" = :day
    FROM picked
    WHERE i."organizationId" = :organization_id AND i.id = picked.id
    RETURNING i.id, i."productId", i."warehouseId"
),
synced AS (
    UPDATE products AS p
    SET "currentStock" = p."currentStock" - 3
    FROM counted
    WHERE p."organizationId" = :organization_id AND p.id = counted."productId"
    RETURNING p.id
)
SELECT counted.id, counted."productId", counted."warehouseId", (SELECT count(*) FROM synced) AS synced
FROM counted
ORDER BY counted.id
