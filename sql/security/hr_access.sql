-- The HR access level of the current tenant session's viewer: all | self | none, NULL outside a
-- valid tenant session (an owner or jobs connection).
SELECT prometric_tenant_hr_access();
