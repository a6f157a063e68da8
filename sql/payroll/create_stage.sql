-- Computed rows of one organization's month, COPYed here before they are merged into payroll. The
-- key keeps the merge's joins with payroll index lookups whatever the planner believes about
-- payroll's size (its statistics may predate this transaction's inserts).
CREATE TEMP TABLE IF NOT EXISTS payroll_stage (LIKE payroll, PRIMARY KEY (id)) ON COMMIT DROP
