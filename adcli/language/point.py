"""Points as text: ``x1=2,x2=pi/4``, or ``@FILE`` to read them from a file.

Pairs split on commas (or newlines) outside parentheses, so
``x=atan2(1,2)`` works; each value is a constant expression in the formula
language, evaluated in float64.  Errors name the parameter the text was
given as (``param``, `point` by default), in backquotes: the command line
says its flag instead (``--at``, see :mod:`adcli.cli.flags`).
"""

import re

from ..collector import without_gc
from ..errors import AdcliError, UsageError
from ..graph.tape import Tape
from ..modes.sweeps import primal
from ..primitives import CONSTANTS
from .parser import parse

_NAME = re.compile(r"(?!\d)\w+\Z")


def split_pairs(text: str) -> list[tuple[str, int]]:
    """[(piece, offset)] split on top-level commas, semicolons and newlines."""
    if "(" not in text and ")" not in text:  # the common case, at C speed
        pieces, start = [], 0
        for piece in re.split(r"[,;\n]", text):
            pieces.append((piece, start))
            start += len(piece) + 1
        return [(p, o) for p, o in pieces if p.strip()]
    pieces, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch in ",;\n" and depth <= 0:
            pieces.append((text[start:i], start))
            start = i + 1
    pieces.append((text[start:], start))
    return [(p, o) for p, o in pieces if p.strip()]


def read_at(text: str, param: str = "point") -> str:
    """The text of a point, reading ``@FILE`` if given."""
    if text.startswith("@"):
        path = text[1:]
        try:
            with open(path, "rb") as f:
                return decode_utf8(f.read(), path)
        except OSError as exc:
            raise UsageError(f"cannot read `{param}` file {path}: {exc.strerror}",
                             params=(param,)) from None
    return text


def decode_utf8(data: bytes, what: str) -> str:
    """``data`` as UTF-8 text without a leading byte-order mark (editors on
    Windows write one).  UTF-16 or Latin-1 is a usage error naming the fix."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise UsageError(f"{what} is UTF-16 text; adcli reads UTF-8",
                         hint=f"convert it: iconv -f UTF-16 -t UTF-8 {what} > new.txt")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"{what} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            hint=f"convert it, e.g. from Latin-1: iconv -f LATIN1 -t UTF-8 {what} > new.txt",
        ) from None


def constant(text: str, source: str | None = None, offset: int = 0,
             param: str = "point") -> float:
    """The float value of a constant expression such as ``pi/4``."""
    try:
        program = parse(text, allow_free=False)
        if len(program.outputs) != 1:
            raise UsageError("a value must be a single expression", span=(0, len(text)))
        tape = Tape(program, ())
        vals, _ = primal(tape, [])
        return vals[tape.outputs[0]]
    except AdcliError as exc:
        _relocate(exc, source, offset, param)
        if exc.exit_code == 1:  # a domain error in a point value is still a usage error
            raise UsageError(exc.message, source=exc.source, span=exc.span,
                             hint=exc.hint, label=exc.label) from None
        raise


def _relocate(exc: AdcliError, source: str | None, offset: int, param: str) -> None:
    if source is not None:
        exc.source = source
        if exc.span is not None:
            exc.span = (exc.span[0] + offset, exc.span[1] + offset)
    exc.label = f"`{param}`"


# name=number pairs and nothing else (the common case, and --at @FILE of a
# 100,000 variables): read by one regular expression, the numbers by float().
_BLANK = r"[ \t\r\f\v]*"
_PLAIN_PAIR = (rf"{_BLANK}((?!\d)\w+){_BLANK}={_BLANK}"
               rf"([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?){_BLANK}")
_PLAIN_PAIRS = re.compile(rf"(?:(?:{_PLAIN_PAIR})?[,;\n])*(?:{_PLAIN_PAIR})?")
_ONE_PLAIN_PAIR = re.compile(_PLAIN_PAIR)


def _plain_point(source: str) -> dict[str, float] | None:
    """The point when ``source`` is only name=number pairs, all well formed
    (distinct names, no constant's name, finite values); else None, and the
    careful reading below says what is wrong."""
    import math

    if not _PLAIN_PAIRS.fullmatch(source):
        return None
    pairs = _ONE_PLAIN_PAIR.findall(source)
    names = [name for name, _ in pairs]
    values = list(map(float, [value for _, value in pairs]))
    point = dict(zip(names, values))

    if (not point or len(point) != len(pairs) or not CONSTANTS.keys().isdisjoint(point)
            or not all(map(math.isfinite, values))):
        return None
    return point


@without_gc  # 100,000 pairs would make the collector rescan the whole DAG
def parse_point(text: str, param: str = "point",
                beyond_float: bool = False) -> dict[str, float]:
    """``"x1=2,x2=3"`` → ``{"x1": 2.0, "x2": 3.0}`` in the order given.
    ``beyond_float``: a value too large for a float (``10^5000``) is kept as
    inf, for ``--exact`` and ``--digits``, which read the text again."""
    import math

    source = read_at(text, param)
    point = _plain_point(source)
    if point is not None:
        return point
    label = f"`{param}`"
    point = {}
    for piece, offset in split_pairs(source):
        if "=" not in piece:
            raise UsageError(f"`{piece.strip()}` is not of the form name=value",
                             source=source, span=(offset, offset + len(piece)), label=label,
                             hint="write pairs like x1=2,x2=3")
        name, _, value = piece.partition("=")
        value_at = offset + len(name) + 1
        stripped = name.strip()
        if not stripped:
            raise UsageError("a value has no variable name", source=source,
                             span=(offset, value_at), label=label, hint="write name=value")
        if not _NAME.match(stripped):
            raise UsageError(f"`{stripped}` is not a variable name", source=source,
                             span=(offset, offset + len(name)), label=label)
        if not value.strip():
            raise UsageError(f"`{stripped}` has no value", source=source,
                             span=(value_at - 1, value_at), label=label,
                             hint=f"write {stripped}=<number>")
        if stripped in point:
            raise UsageError(f"`{stripped}` is given twice", source=source,
                             span=(offset, offset + len(piece)), label=label)

        if stripped in CONSTANTS:
            raise UsageError(f"`{stripped}` is a constant and cannot be given a value",
                             source=source, span=(offset, offset + len(name)), label=label)
        if value.strip().lower().lstrip("+-") in ("nan", "inf", "infinity"):
            raise UsageError(f"`{stripped}` must be a finite number, not {value.strip()}",
                             source=source, span=(value_at, offset + len(piece)), label=label)
        number = _fast_float(value)
        if number is None:
            number = constant(value, source, value_at, param)
        if not math.isfinite(number) and not (beyond_float and math.isinf(number)):
            raise UsageError(f"`{stripped}` must be a finite number, not {value.strip()}",
                             source=source, span=(value_at, offset + len(piece)), label=label)
        point[stripped] = number
    if not point:
        raise UsageError(f"`{param}` is empty", hint="write pairs like x1=2,x2=3",
                         params=(param,))
    return point


def _fast_float(text: str) -> float | None:
    text = text.strip()
    if text[:1].isalpha() or "_" in text:  # float() would take "nan", "inf", "1_0"
        return None
    try:
        return float(text)
    except ValueError:
        return None


def parse_point_texts(text: str, param: str = "point") -> dict[str, str]:
    """A point's text → {name: value text}, validated like :func:`parse_point`
    (names, finiteness, carets) and kept as text, to be read in another
    number system at its working precision (``x=1/3`` is one third)."""
    names = list(parse_point(text, param, beyond_float=True))
    source = read_at(text, param)
    texts = [piece.partition("=")[2] for piece, _ in split_pairs(source)]
    return dict(zip(names, texts))
