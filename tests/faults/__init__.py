"""Fault injection (pytest marker `faults`): runs killed with SIGKILL while blocked on a lock, runs that
wait for a pool slot or a lock and are stopped with Ctrl-C or SIGTERM; afterwards every job runs to
completion with nothing lost or doubled."""
