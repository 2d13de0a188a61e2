"""Random formulas for the tests, two kinds:

- ``cases``: compositions of the table's smooth primitives that stay inside
  their domains on [-2, 2]² (a seeded generator: deterministic);
- ``kinky_extend``: a Hypothesis extension, for ``st.recursive``, that
  builds formulas with kinks (abs, sign, min, max), domain edges (log,
  sqrt, asin) and every branch of x^y, for the property tests that compare
  the sweeps over NumPy arrays with one scalar sweep per point."""

import random

from hypothesis import strategies as st

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


# -- formulas with kinks and domain edges (Hypothesis) -----------------------

PAIRS = ["min", "max", "hypot", "atan2"]


def kinky_extend(funcs: list[str], exponents: list[str]):
    """The ``extend`` of ``st.recursive``: a formula is two formulas joined by
    + - * /, one of ``funcs`` of a formula, one of ``PAIRS`` of two, or a
    formula to one of ``exponents``."""
    def extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(children, st.sampled_from(["+", "-", "*", "/"]), children)
              .map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(st.sampled_from(funcs), children).map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(st.sampled_from(PAIRS), children, children)
              .map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
            st.tuples(children, st.sampled_from(exponents))
              .map(lambda t: f"({t[0]})^{t[1]}"),
        )
    return extend


# -- the numbers of a result, by path (the array tests compare them) ---------

def numbers_by_path(obj, path=(), keep_none=False):
    """(path, number) for every number in nested dicts and lists (a result's
    ``gradient``, ``hessian`` …), the path a tuple of keys and indices."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from numbers_by_path(v, path + (k,), keep_none)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from numbers_by_path(v, path + (i,), keep_none)
    elif obj is not None or keep_none:
        yield path, obj


def at_path(obj, path):
    """The entry of nested dicts and lists at ``path`` (see numbers_by_path)."""
    for key in path:
        obj = obj[key]
    return obj
