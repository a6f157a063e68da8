-- The inputs digests of the employees a run recomputed, with the row computed from them (NULL: skipped).
CREATE TEMP TABLE IF NOT EXISTS payroll_digests_stage (
    "employeeId" uuid PRIMARY KEY, "inputsDigest" bigint NOT NULL, "payrollId" uuid
) ON COMMIT DROP
