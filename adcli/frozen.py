"""Frozen value classes: fields set once, at construction.

The primitives, the DAG's nodes, the tape's steps, the sweep plan's groups
and the API's results are values: nothing changes them once they are built
(issue 10, item 4).  :class:`Frozen` makes that a rule: a subclass lists its
fields in ``__slots__`` and sets them in ``__init__`` through :data:`init`
(``object.__setattr__``); afterwards assigning to any attribute, or deleting
one, raises :class:`FrozenError`.

Why not ``@dataclass(frozen=True, slots=True)``, which reads fields as fast
(the same slot descriptors): importing ``dataclasses`` (~1 ms) and
generating each class's methods with ``exec`` (~0.35 ms a class) made the
cold ``adcli grad … --format json`` process 39.1 → 45.8 ms of CPU (best of
15 runs each), where a class made here costs nothing to define.  Equality
and hashing stay by identity, as they were: a node is its identity (the
graph never makes two equal ones), and a result may hold nan, arrays and
dicts.
"""

from __future__ import annotations

from typing import Any, TypeVar

F = TypeVar("F", bound="Frozen")

# sets a field of a frozen object (its class's own __setattr__ refuses)
init = object.__setattr__


class FrozenError(AttributeError):
    """An assignment to (or deletion of) a field of a frozen object."""


class Frozen:
    """Base of a value class whose fields (its ``__slots__``) are set once,
    in ``__init__`` with :data:`init`, and never again."""

    __slots__ = ()

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenError(f"cannot assign to `{name}`: a {type(self).__name__} is frozen "
                          f"(build a new one, e.g. with adcli.frozen.replace)")

    def __delattr__(self, name: str) -> None:
        raise FrozenError(f"cannot delete `{name}`: a {type(self).__name__} is frozen")

    # pickle and copy: the default would restore the slots with setattr
    def __getstate__(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in fields(type(self))}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            init(self, name, value)

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in fields(type(self)))
        return f"{type(self).__name__}({shown})"


def fields(cls: type[Frozen]) -> tuple[str, ...]:
    """The field names of a frozen class, base classes' first."""
    names: list[str] = []
    for klass in reversed(cls.__mro__):
        slots = klass.__dict__.get("__slots__", ())
        names.extend((slots,) if isinstance(slots, str) else slots)
    return tuple(names)


def assembled(cls: type[F], values: dict[str, Any]) -> F:
    """An object of ``cls`` holding ``values`` (one per field) as they are,
    without running its ``__init__``."""
    obj = cls.__new__(cls)
    for name in fields(cls):
        init(obj, name, values[name])
    return obj


def replace(obj: F, **changes: Any) -> F:
    """A copy of ``obj`` with ``changes`` (``dataclasses.replace`` for a
    frozen object, without running ``__init__`` again)."""
    values = {name: getattr(obj, name) for name in fields(type(obj))}
    unknown = set(changes) - set(values)
    if unknown:
        raise TypeError(f"{type(obj).__name__} has no field {', '.join(sorted(unknown))}")
    values.update(changes)
    return assembled(type(obj), values)
