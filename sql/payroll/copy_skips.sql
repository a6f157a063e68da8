COPY payroll_skips ("employeeId", year, month, "organizationId", reason, "createdAt") FROM STDIN (FORMAT csv)
