"""Rows around the ERP data: notifications, sessions, e-mail verifications, KPI definitions."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from prometric_pipelines.generate import catalog, kz
from prometric_pipelines.generate.arrays import DAY, HOUR, NAT, Columns, concat, midnight
from prometric_pipelines.generate.state import OrgState
from prometric_pipelines.security.passwords import hash_token


def tables(history: OrgState) -> Iterator[tuple[str, Columns]]:
    rng, org, user_ids = history.rng, history.org_column, history.user_ids
    hire_ts = midnight(history.hire) + 9 * HOUR
    won = np.flatnonzero(~np.isnat(history.won_at))
    # notifications: assigned tasks, won deals, overdue invoices
    task_user = history.task_assignee
    over = np.flatnonzero(history.inv["status"] == "OVERDUE")
    over_time = midnight(history.inv["due"][over] + 1) + 9 * HOUR
    keep = over_time <= history.end_ts
    over, over_time = over[keep], over_time[keep]
    n_time = np.r_[history.task_created, history.won_at[won], over_time]
    n_user = np.r_[task_user, history.deal_assigned[won], np.full(len(over), 2)]
    n_type = np.r_[np.full(len(task_user), "info"), np.full(len(won), "success"), np.full(len(over), "warning")]
    category = np.r_[np.full(len(task_user), "task"), np.full(len(won), "deal"), np.full(len(over), "invoice")]
    title = np.r_[
        np.full(len(task_user), "Новая задача"),
        np.full(len(won), "Сделка выиграна"),
        np.full(len(over), "Счёт просрочен"),
    ]
    data = np.r_[
        concat('{"taskId": "', pa.array(history.task_ids.astype(str)), '"}').to_numpy(zero_copy_only=False),
        concat('{"dealId": "', pa.array(history.deal_ids[won].astype(str)), '"}').to_numpy(zero_copy_only=False),
        concat('{"invoiceId": "', pa.array(history.inv_ids[over].astype(str)), '"}').to_numpy(zero_copy_only=False),
    ]
    read = n_time < history.end_ts - 3 * DAY
    read_at = np.where(
        read & (rng.random(len(n_time)) < 0.85),
        n_time + (rng.uniform(0.1, 48, len(n_time)) * 3600).astype("timedelta64[s]"),
        NAT,
    )
    yield (
        "notifications",
        {
            "id": history.ids(n_time),
            "userId": user_ids[n_user],
            "type": n_type,
            "category": category,
            "title": title,
            "message": title,
            "data": data,
            "isRead": ~np.isnat(read_at),
            "readAt": history.utc(read_at),
            "createdAt": history.utc(n_time),
        },
    )

    # sessions and e-mail verification (tokens stored hashed)
    U = history.user_count
    active = np.r_[np.isnat(history.termination), True]
    sessions = np.repeat(np.flatnonzero(active), 2)
    s_time = history.end_ts - (rng.uniform(0.5, 40, len(sessions)) * 86_400).astype("timedelta64[s]")
    tokens = [
        hash_token(f"{history.options.seed}:{history.org_id}:{i}:{int(x)}")
        for i, x in enumerate(rng.integers(0, 2**62, len(sessions)))
    ]
    revoked = rng.random(len(sessions)) < 0.2
    yield (
        "refresh_tokens",
        {
            "id": history.ids(s_time),
            "userId": user_ids[sessions],
            "token": tokens,
            "deviceInfo": history.pick(
                ['{"os": "Windows"}', '{"os": "macOS"}', '{"os": "iOS"}', '{"os": "Android"}'], len(sessions)
            ),
            "ipAddress": [f"10.{history.ordinal % 250}.{i % 250}.{(i * 7) % 250 + 1}" for i in range(len(sessions))],
            "userAgent": history.pick(catalog.USER_AGENTS, len(sessions)),
            "expiresAt": history.utc(s_time + 30 * DAY),
            "revokedAt": history.utc(np.where(revoked, s_time + DAY, NAT)),
            "revokedReason": np.where(revoked, "logout", None).astype(object),
            "createdAt": history.utc(s_time),
        },
    )
    ev_time = np.r_[np.maximum(hire_ts - 7 * DAY, history.created), history.created + HOUR] + 60 * np.timedelta64(
        1, "s"
    )
    emails = [f"{kz.latin(history.first[i])}.{kz.latin(history.last[i])}.{i + 1}@{history.domain}" for i in range(U)]
    yield (
        "email_verifications",
        {
            "id": history.ids(ev_time),
            "userId": user_ids,
            "email": emails,
            "code": [f"{x:06d}" for x in rng.integers(0, 10**6, U)],
            "token": [hash_token(f"{history.org_id}:verify:{i}") for i in range(U)],
            "type": np.full(U, "registration"),
            "expiresAt": history.utc(ev_time + DAY),
            "verifiedAt": history.utc(ev_time + 600 * np.timedelta64(1, "s")),
            "attempts": np.ones(U, np.int64),
            "createdAt": history.utc(ev_time),
        },
    )
    kpis = [
        (
            "orders_revenue",
            None,
            "KZT",
            float(history.options.scale.orders_per_day * history.size * 30 * 180_000),
            "monthly",
            "sales",
        ),
        ("win_rate", None, "%", 45.0, "monthly", "crm"),
        ("gross_margin_pct", "gross_profit / orders_revenue * 100", "%", 25.0, "monthly", "sales"),
        (
            "collection_ratio",
            "round(payments_received / invoiced_amount * 100, 1)",
            "%",
            95.0,
            "monthly",
            "finance",
        ),
        ("revenue_per_employee", "orders_revenue / headcount", "KZT", None, "monthly", "hr"),
        (
            "daily_revenue_target",
            "orders_revenue",  # the revenue against a per-day target (the dashboards scale it to the range)
            "KZT",
            float(history.options.scale.orders_per_day * history.size * 180_000),
            "daily",
            "sales",
        ),
    ]
    k = len(kpis)
    kpi_created = np.full(k, history.start_ts - 30 * DAY)
    yield (
        "kpi_definitions",
        {
            "id": history.ids(kpi_created),
            "organizationId": org(k),
            "name": [r[0] for r in kpis],
            "description": [r[0].replace("_", " ") for r in kpis],
            "formula": [r[1] for r in kpis],
            "unit": [r[2] for r in kpis],
            "targetValue": np.array([np.nan if r[3] is None else round(r[3], 2) for r in kpis]),
            "frequency": [r[4] for r in kpis],
            "category": [r[5] for r in kpis],
            "isActive": np.full(k, True),
            "createdAt": history.utc(kpi_created),
            "updatedAt": history.utc(kpi_created),
        },
    )
