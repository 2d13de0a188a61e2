"""Find ``grammar/adcli.lark`` and build the LALR parser once per process.

The grammar lives at the top of the checkout; a wheel carries it as
``adcli/grammar/adcli.lark``.  Lark analyses it into LALR tables; those are
kept as plain data in the user's cache directory, keyed by a checksum of the
grammar text, so a cold ``adcli`` start neither rebuilds them nor imports
Lark (which is then needed only to explain a syntax error).
"""

import contextlib
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


_TABLE_FORMAT = 1


def _cache_path(text):
    import zlib

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    crc = zlib.crc32(text.encode("utf-8"))
    return os.path.join(base, "adcli", f"lalr-{_TABLE_FORMAT}-{crc:08x}.marshal")


def lalr_tables():
    """The grammar's LALR tables as plain data: from the cache when it holds
    this grammar's, else from Lark (and then stored for the next start)."""
    import marshal

    text = grammar_text()
    path = _cache_path(text)
    try:
        with open(path, "rb") as f:
            tables = marshal.load(f)
        if tables.get("grammar") == text:
            return tables
    except (OSError, ValueError, EOFError, TypeError, AttributeError):
        pass
    from .lalr import export_tables

    tables = export_tables(lalr_parser())
    tables["grammar"] = text
    tmp = f"{path}.{os.getpid()}.tmp"
    try:  # best effort: a read-only home only costs the next start time
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "wb") as f:
            marshal.dump(tables, f)
        os.replace(tmp, path)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            os.remove(tmp)
    return tables


def fast_parser(builder):
    """The lean driver over the tables (see :mod:`adcli.language.lalr`)."""
    global _fast
    if _fast is None:
        from .lalr import FastLALR

        _fast = FastLALR(lalr_tables(), builder)
    return _fast
