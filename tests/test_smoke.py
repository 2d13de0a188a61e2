import adcli


def test_worked_example_both_modes():
    for mode in ("forward", "reverse"):
        r = adcli.grad("x1*x2+sin(x1)", x1=2, x2=3, mode=mode)
        assert r.value == 6.909297426825682
        assert r.gradient == {"x1": 2.5838531634528574, "x2": 2.0}
