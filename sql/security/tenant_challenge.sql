-- This backend and this transaction's start, signed into the tenant proof (see docs/security.md).
SELECT prometric_tenant_challenge();
