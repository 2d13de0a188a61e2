"""Derivatives to any number of digits, or exactly — the Python side of
``--digits N`` and ``--exact``.

>>> from adcli import precise
>>> r = precise.gradient("x1*x2 + sin(x1)", {"x1": "2", "x2": "3"}, digits=30)
>>> r.context.format(r.gradient["x1"])
'2.58385316345285761300243177050'
>>> precise.gradient("x^3/3 + x*y", {"x": "1/3", "y": 2}, exact=True).gradient
{'x': Fraction(19, 9), 'y': Fraction(1, 3)}

Point values may be text (``"1/3"``, ``"pi/4"``: read at the working
precision), ints, Fractions, mpmath numbers, or floats (taken at their exact
binary value).  Results are :class:`adcli.Evaluation` / :class:`adcli.Derivatives`
whose numbers are mpmath ``mpf`` (``digits=N``, correct to N significant
digits) or ``Fraction`` (``exact=True``); ``.context.format(x)`` prints one.
The engine (and the pieces other modes can reuse: ``Context``,
``linearize``, ``forward``, ``reverse``) is :mod:`adcli.modes.precise`.

``hessian``, ``taylor``, ``partial`` and ``trace`` take the same
``digits=N`` / ``exact=True`` (:mod:`adcli.modes.precise_higher`):

>>> r = precise.hessian("x^3*y", {"x": "1/3", "y": 2}, digits=20)
>>> r.context.format(r.hessian["x"]["y"])
'0.33333333333333333333'
"""

from .modes.precise import Context, NotRational, evaluate, gradient
from .modes.precise_higher import hessian, partial, taylor, trace

__all__ = ["Context", "NotRational", "evaluate", "gradient", "hessian", "partial", "taylor",
           "trace"]
