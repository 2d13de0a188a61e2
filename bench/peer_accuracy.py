"""Peers side by side on the audit's hard points: relative error of the k-th
derivative against mpmath, for adcli and for each AD library installed
(HIPS autograd, JAX in float64, PyTorch in float64), measured in this run.

    python -m bench.peer_accuracy      # a few seconds once the peers are imported

Each peer differentiates the same function the way its documentation says
(nested ``grad`` for higher orders).  A peer that is not installed shows
"n/a"; an exception or a non-finite result shows as "inf".
"""

import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# (label, adcli formula in x, order k, point, mpmath function, name of the
# function for the peers: a lambda over the peer's numpy-like module)
CASES = [
    ("tanh' at 5", "tanh(x)", 1, 5.0, lambda m, x: m.tanh(x), lambda np, x: np.tanh(x)),
    ("tanh' at 20", "tanh(x)", 1, 20.0, lambda m, x: m.tanh(x), lambda np, x: np.tanh(x)),
    ("tanh'' at 20", "tanh(x)", 2, 20.0, lambda m, x: m.tanh(x), lambda np, x: np.tanh(x)),
    ("asin'' at 1e-30", "asin(x)", 2, 1e-30, lambda m, x: m.asin(x),
     lambda np, x: np.arcsin(x)),
    ("atanh'' at 1e-30", "atanh(x)", 2, 1e-30, lambda m, x: m.atanh(x),
     lambda np, x: np.arctanh(x)),
    ("acosh' at 1e200", "acosh(x)", 1, 1e200, lambda m, x: m.acosh(x),
     lambda np, x: np.arccosh(x)),
    ("atan'' at 1e100", "atan(x)", 2, 1e100, lambda m, x: m.atan(x),
     lambda np, x: np.arctan(x)),
    ("d/dx atan2(1e200, x) at 1e200", "atan2(1e200, x)", 1, 1e200,
     lambda m, x: m.atan2(m.mpf(1e200), x), lambda np, x: np.arctan2(1e200 + 0 * x, x)),
    ("(1/x)'' at 1e-100", "1/x", 2, 1e-100, lambda m, x: 1 / x, lambda np, x: 1 / x),
    ("(x^3)''' at 1e-200", "x^3", 3, 1e-200, lambda m, x: x ** 3, lambda np, x: x ** 3),
    ("hypot(x, 1)'' at 100", "hypot(x, 1)", 2, 100.0, lambda m, x: m.hypot(x, 1),
     lambda np, x: np.sqrt(x * x + 1)),
    ("erf' at 5.5", "erf(x)", 1, 5.5, lambda m, x: m.erf(x), None),
]


def reference(case):
    import mpmath

    _, _, k, x, mfn, _ = case
    # a step relative to x (x can be 1e-100 next to a pole at 0), at a
    # precision that leaves 80 digits after the differences' cancellation
    with mpmath.workdps(60 + 40 * (k + 1)):
        x = mpmath.mpf(x)
        return +mpmath.diff(lambda t: mfn(mpmath, t), x, k, h=abs(x) * mpmath.mpf(10) ** -40)


def adcli_value(case):
    import adcli

    _, src, k, x, _, _ = case
    if k == 1:
        return adcli.grad(src, x=x).gradient["x"]
    return adcli.taylor(src, {"x": x}, order=k).derivatives[k]


def autograd_value(case):
    import autograd
    import autograd.numpy as anp

    _, _, k, x, _, pfn = case
    f = lambda t: pfn(anp, t)  # noqa: E731
    for _ in range(k):
        f = autograd.grad(f)
    return float(f(x))


def jax_value(case):
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    _, _, k, x, _, pfn = case
    f = lambda t: pfn(jnp, t)  # noqa: E731
    for _ in range(k):
        f = jax.grad(f)
    return float(f(jnp.float64(x)))


def torch_value(case):
    import torch

    _, _, k, x, _, pfn = case
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = pfn(_torch_ns(), t)
    for _ in range(k):
        (y,) = torch.autograd.grad(y, t, create_graph=True)
    return float(y)


PEERS = [("adcli", adcli_value), ("autograd", autograd_value), ("jax", jax_value),
         ("torch", torch_value)]


def _torch_ns():
    import torch

    class NS:
        tanh, sqrt = staticmethod(torch.tanh), staticmethod(torch.sqrt)
        arcsin, arctanh = staticmethod(torch.asin), staticmethod(torch.atanh)
        arccosh, arctan = staticmethod(torch.acosh), staticmethod(torch.atan)
        arctan2 = staticmethod(torch.atan2)

    return NS


def measure():
    """{case label: {peer: relative error or None (not installed)}}."""
    import importlib.util

    import mpmath

    table = {}
    for case in CASES:
        want = reference(case)
        row = {}
        for name, fn in PEERS:
            if name != "adcli" and importlib.util.find_spec(name) is None:
                row[name] = None
                continue
            if name != "adcli" and case[5] is None:
                row[name] = None
                continue
            try:
                got = fn(case)
            except Exception:  # a peer that fails here shows as inf
                got = math.nan
            if not math.isfinite(got):
                row[name] = math.inf
            else:
                row[name] = float(abs(mpmath.mpf(got) - want) / abs(want))
        table[case[0]] = row
    return table


def markdown(table):
    peers = [p for p, _ in PEERS]
    versions = _versions()
    lines = ["| derivative | " + " | ".join(f"{p} {versions.get(p, '')}".strip()
                                               for p in peers) + " |",
             "|---|" + "---|" * len(peers)]
    for label, row in table.items():
        cells = []
        for p in peers:
            e = row.get(p)
            cells.append("n/a" if e is None else ("**inf**" if e == math.inf else
                         (f"**{e:.1e}**" if e > 1e-12 else f"{e:.1e}")))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _versions():
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name, dist in [("adcli", "adcli"), ("autograd", "autograd"), ("jax", "jax"),
                       ("torch", "torch")]:
        try:
            out[name] = version(dist)
        except PackageNotFoundError:
            pass
    return out


def run(quick=True):
    """For bench/run.py: one row per case, the relative errors as its note."""
    rows = []
    for label, errs in measure().items():
        note = "; ".join(f"{p} {'n/a' if e is None else f'{e:.1e}'}" for p, e in errs.items())
        rows.append({"workload": f"rel. error {label}", "adcli_s": None, "peer": None,
                     "peer_s": None, "note": note})
    return rows


def main():
    print(markdown(measure()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
