"""Every value the dashboards show, formatted in one place: `1 234 567 ₸`, `12.5 %`, `12.5 кг`, `2025-11-30`,
people by name, empty as `—` (never `None`, `NaN`, six decimals or a raw UUID); no-break grouping spaces.

One convention everywhere (cards, tables, charts, CSV aside): KZT in whole tenge; a card too narrow for
the full amount abbreviates it to one decimal of millions/billions (`402.4 млн ₸`) and its tooltip
shows the whole amount. Byte sizes in pg_size_pretty's units (`8.4 MB`, base 1024)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

NBSP = "\u00a0"  # grouping and unit separator that never wraps a number across lines


def _missing(value: object) -> bool:
    return is_missing(value)


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
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%d %H:%M")


# ---- the one formatting layer: every value a table, card or CSV header shows goes through here ----------

EMPTY = "—"
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)


def is_missing(value: object) -> bool:
    """None, NaN, pandas' NaT/NA: what is shown as `—`."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, NaT and pd.NA compare unequal to themselves
    except (TypeError, ValueError):  # pd.NA raises on bool()
        return True


def _trimmed(value: float, decimals: int) -> str:
    """Grouped, at most `decimals` decimals, trailing zeros dropped: `1 234.5`, `0`, `12`."""
    text = number(value, decimals)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def quantity(value: float | Decimal | int | None, unit: str | None = None) -> str:
    """`12.5` kg → `12.5 кг`: at most three decimals (weights, volumes), no trailing zeros; None → `—`."""
    if is_missing(value):
        return EMPTY
    shown = _trimmed(float(value), 3)
    return f"{shown}{NBSP}{unit}" if unit and not is_missing(unit) else shown


def rate(value: float | Decimal | None) -> str:
    """A fraction as percent: `0.1` → `10 %`, `0.095` → `9.5 %`; None → `—`."""
    if is_missing(value):
        return EMPTY
    return f"{_trimmed(float(value) * 100, 2)}{NBSP}%"


def date(value: object) -> str:
    """A date (or a timestamp's date) as `2025-11-30`; None/NaT → `—`."""
    if is_missing(value):
        return EMPTY
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    return plain(value)


def yes_no(value: object) -> str:
    return EMPTY if is_missing(value) else "yes" if value else "no"


def plain(value: object) -> str:
    """Any other value as text: numbers trimmed to two decimals, timestamps to the minute, empty as `—`."""
    if is_missing(value):
        return EMPTY
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, dt.datetime):
        return timestamp(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return _trimmed(float(value), 2)
    text = str(value)
    return text if text.strip() else EMPTY


def person(name: object, fallback: object = None) -> str:
    """A person by name; a row written by a job (no user) reads "system", never a UUID or `NaN`."""
    if not is_missing(name) and str(name).strip():
        return str(name).strip()
    if not is_missing(fallback) and str(fallback).strip() and not _UUID.match(str(fallback).strip()):
        return str(fallback).strip()
    return "system" if is_missing(fallback) else "unknown user"


def looks_like_uuid(text: str) -> bool:
    return bool(_UUID.match(text.strip()))


# abbreviations an analyst reads in capitals (Kazakh payroll terms, ids)
_ACRONYMS = {"ipn": "ИПН", "opv": "ОПВ", "vosms": "ВОСМС", "id": "ID", "csv": "CSV", "kzt": "KZT", "pid": "PID"}
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def header(column: str) -> str:
    """A column name as a header: `paid_on` → "Paid on", `entityId` → "Entity ID", `ipn` → "ИПН"."""
    words = [word.lower() for part in str(column).split("_") for word in _CAMEL.split(part) if word]
    words = [_ACRONYMS.get(word, word) for word in words]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def percent_whole(value: float | Decimal | int | None) -> str:
    """A value already in percent (`discount 5.00`, `probability 40`) as `5 %`, `40 %`, `12.5 %`."""
    if is_missing(value):
        return EMPTY
    return f"{_trimmed(float(value), 2)}{NBSP}%"


_UUID_ANYWHERE = re.compile(r"\b([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.IGNORECASE)


def short_ids(value: object) -> str:
    """Text with every UUID cut to its first 8 hex digits and `…` (an id is a reference, not something to
    read; the CSV keeps the full ids): `{"dealId": "3f2a9c1e…"}`."""
    if is_missing(value):
        return EMPTY
    text = str(value)
    return _UUID_ANYWHERE.sub(lambda m: f"{m.group(1)}…", text) if text.strip() else EMPTY
