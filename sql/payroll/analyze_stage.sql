-- Statistics for the freshly COPYed stage (temporary tables are never auto-analysed): the merge's
-- joins against payroll are then planned as hash joins, not nested loops. Only the join and filter
-- columns: statistics of the thirty amount and detail columns would cost seconds and plan nothing.
ANALYZE payroll_stage (id, "organizationId", "employeeId", status)
