-- One deal's products (the deal must belong to the organization).
SELECT p.name AS product, dp.quantity, p.unit, dp."unitPrice" AS unit_price, dp.discount, dp.tax, dp."totalPrice" AS total
FROM deal_products dp
JOIN deals d ON d.id = dp."dealId"
JOIN products p ON p.id = dp."productId" AND p."organizationId" = d."organizationId"
WHERE d."organizationId" = :organization_id AND d.id = :deal_id
  AND (CAST(:workspace_ids AS uuid[]) IS NULL OR d."workspaceId" = ANY(CAST(:workspace_ids AS uuid[])))
ORDER BY p.name
