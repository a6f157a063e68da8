"""Scales of `prometric generate` and the options of one run."""

from __future__ import annotations

import dataclasses
import datetime as dt

from prometric_pipelines import kz_calendar
from prometric_pipelines.validation import InvalidInput


@dataclasses.dataclass(frozen=True)
class Scale:
    """Size of a generated data set. Rows grow linearly with orgs × days × orders_per_day."""

    name: str
    orgs: int
    days: int
    orders_per_day: float  # sales orders per day of an average organization at the start
    employees: int  # employees of an average organization
    customers: int  # customers an average organization has at the start
    products: int


SCALES: dict[str, Scale] = {
    "demo": Scale("demo", orgs=2, days=365, orders_per_day=11, employees=40, customers=150, products=120),
    "small": Scale("small", orgs=5, days=730, orders_per_day=11, employees=45, customers=200, products=150),
    "medium": Scale("medium", orgs=20, days=1095, orders_per_day=15, employees=70, customers=300, products=220),
    "large": Scale("large", orgs=100, days=1460, orders_per_day=20, employees=150, customers=600, products=400),
}


@dataclasses.dataclass(frozen=True)
class GenerateOptions:
    scale: Scale
    orgs: int
    days: int
    start: dt.date
    seed: int = 42
    inject_anomalies: bool = False

    @property
    def end(self) -> dt.date:
        """Last day of the history (inclusive)."""
        return self.start + dt.timedelta(days=self.days - 1)


def options_for(
    scale: str,
    *,
    orgs: int | None = None,
    days: int | None = None,
    start: dt.date | None = None,
    seed: int = 42,
    inject_anomalies: bool = False,
    today: dt.date | None = None,
) -> GenerateOptions:
    """Resolves defaults: the scale's organizations and days, and a history that ends yesterday."""
    chosen = SCALES[scale]
    days = days or chosen.days
    if start is None:
        start = (today or dt.date.today()) - dt.timedelta(days=days)
    return GenerateOptions(chosen, orgs or chosen.orgs, days, start, seed, inject_anomalies)


def check_history(options: GenerateOptions, today: dt.date | None = None) -> None:
    """The history must end by today and stay inside the years the holiday calendar knows."""
    today = today or dt.date.today()
    if options.end > today:
        raise InvalidInput(
            f"the history would end on {options.end}, after today ({today}): use an earlier --start or fewer --days"
        )
    if options.start.year < kz_calendar.FIRST_YEAR:
        raise InvalidInput(
            f"--start {options.start} is before {kz_calendar.FIRST_YEAR}, the first year of the holiday calendar"
        )
