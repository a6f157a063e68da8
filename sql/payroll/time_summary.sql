-- Per employee of one organization and month: approved leave days, unpaid leave days, marked,
-- ABSENT and HALF_DAY working days not covered by an approved leave, and overtime hours, all from
-- the employee's first day of the month (hire date or the 1st). Working days come from the
-- organization's calendar (:working_days).
WITH working AS (
    SELECT unnest(CAST(:working_days AS date[])) AS day
),
staff AS (
    SELECT e.id, e."organizationId", greatest(e."hireDate", CAST(:first_day AS date)) AS start_day
    FROM employees e
    WHERE e."organizationId" = :organization_id
      AND e.status = 'active'
      AND e."deletedAt" IS NULL
      AND e."hireDate" <= :last_day
),
leave_days AS (
    -- one row per employee and working day under an approved leave; a day under both a paid and an
    -- unpaid leave (overlapping requests) counts as paid
    SELECT l."employeeId" AS employee_id, w.day, bool_and(lower(l.type) = 'unpaid') AS unpaid
    FROM leaves l
    JOIN staff s ON s.id = l."employeeId" AND s."organizationId" = l."organizationId"
    JOIN working w ON w.day BETWEEN greatest(l."startDate", s.start_day) AND l."endDate"
    WHERE l."organizationId" = :organization_id
      AND l.status = 'APPROVED'
      AND l."startDate" <= :last_day
      AND l."endDate" >= :first_day
    GROUP BY l."employeeId", w.day
),
leave_summary AS (
    SELECT employee_id, count(*) AS leave_days, count(*) FILTER (WHERE unpaid) AS unpaid_leave_days
    FROM leave_days
    GROUP BY employee_id
),
attendance_summary AS (
    SELECT a."employeeId" AS employee_id,
           count(*) FILTER (WHERE w.day IS NOT NULL AND ld.day IS NULL) AS marked_days,
           count(*) FILTER (WHERE w.day IS NOT NULL AND ld.day IS NULL AND a.status = 'ABSENT') AS absent_days,
           count(*) FILTER (WHERE w.day IS NOT NULL AND ld.day IS NULL AND a.status = 'HALF_DAY') AS half_days,
           coalesce(sum(a."overtimeHours"), 0) AS overtime_hours,
           min(a.date) FILTER (WHERE a."overtimeHours" < 0) AS negative_overtime_day
    FROM attendance a
    JOIN staff s ON s.id = a."employeeId" AND s."organizationId" = a."organizationId"
    LEFT JOIN working w ON w.day = a.date
    LEFT JOIN leave_days ld ON ld.employee_id = a."employeeId" AND ld.day = a.date
    WHERE a."organizationId" = :organization_id
      AND a.date BETWEEN :first_day AND :last_day
      AND a.date >= s.start_day
    GROUP BY a."employeeId"
)
SELECT s.id AS employee_id,
       coalesce(ls.leave_days, 0) AS leave_days,
       coalesce(ls.unpaid_leave_days, 0) AS unpaid_leave_days,
       coalesce(att.marked_days, 0) AS marked_days,
       coalesce(att.absent_days, 0) AS absent_days,
       coalesce(att.half_days, 0) AS half_days,
       coalesce(att.overtime_hours, 0) AS overtime_hours,
       att.negative_overtime_day
FROM staff s
LEFT JOIN leave_summary ls ON ls.employee_id = s.id
LEFT JOIN attendance_summary att ON att.employee_id = s.id
