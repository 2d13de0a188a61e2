"""Find ``grammar/adcli.lark``, and the parsers generated from it.

The grammar lives at the top of the checkout; a wheel carries it as
``adcli/grammar/adcli.lark``.  Running adcli needs neither Lark nor a cache:
``python -m adcli.language.regenerate`` turns the grammar into two checked-in
modules, Lark's stand-alone parser (``lark_standalone.py``, which explains
syntax errors) and its LALR tables as plain data (``lalr_tables.py``, which
the lean driver in :mod:`adcli.language.lalr` parses every formula with).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .builder import Builder
    from .lalr import FastLALR
    from .lark_standalone import Lark

_HERE = os.path.dirname(os.path.abspath(__file__))
_CANDIDATES = (
    os.path.join(_HERE, os.pardir, "grammar", "adcli.lark"),  # installed wheel
    os.path.join(_HERE, os.pardir, os.pardir, "grammar", "adcli.lark"),  # checkout
)

_fast: FastLALR | None = None
_explainer: Lark | None = None


def grammar_path() -> str:
    for path in _CANDIDATES:
        if os.path.exists(path):
            return os.path.normpath(path)
    raise FileNotFoundError("adcli: grammar/adcli.lark is missing from this installation")


def grammar_text() -> str:
    with open(grammar_path(), encoding="utf-8") as f:
        return f.read()


def fast_parser(builder: Builder) -> FastLALR:
    """The lean driver over the generated tables (see :mod:`adcli.language.lalr`)."""
    global _fast
    if _fast is None:
        from .lalr import FastLALR
        from .lalr_tables import TABLES

        _fast = FastLALR(TABLES, builder)
    return _fast


def explaining_parser() -> Lark:
    """Lark's stand-alone LALR parser for the grammar: slower to load than
    the tables, used only to say precisely what is wrong with a formula."""
    global _explainer
    if _explainer is None:
        from .lark_standalone import Lark_StandAlone

        _explainer = Lark_StandAlone()
    return _explainer
