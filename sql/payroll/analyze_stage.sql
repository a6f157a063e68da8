-- Statistics for the freshly COPYed stage (temporary tables are never auto-analysed): the merge's
-- joins against payroll are then planned as hash joins, not nested loops.
ANALYZE payroll_stage
