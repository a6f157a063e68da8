"""Rows of the organization and its people: users, organizations, workspaces, memberships, departments, employees."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa

from prometric_pipelines.business_calendar import TIMEZONE_NAME
from prometric_pipelines.db.ids import to_ms, uuid7
from prometric_pipelines.generate import catalog, kz
from prometric_pipelines.generate.accounts import DEMO_PASSWORD
from prometric_pipelines.generate.arrays import DAY, HOUR, NAT, Columns, concat, midnight, to_tenge
from prometric_pipelines.generate.state import OrgState
from prometric_pipelines.security.passwords import hash_password


def tables(history: OrgState) -> Iterator[tuple[str, Columns]]:
    rng = history.rng
    org_id = uuid7(rng, to_ms(history.utc(np.array([history.created]))))[0]
    history.org_id, history.org_key = org_id.decode(), org_id
    U, E = history.user_count, history.emp_count
    hire_ts = midnight(history.hire) + 9 * HOUR
    user_created = np.r_[np.maximum(hire_ts - 7 * DAY, history.created), history.created + HOUR]
    user_ids = history.ids(user_created)
    history.user_created = user_created
    emp_ids = history.ids(hire_ts)
    history.emp_ids = emp_ids
    ws_ids = history.ids(history.ws_created)
    history.ws_ids = ws_ids
    history.user_ids = user_ids
    emails = [f"{kz.latin(history.first[i])}.{kz.latin(history.last[i])}.{i + 1}@{history.domain}" for i in range(U)]
    roles = np.r_[history.emp_role, ["investor"]]
    demo_accounts = history.demo_account_indexes()
    passwords = []
    for i in range(U):
        if history.ordinal == 0 and i in demo_accounts:
            passwords.append(history.password_hashes["demo"])
        else:
            salt = hashlib.sha256(f"{history.options.seed}:{history.ordinal}:{i}".encode()).digest()[:16]
            passwords.append(hash_password(DEMO_PASSWORD, rounds=4, salt_bytes=salt))
    terminated = np.r_[~np.isnat(history.termination), False]
    active = ~terminated
    last_login = np.where(active, midnight(np.full(U, history.end)) + rng.integers(8, 20, U) * HOUR, NAT)
    yield (
        "users",
        {
            "id": user_ids,
            "email": emails,
            "password": passwords,
            "firstName": history.first[:U],
            "lastName": history.last[:U],
            "phone": [
                f"+7 70{int(x):1d} {int(y):03d} {int(z):04d}"
                for x, y, z in zip(
                    rng.integers(0, 8, U), rng.integers(100, 999, U), rng.integers(0, 9999, U), strict=True
                )
            ],
            "role": roles,
            "status": np.where(active, "active", "inactive"),
            "registrationStatus": np.full(U, "completed"),
            "emailVerified": np.full(U, True),
            "isVerified": np.full(U, True),
            "isActive": active,
            "onboardingCompleted": np.full(U, True),
            "lastLoginAt": history.utc(last_login),
            "createdAt": history.utc(user_created),
            "updatedAt": history.utc(
                np.where(terminated, midnight(np.r_[history.termination, [history.end]]) + 18 * HOUR, user_created)
            ),
            "deletedAt": None
            if not terminated.any()
            else history.utc(
                np.where(terminated, midnight(np.r_[history.termination, [history.end]]) + 18 * HOUR, NAT)
            ),
        },
    )
    history.add_audit(
        "CREATE",
        "user",
        user_ids,
        np.zeros(U, np.int64),
        user_created,
        new=concat('{"email": "', pa.array(emails), '", "role": "', pa.array(roles), '"}'),
        organization=False,
    )
    # a few password changes, logged with the (hashed) secret: masking must hide it
    changed = np.flatnonzero(rng.random(U) < 0.1)
    when = user_created[changed] + (rng.integers(30, 300, len(changed)) * 86_400).astype("timedelta64[s]")
    keep = when <= history.end_ts
    history.add_audit(
        "UPDATE",
        "user",
        user_ids[changed][keep],
        changed[keep],
        when[keep],
        old=concat('{"password": "', pa.array([passwords[i] for i in changed[keep]], pa.string()), '"}'),
        new=concat(
            '{"password": "',
            pa.array(
                [
                    hash_password(DEMO_PASSWORD, rounds=4, salt_bytes=bytes(16 - len(str(i))) + str(i).encode())
                    for i in changed[keep]
                ],
                pa.string(),
            ),
            '"}',
        ),
    )

    address = json.dumps(
        {
            "country": "KZ",
            "city": history.city[0],
            "street": kz.STREETS[history.ordinal % len(kz.STREETS)] + f", {10 + history.ordinal}",
            "postalCode": history.city[1],
        },
        ensure_ascii=False,
    )
    settings = {"currency": "KZT", "vatRate": 12, "fiscalYearStart": "01-01", "locale": "ru-KZ"}
    if history.ordinal % 2 == 0:
        settings["timezone"] = TIMEZONE_NAME  # others rely on the documented default
    yield (
        "organizations",
        {
            "id": np.array([org_id]),
            "name": [history.name],
            "bin": [history.bin],
            "type": ["COMPANY"],
            "industry": [history.industry],
            "size": ["medium" if history.size > 1.1 else "small"],
            "description": [f"{history.industry}, {history.city[0]}"],
            "website": [f"https://{history.domain}"],
            "email": [f"info@{history.domain}"],
            "phone": ["+7 727 300 00 00"],
            "address": [address],
            "settings": [json.dumps(settings)],
            "logo": [None],
            "isActive": [True],
            "createdBy": user_ids[:1],
            "createdAt": history.utc(np.array([history.created])),
            "updatedAt": history.utc(np.array([history.created])),
        },
    )
    org = history.org_column
    W = history.ws_count
    yield (
        "workspaces",
        {
            "id": ws_ids,
            "organizationId": org(W),
            "name": ["Головной офис"] + [f"Филиал {c[0]}" for c in history.ws_city[1:]],
            "type": ["main"] + ["branch"] * (W - 1),
            "description": [f"{c[0]}" for c in history.ws_city],
            "settings": [json.dumps({"city": c[0]}, ensure_ascii=False) for c in history.ws_city],
            "isActive": np.full(W, True),
            "isDefault": np.arange(W) == 0,
            "createdBy": np.broadcast_to(user_ids[:1], (W,)),
            "createdAt": history.utc(history.ws_created),
            "updatedAt": history.utc(history.ws_created),
        },
    )
    # memberships: everyone in their workspace; owner and managers in all; the investor read-only in the head office
    member_user, member_ws, member_role = [], [], []
    for u in range(U):
        if u < 5:
            for w in range(W):
                member_user.append(u)
                member_ws.append(w)
                member_role.append("admin" if u == 0 else "manager")
        else:
            member_user.append(u)
            member_ws.append(0 if u == history.investor else int(history.emp_ws[u]))
            member_role.append("member")
    member_user, member_ws = np.array(member_user), np.array(member_ws)
    joined = np.maximum(user_created[member_user], history.ws_created[member_ws])
    permissions = np.where(member_user == history.investor, '{"readOnly": true}', None).astype(object)
    guest_user, guest_ws, guest_role, guest_joined, guest_permissions = [], [], [], [], []
    for guest in history.guests:
        reach = {"head office": [0], "first branch": [min(1, W - 1)], "all": list(range(W))}[guest.workspaces]
        for w in reach:
            guest_user.append(guest.user_id)
            guest_ws.append(w)
            guest_role.append(guest.membership)
            guest_joined.append(max(guest.created, history.ws_created[w]) + 30 * DAY)
            guest_permissions.append('{"readOnly": true}' if guest.membership == "member" else None)
    guest_joined_at = np.array(guest_joined, dtype="datetime64[s]")
    all_joined = np.r_[joined, guest_joined_at]
    yield (
        "workspace_users",
        {
            "id": history.ids(all_joined),
            "workspaceId": ws_ids[np.r_[member_ws, np.array(guest_ws, dtype=np.int64)]],
            "userId": np.r_[user_ids[member_user], np.array(guest_user, dtype=user_ids.dtype)],
            "role": member_role + guest_role,
            "permissions": np.r_[permissions, np.array(guest_permissions, dtype=object)],
            "isActive": np.r_[active[member_user], np.ones(len(guest_user), dtype=bool)],
            "joinedAt": history.utc(all_joined),
            "createdAt": history.utc(all_joined),
            "updatedAt": history.utc(all_joined),
        },
    )

    # departments: the head office's tree, and a sales office per branch under it
    keys = list(catalog.DEPARTMENTS)
    dept_names = [catalog.DEPARTMENTS[k] for k in keys] + [f"Продажи — {c[0]}" for c in history.ws_city[1:]]
    dept_ws = np.r_[np.zeros(len(keys), np.int64), np.arange(1, W)]
    dept_parent = np.r_[-1, np.zeros(len(keys) - 1, np.int64), np.full(W - 1, keys.index("sales"))]
    dept_created = np.full(len(dept_names), history.created + HOUR)
    dept_ids = history.ids(dept_created)
    emp_dept = np.array([keys.index(d) for d in history.emp_dept])
    branch_sales = (history.emp_ws > 0) & (np.array(history.emp_dept) == "sales")
    emp_dept[branch_sales] = len(keys) - 1 + history.emp_ws[branch_sales]
    heads = np.array([0, 1, 3, 4, 2, 2] + [1] * (W - 1))
    yield (
        "departments",
        {
            "id": dept_ids,
            "organizationId": org(len(dept_ids)),
            "workspaceId": ws_ids[dept_ws],
            "parentId": np.where(dept_parent >= 0, dept_ids[np.maximum(dept_parent, 0)], None).astype(object),
            "name": dept_names,
            "code": [f"D{i + 1:02d}" for i in range(len(dept_ids))],
            "headEmployeeId": emp_ids[heads],
            "isActive": np.full(len(dept_ids), True),
            "createdBy": np.broadcast_to(user_ids[:1], (len(dept_ids),)),
            "createdAt": history.utc(dept_created),
            "updatedAt": history.utc(dept_created),
        },
    )
    birth = history.hire - (rng.integers(21, 64, E) * 365.25).astype("timedelta64[D]")
    birth[: E // 15] = np.datetime64("1958-03-14") + rng.integers(0, 3000, E // 15).astype("timedelta64[D]")
    pensioner = (history.hire.astype("datetime64[Y]") - birth.astype("datetime64[Y]")).astype(int) >= np.where(
        history.female[:E], 61, 63
    )
    resident = rng.random(E) >= 0.03
    deduction = rng.random(E) >= 0.1
    infos = []
    for e in range(E):
        born = birth[e].astype(dt.date)
        info: dict[str, Any] = {
            "iin": kz.make_iin(rng, born, bool(history.female[e])),
            "birthDate": born.isoformat(),
            "gender": "F" if history.female[e] else "M",
            "pensioner": bool(pensioner[e]),
        }
        if not resident[e] or e % 3 == 0:
            info["resident"] = bool(resident[e])
        if not deduction[e] or e % 4 == 0:
            info["ipnDeduction"] = bool(deduction[e])
        infos.append(json.dumps(info))
    status = np.where(np.isnat(history.termination), "active", "terminated")
    emp_ws_col = np.where(rng.random(E) < 0.1, None, ws_ids[history.emp_ws]).astype(object)
    emp_ws_col[:5] = ws_ids[0]
    yield (
        "employees",
        {
            "id": emp_ids,
            "userId": user_ids[:E],
            "organizationId": org(E),
            "workspaceId": emp_ws_col,
            "departmentId": dept_ids[emp_dept],
            "employeeCode": [f"E{i + 1:04d}" for i in range(E)],
            "position": history.position,
            "organizationRole": history.emp_role,
            "hireDate": history.hire,
            "salary": to_tenge(history.salary),
            "currency": np.full(E, "KZT"),
            "status": status,
            "personalInfo": infos,
            "documents": [
                json.dumps([{"type": "contract", "number": f"ТД-{i + 1:04d}"}], ensure_ascii=False) for i in range(E)
            ],
            "createdBy": np.broadcast_to(user_ids[:1], (E,)),
            "createdAt": history.utc(hire_ts),
            "updatedAt": history.utc(
                np.where(np.isnat(history.termination), hire_ts, midnight(history.termination) + 18 * HOUR)
            ),
            "deletedAt": None,
        },
    )
    history.add_audit(
        "CREATE",
        "employee",
        emp_ids,
        np.zeros(E, np.int64),
        hire_ts,
        new=concat(
            '{"position": "', pa.array(history.position), '", "salary": ', pa.array(to_tenge(history.salary)), "}"
        ),
    )
    gone = np.flatnonzero(~np.isnat(history.termination))
    history.add_audit(
        "UPDATE",
        "employee",
        emp_ids[gone],
        np.zeros(len(gone), np.int64),
        midnight(history.termination[gone]) + 18 * HOUR,
        old='{"status": "active"}',
        new='{"status": "terminated"}',
    )
