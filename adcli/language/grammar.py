"""Find ``grammar/adcli.lark`` and build the LALR parser once per process.

The grammar lives at the top of the checkout; a wheel carries it as
``adcli/grammar/adcli.lark``.  Lark caches the analysed grammar on disk
(``cache=True``), so a cold ``adcli`` start does not rebuild the tables.
"""

import os

_HERE = os.path.dirname(os.path.abspath(__file__))
_CANDIDATES = (
    os.path.join(_HERE, os.pardir, "grammar", "adcli.lark"),  # installed wheel
    os.path.join(_HERE, os.pardir, os.pardir, "grammar", "adcli.lark"),  # checkout
)

_parser = None
_fast = None


def grammar_path():
    for path in _CANDIDATES:
        if os.path.exists(path):
            return os.path.normpath(path)
    raise FileNotFoundError("adcli: grammar/adcli.lark is missing from this installation")


def grammar_text():
    with open(grammar_path(), encoding="utf-8") as f:
        return f.read()


def lalr_parser():
    """Lark's LALR parser for the grammar: the source of the parse table, and
    the judge that explains a syntax error."""
    global _parser
    if _parser is None:
        from lark import Lark

        try:
            _parser = Lark(grammar_text(), start="program", parser="lalr", cache=True)
        except OSError:  # an unwritable temp dir: build without the cache
            _parser = Lark(grammar_text(), start="program", parser="lalr")
    return _parser


def fast_parser(transformer):
    """The lean driver over the same tables (see :mod:`adcli.language.lalr`)."""
    global _fast
    if _fast is None:
        from .lalr import FastLALR

        _fast = FastLALR(lalr_parser(), transformer)
    return _fast
