"""Batches of points (``--points FILE|-``): streamed, vectorised with NumPy.

NumPy is imported only when a batch runs (this package is never imported by
single-point commands).  See :mod:`adcli.batch.driver` for how a command
plugs in; the public pieces are re-exported here lazily.
"""

__all__ = ["EvalKernel", "GradKernel", "Kernel", "PointKernel", "run_points"]


def __getattr__(name):
    if name in __all__:
        from . import driver

        return getattr(driver, name)
    raise AttributeError(name)
