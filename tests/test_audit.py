"""The accuracy audit (bench/audit.py) in its quick form: every primitive of
the table, a few points from 1e-300 to 1e300 and next to its domain's edges,
orders 1-4 through every path (forward, reverse, NumPy batch, Hessian,
Taylor, partial, --digits), against references whose precision is checked.
A rule that starts to cancel, overflow or underflow fails here."""

import pytest

pytest.importorskip("sympy")

from bench import audit  # noqa: E402


@pytest.fixture(scope="module")
def quick_audit():
    return audit.audit(quick=True)


def test_every_primitive_is_audited(quick_audit):
    from adcli.primitives import TABLE

    cells, _ = quick_audit
    rows = {row.split("[")[0] for row, _, _ in cells}
    assert {p.key for p in TABLE} - {"sign"} <= rows  # sign' is 0: every point skipped
    paths = {path for _, _, path in cells}
    assert paths == set(audit.PATHS)


def test_no_cell_fails_or_warns(quick_audit):
    cells, _ = quick_audit
    assert audit.failures(cells) == []
    assert "0 warned, 0 fail" in audit.summary(cells)


def test_a_wrong_number_with_a_warning_is_warned_not_passed():
    cell = audit.Cell()
    cell.add(0.0, 1e-14, 1.0, 2.0)
    cell.add(1.0, 1e-14, 1e300, 0.0, warned=True)  # adcli said so: not silent
    assert (cell.points, cell.fails, cell.warned) == (2, 0, 1)
    assert audit.summary({("x", 1, "forward"): cell}).startswith(
        "0 of 1 primitive x order x path cells pass, 1 warned, 0 fail")
    cell.add(1.0, 1e-14, 1e-300, 0.0)  # silently wrong
    assert cell.fails == 1


@pytest.mark.parametrize("formula, point, wrt, want", [
    # the nested sweep's jets held ∂²/∂b² of 1/log b = 1e-406 (0 in float64):
    # this printed 2.0e-108 without a warning
    ("log(x, b)", {"x": 1e-300, "b": 1e200}, "x,b,b", 4.735770680098986e-106),
    # ∂/∂y of x^y overflows inside the sweep, the mixed partial does not (was nan)
    ("x^y", {"x": 1e154, "y": 2.0}, "x,y", 7.101962086421661e+156),
    ("log(x, b)", {"x": 1e-300, "b": 1e300}, "x,x,b", 2.0956855223512657e+294),
])
def test_mixed_partials_whose_sweep_leaves_float64s_range(formula, point, wrt, want):
    import adcli

    got = adcli.Function(formula).partial(point, wrt=wrt)
    assert got.partial == pytest.approx(want, rel=1e-14)
    assert got.warnings == []


def test_a_mixed_partial_beyond_float64_warns():
    from click.testing import CliRunner

    from adcli.cli.main import cli

    out = CliRunner().invoke(cli, ["partial", "exp(x*y)", "--at", "x=1000,y=1", "--wrt", "x,y"])
    assert out.exit_code == 0
    assert "d2f/dxdy inf" in out.stdout
    assert "the mixed partial is 1.97204e+437, beyond float64's range" in out.stderr


def test_the_audit_catches_a_cancelling_rule(monkeypatch):
    # the old tanh rule, 1 - tanh², must fail the audit at x = 20
    from adcli.frozen import replace
    from adcli.primitives import FUNCTIONS, PRIMITIVES

    old = replace(PRIMITIVES["tanh"], partials=("1-tanh(x)^2",))  # frozen: a changed copy
    monkeypatch.setitem(PRIMITIVES, "tanh", old)
    monkeypatch.setitem(FUNCTIONS, ("tanh", 1), old)
    from adcli.modes import rules

    monkeypatch.setattr(rules, "_LIN_CACHE", {}, raising=False)
    monkeypatch.setattr(rules, "_BULK_CACHE", {}, raising=False)
    cells, _ = audit.audit(quick=True, only="tanh", paths=["reverse"])
    assert cells[("tanh", 1, "reverse")].fails > 0


def test_hypots_third_derivative_past_a_subnormal_second():
    # h'' = y²/h³ = 1e-310 is subnormal, h''' = -3x·y²/h⁵ = 3e-280 is not
    import adcli

    got = adcli.Function("hypot(x, 1e-200)").taylor({"x": 1e-30}, order=3).derivatives
    assert got[3] == pytest.approx(-3e-280, rel=1e-14)
    got = adcli.Function("hypot(1e-200, y)").partial({"y": -1e-30}, wrt="y,y,y").partial
    assert got == pytest.approx(3e-280, rel=1e-14)


def test_mixed_partial_of_atan2_next_to_the_diagonal():
    # (x² − y²)/(x² + y²)²: the written second partial (x − y)(x + y)/h⁴, not
    # the rule's derivative 1/h² − 2y²/h⁴, which cancels (was 10% off)
    import adcli

    x = -0.999999999999999
    got = adcli.Function("atan2(x, y)").partial({"x": x, "y": 1.0}, wrt="x,y").partial
    want = adcli.Function("atan2(x, y)").partial({"x": x, "y": 1.0}, wrt="x,y", digits=20)
    assert got == pytest.approx(float(want.partial), rel=1e-13)


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_pow_slope_with_a_small_exponent_at_a_huge_base(mode):
    # y·x^(y−1): y − 1 rounds for |y| < 0.5 and log x = 690 magnifies it (3e-14)
    import adcli

    got = adcli.Function("x^1e-5").gradient({"x": 1e300}, mode=mode).jacobian[0]["x"]
    want = adcli.Function("x^1e-5").gradient({"x": 1e300}, digits=20).jacobian[0]["x"]
    assert got == pytest.approx(float(want), rel=2e-16)


def test_generated_hessians_use_the_written_second_partials():
    # the generator differentiated x/h: 1/h − x²/h³ is 0 at x = 1e30 (true 1e-90)
    _, _, h = audit._generated("hypot(x, y)")([1e30, 1.0])
    assert h[0] == pytest.approx(1e-90, rel=1e-15)
    _, _, h = audit._generated("atan2(x, y)")([1.0, -0.999999999999999])
    want = adcli_partial("atan2(x, y)", {"x": 1.0, "y": -0.999999999999999}, "x,y")
    assert h[1] == pytest.approx(want, rel=1e-13)


def adcli_partial(formula, point, wrt):
    import adcli

    return float(adcli.Function(formula).partial(point, wrt=wrt, digits=20).partial)
