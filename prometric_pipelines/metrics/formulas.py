"""KPI formulas: a small hand-written parser for the spec's grammar, and an evaluator over Decimals.

Grammar (specs/metrics.md), nothing else:

    expression := term (("+" | "-") term)*
    term       := factor (("*" | "/") factor)*
    factor     := "-" factor | number | metric | call | "(" expression ")"
    call       := "abs" "(" expression ")" | ("min" | "max") "(" expression "," expression ")"
                | "round" "(" expression "," digits ")"
    number     := digits ["." digits]          (no exponents, no underscores)
    metric     := a catalog metric name

The text is tokenised by one regular expression and parsed by recursive descent into a tree of
tuples; no Python `eval`, `compile` or `ast` is involved, so `__import__('os')`, `a.b`, `x[0]` or
`1**9` cannot even tokenise or parse. Length, nesting depth and number size are bounded before any
evaluation, and evaluation is plain Decimal arithmetic on the metric values.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Context, Decimal, DivisionByZero, InvalidOperation, Overflow

from prometric_pipelines.errors import PrometricError

MAX_FORMULA_LENGTH = 500
MAX_DEPTH = 25
MAX_NUMBER_DIGITS = 20
MAX_ROUND_DIGITS = 6
FUNCTIONS = {"abs": 1, "min": 2, "max": 2, "round": 2}

# ("num", Decimal) | ("metric", name) | ("neg", node) | ("+", a, b) … | ("call", name, args)
Node = tuple
_TOKEN = re.compile(r"\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>[-+*/(),]))")
# Decimal arithmetic bounded: 34 significant digits, exponents that cannot blow up memory or time
_CONTEXT = Context(prec=34, Emax=999, Emin=-999, traps=[DivisionByZero, InvalidOperation, Overflow])


class FormulaError(PrometricError):
    """A formula outside the grammar or naming something that is not a metric."""


class Formula:
    """A parsed formula: `metrics` it reads and `evaluate(values)`."""

    def __init__(self, text: str, tree: Node, metrics: frozenset[str]) -> None:
        self.text = text
        self.tree = tree
        self.metrics = metrics

    def evaluate(self, values: Mapping[str, Decimal | None]) -> Decimal | None:
        """The value, or None when an input is missing or a division by zero occurs."""
        if any(values.get(name) is None for name in self.metrics):
            return None
        try:
            return _evaluate(self.tree, values)
        except (DivisionByZero, InvalidOperation, Overflow):
            return None


def parse_formula(text: str, known_metrics: Mapping[str, object] | frozenset[str]) -> Formula:
    """Parses `text`; FormulaError names the problem (and the position) without evaluating anything."""
    if not isinstance(text, str) or not text.strip():
        raise FormulaError("formula is empty")
    if len(text) > MAX_FORMULA_LENGTH:
        raise FormulaError(f"formula is {len(text)} characters long (at most {MAX_FORMULA_LENGTH})")
    tokens = _tokenize(text)
    parser = _Parser(tokens, text)
    tree = parser.expression(0)
    if parser.position < len(tokens):
        _, value, at = tokens[parser.position]
        raise FormulaError(f"unexpected {value!r} at position {at + 1}")
    unknown = sorted(parser.names - set(known_metrics))
    if unknown:
        raise FormulaError(f"unknown metric {', '.join(repr(n) for n in unknown)}")
    return Formula(text, tree, frozenset(parser.names))


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    tokens: list[tuple[str, str, int]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:
            at = position + len(text[position:]) - len(text[position:].lstrip())
            raise FormulaError(f"unexpected character {text[at]!r} at position {at + 1}")
        kind = match.lastgroup or ""
        value = match.group(kind)
        start = match.start(kind)
        if kind == "number" and len(value.replace(".", "")) > MAX_NUMBER_DIGITS:
            raise FormulaError(f"number at position {start + 1} has more than {MAX_NUMBER_DIGITS} digits")
        tokens.append((kind, value, start))
        position = match.end()
    # a number glued to a name ("2x", "1e9") is not in the grammar
    for (kind, number, start), (next_kind, value, at) in itertools.pairwise(tokens):
        if kind == "number" and next_kind == "name" and start + len(number) == at:
            raise FormulaError(f"unexpected {value!r} at position {at + 1}")
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str, int]], text: str) -> None:
        self.tokens = tokens
        self.text = text
        self.position = 0
        self.names: set[str] = set()

    def _peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _expect(self, value: str) -> None:
        token = self._peek()
        if token is None or token[1] != value:
            found = "the end" if token is None else repr(token[1])
            at = len(self.text) if token is None else token[2]
            raise FormulaError(f"expected {value!r} at position {at + 1}, found {found}")
        self.position += 1

    def expression(self, depth: int) -> Node:
        node = self.term(depth)
        while (token := self._peek()) is not None and token[1] in "+-" and token[0] == "op":
            self.position += 1
            node = (token[1], node, self.term(depth))
        return node

    def term(self, depth: int) -> Node:
        node = self.factor(depth)
        while (token := self._peek()) is not None and token[1] in "*/" and token[0] == "op":
            self.position += 1
            node = (token[1], node, self.factor(depth))
        return node

    def factor(self, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise FormulaError(f"formula is nested more than {MAX_DEPTH} levels deep")
        token = self._peek()
        if token is None:
            raise FormulaError("formula ends where a value is expected")
        kind, value, at = token
        self.position += 1
        if kind == "number":
            return ("num", Decimal(value))
        if kind == "op" and value == "-":
            return ("neg", self.factor(depth + 1))
        if kind == "op" and value == "(":
            node = self.expression(depth + 1)
            self._expect(")")
            return node
        if kind == "name":
            following = self._peek()
            if following is not None and following[1] == "(":
                return self.call(value, at, depth)
            if value in FUNCTIONS:
                raise FormulaError(f"function {value!r} at position {at + 1} needs arguments")
            self.names.add(value)
            return ("metric", value)
        raise FormulaError(f"unexpected {value!r} at position {at + 1}")

    def call(self, name: str, at: int, depth: int) -> Node:
        if name not in FUNCTIONS:
            raise FormulaError(f"unknown function {name!r} at position {at + 1} (abs, min, max, round)")
        self._expect("(")
        args = [self.expression(depth + 1)]
        while (token := self._peek()) is not None and token[1] == ",":
            self.position += 1
            args.append(self.expression(depth + 1))
        self._expect(")")
        if len(args) != FUNCTIONS[name]:
            raise FormulaError(f"{name}() takes {FUNCTIONS[name]} argument(s), got {len(args)}")
        if name == "round":
            digits = args[1]
            if digits[0] != "num" or digits[1] != digits[1].to_integral_value() or digits[1] > MAX_ROUND_DIGITS:
                raise FormulaError(
                    f"round() needs a whole number of digits 0-{MAX_ROUND_DIGITS} as its second argument"
                )
        return ("call", name, tuple(args))


def _evaluate(node: Node, values: Mapping[str, Decimal | None]) -> Decimal:
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind == "metric":
        return Decimal(values[node[1]])  # type: ignore[arg-type]  # presence checked by the caller
    if kind == "neg":
        return _CONTEXT.minus(_evaluate(node[1], values))
    if kind == "call":
        args = [_evaluate(arg, values) for arg in node[2]]
        if node[1] == "abs":
            return _CONTEXT.abs(args[0])
        if node[1] == "min":
            return _CONTEXT.min(args[0], args[1])
        if node[1] == "max":
            return _CONTEXT.max(args[0], args[1])
        # round(x, n) half away from zero, like PostgreSQL's round()
        return args[0].quantize(Decimal(1).scaleb(-int(args[1])), rounding=ROUND_HALF_UP, context=_CONTEXT)
    left, right = _evaluate(node[1], values), _evaluate(node[2], values)
    operation = {"+": _CONTEXT.add, "-": _CONTEXT.subtract, "*": _CONTEXT.multiply, "/": _CONTEXT.divide}[kind]
    return operation(left, right)
