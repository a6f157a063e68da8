-- Fresh statistics for the breakdown the run has just written (nine lines per row): the summary
-- and the checks that follow are planned on real sizes.
ANALYZE payroll_items
