COPY payroll_items_stage (id, "payrollId", "organizationId", code, kind, base, rate, amount, details) FROM STDIN (FORMAT csv)
