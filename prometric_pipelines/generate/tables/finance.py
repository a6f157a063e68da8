"""Rows of invoices, their lines, payments and expenses."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from prometric_pipelines.generate.arrays import DAY, HOUR, NAT, Columns, concat, midnight, numbered, to_tenge, to_units
from prometric_pipelines.generate.state import OrgState


def tables(history: OrgState) -> Iterator[tuple[str, Columns]]:
    rng, org, ws_ids, user_ids = history.rng, history.org_column, history.ws_ids, history.user_ids
    cust_ids, prod_ids, pi = history.cust_ids, history.prod_ids, history.po_items
    # invoices: sales invoices of confirmed orders, purchase invoices of deliveries
    inv = history.inv
    k = len(inv["order"])
    inv_ids = history.ids(inv["issue_ts"])
    history.inv_ids = inv_ids
    inv_numbers = numbered("INV", inv["issue_ts"])
    pk = history.po_count
    pinv_time = history.po_time + 2 * HOUR
    pinv_ids = history.ids(pinv_time)
    yield (
        "invoices",
        {
            "id": inv_ids,
            "organizationId": org(k),
            "workspaceId": ws_ids[history.order_ws[inv["order"]]],
            "invoiceNumber": inv_numbers,
            "type": inv["type"],
            "customerId": cust_ids[inv["customer"]],
            "orderId": history.order_ids[inv["order"]],
            "dealId": np.where(
                history.order_deal[inv["order"]] >= 0,
                history.deal_ids[np.maximum(history.order_deal[inv["order"]], 0)],
                None,
            ).astype(object),
            "status": inv["status"],
            "issueDate": inv["issue"],
            "dueDate": inv["due"],
            "subtotal": to_tenge(inv["subtotal"]),
            "taxAmount": to_tenge(inv["tax"]),
            "discountAmount": to_tenge(inv["discount"]),
            "totalAmount": to_tenge(inv["total"]),
            "paidAmount": to_tenge(inv["paid"]),
            "currency": inv["currency"],
            "createdBy": user_ids[inv["user"]],
            "createdAt": history.utc(inv["issue_ts"]),
            "updatedAt": history.utc(inv["updated"]),
        },
    )
    yield (
        "invoices",
        {
            "id": pinv_ids,
            "organizationId": org(pk),
            "workspaceId": ws_ids[history.wh_ws[history.po_wh]],
            "invoiceNumber": numbered("PINV", pinv_time),
            "type": np.full(pk, "PURCHASE"),
            "customerId": cust_ids[history.po_supplier],
            "orderId": history.po_ids,
            "status": history.pinv["status"],
            "issueDate": history.pinv["issue"],
            "dueDate": history.pinv["due"],
            "subtotal": to_tenge(history.po_totals["gross"]),
            "taxAmount": to_tenge(history.po_totals["tax"]),
            "discountAmount": to_tenge(history.po_totals["discount"]),
            "totalAmount": to_tenge(history.po_totals["total"]),
            "paidAmount": to_tenge(history.pinv["paid"]),
            "currency": history.po_currency,
            "createdBy": user_ids[history.po_user],
            "createdAt": history.utc(pinv_time),
            "updatedAt": history.utc(pinv_time),
        },
    )
    history.add_audit(
        "CREATE",
        "invoice",
        inv_ids,
        inv["user"],
        inv["issue_ts"],
        new=concat(
            '{"invoiceNumber": "', pa.array(inv_numbers), '", "totalAmount": ', pa.array(to_tenge(inv["total"])), "}"
        ),
    )
    history.add_audit(
        "CREATE",
        "invoice",
        pinv_ids,
        history.po_user,
        pinv_time,
        new=concat('{"type": "PURCHASE", "totalAmount": ', pa.array(to_tenge(history.po_totals["total"])), "}"),
    )
    oi_of_inv = np.flatnonzero(np.isin(history.item_order, inv["order"]))
    inv_of_order = np.full(history.order_count, -1)
    inv_of_order[inv["order"]] = np.arange(k)
    ii_inv = inv_of_order[history.item_order[oi_of_inv]]
    yield (
        "invoice_items",
        {
            "id": history.ids(inv["issue_ts"][ii_inv]),
            "invoiceId": inv_ids[ii_inv],
            "productId": prod_ids[history.item_product[oi_of_inv]],
            "description": np.array(history.prod_name)[history.item_product[oi_of_inv]],
            "quantity": to_units(history.item_qty[oi_of_inv]),
            "unitPrice": to_tenge(history.item_price[oi_of_inv]),
            "discount": history.item_discount[oi_of_inv].astype(float),
            "tax": np.full(len(oi_of_inv), 12.0),
            "totalPrice": to_tenge(history.item_lines["total"][oi_of_inv]),
            "createdAt": history.utc(inv["issue_ts"][ii_inv]),
            "updatedAt": history.utc(inv["issue_ts"][ii_inv]),
        },
    )
    yield (
        "invoice_items",
        {
            "id": history.ids(pinv_time[pi["order"]]),
            "invoiceId": pinv_ids[pi["order"]],
            "productId": prod_ids[pi["product"]],
            "description": np.array(history.prod_name)[pi["product"]],
            "quantity": to_units(pi["qty"]),
            "unitPrice": to_tenge(pi["price"]),
            "discount": np.zeros(len(pi["order"])),
            "tax": np.full(len(pi["order"]), 12.0),
            "totalPrice": to_tenge(history.po_lines["total"]),
            "createdAt": history.utc(pinv_time[pi["order"]]),
            "updatedAt": history.utc(pinv_time[pi["order"]]),
        },
    )

    # payments: incoming for sales invoices, outgoing for purchase invoices
    pay = history.pay
    paid_po = np.flatnonzero(history.pinv["paid_mask"])
    day = np.r_[pay["day"], history.pinv["pay_day"][paid_po]].astype("datetime64[D]")
    when = midnight(day) + (rng.uniform(9.5, 18, len(day)) * 3600).astype("timedelta64[s]")
    invoice = np.r_[inv_ids[pay["invoice"]], pinv_ids[paid_po]]
    customer = np.r_[cust_ids[inv["customer"][pay["invoice"]]], cust_ids[history.po_supplier[paid_po]]]
    ws = np.r_[history.order_ws[inv["order"][pay["invoice"]]], history.wh_ws[history.po_wh[paid_po]]]
    amount = np.r_[pay["amount"], history.po_totals["total"][paid_po]]
    kind = np.r_[np.full(len(pay["day"]), "INCOMING"), np.full(len(paid_po), "OUTGOING")]
    pay_ids = history.ids(when)
    pay_numbers = numbered("PMT", when)
    status = np.r_[pay["status"], np.full(len(paid_po), "COMPLETED")]
    method = np.r_[pay["method"], np.full(len(paid_po), "transfer")]
    currency = np.r_[np.full(len(pay["day"]), "KZT"), history.po_currency[paid_po]]
    payer = np.r_[inv["user"][pay["invoice"]], np.full(len(paid_po), 2)]
    yield (
        "payments",
        {
            "id": pay_ids,
            "organizationId": org(len(day)),
            "workspaceId": ws_ids[ws],
            "paymentNumber": pay_numbers,
            "type": kind,
            "invoiceId": invoice,
            "customerId": customer,
            "amount": to_tenge(amount),
            "currency": currency,
            "paymentMethod": method,
            "paymentDate": day,
            "referenceNumber": np.where(
                method == "kaspi", np.char.add("KSP", rng.integers(10**9, 10**10, len(day)).astype(str)), None
            ).astype(object),
            "status": status,
            "createdBy": user_ids[payer],
            "createdAt": history.utc(when),
            "updatedAt": history.utc(when),
        },
    )
    history.add_audit(
        "CREATE",
        "payment",
        pay_ids,
        payer,
        when,
        new=concat(
            '{"paymentNumber": "',
            pa.array(pay_numbers),
            '", "amount": ',
            pa.array(to_tenge(amount)),
            ', "status": "',
            pa.array(status),
            '"}',
        ),
    )

    exp = history.exp
    x = len(exp["day"])
    exp_time = midnight(exp["day"]) + (rng.uniform(9.5, 18, x) * 3600).astype("timedelta64[s]")
    approved = np.isin(exp["status"], ["APPROVED", "PAID", "REJECTED"])
    approved_at = np.where(approved, exp_time + DAY, NAT)
    suppliers = np.flatnonzero(history.supplier)
    vendor = np.where(
        np.isin(exp["category"], ["rent", "utilities", "communication", "repairs"]),
        cust_ids[suppliers[rng.integers(0, len(suppliers), x)]],
        None,
    ).astype(object)
    exp_ids = history.ids(exp_time)
    creator = np.where(exp["employee"] >= 0, exp["employee"], 2)
    yield (
        "expenses",
        {
            "id": exp_ids,
            "organizationId": org(x),
            "workspaceId": ws_ids[exp["ws"]],
            "expenseNumber": numbered("EXP", exp_time),
            "category": exp["category"],
            "description": exp["category"],
            "amount": to_tenge(exp["amount"]),
            "currency": np.full(x, "KZT"),
            "expenseDate": exp["day"],
            "paymentMethod": np.where(exp["employee"] >= 0, "card", "transfer"),
            "vendorId": vendor,
            "employeeId": np.where(exp["employee"] >= 0, history.emp_ids[np.maximum(exp["employee"], 0)], None).astype(
                object
            ),
            "status": exp["status"],
            "approvedBy": np.where(approved, user_ids[1], None).astype(object),
            "approvedAt": history.utc(approved_at),
            "createdBy": user_ids[creator],
            "createdAt": history.utc(exp_time),
            "updatedAt": history.utc(np.where(approved, approved_at, exp_time)),
        },
    )
    history.add_audit(
        "CREATE",
        "expense",
        exp_ids,
        creator,
        exp_time,
        new=concat(
            '{"category": "', pa.array(exp["category"]), '", "amount": ', pa.array(to_tenge(exp["amount"])), "}"
        ),
    )
    idx = np.flatnonzero(approved)
    history.add_decisions("expense", exp_ids[idx], 1, approved_at[idx], exp["status"][idx])
