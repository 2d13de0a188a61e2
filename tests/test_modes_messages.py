"""adcli/modes/messages.py: the words of a domain error, a kink, an
overflow — what a step computed, where (ω and the source span), and how to
fix it — built from one step of the tape."""

import math

from adcli.errors import DomainError
from adcli.graph.tape import Tape
from adcli.language.parser import parse
from adcli.modes import messages
from adcli.modes.engine import primal
from adcli.modes.sweeps import linearize
from adcli.primitives import PRIMITIVES


def _tape(source, inputs=None):
    program = parse(source)
    return Tape(program, program.free if inputs is None else inputs)


def _step(tape, key):
    return next(s for s in tape.steps if s.prim.key == key)


def _slots(tape, **at):
    """Slot values with the given arguments placed by slot number."""
    vals = [0.0] * tape.size
    for slot, value in at.items():
        vals[int(slot[1:])] = value
    return vals


def test_call_text_writes_operators_infix_and_functions_with_parentheses():
    tape = _tape("x/y + -x + atan2(x, y) + sin(x)", ["x", "y"])
    assert messages.call_text(_step(tape, "div"), [1.0, 0.0]) == "1 / 0"
    assert messages.call_text(_step(tape, "neg"), [2.5]) == "-2.5"
    assert messages.call_text(_step(tape, "atan2"), [0.0, -1.0]) == "atan2(0, -1)"
    assert messages.call_text(_step(tape, "sin"), [1e300]) == "sin(1e+300)"


def test_domain_error_names_the_call_the_step_and_the_source_span():
    source = "y + log(x)"
    tape = _tape(source, ["x", "y"])
    step = _step(tape, "log")
    error = messages.domain_error(tape, step, _slots(tape, s0=-1.0))
    assert isinstance(error, DomainError) and error.exit_code == 1
    assert str(error) == "log(-1) is undefined (at ω3)"
    assert error.step == 3 == tape.omega(step.slot)
    assert source[error.span[0]:error.span[1]] == "log(x)"
    assert error.source == source
    assert error.hint == "log is defined for x > 0"


def test_division_by_zero_says_so_and_how_to_avoid_it():
    tape = _tape("(x + 1)/y", ["x", "y"])
    step = _step(tape, "div")
    vals = _slots(tape, s1=0.0)
    vals[step.args[0]] = 3.0
    error = messages.domain_error(tape, step, vals)
    assert str(error) == f"division by zero: 3 / 0 at ω{tape.omega(step.slot)}"
    assert error.hint == "the divisor must not be zero"


def test_a_negative_base_to_an_odd_root_points_to_the_real_root():
    tape = _tape("x^c", ["x", "c"])
    step = _step(tape, "pow")
    cube = messages.domain_error(tape, step, _slots(tape, s0=-8.0, s1=1 / 3))
    assert str(cube) == "-8 ^ 0.3333333333333333 is undefined (at ω3)"
    assert cube.hint.endswith("; for the real cube root of a negative number write cbrt(x)")
    fifth = messages.domain_error(tape, step, _slots(tape, s0=-8.0, s1=0.2))
    assert fifth.hint.endswith("; for a real odd root write -(-x)^y")
    square = messages.domain_error(tape, step, _slots(tape, s0=-8.0, s1=0.5))
    assert square.hint == ("x^y is defined for x > 0, or x < 0 with integer y, "
                           "or x = 0 with y ≥ 0")  # no real root to offer


def test_domain_hint_words_each_primitives_domain():
    assert messages.domain_hint(PRIMITIVES["div"]) == "the divisor must not be zero"
    assert messages.domain_hint(PRIMITIVES["sqrt"]) == "sqrt is defined for x ≥ 0"
    assert messages.domain_hint(PRIMITIVES["asin"]) == "asin is defined for -1 ≤ x ≤ 1"


def test_kink_warning_uses_the_table_note_worded_for_the_arguments():
    tape = _tape("abs(x) + x^y", ["x", "y"])
    corner = messages.kink_warning(tape, _step(tape, "abs"), [0.0])
    assert (corner.kind, corner.step) == ("kink", 3)
    assert corner.message == ("abs(0) at ω3 is not differentiable "
                              "(corner: adcli uses the derivative 0)")
    power = messages.kink_warning(tape, _step(tape, "pow"), [0.0, 0.5])
    assert power.message == ("0 ^ 0.5 at ω4 is not differentiable "
                             "(infinite slope: d/dx is +inf)")
    told = messages.kink_warning(tape, _step(tape, "pow"), [0.0, 0.5], note="a note")
    assert told.message.endswith("(a note)")


def test_edge_note_only_where_the_table_marks_an_edge():
    pow_ = PRIMITIVES["pow"]
    assert messages.edge_note(pow_, [-2.0, 3.0]).startswith("x^y with x < 0 is defined only")
    assert messages.edge_note(pow_, [0.0, 1.5]) == ""  # an edge with nothing to say
    assert messages.edge_note(pow_, [2.0, 3.0]) is None
    assert messages.edge_note(PRIMITIVES["sin"], [0.0]) is None  # no edges at all


def test_nonfinite_warnings_name_the_first_step_that_left_the_finite_numbers():
    tape = _tape("exp(x) - exp(y)", ["x", "y"])
    vals, _ = primal(tape, [1000.0, 1000.0])  # inf - inf = nan downstream
    (warning,) = messages.nonfinite_warnings(tape, vals, [vals[o] for o in tape.outputs])
    assert (warning.kind, warning.step) == ("overflow", 3)
    assert warning.message == "exp(1000) overflowed to inf at ω3"


def test_nonfinite_warnings_say_gives_for_nan_from_an_infinite_argument():
    tape = _tape("x*y", ["x", "y"])
    (warning,) = messages.nonfinite_warnings(tape, [math.inf, 0.0, math.nan], [math.nan])
    assert (warning.kind, warning.step) == ("nan", 3)
    assert warning.message == "inf * 0 gives nan at ω3"


def test_nonfinite_warnings_stay_quiet_when_every_result_is_finite():
    # exp(1000) overflows, but the result does not depend on it any more
    tape = _tape("exp(x)*0 + 1", ["x"])
    assert messages.nonfinite_warnings(tape, [1000.0, 0.0, 1.0, math.inf, math.nan, 1.0],
                                       [1.0]) == []


def test_derivative_warnings_name_the_partial_that_overflowed():
    lin = linearize(_tape("log(x)", ["x"]), [1e-320])
    (warning,) = messages.derivative_warnings(lin)
    assert (warning.kind, warning.step) == ("overflow", 2)
    assert warning.message == "the derivative of log(1e-320) at ω2 overflows to inf"


def test_derivative_warnings_blame_the_chain_rule_when_every_partial_is_finite():
    lin = linearize(_tape("x*1e200*1e200", ["x"]), [1e-300])
    assert all(math.isfinite(p) for ps in lin.partials for p in ps)
    (warning,) = messages.derivative_warnings(lin)
    assert (warning.kind, warning.step) == ("overflow", None)
    assert "chain rule" in warning.message


def test_derivative_warnings_do_not_repeat_a_step_already_warned_about():
    lin = linearize(_tape("sqrt(x)", ["x"]), [0.0])  # the kink warning says it
    assert [w.kind for w in lin.warnings] == ["kink"]
    assert messages.derivative_warnings(lin) == []
