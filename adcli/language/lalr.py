"""A lean driver for the LALR tables Lark builds from ``grammar/adcli.lark``
(``lalr_tables.py``, written by ``python -m adcli.language.regenerate``).

Lark stays the authority on the language: the grammar and the parse table
come from it, and the reduce actions follow Lark's own tree-shaping rules
(filtered anonymous tokens, ``?rule`` inlining, ``_rule`` splicing, ``[…]``
placeholders) while calling the transformer's methods directly.  This
replaces Lark's general-purpose token loop with a tight one (one master
regular expression for the lexer, plain lists for the stacks, no call at
all for unit reductions such as ``sum → product``), which makes a 400 kB
formula parse several times faster.  On a syntax error ``parse`` returns
False and the caller re-parses with Lark's stand-alone parser for its
precise diagnostics.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .builder import Builder

_UNIT = object()


class _Splice(list):
    """The children of an inlined ``_rule``, spliced into its parent."""


def _flatten(values):
    out = []
    for v in values:
        if type(v) is _Splice:
            out.extend(v)
        else:
            out.append(v)
    return out


def _action(rule, builder):
    """How to reduce ``rule`` (see ``regenerate.export_tables``): _UNIT (the value
    stays), or a function of the popped children."""
    name, alias, expansion, expand1, empty = rule
    keep = [i for i, (_, is_term, filter_out) in enumerate(expansion)
            if not (is_term and filter_out)]
    if expand1 and not alias and len(keep) == 1:
        if len(expansion) == 1:
            return _UNIT
        i = keep[0]
        return lambda c: c[i]
    if name.startswith("_"):
        return lambda c: _Splice(_flatten([c[i] for i in keep]))
    method = getattr(builder, alias or name)
    if empty:
        # [..] that matched nothing leaves a None where it stood.
        slots, j = [], 0
        for is_empty in empty:
            if is_empty:
                slots.append(None)
            elif j < len(expansion):
                slots.append(j if j in keep else False)
                j += 1
        slots = [s for s in slots if s is not False]
        return lambda c: method(*_flatten([None if s is None else c[s] for s in slots]))
    if any(not is_term and sym.startswith("_") for sym, is_term, _ in expansion):
        return lambda c: method(*_flatten([c[i] for i in keep]))
    if keep == [0] and len(expansion) == 1:
        return lambda c: method(c[0])
    if keep == [0, 2] and len(expansion) == 3:
        return lambda c: method(c[0], c[2])
    return lambda c: method(*[c[i] for i in keep])


class FastLALR:
    """The parse table as lists indexed by small integers (state, symbol),
    which Python reads faster than dictionaries keyed by names."""

    def __init__(self, tables: Mapping[str, Any], builder: Builder) -> None:
        self.start, self.end = tables["start"], tables["end"]
        self.symbol = {name: i for i, name in enumerate(tables["symbols"])}
        n_symbols = len(self.symbol)
        self.n_states, self.n_symbols = len(tables["actions"]), n_symbols
        reduce = [(len(rule[2]), _action(rule, builder), self.symbol[rule[0]])
                  for rule in tables["rules"]]
        # per state, per symbol: None (an error), (True, next state) for a
        # shift, (False, (size, action, origin symbol)) for a reduce
        self.states: list[list[tuple[bool, Any] | None]] = [
            [None if a is None else (True, a[1]) if a[0] else (False, reduce[a[1]])
             for a in row] for row in tables["actions"]]
        self.regex = re.compile("|".join(f"(?P<{name}>{regexp})"
                                         for name, regexp in tables["terminals"]))
        # The lexer reports a match's outermost group number: map it to a symbol.
        self.kind_of_group: list[int | None] = [None] * (self.regex.groups + 1)
        for name, group in self.regex.groupindex.items():
            self.kind_of_group[group] = self.symbol[name]
        self.ignore = frozenset(self.symbol[name] for name in tables["ignore"])
        self.end_symbol = self.symbol["$END"]
        # (below, top, kind) as one int -> top after unit reductions
        self.chains: dict[int, int] = {}

    def _unit_chain(self, below: int, top: int, kind: int) -> int:
        """The state a run of unit reductions (``product → sum`` …) leaves on
        top of ``below`` before ``kind`` is shifted or reduced otherwise."""
        states = self.states
        while True:
            action = states[top][kind]
            if action is None or action[0] or action[1][1] is not _UNIT:
                return top
            top = states[below][action[1][2]][1]

    def parse(self, text: str) -> bool:
        """Run the builder over ``text``; False on a syntax error."""
        # One loop, lexer and parser inline, everything in locals: it runs per
        # token and per reduction, so nothing in it is a call that need not be.
        states, chains, ignore = self.states, self.chains, self.ignore
        kind_of_group, end_state, end_kind = self.kind_of_group, self.end, self.end_symbol
        S, K = self.n_states, self.n_symbols
        state_stack: list[int] = [self.start]
        value_stack: list[Any] = []
        push_state, push_value = state_stack.append, value_stack.append
        pos = 0
        matches = self.regex.finditer(text)
        while True:
            # The lexer, inline: one master regex; a gap is a bad character.
            m = next(matches, None)
            if m is None:
                if pos != len(text):
                    return False
                kind, tok = end_kind, ("", pos, pos)
            else:
                start = m.start()
                if start != pos:
                    return False
                pos = m.end()
                # (a match always ends in a terminal's named group: an int)
                kind = kind_of_group[m.lastindex]  # type: ignore[index,assignment]
                if kind in ignore:
                    continue
                tok = (m.group(), start, pos)
            while True:
                action = states[state_stack[-1]][kind]
                if action is None:
                    return False
                shift, arg = action
                if shift:
                    push_state(arg)
                    push_value(tok)
                    break
                size, act, origin = arg
                if act is _UNIT:
                    below = state_stack[-2]
                    key = (below * S + state_stack[-1]) * K + kind
                    top = chains.get(key)
                    if top is None:
                        top = chains[key] = self._unit_chain(below, state_stack[-1], kind)
                    state_stack[-1] = top
                    continue
                if size:
                    value = act(value_stack[-size:])
                    del value_stack[-size:]
                    del state_stack[-size:]
                    push_value(value)
                else:
                    push_value(act([]))
                push_state(states[state_stack[-1]][origin][1])
                if kind == end_kind and state_stack[-1] == end_state:
                    return True
            if kind == end_kind:
                return False
