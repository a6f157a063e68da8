"""Finance: sales and purchase invoices, payment behaviour, expenses sized to the revenue."""

from __future__ import annotations

import numpy as np
import pandas as pd

from prometric_pipelines.generate import catalog
from prometric_pipelines.generate.state import Anomaly, OrgState

# Operating expenses (rent, utilities, marketing …, not payroll or goods) as a share of the organization's
# revenue over the history, drawn per organization: 6-10 % is typical of a Kazakhstan trading SME.
EXPENSE_SHARE = (0.06, 0.10)


def simulate(history: OrgState) -> None:
    rng = history.rng
    # sales invoices: issued when an order is confirmed
    issued = history.order_happened[:, 1]
    inv_order = np.flatnonzero(issued)
    count = len(inv_order)
    issue_ts = history.order_flow[inv_order, 1]
    issue_day = issue_ts.astype("datetime64[D]")
    customer = history.order_customer[inv_order]
    due = issue_day + history.terms[customer].astype("timedelta64[D]")
    total = history.order_totals["total"][inv_order]
    cancelled = history.order_cancelled[inv_order]
    individual = history.individual[customer]
    # payment behaviour of each invoice
    behaviour = rng.choice(["full", "partial", "never", "failed_first"], count, p=[0.86, 0.07, 0.04, 0.03])
    behaviour[individual] = "full"
    if history.options.inject_anomalies and history.ordinal == 0:
        wave_month = (history.end - min(75, history.options.days // 2)).astype("datetime64[M]")
        wave = (issue_day.astype("datetime64[M]") == wave_month) & ~individual & (rng.random(count) < 0.7)
        behaviour[wave] = "never"
        history.anomalies.append(
            Anomaly(
                "overdue_invoice_wave",
                f"{history.name}: {int(wave.sum())} invoices issued in {wave_month} left unpaid (overdue)",
            )
        )
    delay = np.where(
        individual,
        0,
        np.clip(history.terms[customer] * rng.lognormal(-0.1, 0.45, count), 1, 120).astype(np.int64),
    )
    first_day = np.where(
        individual,
        history.order_flow[inv_order, 3].astype("datetime64[D]"),
        issue_day + delay.astype("timedelta64[D]"),
    )
    pay_inv, pay_amount, pay_day, pay_status = [], [], [], []

    def emit(mask: np.ndarray, amount: np.ndarray, day: np.ndarray, status: str) -> None:
        idx = np.flatnonzero(mask)
        pay_inv.append(idx)
        pay_amount.append(amount[idx])
        pay_day.append(day[idx])
        pay_status.append(np.full(len(idx), status))

    live = ~cancelled
    emit(live & (behaviour == "full"), total, first_day, "COMPLETED")
    half = total // 2
    emit(live & (behaviour == "partial"), half, first_day, "COMPLETED")
    second = first_day + (delay + 10).astype("timedelta64[D]")
    emit(live & (behaviour == "partial"), total - half, second, "COMPLETED")
    emit(live & (behaviour == "failed_first"), total, first_day, "FAILED")
    emit(live & (behaviour == "failed_first"), total, first_day + np.timedelta64(2, "D"), "COMPLETED")
    p_inv = np.concatenate(pay_inv)
    p_day = np.concatenate(pay_day).astype("datetime64[D]")
    happened = p_day <= history.end
    p_inv, p_day = p_inv[happened], p_day[happened]
    p_amount = np.concatenate(pay_amount)[happened]
    p_status = np.concatenate(pay_status)[happened]
    paid = np.bincount(p_inv, weights=p_amount * (p_status == "COMPLETED"), minlength=count).astype(np.int64)
    status = np.where(
        paid >= total, "PAID", np.where(paid > 0, "PARTIAL", np.where(due < history.end, "OVERDUE", "SENT"))
    ).astype(object)  # object: a fixed-width numpy string would truncate "CANCELLED"
    status[(issue_day == history.end) & (paid == 0)] = "DRAFT"
    status[cancelled] = "CANCELLED"
    history.inv = {
        "order": inv_order,
        "customer": customer,
        "issue_ts": issue_ts,
        "issue": issue_day,
        "due": due,
        "status": status,
        "paid": paid,
        "type": np.full(count, "SALES"),
        "currency": np.full(count, "KZT"),
        "subtotal": history.order_totals["gross"][inv_order],
        "tax": history.order_totals["tax"][inv_order],
        "discount": history.order_totals["discount"][inv_order],
        "total": total,
        "updated": np.where(cancelled, history.order_cancel_at[inv_order], issue_ts),
        "user": history.order_assigned[inv_order],
    }
    method = np.where(
        individual[p_inv],
        history.pick(["kaspi", "card", "cash"], len(p_inv), p=np.array([0.45, 0.35, 0.2])),
        "transfer",
    )
    kaspi_b2b = (~individual[p_inv]) & (rng.random(len(p_inv)) < 0.1)
    method[kaspi_b2b] = "kaspi"
    history.pay = {"invoice": p_inv, "amount": p_amount, "day": p_day, "status": p_status, "method": method}
    first_method = pd.Series(method[::-1], index=p_inv[::-1]).groupby(level=0).last()
    order_method = np.full(history.order_count, None, dtype=object)
    order_method[inv_order[first_method.index.to_numpy()]] = first_method.to_numpy()
    history.order_payment_method = order_method
    payment_status = np.full(history.order_count, "PENDING", dtype=object)
    payment_status[inv_order] = np.where(paid >= total, "PAID", np.where(paid > 0, "PARTIAL", "PENDING"))
    history.order_payment_status = payment_status

    # purchase invoices and outgoing payments for the purchase orders
    n = history.po_count
    po_issue = history.po_time.astype("datetime64[D]")
    po_due = po_issue + np.timedelta64(30, "D")
    po_pay_day = po_issue + rng.integers(5, 35, n).astype("timedelta64[D]")
    po_paid_mask = po_pay_day <= history.end
    po_paid = np.where(po_paid_mask, history.po_totals["total"], 0)
    po_status = np.where(po_paid_mask, "PAID", np.where(po_due < history.end, "OVERDUE", "SENT"))
    history.pinv = {
        "issue": po_issue,
        "due": po_due,
        "status": po_status,
        "paid": po_paid,
        "pay_day": po_pay_day,
        "paid_mask": po_paid_mask,
    }
    history.po_payment_status = np.where(po_paid_mask, "PAID", "PENDING")

    # expenses: monthly recurring costs per workspace, and occasional ones
    months = np.arange(history.start.astype("datetime64[M]"), history.end.astype("datetime64[M]") + 1)
    exp_day, exp_cat, exp_amount, exp_ws, exp_emp = [], [], [], [], []
    for category, (low, high), recurring in catalog.EXPENSE_KINDS:
        if recurring:
            for ws in range(history.ws_count):
                base = rng.integers(low, high) * (1.0 if ws == 0 else 0.5)
                days = np.maximum(months.astype("datetime64[D]") + 4, history.start)
                exp_day.append(days)
                exp_cat.append(np.full(len(days), category))
                exp_amount.append((base * rng.uniform(0.9, 1.1, len(days)) / 100).astype(np.int64) * 10_000)
                exp_ws.append(np.full(len(days), ws))
                exp_emp.append(np.full(len(days), -1))
        else:
            k = rng.poisson(2.5 * history.size * len(months))
            days = history.start + rng.integers(0, history.options.days, k).astype("timedelta64[D]")
            exp_day.append(days)
            exp_cat.append(np.full(k, category))
            exp_amount.append(rng.integers(low, high, k) * 100)
            exp_ws.append(rng.integers(0, history.ws_count, k))
            exp_emp.append(rng.integers(5, history.emp_count, k) if category in ("travel", "fuel") else np.full(k, -1))
    day = np.concatenate(exp_day).astype("datetime64[D]")
    keep = day <= history.end
    order = np.argsort(day[keep], kind="stable")
    history.exp = {
        "day": day[keep][order],
        "category": np.concatenate(exp_cat)[keep][order],
        "amount": np.concatenate(exp_amount)[keep][order],
        "ws": np.concatenate(exp_ws)[keep][order],
        "employee": np.concatenate(exp_emp)[keep][order],
    }
    # sized to the organization's own revenue (a fixed price list gave ~1 % for a large trader);
    # whole hundreds of tenge, as such invoices are
    revenue = int(history.order_totals["total"][~history.order_cancelled].sum())
    amounts = history.exp["amount"].astype(np.float64)
    factor = rng.uniform(*EXPENSE_SHARE) * revenue / max(amounts.sum(), 1.0)
    history.exp["amount"] = np.maximum(np.round(amounts * factor / 10_000), 1).astype(np.int64) * 10_000
    age = (history.end - history.exp["day"]).astype(np.int64)
    status = np.where(age > 10, np.where(rng.random(len(age)) < 0.5, "PAID", "APPROVED"), "PENDING")
    status[(rng.random(len(age)) < 0.04) & (age > 3)] = "REJECTED"
    history.exp["status"] = status
