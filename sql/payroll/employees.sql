-- Employees of one organization who are due pay for the month: active, not deleted, hired by the
-- month's last day (a missing hire date is reported, not ignored). personalInfo fields come with
-- their JSON types so that bad values are skipped with a reason instead of guessed. Status compares
-- lower-cased after trimming ('ACTIVE' is active); an employee whose status is NULL or outside the
-- documented list (active, pending, inactive, terminated) is read too, to be skipped with that reason.
SELECT CAST(e.id AS text) AS employee_id,
       CAST(e."userId" AS text) AS user_id,
       e."employeeCode" AS employee_code,
       CAST(coalesce(e."workspaceId", CAST(:default_workspace_id AS uuid)) AS text) AS workspace_id,
       e."hireDate" AS hire_date,
       e.salary,
       e.currency,
       e.status,
       jsonb_typeof(e."personalInfo") AS info_type,
       jsonb_typeof(e."personalInfo" -> 'pensioner') AS pensioner_type,
       e."personalInfo" ->> 'pensioner' AS pensioner,
       jsonb_typeof(e."personalInfo" -> 'resident') AS resident_type,
       e."personalInfo" ->> 'resident' AS resident,
       jsonb_typeof(e."personalInfo" -> 'ipnDeduction') AS ipn_deduction_type,
       e."personalInfo" ->> 'ipnDeduction' AS ipn_deduction,
       e."personalInfo" ->> 'birthDate' AS birth_date,
       e."personalInfo" ->> 'iin' AS iin
FROM employees e
WHERE e."organizationId" = :organization_id
  AND (lower(btrim(e.status)) = 'active' OR e.status IS NULL
       OR lower(btrim(e.status)) NOT IN ('pending', 'inactive', 'terminated'))
  AND e."deletedAt" IS NULL
  AND (e."hireDate" IS NULL OR e."hireDate" <= :last_day)
ORDER BY e."employeeCode", e.id
