-- The payroll run's inputs of one organization and month, compared in one pass with the record of
-- what each employee's row was computed from (payroll_input_digests). Returns only what must be
-- recomputed or removed:
-- * change 'compute': an employee due pay (active, not deleted, hired by the month's last day — a
--   NULL or unknown status, a missing hire date are read too, to be skipped with a reason) whose
--   inputs digest differs from the recorded one, who has no record, or whose row is not the recorded
--   one (deleted or added behind the run's back); all of them when :everything. Employees whose row
--   of the month is not DRAFT (APPROVED, PAID …) are never recomputed and not returned.
-- * change 'remove': an employee with a record or a DRAFT row of the month who is not due pay any more.
-- The digest is a 64-bit hash (hash_record_extended, seeded with :context, a digest of the
-- organization's calendar, settings, the year's rates and the code's version) of every value read for
-- the employee: the employee's fields,
-- the personalInfo values with their JSON types, the month's attendance and leave summary and the
-- year-to-date taxable income. The summary: approved leave days, unpaid leave days, marked, ABSENT and
-- HALF_DAY working days not covered by an approved leave, and overtime hours, all from the employee's
-- first day of the month (hire date or the 1st), over the organization's working days
-- (:working_days). Statuses compare case-insensitively after trimming (docs/data-quality.md). Reported
-- for a skip: the first day with a negative overtime, the first day with impossible hours (overtimeHours
-- above 24, totalHours below 0 or above 24), the first approved leave of the month that ends before it
-- starts. The month's attendance is read once, without joins; the rows that must not count — before a
-- mid-month hire date, or on an approved leave day — are few, found through the (employeeId, date) key,
-- and subtracted.
WITH working AS (
    SELECT unnest(CAST(:working_days AS date[])) AS day
),
due AS (
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
staff AS (
    -- those whose time is summarised: active with a hire date (the others are skipped)
    SELECT d.id, d."organizationId", greatest(d."hireDate", CAST(:first_day AS date)) AS start_day
    FROM due d
    WHERE lower(btrim(d.status)) = 'active'
      AND d."hireDate" IS NOT NULL
),
leave_days AS (
    -- one row per employee and working day under an approved leave; a day under both a paid and an
    -- unpaid leave (overlapping requests) counts as paid
    SELECT l."employeeId" AS employee_id, l."organizationId", w.day, bool_and(lower(l.type) = 'unpaid') AS unpaid
    FROM leaves l
    JOIN staff s ON s.id = l."employeeId" AND s."organizationId" = l."organizationId"
    JOIN working w ON w.day BETWEEN greatest(l."startDate", s.start_day) AND l."endDate"
    WHERE l."organizationId" = :organization_id
      AND upper(btrim(l.status)) = 'APPROVED'
      AND l."startDate" <= :last_day
      AND l."endDate" >= :first_day
    GROUP BY l."employeeId", l."organizationId", w.day
),
leave_summary AS (
    SELECT employee_id, count(*) AS leave_days, count(*) FILTER (WHERE unpaid) AS unpaid_leave_days
    FROM leave_days
    GROUP BY employee_id
),
month_attendance AS (
    SELECT a."employeeId" AS employee_id,
           count(*) FILTER (WHERE a.date = ANY (CAST(:working_days AS date[]))) AS marked_days,
           count(*) FILTER (WHERE a.date = ANY (CAST(:working_days AS date[])) AND upper(btrim(a.status)) = 'ABSENT') AS absent_days,
           count(*) FILTER (WHERE a.date = ANY (CAST(:working_days AS date[])) AND upper(btrim(a.status)) = 'HALF_DAY') AS half_days,
           coalesce(sum(a."overtimeHours"), 0) AS overtime_hours,
           min(a.date) FILTER (WHERE a."overtimeHours" < 0) AS negative_overtime_day,
           -- ISO dates first: the text minimum is the earliest day
           min(a.date || ': overtimeHours ' || coalesce(CAST(a."overtimeHours" AS text), 'NULL')
               || ', totalHours ' || coalesce(CAST(a."totalHours" AS text), 'NULL'))
             FILTER (WHERE a."overtimeHours" > 24 OR a."totalHours" > 24 OR a."totalHours" < 0) AS impossible_hours
    FROM attendance a
    WHERE a."organizationId" = :organization_id AND a.date BETWEEN :first_day AND :last_day
    GROUP BY a."employeeId"
),
before_start AS (
    -- rows dated before a mid-month hire date do not count at all
    SELECT a."employeeId" AS employee_id,
           count(*) FILTER (WHERE a.date = ANY (CAST(:working_days AS date[]))) AS marked_days,
           count(*) FILTER (WHERE a.date = ANY (CAST(:working_days AS date[])) AND upper(btrim(a.status)) = 'ABSENT') AS absent_days,
           count(*) FILTER (WHERE a.date = ANY (CAST(:working_days AS date[])) AND upper(btrim(a.status)) = 'HALF_DAY') AS half_days,
           coalesce(sum(a."overtimeHours"), 0) AS overtime_hours
    FROM employees e
    JOIN attendance a ON a."employeeId" = e.id AND a."organizationId" = e."organizationId"
    WHERE e."organizationId" = :organization_id
      AND e."hireDate" > :first_day
      AND e."hireDate" <= :last_day
      AND a.date >= :first_day
      AND a.date < e."hireDate"
    GROUP BY a."employeeId"
),
reversed_leaves AS (
    -- an approved leave ending before it starts covers no day: reported, never silently ignored
    SELECT l."employeeId" AS employee_id, min(l."startDate" || '..' || l."endDate") AS reversed_leave
    FROM leaves l
    JOIN staff s ON s.id = l."employeeId" AND s."organizationId" = l."organizationId"
    WHERE l."organizationId" = :organization_id
      AND upper(btrim(l.status)) = 'APPROVED'
      AND l."endDate" < l."startDate"
      AND (l."startDate" BETWEEN :first_day AND :last_day OR l."endDate" BETWEEN :first_day AND :last_day)
    GROUP BY l."employeeId"
),
on_leave AS (
    -- a working day under an approved leave is a leave day, whatever the attendance says
    SELECT a."employeeId" AS employee_id,
           count(*) AS marked_days,
           count(*) FILTER (WHERE upper(btrim(a.status)) = 'ABSENT') AS absent_days,
           count(*) FILTER (WHERE upper(btrim(a.status)) = 'HALF_DAY') AS half_days
    FROM leave_days ld
    JOIN attendance a ON a."employeeId" = ld.employee_id AND a.date = ld.day AND a."organizationId" = ld."organizationId"
    WHERE a."organizationId" = :organization_id
    GROUP BY a."employeeId"
),
time_summary AS (
    SELECT s.id AS employee_id,
           coalesce(ls.leave_days, 0) AS leave_days,
           coalesce(ls.unpaid_leave_days, 0) AS unpaid_leave_days,
           coalesce(m.marked_days, 0) - coalesce(b.marked_days, 0) - coalesce(o.marked_days, 0) AS marked_days,
           coalesce(m.absent_days, 0) - coalesce(b.absent_days, 0) - coalesce(o.absent_days, 0) AS absent_days,
           coalesce(m.half_days, 0) - coalesce(b.half_days, 0) - coalesce(o.half_days, 0) AS half_days,
           coalesce(m.overtime_hours, 0) - coalesce(b.overtime_hours, 0) AS overtime_hours,
           m.negative_overtime_day,
           m.impossible_hours,
           r.reversed_leave
    FROM staff s
    LEFT JOIN leave_summary ls ON ls.employee_id = s.id
    LEFT JOIN month_attendance m ON m.employee_id = s.id
    LEFT JOIN before_start b ON b.employee_id = s.id
    LEFT JOIN on_leave o ON o.employee_id = s.id
    LEFT JOIN reversed_leaves r ON r.employee_id = s.id
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
    SELECT d.*, t.leave_days, t.unpaid_leave_days, t.marked_days, t.absent_days, t.half_days, t.overtime_hours,
           t.negative_overtime_day, t.impossible_hours, t.reversed_leave, y.taxable,
           hash_record_extended(ROW(d.id, d."userId", d."employeeCode", d.workspace_id, d."hireDate", d.salary,
                                         d.currency, d.status, d.info_type, d.pensioner_type, d.pensioner,
                                         d.resident_type, d.resident, d.ipn_deduction_type, d.ipn_deduction,
                                         d.birth_date, d.iin, t.leave_days, t.unpaid_leave_days, t.marked_days,
                                         t.absent_days, t.half_days, t.overtime_hours, t.negative_overtime_day,
                                         t.impossible_hours, t.reversed_leave, y.taxable),
                                CAST(:context AS bigint))
               AS inputs_digest
    FROM due d
    LEFT JOIN time_summary t ON t.employee_id = d.id
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
       i.ipn_deduction_type, i.ipn_deduction, i.birth_date, i.iin,
       i.leave_days, i.unpaid_leave_days, i.marked_days, i.absent_days, i.half_days, i.overtime_hours,
       i.negative_overtime_day, i.impossible_hours, i.reversed_leave, i.taxable,
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
