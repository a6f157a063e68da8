-- Computed rows of one organization's month, COPYed here before they are merged into payroll.
CREATE TEMP TABLE IF NOT EXISTS payroll_stage ON COMMIT DROP AS SELECT * FROM payroll WITH NO DATA
