"""OWRS formulas: ``+ - * /``, parentheses, numbers and field names, evaluated exactly. Pure.

``service_charge+commodity_charge`` or ``hhsize*gpcd*days_in_period*(1/748)``. The text is
tokenised and parsed here (recursive descent), never handed to ``eval``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, DivisionByZero, InvalidOperation, localcontext
from functools import lru_cache
from typing import Any

_TOKEN = re.compile(r"\s*(?:(\d+\.?\d*|\.\d+)|([A-Za-z_][A-Za-z0-9_.]*)|(.))")

Node = tuple[Any, ...]  # ("num", Decimal) | ("name", str) | ("neg", Node) | (op, Node, Node)


class FormulaError(ValueError):
    """A formula could not be read or evaluated; the message quotes it."""


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens = []
    for match in _TOKEN.finditer(text.strip()):
        number, name, other = match.groups()
        if number is not None:
            tokens.append(("num", number))
        elif name is not None:
            tokens.append(("name", name))
        elif other is not None and other.strip():
            if other not in "+-*/()":
                raise FormulaError(
                    f"{other!r} is not allowed in the formula {text!r} (only + - * / and parentheses)"
                )
            tokens.append(("op", other))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.position = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise FormulaError(f"the formula {self.text!r} ends too early")
        self.position += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            raise FormulaError("the formula is empty")
        node = self.expression()
        if self.peek() is not None:
            raise FormulaError(f"unexpected {self.tokens[self.position][1]!r} in the formula {self.text!r}")
        return node

    def expression(self) -> Node:
        node = self.term()
        while (token := self.peek()) is not None and token[1] in ("+", "-") and token[0] == "op":
            self.take()
            node = (token[1], node, self.term())
        return node

    def term(self) -> Node:
        node = self.factor()
        while (token := self.peek()) is not None and token[1] in ("*", "/") and token[0] == "op":
            self.take()
            node = (token[1], node, self.factor())
        return node

    def factor(self) -> Node:
        kind, value = self.take()
        if kind == "num":
            return ("num", Decimal(value))
        if kind == "name":
            if (token := self.peek()) is not None and token[1] == "(":
                raise FormulaError(f"function calls like {value}(...) are not supported in {self.text!r}")
            return ("name", value)
        if value == "(":
            node = self.expression()
            if self.take()[1] != ")":
                raise FormulaError(f"a parenthesis is not closed in {self.text!r}")
            return node
        if value == "-":
            return ("neg", self.factor())
        if value == "+":
            return self.factor()
        raise FormulaError(f"unexpected {value!r} in the formula {self.text!r}")


@lru_cache(maxsize=1024)
def parse_formula(text: str) -> Node:
    """The parsed formula (cached: a rate file's few formulas are parsed once)."""
    return _Parser(text).parse()


def names_in(node: Node) -> list[str]:
    """Field names a formula uses, in order."""
    if node[0] == "name":
        return [str(node[1])]
    if node[0] == "num":
        return []
    return [name for child in node[1:] for name in names_in(child)]


def sum_terms(node: Node) -> list[tuple[int, str]] | None:
    """``a+b-c`` as ``[(1, "a"), (1, "b"), (-1, "c")]``; None when the formula is not such a sum."""
    if node[0] == "name":
        return [(1, str(node[1]))]
    if node[0] in ("+", "-") and len(node) == 3:
        left, right = sum_terms(node[1]), sum_terms(node[2])
        if left is None or right is None:
            return None
        sign = 1 if node[0] == "+" else -1
        return left + [(sign * s, name) for s, name in right]
    return None


def evaluate(node: Node, resolve: Callable[[str], Decimal]) -> Decimal:
    """The value of a parsed formula; ``resolve`` gives a field's number."""
    with localcontext() as context:
        context.prec = 34
        try:
            return _evaluate(node, resolve)
        except (DivisionByZero, InvalidOperation):
            raise FormulaError("division by zero in a formula") from None


def _evaluate(node: Node, resolve: Callable[[str], Decimal]) -> Decimal:
    kind = node[0]
    if kind == "num":
        return Decimal(node[1])
    if kind == "name":
        return resolve(str(node[1]))
    if kind == "neg":
        return -_evaluate(node[1], resolve)
    left = _evaluate(node[1], resolve)
    right = _evaluate(node[2], resolve)
    if kind == "+":
        return left + right
    if kind == "-":
        return left - right
    if kind == "*":
        return left * right
    return left / right
