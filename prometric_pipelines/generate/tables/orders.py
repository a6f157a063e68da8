"""Rows of sales and purchase orders, their lines, production orders and work orders."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from prometric_pipelines.db.ids import to_ms, uuid7
from prometric_pipelines.generate.arrays import DAY, HOUR, NAT, Columns, concat, to_tenge, to_units
from prometric_pipelines.generate.simulate.sales import ORDER_FLOW
from prometric_pipelines.generate.state import OrgState


def tables(history: OrgState) -> Iterator[tuple[str, Columns]]:
    org, ws_ids, user_ids, cust_ids = history.org_column, history.ws_ids, history.user_ids, history.cust_ids
    prod_ids, rng, n = history.prod_ids, history.rng, history.order_count
    flow, happened = history.order_flow, history.order_happened
    last_event = np.where(happened, flow, NAT).max(axis=1, initial=None) if n else np.zeros(0, "datetime64[s]")
    updated = np.where(history.order_cancelled, history.order_cancel_at, last_event)
    delivered = happened[:, 4]
    yield (
        "orders",
        order_columns(
            history,
            ids=history.order_ids,
            org=org(n),
            ws=ws_ids[history.order_ws],
            number=history.order_number,
            kind="SALES",
            customer=cust_ids[history.order_customer],
            deal=np.where(history.order_deal >= 0, history.deal_ids[np.maximum(history.order_deal, 0)], None).astype(
                object
            ),
            status=history.order_status,
            time=history.order_time,
            expected=(history.order_time + 3 * DAY).astype("datetime64[D]"),
            actual=np.where(delivered, flow[:, 4], NAT).astype("datetime64[D]"),
            totals=history.order_totals,
            currency=np.full(n, "KZT"),
            payment_status=history.order_payment_status,
            method=history.order_payment_method,
            user=user_ids[history.order_assigned],
            updated=updated,
        ),
    )
    po = history.po_count
    po_status_flow = np.full(po, "DELIVERED")
    yield (
        "orders",
        order_columns(
            history,
            ids=history.po_ids,
            org=org(po),
            ws=ws_ids[history.wh_ws[history.po_wh]],
            number=history.po_number,
            kind="PURCHASE",
            customer=cust_ids[history.po_supplier],
            deal=None,
            status=po_status_flow,
            time=history.po_time,
            expected=history.po_time.astype("datetime64[D]"),
            actual=history.po_time.astype("datetime64[D]"),
            totals=history.po_totals,
            currency=history.po_currency,
            payment_status=history.po_payment_status,
            method=np.where(history.pinv["paid_mask"], "transfer", None).astype(object),
            user=user_ids[history.po_user],
            updated=history.po_time + HOUR,
        ),
    )
    oi = history.item_order
    yield (
        "order_items",
        {
            "id": history.item_ids,
            "orderId": history.order_ids[oi],
            "productId": prod_ids[history.item_product],
            "quantity": to_units(history.item_qty),
            "unitPrice": to_tenge(history.item_price),
            "discount": history.item_discount.astype(float),
            "tax": np.full(len(oi), 12.0),
            "totalPrice": to_tenge(history.item_lines["total"]),
            "createdAt": history.utc(history.order_time[oi]),
            "updatedAt": history.utc(history.order_time[oi]),
        },
    )
    pi = history.po_items
    yield (
        "order_items",
        {
            "id": history.po_item_ids,
            "orderId": history.po_ids[pi["order"]],
            "productId": prod_ids[pi["product"]],
            "quantity": to_units(pi["qty"]),
            "unitPrice": to_tenge(pi["price"]),
            "discount": np.zeros(len(pi["order"])),
            "tax": np.full(len(pi["order"]), 12.0),
            "totalPrice": to_tenge(history.po_lines["total"]),
            "createdAt": history.utc(history.po_time[pi["order"]]),
            "updatedAt": history.utc(history.po_time[pi["order"]]),
        },
    )
    # audit: creation and every status change of an order
    _audit_creation(
        history,
        (history.order_ids, history.order_assigned, history.order_time),
        history.order_number,
        '"status": "PENDING"',
        history.order_totals,
    )
    for k in range(1, 5):
        idx = np.flatnonzero(happened[:, k])
        history.add_audit(
            "UPDATE",
            "order",
            history.order_ids[idx],
            history.order_assigned[idx],
            flow[idx, k],
            old=f'{{"status": "{ORDER_FLOW[k - 1]}"}}',
            new=f'{{"status": "{ORDER_FLOW[k]}"}}',
        )
    idx = np.flatnonzero(history.order_cancelled)
    history.add_audit(
        "UPDATE",
        "order",
        history.order_ids[idx],
        history.order_assigned[idx],
        history.order_cancel_at[idx],
        old=concat('{"status": "', pa.array(np.array(ORDER_FLOW)[happened[idx].sum(axis=1) - 1]), '"}'),
        new='{"status": "CANCELLED"}',
    )
    _audit_creation(
        history,
        (history.po_ids, history.po_user, history.po_time),
        history.po_number,
        '"type": "PURCHASE"',
        history.po_totals,
    )
    history.add_audit(
        "UPDATE",
        "order",
        history.po_ids,
        history.po_user,
        history.po_time + HOUR,
        old='{"status": "PENDING"}',
        new='{"status": "DELIVERED"}',
    )

    # production orders and their operations
    item = history.prod_order_item
    m = len(item)
    order_of = history.item_order[item]
    status = history.prod_order_status
    started = status != "PLANNED"
    yield (
        "production_orders",
        {
            "id": history.prod_order_ids,
            "organizationId": org(m),
            "workspaceId": ws_ids[history.order_ws[order_of]],
            "orderNumber": history.prod_order_number,
            "orderId": history.order_ids[order_of],
            "productId": prod_ids[history.item_product[item]],
            "quantity": to_units(history.item_qty[item]),
            "completedQuantity": to_units(np.where(status == "COMPLETED", history.item_qty[item], 0)),
            "status": status,
            "priority": history.pick(["NORMAL", "NORMAL", "HIGH", "LOW", "URGENT"], m),
            "plannedStartDate": history.utc(history.prod_order_start),
            "plannedEndDate": history.utc(history.prod_order_end),
            "actualStartDate": history.utc(np.where(started & (status != "CANCELLED"), history.prod_order_start, NAT)),
            "actualEndDate": history.utc(np.where(status == "COMPLETED", history.prod_order_end, NAT)),
            "assignedTo": np.broadcast_to(user_ids[4:5], (m,)),
            "createdBy": user_ids[history.order_assigned[order_of]],
            "createdAt": history.utc(history.order_flow[order_of, 1]),
            "updatedAt": history.utc(
                np.where(status == "COMPLETED", history.prod_order_end, history.order_flow[order_of, 1])
            ),
        },
    )
    history.add_audit(
        "CREATE",
        "production_order",
        history.prod_order_ids,
        np.full(m, 4),
        history.order_flow[order_of, 1],
        new=concat('{"orderNumber": "', pa.array(history.prod_order_number), '", "status": "PLANNED"}'),
    )
    done = np.flatnonzero(status == "COMPLETED")
    history.add_audit(
        "UPDATE",
        "production_order",
        history.prod_order_ids[done],
        np.full(len(done), 4),
        history.prod_order_end[done],
        old='{"status": "IN_PROGRESS"}',
        new='{"status": "COMPLETED"}',
    )
    operations = ["Подготовка материалов", "Сборка", "Контроль качества"]
    wo_prod = np.repeat(np.arange(m), 3)
    step = np.tile(np.arange(3), m)
    span = (history.prod_order_end - history.prod_order_start)[wo_prod] // 3
    wo_start = history.prod_order_start[wo_prod] + span * step
    wo_end = wo_start + span
    wo_status = np.where(
        status[wo_prod] == "CANCELLED",
        "CANCELLED",
        np.where(wo_end <= history.end_ts, "COMPLETED", np.where(wo_start <= history.end_ts, "IN_PROGRESS", "PENDING")),
    )
    work_centers = uuid7(rng, to_ms(history.utc(np.full(3, history.created))))
    yield (
        "work_orders",
        {
            "id": history.ids(history.order_flow[order_of[wo_prod], 1]),
            "productionOrderId": history.prod_order_ids[wo_prod],
            "workOrderNumber": [f"WO-{history.org_id[-8:]}-{i + 1:07d}" for i in range(len(wo_prod))],
            "operation": np.array(operations)[step],
            "workCenterId": work_centers[step],
            "quantity": to_units(history.item_qty[item][wo_prod]),
            "completedQuantity": to_units(np.where(wo_status == "COMPLETED", history.item_qty[item][wo_prod], 0)),
            "status": wo_status,
            "assignedTo": user_ids[rng.integers(5, history.emp_count, len(wo_prod))],
            "startTime": history.utc(np.where(wo_status != "PENDING", wo_start, NAT)),
            "endTime": history.utc(np.where(wo_status == "COMPLETED", wo_end, NAT)),
            "duration": (span / np.timedelta64(60, "s")).astype(np.int64),
            "createdAt": history.utc(history.order_flow[order_of[wo_prod], 1]),
            "updatedAt": history.utc(history.order_flow[order_of[wo_prod], 1]),
        },
    )


def order_columns(
    history: OrgState,
    *,
    ids: np.ndarray,
    org: np.ndarray,
    ws: np.ndarray,
    number: np.ndarray,
    kind: str,
    customer: np.ndarray,
    deal: np.ndarray | None,
    status: np.ndarray,
    time: np.ndarray,
    expected: np.ndarray,
    actual: np.ndarray,
    totals: dict[str, np.ndarray],
    currency: np.ndarray,
    payment_status: np.ndarray,
    method: np.ndarray,
    user: np.ndarray,
    updated: np.ndarray,
) -> Columns:
    """The columns of sales and purchase orders alike (`orders` holds both, by `type`)."""
    n = len(ids)
    return {
        "id": ids,
        "organizationId": org,
        "workspaceId": ws,
        "orderNumber": number,
        "type": np.full(n, kind),
        "customerId": customer,
        "dealId": deal,
        "status": status,
        "orderDate": history.utc(time),
        "expectedDeliveryDate": expected,
        "actualDeliveryDate": actual,
        "subtotal": to_tenge(totals["gross"]),
        "taxAmount": to_tenge(totals["tax"]),
        "discountAmount": to_tenge(totals["discount"]),
        "shippingAmount": np.zeros(n),
        "totalAmount": to_tenge(totals["total"]),
        "currency": currency,
        "paymentStatus": payment_status,
        "paymentMethod": method,
        "assignedTo": user,
        "createdBy": user,
        "createdAt": history.utc(time),
        "updatedAt": history.utc(updated),
    }


def _audit_creation(
    history: OrgState,
    created: tuple[np.ndarray, np.ndarray, np.ndarray],
    numbers: np.ndarray,
    fields: str,
    totals: dict[str, np.ndarray],
) -> None:
    """Audit rows of new orders: (ids, user indexes, local times), their numbers, one constant field, totals."""
    ids, users, times = created
    total = pa.array(to_tenge(totals["total"]))
    history.add_audit(
        "CREATE",
        "order",
        ids,
        users,
        times,
        new=concat('{"orderNumber": "', pa.array(numbers), f'", {fields}, "totalAmount": ', total, "}"),
    )
