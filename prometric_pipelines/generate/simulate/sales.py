"""Sales: orders per day (growth, season, weekday, holidays), their lines, status flow and production."""

from __future__ import annotations

import numpy as np

from prometric_pipelines import kz_calendar
from prometric_pipelines.generate.arrays import HOUR, line_amounts, midnight, numbered
from prometric_pipelines.generate.simulate.products import quantities
from prometric_pipelines.generate.state import Anomaly, OrgState

SEASON = np.array([0.78, 0.82, 1.08, 1.02, 1.0, 0.97, 0.93, 1.0, 1.1, 1.05, 1.08, 1.3])  # Jan..Dec
WEEKDAY = np.array([1.0, 1.05, 1.05, 1.1, 1.15, 0.7, 0.4])  # Mon..Sun
ORDER_FLOW = ["PENDING", "CONFIRMED", "PROCESSING", "SHIPPED", "DELIVERED"]


def simulate(history: OrgState) -> None:
    rng, opts = history.rng, history.options
    days = np.arange(history.start, history.end + 1)
    years = (days - history.start).astype(np.int64) / 365.25
    growth = (1 + rng.uniform(0.08, 0.35)) ** years
    month = days.astype("datetime64[M]").astype(np.int64) % 12
    weekday = (days.astype(np.int64) + 3) % 7
    holiday = ~kz_calendar.working_day_mask(days) & (weekday < 5)
    lam = (
        opts.scale.orders_per_day
        * history.size
        * growth
        * SEASON[month]
        * WEEKDAY[weekday]
        * np.where(holiday, 0.4, 1.0)
    )
    counts = rng.poisson(lam)
    if opts.inject_anomalies and history.ordinal == 0:
        spike = max(0, len(days) - 20)
        counts[spike] = counts[spike] * 8 + 40
        history.anomalies.append(
            Anomaly(
                "revenue_spike",
                f"{history.name}: {counts[spike]} sales orders on {days[spike]} (about 8× a normal day)",
            )
        )
    times = history.business_times(np.repeat(days, counts), night_share=0.08)
    regular = len(times)
    buyers = np.flatnonzero(~history.supplier)
    known = np.maximum(np.searchsorted(history.cust_created[buyers], times), 1)
    customer = buyers[(known * rng.random(regular) ** 1.7).astype(np.int64)]
    deal = np.full(regular, -1)
    # won deals become orders two hours later, with the deal's products
    won = np.flatnonzero(~np.isnat(history.won_at))
    times = np.r_[times, history.won_at[won] + 2 * HOUR]
    customer = np.r_[customer, history.deal_customer[won]]
    deal = np.r_[deal, won]
    keep = times <= history.end_ts
    times, customer, deal = times[keep], customer[keep], deal[keep]
    order = np.argsort(times, kind="stable")
    times, customer, deal = times[order], customer[order], deal[order]
    count = len(times)

    # items
    n_items = np.where(deal >= 0, 0, 1 + np.minimum(rng.poisson(1.6, count), 7))
    item_order = np.repeat(np.arange(count), n_items)
    item_product = rng.choice(history.sellable, size=len(item_order), p=history.sell_weights)
    item_qty = quantities(history, item_product)
    item_discount = rng.choice([0, 0, 0, 0, 0, 0, 0, 5, 5, 10], len(item_order))
    deal_orders = np.flatnonzero(deal >= 0)
    if len(deal_orders):
        lines = np.flatnonzero(np.isin(history.dp_deal, deal[deal_orders]))
        order_of_deal = np.full(history.deal_count, -1)
        order_of_deal[deal[deal_orders]] = deal_orders
        item_order = np.r_[item_order, order_of_deal[history.dp_deal[lines]]]
        item_product = np.r_[item_product, history.dp_product[lines]]
        item_qty = np.r_[item_qty, history.dp_qty[lines]]
        item_discount = np.r_[item_discount, history.dp_discount[lines]]
        by_order = np.argsort(item_order, kind="stable")
        item_order, item_product, item_qty, item_discount = (
            item_order[by_order],
            item_product[by_order],
            item_qty[by_order],
            item_discount[by_order],
        )
    item_price = history.price[item_product]
    lines = line_amounts(item_qty, item_price, item_discount, 12)

    # status flow: each transition's time, then the status as of the end of the history
    t = np.empty((count, 5), dtype="datetime64[s]")
    t[:, 0] = times
    t[:, 1] = times + (rng.uniform(0.3, 6, count) * 3600).astype("timedelta64[s]")
    t[:, 2] = t[:, 1] + (rng.uniform(0.5, 8, count) * 3600).astype("timedelta64[s]")
    t[:, 3] = t[:, 2] + (rng.uniform(4, 40, count) * 3600).astype("timedelta64[s]")
    # production of made-to-order goods starts on confirmation; shipping waits for it
    made = history.manufactured[item_product]
    made_order = item_order[made]
    prod_start = t[made_order, 1] + HOUR
    prod_end = prod_start + (rng.uniform(4, 30, len(made_order)) * 3600).astype("timedelta64[s]")
    # the shop floor finishes in the daytime, after the morning deliveries of materials
    prod_end = np.maximum(prod_end, midnight(prod_end.astype("datetime64[D]")) + 8 * HOUR)
    latest = np.full(count, np.datetime64(0, "s"))
    np.maximum.at(latest.view(np.int64), made_order, (prod_end + HOUR).view(np.int64))
    t[:, 3] = np.maximum(t[:, 3], latest)
    # goods leave the warehouse in working hours (and after the morning deliveries)
    shipped_day = midnight(t[:, 3].astype("datetime64[D]"))
    t[:, 3] = np.maximum(t[:, 3], shipped_day + 9 * HOUR)
    t[:, 4] = t[:, 3] + (rng.uniform(6, 72, count) * 3600).astype("timedelta64[s]")
    cancel_at = times + (rng.uniform(0.5, 30, count) * 3600).astype("timedelta64[s]")
    cancelled_flow = (rng.random(count) < 0.045) & (cancel_at < t[:, 3])
    reached = (t <= history.end_ts).sum(axis=1) - 1
    cancelled = cancelled_flow & (cancel_at <= history.end_ts)
    # transitions that happened before a cancellation only
    happened = t <= history.end_ts
    happened[cancelled_flow] &= t[cancelled_flow] < cancel_at[cancelled_flow, None]
    reached = happened.sum(axis=1) - 1
    status = np.array(ORDER_FLOW)[reached]
    status[cancelled] = "CANCELLED"
    history.order_count, history.order_time, history.order_customer, history.order_deal = count, times, customer, deal
    history.order_flow, history.order_happened, history.order_status = t, happened, status
    history.order_cancel_at, history.order_cancelled = cancel_at, cancelled
    history.order_ws = history.cust_ws[customer]
    history.order_ids = history.ids(times)
    history.order_number = numbered("SO", times)
    history.item_order, history.item_product, history.item_qty = item_order, item_product, item_qty
    history.item_price, history.item_discount, history.item_lines = item_price, item_discount, lines
    history.item_ids = history.ids(times[item_order])
    history.order_totals = {
        k: np.bincount(item_order, weights=v, minlength=count).astype(np.int64) for k, v in lines.items()
    }
    history.order_assigned = history.assigned_sales[customer]

    # production orders: one per made-to-order line of a confirmed order
    confirmed = happened[made_order, 1]
    made_items = np.flatnonzero(made)[confirmed]
    made_order, prod_start, prod_end = made_order[confirmed], prod_start[confirmed], prod_end[confirmed]
    cancelled_first = history.order_cancelled[made_order] & (cancel_at[made_order] < prod_end)
    prod_status = np.where(
        prod_end <= history.end_ts, "COMPLETED", np.where(prod_start <= history.end_ts, "IN_PROGRESS", "PLANNED")
    )
    prod_status[cancelled_first] = "CANCELLED"
    history.prod_order_item = made_items
    history.prod_order_status = prod_status
    history.prod_order_start, history.prod_order_end = prod_start, prod_end
    history.prod_order_ids = history.ids(t[made_order, 1])
    history.prod_order_number = numbered("PRD", t[made_order, 1])
