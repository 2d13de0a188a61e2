"""adcli: derivatives by automatic differentiation, from the command line or Python.

    >>> import adcli
    >>> adcli.grad("x1*x2 + sin(x1)", x1=2, x2=3).gradient
    {'x1': 2.5838531634528574, 'x2': 2.0}
"""

from . import collector as _collector

_collecting = _collector.pause()  # loading makes no garbage (adcli/collector.py)
try:
    from ._version import __version__ as __version__
    from .api import Derivatives, Evaluation, Function, compile, evaluate, grad
    from .api import hessian_of as hessian
    from .api import jvp_of as jvp
    from .api import partial_of as partial
    from .api import taylor_of as taylor
    from .api import vjp_of as vjp
    from .errors import AdcliError, DomainError, EvalWarning, ParseError, UsageError
finally:
    _collector.resume(_collecting)

__all__ = [
    "AdcliError", "Derivatives", "DomainError", "EvalWarning", "Evaluation", "Function",
    "ParseError", "UsageError", "compile", "evaluate", "grad",
    "hessian", "jvp", "partial", "taylor", "vjp",
]
