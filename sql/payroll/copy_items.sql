COPY payroll_items (id, "payrollId", "organizationId", code, kind, base, rate, amount, details) FROM STDIN (FORMAT csv)
