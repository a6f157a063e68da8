"""Rows of projects, tasks, task comments, calendar events and documents."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from prometric_pipelines.generate.arrays import DAY, HOUR, NAT, Columns, concat, midnight
from prometric_pipelines.generate.copy import pg_array
from prometric_pipelines.generate.state import OrgState


def tables(history: OrgState) -> Iterator[tuple[str, Columns]]:
    org, ws_ids, user_ids, rng = history.org_column, history.ws_ids, history.user_ids, history.rng
    n_proj = len(history.proj_start)
    proj_created = midnight(history.proj_start) + 10 * HOUR
    proj_ids = history.ids(proj_created)
    proj_end = history.proj_start + rng.integers(60, 400, n_proj).astype("timedelta64[D]")
    yield (
        "projects",
        {
            "id": proj_ids,
            "organizationId": org(n_proj),
            "workspaceId": ws_ids[history.proj_ws],
            "name": [
                f"Проект {i + 1}: {t}"
                for i, t in enumerate(
                    history.pick(
                        [
                            "Открытие точки продаж",
                            "Автоматизация склада",
                            "Выход на маркетплейс Kaspi",
                            "Оптимизация закупок",
                            "Запуск новой линейки",
                        ],
                        n_proj,
                    )
                )
            ],
            "code": [f"PRJ-{i + 1:03d}" for i in range(n_proj)],
            "status": np.where(proj_end < history.end, "COMPLETED", "ACTIVE"),
            "startDate": history.proj_start,
            "endDate": proj_end,
            "ownerId": user_ids[history.proj_owner],
            "createdBy": user_ids[history.proj_owner],
            "createdAt": history.utc(proj_created),
            "updatedAt": history.utc(proj_created),
        },
    )
    t = len(history.task_created)
    status = history.task_status
    happened = history.task_happened
    last = np.where(happened, history.task_flow, NAT).max(axis=1, initial=None) if t else np.zeros(0, "datetime64[s]")
    updated = np.where(
        status == "CANCELLED", history.task_cancel_at, np.where(np.isnat(last), history.task_created, last)
    )
    project = history.task_project
    task_ws = np.where(project >= 0, history.proj_ws[np.maximum(project, 0)], history.emp_ws[history.task_assignee])
    yield (
        "tasks",
        {
            "id": history.task_ids,
            "organizationId": org(t),
            "workspaceId": ws_ids[task_ws],
            "projectId": np.where(project >= 0, proj_ids[np.maximum(project, 0)], None).astype(object),
            "title": history.task_title,
            "type": history.pick(["TASK", "TASK", "TASK", "IMPROVEMENT", "BUG", "FEATURE"], t),
            "priority": history.pick(["NORMAL", "NORMAL", "LOW", "HIGH", "URGENT"], t),
            "status": status,
            "assignedTo": user_ids[history.task_assignee],
            "assignedBy": user_ids[history.task_assigner],
            "dueDate": history.utc(history.task_due),
            "startDate": history.utc(np.where(happened[:, 0], history.task_flow[:, 0], NAT)),
            "completedAt": history.utc(history.task_completed),
            "estimatedHours": rng.integers(1, 17, t).astype(float),
            "createdBy": user_ids[history.task_assigner],
            "createdAt": history.utc(history.task_created),
            "updatedAt": history.utc(updated),
        },
    )
    history.add_audit(
        "CREATE", "task", history.task_ids, history.task_assigner, history.task_created, new='{"status": "TODO"}'
    )
    labels = ["TODO", "IN_PROGRESS", "IN_REVIEW", "DONE"]
    for k in range(3):
        idx = np.flatnonzero(happened[:, k])
        history.add_audit(
            "UPDATE",
            "task",
            history.task_ids[idx],
            history.task_assignee[idx],
            history.task_flow[idx, k],
            old=f'{{"status": "{labels[k]}"}}',
            new=f'{{"status": "{labels[k + 1]}"}}',
        )
    idx = np.flatnonzero(status == "CANCELLED")
    history.add_audit(
        "UPDATE",
        "task",
        history.task_ids[idx],
        history.task_assigner[idx],
        history.task_cancel_at[idx],
        old=concat('{"status": "', pa.array(np.array(labels)[happened[idx].sum(axis=1)]), '"}'),
        new='{"status": "CANCELLED"}',
    )
    comments = rng.poisson(1.2, t)
    c_task = np.repeat(np.arange(t), comments)
    c_time = history.task_created[c_task] + (rng.uniform(0.05, 3, len(c_task)) * 86_400).astype("timedelta64[s]")
    keep = c_time <= history.end_ts
    c_task, c_time = c_task[keep], c_time[keep]
    yield (
        "task_comments",
        {
            "id": history.ids(c_time),
            "taskId": history.task_ids[c_task],
            "userId": user_ids[history.task_assignee[c_task]],
            "comment": history.pick(
                [
                    "Взял в работу",
                    "Нужна информация от клиента",
                    "Готово, проверьте",
                    "Перенёс срок по согласованию",
                    "Документы приложены",
                ],
                len(c_task),
            ),
            "createdAt": history.utc(c_time),
            "updatedAt": history.utc(c_time),
        },
    )

    # calendar: weekly planning per workspace, and meetings
    weeks = np.arange(history.start, history.end + 1, 7)
    ev_ws = np.repeat(np.arange(history.ws_count), len(weeks))
    ev_start = np.tile(midnight(weeks), history.ws_count) + 10 * HOUR
    meetings = rng.poisson(0.4 * history.ws_count * len(weeks))
    mt_start = history.business_times(
        history.start + rng.integers(0, history.options.days, meetings).astype("timedelta64[D]")
    )
    starts = np.r_[ev_start, mt_start]
    kind = np.r_[np.full(len(ev_start), "MEETING"), history.pick(["MEETING", "EVENT", "REMINDER"], meetings)]
    ws = np.r_[ev_ws, rng.integers(0, history.ws_count, meetings)]
    e = len(starts)
    attendees = [[user_ids[i].decode() for i in rng.choice(history.emp_count, 3, replace=False)] for _ in range(e)]
    created = starts - 3 * DAY
    yield (
        "calendar_events",
        {
            "id": history.ids(created),
            "organizationId": org(e),
            "workspaceId": ws_ids[ws],
            "title": np.where(
                np.arange(e) < len(ev_start),
                "Планёрка",
                history.pick(["Встреча с клиентом", "Совещание", "Обучение", "Созвон с поставщиком"], e),
            ),
            "type": kind,
            "location": history.pick(["Переговорная 1", "Переговорная 2", "Zoom", "Офис клиента"], e),
            "startTime": history.utc(starts),
            "endTime": history.utc(starts + HOUR),
            "allDay": np.full(e, False),
            "recurrence": np.full(e, "NONE"),
            "attendees": pg_array(attendees),
            "reminders": np.full(e, '[{"minutes": 15}]'),
            "color": history.pick(["#1f77b4", "#2ca02c", "#ff7f0e"], e),
            "status": np.where(rng.random(e) < 0.05, "CANCELLED", "CONFIRMED"),
            "createdBy": user_ids[rng.choice(history.managers, e)],
            "createdAt": history.utc(created),
            "updatedAt": history.utc(created),
        },
    )

    # documents: employment contracts, deal contracts, monthly reports
    hire_ts = midnight(history.hire) + 9 * HOUR
    won = np.flatnonzero(~np.isnat(history.won_at))
    months = np.arange(history.start.astype("datetime64[M]") + 1, history.end.astype("datetime64[M]") + 1)
    doc_time = np.r_[hire_ts, history.won_at[won], midnight(months.astype("datetime64[D]")) + 11 * HOUR]
    doc_type = np.r_[
        np.full(history.emp_count, "contract"), np.full(len(won), "contract"), np.full(len(months), "report")
    ]
    entity_type = np.r_[
        np.full(history.emp_count, "employee"), np.full(len(won), "deal"), np.full(len(months), None)
    ].astype(object)
    entity_id = np.r_[history.emp_ids, history.deal_ids[won], np.full(len(months), None, dtype=object)].astype(object)
    d = len(doc_time)
    doc_ids = history.ids(doc_time)
    yield (
        "documents",
        {
            "id": doc_ids,
            "organizationId": org(d),
            "workspaceId": ws_ids[np.zeros(d, np.int64)],
            "name": np.r_[
                [f"Трудовой договор {i + 1:04d}.pdf" for i in range(history.emp_count)],
                [f"Договор поставки {i + 1}.pdf" for i in range(len(won))],
                [f"Отчёт {m}.xlsx" for m in months],
            ],
            "type": doc_type,
            "category": np.where(doc_type == "report", "finance", "legal"),
            "fileUrl": [f"s3://prometric-documents/{history.org_id}/{i.decode()}" for i in doc_ids],
            "fileSize": rng.integers(20_000, 2_000_000, d),
            "mimeType": np.where(
                doc_type == "report",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "application/pdf",
            ),
            "entityType": entity_type,
            "entityId": entity_id,
            "version": np.ones(d, np.int64),
            "isPublic": np.full(d, False),
            "createdBy": np.broadcast_to(user_ids[:1], (d,)),
            "createdAt": history.utc(doc_time),
            "updatedAt": history.utc(doc_time),
        },
    )
