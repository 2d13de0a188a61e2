"""adcli.batch.kernels: the one place that lays out a --points batch's
result columns (value, then derivative columns) for the commands that
compute a point at a time; the commands only pick a kernel."""

import numpy as np
import pytest

import adcli
from adcli.batch import kernels

F = adcli.compile("x*y^2 + sin(x)")
XY = ["x", "y"]


@pytest.mark.parametrize("factory, columns", [
    (kernels.hessian(F, None, None, None),
     ["f", "df/dx", "df/dy", "d2f/dxdx", "d2f/dxdy", "d2f/dydx", "d2f/dydy"]),
    (kernels.hessian(F, ["y"], None, {"y": 1.0}), ["f", "df/dy", "d2f/dydv"]),
    (kernels.taylor(F, 1, None, ["x"]), ["c0", "c1", "d0", "d1"]),
    (kernels.taylor(adcli.compile("x*y, x"), 0, None, ["x"]), ["f1.c0", "f1.d0", "f2.c0",
                                                               "f2.d0"]),
    (kernels.partial(F, ["x", "y"]), ["f", "d2f/dxdy"]),
    (kernels.check(F, ["x"]), ["f", "df/dx", "fd:df/dx", "relerr:df/dx"]),
    (kernels.sparse_hessian(F, None, None), ["f", "df/dx", "df/dy", "d2f/dxdx", "d2f/dxdy",
                                             "d2f/dydy"]),
    (kernels.sparse_grad(adcli.compile("x*y, sin(y)"), None, "auto"),
     ["f1", "f2", "df1/dx", "df1/dy", "df2/dy"]),
])
def test_each_kernel_lays_out_its_columns(factory, columns):
    assert factory(XY).columns == columns


def test_a_row_is_the_columns_numbers():
    kernel = kernels.hessian(F, None, None, None)(XY)
    V, errors, warnings = kernel.compute(np.array([[1.0, 2.0]]), set())
    assert not errors
    assert V[0].tolist() == pytest.approx(
        [4 + np.sin(1), 4 + np.cos(1), 4, -np.sin(1), 4, 4, 2])
