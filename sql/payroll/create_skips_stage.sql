-- The month's skip reasons, COPYed here first (as payroll_items_stage: no COPY FROM under row-level security).
CREATE TEMP TABLE IF NOT EXISTS payroll_skips_stage (LIKE payroll_skips INCLUDING DEFAULTS) ON COMMIT DROP
