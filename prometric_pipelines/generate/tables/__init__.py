"""Table-building steps: each `tables(history)` yields (table, columns) for one family of tables."""

from prometric_pipelines.generate.tables import (
    audit,
    customers,
    deals,
    finance,
    hr,
    orders,
    people,
    platform,
    products,
    stock,
    work,
)

__all__ = ["audit", "customers", "deals", "finance", "hr", "orders", "people", "platform", "products", "stock", "work"]
