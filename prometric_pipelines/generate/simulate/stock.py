"""Stock: monthly replenishment by purchase orders, counts, transfers and the ledger of movements."""

from __future__ import annotations

import numpy as np

from prometric_pipelines.business_calendar import add_months, month_index
from prometric_pipelines.generate import catalog
from prometric_pipelines.generate.arrays import HOUR, line_amounts, midnight, numbered
from prometric_pipelines.generate.state import OrgState


def simulate(history: OrgState) -> None:
    rng = history.rng
    W, P = history.wh_count, history.prod_count
    # a period per month of the history, the first one from the history's first day
    first, months = history.options.start, month_index(history.options.end) - month_index(history.options.start) + 1
    period_start = np.array([first] + [add_months(first, i) for i in range(1, months)], dtype="datetime64[D]")

    def period_of(local: np.ndarray) -> np.ndarray:
        return np.searchsorted(period_start, np.asarray(local).astype("datetime64[D]"), side="right") - 1

    stocked = history.prod_type != "SERVICE"
    wh_of_ws = np.arange(history.ws_count)  # one warehouse per workspace
    item_wh = wh_of_ws[history.order_ws[history.item_order]]
    live_item = ~history.order_cancelled[history.item_order] & stocked[history.item_product]
    # made-to-order goods are produced into the warehouse right before they leave it
    item_period = period_of(history.order_time[history.item_order])
    completed = history.prod_order_status == "COMPLETED"
    prod_item = history.prod_order_item[completed]
    prod_end = history.prod_order_end[completed]
    bom_product, bom_component, bom_qty = history.bom
    comp_rows = []  # (production index, component, qty)
    for product in np.unique(history.item_product[prod_item]).tolist():
        sel = np.flatnonzero(history.item_product[prod_item] == product)
        parts = np.flatnonzero(bom_product == product)
        for part in parts.tolist():
            comp_rows.append((sel, bom_component[part], bom_qty[part]))
    comp_prod = np.concatenate([r[0] for r in comp_rows]) if comp_rows else np.zeros(0, np.int64)
    comp_product = np.concatenate([np.full(len(r[0]), r[1]) for r in comp_rows]) if comp_rows else np.zeros(0, np.int64)
    comp_qty = (
        np.concatenate([history.item_qty[prod_item[r[0]]] * r[2] // 1000 for r in comp_rows])
        if comp_rows
        else np.zeros(0, np.int64)
    )
    comp_wh = item_wh[prod_item[comp_prod]]
    comp_period = period_of(prod_end[comp_prod])

    demand = np.zeros((len(period_start), W, P), dtype=np.int64)
    bought = live_item & ~history.manufactured[history.item_product]
    np.add.at(demand, (item_period[bought], item_wh[bought], history.item_product[bought]), history.item_qty[bought])
    np.add.at(demand, (comp_period, comp_wh, comp_product), comp_qty)
    onhand = np.zeros((W, P), dtype=np.int64)
    po_rows, transfer_rows, adjust_rows = [], [], []
    for p in range(len(period_start)):
        safety = np.maximum(history.min_stock[None, :] * 3 // 2, demand[p] * 3 // 10)
        need = demand[p] + safety * (demand[p] > 0)
        supply = np.maximum(0, need - onhand)
        supply = -(-supply // 1000) * 1000  # whole units
        supply[:, ~stocked | history.manufactured] = 0
        onhand += supply - demand[p]
        for w, product in zip(*np.nonzero(supply), strict=True):
            po_rows.append((p, w, product, supply[w, product]))
        last_day = (period_start[p + 1] - 1) if p + 1 < len(period_start) else history.end
        # shrinkage and surplus found by counts, before the evening transfers
        for w in range(W):
            candidates = np.flatnonzero(onhand[w] >= 5000)
            for product in rng.choice(candidates, size=min(2, len(candidates)), replace=False).tolist():
                delta = max(1000, onhand[w, product] // 100 // 1000 * 1000) * (1 if rng.random() < 0.3 else -1)
                onhand[w, product] += delta
                adjust_rows.append((last_day, w, product, delta))
        for dest in range(1, W):
            candidates = np.argsort(onhand[0])[-3:]
            for product in candidates.tolist():
                quantity = onhand[0, product] // 5 // 1000 * 1000
                if quantity > 0:
                    onhand[0, product] -= quantity
                    onhand[dest, product] += quantity
                    transfer_rows.append((last_day, 0, dest, product, quantity))
    purchases(history, po_rows, period_start)

    # the ledger
    movements: list[dict[str, np.ndarray]] = []

    def add(kind, wh, product, qty, when, ref_type, ref_ids, frm=None, to=None, reason=None):
        n = len(product)
        movements.append(
            {
                "type": np.full(n, kind),
                "wh": np.asarray(wh, dtype=np.int64),
                "product": np.asarray(product, dtype=np.int64),
                "qty": np.asarray(qty, dtype=np.int64),
                "when": np.asarray(when, dtype="datetime64[s]"),
                "refType": np.full(n, ref_type),
                "refId": ref_ids,
                "from": np.full(n, -1) if frm is None else np.asarray(frm),
                "to": np.full(n, -1) if to is None else np.asarray(to),
                "reason": np.broadcast_to(np.asarray(reason, dtype=object), (n,)),
            }
        )

    po = history.po_items
    add(
        "IN",
        po["wh"],
        po["product"],
        po["qty"],
        history.po_time[po["order"]] + HOUR,
        "order",
        history.po_ids[po["order"]],
    )
    shipped = history.order_happened[history.item_order, 3] & stocked[history.item_product]
    add(
        "OUT",
        item_wh[shipped],
        history.item_product[shipped],
        history.item_qty[shipped],
        history.order_flow[history.item_order[shipped], 3],
        "order",
        history.order_ids[history.item_order[shipped]],
    )
    prod_ids = history.prod_order_ids[completed]
    add("OUT", comp_wh, comp_product, comp_qty, prod_end[comp_prod], "production", prod_ids[comp_prod])
    add(
        "IN",
        item_wh[prod_item],
        history.item_product[prod_item],
        history.item_qty[prod_item],
        prod_end,
        "production",
        prod_ids,
    )
    if adjust_rows:
        day, wh, product, delta = (np.array(c) for c in zip(*adjust_rows, strict=True))
        when = midnight(day.astype("datetime64[D]")) + 17 * HOUR
        reason = np.where(delta < 0, "Инвентаризация: недостача", "Инвентаризация: излишек")
        add(
            "ADJUSTMENT",
            wh,
            product,
            delta,
            when,
            "adjustment",
            np.full(len(day), None, dtype=object),
            reason=reason,
        )
    if transfer_rows:
        day, src, dest, product, qty = (np.array(c) for c in zip(*transfer_rows, strict=True))
        when = midnight(day.astype("datetime64[D]")) + 18 * HOUR
        add("TRANSFER", src, product, qty, when, "transfer", np.full(len(day), None, dtype=object), frm=src, to=dest)
    mv = {k: np.concatenate([m[k] for m in movements]) for k in movements[0]}
    order = np.argsort(mv["when"], kind="stable")
    history.mv = {k: v[order] for k, v in mv.items()}
    history.mv["id"] = history.ids(history.mv["when"])
    # on-hand per (warehouse, product) from the ledger's semantics (stock.md)
    signed = np.where(history.mv["type"] == "OUT", -history.mv["qty"], history.mv["qty"])
    signed = np.where(history.mv["type"] == "TRANSFER", -history.mv["qty"], signed)
    ledger = np.zeros((W, P), dtype=np.int64)
    np.add.at(ledger, (history.mv["wh"], history.mv["product"]), signed)
    transfers = history.mv["type"] == "TRANSFER"
    np.add.at(ledger, (history.mv["to"][transfers], history.mv["product"][transfers]), history.mv["qty"][transfers])
    touched = np.zeros((W, P), bool)
    touched[history.mv["wh"], history.mv["product"]] = True
    touched[history.mv["to"][transfers], history.mv["product"][transfers]] = True
    reserved = np.zeros((W, P), dtype=np.int64)
    open_item = (
        np.isin(history.order_status[history.item_order], ["CONFIRMED", "PROCESSING"]) & stocked[history.item_product]
    )
    open_item &= ~history.manufactured[history.item_product]
    np.add.at(reserved, (item_wh[open_item], history.item_product[open_item]), history.item_qty[open_item])
    assert (ledger >= reserved).all(), "generated stock went below the reserved quantity"
    history.ledger, history.reserved, history.touched = ledger, reserved, touched


def purchases(history: OrgState, po_rows: list[tuple], period_start: np.ndarray) -> None:
    """Purchase orders that deliver each period's replenishment on its first morning."""
    period, wh, product, qty = (
        (np.array(c, dtype=np.int64) for c in zip(*po_rows, strict=True)) if po_rows else [np.zeros(0, np.int64)] * 4
    )
    supplier = history.prod_supplier[product]
    keys = np.stack([period, wh, supplier], axis=1) if len(period) else np.zeros((0, 3), np.int64)
    unique, order_of_line = np.unique(keys, axis=0, return_inverse=True)
    order_of_line = order_of_line.ravel()
    count = len(unique)
    history.po_count = count
    history.po_time = midnight(period_start[unique[:, 0]]) + 5 * HOUR
    history.po_wh, history.po_supplier = unique[:, 1], unique[:, 2]
    history.po_currency = history.cust_currency[history.po_supplier]
    rate = np.array([catalog.FOREIGN_CURRENCIES.get(c, 1.0) for c in history.po_currency])
    unit_price = np.round(history.cost[product] / rate[order_of_line]).astype(np.int64)
    order = np.argsort(order_of_line, kind="stable")
    history.po_items = {
        "order": order_of_line[order],
        "wh": wh[order],
        "product": product[order],
        "qty": qty[order],
        "price": unit_price[order],
    }
    history.po_lines = line_amounts(
        history.po_items["qty"], history.po_items["price"], np.zeros(len(order), np.int64), 12
    )
    history.po_totals = {
        k: np.bincount(history.po_items["order"], weights=v, minlength=count).astype(np.int64)
        for k, v in history.po_lines.items()
    }
    history.po_ids = history.ids(history.po_time)
    history.po_item_ids = history.ids(history.po_time[history.po_items["order"]])
    history.po_number = numbered("PO", history.po_time)
    history.po_user = np.full(count, 3)  # the warehouse head orders replenishment
