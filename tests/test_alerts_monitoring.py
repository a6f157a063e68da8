"""Run failures and stale partitions land in `alerts` too (one model), once per organization and day."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from prometric_pipelines.alerts.record import record_stale_partition
from prometric_pipelines.business_calendar import business_today
from prometric_pipelines.monitoring.failures import FailedRun, notify_owners
from tests.factories import make_tenant


def rows(engine, kind):
    with engine.connect() as conn:
        return conn.execute(
            text("""SELECT CAST("organizationId" AS text), "workspaceId", subject, day, severity, explanation,
                           "explanationRu", details ->> 'run_id'
                    FROM alerts WHERE kind = :k ORDER BY 1"""),
            {"k": kind},
        ).all()


def test_a_failed_run_is_an_alert_of_the_organizations_it_concerned(engine):
    with engine.begin() as conn:
        a, b = make_tenant(conn), make_tenant(conn)
    a_id = str(a["organization"]["id"])
    first = FailedRun(run_id="0123456789abcdef", job_name="payroll_job", step="payroll_run", error="value too long")
    notify_owners(engine, first, [a_id])
    again = FailedRun(run_id="fedcba9876543210", job_name="payroll_job", step="payroll_run", error="still broken")
    notify_owners(engine, again, [a_id])
    found = rows(engine, "run_failure")
    # B is not told; the second failure of the day updates A's alert instead of adding one
    assert found == [
        (a_id, None, "payroll_job", business_today(), "severe",
         "The payroll_job run fedcba98 failed at step payroll_run: still broken",
         "Запуск payroll_job (fedcba98) завершился ошибкой на шаге payroll_run: still broken", "fedcba9876543210"),
    ]  # fmt: skip
    assert str(b["organization"]["id"]) not in {r[0] for r in found}


def test_a_stale_partition_is_a_freshness_alert_of_every_organization(engine):
    with engine.connect() as conn:
        organizations = {
            str(o) for o in conn.execute(text('SELECT id FROM organizations WHERE "deletedAt" IS NULL')).scalars()
        }
    for _ in range(2):
        with engine.begin() as conn:
            assert record_stale_partition(conn, "daily_metrics", "2026-01-12", dt.date(2026, 1, 12)) == len(
                organizations
            )
    found = rows(engine, "freshness")
    assert {r[0] for r in found} == organizations and len(found) == len(organizations)
    assert {(r[2], r[3], r[4]) for r in found} == {("daily_metrics", dt.date(2026, 1, 12), "warning")}
