"""The command line's names for the API's parameters.

The API's errors speak of parameters, each written `name` and listed in the
error's ``params`` (``"`direction` has 3 entries for 2 inputs"``); the
command line reports them with its flags (``--dir has 3 entries for 2
inputs``).  An error's ``label`` (what its source text is) may name a
parameter the same way: ``in `point`:`` is ``in --at:`` on the command line."""

from typing import TypeVar

from ..errors import AdcliError, EvalWarning

Named = TypeVar("Named", AdcliError, EvalWarning)

# parameter -> flag, where the flag is not simply --parameter
FLAGS = {"direction": "--dir", "point": "--at"}


def flag(param: str) -> str:
    return FLAGS.get(param, "--" + param.replace("_", "-"))


def as_flags(exc: Named) -> Named:
    """``exc`` (an error or a warning) with its parameters named by their
    flags (in place)."""
    for param in exc.params:
        exc.message = exc.message.replace(f"`{param}`", flag(param))
        if isinstance(exc, AdcliError) and exc.hint:
            exc.hint = exc.hint.replace(f"`{param}`", flag(param))
    if isinstance(exc, AdcliError) and exc.label and exc.label[0] == exc.label[-1] == "`":
        exc.label = flag(exc.label[1:-1])
    exc.params = ()
    return exc
