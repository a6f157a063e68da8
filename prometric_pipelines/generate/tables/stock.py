"""Rows of the stock ledger and the inventory it implies."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from prometric_pipelines.generate.arrays import HOUR, Columns, midnight, to_units
from prometric_pipelines.generate.state import OrgState


def tables(history: OrgState) -> Iterator[tuple[str, Columns]]:
    org, ws_ids, wh_ids, prod_ids = history.org_column, history.ws_ids, history.wh_ids, history.prod_ids
    user_ids = history.user_ids
    # the stock ledger and the physical stock it implies
    mv = history.mv
    v = len(mv["when"])
    ref = mv["refId"]
    yield (
        "stock_movements",
        {
            "id": mv["id"],
            "organizationId": org(v),
            "workspaceId": ws_ids[history.wh_ws[mv["wh"]]],
            "warehouseId": wh_ids[mv["wh"]],
            "productId": prod_ids[mv["product"]],
            "type": mv["type"],
            "quantity": to_units(mv["qty"]),
            "referenceType": mv["refType"],
            "referenceId": ref,
            "fromWarehouseId": np.where(mv["from"] >= 0, wh_ids[np.maximum(mv["from"], 0)], None).astype(object),
            "toWarehouseId": np.where(mv["to"] >= 0, wh_ids[np.maximum(mv["to"], 0)], None).astype(object),
            "reason": mv["reason"],
            "createdBy": np.broadcast_to(user_ids[3:4], (v,)),
            "createdAt": history.utc(mv["when"]),
        },
    )
    yield "inventory", inventory_columns(history)


def inventory_columns(history: OrgState) -> Columns:
    """On-hand stock per warehouse and product as the ledger leaves it; batch-tracked goods in two lots."""
    org, ws_ids, wh_ids, prod_ids = history.org_column, history.ws_ids, history.wh_ids, history.prod_ids
    rng = history.rng
    wh, product = np.nonzero(history.touched)
    qty, reserved = history.ledger[wh, product], history.reserved[wh, product]
    free = qty - reserved
    split = history.prod_batch[product] & (free >= 2000)
    older = np.where(split, (free * 3 // 10) // 1000 * 1000, 0)
    # batch-tracked goods: an older batch (sold first) and the newest one holding the rest
    rows_wh = np.r_[wh, wh[split]]
    rows_product = np.r_[product, product[split]]
    rows_qty = np.r_[qty - older, older[split]]
    rows_reserved = np.r_[reserved, np.zeros(split.sum(), np.int64)]
    batch_tracked = history.prod_batch[rows_product]
    newest = np.r_[np.ones(len(wh), bool), np.zeros(split.sum(), bool)]
    end = history.end
    expiry = np.where(
        newest, end + rng.integers(120, 360, len(rows_wh)), end + rng.integers(20, 90, len(rows_wh))
    ).astype("datetime64[D]")
    lot_month = np.where(newest, end - 10, end - 70).astype("datetime64[D]").astype("datetime64[M]")
    batch = np.where(
        batch_tracked,
        np.char.add(np.char.add("LOT-", np.char.replace(lot_month.astype(str), "-", "")), np.where(newest, "-B", "-A")),
        None,
    ).astype(object)
    n = len(rows_wh)
    counted = np.full(n, end - rng.integers(1, 30, n)).astype("datetime64[D]")
    created = history.ws_created[history.wh_ws[rows_wh]] + 2 * HOUR
    return {
        "id": history.ids(created),
        "organizationId": org(n),
        "workspaceId": ws_ids[history.wh_ws[rows_wh]],
        "warehouseId": wh_ids[rows_wh],
        "productId": prod_ids[rows_product],
        "quantity": to_units(rows_qty),
        "reservedQuantity": to_units(rows_reserved),
        "location": [f"{'ABCD'[p % 4]}-{p % 20 + 1:02d}-{p % 7 + 1:02d}" for p in rows_product.tolist()],
        "batchNumber": batch,
        "expiryDate": np.where(batch_tracked, expiry, np.datetime64("NaT")).astype("datetime64[D]"),
        "lastCountDate": counted,
        "createdAt": history.utc(created),
        "updatedAt": history.utc(midnight(counted) + 18 * HOUR),
    }
