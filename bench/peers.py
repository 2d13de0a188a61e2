"""Peer scripts: what a user would write instead of calling adcli.

Each script is a whole program run as its own process, like ``adcli``:

    python peer.py FORMULA_FILE POINT_FILE

It reads the same formula text adcli reads (``^`` or ``**`` for powers) and
the same ``x1=2,x2=3`` point, computes the value and the full gradient the
way the tool's documentation recommends for speed, and prints one JSON
object ``{"value": v, "gradient": {name: d, ...}}`` (as adcli's
``--format json`` does), so the runner can check that every peer computed
the same numbers.

Python's own compiler recurses on a long ``a + b + c + ...`` chain (a
10,000-term sum does not compile), so the code generators split the
formula's top-level sum into one statement per term: ``s = t1; s += t2; ...``.
"""

import importlib.util

# Shared by every script: read the inputs, split the top-level sum.
PRELUDE = r'''
import json, sys
FORMULA = open(sys.argv[1]).read().strip()
PAIRS = [p.split("=", 1) for p in open(sys.argv[2]).read().replace("\n", ",").split(",")
         if p.strip()]
MATH = ["sin", "cos", "tan", "exp", "log", "sqrt", "tanh", "sinh", "cosh", "arctan"]
NAMES = [k.strip() for k, _ in PAIRS]
VALUES = [float(v) for _, v in PAIRS]

def top_level_terms(src):
    """Split src at '+' outside parentheses (not the sign of an exponent)."""
    out, depth, start = [], 0, 0
    for i, c in enumerate(src):
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "+" and depth == 0 and i > 0 and not (
                src[i - 1] in "eE" and i > 1 and src[i - 2].isdigit()):
            out.append(src[start:i])
            start = i + 1
    out.append(src[start:])
    return [t.strip() for t in out if t.strip()]

def python_source(args_line):
    """def f(x): <unpack inputs>; s = term1; s += term2; ...; return s"""
    body = [f"    s = {t.replace('^', '**')}" if k == 0 else f"    s += {t.replace('^', '**')}"
            for k, t in enumerate(top_level_terms(FORMULA))]
    return "def f(x):\n" + args_line + "\n".join(body) + "\n    return s\n"

def unpack(expr):
    return "    " + ", ".join(NAMES) + ", = " + expr + "\n"

def report(value, grad):
    print(json.dumps({"value": float(value),
                      "gradient": dict(zip(NAMES, (float(g) for g in grad)))}))
'''

SCRIPTS = {
    # HIPS autograd: numpy-like code, grad/value_and_grad of a function of one array.
    "autograd": ("autograd", PRELUDE + r'''
import autograd.numpy as anp
from autograd import value_and_grad
ns = {n: getattr(anp, n) for n in MATH}
ns.update(pi=anp.pi, e=anp.e)
exec(python_source(unpack("x")), ns)
v, g = value_and_grad(ns["f"])(anp.array(VALUES))
report(v, g)
'''),
    # sympy: parse, differentiate symbolically, then lambdify (its docs' advice
    # for numerical evaluation) and evaluate once.
    "sympy": ("sympy", PRELUDE + r'''
import sympy
from sympy.parsing.sympy_parser import convert_xor, parse_expr, standard_transformations
syms = sympy.symbols(NAMES)
local = dict(zip(NAMES, syms))
how = standard_transformations + (convert_xor,)
f = sympy.Add(*[parse_expr(t, local_dict=local, transformations=how)
                for t in top_level_terms(FORMULA)])
grad = [sympy.diff(f, s) for s in syms]
fn = sympy.lambdify(syms, [f] + grad, "math")
out = fn(*VALUES)
report(out[0], out[1:])
'''),
    # JAX: value_and_grad under jit, float64.
    "JAX": ("jax", PRELUDE + r'''
import jax
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp
ns = {n: getattr(jnp, n) for n in MATH}
ns.update(pi=jnp.pi, e=jnp.e, jnp=jnp)
exec(python_source(unpack("jnp.unstack(x)")), ns)
v, g = jax.jit(jax.value_and_grad(ns["f"]))(jnp.array(VALUES, dtype=jnp.float64))
report(v, g.tolist())
'''),
    # PyTorch: eager autograd on a float64 leaf tensor, backward().
    "PyTorch": ("torch", PRELUDE + r'''
import math
import torch
ns = {n: getattr(torch, n) for n in MATH if hasattr(torch, n)}
ns.update(pi=math.pi, e=math.e)
exec(python_source(unpack("x.unbind()")), ns)
x = torch.tensor(VALUES, dtype=torch.float64, requires_grad=True)
y = ns["f"](x)
y.backward()
report(y.item(), x.grad.tolist())
'''),
}


def available():
    """{peer name: script source} for the peers installed here, and notes
    for the ones that are not."""
    found, notes = {}, []
    for name, (module, source) in SCRIPTS.items():
        if importlib.util.find_spec(module) is None:
            notes.append(f"{name} not installed (pip install -e '.[bench]'; JAX/PyTorch by hand)")
        else:
            found[name] = source
    return found, notes


def version(module):
    try:
        from importlib.metadata import version as v

        return v(module)
    except Exception:
        return None
