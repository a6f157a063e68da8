COPY payroll_digests_stage ("employeeId", "inputsDigest", "payrollId") FROM STDIN (FORMAT csv)
