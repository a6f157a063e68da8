"""One organization's ERP history, generated from its own seeded stream.

Everything is computed with numpy over whole arrays (orders, items, movements, payments,
attendance …); Python loops only run over master data (employees, leaves, products). Rows refer
to each other by integer index while they are built and become UUIDs when written.

Times are local wall-clock times (`datetime64[s]`) while generating, converted to UTC
(`timestamp without time zone`, as the database stores them) on output; DATE columns are local
dates. Money is integer tiyn (1/100 KZT) and quantities integer thousandths until written.

The work is split in two: the simulation steps (`simulate/`) decide what happened, the
table-building steps (`tables/`) turn it into rows. Both draw from the organization's one stream,
so the order below is part of the data: changing it changes what every seed generates.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometric_pipelines.generate import simulate, tables
from prometric_pipelines.generate.arrays import Columns
from prometric_pipelines.generate.state import OrgState

SIMULATION_STEPS = (
    simulate.people,
    simulate.customers,
    simulate.products,
    simulate.deals,
    simulate.sales,
    simulate.stock,
    simulate.finance,
    simulate.hr,
    simulate.work,
)
# the audit log comes last: every other family records its changes into it
TABLE_FAMILIES = (
    tables.people,
    tables.customers,
    tables.products,
    tables.deals,
    tables.orders,
    tables.finance,
    tables.stock,
    tables.hr,
    tables.work,
    tables.platform,
    tables.audit,
)


class OrgHistory(OrgState):
    """Builds every table's rows for organization number `ordinal` of a run."""

    def build(self) -> Iterator[tuple[str, Columns]]:
        for step in SIMULATION_STEPS:
            step.simulate(self)
        yield from self.tables()

    def tables(self) -> Iterator[tuple[str, Columns]]:
        for family in TABLE_FAMILIES:
            yield from family.tables(self)
