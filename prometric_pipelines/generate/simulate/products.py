"""The catalogue: goods, materials and services, prices and costs, bills of materials, warehouses."""

from __future__ import annotations

import numpy as np

from prometric_pipelines.generate import catalog
from prometric_pipelines.generate.state import OrgState


def simulate(history: OrgState) -> None:
    rng = history.rng
    count = max(30, round(history.options.scale.products * (0.7 + 0.3 * history.size)))
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
    # materials vary in price, services keep the list price; both repeat their templates, numbered
    others = (("MATERIAL", n_materials, catalog.MATERIAL_TEMPLATES, " тип ", (0.9, 1.2)),
              ("SERVICE", n_services, catalog.SERVICE_TEMPLATES, " ", None))  # fmt: skip
    for kind, number, templates, label, spread in others:
        for i in range(number):
            name, unit, price = templates[i % len(templates)]
            names.append(name + (f"{label}{i // len(templates) + 1}" if i >= len(templates) else ""))
            units.append(unit)
            kinds.append(kind)
            prices.append(price * rng.uniform(*spread) if spread else price)
            batches.append(False)
    history.prod_count = count
    history.prod_name, history.prod_unit, history.prod_type = names, np.array(units), np.array(kinds)
    history.prod_batch = np.array(batches)
    history.price = (np.round(np.array(prices) / 10) * 10 * 100).astype(np.int64)
    margin = np.where(history.prod_type == "SERVICE", rng.uniform(0.3, 0.6, count), rng.uniform(0.62, 0.85, count))
    history.cost = (np.round(history.price * margin / 100) * 100).astype(np.int64)
    history.prod_ws = np.zeros(count, dtype=np.int64)
    history.prod_created = history.business_times(history.start - rng.integers(5, 300, count).astype("timedelta64[D]"))
    suppliers = np.flatnonzero(history.supplier)
    history.prod_supplier = suppliers[rng.integers(0, len(suppliers), count)]
    goods = np.flatnonzero(history.prod_type == "PRODUCT")
    manufacturing = history.industry in ("manufacturing", "food production", "construction materials")
    share = 0.25 if manufacturing else 0.06
    history.manufactured = np.zeros(count, bool)
    piece_goods = goods[history.prod_unit[goods] == "шт"]
    chosen = rng.choice(piece_goods, size=max(1, int(len(piece_goods) * share)), replace=False)
    history.manufactured[chosen] = True
    materials = np.flatnonzero(history.prod_type == "MATERIAL")
    bom_product, bom_component, bom_qty = [], [], []
    for product in np.flatnonzero(history.manufactured).tolist():
        for component in rng.choice(materials, size=int(rng.integers(2, 5)), replace=False).tolist():
            bom_product.append(product)
            bom_component.append(component)
            bom_qty.append(
                int(rng.integers(1, 40)) * 250
                if history.prod_unit[component] != "шт"
                else int(rng.integers(1, 9)) * 1000
            )
    history.bom = (
        np.array(bom_product, dtype=np.int64),
        np.array(bom_component, dtype=np.int64),
        np.array(bom_qty, dtype=np.int64),
    )
    # popularity: a few best sellers, a long tail
    sellable = np.flatnonzero(history.prod_type != "MATERIAL")
    weights = 1 / (1 + rng.permutation(len(sellable))) ** 0.9
    history.sellable, history.sell_weights = sellable, weights / weights.sum()
    history.min_stock = np.where(history.prod_type == "SERVICE", 0, rng.integers(2, 30, count) * 1000)
    history.prod_status = np.where(rng.random(count) < 0.03, "DISCONTINUED", "ACTIVE")
    history.prod_status[history.manufactured] = "ACTIVE"
    # warehouses: one per workspace
    history.wh_count = history.ws_count
    history.wh_ws = np.arange(history.ws_count)
    history.wh_manager = np.where(np.arange(history.ws_count) == 0, 3, rng.choice(history.managers, history.ws_count))


def quantities(history: OrgState, products: np.ndarray) -> np.ndarray:
    """Order quantities in thousandths, by the product's unit."""
    rng, count = history.rng, len(products)
    unit = history.prod_unit[products]
    qty = (1 + rng.poisson(2.2 * history.size, count)) * 1000
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
    service = history.prod_type[products] == "SERVICE"
    qty[service & (unit == "шт")] = 1000
    return qty
