"""Customers and suppliers: when each became known, payment terms, currency, assigned salesperson."""

from __future__ import annotations

import numpy as np

from prometric_pipelines.generate import catalog
from prometric_pipelines.generate.state import OrgState


def simulate(history: OrgState) -> None:
    rng = history.rng
    count = max(30, round(history.options.scale.customers * history.size * (1 + history.options.days / 730)))
    span_days = (history.end - history.start).astype(int)
    early = rng.random(count) < 0.45
    created_days = np.where(
        early,
        history.start - rng.integers(1, 400, count).astype("timedelta64[D]"),
        history.start + np.sort(rng.power(1.3, count) * span_days).astype("timedelta64[D]"),
    )
    order = np.argsort(created_days, kind="stable")
    created = history.business_times(created_days[order])
    history.cust_created = created
    history.cust_count = count
    history.supplier = np.zeros(count, bool)
    history.supplier[:: max(2, count // 12)] = True  # ~12 suppliers, the earliest known to us
    history.individual = (~history.supplier) & (rng.random(count) < 0.3)
    history.cust_ws = np.where(rng.random(count) < 0.7, 0, rng.integers(0, history.ws_count, count))
    history.cust_ws[history.supplier] = 0
    history.terms = np.where(history.individual, 3, rng.choice([10, 15, 30, 30, 45], count))
    currencies = list(catalog.FOREIGN_CURRENCIES)
    foreign = history.supplier & (rng.random(count) < 0.15)
    history.cust_currency = np.where(foreign, np.array(currencies)[rng.integers(0, len(currencies), count)], "KZT")
    history.assigned_sales = rng.choice(history.sales_staff if len(history.sales_staff) else history.managers, count)
