"""The command line's names for the API's parameters.

The API's errors speak of parameters, each written `name` and listed in the
error's ``params`` (``"`direction` has 3 entries for 2 inputs"``); the
command line reports them with its flags (``--dir has 3 entries for 2
inputs``)."""

from ..errors import AdcliError

# parameter -> flag, where the flag is not simply --parameter
FLAGS = {"direction": "--dir", "point": "--at"}


def flag(param: str) -> str:
    return FLAGS.get(param, "--" + param.replace("_", "-"))


def as_flags(exc: AdcliError) -> AdcliError:
    """``exc`` with its parameters named by their flags (in place)."""
    for param in exc.params:
        exc.message = exc.message.replace(f"`{param}`", flag(param))
        if exc.hint:
            exc.hint = exc.hint.replace(f"`{param}`", flag(param))
    exc.params = ()
    return exc
