"""Array helpers shared by the simulation and the table-building modules.

Times are local wall-clock `datetime64[s]` while generating; money is integer tiyn (1/100 KZT) and
quantities integer thousandths until a table is built from them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

HOUR = np.timedelta64(3600, "s")
DAY = np.timedelta64(86_400, "s")
NAT = np.datetime64("NaT", "s")

Columns = dict[str, Any]


def as_day(value: dt.date) -> np.datetime64:
    return np.datetime64(value, "D")


def midnight(day: np.ndarray) -> np.ndarray:
    """Days as `datetime64[s]` at 00:00 (add hours to place an event in the day)."""
    return np.asarray(day).astype("datetime64[D]").astype("datetime64[s]")


def to_tenge(cents: np.ndarray) -> np.ndarray:
    return np.asarray(cents, dtype=np.int64) / 100


def to_units(milli: np.ndarray) -> np.ndarray:
    return np.asarray(milli, dtype=np.int64) / 1000


def round_div(numerator: np.ndarray, denominator: int) -> np.ndarray:
    """Integer division rounding half up (amounts here are never negative)."""
    return (np.asarray(numerator, dtype=np.int64) * 2 + denominator) // (2 * denominator)


def as_text(values: Any) -> pa.Array:
    return values if isinstance(values, pa.Array) else pa.array(values, pa.string())


def concat(*parts: Any) -> pa.Array:
    """Element-wise string concatenation of arrays and constants (JSON, numbers) in Arrow's C++."""
    arrays = [
        p if isinstance(p, str) else pc.cast(p if isinstance(p, pa.Array) else pa.array(p), pa.string()) for p in parts
    ]
    return pc.binary_join_element_wise(*arrays, "")


def numbered(prefix: str, local_times: np.ndarray) -> np.ndarray:
    """Per-organization document numbers in time order, restarting each year: SO-2026-000042."""
    years = local_times.astype("datetime64[Y]").astype(np.int64) + 1970
    order = np.argsort(local_times, kind="stable")
    numbers = np.empty(len(local_times), dtype=np.int64)
    sorted_years = years[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_years)) + 1]
    run_start = np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    numbers[order] = np.arange(len(order)) - run_start + 1
    return np.array([f"{prefix}-{y}-{n:06d}" for y, n in zip(years.tolist(), numbers.tolist(), strict=True)])


def line_amounts(qty: np.ndarray, price: np.ndarray, discount: np.ndarray, tax: np.ndarray) -> dict[str, np.ndarray]:
    """Per line, in tiyn: gross = qty × price; discount = gross × d%; tax = (gross − discount) × t%;
    totalPrice = gross − discount + tax. Document totals are the sums of these."""
    gross = round_div(qty * price, 1000)
    disc = round_div(gross * discount, 100)
    tax_amount = round_div((gross - disc) * tax, 100)
    return {"gross": gross, "discount": disc, "tax": tax_amount, "total": gross - disc + tax_amount}
