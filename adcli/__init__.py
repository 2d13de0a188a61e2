"""adcli: derivatives by automatic differentiation, from the command line or Python.

    >>> import adcli
    >>> adcli.grad("x1*x2 + sin(x1)", x1=2, x2=3).gradient
    {'x1': 2.5838531634528574, 'x2': 2.0}
"""

from .api import Derivatives, Evaluation, Function, compile, evaluate, grad
from .errors import AdcliError, DomainError, EvalWarning, ParseError, UsageError
from .higher import hessian_of as hessian
from .higher import jvp_of as jvp
from .higher import partial_of as partial
from .higher import taylor_of as taylor
from .higher import vjp_of as vjp

__version__ = "0.1.0"
__all__ = [
    "AdcliError", "Derivatives", "DomainError", "EvalWarning", "Evaluation", "Function",
    "ParseError", "UsageError", "compile", "evaluate", "grad",
    "hessian", "jvp", "partial", "taylor", "vjp",
]
