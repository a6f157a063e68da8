"""Rows of the catalogue: product categories, products, bills of materials, warehouses."""

from __future__ import annotations

import json
from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from prometric_pipelines.generate import catalog, kz
from prometric_pipelines.generate.arrays import HOUR, Columns, concat, to_tenge, to_units
from prometric_pipelines.generate.state import OrgState


def tables(history: OrgState) -> Iterator[tuple[str, Columns]]:
    rng, org, W, ws_ids = history.rng, history.org_column, history.ws_count, history.ws_ids
    user_ids = history.user_ids
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
    cat_created = np.full(len(cat_names), history.created + 2 * HOUR)
    cat_ids = history.ids(cat_created)
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
            "createdAt": history.utc(cat_created),
            "updatedAt": history.utc(cat_created),
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
    prod_cat = np.array([cat_names.index(leaf_of[t][i % len(leaf_of[t])]) for i, t in enumerate(history.prod_type)])
    P = history.prod_count
    prod_ids = history.ids(history.prod_created)
    history.prod_ids = prod_ids
    current = history.ledger.sum(axis=0)
    reserved = history.reserved.sum(axis=0)
    yield (
        "products",
        {
            "id": prod_ids,
            "organizationId": org(P),
            "workspaceId": ws_ids[history.prod_ws],
            "categoryId": cat_ids[prod_cat],
            "code": [f"P-{i + 1:05d}" for i in range(P)],
            "barcode": kz.ean13(history.ordinal * 100_000 + np.arange(P)),
            "name": history.prod_name,
            "type": history.prod_type,
            "unit": history.prod_unit,
            "price": to_tenge(history.price),
            "cost": to_tenge(history.cost),
            "currency": np.full(P, "KZT"),
            "taxRate": np.full(P, 12.0),
            "minStock": to_units(history.min_stock),
            "maxStock": to_units(history.min_stock * 20),
            "currentStock": to_units(current),
            "reservedStock": to_units(reserved),
            "weight": np.where(history.prod_unit == "шт", rng.integers(100, 30000, P) / 1000, np.nan),
            "specifications": [
                json.dumps({"batchTracked": bool(b), "madeToOrder": bool(m)})
                for b, m in zip(history.prod_batch, history.manufactured, strict=True)
            ],
            "status": history.prod_status,
            "createdBy": np.broadcast_to(user_ids[3:4], (P,)),
            "createdAt": history.utc(history.prod_created),
            "updatedAt": history.utc(history.prod_created),
        },
    )
    history.add_audit(
        "CREATE",
        "product",
        prod_ids,
        np.full(P, 3),
        history.prod_created,
        new=concat(
            '{"code": "P-',
            pa.array([f"{i + 1:05d}" for i in range(P)]),
            '", "price": ',
            pa.array(to_tenge(history.price)),
            "}",
        ),
    )
    bom_product, bom_component, bom_qty = history.bom
    bom_created = history.prod_created[bom_product] + HOUR
    yield (
        "production_bom",
        {
            "id": history.ids(bom_created),
            "organizationId": org(len(bom_product)),
            "productId": prod_ids[bom_product],
            "componentId": prod_ids[bom_component],
            "quantity": to_units(bom_qty),
            "unit": history.prod_unit[bom_component],
            "isActive": np.full(len(bom_product), True),
            "createdAt": history.utc(bom_created),
            "updatedAt": history.utc(bom_created),
        },
    )
    wh_created = history.ws_created + HOUR
    wh_ids = history.ids(wh_created)
    history.wh_ids = wh_ids
    yield (
        "warehouses",
        {
            "id": wh_ids,
            "organizationId": org(W),
            "workspaceId": ws_ids[history.wh_ws],
            "name": ["Основной склад"] + [f"Склад {c[0]}" for c in history.ws_city[1:]],
            "code": [f"WH{i + 1:02d}" for i in range(W)],
            "type": ["MAIN"] + ["BRANCH"] * (W - 1),
            "address": [json.dumps({"city": c[0]}, ensure_ascii=False) for c in history.ws_city],
            "managerId": user_ids[history.wh_manager],
            "capacity": np.full(W, 5000.0),
            "currentUtilization": rng.uniform(35, 85, W).round(2),
            "isActive": np.full(W, True),
            "createdAt": history.utc(wh_created),
            "updatedAt": history.utc(wh_created),
        },
    )
