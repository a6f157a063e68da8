"""The KPI formula parser: the spec's grammar evaluates exactly; anything else is refused while parsing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from prometric_pipelines.metrics.catalog import METRICS
from prometric_pipelines.metrics.formulas import FormulaError, parse_formula

VALUES = {"orders_revenue": Decimal("6500"), "gross_profit": Decimal("5300"), "orders_count": Decimal("3"),
          "orders_cancelled": Decimal("0"), "headcount": Decimal("-4")}  # fmt: skip


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("gross_profit / orders_revenue * 100", Decimal("81.53846153846153846153846153846154")),  # 34 digits
        ("round(gross_profit / orders_revenue * 100, 1)", Decimal("81.5")),
        ("round(2.25, 1)", Decimal("2.3")),  # half away from zero, like PostgreSQL
        ("-orders_count + 10", Decimal("7")),
        ("--orders_count", Decimal("3")),
        ("(orders_revenue - gross_profit) / orders_count", Decimal("400")),
        ("1 + 2 * 3", Decimal("7")),
        ("(1 + 2) * 3", Decimal("9")),
        ("10 - 4 - 3", Decimal("3")),  # left-associative
        ("abs(headcount)", Decimal("4")),
        ("min(orders_count, 2.5)", Decimal("2.5")),
        ("max(orders_count, 2.5)", Decimal("3")),
        ("  orders_count\t*\n2 ", Decimal("6")),
    ],
)
def test_valid_formulas_evaluate_exactly(formula, expected):
    assert parse_formula(formula, METRICS).evaluate(VALUES) == expected


def test_division_by_zero_and_a_missing_value_give_no_value():
    assert parse_formula("orders_revenue / orders_cancelled", METRICS).evaluate(VALUES) is None
    assert parse_formula("orders_revenue / (orders_count - 3)", METRICS).evaluate(VALUES) is None
    assert parse_formula("win_rate * 2", METRICS).evaluate(VALUES) is None  # no win_rate row that day
    assert parse_formula("gross_profit / orders_revenue", METRICS).metrics == {"gross_profit", "orders_revenue"}


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("__import__('os').system('x')", 'unexpected character "\'" at position 12'),
        ("__import__(orders_count)", "unknown function '__import__'"),
        ("__import__", "unknown metric '__import__'"),
        ("orders_revenue.real", "unexpected character '.' at position 15"),
        ("orders_revenue.__class__", "unexpected character '.'"),
        ("orders_count[0]", "unexpected character '['"),
        ("1**999999", "unexpected '*' at position 3"),
        ("9 ** 9 ** 9", "unexpected '*'"),
        ("1e999999", "unexpected 'e999999' at position 2"),
        ("1" * 25, "more than 20 digits"),
        ("orders_count + " * 700 + "1", "at most 500"),
        ("(" * 30 + "1" + ")" * 30, "nested more than 25 levels"),
        ("-" * 40 + "1", "nested more than 25 levels"),
        ("lambda: 1", "unexpected character ':'"),
        ("orders_count if 1 else 2", "unexpected 'if'"),
        ("foo / 2", "unknown metric 'foo'"),
        ("eval(orders_count)", "unknown function 'eval'"),
        ("round(orders_count, orders_count)", "round() needs a whole number of digits 0-6"),
        ("round(orders_count, 99)", "round() needs a whole number of digits 0-6"),
        ("min(orders_count)", "min() takes 2 argument(s), got 1"),
        ("abs", "function 'abs' at position 1 needs arguments"),
        ("orders_count +", "formula ends where a value is expected"),
        ("(orders_count", "expected ')'"),
        ("orders_count 2", "unexpected '2'"),
        ("", "formula is empty"),
        ("'orders_count'", "unexpected character"),
        ("orders_count; 1", "unexpected character ';'"),
    ],
)
def test_anything_outside_the_grammar_is_refused_while_parsing(formula, message):
    with pytest.raises(FormulaError) as refused:
        parse_formula(formula, METRICS)
    assert message in str(refused.value)


def test_a_10_kb_formula_is_refused_before_it_is_tokenised(monkeypatch):
    import prometric_pipelines.metrics.formulas as formulas

    def never(*args, **kwargs):
        raise AssertionError("tokenised")

    monkeypatch.setattr(formulas, "_tokenize", never)
    with pytest.raises(FormulaError, match="10240 characters long"):
        parse_formula("1+" * 5120, METRICS)
