"""Stock reconciliation: ledger vs inventory vs products (plain Python + SQL, no Dagster)."""
