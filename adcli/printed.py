"""The numbers of precise results: they print as the CLI prints them.

A result computed with ``digits=N`` holds :class:`PreciseNumber`\\ s: mpmath
numbers (``mpmath.mpf``: arithmetic, ``float()``, comparisons and mpmath's
functions work as on any mpf) whose ``str`` and ``repr`` give their N
significant digits, the digits the command line prints.  Printed as a plain
mpf they would show mpmath's 15 default digits, or an ``mpf('...')`` repr
with working-precision noise in the last places.  Arithmetic on them gives
plain mpfs, at mpmath's own precision (``mpmath.mp.dps``), as mpmath does.

A result computed with ``exact=True`` holds :class:`ExactNumber`\\ s:
Fractions printed (``str`` and ``repr``) as ``19/9``, as the command line prints them.

mpmath is imported only when a precise number is made (``exact=True``
needs only fractions): ``PreciseNumber`` is built on first use.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

__all__ = ["ExactNumber", "exact_number", "precise_number"]  # and PreciseNumber, on first use


class ExactNumber(Fraction):
    """A Fraction of an ``exact=True`` result, printed as the command line prints it."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


def exact_number(x: Any) -> Any:
    """``x`` (a Fraction, an int or a finite float, exactly) as an
    :class:`ExactNumber`; anything else as it is."""
    if isinstance(x, ExactNumber) or isinstance(x, bool):
        return x
    if isinstance(x, (Fraction, int)) or (isinstance(x, float) and math.isfinite(x)):
        return ExactNumber(x)
    return x


_CLASS: dict[str, type] = {}


def _precise_class() -> type:
    found = _CLASS.get("PreciseNumber")
    if found is not None:
        return found
    import mpmath

    class PreciseNumber(mpmath.mpf):
        """An mpf of a ``digits=N`` result: prints its N significant digits
        (``.system`` is the result's number system, ``.digits`` its N)."""

        __slots__ = ("system",)

        @property
        def digits(self) -> int:
            return self.system.digits

        def __str__(self) -> str:
            return self.system.format(self)

        __repr__ = __str__

        def __reduce__(self):
            return (_rebuild, (self._mpf_, self.system))

    PreciseNumber.__module__ = __name__
    PreciseNumber.__qualname__ = "PreciseNumber"
    _CLASS["PreciseNumber"] = PreciseNumber
    return PreciseNumber


def _rebuild(mpf_value: tuple, system: Any) -> Any:
    """Unpickling: the number with every bit it had (no rounding to the
    current mpmath precision, which ``mpf(...)`` would do)."""
    number: Any = object.__new__(_precise_class())
    number._mpf_ = mpf_value
    number.system = system
    return number


def precise_number(x: Any, system: Any) -> Any:
    """``x`` (an mpf, an int or a float) as a :class:`PreciseNumber` of
    ``system`` (an MPDigits), keeping all its bits; anything else as it is."""
    mpf_value = getattr(x, "_mpf_", None)
    if mpf_value is None:
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            return x
        from mpmath.libmp import from_float, from_int

        # every bit, whatever mpmath's precision
        mpf_value = from_int(x) if isinstance(x, int) else from_float(x, 53)
    elif getattr(x, "system", None) is system:
        return x
    return _rebuild(mpf_value, system)


def __getattr__(name: str) -> Any:
    # `from adcli.printed import PreciseNumber` (isinstance checks) imports mpmath then
    if name == "PreciseNumber":
        return _precise_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
