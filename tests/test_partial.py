"""Mixed partials of any order (Taylor coefficients along several
directions), against sympy to 1e-10 relative."""

import json

import pytest
import sympy as sp
from click.testing import CliRunner

import adcli
from adcli.cli.main import cli

x, y, z = sp.symbols("x y z", real=True)
SYMS = {"x": x, "y": y, "z": z}
AT = {"x": 0.6, "y": -0.3, "z": 1.4}
SUBS = {x: sp.Rational(3, 5), y: sp.Rational(-3, 10), z: sp.Rational(7, 5)}

FUNCS = [
    ("exp(x*y) * sin(x + z)", sp.exp(x * y) * sp.sin(x + z)),
    ("log(1 + x^2 + y^2*z) / (2 + cos(y*z))",
     sp.log(1 + x**2 + y**2 * z) / (2 + sp.cos(y * z))),
    ("atan(x*y - z) + sqrt(z)*x^3*y", sp.atan(x * y - z) + sp.sqrt(z) * x**3 * y),
]
WRTS = ["x,y", "x,x,y", "x,y,z", "x,x,y,y", "x,x,x,z", "z,z,z,z,z", "x,y,y,z,z"]


@pytest.mark.parametrize("text, expr", FUNCS)
@pytest.mark.parametrize("wrt", WRTS)
def test_mixed_partials_match_sympy(text, expr, wrt):
    names = wrt.split(",")
    ref = float(sp.diff(expr, *[SYMS[n] for n in names]).subs(SUBS).evalf(30))
    r = adcli.partial(text, AT, wrt=wrt)
    assert abs(r.partial - ref) <= 1e-10 * max(abs(ref), 1e-6), (r.partial, ref)


def test_first_order_is_the_gradient():
    text = FUNCS[0][0]
    g = adcli.grad(text, AT).gradient
    for v in AT:
        assert adcli.partial(text, AT, wrt=v).partial == pytest.approx(g[v], rel=1e-15)


def test_second_order_is_the_hessian():
    text = FUNCS[1][0]
    H = adcli.hessian(text, AT).hessian
    for a in AT:
        for b in AT:
            assert adcli.partial(text, AT, wrt=[a, b]).partial == \
                pytest.approx(H[a][b], rel=1e-12)


def test_order_10_mixed_partial():
    # one sweep over nested series: 8.8e-15 (polarization's 18 sweeps: 6.5e-14)
    e = sp.exp(x * y / 2) * sp.sin(x + y)
    ref = float(sp.diff(e, x, 5, y, 5).subs({x: sp.Rational(3, 10),
                                             y: sp.Rational(7, 10)}).evalf(30))
    r = adcli.partial("exp(x*y/2)*sin(x+y)", {"x": 0.3, "y": 0.7}, wrt="x,x,x,x,x,y,y,y,y,y")
    assert abs(r.partial - ref) <= 1e-12 * abs(ref)


def test_polynomial_is_exact():
    assert adcli.partial("x^2*y", {"x": 3, "y": 5}, wrt="x,x,y").partial == 2.0
    assert adcli.partial("x^3*y^2*z", AT, wrt="x,x,x,y,y,z").partial == 12.0


def test_order_of_wrt_does_not_matter():
    text = FUNCS[2][0]
    a = adcli.partial(text, AT, wrt="x,y,x").partial
    b = adcli.partial(text, AT, wrt="x,x,y").partial
    assert a == b


def test_sweep_count_is_reported():
    # one sweep over nested Taylor series (adcli/modes/jets.py) ...
    assert adcli.partial("x*y*z", AT, wrt="x,x,y").sweeps == 1
    assert adcli.partial("x*y*z", AT, wrt="x,y,z").sweeps == 1
    assert adcli.partial("exp(x)", {"x": 1}, wrt="x,x,x,x,x,x").sweeps == 1
    # ... or, at a kink, polarization: 6 centred nodes, opposite ones share a sweep
    assert adcli.partial("abs(x)*y*z", {"x": 0, "y": 1, "z": 2}, wrt="x,x,y").sweeps == 3


@pytest.mark.parametrize("source, point, wrt", [
    # polarization summed sweeps whose terms were 1e200 times the result
    ("atan2(x, y)", {"x": 1.0, "y": 1e100}, "x,y,y"),
    ("hypot(x, y)", {"x": 1e100, "y": 1.0}, "x,y"),
    # ... or overflowed to inf - inf although the result is finite
    ("x/y", {"x": 2.0, "y": 1e-100}, "x,y,y"),
    ("x^y", {"x": 1e-300, "y": 0.5}, "x,y"),
    # three variables: jets whose coefficients are jets
    ("x*y*z*exp(x*y*z)", {"x": 1.0, "y": 2.0, "z": 0.5}, "x,y,z,z"),
])
def test_mixed_partials_at_extreme_points(source, point, wrt):
    syms = {n: sp.Symbol(n) for n in point}
    expr = sp.sympify(source.replace("^", "**").replace("hypot(x, y)", "sqrt(x**2 + y**2)")
                      .replace("atan2", "atan2"), locals=syms)
    ref = sp.diff(expr, *[syms[n] for n in wrt.split(",")])
    ref = ref.subs({syms[n]: sp.Float(v, 60) for n, v in point.items()}).evalf(40)
    r = adcli.partial(source, point, wrt=wrt)
    assert r.partial == pytest.approx(float(ref), rel=1e-13)
    assert r.sweeps == 1


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_cli_json_shape():
    res = run("partial", "x^2*y", "--at", "x=3,y=5", "--wrt", "x,x,y", "--format", "json")
    assert res.exit_code == 0, res.output
    obj = json.loads(res.output)
    assert obj["value"] == 45.0 and obj["wrt"] == ["x", "x", "y"] and obj["partial"] == 2.0


def test_cli_plain_and_csv():
    res = run("partial", "x^2*y", "--at", "x=3,y=5", "--wrt", "x,x,y", "--format", "plain")
    assert res.output.splitlines() == ["f 45", "d3f/dxdxdy 2"]
    res = run("partial", "x^2*y", "--at", "x=3,y=5", "--at", "x=1,y=1", "--wrt", "x,y",
              "--format", "csv")
    assert res.output.splitlines() == ["x,y,f,d2f/dxdy", "3,5,45,6", "1,1,1,2"]


def test_cli_errors():
    assert run("partial", "x*y", "--at", "x=1,y=2", "--wrt", "x,w").exit_code == 2
    assert run("partial", "x*y", "--at", "x=1,y=2").exit_code == 2
    res = run("partial", "log(x)*y", "--at", "x=-1,y=2", "--wrt", "x,y")
    assert res.exit_code == 1 and "ω3" in res.output


def test_cli_points(tmp_path):
    pts = tmp_path / "p.csv"
    pts.write_text("x,y\n1,2\n3,4\n")
    res = run("partial", "x^2*y", "--wrt", "x,x,y", "--points", str(pts), "--format", "csv")
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[:3] == ["x,y,f,d3f/dxdxdy,error", "1,2,2,2,", "3,4,36,2,"]
