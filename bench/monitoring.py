"""Benchmark of the operations layer (not part of `make test`):

    python bench/monitoring.py [--orgs 40] [--days 60]

Builds once (kept between runs) a database `prometric_bench_operations` on the configured server with
generated data for many small tenants, then measures, each next to a baseline taken in the same run:

* fan-out cost: the nightly metrics window (4 days, `compute_daily`) for all organizations in one call
  vs one call per organization (what per-organization runs do, without Dagster's per-run overhead),
  and Dagster's per-run overhead (an in-process `metrics_job` run for one organization vs the same
  domain call);
* the run-failure notifier for every organization: first evaluation and a repeated one (which must
  insert nothing) vs a bare scan of the owners it reads;
* the SQL tenancy check over every file of sql/ (a test, timed here so its cost is known).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
import uuid

import dagster as dg
from databases import migrated_database
from sqlalchemy import text

from prometric_pipelines.config import PROJECT_ROOT, ROLE_URL_VARIABLES
from prometric_pipelines.generate.run import generate, organization_count
from prometric_pipelines.generate.scales import options_for
from prometric_pipelines.metrics.run import compute_daily
from prometric_pipelines.monitoring.failures import FailedRun, notify_owners

DATABASE = "prometric_bench_operations"
START = dt.date(2025, 6, 1)


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - started, value


def prepare(orgs: int, days: int):
    engine = migrated_database(DATABASE)
    url = engine.url
    if organization_count(engine) != orgs:
        with engine.begin() as conn:
            conn.execute(text("TRUNCATE organizations, users CASCADE"))
        seconds, _ = timed(generate, engine, options_for("small", orgs=orgs, days=days, start=START, seed=5))
        print(f"generated {orgs} organizations × {days} days in {seconds:.1f} s")
    return url, engine


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=40)
    parser.add_argument("--days", type=int, default=60)
    args = parser.parse_args()
    url, engine = prepare(args.orgs, args.days)
    with engine.connect() as conn:
        organizations = [str(r[0]) for r in conn.execute(text("SELECT id FROM organizations ORDER BY id"))]
    last = START + dt.timedelta(days=args.days - 2)
    first = last - dt.timedelta(days=3)
    rows: list[tuple[str, str, str]] = []

    # --- fan-out: one call for all organizations vs one per organization
    compute_daily(engine, first, last, None, "warm-up")
    all_seconds, _ = timed(compute_daily, engine, first, last, None, "bench")
    per_org = 0.0
    for organization in organizations:
        seconds, _ = timed(compute_daily, engine, first, last, [organization], "bench")
        per_org += seconds
    rows.append((f"daily metrics {first}..{last}, {len(organizations)} orgs, one call", f"{all_seconds:.2f}", "1.00×"))
    rows.append((f"same, {len(organizations)} per-organization calls (sum)", f"{per_org:.2f}",
                 f"{per_org / all_seconds:.2f}×"))  # fmt: skip

    # --- Dagster's per-run overhead (in-process run, ephemeral instance) for one organization
    from prometric_pipelines.db.roles import provision_logins
    from prometric_pipelines.definitions import defs
    from prometric_pipelines.defs.metrics.run_config import metrics_run_config
    from prometric_pipelines.lib.partitions import partition_range_tags

    # the run connects as the jobs' login, as the code location's resources do on an operator's server
    os.environ["DATABASE_URL"] = url.render_as_string(hide_password=False)
    for role, login in provision_logins(engine).items():
        os.environ[ROLE_URL_VARIABLES[role]] = login.render_as_string(hide_password=False)
    one = organizations[0]
    domain_seconds, _ = timed(compute_daily, engine, first, last, [one], "bench")
    config = metrics_run_config([one])
    with dg.DagsterInstance.ephemeral() as instance:
        job = defs.resolve_job_def("metrics_job")
        run_seconds, result = timed(
            job.execute_in_process, run_config=config, tags=partition_range_tags(first, last), instance=instance
        )
    assert result.success
    rows.append(("one organization: daily metrics domain call", f"{domain_seconds:.2f}", "1.00×"))
    rows.append(("one organization: whole metrics_job run in Dagster (7 assets + checks)", f"{run_seconds:.2f}",
                 f"{run_seconds / domain_seconds:.1f}×"))  # fmt: skip

    # --- failure notifications for every organization
    with engine.connect() as conn:
        scan, owners = timed(
            lambda: conn.execute(
                text("""SELECT count(*) FROM employees e JOIN users u ON u.id = e."userId"
                        WHERE e."organizationId" = ANY(CAST(:ids AS uuid[])) AND e."organizationRole" = 'owner'"""),
                {"ids": organizations},
            ).scalar_one()
        )
    run = FailedRun(str(uuid.uuid4()), "metrics_job", "daily_metrics", "bench")
    first_seconds, first_result = timed(notify_owners, engine, run, None)
    again_seconds, again_result = timed(notify_owners, engine, run, None)
    assert again_result.owners_notified == 0
    rows.append((f"bare scan of the owners ({owners})", f"{scan * 1000:.1f} ms", "1.00×"))
    notified = first_result.owners_notified
    rows.append((f"notify_owners, all organizations: {notified} rows", f"{first_seconds * 1000:.1f} ms",
                 f"{first_seconds / scan:.1f}×"))  # fmt: skip
    rows.append(("notify_owners again (0 rows, idempotent)", f"{again_seconds * 1000:.1f} ms",
                 f"{again_seconds / scan:.1f}×"))  # fmt: skip

    # --- the SQL tenancy check
    import sys

    sys.path.insert(0, str(PROJECT_ROOT))
    from tests.sql_tenancy import check_file

    files = sorted((PROJECT_ROOT / "sql").rglob("*.sql"))
    check_seconds, _ = timed(lambda: [check_file(p, PROJECT_ROOT / "sql") for p in files])
    rows.append((f"SQL tenancy check, {len(files)} files", f"{check_seconds:.2f}",
                 f"{check_seconds / len(files) * 1000:.1f} ms/file"))  # fmt: skip
    engine.dispose()

    print(f"\n### bench/monitoring.py — {dt.datetime.now():%Y-%m-%d %H:%M}, database {DATABASE}\n")
    print("| measure | seconds | ratio |")
    print("|---|---|---|")
    for measure, seconds, ratio in rows:
        print(f"| {measure} | {seconds} | {ratio} |")


if __name__ == "__main__":
    main()
