"""CRM: deals moving through their stages to won or lost, and the products each deal quotes."""

from __future__ import annotations

import numpy as np

from prometric_pipelines.generate.arrays import NAT, line_amounts
from prometric_pipelines.generate.simulate.products import quantities
from prometric_pipelines.generate.state import OrgState

STAGES = ["NEW", "QUALIFIED", "PROPOSAL", "NEGOTIATION"]


def simulate(history: OrgState) -> None:
    rng = history.rng
    days = np.arange(history.start, history.end + 1)
    lam = 0.07 * history.options.scale.orders_per_day * history.size * np.ones(len(days))
    counts = rng.poisson(lam)
    created = np.sort(history.business_times(np.repeat(days, counts)))
    count = len(created)
    companies = np.flatnonzero(~history.supplier & ~history.individual)
    known = np.maximum(np.searchsorted(history.cust_created[companies], created), 1)
    history.deal_customer = companies[(known * rng.random(count) ** 1.5).astype(np.int64)]
    outcome = rng.choice(["WON", "LOST", "OPEN"], count, p=[0.42, 0.38, 0.20])
    reached = np.where(outcome == "WON", 3, rng.integers(0, 4, count))
    gaps = (rng.exponential(4.5, (count, 5)) + 0.5) * 86_400
    steps = np.cumsum(gaps.astype(np.int64), axis=1).astype("timedelta64[s]")
    times = created[:, None] + steps  # transition k+1 at times[:, k]
    stage_idx = np.zeros(count, dtype=np.int64)
    won_at = np.full(count, NAT)
    lost_at = np.full(count, NAT)
    history.deal_transitions: list[tuple[np.ndarray, str, str, np.ndarray]] = []
    for k in range(1, 4):
        happened = (reached >= k) & (times[:, k - 1] <= history.end_ts)
        stage_idx[happened] = k
        history.deal_transitions.append((np.flatnonzero(happened), STAGES[k - 1], STAGES[k], times[happened, k - 1]))
    final_time = times[np.arange(count), reached]
    closed = (outcome != "OPEN") & (final_time <= history.end_ts)
    won = closed & (outcome == "WON")
    lost = closed & (outcome == "LOST")
    won_at[won] = final_time[won]
    lost_at[lost] = final_time[lost]
    for mask, label in ((won, "WON"), (lost, "LOST")):
        idx = np.flatnonzero(mask)
        history.deal_transitions.append((idx, "", label, final_time[idx]))
    stage = np.array(STAGES)[stage_idx]
    stage[won], stage[lost] = "WON", "LOST"
    history.deal_count, history.deal_created, history.deal_stage, history.deal_reached = count, created, stage, reached
    history.won_at, history.lost_at = won_at, lost_at
    history.deal_assigned = history.assigned_sales[history.deal_customer]
    # products of each deal
    n = 1 + np.minimum(rng.poisson(1.0, count), 3)
    history.dp_deal = np.repeat(np.arange(count), n)
    history.dp_product = rng.choice(history.sellable, size=len(history.dp_deal), p=history.sell_weights)
    history.dp_qty = quantities(history, history.dp_product) * 3
    history.dp_discount = rng.choice([0, 0, 5, 10], len(history.dp_deal))
    history.dp_lines = line_amounts(history.dp_qty, history.price[history.dp_product], history.dp_discount, 12)
    history.deal_value = np.bincount(history.dp_deal, weights=history.dp_lines["total"], minlength=count).astype(
        np.int64
    )
    history.deal_ids = history.ids(created)
