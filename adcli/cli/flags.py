"""The command line's names for the API's parameters.

The API's errors speak of parameters, each written `name` and listed in the
error's ``params`` (``"`direction` has 3 entries for 2 inputs"``); the
command line reports them with its flags (``--dir has 3 entries for 2
inputs``).  A parameter with a value is written `name=value` (``use
`mode="reverse"```, ``e.g. `output=0```): the command line writes the flag
and the value as it would be typed (``--mode reverse``, ``--output 1``:
outputs count from 1 there).  An error's ``label`` (what its source text
is) may name a parameter the same way: ``in `point`:`` is ``in --at:`` on
the command line."""

import re
from collections.abc import Callable
from typing import TypeVar

from ..errors import AdcliError, EvalWarning

Named = TypeVar("Named", AdcliError, EvalWarning)

# parameter -> flag, where the flag is not simply --parameter
FLAGS = {"direction": "--dir", "point": "--at"}


def _one_based(value: str) -> str:
    return str(int(value) + 1) if value.isdigit() else value


# parameter -> its value as typed on the command line, where not as in Python
VALUES: dict[str, Callable[[str], str]] = {"output": _one_based}


def flag(param: str) -> str:
    return FLAGS.get(param, "--" + param.replace("_", "-"))


def flagged(text: str, param: str) -> str:
    """``text`` with `param` and `param=value` in the command line's words."""
    def typed(match: re.Match[str]) -> str:
        value = match.group(1).strip("\"'")
        return f"{flag(param)} {VALUES.get(param, str)(value)}"

    text = re.sub(rf"`{re.escape(param)}=([^`]*)`", typed, text)
    return text.replace(f"`{param}`", flag(param))


def as_flags(exc: Named) -> Named:
    """``exc`` (an error or a warning) with its parameters named by their
    flags (in place)."""
    for param in exc.params:
        exc.message = flagged(exc.message, param)
        if isinstance(exc, AdcliError) and exc.hint:
            exc.hint = flagged(exc.hint, param)
    if isinstance(exc, AdcliError) and exc.label and exc.label[0] == exc.label[-1] == "`":
        exc.label = flag(exc.label[1:-1])
    exc.params = ()
    return exc
