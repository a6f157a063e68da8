"""Rows of customers and their contacts."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from prometric_pipelines.generate import kz
from prometric_pipelines.generate.arrays import NAT, Columns, concat, to_tenge
from prometric_pipelines.generate.copy import pg_array
from prometric_pipelines.generate.state import OrgState


def tables(history: OrgState) -> Iterator[tuple[str, Columns]]:
    rng, org, ws_ids, user_ids = history.rng, history.org_column, history.ws_ids, history.user_ids
    # customers and their contacts
    C = history.cust_count
    cust_ids = history.ids(history.cust_created)
    history.cust_ids = cust_ids
    firsts, lasts, female = kz.person_names(rng, C * 3)
    names, bins, contact_arrays = [], [], []
    history.cust_names = names  # the deals' titles name their customers
    cc_customer, cc_first, cc_last, cc_position, cc_primary = [], [], [], [], []
    for c in range(C):
        if history.individual[c]:
            names.append(f"{lasts[c]} {firsts[c]}")
            born = dt.date(1970, 1, 1) + dt.timedelta(days=int(rng.integers(0, 12000)))
            bins.append(kz.make_iin(rng, born, bool(female[c])) if rng.random() < 0.6 else None)
            contact_arrays.append(None)
            continue
        word = kz.COMPANY_WORDS[int(rng.integers(len(kz.COMPANY_WORDS)))]
        suffix = kz.COMPANY_SUFFIXES[int(rng.integers(len(kz.COMPANY_SUFFIXES)))]
        kind = "ИП" if rng.random() < 0.2 else "ТОО"
        names.append(f"{kind} «{word} {suffix}{'' if c % 7 else ' ' + str(c)}»")
        registered = dt.date(2005, 1, 1) + dt.timedelta(days=int(rng.integers(0, 6500)))
        bins.append(kz.make_bin(rng, registered))
        contacts = []
        for k in range(1 + int(rng.integers(0, 3))):
            j = C + c * 2 + k if k < 2 else c
            cc_customer.append(c)
            cc_first.append(firsts[j])
            cc_last.append(lasts[j])
            cc_position.append(["Директор", "Менеджер по закупкам", "Бухгалтер"][k])
            cc_primary.append(k == 0)
            contacts.append(
                json.dumps({"name": f"{firsts[j]} {lasts[j]}", "position": cc_position[-1]}, ensure_ascii=False)
            )
        contact_arrays.append(contacts)
    city = [history.ws_city[w][0] for w in history.cust_ws]
    cust_address = [json.dumps({"country": "KZ", "city": c}, ensure_ascii=False) for c in city]
    sales_total = np.bincount(
        history.order_customer, weights=history.order_totals["total"] * ~history.order_cancelled, minlength=C
    )
    live_inv = history.inv["status"] != "CANCELLED"
    balance = np.bincount(
        history.inv["customer"][live_inv], weights=(history.inv["total"] - history.inv["paid"])[live_inv], minlength=C
    )
    last_order = np.full(C, NAT)
    np.maximum.at(last_order.view(np.int64), history.order_customer, history.order_time.view(np.int64))
    last_order[last_order.view(np.int64) == np.iinfo(np.int64).min] = NAT
    vip = np.percentile(sales_total, 95)  # the top 5% of buyers by revenue
    tags = [
        ["supplier"] if s else (["vip"] if t > vip else ["b2c"] if i else [])
        for s, t, i in zip(history.supplier, sales_total, history.individual, strict=True)
    ]
    yield (
        "customers",
        {
            "id": cust_ids,
            "organizationId": org(C),
            "workspaceId": ws_ids[history.cust_ws],
            "name": names,
            "type": np.where(history.individual, "INDIVIDUAL", "COMPANY"),
            "bin": bins,
            "email": [
                f"client{c + 1}@{kz.latin(n.split('«')[-1].rstrip('»').split()[0]) if '«' in n else 'mail'}.kz"
                for c, n in enumerate(names)
            ],
            "phone": [f"+7 70{c % 8} {100 + c % 900:03d} {c % 10000:04d}" for c in range(C)],
            "industry": np.where(
                history.supplier, "supplier", np.where(history.individual, None, history.industry)
            ).astype(object),
            "size": np.where(history.individual, None, history.pick(["small", "medium", "large"], C)).astype(object),
            "rating": rng.integers(0, 6, C),
            "status": np.where(rng.random(C) < 0.02, "inactive", "active"),
            "tags": pg_array(tags),
            "address": cust_address,
            "billingAddress": cust_address,
            "shippingAddress": cust_address,
            "contacts": pg_array(contact_arrays),
            "creditLimit": np.where(history.individual, np.nan, rng.integers(10, 500, C) * 100_000.0),
            "balance": to_tenge(np.round(balance).astype(np.int64)),
            "totalPurchases": to_tenge(np.round(sales_total).astype(np.int64)),
            "lastContactDate": history.utc(last_order),
            **history.owned_columns(user_ids[history.assigned_sales], history.cust_created, last_order),
        },
    )
    history.add_audit(
        "CREATE",
        "customer",
        cust_ids,
        history.assigned_sales,
        history.cust_created,
        new=concat('{"name": ', pa.array([json.dumps(n, ensure_ascii=False) for n in names]), "}"),
    )
    cc_customer = np.array(cc_customer, dtype=np.int64)
    yield (
        "customer_contacts",
        {
            "id": history.ids(history.cust_created[cc_customer]),
            "customerId": cust_ids[cc_customer],
            "firstName": cc_first,
            "lastName": cc_last,
            "position": cc_position,
            "email": [f"{kz.latin(f)}.{kz.latin(la)}@mail.kz" for f, la in zip(cc_first, cc_last, strict=True)],
            "phone": [f"+7 701 {i % 1000:03d} {i % 10000:04d}" for i in range(len(cc_customer))],
            "mobile": [f"+7 777 {i % 1000:03d} {(i * 7) % 10000:04d}" for i in range(len(cc_customer))],
            "isPrimary": cc_primary,
            "createdAt": history.utc(history.cust_created[cc_customer]),
            "updatedAt": history.utc(history.cust_created[cc_customer]),
        },
    )
