"""Benchmark of `prometric generate` (see ../shared/specs/performance.md): rows/s per table and overall.

    python bench/generate.py [--scale medium] [--orgs N] [--days N]

Loads into a fresh database `prometric_bench_generate` on the configured server (the embedded one,
or DATABASE_URL's). Baselines measured in the same run on the same server: COPY of 1M narrow rows
(uuid, integer, timestamp, numeric) into a table with a UUID primary key, and into one with no
index. Prints a table and the ratios; not part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import time

import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv

from prometric_pipelines.config import libpq_url
from prometric_pipelines.db.engine import create_db_engine, database_url
from prometric_pipelines.db.ids import uuid7
from prometric_pipelines.db.migrate import migrate
from prometric_pipelines.generate.run import generate
from prometric_pipelines.generate.scales import options_for

DATABASE = "prometric_bench_generate"


def baseline_rows_per_second(url, rows: int = 1_000_000) -> dict[str, float]:
    """COPY (csv) of narrow rows: into a table with a UUID primary key, and with no index at all."""
    rng = np.random.default_rng(0)
    ids = uuid7(rng, 1_700_000_000_000 + np.arange(rows))
    table = pa.table({
        "id": pa.array(ids).cast(pa.string()), "n": pa.array(np.arange(rows)),
        "at": pa.array(np.datetime64("2025-01-01") + np.arange(rows).astype("timedelta64[s]")),
        "amount": pa.array(rng.integers(0, 10**7, rows) / 100),
    })  # fmt: skip
    buffer = io.BytesIO()
    pacsv.write_csv(table, buffer, pacsv.WriteOptions(include_header=False))
    payload = buffer.getvalue()
    figures = {}
    with psycopg.connect(libpq_url(url)) as conn:
        for label, key in (("uuid primary key", "PRIMARY KEY"), ("no index", "")):
            conn.execute("DROP TABLE IF EXISTS bench_baseline")
            conn.execute(f"CREATE TABLE bench_baseline (id uuid {key}, n bigint, at timestamp, amount numeric(15,2))")
            conn.commit()
            started = time.perf_counter()
            with conn.cursor().copy("COPY bench_baseline FROM STDIN (FORMAT csv)") as copy:
                copy.write(payload)
            conn.commit()
            figures[label] = rows / (time.perf_counter() - started)
        conn.execute("DROP TABLE bench_baseline")
        conn.commit()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--orgs", type=int)
    parser.add_argument("--days", type=int)
    args = parser.parse_args()
    base = database_url()
    with psycopg.connect(libpq_url(base.set(database="postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    url = base.set(database=DATABASE)
    engine = create_db_engine(url)
    migrate(engine)
    baselines = baseline_rows_per_second(url)
    options = options_for(args.scale, orgs=args.orgs, days=args.days, start=dt.date(2023, 1, 1), seed=42)
    result = generate(engine, options, progress=print)
    overall = result.total_rows / result.seconds
    print()
    print(f"## generate --scale {args.scale}: {options.orgs} organizations, {options.days} days ({dt.date.today()})")
    print()
    print("| table | rows | COPY s | rows/s (PostgreSQL ingest) |")
    print("|---|---:|---:|---:|")
    for table, rows in sorted(result.rows.items(), key=lambda item: -item[1]):
        seconds = result.copy_seconds.get(table, 0.0)
        rate = f"{rows / seconds:,.0f}" if seconds else "-"
        print(f"| {table} | {rows:,} | {seconds:.2f} | {rate} |")
    print()
    print(
        f"overall: {result.total_rows:,} rows in {result.seconds:.1f} s = **{overall:,.0f} rows/s** (generation, COPY, "
        f"rebuilt keys/indexes/foreign keys, commit); ANALYZE afterwards {result.analyze_seconds:.1f} s"
    )
    for label, rate in baselines.items():
        print(f"baseline: COPY of 1M narrow rows, {label}: {rate:,.0f} rows/s; generator/baseline {overall / rate:.2f}")
    print(f"target: >= 100,000 rows/s overall -> {'met' if overall >= 100_000 else 'NOT met'}")


if __name__ == "__main__":
    main()
