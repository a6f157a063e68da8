"""Simulation steps: each `simulate(history)` draws one part of an organization's history (no rows yet)."""

from prometric_pipelines.generate.simulate import customers, deals, finance, hr, people, products, sales, stock, work

__all__ = ["customers", "deals", "finance", "hr", "people", "products", "sales", "stock", "work"]
