COPY payroll_skips_stage ("employeeId", year, month, "organizationId", reason, "createdAt") FROM STDIN (FORMAT csv)
