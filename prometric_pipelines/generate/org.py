"""One organization's ERP history, generated from its own seeded stream.

Everything is computed with numpy over whole arrays (orders, items, movements, payments,
attendance …); Python loops only run over master data (employees, leaves, products). Rows refer
to each other by integer index while they are built and become UUIDs when written.

Times are local wall-clock times (`datetime64[s]`) while generating, converted to UTC
(`timestamp without time zone`, as the database stores them) on output; DATE columns are local
dates. Money is integer tiyn (1/100 KZT) and quantities integer thousandths until written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from prometric_pipelines import kz_calendar
from prometric_pipelines.db.ids import to_ms, uuid7
from prometric_pipelines.generate import catalog, kz
from prometric_pipelines.generate.copy import pg_array
from prometric_pipelines.generate.scales import GenerateOptions
from prometric_pipelines.security.passwords import hash_password, hash_token

DEMO_PASSWORD = "prometric-demo"
TIMEZONE = "Asia/Almaty"
HOUR = np.timedelta64(3600, "s")
DAY = np.timedelta64(86_400, "s")
NAT = np.datetime64("NaT", "s")
SEASON = np.array([0.78, 0.82, 1.08, 1.02, 1.0, 0.97, 0.93, 1.0, 1.1, 1.05, 1.08, 1.3])  # Jan..Dec
WEEKDAY = np.array([1.0, 1.05, 1.05, 1.1, 1.15, 0.7, 0.4])  # Mon..Sun
STAGES = ["NEW", "QUALIFIED", "PROPOSAL", "NEGOTIATION"]
STAGE_PROBABILITY = {"NEW": 10, "QUALIFIED": 25, "PROPOSAL": 50, "NEGOTIATION": 75, "WON": 100, "LOST": 0}
ORDER_FLOW = ["PENDING", "CONFIRMED", "PROCESSING", "SHIPPED", "DELIVERED"]

Columns = dict[str, Any]


@dataclasses.dataclass
class Anomaly:
    kind: str
    description: str


@dataclasses.dataclass(frozen=True)
class Guest:
    """A user of an earlier organization of the run who is also a member of this one."""

    user_id: bytes
    created: np.datetime64  # local time the user was created
    membership: str  # workspace_users.role in this organization: admin, manager, member
    workspaces: str  # "head office", "first branch" or "all"


# The demo accounts (user index → users.role) of a run's first organization, and how each also belongs to
# the second one, with another reach: the employee (own payslips at home) manages every workspace there,
# the owner is admin of the head office only, the manager a member of a branch, the investor reads there too.
DEMO_ACCOUNTS = {0: "owner", 1: "manager", 5: "employee", -1: "investor"}  # -1: the investor, the last user
GUEST_MEMBERSHIPS = {
    "owner": ("admin", "head office"),
    "manager": ("member", "first branch"),
    "employee": ("manager", "all"),
    "investor": ("member", "head office"),
}
# Operating expenses (rent, utilities, marketing …, not payroll or goods) as a share of the organization's
# revenue over the history, drawn per organization: 6-10 % is typical of a Kazakhstan trading SME.
EXPENSE_SHARE = (0.06, 0.10)


def _day(value: dt.date) -> np.datetime64:
    return np.datetime64(value, "D")


def _seconds(day: np.ndarray) -> np.ndarray:
    return np.asarray(day).astype("datetime64[D]").astype("datetime64[s]")


def _money(cents: np.ndarray) -> np.ndarray:
    return np.asarray(cents, dtype=np.int64) / 100


def _qty(milli: np.ndarray) -> np.ndarray:
    return np.asarray(milli, dtype=np.int64) / 1000


def _round_div(numerator: np.ndarray, denominator: int) -> np.ndarray:
    """Integer division rounding half up (amounts here are never negative)."""
    return (np.asarray(numerator, dtype=np.int64) * 2 + denominator) // (2 * denominator)


def _text(values: Any) -> pa.Array:
    return values if isinstance(values, pa.Array) else pa.array(values, pa.string())


def concat(*parts: Any) -> pa.Array:
    """Element-wise string concatenation of arrays and constants (JSON, numbers) in Arrow's C++."""
    arrays = [
        p if isinstance(p, str) else pc.cast(p if isinstance(p, pa.Array) else pa.array(p), pa.string()) for p in parts
    ]
    return pc.binary_join_element_wise(*arrays, "")


def _numbered(prefix: str, local_times: np.ndarray) -> np.ndarray:
    """Per-organization document numbers in time order, restarting each year: SO-2026-000042."""
    years = local_times.astype("datetime64[Y]").astype(np.int64) + 1970
    order = np.argsort(local_times, kind="stable")
    numbers = np.empty(len(local_times), dtype=np.int64)
    sorted_years = years[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_years)) + 1]
    run_start = np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    numbers[order] = np.arange(len(order)) - run_start + 1
    return np.array([f"{prefix}-{y}-{n:06d}" for y, n in zip(years.tolist(), numbers.tolist(), strict=True)])


class OrgHistory:
    """Builds every table's rows for organization number `ordinal` of a run."""

    def __init__(
        self,
        options: GenerateOptions,
        ordinal: int,
        password_hashes: dict[str, str],
        guests: tuple[Guest, ...] = (),
    ) -> None:
        self.options = options
        self.guests = guests
        self.ordinal = ordinal
        self.rng = np.random.default_rng([options.seed, ordinal])
        self.start, self.end = _day(options.start), _day(options.end)
        self.start_ts = _seconds(self.start)
        self.end_ts = _seconds(self.end) + DAY - np.timedelta64(1, "s")  # as of the end of the last day
        self.size = float(np.clip(self.rng.lognormal(0, 0.35), 0.5, 2.2))
        self.password_hashes = password_hashes
        self.audit: list[Columns] = []
        self.anomalies: list[Anomaly] = []

    # ---- helpers ----------------------------------------------------------------------------

    def demo_account_indexes(self) -> dict[int, str]:
        """User index → users.role of the demo sign-in accounts (used in the run's first organization)."""
        return {(self.investor if i < 0 else i): role for i, role in DEMO_ACCOUNTS.items()}

    def guests_for_next(self) -> tuple[Guest, ...]:
        """This organization's demo accounts as members of the next organization (GUEST_MEMBERSHIPS)."""
        return tuple(
            Guest(self.user_ids[i], self.user_created[i], *GUEST_MEMBERSHIPS[role])
            for i, role in self.demo_account_indexes().items()
        )

    def ids(self, local_times: np.ndarray) -> np.ndarray:
        return uuid7(self.rng, to_ms(self.utc(local_times)))

    def utc(self, local: np.ndarray) -> np.ndarray:
        index = pd.DatetimeIndex(np.asarray(local, dtype="datetime64[s]"))
        # Almaty moved from UTC+6 to UTC+5 at 2024-03-01 00:00, repeating 23:00-24:00 of 29 February:
        # such wall-clock times are read as the first (UTC+6) occurrence.
        earlier = np.ones(len(index), dtype=bool)
        utc = index.tz_localize(TIMEZONE, ambiguous=earlier, nonexistent="shift_forward").tz_convert("UTC")
        return utc.tz_localize(None).to_numpy().astype("datetime64[us]")

    def pick(self, values: list | np.ndarray, count: int, p: np.ndarray | None = None) -> np.ndarray:
        return np.asarray(values)[self.rng.choice(len(values), size=count, p=p)]

    def business_times(self, days: np.ndarray, night_share: float = 0.0) -> np.ndarray:
        """Local times on the given days: office hours, plus a share of online orders at any hour."""
        count = len(days)
        hours = np.clip(self.rng.normal(13.5, 2.8, count), 9.0, 19.9)
        online = self.rng.random(count) < night_share
        hours[online] = self.rng.uniform(0, 24, online.sum())
        return _seconds(days) + (hours * 3600).astype("timedelta64[s]")

    def add_audit(
        self,
        action: str,
        entity: str,
        entity_ids: np.ndarray,
        user_idx: np.ndarray,
        local_times: np.ndarray,
        old: Any = None,
        new: Any = None,
        organization: bool = True,
    ) -> None:
        count = len(entity_ids)
        if count == 0:
            return
        self.audit.append(
            {
                "createdAt": np.asarray(local_times, dtype="datetime64[s]"),
                "organization": organization,
                "userIdx": np.asarray(user_idx, dtype=np.int64),
                "action": action,
                "entity": entity,
                "entityId": entity_ids,
                "oldValue": old,
                "newValue": new,
            }
        )

    # ---- the organization and its people ---------------------------------------------------------

    def build(self) -> Iterator[tuple[str, Columns]]:
        self.people()
        self.customers()
        self.products()
        self.deals()
        self.sales()
        self.stock()
        self.finance()
        self.hr()
        self.work()
        yield from self.tables()

    def people(self) -> None:
        rng, opts = self.rng, self.options
        self.created = _seconds(self.start - np.timedelta64(int(rng.integers(120, 1500)), "D")) + 10 * HOUR
        word = kz.COMPANY_WORDS[int(rng.integers(len(kz.COMPANY_WORDS)))]
        suffix = kz.COMPANY_SUFFIXES[int(rng.integers(len(kz.COMPANY_SUFFIXES)))]
        self.name = f"ТОО «{word} {suffix}»"
        self.domain = f"{kz.latin(word)}-{kz.latin(suffix)}-{self.ordinal + 1}.kz"
        self.industry = kz.INDUSTRIES[int(rng.integers(len(kz.INDUSTRIES)))]
        self.city = kz.CITIES[int(rng.integers(len(kz.CITIES)))]
        created_day = self.created.astype("datetime64[D]").astype(dt.date)
        self.bin = kz.make_bin(rng, created_day)

        # workspaces: the head office and 1-2 branches in other cities
        # at least one branch: switching workspaces is part of what the dashboards offer
        branches = int(rng.choice([1, 1, 2, 2])) if self.size > 0.7 else int(rng.integers(1, 3))
        others = [c for c in kz.CITIES if c != self.city]
        self.ws_city = [self.city] + [others[i] for i in rng.choice(len(others), branches, replace=False)]
        self.ws_count = 1 + branches
        self.ws_created = np.array(
            [self.created] + [self.created + int(rng.integers(30, 200)) * DAY for _ in range(branches)]
        )

        # employees (every user but the investor is one); index 0 is the owner, 1..4 the managers
        count = max(8, round(opts.scale.employees * self.size))
        self.emp_count = count
        firsts, lasts, female = kz.person_names(rng, count + 1)
        self.first, self.last, self.female = firsts, lasts, female
        hire_offset = rng.uniform(-1, 1, count)
        history = (self.end - self.start).astype(int)
        before = int((self.start - self.created.astype("datetime64[D]")).astype(int))
        hire_days = np.where(
            hire_offset < 0.25,
            self.start + (rng.uniform(0, history, count)).astype("timedelta64[D]"),
            self.start - (rng.uniform(1, max(before, 2), count)).astype("timedelta64[D]"),
        )
        hire_days[:5] = self.created.astype("datetime64[D]") + np.arange(5) * np.timedelta64(3, "D")
        self.hire = hire_days.astype("datetime64[D]")
        terminate = rng.random(count) < 0.08
        terminate[:6] = False  # the owner, the managers and the demo employee (index 5) stay
        leave_after = (rng.uniform(60, 900, count)).astype("timedelta64[D]")
        self.termination = np.where(
            terminate & (self.hire + leave_after < self.end), self.hire + leave_after, np.datetime64("NaT")
        )
        self.termination = self.termination.astype("datetime64[D]")
        positions, departments, roles, salaries = [], [], [], []
        weights = np.array([p[4] for p in catalog.POSITIONS])
        for i in range(count):
            if i == 0:
                position, dept, role, (low, high) = "Директор", "management", "owner", (1_100_000, 1_600_000)
            elif i <= len(catalog.MANAGER_POSITIONS):
                position, dept, (low, high) = catalog.MANAGER_POSITIONS[i - 1]
                role = "manager"
            else:
                position, dept, role, (low, high), _ = catalog.POSITIONS[
                    rng.choice(len(weights), p=weights / weights.sum())
                ]
            positions.append(position)
            departments.append(dept)
            roles.append(role)
            salaries.append(int(rng.integers(low // 1000, high // 1000 + 1)) * 1000)
        self.position, self.emp_dept, self.emp_role = positions, departments, np.array(roles)
        self.salary = np.array(salaries, dtype=np.int64) * 100
        self.emp_ws = np.where(rng.random(count) < 0.75, 0, rng.integers(0, self.ws_count, count))
        self.emp_ws[:5] = 0
        self.managers = np.arange(1, 5)
        self.sales_staff = np.flatnonzero(np.array(departments) == "sales")
        # users: employees first (same index), then the investor
        self.user_count = count + 1
        self.investor = count

    # ---- customers, products, warehouses --------------------------------------------------------

    def customers(self) -> None:
        rng = self.rng
        count = max(30, round(self.options.scale.customers * self.size * (1 + self.options.days / 730)))
        history = (self.end - self.start).astype(int)
        early = rng.random(count) < 0.45
        created_days = np.where(
            early,
            self.start - rng.integers(1, 400, count).astype("timedelta64[D]"),
            self.start + np.sort(rng.power(1.3, count) * history).astype("timedelta64[D]"),
        )
        order = np.argsort(created_days, kind="stable")
        created = self.business_times(created_days[order])
        self.cust_created = created
        self.cust_count = count
        self.supplier = np.zeros(count, bool)
        self.supplier[:: max(2, count // 12)] = True  # ~12 suppliers, the earliest known to us
        self.individual = (~self.supplier) & (rng.random(count) < 0.3)
        self.cust_ws = np.where(rng.random(count) < 0.7, 0, rng.integers(0, self.ws_count, count))
        self.cust_ws[self.supplier] = 0
        self.terms = np.where(self.individual, 3, rng.choice([10, 15, 30, 30, 45], count))
        currencies = list(catalog.FOREIGN_CURRENCIES)
        foreign = self.supplier & (rng.random(count) < 0.15)
        self.cust_currency = np.where(foreign, np.array(currencies)[rng.integers(0, len(currencies), count)], "KZT")
        self.assigned_sales = rng.choice(self.sales_staff if len(self.sales_staff) else self.managers, count)

    def products(self) -> None:
        rng = self.rng
        count = max(30, round(self.options.scale.products * (0.7 + 0.3 * self.size)))
        n_materials = max(4, count // 8)
        n_services = max(2, count // 25)
        n_goods = count - n_materials - n_services
        names, units, kinds, prices, batches = [], [], [], [], []
        for i in range(n_goods):
            name, unit, kind, price, batch = catalog.PRODUCT_TEMPLATES[i % len(catalog.PRODUCT_TEMPLATES)]
            variant = catalog.VARIANTS[(i // len(catalog.PRODUCT_TEMPLATES)) % len(catalog.VARIANTS)]
            serial = i // (len(catalog.PRODUCT_TEMPLATES) * len(catalog.VARIANTS))
            names.append(f"{name}{variant}" + (f" ({serial + 1})" if serial else ""))
            units.append(unit)
            kinds.append(kind)
            prices.append(price * rng.uniform(0.8, 1.4))
            batches.append(batch)
        for i in range(n_materials):
            name, unit, price = catalog.MATERIAL_TEMPLATES[i % len(catalog.MATERIAL_TEMPLATES)]
            names.append(
                name
                + (f" тип {i // len(catalog.MATERIAL_TEMPLATES) + 1}" if i >= len(catalog.MATERIAL_TEMPLATES) else "")
            )
            units.append(unit)
            kinds.append("MATERIAL")
            prices.append(price * rng.uniform(0.9, 1.2))
            batches.append(False)
        for i in range(n_services):
            name, unit, price = catalog.SERVICE_TEMPLATES[i % len(catalog.SERVICE_TEMPLATES)]
            names.append(
                name + (f" {i // len(catalog.SERVICE_TEMPLATES) + 1}" if i >= len(catalog.SERVICE_TEMPLATES) else "")
            )
            units.append(unit)
            kinds.append("SERVICE")
            prices.append(price)
            batches.append(False)
        self.prod_count = count
        self.prod_name, self.prod_unit, self.prod_type = names, np.array(units), np.array(kinds)
        self.prod_batch = np.array(batches)
        self.price = (np.round(np.array(prices) / 10) * 10 * 100).astype(np.int64)
        margin = np.where(self.prod_type == "SERVICE", rng.uniform(0.3, 0.6, count), rng.uniform(0.62, 0.85, count))
        self.cost = (np.round(self.price * margin / 100) * 100).astype(np.int64)
        self.prod_ws = np.zeros(count, dtype=np.int64)
        self.prod_created = self.business_times(self.start - rng.integers(5, 300, count).astype("timedelta64[D]"))
        suppliers = np.flatnonzero(self.supplier)
        self.prod_supplier = suppliers[rng.integers(0, len(suppliers), count)]
        goods = np.flatnonzero(self.prod_type == "PRODUCT")
        manufacturing = self.industry in ("manufacturing", "food production", "construction materials")
        share = 0.25 if manufacturing else 0.06
        self.manufactured = np.zeros(count, bool)
        piece_goods = goods[self.prod_unit[goods] == "шт"]
        chosen = rng.choice(piece_goods, size=max(1, int(len(piece_goods) * share)), replace=False)
        self.manufactured[chosen] = True
        materials = np.flatnonzero(self.prod_type == "MATERIAL")
        bom_product, bom_component, bom_qty = [], [], []
        for product in np.flatnonzero(self.manufactured).tolist():
            for component in rng.choice(materials, size=int(rng.integers(2, 5)), replace=False).tolist():
                bom_product.append(product)
                bom_component.append(component)
                bom_qty.append(
                    int(rng.integers(1, 40)) * 250
                    if self.prod_unit[component] != "шт"
                    else int(rng.integers(1, 9)) * 1000
                )
        self.bom = (
            np.array(bom_product, dtype=np.int64),
            np.array(bom_component, dtype=np.int64),
            np.array(bom_qty, dtype=np.int64),
        )
        # popularity: a few best sellers, a long tail
        sellable = np.flatnonzero(self.prod_type != "MATERIAL")
        weights = 1 / (1 + rng.permutation(len(sellable))) ** 0.9
        self.sellable, self.sell_weights = sellable, weights / weights.sum()
        self.min_stock = np.where(self.prod_type == "SERVICE", 0, rng.integers(2, 30, count) * 1000)
        self.prod_status = np.where(rng.random(count) < 0.03, "DISCONTINUED", "ACTIVE")
        self.prod_status[self.manufactured] = "ACTIVE"
        # warehouses: one per workspace
        self.wh_count = self.ws_count
        self.wh_ws = np.arange(self.ws_count)
        self.wh_manager = np.where(np.arange(self.ws_count) == 0, 3, rng.choice(self.managers, self.ws_count))

    def quantities(self, products: np.ndarray) -> np.ndarray:
        """Order quantities in thousandths, by the product's unit."""
        rng, count = self.rng, len(products)
        unit = self.prod_unit[products]
        qty = (1 + rng.poisson(2.2 * self.size, count)) * 1000
        weight = unit == "кг"
        qty[weight] = (rng.integers(1, 60, weight.sum()) * 500).astype(np.int64)
        litre = unit == "л"
        qty[litre] = (rng.integers(1, 40, litre.sum()) * 1000).astype(np.int64)
        metre = unit == "м"
        qty[metre] = (rng.integers(5, 500, metre.sum()) * 100).astype(np.int64)
        square = unit == "м2"
        qty[square] = (rng.integers(100, 6000, square.sum()) * 10).astype(np.int64)
        cubic = unit == "м3"
        qty[cubic] = (rng.integers(10, 500, cubic.sum()) * 10).astype(np.int64)
        service = self.prod_type[products] == "SERVICE"
        qty[service & (unit == "шт")] = 1000
        return qty

    def line_amounts(
        self, qty: np.ndarray, price: np.ndarray, discount: np.ndarray, tax: np.ndarray
    ) -> dict[str, np.ndarray]:
        """Per line, in tiyn: gross = qty × price; discount = gross × d%; tax = (gross − discount) × t%;
        totalPrice = gross − discount + tax. Document totals are the sums of these."""
        gross = _round_div(qty * price, 1000)
        disc = _round_div(gross * discount, 100)
        tax_amount = _round_div((gross - disc) * tax, 100)
        return {"gross": gross, "discount": disc, "tax": tax_amount, "total": gross - disc + tax_amount}

    # ---- CRM ----------------------------------------------------------------------------------

    def deals(self) -> None:
        rng = self.rng
        days = np.arange(self.start, self.end + 1)
        lam = 0.07 * self.options.scale.orders_per_day * self.size * np.ones(len(days))
        counts = rng.poisson(lam)
        created = np.sort(self.business_times(np.repeat(days, counts)))
        count = len(created)
        companies = np.flatnonzero(~self.supplier & ~self.individual)
        known = np.maximum(np.searchsorted(self.cust_created[companies], created), 1)
        self.deal_customer = companies[(known * rng.random(count) ** 1.5).astype(np.int64)]
        outcome = rng.choice(["WON", "LOST", "OPEN"], count, p=[0.42, 0.38, 0.20])
        reached = np.where(outcome == "WON", 3, rng.integers(0, 4, count))
        gaps = (rng.exponential(4.5, (count, 5)) + 0.5) * 86_400
        steps = np.cumsum(gaps.astype(np.int64), axis=1).astype("timedelta64[s]")
        times = created[:, None] + steps  # transition k+1 at times[:, k]
        stage_idx = np.zeros(count, dtype=np.int64)
        won_at = np.full(count, NAT)
        lost_at = np.full(count, NAT)
        self.deal_transitions: list[tuple[np.ndarray, str, str, np.ndarray]] = []
        for k in range(1, 4):
            happened = (reached >= k) & (times[:, k - 1] <= self.end_ts)
            stage_idx[happened] = k
            self.deal_transitions.append((np.flatnonzero(happened), STAGES[k - 1], STAGES[k], times[happened, k - 1]))
        final_time = times[np.arange(count), reached]
        closed = (outcome != "OPEN") & (final_time <= self.end_ts)
        won = closed & (outcome == "WON")
        lost = closed & (outcome == "LOST")
        won_at[won] = final_time[won]
        lost_at[lost] = final_time[lost]
        for mask, label in ((won, "WON"), (lost, "LOST")):
            idx = np.flatnonzero(mask)
            self.deal_transitions.append((idx, "", label, final_time[idx]))
        stage = np.array(STAGES)[stage_idx]
        stage[won], stage[lost] = "WON", "LOST"
        self.deal_count, self.deal_created, self.deal_stage, self.deal_reached = count, created, stage, reached
        self.won_at, self.lost_at = won_at, lost_at
        self.deal_assigned = self.assigned_sales[self.deal_customer]
        # products of each deal
        n = 1 + np.minimum(rng.poisson(1.0, count), 3)
        self.dp_deal = np.repeat(np.arange(count), n)
        self.dp_product = rng.choice(self.sellable, size=len(self.dp_deal), p=self.sell_weights)
        self.dp_qty = self.quantities(self.dp_product) * 3
        self.dp_discount = rng.choice([0, 0, 5, 10], len(self.dp_deal))
        self.dp_lines = self.line_amounts(self.dp_qty, self.price[self.dp_product], self.dp_discount, 12)
        self.deal_value = np.bincount(self.dp_deal, weights=self.dp_lines["total"], minlength=count).astype(np.int64)
        self.deal_ids = self.ids(created)

    # ---- sales: orders, items, production ---------------------------------------------------------

    def sales(self) -> None:
        rng, opts = self.rng, self.options
        days = np.arange(self.start, self.end + 1)
        years = (days - self.start).astype(np.int64) / 365.25
        growth = (1 + rng.uniform(0.08, 0.35)) ** years
        month = days.astype("datetime64[M]").astype(np.int64) % 12
        weekday = (days.astype(np.int64) + 3) % 7
        holiday = ~kz_calendar.working_day_mask(days) & (weekday < 5)
        lam = (
            opts.scale.orders_per_day
            * self.size
            * growth
            * SEASON[month]
            * WEEKDAY[weekday]
            * np.where(holiday, 0.4, 1.0)
        )
        counts = rng.poisson(lam)
        if opts.inject_anomalies and self.ordinal == 0:
            spike = max(0, len(days) - 20)
            counts[spike] = counts[spike] * 8 + 40
            self.anomalies.append(
                Anomaly(
                    "revenue_spike",
                    f"{self.name}: {counts[spike]} sales orders on {days[spike]} (about 8× a normal day)",
                )
            )
        times = self.business_times(np.repeat(days, counts), night_share=0.08)
        regular = len(times)
        buyers = np.flatnonzero(~self.supplier)
        known = np.maximum(np.searchsorted(self.cust_created[buyers], times), 1)
        customer = buyers[(known * rng.random(regular) ** 1.7).astype(np.int64)]
        deal = np.full(regular, -1)
        # won deals become orders two hours later, with the deal's products
        won = np.flatnonzero(~np.isnat(self.won_at))
        times = np.r_[times, self.won_at[won] + 2 * HOUR]
        customer = np.r_[customer, self.deal_customer[won]]
        deal = np.r_[deal, won]
        keep = times <= self.end_ts
        times, customer, deal = times[keep], customer[keep], deal[keep]
        order = np.argsort(times, kind="stable")
        times, customer, deal = times[order], customer[order], deal[order]
        count = len(times)

        # items
        n_items = np.where(deal >= 0, 0, 1 + np.minimum(rng.poisson(1.6, count), 7))
        item_order = np.repeat(np.arange(count), n_items)
        item_product = rng.choice(self.sellable, size=len(item_order), p=self.sell_weights)
        item_qty = self.quantities(item_product)
        item_discount = rng.choice([0, 0, 0, 0, 0, 0, 0, 5, 5, 10], len(item_order))
        deal_orders = np.flatnonzero(deal >= 0)
        if len(deal_orders):
            lines = np.flatnonzero(np.isin(self.dp_deal, deal[deal_orders]))
            order_of_deal = np.full(self.deal_count, -1)
            order_of_deal[deal[deal_orders]] = deal_orders
            item_order = np.r_[item_order, order_of_deal[self.dp_deal[lines]]]
            item_product = np.r_[item_product, self.dp_product[lines]]
            item_qty = np.r_[item_qty, self.dp_qty[lines]]
            item_discount = np.r_[item_discount, self.dp_discount[lines]]
            by_order = np.argsort(item_order, kind="stable")
            item_order, item_product, item_qty, item_discount = (
                item_order[by_order],
                item_product[by_order],
                item_qty[by_order],
                item_discount[by_order],
            )
        item_price = self.price[item_product]
        lines = self.line_amounts(item_qty, item_price, item_discount, 12)

        # status flow: each transition's time, then the status as of the end of the history
        t = np.empty((count, 5), dtype="datetime64[s]")
        t[:, 0] = times
        t[:, 1] = times + (rng.uniform(0.3, 6, count) * 3600).astype("timedelta64[s]")
        t[:, 2] = t[:, 1] + (rng.uniform(0.5, 8, count) * 3600).astype("timedelta64[s]")
        t[:, 3] = t[:, 2] + (rng.uniform(4, 40, count) * 3600).astype("timedelta64[s]")
        # production of made-to-order goods starts on confirmation; shipping waits for it
        made = self.manufactured[item_product]
        made_order = item_order[made]
        prod_start = t[made_order, 1] + HOUR
        prod_end = prod_start + (rng.uniform(4, 30, len(made_order)) * 3600).astype("timedelta64[s]")
        # the shop floor finishes in the daytime, after the morning deliveries of materials
        prod_end = np.maximum(prod_end, _seconds(prod_end.astype("datetime64[D]")) + 8 * HOUR)
        latest = np.full(count, np.datetime64(0, "s"))
        np.maximum.at(latest.view(np.int64), made_order, (prod_end + HOUR).view(np.int64))
        t[:, 3] = np.maximum(t[:, 3], latest)
        # goods leave the warehouse in working hours (and after the morning deliveries)
        shipped_day = _seconds(t[:, 3].astype("datetime64[D]"))
        t[:, 3] = np.maximum(t[:, 3], shipped_day + 9 * HOUR)
        t[:, 4] = t[:, 3] + (rng.uniform(6, 72, count) * 3600).astype("timedelta64[s]")
        cancel_at = times + (rng.uniform(0.5, 30, count) * 3600).astype("timedelta64[s]")
        cancelled_flow = (rng.random(count) < 0.045) & (cancel_at < t[:, 3])
        reached = (t <= self.end_ts).sum(axis=1) - 1
        cancelled = cancelled_flow & (cancel_at <= self.end_ts)
        # transitions that happened before a cancellation only
        happened = t <= self.end_ts
        happened[cancelled_flow] &= t[cancelled_flow] < cancel_at[cancelled_flow, None]
        reached = happened.sum(axis=1) - 1
        status = np.array(ORDER_FLOW)[reached]
        status[cancelled] = "CANCELLED"
        self.order_count, self.order_time, self.order_customer, self.order_deal = count, times, customer, deal
        self.order_flow, self.order_happened, self.order_status = t, happened, status
        self.order_cancel_at, self.order_cancelled = cancel_at, cancelled
        self.order_ws = self.cust_ws[customer]
        self.order_ids = self.ids(times)
        self.order_number = _numbered("SO", times)
        self.item_order, self.item_product, self.item_qty = item_order, item_product, item_qty
        self.item_price, self.item_discount, self.item_lines = item_price, item_discount, lines
        self.item_ids = self.ids(times[item_order])
        self.order_totals = {
            k: np.bincount(item_order, weights=v, minlength=count).astype(np.int64) for k, v in lines.items()
        }
        self.order_assigned = self.assigned_sales[customer]

        # production orders: one per made-to-order line of a confirmed order
        confirmed = happened[made_order, 1]
        made_items = np.flatnonzero(made)[confirmed]
        made_order, prod_start, prod_end = made_order[confirmed], prod_start[confirmed], prod_end[confirmed]
        cancelled_first = self.order_cancelled[made_order] & (cancel_at[made_order] < prod_end)
        prod_status = np.where(
            prod_end <= self.end_ts, "COMPLETED", np.where(prod_start <= self.end_ts, "IN_PROGRESS", "PLANNED")
        )
        prod_status[cancelled_first] = "CANCELLED"
        self.prod_order_item = made_items
        self.prod_order_status = prod_status
        self.prod_order_start, self.prod_order_end = prod_start, prod_end
        self.prod_order_ids = self.ids(t[made_order, 1])
        self.prod_order_number = _numbered("PRD", t[made_order, 1])

    # ---- stock: purchases, the ledger, inventory ------------------------------------------------

    def stock(self) -> None:
        rng = self.rng
        W, P = self.wh_count, self.prod_count
        periods = pd.period_range(str(self.start), str(self.end), freq="M")
        bounds = [max(self.start, np.datetime64(p.start_time.date(), "D")) for p in periods]
        period_start = np.array(bounds, dtype="datetime64[D]")

        def period_of(local: np.ndarray) -> np.ndarray:
            return np.searchsorted(period_start, np.asarray(local).astype("datetime64[D]"), side="right") - 1

        stocked = self.prod_type != "SERVICE"
        wh_of_ws = np.arange(self.ws_count)  # one warehouse per workspace
        item_wh = wh_of_ws[self.order_ws[self.item_order]]
        live_item = ~self.order_cancelled[self.item_order] & stocked[self.item_product]
        # made-to-order goods are produced into the warehouse right before they leave it
        item_period = period_of(self.order_time[self.item_order])
        completed = self.prod_order_status == "COMPLETED"
        prod_item = self.prod_order_item[completed]
        prod_end = self.prod_order_end[completed]
        bom_product, bom_component, bom_qty = self.bom
        comp_rows = []  # (production index, component, qty)
        for product in np.unique(self.item_product[prod_item]).tolist():
            sel = np.flatnonzero(self.item_product[prod_item] == product)
            parts = np.flatnonzero(bom_product == product)
            for part in parts.tolist():
                comp_rows.append((sel, bom_component[part], bom_qty[part]))
        comp_prod = np.concatenate([r[0] for r in comp_rows]) if comp_rows else np.zeros(0, np.int64)
        comp_product = (
            np.concatenate([np.full(len(r[0]), r[1]) for r in comp_rows]) if comp_rows else np.zeros(0, np.int64)
        )
        comp_qty = (
            np.concatenate([self.item_qty[prod_item[r[0]]] * r[2] // 1000 for r in comp_rows])
            if comp_rows
            else np.zeros(0, np.int64)
        )
        comp_wh = item_wh[prod_item[comp_prod]]
        comp_period = period_of(prod_end[comp_prod])

        demand = np.zeros((len(periods), W, P), dtype=np.int64)
        bought = live_item & ~self.manufactured[self.item_product]
        np.add.at(demand, (item_period[bought], item_wh[bought], self.item_product[bought]), self.item_qty[bought])
        np.add.at(demand, (comp_period, comp_wh, comp_product), comp_qty)
        onhand = np.zeros((W, P), dtype=np.int64)
        po_rows, transfer_rows, adjust_rows = [], [], []
        for p in range(len(periods)):
            safety = np.maximum(self.min_stock[None, :] * 3 // 2, demand[p] * 3 // 10)
            need = demand[p] + safety * (demand[p] > 0)
            supply = np.maximum(0, need - onhand)
            supply = -(-supply // 1000) * 1000  # whole units
            supply[:, ~stocked | self.manufactured] = 0
            onhand += supply - demand[p]
            for w, product in zip(*np.nonzero(supply), strict=True):
                po_rows.append((p, w, product, supply[w, product]))
            last_day = (period_start[p + 1] - 1) if p + 1 < len(periods) else self.end
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
        self.purchases(po_rows, period_start)

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

        po = self.po_items
        add(
            "IN",
            po["wh"],
            po["product"],
            po["qty"],
            self.po_time[po["order"]] + HOUR,
            "order",
            self.po_ids[po["order"]],
        )
        shipped = self.order_happened[self.item_order, 3] & stocked[self.item_product]
        add(
            "OUT",
            item_wh[shipped],
            self.item_product[shipped],
            self.item_qty[shipped],
            self.order_flow[self.item_order[shipped], 3],
            "order",
            self.order_ids[self.item_order[shipped]],
        )
        prod_ids = self.prod_order_ids[completed]
        add("OUT", comp_wh, comp_product, comp_qty, prod_end[comp_prod], "production", prod_ids[comp_prod])
        add(
            "IN",
            item_wh[prod_item],
            self.item_product[prod_item],
            self.item_qty[prod_item],
            prod_end,
            "production",
            prod_ids,
        )
        if adjust_rows:
            day, wh, product, delta = (np.array(c) for c in zip(*adjust_rows, strict=True))
            when = _seconds(day.astype("datetime64[D]")) + 17 * HOUR
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
            when = _seconds(day.astype("datetime64[D]")) + 18 * HOUR
            add(
                "TRANSFER", src, product, qty, when, "transfer", np.full(len(day), None, dtype=object), frm=src, to=dest
            )
        mv = {k: np.concatenate([m[k] for m in movements]) for k in movements[0]}
        order = np.argsort(mv["when"], kind="stable")
        self.mv = {k: v[order] for k, v in mv.items()}
        self.mv["id"] = self.ids(self.mv["when"])
        # on-hand per (warehouse, product) from the ledger's semantics (stock.md)
        signed = np.where(self.mv["type"] == "OUT", -self.mv["qty"], self.mv["qty"])
        signed = np.where(self.mv["type"] == "TRANSFER", -self.mv["qty"], signed)
        ledger = np.zeros((W, P), dtype=np.int64)
        np.add.at(ledger, (self.mv["wh"], self.mv["product"]), signed)
        transfers = self.mv["type"] == "TRANSFER"
        np.add.at(ledger, (self.mv["to"][transfers], self.mv["product"][transfers]), self.mv["qty"][transfers])
        touched = np.zeros((W, P), bool)
        touched[self.mv["wh"], self.mv["product"]] = True
        touched[self.mv["to"][transfers], self.mv["product"][transfers]] = True
        reserved = np.zeros((W, P), dtype=np.int64)
        open_item = (
            np.isin(self.order_status[self.item_order], ["CONFIRMED", "PROCESSING"]) & stocked[self.item_product]
        )
        open_item &= ~self.manufactured[self.item_product]
        np.add.at(reserved, (item_wh[open_item], self.item_product[open_item]), self.item_qty[open_item])
        assert (ledger >= reserved).all(), "generated stock went below the reserved quantity"
        self.ledger, self.reserved, self.touched = ledger, reserved, touched

    def purchases(self, po_rows: list[tuple], period_start: np.ndarray) -> None:
        """Purchase orders that deliver each period's replenishment on its first morning."""
        period, wh, product, qty = (
            (np.array(c, dtype=np.int64) for c in zip(*po_rows, strict=True))
            if po_rows
            else [np.zeros(0, np.int64)] * 4
        )
        supplier = self.prod_supplier[product]
        keys = np.stack([period, wh, supplier], axis=1) if len(period) else np.zeros((0, 3), np.int64)
        unique, order_of_line = np.unique(keys, axis=0, return_inverse=True)
        order_of_line = order_of_line.ravel()
        count = len(unique)
        self.po_count = count
        self.po_time = _seconds(period_start[unique[:, 0]]) + 5 * HOUR
        self.po_wh, self.po_supplier = unique[:, 1], unique[:, 2]
        self.po_currency = self.cust_currency[self.po_supplier]
        rate = np.array([catalog.FOREIGN_CURRENCIES.get(c, 1.0) for c in self.po_currency])
        unit_price = np.round(self.cost[product] / rate[order_of_line]).astype(np.int64)
        order = np.argsort(order_of_line, kind="stable")
        self.po_items = {
            "order": order_of_line[order],
            "wh": wh[order],
            "product": product[order],
            "qty": qty[order],
            "price": unit_price[order],
        }
        self.po_lines = self.line_amounts(
            self.po_items["qty"], self.po_items["price"], np.zeros(len(order), np.int64), 12
        )
        self.po_totals = {
            k: np.bincount(self.po_items["order"], weights=v, minlength=count).astype(np.int64)
            for k, v in self.po_lines.items()
        }
        self.po_ids = self.ids(self.po_time)
        self.po_item_ids = self.ids(self.po_time[self.po_items["order"]])
        self.po_number = _numbered("PO", self.po_time)
        self.po_user = np.full(count, 3)  # the warehouse head orders replenishment

    # ---- finance: invoices, payments, expenses --------------------------------------------------

    def finance(self) -> None:
        rng = self.rng
        # sales invoices: issued when an order is confirmed
        issued = self.order_happened[:, 1]
        inv_order = np.flatnonzero(issued)
        count = len(inv_order)
        issue_ts = self.order_flow[inv_order, 1]
        issue_day = issue_ts.astype("datetime64[D]")
        customer = self.order_customer[inv_order]
        due = issue_day + self.terms[customer].astype("timedelta64[D]")
        total = self.order_totals["total"][inv_order]
        cancelled = self.order_cancelled[inv_order]
        individual = self.individual[customer]
        # payment behaviour of each invoice
        behaviour = rng.choice(["full", "partial", "never", "failed_first"], count, p=[0.86, 0.07, 0.04, 0.03])
        behaviour[individual] = "full"
        if self.options.inject_anomalies and self.ordinal == 0:
            wave_month = (self.end - min(75, self.options.days // 2)).astype("datetime64[M]")
            wave = (issue_day.astype("datetime64[M]") == wave_month) & ~individual & (rng.random(count) < 0.7)
            behaviour[wave] = "never"
            self.anomalies.append(
                Anomaly(
                    "overdue_invoice_wave",
                    f"{self.name}: {int(wave.sum())} invoices issued in {wave_month} left unpaid (overdue)",
                )
            )
        delay = np.where(
            individual,
            0,
            np.clip(self.terms[customer] * rng.lognormal(-0.1, 0.45, count), 1, 120).astype(np.int64),
        )
        first_day = np.where(
            individual,
            self.order_flow[inv_order, 3].astype("datetime64[D]"),
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
        happened = p_day <= self.end
        p_inv, p_day = p_inv[happened], p_day[happened]
        p_amount = np.concatenate(pay_amount)[happened]
        p_status = np.concatenate(pay_status)[happened]
        paid = np.bincount(p_inv, weights=p_amount * (p_status == "COMPLETED"), minlength=count).astype(np.int64)
        status = np.where(
            paid >= total, "PAID", np.where(paid > 0, "PARTIAL", np.where(due < self.end, "OVERDUE", "SENT"))
        ).astype(object)  # object: a fixed-width numpy string would truncate "CANCELLED"
        status[(issue_day == self.end) & (paid == 0)] = "DRAFT"
        status[cancelled] = "CANCELLED"
        self.inv = {
            "order": inv_order,
            "customer": customer,
            "issue_ts": issue_ts,
            "issue": issue_day,
            "due": due,
            "status": status,
            "paid": paid,
            "type": np.full(count, "SALES"),
            "currency": np.full(count, "KZT"),
            "subtotal": self.order_totals["gross"][inv_order],
            "tax": self.order_totals["tax"][inv_order],
            "discount": self.order_totals["discount"][inv_order],
            "total": total,
            "updated": np.where(cancelled, self.order_cancel_at[inv_order], issue_ts),
            "user": self.order_assigned[inv_order],
        }
        method = np.where(
            individual[p_inv],
            self.pick(["kaspi", "card", "cash"], len(p_inv), p=np.array([0.45, 0.35, 0.2])),
            "transfer",
        )
        kaspi_b2b = (~individual[p_inv]) & (rng.random(len(p_inv)) < 0.1)
        method[kaspi_b2b] = "kaspi"
        self.pay = {
            "invoice": p_inv,
            "amount": p_amount,
            "day": p_day,
            "status": p_status,
            "method": method,
            "type": "INCOMING",
        }
        first_method = pd.Series(method[::-1], index=p_inv[::-1]).groupby(level=0).last()
        order_method = np.full(self.order_count, None, dtype=object)
        order_method[inv_order[first_method.index.to_numpy()]] = first_method.to_numpy()
        self.order_payment_method = order_method
        payment_status = np.full(self.order_count, "PENDING", dtype=object)
        payment_status[inv_order] = np.where(paid >= total, "PAID", np.where(paid > 0, "PARTIAL", "PENDING"))
        self.order_payment_status = payment_status

        # purchase invoices and outgoing payments for the purchase orders
        n = self.po_count
        po_issue = self.po_time.astype("datetime64[D]")
        po_due = po_issue + np.timedelta64(30, "D")
        po_pay_day = po_issue + rng.integers(5, 35, n).astype("timedelta64[D]")
        po_paid_mask = po_pay_day <= self.end
        po_paid = np.where(po_paid_mask, self.po_totals["total"], 0)
        po_status = np.where(po_paid_mask, "PAID", np.where(po_due < self.end, "OVERDUE", "SENT"))
        self.pinv = {
            "issue": po_issue,
            "due": po_due,
            "status": po_status,
            "paid": po_paid,
            "pay_day": po_pay_day,
            "paid_mask": po_paid_mask,
        }
        self.po_payment_status = np.where(po_paid_mask, "PAID", "PENDING")

        # expenses: monthly recurring costs per workspace, and occasional ones
        months = np.arange(self.start.astype("datetime64[M]"), self.end.astype("datetime64[M]") + 1)
        exp_day, exp_cat, exp_amount, exp_ws, exp_emp = [], [], [], [], []
        for category, (low, high), recurring in catalog.EXPENSE_KINDS:
            if recurring:
                for ws in range(self.ws_count):
                    base = rng.integers(low, high) * (1.0 if ws == 0 else 0.5)
                    days = np.maximum(months.astype("datetime64[D]") + 4, self.start)
                    exp_day.append(days)
                    exp_cat.append(np.full(len(days), category))
                    exp_amount.append((base * rng.uniform(0.9, 1.1, len(days)) / 100).astype(np.int64) * 10_000)
                    exp_ws.append(np.full(len(days), ws))
                    exp_emp.append(np.full(len(days), -1))
            else:
                k = rng.poisson(2.5 * self.size * len(months))
                days = self.start + rng.integers(0, self.options.days, k).astype("timedelta64[D]")
                exp_day.append(days)
                exp_cat.append(np.full(k, category))
                exp_amount.append(rng.integers(low, high, k) * 100)
                exp_ws.append(rng.integers(0, self.ws_count, k))
                exp_emp.append(rng.integers(5, self.emp_count, k) if category in ("travel", "fuel") else np.full(k, -1))
        day = np.concatenate(exp_day).astype("datetime64[D]")
        keep = day <= self.end
        order = np.argsort(day[keep], kind="stable")
        self.exp = {
            "day": day[keep][order],
            "category": np.concatenate(exp_cat)[keep][order],
            "amount": np.concatenate(exp_amount)[keep][order],
            "ws": np.concatenate(exp_ws)[keep][order],
            "employee": np.concatenate(exp_emp)[keep][order],
        }
        # sized to the organization's own revenue (a fixed price list gave ~1 % for a large trader);
        # whole hundreds of tenge, as such invoices are
        revenue = int(self.order_totals["total"][~self.order_cancelled].sum())
        amounts = self.exp["amount"].astype(np.float64)
        factor = rng.uniform(*EXPENSE_SHARE) * revenue / max(amounts.sum(), 1.0)
        self.exp["amount"] = np.maximum(np.round(amounts * factor / 10_000), 1).astype(np.int64) * 10_000
        age = (self.end - self.exp["day"]).astype(np.int64)
        status = np.where(age > 10, np.where(rng.random(len(age)) < 0.5, "PAID", "APPROVED"), "PENDING")
        status[(rng.random(len(age)) < 0.04) & (age > 3)] = "REJECTED"
        self.exp["status"] = status

    # ---- HR: leaves and attendance -----------------------------------------------------------

    def hr(self) -> None:
        rng = self.rng
        leave_rows = []  # (employee, type, start, end, status)
        for e in range(self.emp_count):
            hire = self.hire[e]
            stop = self.termination[e] if not np.isnat(self.termination[e]) else self.end
            first = max(hire, self.start)
            year = first.astype("datetime64[Y]")
            taken: list[tuple[np.datetime64, np.datetime64]] = []
            while year <= stop.astype("datetime64[Y]"):
                y0 = year.astype("datetime64[D]")
                plans = [("annual", y0 + int(rng.integers(150, 240)), int(rng.integers(7, 15)))]
                plans += [
                    ("sick", y0 + int(rng.integers(0, 360)), int(rng.integers(1, 6))) for _ in range(rng.poisson(1.0))
                ]
                if rng.random() < 0.12:
                    plans.append(("unpaid", y0 + int(rng.integers(0, 360)), int(rng.integers(1, 4))))
                if self.female[e] and rng.random() < 0.01:
                    plans.append(("maternity", y0 + int(rng.integers(0, 300)), 126))
                for kind, begin, length in plans:
                    finish = begin + (length - 1)
                    if begin < first or finish > stop or any(not (finish < a or begin > b) for a, b in taken):
                        continue
                    taken.append((begin, finish))
                    leave_rows.append((e, kind, begin, finish))
                year += 1
        emp, kind, begin, finish = (
            (np.array(c) for c in zip(*leave_rows, strict=True)) if leave_rows else [np.zeros(0)] * 4
        )
        begin, finish = begin.astype("datetime64[D]"), finish.astype("datetime64[D]")
        requested = _seconds(begin - np.timedelta64(14, "D")) + 10 * HOUR
        status = rng.choice(["APPROVED", "REJECTED", "CANCELLED"], len(emp), p=[0.9, 0.06, 0.04])
        status[kind == "sick"] = "APPROVED"
        status[requested + DAY > self.end_ts] = "PENDING"
        keep = requested <= self.end_ts
        self.leave = {
            "employee": emp[keep].astype(np.int64),
            "type": kind[keep],
            "start": begin[keep],
            "end": finish[keep],
            "status": status[keep],
            "requested": requested[keep],
        }

        # attendance: every working day of employment that is not an approved leave day
        days = np.arange(self.start, self.end + 1)
        working = days[kz_calendar.working_day_mask(days)]
        stop = np.where(np.isnat(self.termination), self.end, self.termination)
        grid = (working[None, :] >= self.hire[:, None]) & (working[None, :] <= stop[:, None])
        approved = self.leave["status"] == "APPROVED"
        for e, a, b in zip(
            self.leave["employee"][approved], self.leave["start"][approved], self.leave["end"][approved], strict=True
        ):
            lo, hi = np.searchsorted(working, a), np.searchsorted(working, b, side="right")
            grid[e, lo:hi] = False
        emp_idx, day_idx = np.nonzero(grid)
        order = np.lexsort((emp_idx, day_idx))
        emp_idx, day_idx = emp_idx[order], day_idx[order]
        n = len(emp_idx)
        status = rng.choice(["PRESENT", "LATE", "HALF_DAY", "ABSENT"], n, p=[0.9, 0.06, 0.025, 0.015])
        check_in = (9 * 3600 + rng.normal(-600, 420, n)).astype(np.int64)
        late = status == "LATE"
        check_in[late] = 9 * 3600 + rng.integers(16 * 60, 100 * 60, late.sum())
        overtime = np.where((rng.random(n) < 0.08) & (status == "PRESENT"), rng.integers(1, 7, n) * 1800, 0)
        work = np.where(status == "HALF_DAY", 4 * 3600, 8 * 3600) + overtime
        check_out = check_in + work + np.where(status == "HALF_DAY", 0, 3600)  # one hour lunch break
        absent = status == "ABSENT"
        self.att = {
            "employee": emp_idx,
            "day": working[day_idx],
            "status": status,
            "in": check_in,
            "out": check_out,
            "hours": np.where(absent, 0, work),
            "overtime": overtime,
            "absent": absent,
        }

    # ---- tasks, projects, calendar, documents, notifications -------------------------------------

    def work(self) -> None:
        rng = self.rng
        n_projects = max(2, int(3 * self.size + self.options.days / 180))
        self.proj_start = self.start + rng.integers(-60, max(self.options.days - 30, 1), n_projects).astype(
            "timedelta64[D]"
        )
        self.proj_ws = rng.integers(0, self.ws_count, n_projects)
        self.proj_owner = rng.choice(self.managers, n_projects)
        days = np.arange(self.start, self.end + 1)
        per_day = 0.06 * self.emp_count * np.where(kz_calendar.working_day_mask(days), 1.0, 0.1)
        created = np.sort(self.business_times(np.repeat(days, rng.poisson(per_day))))
        n = len(created)
        self.task_created = created
        self.task_project = np.where(rng.random(n) < 0.6, rng.integers(0, n_projects, n), -1)
        self.task_assignee = rng.integers(0, self.emp_count, n)
        self.task_assigner = rng.choice(self.managers, n)
        self.task_due = created + (rng.integers(1, 15, n) * 86_400).astype("timedelta64[s]")
        t_start = created + (rng.exponential(1.5, n) * 86_400).astype("timedelta64[s]")
        t_review = t_start + (rng.exponential(3, n) * 86_400).astype("timedelta64[s]")
        t_done = t_review + (rng.exponential(1, n) * 86_400).astype("timedelta64[s]")
        cancelled = rng.random(n) < 0.07
        flow = np.stack([t_start, t_review, t_done], axis=1)
        happened = (flow <= self.end_ts) & ~cancelled[:, None]
        reached = happened.sum(axis=1)
        status = np.array(["TODO", "IN_PROGRESS", "IN_REVIEW", "DONE"])[reached]
        cancel_at = created + (rng.uniform(1, 10, n) * 86_400).astype("timedelta64[s]")
        cancelled &= cancel_at <= self.end_ts
        status[cancelled] = "CANCELLED"
        self.task_status, self.task_flow, self.task_happened = status, flow, happened
        self.task_completed = np.where(status == "DONE", t_done, NAT)
        self.task_cancel_at = cancel_at
        self.task_ids = self.ids(created)
        self.task_title = self.pick(catalog.TASK_TITLES, n)

    # ---- rows -----------------------------------------------------------------------------

    def tables(self) -> Iterator[tuple[str, Columns]]:
        rng = self.rng
        org_id = uuid7(rng, to_ms(self.utc(np.array([self.created]))))[0]
        self.org_id = org_id.decode()
        U, E = self.user_count, self.emp_count
        hire_ts = _seconds(self.hire) + 9 * HOUR
        user_created = np.r_[np.maximum(hire_ts - 7 * DAY, self.created), self.created + HOUR]
        user_ids = self.ids(user_created)
        self.user_created = user_created
        emp_ids = self.ids(hire_ts)
        self._emp_ids = emp_ids
        ws_ids = self.ids(self.ws_created)
        self.user_ids = user_ids
        emails = [f"{kz.latin(self.first[i])}.{kz.latin(self.last[i])}.{i + 1}@{self.domain}" for i in range(U)]
        roles = np.r_[self.emp_role, ["investor"]]
        demo_accounts = self.demo_account_indexes()
        passwords = []
        for i in range(U):
            if self.ordinal == 0 and i in demo_accounts:
                passwords.append(self.password_hashes["demo"])
            else:
                salt = hashlib.sha256(f"{self.options.seed}:{self.ordinal}:{i}".encode()).digest()[:16]
                passwords.append(hash_password(DEMO_PASSWORD, rounds=4, salt_bytes=salt))
        terminated = np.r_[~np.isnat(self.termination), False]
        active = ~terminated
        last_login = np.where(active, _seconds(np.full(U, self.end)) + rng.integers(8, 20, U) * HOUR, NAT)
        yield (
            "users",
            {
                "id": user_ids,
                "email": emails,
                "password": passwords,
                "firstName": self.first[:U],
                "lastName": self.last[:U],
                "phone": [
                    f"+7 70{int(x):1d} {int(y):03d} {int(z):04d}"
                    for x, y, z in zip(
                        rng.integers(0, 8, U), rng.integers(100, 999, U), rng.integers(0, 9999, U), strict=True
                    )
                ],
                "role": roles,
                "status": np.where(active, "active", "inactive"),
                "registrationStatus": np.full(U, "completed"),
                "emailVerified": np.full(U, True),
                "isVerified": np.full(U, True),
                "isActive": active,
                "onboardingCompleted": np.full(U, True),
                "lastLoginAt": self.utc(last_login),
                "createdAt": self.utc(user_created),
                "updatedAt": self.utc(
                    np.where(terminated, _seconds(np.r_[self.termination, [self.end]]) + 18 * HOUR, user_created)
                ),
                "deletedAt": None
                if not terminated.any()
                else self.utc(np.where(terminated, _seconds(np.r_[self.termination, [self.end]]) + 18 * HOUR, NAT)),
            },
        )
        self.add_audit(
            "CREATE",
            "user",
            user_ids,
            np.zeros(U, np.int64),
            user_created,
            new=concat('{"email": "', pa.array(emails), '", "role": "', pa.array(roles), '"}'),
            organization=False,
        )
        # a few password changes, logged with the (hashed) secret: masking must hide it
        changed = np.flatnonzero(rng.random(U) < 0.1)
        when = user_created[changed] + (rng.integers(30, 300, len(changed)) * 86_400).astype("timedelta64[s]")
        keep = when <= self.end_ts
        self.add_audit(
            "UPDATE",
            "user",
            user_ids[changed][keep],
            changed[keep],
            when[keep],
            old=concat('{"password": "', pa.array([passwords[i] for i in changed[keep]], pa.string()), '"}'),
            new=concat(
                '{"password": "',
                pa.array(
                    [
                        hash_password(DEMO_PASSWORD, rounds=4, salt_bytes=bytes(16 - len(str(i))) + str(i).encode())
                        for i in changed[keep]
                    ],
                    pa.string(),
                ),
                '"}',
            ),
        )

        address = json.dumps(
            {
                "country": "KZ",
                "city": self.city[0],
                "street": kz.STREETS[self.ordinal % len(kz.STREETS)] + f", {10 + self.ordinal}",
                "postalCode": self.city[1],
            },
            ensure_ascii=False,
        )
        settings = {"currency": "KZT", "vatRate": 12, "fiscalYearStart": "01-01", "locale": "ru-KZ"}
        if self.ordinal % 2 == 0:
            settings["timezone"] = TIMEZONE  # others rely on the documented default
        yield (
            "organizations",
            {
                "id": np.array([org_id]),
                "name": [self.name],
                "bin": [self.bin],
                "type": ["COMPANY"],
                "industry": [self.industry],
                "size": ["medium" if self.size > 1.1 else "small"],
                "description": [f"{self.industry}, {self.city[0]}"],
                "website": [f"https://{self.domain}"],
                "email": [f"info@{self.domain}"],
                "phone": ["+7 727 300 00 00"],
                "address": [address],
                "settings": [json.dumps(settings)],
                "logo": [None],
                "isActive": [True],
                "createdBy": user_ids[:1],
                "createdAt": self.utc(np.array([self.created])),
                "updatedAt": self.utc(np.array([self.created])),
            },
        )
        org_col = np.full(1, org_id)

        def org(n: int) -> np.ndarray:
            return np.broadcast_to(org_col, (n,))

        W = self.ws_count
        yield (
            "workspaces",
            {
                "id": ws_ids,
                "organizationId": org(W),
                "name": ["Головной офис"] + [f"Филиал {c[0]}" for c in self.ws_city[1:]],
                "type": ["main"] + ["branch"] * (W - 1),
                "description": [f"{c[0]}" for c in self.ws_city],
                "settings": [json.dumps({"city": c[0]}, ensure_ascii=False) for c in self.ws_city],
                "isActive": np.full(W, True),
                "isDefault": np.arange(W) == 0,
                "createdBy": np.broadcast_to(user_ids[:1], (W,)),
                "createdAt": self.utc(self.ws_created),
                "updatedAt": self.utc(self.ws_created),
            },
        )
        # memberships: everyone in their workspace; owner and managers in all; the investor read-only in the head office
        member_user, member_ws, member_role = [], [], []
        for u in range(U):
            if u < 5:
                for w in range(W):
                    member_user.append(u)
                    member_ws.append(w)
                    member_role.append("admin" if u == 0 else "manager")
            else:
                member_user.append(u)
                member_ws.append(0 if u == self.investor else int(self.emp_ws[u]))
                member_role.append("member")
        member_user, member_ws = np.array(member_user), np.array(member_ws)
        joined = np.maximum(user_created[member_user], self.ws_created[member_ws])
        permissions = np.where(member_user == self.investor, '{"readOnly": true}', None).astype(object)
        guest_user, guest_ws, guest_role, guest_joined, guest_permissions = [], [], [], [], []
        for guest in self.guests:
            reach = {"head office": [0], "first branch": [min(1, W - 1)], "all": list(range(W))}[guest.workspaces]
            for w in reach:
                guest_user.append(guest.user_id)
                guest_ws.append(w)
                guest_role.append(guest.membership)
                guest_joined.append(max(guest.created, self.ws_created[w]) + 30 * DAY)
                guest_permissions.append('{"readOnly": true}' if guest.membership == "member" else None)
        guest_joined_at = np.array(guest_joined, dtype="datetime64[s]")
        all_joined = np.r_[joined, guest_joined_at]
        yield (
            "workspace_users",
            {
                "id": self.ids(all_joined),
                "workspaceId": ws_ids[np.r_[member_ws, np.array(guest_ws, dtype=np.int64)]],
                "userId": np.r_[user_ids[member_user], np.array(guest_user, dtype=user_ids.dtype)],
                "role": member_role + guest_role,
                "permissions": np.r_[permissions, np.array(guest_permissions, dtype=object)],
                "isActive": np.r_[active[member_user], np.ones(len(guest_user), dtype=bool)],
                "joinedAt": self.utc(all_joined),
                "createdAt": self.utc(all_joined),
                "updatedAt": self.utc(all_joined),
            },
        )

        # departments: the head office's tree, and a sales office per branch under it
        keys = list(catalog.DEPARTMENTS)
        dept_names = [catalog.DEPARTMENTS[k] for k in keys] + [f"Продажи — {c[0]}" for c in self.ws_city[1:]]
        dept_ws = np.r_[np.zeros(len(keys), np.int64), np.arange(1, W)]
        dept_parent = np.r_[-1, np.zeros(len(keys) - 1, np.int64), np.full(W - 1, keys.index("sales"))]
        dept_created = np.full(len(dept_names), self.created + HOUR)
        dept_ids = self.ids(dept_created)
        emp_dept = np.array([keys.index(d) for d in self.emp_dept])
        branch_sales = (self.emp_ws > 0) & (np.array(self.emp_dept) == "sales")
        emp_dept[branch_sales] = len(keys) - 1 + self.emp_ws[branch_sales]
        heads = np.array([0, 1, 3, 4, 2, 2] + [1] * (W - 1))
        yield (
            "departments",
            {
                "id": dept_ids,
                "organizationId": org(len(dept_ids)),
                "workspaceId": ws_ids[dept_ws],
                "parentId": np.where(dept_parent >= 0, dept_ids[np.maximum(dept_parent, 0)], None).astype(object),
                "name": dept_names,
                "code": [f"D{i + 1:02d}" for i in range(len(dept_ids))],
                "headEmployeeId": emp_ids[heads],
                "isActive": np.full(len(dept_ids), True),
                "createdBy": np.broadcast_to(user_ids[:1], (len(dept_ids),)),
                "createdAt": self.utc(dept_created),
                "updatedAt": self.utc(dept_created),
            },
        )
        birth = self.hire - (rng.integers(21, 64, E) * 365.25).astype("timedelta64[D]")
        birth[: E // 15] = np.datetime64("1958-03-14") + rng.integers(0, 3000, E // 15).astype("timedelta64[D]")
        pensioner = (self.hire.astype("datetime64[Y]") - birth.astype("datetime64[Y]")).astype(int) >= np.where(
            self.female[:E], 61, 63
        )
        resident = rng.random(E) >= 0.03
        deduction = rng.random(E) >= 0.1
        infos = []
        for e in range(E):
            born = birth[e].astype(dt.date)
            info: dict[str, Any] = {
                "iin": kz.make_iin(rng, born, bool(self.female[e])),
                "birthDate": born.isoformat(),
                "gender": "F" if self.female[e] else "M",
                "pensioner": bool(pensioner[e]),
            }
            if not resident[e] or e % 3 == 0:
                info["resident"] = bool(resident[e])
            if not deduction[e] or e % 4 == 0:
                info["ipnDeduction"] = bool(deduction[e])
            infos.append(json.dumps(info))
        status = np.where(np.isnat(self.termination), "active", "terminated")
        emp_ws_col = np.where(rng.random(E) < 0.1, None, ws_ids[self.emp_ws]).astype(object)
        emp_ws_col[:5] = ws_ids[0]
        yield (
            "employees",
            {
                "id": emp_ids,
                "userId": user_ids[:E],
                "organizationId": org(E),
                "workspaceId": emp_ws_col,
                "departmentId": dept_ids[emp_dept],
                "employeeCode": [f"E{i + 1:04d}" for i in range(E)],
                "position": self.position,
                "organizationRole": self.emp_role,
                "hireDate": self.hire,
                "salary": _money(self.salary),
                "currency": np.full(E, "KZT"),
                "status": status,
                "personalInfo": infos,
                "documents": [
                    json.dumps([{"type": "contract", "number": f"ТД-{i + 1:04d}"}], ensure_ascii=False)
                    for i in range(E)
                ],
                "createdBy": np.broadcast_to(user_ids[:1], (E,)),
                "createdAt": self.utc(hire_ts),
                "updatedAt": self.utc(
                    np.where(np.isnat(self.termination), hire_ts, _seconds(self.termination) + 18 * HOUR)
                ),
                "deletedAt": None,
            },
        )
        self.add_audit(
            "CREATE",
            "employee",
            emp_ids,
            np.zeros(E, np.int64),
            hire_ts,
            new=concat('{"position": "', pa.array(self.position), '", "salary": ', pa.array(_money(self.salary)), "}"),
        )
        gone = np.flatnonzero(~np.isnat(self.termination))
        self.add_audit(
            "UPDATE",
            "employee",
            emp_ids[gone],
            np.zeros(len(gone), np.int64),
            _seconds(self.termination[gone]) + 18 * HOUR,
            old='{"status": "active"}',
            new='{"status": "terminated"}',
        )

        # customers and their contacts
        C = self.cust_count
        cust_ids = self.ids(self.cust_created)
        firsts, lasts, female = kz.person_names(rng, C * 3)
        names, bins, contact_arrays = [], [], []
        cc_customer, cc_first, cc_last, cc_position, cc_primary = [], [], [], [], []
        for c in range(C):
            if self.individual[c]:
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
        city = [self.ws_city[w][0] for w in self.cust_ws]
        cust_address = [json.dumps({"country": "KZ", "city": c}, ensure_ascii=False) for c in city]
        sales_total = np.bincount(
            self.order_customer, weights=self.order_totals["total"] * ~self.order_cancelled, minlength=C
        )
        live_inv = self.inv["status"] != "CANCELLED"
        balance = np.bincount(
            self.inv["customer"][live_inv], weights=(self.inv["total"] - self.inv["paid"])[live_inv], minlength=C
        )
        last_order = np.full(C, NAT)
        np.maximum.at(last_order.view(np.int64), self.order_customer, self.order_time.view(np.int64))
        last_order[last_order.view(np.int64) == np.iinfo(np.int64).min] = NAT
        vip = np.percentile(sales_total, 95)  # the top 5% of buyers by revenue
        tags = [
            ["supplier"] if s else (["vip"] if t > vip else ["b2c"] if i else [])
            for s, t, i in zip(self.supplier, sales_total, self.individual, strict=True)
        ]
        yield (
            "customers",
            {
                "id": cust_ids,
                "organizationId": org(C),
                "workspaceId": ws_ids[self.cust_ws],
                "name": names,
                "type": np.where(self.individual, "INDIVIDUAL", "COMPANY"),
                "bin": bins,
                "email": [
                    f"client{c + 1}@{kz.latin(n.split('«')[-1].rstrip('»').split()[0]) if '«' in n else 'mail'}.kz"
                    for c, n in enumerate(names)
                ],
                "phone": [f"+7 70{c % 8} {100 + c % 900:03d} {c % 10000:04d}" for c in range(C)],
                "industry": np.where(self.supplier, "supplier", np.where(self.individual, None, self.industry)).astype(
                    object
                ),
                "size": np.where(self.individual, None, self.pick(["small", "medium", "large"], C)).astype(object),
                "rating": rng.integers(0, 6, C),
                "status": np.where(rng.random(C) < 0.02, "inactive", "active"),
                "tags": pg_array(tags),
                "address": cust_address,
                "billingAddress": cust_address,
                "shippingAddress": cust_address,
                "contacts": pg_array(contact_arrays),
                "creditLimit": np.where(self.individual, np.nan, rng.integers(10, 500, C) * 100_000.0),
                "balance": _money(np.round(balance).astype(np.int64)),
                "totalPurchases": _money(np.round(sales_total).astype(np.int64)),
                "lastContactDate": self.utc(last_order),
                "assignedTo": user_ids[self.assigned_sales],
                "createdBy": user_ids[self.assigned_sales],
                "createdAt": self.utc(self.cust_created),
                "updatedAt": self.utc(np.where(np.isnat(last_order), self.cust_created, last_order)),
            },
        )
        self.add_audit(
            "CREATE",
            "customer",
            cust_ids,
            self.assigned_sales,
            self.cust_created,
            new=concat('{"name": ', pa.array([json.dumps(n, ensure_ascii=False) for n in names]), "}"),
        )
        cc_customer = np.array(cc_customer, dtype=np.int64)
        yield (
            "customer_contacts",
            {
                "id": self.ids(self.cust_created[cc_customer]),
                "customerId": cust_ids[cc_customer],
                "firstName": cc_first,
                "lastName": cc_last,
                "position": cc_position,
                "email": [f"{kz.latin(f)}.{kz.latin(la)}@mail.kz" for f, la in zip(cc_first, cc_last, strict=True)],
                "phone": [f"+7 701 {i % 1000:03d} {i % 10000:04d}" for i in range(len(cc_customer))],
                "mobile": [f"+7 777 {i % 1000:03d} {(i * 7) % 10000:04d}" for i in range(len(cc_customer))],
                "isPrimary": cc_primary,
                "createdAt": self.utc(self.cust_created[cc_customer]),
                "updatedAt": self.utc(self.cust_created[cc_customer]),
            },
        )

        # product catalogue
        roots = list(catalog.CATEGORY_TREE)
        cat_names, cat_parent = [], []
        for r, root in enumerate(roots):
            cat_names.append(root)
            cat_parent.append(-1)
            for child in catalog.CATEGORY_TREE[root]:
                cat_names.append(child)
                cat_parent.append(r if r == 0 else cat_names.index(root))
        cat_parent = np.array(cat_parent)
        cat_created = np.full(len(cat_names), self.created + 2 * HOUR)
        cat_ids = self.ids(cat_created)
        yield (
            "product_categories",
            {
                "id": cat_ids,
                "organizationId": org(len(cat_ids)),
                "parentId": np.where(cat_parent >= 0, cat_ids[np.maximum(cat_parent, 0)], None).astype(object),
                "name": cat_names,
                "code": [f"C{i + 1:02d}" for i in range(len(cat_ids))],
                "sortOrder": np.arange(len(cat_ids)),
                "isActive": np.full(len(cat_ids), True),
                "createdAt": self.utc(cat_created),
                "updatedAt": self.utc(cat_created),
            },
        )
        leaf_of = {
            "PRODUCT": [
                n
                for n in cat_names
                if n
                in (
                    "Отделка",
                    "Пиломатериалы",
                    "Электрика и сантехника",
                    "Бакалея",
                    "Молочная продукция",
                    "Электроника",
                    "Мебель",
                    "Канцтовары",
                )
            ],
            "MATERIAL": ["Металл", "Древесные плиты", "Расходные материалы"],
            "SERVICE": ["Услуги"],
        }
        prod_cat = np.array([cat_names.index(leaf_of[t][i % len(leaf_of[t])]) for i, t in enumerate(self.prod_type)])
        P = self.prod_count
        prod_ids = self.ids(self.prod_created)
        current = self.ledger.sum(axis=0)
        reserved = self.reserved.sum(axis=0)
        yield (
            "products",
            {
                "id": prod_ids,
                "organizationId": org(P),
                "workspaceId": ws_ids[self.prod_ws],
                "categoryId": cat_ids[prod_cat],
                "code": [f"P-{i + 1:05d}" for i in range(P)],
                "barcode": kz.ean13(self.ordinal * 100_000 + np.arange(P)),
                "name": self.prod_name,
                "type": self.prod_type,
                "unit": self.prod_unit,
                "price": _money(self.price),
                "cost": _money(self.cost),
                "currency": np.full(P, "KZT"),
                "taxRate": np.full(P, 12.0),
                "minStock": _qty(self.min_stock),
                "maxStock": _qty(self.min_stock * 20),
                "currentStock": _qty(current),
                "reservedStock": _qty(reserved),
                "weight": np.where(self.prod_unit == "шт", rng.integers(100, 30000, P) / 1000, np.nan),
                "specifications": [
                    json.dumps({"batchTracked": bool(b), "madeToOrder": bool(m)})
                    for b, m in zip(self.prod_batch, self.manufactured, strict=True)
                ],
                "status": self.prod_status,
                "createdBy": np.broadcast_to(user_ids[3:4], (P,)),
                "createdAt": self.utc(self.prod_created),
                "updatedAt": self.utc(self.prod_created),
            },
        )
        self.add_audit(
            "CREATE",
            "product",
            prod_ids,
            np.full(P, 3),
            self.prod_created,
            new=concat(
                '{"code": "P-',
                pa.array([f"{i + 1:05d}" for i in range(P)]),
                '", "price": ',
                pa.array(_money(self.price)),
                "}",
            ),
        )
        bom_product, bom_component, bom_qty = self.bom
        bom_created = self.prod_created[bom_product] + HOUR
        yield (
            "production_bom",
            {
                "id": self.ids(bom_created),
                "organizationId": org(len(bom_product)),
                "productId": prod_ids[bom_product],
                "componentId": prod_ids[bom_component],
                "quantity": _qty(bom_qty),
                "unit": self.prod_unit[bom_component],
                "isActive": np.full(len(bom_product), True),
                "createdAt": self.utc(bom_created),
                "updatedAt": self.utc(bom_created),
            },
        )
        wh_created = self.ws_created + HOUR
        wh_ids = self.ids(wh_created)
        yield (
            "warehouses",
            {
                "id": wh_ids,
                "organizationId": org(W),
                "workspaceId": ws_ids[self.wh_ws],
                "name": ["Основной склад"] + [f"Склад {c[0]}" for c in self.ws_city[1:]],
                "code": [f"WH{i + 1:02d}" for i in range(W)],
                "type": ["MAIN"] + ["BRANCH"] * (W - 1),
                "address": [json.dumps({"city": c[0]}, ensure_ascii=False) for c in self.ws_city],
                "managerId": user_ids[self.wh_manager],
                "capacity": np.full(W, 5000.0),
                "currentUtilization": rng.uniform(35, 85, W).round(2),
                "isActive": np.full(W, True),
                "createdAt": self.utc(wh_created),
                "updatedAt": self.utc(wh_created),
            },
        )

        # deals
        D = self.deal_count
        deal_cust = self.deal_customer
        probability = np.array([STAGE_PROBABILITY[s] for s in self.deal_stage])
        close_at = np.where(np.isnat(self.won_at), self.lost_at, self.won_at)
        yield (
            "deals",
            {
                "id": self.deal_ids,
                "organizationId": org(D),
                "workspaceId": ws_ids[self.cust_ws[deal_cust]],
                "customerId": cust_ids[deal_cust],
                "title": [f"Сделка: {names[c]}" for c in deal_cust],
                "value": _money(self.deal_value),
                "currency": np.full(D, "KZT"),
                "stage": self.deal_stage,
                "probability": probability,
                "expectedCloseDate": (self.deal_created + 30 * DAY).astype("datetime64[D]"),
                "actualCloseDate": close_at.astype("datetime64[D]"),
                "wonAt": self.utc(self.won_at),
                "lostAt": self.utc(self.lost_at),
                "lostReason": np.where(np.isnat(self.lost_at), None, self.pick(catalog.LOST_REASONS, D)).astype(object),
                "source": self.pick(catalog.DEAL_SOURCES, D),
                "assignedTo": user_ids[self.deal_assigned],
                "createdBy": user_ids[self.deal_assigned],
                "createdAt": self.utc(self.deal_created),
                "updatedAt": self.utc(np.where(np.isnat(close_at), self.deal_created, close_at)),
            },
        )
        self.add_audit(
            "CREATE",
            "deal",
            self.deal_ids,
            self.deal_assigned,
            self.deal_created,
            new=concat('{"stage": "NEW", "value": ', pa.array(_money(self.deal_value)), "}"),
        )
        act_deal, act_type, act_time = [], [], []
        for idx, old, new, when in self.deal_transitions:
            before = (
                f'{{"stage": "{old}"}}'
                if old
                else concat('{"stage": "', pa.array(np.array(STAGES)[self.deal_reached[idx]]), '"}')
            )
            self.add_audit(
                "UPDATE",
                "deal",
                self.deal_ids[idx],
                self.deal_assigned[idx],
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
        extra_time = self.deal_created[extra] + (rng.uniform(0.1, 10, len(extra)) * 86_400).astype("timedelta64[s]")
        act_deal.append(extra)
        act_type.append(self.pick(["call", "email"], len(extra)))
        act_time.append(extra_time)
        a_deal, a_type, a_time = np.concatenate(act_deal), np.concatenate(act_type), np.concatenate(act_time)
        done = a_time <= self.end_ts
        a_created = np.minimum(a_time, self.end_ts)
        yield (
            "deal_products",
            {
                "id": self.ids(self.deal_created[self.dp_deal]),
                "dealId": self.deal_ids[self.dp_deal],
                "productId": prod_ids[self.dp_product],
                "quantity": _qty(self.dp_qty),
                "unitPrice": _money(self.price[self.dp_product]),
                "discount": self.dp_discount.astype(float),
                "tax": np.full(len(self.dp_deal), 12.0),
                "totalPrice": _money(self.dp_lines["total"]),
                "createdAt": self.utc(self.deal_created[self.dp_deal]),
                "updatedAt": self.utc(self.deal_created[self.dp_deal]),
            },
        )
        yield (
            "deal_activities",
            {
                "id": self.ids(a_created),
                "dealId": self.deal_ids[a_deal],
                "type": a_type,
                "subject": np.char.add("Клиент: ", np.array([names[c] for c in deal_cust[a_deal]], dtype=str))
                if len(a_deal)
                else [],
                "outcome": np.where(done, "completed", None).astype(object),
                "scheduledAt": self.utc(a_time),
                "completedAt": self.utc(np.where(done, a_time, NAT)),
                "duration": np.where(a_type == "meeting", 60, 15),
                "assignedTo": user_ids[self.deal_assigned[a_deal]],
                "createdBy": user_ids[self.deal_assigned[a_deal]],
                "createdAt": self.utc(a_created),
                "updatedAt": self.utc(a_created),
            },
        )

        yield from self.order_tables(org, ws_ids, user_ids, cust_ids, prod_ids, wh_ids, names)
        yield from self.hr_tables(org, ws_ids, user_ids, emp_ids)
        yield from self.work_tables(org, ws_ids, user_ids)
        yield "audit_logs", self.audit_rows(org_id, user_ids)

    def order_tables(self, org, ws_ids, user_ids, cust_ids, prod_ids, wh_ids, names) -> Iterator[tuple[str, Columns]]:
        rng = self.rng
        n = self.order_count
        flow, happened = self.order_flow, self.order_happened
        last_event = np.where(happened, flow, NAT).max(axis=1, initial=None) if n else np.zeros(0, "datetime64[s]")
        updated = np.where(self.order_cancelled, self.order_cancel_at, last_event)
        delivered = happened[:, 4]
        yield (
            "orders",
            self.order_columns(
                ids=self.order_ids,
                org=org(n),
                ws=ws_ids[self.order_ws],
                number=self.order_number,
                kind="SALES",
                customer=cust_ids[self.order_customer],
                deal=np.where(self.order_deal >= 0, self.deal_ids[np.maximum(self.order_deal, 0)], None).astype(object),
                status=self.order_status,
                time=self.order_time,
                expected=(self.order_time + 3 * DAY).astype("datetime64[D]"),
                actual=np.where(delivered, flow[:, 4], NAT).astype("datetime64[D]"),
                totals=self.order_totals,
                currency=np.full(n, "KZT"),
                payment_status=self.order_payment_status,
                method=self.order_payment_method,
                user=user_ids[self.order_assigned],
                updated=updated,
            ),
        )
        po = self.po_count
        po_status_flow = np.full(po, "DELIVERED")
        yield (
            "orders",
            self.order_columns(
                ids=self.po_ids,
                org=org(po),
                ws=ws_ids[self.wh_ws[self.po_wh]],
                number=self.po_number,
                kind="PURCHASE",
                customer=cust_ids[self.po_supplier],
                deal=None,
                status=po_status_flow,
                time=self.po_time,
                expected=self.po_time.astype("datetime64[D]"),
                actual=self.po_time.astype("datetime64[D]"),
                totals=self.po_totals,
                currency=self.po_currency,
                payment_status=self.po_payment_status,
                method=np.where(self.pinv["paid_mask"], "transfer", None).astype(object),
                user=user_ids[self.po_user],
                updated=self.po_time + HOUR,
            ),
        )
        oi = self.item_order
        yield (
            "order_items",
            {
                "id": self.item_ids,
                "orderId": self.order_ids[oi],
                "productId": prod_ids[self.item_product],
                "quantity": _qty(self.item_qty),
                "unitPrice": _money(self.item_price),
                "discount": self.item_discount.astype(float),
                "tax": np.full(len(oi), 12.0),
                "totalPrice": _money(self.item_lines["total"]),
                "createdAt": self.utc(self.order_time[oi]),
                "updatedAt": self.utc(self.order_time[oi]),
            },
        )
        pi = self.po_items
        yield (
            "order_items",
            {
                "id": self.po_item_ids,
                "orderId": self.po_ids[pi["order"]],
                "productId": prod_ids[pi["product"]],
                "quantity": _qty(pi["qty"]),
                "unitPrice": _money(pi["price"]),
                "discount": np.zeros(len(pi["order"])),
                "tax": np.full(len(pi["order"]), 12.0),
                "totalPrice": _money(self.po_lines["total"]),
                "createdAt": self.utc(self.po_time[pi["order"]]),
                "updatedAt": self.utc(self.po_time[pi["order"]]),
            },
        )
        # audit: creation and every status change of an order
        self.add_audit(
            "CREATE",
            "order",
            self.order_ids,
            self.order_assigned,
            self.order_time,
            new=concat(
                '{"orderNumber": "',
                pa.array(self.order_number),
                '", "status": "PENDING", "totalAmount": ',
                pa.array(_money(self.order_totals["total"])),
                "}",
            ),
        )
        for k in range(1, 5):
            idx = np.flatnonzero(happened[:, k])
            self.add_audit(
                "UPDATE",
                "order",
                self.order_ids[idx],
                self.order_assigned[idx],
                flow[idx, k],
                old=f'{{"status": "{ORDER_FLOW[k - 1]}"}}',
                new=f'{{"status": "{ORDER_FLOW[k]}"}}',
            )
        idx = np.flatnonzero(self.order_cancelled)
        self.add_audit(
            "UPDATE",
            "order",
            self.order_ids[idx],
            self.order_assigned[idx],
            self.order_cancel_at[idx],
            old=concat('{"status": "', pa.array(np.array(ORDER_FLOW)[happened[idx].sum(axis=1) - 1]), '"}'),
            new='{"status": "CANCELLED"}',
        )
        self.add_audit(
            "CREATE",
            "order",
            self.po_ids,
            self.po_user,
            self.po_time,
            new=concat(
                '{"orderNumber": "',
                pa.array(self.po_number),
                '", "type": "PURCHASE", "totalAmount": ',
                pa.array(_money(self.po_totals["total"])),
                "}",
            ),
        )
        self.add_audit(
            "UPDATE",
            "order",
            self.po_ids,
            self.po_user,
            self.po_time + HOUR,
            old='{"status": "PENDING"}',
            new='{"status": "DELIVERED"}',
        )

        # production orders and their operations
        item = self.prod_order_item
        m = len(item)
        order_of = self.item_order[item]
        status = self.prod_order_status
        started = status != "PLANNED"
        yield (
            "production_orders",
            {
                "id": self.prod_order_ids,
                "organizationId": org(m),
                "workspaceId": ws_ids[self.order_ws[order_of]],
                "orderNumber": self.prod_order_number,
                "orderId": self.order_ids[order_of],
                "productId": prod_ids[self.item_product[item]],
                "quantity": _qty(self.item_qty[item]),
                "completedQuantity": _qty(np.where(status == "COMPLETED", self.item_qty[item], 0)),
                "status": status,
                "priority": self.pick(["NORMAL", "NORMAL", "HIGH", "LOW", "URGENT"], m),
                "plannedStartDate": self.utc(self.prod_order_start),
                "plannedEndDate": self.utc(self.prod_order_end),
                "actualStartDate": self.utc(np.where(started & (status != "CANCELLED"), self.prod_order_start, NAT)),
                "actualEndDate": self.utc(np.where(status == "COMPLETED", self.prod_order_end, NAT)),
                "assignedTo": np.broadcast_to(user_ids[4:5], (m,)),
                "createdBy": user_ids[self.order_assigned[order_of]],
                "createdAt": self.utc(self.order_flow[order_of, 1]),
                "updatedAt": self.utc(
                    np.where(status == "COMPLETED", self.prod_order_end, self.order_flow[order_of, 1])
                ),
            },
        )
        self.add_audit(
            "CREATE",
            "production_order",
            self.prod_order_ids,
            np.full(m, 4),
            self.order_flow[order_of, 1],
            new=concat('{"orderNumber": "', pa.array(self.prod_order_number), '", "status": "PLANNED"}'),
        )
        done = np.flatnonzero(status == "COMPLETED")
        self.add_audit(
            "UPDATE",
            "production_order",
            self.prod_order_ids[done],
            np.full(len(done), 4),
            self.prod_order_end[done],
            old='{"status": "IN_PROGRESS"}',
            new='{"status": "COMPLETED"}',
        )
        operations = ["Подготовка материалов", "Сборка", "Контроль качества"]
        wo_prod = np.repeat(np.arange(m), 3)
        step = np.tile(np.arange(3), m)
        span = (self.prod_order_end - self.prod_order_start)[wo_prod] // 3
        wo_start = self.prod_order_start[wo_prod] + span * step
        wo_end = wo_start + span
        wo_status = np.where(
            status[wo_prod] == "CANCELLED",
            "CANCELLED",
            np.where(wo_end <= self.end_ts, "COMPLETED", np.where(wo_start <= self.end_ts, "IN_PROGRESS", "PENDING")),
        )
        work_centers = uuid7(rng, to_ms(self.utc(np.full(3, self.created))))
        yield (
            "work_orders",
            {
                "id": self.ids(self.order_flow[order_of[wo_prod], 1]),
                "productionOrderId": self.prod_order_ids[wo_prod],
                "workOrderNumber": [f"WO-{self.org_id[-8:]}-{i + 1:07d}" for i in range(len(wo_prod))],
                "operation": np.array(operations)[step],
                "workCenterId": work_centers[step],
                "quantity": _qty(self.item_qty[item][wo_prod]),
                "completedQuantity": _qty(np.where(wo_status == "COMPLETED", self.item_qty[item][wo_prod], 0)),
                "status": wo_status,
                "assignedTo": user_ids[rng.integers(5, self.emp_count, len(wo_prod))],
                "startTime": self.utc(np.where(wo_status != "PENDING", wo_start, NAT)),
                "endTime": self.utc(np.where(wo_status == "COMPLETED", wo_end, NAT)),
                "duration": (span / np.timedelta64(60, "s")).astype(np.int64),
                "createdAt": self.utc(self.order_flow[order_of[wo_prod], 1]),
                "updatedAt": self.utc(self.order_flow[order_of[wo_prod], 1]),
            },
        )

        # invoices: sales invoices of confirmed orders, purchase invoices of deliveries
        inv = self.inv
        k = len(inv["order"])
        inv_ids = self.ids(inv["issue_ts"])
        self.inv_ids = inv_ids
        inv_numbers = _numbered("INV", inv["issue_ts"])
        pk = self.po_count
        pinv_time = self.po_time + 2 * HOUR
        pinv_ids = self.ids(pinv_time)
        yield (
            "invoices",
            {
                "id": inv_ids,
                "organizationId": org(k),
                "workspaceId": ws_ids[self.order_ws[inv["order"]]],
                "invoiceNumber": inv_numbers,
                "type": inv["type"],
                "customerId": cust_ids[inv["customer"]],
                "orderId": self.order_ids[inv["order"]],
                "dealId": np.where(
                    self.order_deal[inv["order"]] >= 0,
                    self.deal_ids[np.maximum(self.order_deal[inv["order"]], 0)],
                    None,
                ).astype(object),
                "status": inv["status"],
                "issueDate": inv["issue"],
                "dueDate": inv["due"],
                "subtotal": _money(inv["subtotal"]),
                "taxAmount": _money(inv["tax"]),
                "discountAmount": _money(inv["discount"]),
                "totalAmount": _money(inv["total"]),
                "paidAmount": _money(inv["paid"]),
                "currency": inv["currency"],
                "createdBy": user_ids[inv["user"]],
                "createdAt": self.utc(inv["issue_ts"]),
                "updatedAt": self.utc(inv["updated"]),
            },
        )
        yield (
            "invoices",
            {
                "id": pinv_ids,
                "organizationId": org(pk),
                "workspaceId": ws_ids[self.wh_ws[self.po_wh]],
                "invoiceNumber": _numbered("PINV", pinv_time),
                "type": np.full(pk, "PURCHASE"),
                "customerId": cust_ids[self.po_supplier],
                "orderId": self.po_ids,
                "status": self.pinv["status"],
                "issueDate": self.pinv["issue"],
                "dueDate": self.pinv["due"],
                "subtotal": _money(self.po_totals["gross"]),
                "taxAmount": _money(self.po_totals["tax"]),
                "discountAmount": _money(self.po_totals["discount"]),
                "totalAmount": _money(self.po_totals["total"]),
                "paidAmount": _money(self.pinv["paid"]),
                "currency": self.po_currency,
                "createdBy": user_ids[self.po_user],
                "createdAt": self.utc(pinv_time),
                "updatedAt": self.utc(pinv_time),
            },
        )
        self.add_audit(
            "CREATE",
            "invoice",
            inv_ids,
            inv["user"],
            inv["issue_ts"],
            new=concat(
                '{"invoiceNumber": "', pa.array(inv_numbers), '", "totalAmount": ', pa.array(_money(inv["total"])), "}"
            ),
        )
        self.add_audit(
            "CREATE",
            "invoice",
            pinv_ids,
            self.po_user,
            pinv_time,
            new=concat('{"type": "PURCHASE", "totalAmount": ', pa.array(_money(self.po_totals["total"])), "}"),
        )
        oi_of_inv = np.flatnonzero(np.isin(self.item_order, inv["order"]))
        inv_of_order = np.full(self.order_count, -1)
        inv_of_order[inv["order"]] = np.arange(k)
        ii_inv = inv_of_order[self.item_order[oi_of_inv]]
        yield (
            "invoice_items",
            {
                "id": self.ids(inv["issue_ts"][ii_inv]),
                "invoiceId": inv_ids[ii_inv],
                "productId": prod_ids[self.item_product[oi_of_inv]],
                "description": np.array(self.prod_name)[self.item_product[oi_of_inv]],
                "quantity": _qty(self.item_qty[oi_of_inv]),
                "unitPrice": _money(self.item_price[oi_of_inv]),
                "discount": self.item_discount[oi_of_inv].astype(float),
                "tax": np.full(len(oi_of_inv), 12.0),
                "totalPrice": _money(self.item_lines["total"][oi_of_inv]),
                "createdAt": self.utc(inv["issue_ts"][ii_inv]),
                "updatedAt": self.utc(inv["issue_ts"][ii_inv]),
            },
        )
        yield (
            "invoice_items",
            {
                "id": self.ids(pinv_time[pi["order"]]),
                "invoiceId": pinv_ids[pi["order"]],
                "productId": prod_ids[pi["product"]],
                "description": np.array(self.prod_name)[pi["product"]],
                "quantity": _qty(pi["qty"]),
                "unitPrice": _money(pi["price"]),
                "discount": np.zeros(len(pi["order"])),
                "tax": np.full(len(pi["order"]), 12.0),
                "totalPrice": _money(self.po_lines["total"]),
                "createdAt": self.utc(pinv_time[pi["order"]]),
                "updatedAt": self.utc(pinv_time[pi["order"]]),
            },
        )

        # payments: incoming for sales invoices, outgoing for purchase invoices
        pay = self.pay
        paid_po = np.flatnonzero(self.pinv["paid_mask"])
        day = np.r_[pay["day"], self.pinv["pay_day"][paid_po]].astype("datetime64[D]")
        when = _seconds(day) + (rng.uniform(9.5, 18, len(day)) * 3600).astype("timedelta64[s]")
        invoice = np.r_[inv_ids[pay["invoice"]], pinv_ids[paid_po]]
        customer = np.r_[cust_ids[inv["customer"][pay["invoice"]]], cust_ids[self.po_supplier[paid_po]]]
        ws = np.r_[self.order_ws[inv["order"][pay["invoice"]]], self.wh_ws[self.po_wh[paid_po]]]
        amount = np.r_[pay["amount"], self.po_totals["total"][paid_po]]
        kind = np.r_[np.full(len(pay["day"]), "INCOMING"), np.full(len(paid_po), "OUTGOING")]
        pay_ids = self.ids(when)
        pay_numbers = _numbered("PMT", when)
        status = np.r_[pay["status"], np.full(len(paid_po), "COMPLETED")]
        method = np.r_[pay["method"], np.full(len(paid_po), "transfer")]
        currency = np.r_[np.full(len(pay["day"]), "KZT"), self.po_currency[paid_po]]
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
                "amount": _money(amount),
                "currency": currency,
                "paymentMethod": method,
                "paymentDate": day,
                "referenceNumber": np.where(
                    method == "kaspi", np.char.add("KSP", rng.integers(10**9, 10**10, len(day)).astype(str)), None
                ).astype(object),
                "status": status,
                "createdBy": user_ids[payer],
                "createdAt": self.utc(when),
                "updatedAt": self.utc(when),
            },
        )
        self.add_audit(
            "CREATE",
            "payment",
            pay_ids,
            payer,
            when,
            new=concat(
                '{"paymentNumber": "',
                pa.array(pay_numbers),
                '", "amount": ',
                pa.array(_money(amount)),
                ', "status": "',
                pa.array(status),
                '"}',
            ),
        )

        exp = self.exp
        x = len(exp["day"])
        exp_time = _seconds(exp["day"]) + (rng.uniform(9.5, 18, x) * 3600).astype("timedelta64[s]")
        approved = np.isin(exp["status"], ["APPROVED", "PAID", "REJECTED"])
        approved_at = np.where(approved, exp_time + DAY, NAT)
        suppliers = np.flatnonzero(self.supplier)
        vendor = np.where(
            np.isin(exp["category"], ["rent", "utilities", "communication", "repairs"]),
            cust_ids[suppliers[rng.integers(0, len(suppliers), x)]],
            None,
        ).astype(object)
        exp_ids = self.ids(exp_time)
        creator = np.where(exp["employee"] >= 0, exp["employee"], 2)
        yield (
            "expenses",
            {
                "id": exp_ids,
                "organizationId": org(x),
                "workspaceId": ws_ids[exp["ws"]],
                "expenseNumber": _numbered("EXP", exp_time),
                "category": exp["category"],
                "description": exp["category"],
                "amount": _money(exp["amount"]),
                "currency": np.full(x, "KZT"),
                "expenseDate": exp["day"],
                "paymentMethod": np.where(exp["employee"] >= 0, "card", "transfer"),
                "vendorId": vendor,
                "employeeId": np.where(exp["employee"] >= 0, self.emp_id_of(exp["employee"]), None).astype(object),
                "status": exp["status"],
                "approvedBy": np.where(approved, user_ids[1], None).astype(object),
                "approvedAt": self.utc(approved_at),
                "createdBy": user_ids[creator],
                "createdAt": self.utc(exp_time),
                "updatedAt": self.utc(np.where(approved, approved_at, exp_time)),
            },
        )
        self.add_audit(
            "CREATE",
            "expense",
            exp_ids,
            creator,
            exp_time,
            new=concat(
                '{"category": "', pa.array(exp["category"]), '", "amount": ', pa.array(_money(exp["amount"])), "}"
            ),
        )
        idx = np.flatnonzero(approved)
        self.add_audit(
            "UPDATE",
            "expense",
            exp_ids[idx],
            np.ones(len(idx), np.int64),
            approved_at[idx],
            old='{"status": "PENDING"}',
            new=concat('{"status": "', pa.array(exp["status"][idx]), '"}'),
        )

        # the stock ledger and the physical stock it implies
        mv = self.mv
        v = len(mv["when"])
        ref = mv["refId"]
        yield (
            "stock_movements",
            {
                "id": mv["id"],
                "organizationId": org(v),
                "workspaceId": ws_ids[self.wh_ws[mv["wh"]]],
                "warehouseId": wh_ids[mv["wh"]],
                "productId": prod_ids[mv["product"]],
                "type": mv["type"],
                "quantity": _qty(mv["qty"]),
                "referenceType": mv["refType"],
                "referenceId": ref,
                "fromWarehouseId": np.where(mv["from"] >= 0, wh_ids[np.maximum(mv["from"], 0)], None).astype(object),
                "toWarehouseId": np.where(mv["to"] >= 0, wh_ids[np.maximum(mv["to"], 0)], None).astype(object),
                "reason": mv["reason"],
                "createdBy": np.broadcast_to(user_ids[3:4], (v,)),
                "createdAt": self.utc(mv["when"]),
            },
        )
        yield "inventory", self.inventory_columns(org, ws_ids, wh_ids, prod_ids)

    def emp_id_of(self, idx: np.ndarray) -> np.ndarray:
        return self._emp_ids[np.maximum(idx, 0)]

    def inventory_columns(self, org, ws_ids, wh_ids, prod_ids) -> Columns:
        rng = self.rng
        wh, product = np.nonzero(self.touched)
        qty, reserved = self.ledger[wh, product], self.reserved[wh, product]
        free = qty - reserved
        split = self.prod_batch[product] & (free >= 2000)
        older = np.where(split, (free * 3 // 10) // 1000 * 1000, 0)
        # batch-tracked goods: an older batch (sold first) and the newest one holding the rest
        rows_wh = np.r_[wh, wh[split]]
        rows_product = np.r_[product, product[split]]
        rows_qty = np.r_[qty - older, older[split]]
        rows_reserved = np.r_[reserved, np.zeros(split.sum(), np.int64)]
        batch_tracked = self.prod_batch[rows_product]
        newest = np.r_[np.ones(len(wh), bool), np.zeros(split.sum(), bool)]
        end = self.end
        expiry = np.where(
            newest, end + rng.integers(120, 360, len(rows_wh)), end + rng.integers(20, 90, len(rows_wh))
        ).astype("datetime64[D]")
        lot_month = np.where(newest, end - 10, end - 70).astype("datetime64[D]").astype("datetime64[M]")
        batch = np.where(
            batch_tracked,
            np.char.add(
                np.char.add("LOT-", np.char.replace(lot_month.astype(str), "-", "")), np.where(newest, "-B", "-A")
            ),
            None,
        ).astype(object)
        n = len(rows_wh)
        counted = np.full(n, end - rng.integers(1, 30, n)).astype("datetime64[D]")
        created = self.ws_created[self.wh_ws[rows_wh]] + 2 * HOUR
        return {
            "id": self.ids(created),
            "organizationId": org(n),
            "workspaceId": ws_ids[self.wh_ws[rows_wh]],
            "warehouseId": wh_ids[rows_wh],
            "productId": prod_ids[rows_product],
            "quantity": _qty(rows_qty),
            "reservedQuantity": _qty(rows_reserved),
            "location": [f"{'ABCD'[p % 4]}-{p % 20 + 1:02d}-{p % 7 + 1:02d}" for p in rows_product.tolist()],
            "batchNumber": batch,
            "expiryDate": np.where(batch_tracked, expiry, np.datetime64("NaT")).astype("datetime64[D]"),
            "lastCountDate": counted,
            "createdAt": self.utc(created),
            "updatedAt": self.utc(_seconds(counted) + 18 * HOUR),
        }

    def order_columns(
        self,
        *,
        ids,
        org,
        ws,
        number,
        kind,
        customer,
        deal,
        status,
        time,
        expected,
        actual,
        totals,
        currency,
        payment_status,
        method,
        user,
        updated,
    ) -> Columns:
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
            "orderDate": self.utc(time),
            "expectedDeliveryDate": expected,
            "actualDeliveryDate": actual,
            "subtotal": _money(totals["gross"]),
            "taxAmount": _money(totals["tax"]),
            "discountAmount": _money(totals["discount"]),
            "shippingAmount": np.zeros(n),
            "totalAmount": _money(totals["total"]),
            "currency": currency,
            "paymentStatus": payment_status,
            "paymentMethod": method,
            "assignedTo": user,
            "createdBy": user,
            "createdAt": self.utc(time),
            "updatedAt": self.utc(updated),
        }

    def hr_tables(self, org, ws_ids, user_ids, emp_ids) -> Iterator[tuple[str, Columns]]:
        att = self.att
        n = len(att["day"])
        emp = att["employee"]
        stamp = _seconds(att["day"]) + att["out"].astype("timedelta64[s]")
        stamp = np.where(att["absent"], _seconds(att["day"]) + 18 * HOUR, stamp)
        in_time = pa.array(np.where(att["absent"], 0, att["in"]).astype(np.int32), pa.int32()).cast(pa.time32("s"))
        out_time = pa.array(np.where(att["absent"], 0, att["out"]).astype(np.int32), pa.int32()).cast(pa.time32("s"))
        absent_mask = pa.array(att["absent"])
        yield (
            "attendance",
            {
                "id": self.ids(stamp),
                "organizationId": org(n),
                "workspaceId": ws_ids[self.emp_ws[emp]],
                "employeeId": emp_ids[emp],
                "date": att["day"],
                "checkInTime": pc.if_else(absent_mask, pa.scalar(None, pa.time32("s")), in_time),
                "checkOutTime": pc.if_else(absent_mask, pa.scalar(None, pa.time32("s")), out_time),
                "totalHours": att["hours"] / 3600,
                "overtimeHours": att["overtime"] / 3600,
                "status": att["status"],
                "createdAt": self.utc(stamp),
                "updatedAt": self.utc(stamp),
            },
        )
        lv = self.leave
        m = len(lv["employee"])
        decided = lv["status"] != "PENDING"
        decided_at = np.where(decided, lv["requested"] + DAY, NAT)
        leave_ids = self.ids(lv["requested"])
        yield (
            "leaves",
            {
                "id": leave_ids,
                "organizationId": org(m),
                "workspaceId": ws_ids[self.emp_ws[lv["employee"]]],
                "employeeId": emp_ids[lv["employee"]],
                "type": lv["type"],
                "startDate": lv["start"],
                "endDate": lv["end"],
                "totalDays": ((lv["end"] - lv["start"]).astype(np.int64) + 1),
                "reason": lv["type"],
                "status": lv["status"],
                "approvedBy": np.where(lv["status"] == "APPROVED", user_ids[0], None).astype(object),
                "approvedAt": self.utc(np.where(lv["status"] == "APPROVED", decided_at, NAT)),
                "rejectionReason": np.where(lv["status"] == "REJECTED", "Пересечение с графиком отпусков", None).astype(
                    object
                ),
                "createdAt": self.utc(lv["requested"]),
                "updatedAt": self.utc(np.where(decided, decided_at, lv["requested"])),
            },
        )
        self.add_audit(
            "CREATE",
            "leave",
            leave_ids,
            lv["employee"],
            lv["requested"],
            new=concat('{"type": "', pa.array(lv["type"]), '", "status": "PENDING"}'),
        )
        idx = np.flatnonzero(decided)
        self.add_audit(
            "UPDATE",
            "leave",
            leave_ids[idx],
            np.zeros(len(idx), np.int64),
            decided_at[idx],
            old='{"status": "PENDING"}',
            new=concat('{"status": "', pa.array(lv["status"][idx]), '"}'),
        )

    def work_tables(self, org, ws_ids, user_ids) -> Iterator[tuple[str, Columns]]:
        rng = self.rng
        n_proj = len(self.proj_start)
        proj_created = _seconds(self.proj_start) + 10 * HOUR
        proj_ids = self.ids(proj_created)
        proj_end = self.proj_start + rng.integers(60, 400, n_proj).astype("timedelta64[D]")
        yield (
            "projects",
            {
                "id": proj_ids,
                "organizationId": org(n_proj),
                "workspaceId": ws_ids[self.proj_ws],
                "name": [
                    f"Проект {i + 1}: {t}"
                    for i, t in enumerate(
                        self.pick(
                            [
                                "Открытие точки продаж",
                                "Автоматизация склада",
                                "Выход на маркетплейс Kaspi",
                                "Оптимизация закупок",
                                "Запуск новой линейки",
                            ],
                            n_proj,
                        )
                    )
                ],
                "code": [f"PRJ-{i + 1:03d}" for i in range(n_proj)],
                "status": np.where(proj_end < self.end, "COMPLETED", "ACTIVE"),
                "startDate": self.proj_start,
                "endDate": proj_end,
                "ownerId": user_ids[self.proj_owner],
                "createdBy": user_ids[self.proj_owner],
                "createdAt": self.utc(proj_created),
                "updatedAt": self.utc(proj_created),
            },
        )
        t = len(self.task_created)
        status = self.task_status
        happened = self.task_happened
        last = np.where(happened, self.task_flow, NAT).max(axis=1, initial=None) if t else np.zeros(0, "datetime64[s]")
        updated = np.where(
            status == "CANCELLED", self.task_cancel_at, np.where(np.isnat(last), self.task_created, last)
        )
        project = self.task_project
        task_ws = np.where(project >= 0, self.proj_ws[np.maximum(project, 0)], self.emp_ws[self.task_assignee])
        yield (
            "tasks",
            {
                "id": self.task_ids,
                "organizationId": org(t),
                "workspaceId": ws_ids[task_ws],
                "projectId": np.where(project >= 0, proj_ids[np.maximum(project, 0)], None).astype(object),
                "title": self.task_title,
                "type": self.pick(["TASK", "TASK", "TASK", "IMPROVEMENT", "BUG", "FEATURE"], t),
                "priority": self.pick(["NORMAL", "NORMAL", "LOW", "HIGH", "URGENT"], t),
                "status": status,
                "assignedTo": user_ids[self.task_assignee],
                "assignedBy": user_ids[self.task_assigner],
                "dueDate": self.utc(self.task_due),
                "startDate": self.utc(np.where(happened[:, 0], self.task_flow[:, 0], NAT)),
                "completedAt": self.utc(self.task_completed),
                "estimatedHours": rng.integers(1, 17, t).astype(float),
                "createdBy": user_ids[self.task_assigner],
                "createdAt": self.utc(self.task_created),
                "updatedAt": self.utc(updated),
            },
        )
        self.add_audit("CREATE", "task", self.task_ids, self.task_assigner, self.task_created, new='{"status": "TODO"}')
        labels = ["TODO", "IN_PROGRESS", "IN_REVIEW", "DONE"]
        for k in range(3):
            idx = np.flatnonzero(happened[:, k])
            self.add_audit(
                "UPDATE",
                "task",
                self.task_ids[idx],
                self.task_assignee[idx],
                self.task_flow[idx, k],
                old=f'{{"status": "{labels[k]}"}}',
                new=f'{{"status": "{labels[k + 1]}"}}',
            )
        idx = np.flatnonzero(status == "CANCELLED")
        self.add_audit(
            "UPDATE",
            "task",
            self.task_ids[idx],
            self.task_assigner[idx],
            self.task_cancel_at[idx],
            old=concat('{"status": "', pa.array(np.array(labels)[happened[idx].sum(axis=1)]), '"}'),
            new='{"status": "CANCELLED"}',
        )
        comments = rng.poisson(1.2, t)
        c_task = np.repeat(np.arange(t), comments)
        c_time = self.task_created[c_task] + (rng.uniform(0.05, 3, len(c_task)) * 86_400).astype("timedelta64[s]")
        keep = c_time <= self.end_ts
        c_task, c_time = c_task[keep], c_time[keep]
        yield (
            "task_comments",
            {
                "id": self.ids(c_time),
                "taskId": self.task_ids[c_task],
                "userId": user_ids[self.task_assignee[c_task]],
                "comment": self.pick(
                    [
                        "Взял в работу",
                        "Нужна информация от клиента",
                        "Готово, проверьте",
                        "Перенёс срок по согласованию",
                        "Документы приложены",
                    ],
                    len(c_task),
                ),
                "createdAt": self.utc(c_time),
                "updatedAt": self.utc(c_time),
            },
        )

        # calendar: weekly planning per workspace, and meetings
        weeks = np.arange(self.start, self.end + 1, 7)
        ev_ws = np.repeat(np.arange(self.ws_count), len(weeks))
        ev_start = np.tile(_seconds(weeks), self.ws_count) + 10 * HOUR
        meetings = rng.poisson(0.4 * self.ws_count * len(weeks))
        mt_start = self.business_times(
            self.start + rng.integers(0, self.options.days, meetings).astype("timedelta64[D]")
        )
        starts = np.r_[ev_start, mt_start]
        kind = np.r_[np.full(len(ev_start), "MEETING"), self.pick(["MEETING", "EVENT", "REMINDER"], meetings)]
        ws = np.r_[ev_ws, rng.integers(0, self.ws_count, meetings)]
        e = len(starts)
        attendees = [[user_ids[i].decode() for i in rng.choice(self.emp_count, 3, replace=False)] for _ in range(e)]
        created = starts - 3 * DAY
        yield (
            "calendar_events",
            {
                "id": self.ids(created),
                "organizationId": org(e),
                "workspaceId": ws_ids[ws],
                "title": np.where(
                    np.arange(e) < len(ev_start),
                    "Планёрка",
                    self.pick(["Встреча с клиентом", "Совещание", "Обучение", "Созвон с поставщиком"], e),
                ),
                "type": kind,
                "location": self.pick(["Переговорная 1", "Переговорная 2", "Zoom", "Офис клиента"], e),
                "startTime": self.utc(starts),
                "endTime": self.utc(starts + HOUR),
                "allDay": np.full(e, False),
                "recurrence": np.full(e, "NONE"),
                "attendees": pg_array(attendees),
                "reminders": np.full(e, '[{"minutes": 15}]'),
                "color": self.pick(["#1f77b4", "#2ca02c", "#ff7f0e"], e),
                "status": np.where(rng.random(e) < 0.05, "CANCELLED", "CONFIRMED"),
                "createdBy": user_ids[rng.choice(self.managers, e)],
                "createdAt": self.utc(created),
                "updatedAt": self.utc(created),
            },
        )

        # documents: employment contracts, deal contracts, monthly reports
        hire_ts = _seconds(self.hire) + 9 * HOUR
        won = np.flatnonzero(~np.isnat(self.won_at))
        months = np.arange(self.start.astype("datetime64[M]") + 1, self.end.astype("datetime64[M]") + 1)
        doc_time = np.r_[hire_ts, self.won_at[won], _seconds(months.astype("datetime64[D]")) + 11 * HOUR]
        doc_type = np.r_[
            np.full(self.emp_count, "contract"), np.full(len(won), "contract"), np.full(len(months), "report")
        ]
        entity_type = np.r_[
            np.full(self.emp_count, "employee"), np.full(len(won), "deal"), np.full(len(months), None)
        ].astype(object)
        entity_id = np.r_[self._emp_ids, self.deal_ids[won], np.full(len(months), None, dtype=object)].astype(object)
        d = len(doc_time)
        doc_ids = self.ids(doc_time)
        yield (
            "documents",
            {
                "id": doc_ids,
                "organizationId": org(d),
                "workspaceId": ws_ids[np.zeros(d, np.int64)],
                "name": np.r_[
                    [f"Трудовой договор {i + 1:04d}.pdf" for i in range(self.emp_count)],
                    [f"Договор поставки {i + 1}.pdf" for i in range(len(won))],
                    [f"Отчёт {m}.xlsx" for m in months],
                ],
                "type": doc_type,
                "category": np.where(doc_type == "report", "finance", "legal"),
                "fileUrl": [f"s3://prometric-documents/{self.org_id}/{i.decode()}" for i in doc_ids],
                "fileSize": rng.integers(20_000, 2_000_000, d),
                "mimeType": np.where(
                    doc_type == "report",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    "application/pdf",
                ),
                "entityType": entity_type,
                "entityId": entity_id,
                "version": np.ones(d, np.int64),
                "isPublic": np.full(d, False),
                "createdBy": np.broadcast_to(user_ids[:1], (d,)),
                "createdAt": self.utc(doc_time),
                "updatedAt": self.utc(doc_time),
            },
        )

        # notifications: assigned tasks, won deals, overdue invoices
        task_user = self.task_assignee
        over = np.flatnonzero(self.inv["status"] == "OVERDUE")
        over_time = _seconds(self.inv["due"][over] + 1) + 9 * HOUR
        keep = over_time <= self.end_ts
        over, over_time = over[keep], over_time[keep]
        n_time = np.r_[self.task_created, self.won_at[won], over_time]
        n_user = np.r_[task_user, self.deal_assigned[won], np.full(len(over), 2)]
        n_type = np.r_[np.full(len(task_user), "info"), np.full(len(won), "success"), np.full(len(over), "warning")]
        category = np.r_[np.full(len(task_user), "task"), np.full(len(won), "deal"), np.full(len(over), "invoice")]
        title = np.r_[
            np.full(len(task_user), "Новая задача"),
            np.full(len(won), "Сделка выиграна"),
            np.full(len(over), "Счёт просрочен"),
        ]
        data = np.r_[
            concat('{"taskId": "', pa.array(self.task_ids.astype(str)), '"}').to_numpy(zero_copy_only=False),
            concat('{"dealId": "', pa.array(self.deal_ids[won].astype(str)), '"}').to_numpy(zero_copy_only=False),
            concat('{"invoiceId": "', pa.array(self.inv_ids[over].astype(str)), '"}').to_numpy(zero_copy_only=False),
        ]
        read = n_time < self.end_ts - 3 * DAY
        read_at = np.where(
            read & (rng.random(len(n_time)) < 0.85),
            n_time + (rng.uniform(0.1, 48, len(n_time)) * 3600).astype("timedelta64[s]"),
            NAT,
        )
        yield (
            "notifications",
            {
                "id": self.ids(n_time),
                "userId": user_ids[n_user],
                "type": n_type,
                "category": category,
                "title": title,
                "message": title,
                "data": data,
                "isRead": ~np.isnat(read_at),
                "readAt": self.utc(read_at),
                "createdAt": self.utc(n_time),
            },
        )

        # sessions and e-mail verification (tokens stored hashed)
        U = self.user_count
        active = np.r_[np.isnat(self.termination), True]
        sessions = np.repeat(np.flatnonzero(active), 2)
        s_time = self.end_ts - (rng.uniform(0.5, 40, len(sessions)) * 86_400).astype("timedelta64[s]")
        tokens = [
            hash_token(f"{self.options.seed}:{self.org_id}:{i}:{int(x)}")
            for i, x in enumerate(rng.integers(0, 2**62, len(sessions)))
        ]
        revoked = rng.random(len(sessions)) < 0.2
        yield (
            "refresh_tokens",
            {
                "id": self.ids(s_time),
                "userId": user_ids[sessions],
                "token": tokens,
                "deviceInfo": self.pick(
                    ['{"os": "Windows"}', '{"os": "macOS"}', '{"os": "iOS"}', '{"os": "Android"}'], len(sessions)
                ),
                "ipAddress": [f"10.{self.ordinal % 250}.{i % 250}.{(i * 7) % 250 + 1}" for i in range(len(sessions))],
                "userAgent": self.pick(catalog.USER_AGENTS, len(sessions)),
                "expiresAt": self.utc(s_time + 30 * DAY),
                "revokedAt": self.utc(np.where(revoked, s_time + DAY, NAT)),
                "revokedReason": np.where(revoked, "logout", None).astype(object),
                "createdAt": self.utc(s_time),
            },
        )
        ev_time = np.r_[np.maximum(hire_ts - 7 * DAY, self.created), self.created + HOUR] + 60 * np.timedelta64(1, "s")
        emails = [f"{kz.latin(self.first[i])}.{kz.latin(self.last[i])}.{i + 1}@{self.domain}" for i in range(U)]
        yield (
            "email_verifications",
            {
                "id": self.ids(ev_time),
                "userId": user_ids,
                "email": emails,
                "code": [f"{x:06d}" for x in rng.integers(0, 10**6, U)],
                "token": [hash_token(f"{self.org_id}:verify:{i}") for i in range(U)],
                "type": np.full(U, "registration"),
                "expiresAt": self.utc(ev_time + DAY),
                "verifiedAt": self.utc(ev_time + 600 * np.timedelta64(1, "s")),
                "attempts": np.ones(U, np.int64),
                "createdAt": self.utc(ev_time),
            },
        )
        kpis = [
            (
                "orders_revenue",
                None,
                "KZT",
                float(self.options.scale.orders_per_day * self.size * 30 * 180_000),
                "monthly",
                "sales",
            ),
            ("win_rate", None, "%", 45.0, "monthly", "crm"),
            ("gross_margin_pct", "gross_profit / orders_revenue * 100", "%", 25.0, "monthly", "sales"),
            (
                "collection_ratio",
                "round(payments_received / invoiced_amount * 100, 1)",
                "%",
                95.0,
                "monthly",
                "finance",
            ),
            ("revenue_per_employee", "orders_revenue / headcount", "KZT", None, "monthly", "hr"),
            (
                "daily_revenue_target",
                "orders_revenue",  # the revenue against a per-day target (the dashboards scale it to the range)
                "KZT",
                float(self.options.scale.orders_per_day * self.size * 180_000),
                "daily",
                "sales",
            ),
        ]
        k = len(kpis)
        kpi_created = np.full(k, self.start_ts - 30 * DAY)
        yield (
            "kpi_definitions",
            {
                "id": self.ids(kpi_created),
                "organizationId": org(k),
                "name": [r[0] for r in kpis],
                "description": [r[0].replace("_", " ") for r in kpis],
                "formula": [r[1] for r in kpis],
                "unit": [r[2] for r in kpis],
                "targetValue": np.array([np.nan if r[3] is None else round(r[3], 2) for r in kpis]),
                "frequency": [r[4] for r in kpis],
                "category": [r[5] for r in kpis],
                "isActive": np.full(k, True),
                "createdAt": self.utc(kpi_created),
                "updatedAt": self.utc(kpi_created),
            },
        )

    def audit_rows(self, org_id: bytes, user_ids: np.ndarray) -> Columns:
        parts = self.audit
        created = np.concatenate([p["createdAt"] for p in parts])
        order = np.argsort(created, kind="stable")
        n = len(created)

        def column(key: str) -> pa.Array:
            arrays = []
            for p in parts:
                value, size = p[key], len(p["createdAt"])
                if value is None:
                    arrays.append(pa.nulls(size, pa.string()))
                elif isinstance(value, str):
                    arrays.append(pa.array(np.full(size, value), pa.string()))
                else:
                    arrays.append(_text(value))
            return pa.concat_arrays(arrays).take(pa.array(order))

        org_flag = np.concatenate([np.full(len(p["createdAt"]), p["organization"]) for p in parts])[order]
        users = np.concatenate([p["userIdx"] for p in parts])[order]
        entity_ids = np.concatenate([p["entityId"] for p in parts])[order]
        created = created[order]
        return {
            "id": self.ids(created),
            "organizationId": np.where(org_flag, org_id, None).astype(object),
            "userId": user_ids[users],
            "action": column("action"),
            "entity": column("entity"),
            "entityId": entity_ids,
            "oldValue": column("oldValue"),
            "newValue": column("newValue"),
            "ipAddress": concat(f"10.{self.ordinal % 250}.", pa.array(users % 250), ".", pa.array(users % 200 + 1)),
            "userAgent": self.pick(catalog.USER_AGENTS, n),
            "createdAt": self.utc(created),
        }
