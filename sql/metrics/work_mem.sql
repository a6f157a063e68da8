-- Memory for the run's sorts and hashes (DESIGN.md: at the 4 MB default a 10M-row GROUP BY spills).
SELECT set_config('work_mem', :work_mem, true)
