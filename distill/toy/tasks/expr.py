"""Integer expression trees: random shapes, minimal-parenthesis rendering, step-by-step evaluation.

Shared by the arithmetic and countdown tasks. Steps come out in post-order (left, right, node), which
is the order a person works through `(3 + 4) * 2 - 5`: 3 + 4 = 7, 7 * 2 = 14, 14 - 5 = 9.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

PRECEDENCE = {"+": 1, "-": 1, "*": 2}


@dataclass(frozen=True)
class Num:
    value: int


@dataclass(frozen=True)
class Op:
    op: str
    left: Num | Op
    right: Num | Op


Node = Num | Op


def apply(op: str, a: int, b: int) -> int:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    raise ValueError(f"unknown operator {op!r}")


def value(node: Node) -> int:
    if isinstance(node, Num):
        return node.value
    return apply(node.op, value(node.left), value(node.right))


def random_tree(rng: random.Random, leaves: list[int], ops: str, left_deep: bool) -> Node:
    """A random tree over `leaves` in order; left_deep gives chains like `a + b * c` (no parentheses
    needed for + and -), otherwise any shape, so parentheses appear."""
    if len(leaves) == 1:
        return Num(leaves[0])
    split = len(leaves) - 1 if left_deep else rng.randint(1, len(leaves) - 1)
    return Op(
        rng.choice(ops),
        random_tree(rng, leaves[:split], ops, left_deep),
        random_tree(rng, leaves[split:], ops, left_deep),
    )


def render(node: Node) -> str:
    """Infix text: parentheses where precedence needs them and around same-level right operands."""
    if isinstance(node, Num):
        return str(node.value) if node.value >= 0 else f"({node.value})"
    left, right = render(node.left), render(node.right)
    if isinstance(node.left, Op) and PRECEDENCE[node.left.op] < PRECEDENCE[node.op]:
        left = f"({left})"
    # A right operand of the same precedence keeps its parentheses even where the value would not
    # change (a + (b - c)), so the text reads in the order the steps work it out.
    if isinstance(node.right, Op) and PRECEDENCE[node.right.op] <= PRECEDENCE[node.op]:
        right = f"({right})"
    return f"{left} {node.op} {right}"


def steps(node: Node) -> list[str]:
    """One line per operation, `a op b = c`, in the order they are worked out."""
    if isinstance(node, Num):
        return []
    lines = steps(node.left) + steps(node.right)
    a, b = value(node.left), value(node.right)
    b_text = str(b) if b >= 0 else f"({b})"
    lines.append(f"{a} {node.op} {b_text} = {apply(node.op, a, b)}")
    return lines


def intermediates(node: Node) -> list[int]:
    """Every value met while evaluating (leaves included), to bound how big or negative a level gets."""
    if isinstance(node, Num):
        return [node.value]
    return intermediates(node.left) + intermediates(node.right) + [value(node)]
