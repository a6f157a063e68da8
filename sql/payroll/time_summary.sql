-- Per employee of one organization and month among :employee_ids (those a run recomputes): approved leave days, unpaid leave days, marked,
-- ABSENT and HALF_DAY working days not covered by an approved leave, and overtime hours, all from
-- the employee's first day of the month (hire date or the 1st). Working days come from the
-- organization's calendar (:working_days). Statuses compare case-insensitively after trimming
-- (docs/data-quality.md). Reported for a skip: the first day with a negative overtime, the first day
-- with impossible hours (overtimeHours above 24, totalHours below 0 or above 24), the first approved
-- leave of the month that ends before it starts.
-- The month's attendance is read once, without joins (one aggregate over ~20 rows per employee);
-- the rows that must not count — before a mid-month hire date, or on an approved leave day — are
-- few, found through the (employeeId, date) key, and subtracted.
WITH working AS (
    SELECT unnest(CAST(:working_days AS date[])) AS day
),
staff AS (
    SELECT e.id, e."organizationId", greatest(e."hireDate", CAST(:first_day AS date)) AS start_day
    FROM employees e
    WHERE e."organizationId" = :organization_id
      AND e.id = ANY (CAST(:employee_ids AS uuid[]))
      AND lower(btrim(e.status)) = 'active'
      AND e."deletedAt" IS NULL
      AND e."hireDate" <= :last_day
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
    WHERE a."organizationId" = :organization_id
      AND a."employeeId" = ANY (CAST(:employee_ids AS uuid[]))
      AND a.date BETWEEN :first_day AND :last_day
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
      AND e.id = ANY (CAST(:employee_ids AS uuid[]))
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
)
SELECT CAST(s.id AS text) AS employee_id,
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
