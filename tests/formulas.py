"""Random formulas for the engine's unit tests: compositions of the table's
smooth primitives that stay inside their domains on [-2, 2]² (every test
that uses them is deterministic: a seeded generator)."""

import random

UNARY = ["sin({})", "cos({})", "tanh({})", "atan({})", "exp({}/3)", "log1p(({})^2)",
         "sqrt(1 + ({})^2)", "erf({})", "asinh({})", "({})^2", "({})^3", "-({})",
         "1/(1 + ({})^2)", "sinh({}/2)", "cosh({}/3)", "expm1({}/4)", "cbrt(2 + sin({}))"]
BINARY = ["({}) + ({})", "({}) - ({})", "({}) * ({})", "({}) / (2 + ({})^2)",
          "atan2({}, 3 + ({})^2)", "hypot({}, 1 + ({})^2)", "log(2 + ({})^2, 3 + ({})^2)"]
LEAVES = ["0.5", "2", "pi", "1.25"]


def random_formula(rng: random.Random, names: list[str], depth: int) -> str:
    if depth == 0 or rng.random() < 0.15:
        return rng.choice(names) if rng.random() < 0.8 else rng.choice(LEAVES)
    if rng.random() < 0.45:
        return rng.choice(UNARY).format(random_formula(rng, names, depth - 1))
    template = rng.choice(BINARY)
    return template.format(*(random_formula(rng, names, depth - 1)
                             for _ in range(template.count("{}"))))


def cases(seed: str, count: int, names: tuple[str, ...] = ("x", "y", "z"), depth: int = 4,
          outputs: int = 2) -> list[tuple[str, dict[str, float]]]:
    """``count`` (formula, point) pairs: one to ``outputs`` outputs over
    ``names``, points uniform in [-2, 2]."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        k = rng.randint(1, outputs)
        source = ", ".join(random_formula(rng, list(names), depth) for _ in range(k))
        out.append((source, {n: rng.uniform(-2, 2) for n in names}))
    return out
