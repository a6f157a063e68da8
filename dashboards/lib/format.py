"""Numbers as Kazakh analysts read them: `1 234 567 ₸`, `12.5 %`, no-break grouping spaces.

One convention everywhere (cards, tables, charts, CSV aside): KZT in whole tenge; a card too narrow for
the full amount abbreviates it to one decimal of millions/billions (`402.4 млн ₸`) and its tooltip
shows the whole amount. Byte sizes in pg_size_pretty's units (`8.4 MB`, base 1024)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

NBSP = "\u00a0"  # grouping and unit separator that never wraps a number across lines


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: float | Decimal | int | None, decimals: int = 0) -> str:
    """`1234567.8` → `1 234 568` (no-break spaces between thousands); None → `—`."""
    if _missing(value):
        return "—"
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", NBSP)


def kzt(value: float | Decimal | int | None, decimals: int = 0) -> str:
    """`1234567` → `1 234 567 ₸`."""
    if _missing(value):
        return "—"
    return f"{number(value, decimals)}{NBSP}₸"


def percent(value: float | Decimal | None, decimals: int = 1) -> str:
    """`12.345` (already in percent) → `12.3 %`."""
    if _missing(value):
        return "—"
    return f"{float(value):.{decimals}f}{NBSP}%"


def compact_kzt(value: float | Decimal | None) -> str:
    """Card-sized: `1.2 млн ₸`, `4.5 млрд ₸`, below a million as `kzt()`."""
    if _missing(value):
        return "—"
    amount = float(value)
    for size, unit in ((1e9, "млрд"), (1e6, "млн")):
        if abs(amount) >= size:
            return f"{amount / size:.1f}{NBSP}{unit}{NBSP}₸"
    return kzt(amount)


def change(current: float | None, previous: float | None) -> str | None:
    """Change vs the previous period for st.metric's delta: `+12.3 %`, None when not comparable."""
    if _missing(current) or _missing(previous) or not previous:
        return None
    return f"{(float(current) - float(previous)) / abs(float(previous)) * 100:+.1f}{NBSP}%"


_SIZE_UNITS = ("kB", "MB", "GB", "TB", "PB")


def size(value: float | Decimal | int | None) -> str:
    """Bytes in pg_size_pretty's units (base 1024): `512 bytes`, `8.0 kB`, `1.5 GB`; None → `—`."""
    if _missing(value):
        return "—"
    amount, unit = float(value), "bytes"
    for larger in _SIZE_UNITS:
        if abs(amount) < 1024:
            break
        amount, unit = amount / 1024, larger
    return f"{number(amount, 0 if unit == 'bytes' else 1)}{NBSP}{unit}"


def timestamp(value: object) -> str:
    """A database timestamp (UTC, as stored) to the minute: `2026-12-05 16:15`; None/NaT → `—`."""
    if not isinstance(value, dt.datetime) or value != value:  # pandas' NaT is a datetime unequal to itself
        return "—"
    return value.strftime("%Y-%m-%d %H:%M")
