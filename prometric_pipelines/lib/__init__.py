"""What the Dagster definitions under `defs/` share: partitions, run configs, schedule switches, failure
reporting, fan-out and freshness helpers. Nothing here is a definition itself (`defs/` holds those), and
nothing here imports `defs/`: the arrows run from `defs/<domain>` down to `lib/`, never back up.
"""
