"""Monthly payroll runs with Kazakhstan statutory rules (../shared/specs/payroll.md, docs/payroll.md)."""
