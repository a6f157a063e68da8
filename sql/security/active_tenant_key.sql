-- The newest active key of the tenant proof (owner only).
SELECT key
FROM security_tenant_keys
WHERE "retiredAt" IS NULL
ORDER BY "createdAt" DESC, id
LIMIT 1;
