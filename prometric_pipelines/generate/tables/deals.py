"""Rows of the CRM: deals, their products and activities."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from prometric_pipelines.generate import catalog
from prometric_pipelines.generate.arrays import DAY, NAT, Columns, concat, to_tenge, to_units
from prometric_pipelines.generate.simulate.deals import STAGES
from prometric_pipelines.generate.state import OrgState

STAGE_PROBABILITY = {"NEW": 10, "QUALIFIED": 25, "PROPOSAL": 50, "NEGOTIATION": 75, "WON": 100, "LOST": 0}


def tables(history: OrgState) -> Iterator[tuple[str, Columns]]:
    rng, org, ws_ids, user_ids = history.rng, history.org_column, history.ws_ids, history.user_ids
    cust_ids, names, prod_ids = history.cust_ids, history.cust_names, history.prod_ids
    # deals
    D = history.deal_count
    deal_cust = history.deal_customer
    probability = np.array([STAGE_PROBABILITY[s] for s in history.deal_stage])
    close_at = np.where(np.isnat(history.won_at), history.lost_at, history.won_at)
    yield (
        "deals",
        {
            "id": history.deal_ids,
            "organizationId": org(D),
            "workspaceId": ws_ids[history.cust_ws[deal_cust]],
            "customerId": cust_ids[deal_cust],
            "title": [f"Сделка: {names[c]}" for c in deal_cust],
            "value": to_tenge(history.deal_value),
            "currency": np.full(D, "KZT"),
            "stage": history.deal_stage,
            "probability": probability,
            "expectedCloseDate": (history.deal_created + 30 * DAY).astype("datetime64[D]"),
            "actualCloseDate": close_at.astype("datetime64[D]"),
            "wonAt": history.utc(history.won_at),
            "lostAt": history.utc(history.lost_at),
            "lostReason": np.where(np.isnat(history.lost_at), None, history.pick(catalog.LOST_REASONS, D)).astype(
                object
            ),
            "source": history.pick(catalog.DEAL_SOURCES, D),
            **history.owned_columns(user_ids[history.deal_assigned], history.deal_created, close_at),
        },
    )
    history.add_audit(
        "CREATE",
        "deal",
        history.deal_ids,
        history.deal_assigned,
        history.deal_created,
        new=concat('{"stage": "NEW", "value": ', pa.array(to_tenge(history.deal_value)), "}"),
    )
    act_deal, act_type, act_time = [], [], []
    for idx, old, new, when in history.deal_transitions:
        before = (
            f'{{"stage": "{old}"}}'
            if old
            else concat('{"stage": "', pa.array(np.array(STAGES)[history.deal_reached[idx]]), '"}')
        )
        history.add_audit(
            "UPDATE",
            "deal",
            history.deal_ids[idx],
            history.deal_assigned[idx],
            when,
            old=before,
            new=f'{{"stage": "{new}"}}',
        )
        act_deal.append(idx)
        act_type.append(
            np.full(len(idx), {"QUALIFIED": "call", "PROPOSAL": "email", "NEGOTIATION": "meeting"}.get(new, "note"))
        )
        act_time.append(when)
    extra = rng.integers(0, D, D // 2) if D else np.zeros(0, np.int64)
    extra_time = history.deal_created[extra] + (rng.uniform(0.1, 10, len(extra)) * 86_400).astype("timedelta64[s]")
    act_deal.append(extra)
    act_type.append(history.pick(["call", "email"], len(extra)))
    act_time.append(extra_time)
    a_deal, a_type, a_time = np.concatenate(act_deal), np.concatenate(act_type), np.concatenate(act_time)
    done = a_time <= history.end_ts
    a_created = np.minimum(a_time, history.end_ts)
    yield (
        "deal_products",
        {
            "id": history.ids(history.deal_created[history.dp_deal]),
            "dealId": history.deal_ids[history.dp_deal],
            "productId": prod_ids[history.dp_product],
            "quantity": to_units(history.dp_qty),
            "unitPrice": to_tenge(history.price[history.dp_product]),
            "discount": history.dp_discount.astype(float),
            "tax": np.full(len(history.dp_deal), 12.0),
            "totalPrice": to_tenge(history.dp_lines["total"]),
            "createdAt": history.utc(history.deal_created[history.dp_deal]),
            "updatedAt": history.utc(history.deal_created[history.dp_deal]),
        },
    )
    yield (
        "deal_activities",
        {
            "id": history.ids(a_created),
            "dealId": history.deal_ids[a_deal],
            "type": a_type,
            "subject": np.char.add("Клиент: ", np.array([names[c] for c in deal_cust[a_deal]], dtype=str))
            if len(a_deal)
            else [],
            "outcome": np.where(done, "completed", None).astype(object),
            "scheduledAt": history.utc(a_time),
            "completedAt": history.utc(np.where(done, a_time, NAT)),
            "duration": np.where(a_type == "meeting", 60, 15),
            "assignedTo": user_ids[history.deal_assigned[a_deal]],
            "createdBy": user_ids[history.deal_assigned[a_deal]],
            "createdAt": history.utc(a_created),
            "updatedAt": history.utc(a_created),
        },
    )
