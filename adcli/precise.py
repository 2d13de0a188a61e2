"""Kept for code written against adcli 0.1: every computation now takes
``digits=N`` or ``exact=True`` itself.

>>> import adcli
>>> r = adcli.grad("x1*x2 + sin(x1)", {"x1": "2", "x2": "3"}, digits=30)
>>> r.format(r.gradient["x1"])
'2.58385316345285761300243177050'
>>> adcli.grad("x^3/3 + x*y", {"x": "1/3", "y": 2}, exact=True).gradient
{'x': 19/9, 'y': 1/3}
"""

from .api import Function, compile
from .numsys import NotRational

__all__ = ["NotRational", "evaluate", "gradient", "hessian", "partial", "taylor", "trace"]


def _fn(source):
    return source if isinstance(source, Function) else compile(source)


def evaluate(fn, point=None, *, digits=None, exact=False, **kwargs):
    return _fn(fn).evaluate(point, digits=digits, exact=exact, **kwargs)


def gradient(fn, point=None, *, digits=None, exact=False, wrt=None, mode="auto", **kwargs):
    return _fn(fn).gradient(point, wrt=wrt, mode=mode, digits=digits, exact=exact, **kwargs)


def hessian(fn, point=None, *, digits=None, exact=False, **kwargs):
    return _fn(fn).hessian(point, digits=digits, exact=exact, **kwargs)


def taylor(fn, point=None, order=2, *, digits=None, exact=False, **kwargs):
    return _fn(fn).taylor(point, order, digits=digits, exact=exact, **kwargs)


def partial(fn, point=None, wrt=None, *, digits=None, exact=False, **kwargs):
    return _fn(fn).partial(point, wrt, digits=digits, exact=exact, **kwargs)


def trace(fn, point=None, *, digits=None, exact=False, **kwargs):
    return _fn(fn).trace(point, digits=digits, exact=exact, **kwargs)
