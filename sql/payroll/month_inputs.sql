-- The payroll run's inputs of one organization and month, compared in one pass with the record of
-- what each employee's row was computed from (payroll_input_digests). Returns only what must be
-- recomputed or removed:
-- * change 'compute': an employee due pay (active, not deleted, hired by the month's last day — a
--   NULL or unknown status, a missing hire date are read too, to be skipped with a reason) whose
--   inputs digest differs from the recorded one, who has no record, or whose row is not the recorded
--   one (deleted or added behind the run's back); all of them when :everything. Employees whose row
--   of the month is not DRAFT (APPROVED, PAID …) are never recomputed and not returned. With the
--   employee's fields and year-to-date taxable income; the time summary of those returned is
--   time_summary.sql's.
-- * change 'remove': an employee with a record or a DRAFT row of the month who is not due pay any more.
-- The digest is a 64-bit hash (hash_record_extended, seeded with :context, a digest of the
-- organization's calendar, settings, the year's rates and the code's version) of every value the run
-- reads for the employee: the employee's fields, the personalInfo values with their JSON types, the
-- year-to-date taxable income, and fingerprints of the rows the time summary reads — the month's
-- attendance rows (date, status, overtime and total hours) and the leaves that touch the month (type,
-- status, dates): the sum of each row's hash, so any change of them, an added or a deleted row
-- changes it, and the attendance is read once without the summary's seven aggregates.
WITH due AS (
    SELECT e.id, e."organizationId", e."userId", e."employeeCode",
           coalesce(e."workspaceId", CAST(:default_workspace_id AS uuid)) AS workspace_id,
           e."hireDate", e.salary, e.currency, e.status,
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
),
attendance_rows AS MATERIALIZED (
    SELECT a."employeeId" AS employee_id,
           sum(hash_record_extended(ROW(a.date, a.status, a."overtimeHours", a."totalHours"), 0)) AS fingerprint
    FROM attendance a
    WHERE a."organizationId" = :organization_id AND a.date BETWEEN :first_day AND :last_day
    GROUP BY a."employeeId"
),
leave_rows AS (
    SELECT l."employeeId" AS employee_id,
           sum(hash_record_extended(ROW(l.type, l.status, l."startDate", l."endDate"), 0)) AS fingerprint
    FROM leaves l
    WHERE l."organizationId" = :organization_id
      AND ((l."startDate" <= :last_day AND l."endDate" >= :first_day)
           OR l."startDate" BETWEEN :first_day AND :last_day
           OR l."endDate" BETWEEN :first_day AND :last_day)
    GROUP BY l."employeeId"
),
year_to_date AS (
    -- taxable income (the ИПН base) of earlier months of the year: the progressive threshold's
    SELECT p."employeeId" AS employee_id, sum(i.base) AS taxable
    FROM payroll p
    JOIN payroll_items i ON i."payrollId" = p.id AND i."organizationId" = p."organizationId"
    WHERE p."organizationId" = :organization_id
      AND p.year = :year
      AND p.month < :month
      AND i.code = 'IPN'
    GROUP BY p."employeeId"
),
inputs AS (
    SELECT d.*, y.taxable,
           hash_record_extended(ROW(d.id, d."userId", d."employeeCode", d.workspace_id, d."hireDate", d.salary,
                                    d.currency, d.status, d.info_type, d.pensioner_type, d.pensioner,
                                    d.resident_type, d.resident, d.ipn_deduction_type, d.ipn_deduction,
                                    d.birth_date, d.iin, y.taxable, ar.fingerprint, lr.fingerprint),
                                CAST(:context AS bigint)) AS inputs_digest
    FROM due d
    LEFT JOIN attendance_rows ar ON ar.employee_id = d.id
    LEFT JOIN leave_rows lr ON lr.employee_id = d.id
    LEFT JOIN year_to_date y ON y.employee_id = d.id
),
recorded AS (
    SELECT r."employeeId", r."inputsDigest", r."payrollId"
    FROM payroll_input_digests r
    WHERE r."organizationId" = :organization_id AND r.year = :year AND r.month = :month
),
month_rows AS (
    SELECT p.id, p."employeeId", p."payrollNumber", p.status
    FROM payroll p
    WHERE p."organizationId" = :organization_id AND p.year = :year AND p.month = :month
),
known AS (
    -- what the last runs left for each employee: the record and the month's row
    SELECT coalesce(r."employeeId", m."employeeId") AS employee_id, r."employeeId" IS NOT NULL AS recorded,
           r."inputsDigest", r."payrollId", m.id, m."payrollNumber", m.status
    FROM recorded r
    FULL JOIN month_rows m ON m."employeeId" = r."employeeId"
)
SELECT CASE WHEN i.id IS NULL THEN 'remove' ELSE 'compute' END AS change,
       CAST(coalesce(i.id, k.employee_id) AS text) AS employee_id,
       CAST(i."userId" AS text) AS user_id,
       i."employeeCode" AS employee_code,
       CAST(i.workspace_id AS text) AS workspace_id,
       i."hireDate" AS hire_date,
       i.salary, i.currency, i.status, i.info_type, i.pensioner_type, i.pensioner, i.resident_type, i.resident,
       i.ipn_deduction_type, i.ipn_deduction, i.birth_date, i.iin, i.taxable,
       CAST(i.inputs_digest AS text) AS inputs_digest,
       -- a gone employee's row is removed only while DRAFT
       CAST(CASE WHEN k.status = 'DRAFT' THEN k.id END AS text) AS payroll_id,
       CASE WHEN k.status = 'DRAFT' THEN k."payrollNumber" END AS payroll_number
FROM inputs i
FULL JOIN known k ON k.employee_id = i.id
WHERE CASE
          WHEN i.id IS NULL THEN k.recorded OR k.status = 'DRAFT'
          ELSE (k.id IS NULL OR k.status = 'DRAFT')
               AND (CAST(:everything AS boolean)
                    OR k."inputsDigest" IS DISTINCT FROM i.inputs_digest
                    OR k."payrollId" IS DISTINCT FROM k.id)
      END
-- new rows are numbered in this order (as ever: by employee code)
ORDER BY change, employee_code, coalesce(i.id, k.employee_id)
