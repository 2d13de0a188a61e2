"""Kept for code written against adcli 0.1: every computation now takes
``digits=N`` or ``exact=True`` itself.

>>> import adcli
>>> r = adcli.grad("x1*x2 + sin(x1)", {"x1": "2", "x2": "3"}, digits=30)
>>> r.format(r.gradient["x1"])
'2.58385316345285761300243177050'
>>> adcli.grad("x^3/3 + x*y", {"x": "1/3", "y": 2}, exact=True).gradient
{'x': 19/9, 'y': 1/3}
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .api import Function, compile
from .arguments import Names, Point
from .numsys import NotRational
from .results import Derivatives, Evaluation, Hessian, Partial, Taylor

if TYPE_CHECKING:  # the trace is loaded by the first call that asks for one
    from .modes.trace import Trace

__all__ = ["NotRational", "evaluate", "gradient", "hessian", "partial", "taylor", "trace"]


def _fn(source: str | Function) -> Function:
    return source if isinstance(source, Function) else compile(source)


def evaluate(fn: str | Function, point: Point = None, *, digits: int | None = None,
             exact: bool = False, **kwargs: Any) -> Evaluation:
    return _fn(fn).evaluate(point, digits=digits, exact=exact, **kwargs)


def gradient(fn: str | Function, point: Point = None, *, digits: int | None = None,
             exact: bool = False, wrt: Names = None, mode: str = "auto",
             **kwargs: Any) -> Derivatives:
    return _fn(fn).gradient(point, wrt=wrt, mode=mode, digits=digits, exact=exact, **kwargs)


def hessian(fn: str | Function, point: Point = None, *, digits: int | None = None,
            exact: bool = False, **kwargs: Any) -> Hessian:
    return _fn(fn).hessian(point, digits=digits, exact=exact, **kwargs)


def taylor(fn: str | Function, point: Point = None, order: int = 2, *,
           digits: int | None = None, exact: bool = False, **kwargs: Any) -> Taylor:
    return _fn(fn).taylor(point, order, digits=digits, exact=exact, **kwargs)


def partial(fn: str | Function, point: Point = None, wrt: Names = None, *,
            digits: int | None = None, exact: bool = False, **kwargs: Any) -> Partial:
    return _fn(fn).partial(point, wrt, digits=digits, exact=exact, **kwargs)


def trace(fn: str | Function, point: Point = None, *, digits: int | None = None,
          exact: bool = False, **kwargs: Any) -> Trace:
    return _fn(fn).trace(point, digits=digits, exact=exact, **kwargs)
