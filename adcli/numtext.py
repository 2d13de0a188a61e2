"""Numbers as adcli writes them: full round-trip precision, integers without
a trailing ``.0`` in plain text, non-finite values as inf/-inf/nan; and the
plain format's ASCII notation for the words around them."""

import math

# The plain format is ASCII (design.md): messages and the primitives' domains
# are written with ω, ≤, ±, … for the terminal; plain spells them out.
_ASCII = str.maketrans({"ω": "w", "…": "...", "≠": "!=", "≤": "<=", "≥": ">=", "±": "+/-",
                        "·": "*", "−": "-", "×": "x", "∞": "inf", "→": "->",
                        **{chr(0x2080 + d): str(d) for d in range(10)}})


def plain_ascii(text: str) -> str:
    """``text`` in the plain format's ASCII notation: ``log(-1) is undefined
    (at w2)``, ``domain: x >= 0``.  Other characters (a variable named θ)
    are the user's own and stay."""
    return text.translate(_ASCII)


# A zero is written 0, never -0: float64's -0.0 (sqrt(-0) is -0) is the
# number 0, as `--digits` and `--exact`, which have no signed zero, write it.

def plain_number(x: float, digits: int | None = None) -> str:
    if x != x:
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if digits is not None:
        return f"{x + 0.0:.{digits}g}"  # + 0.0: -0.0 is 0.0
    if x == int(x) and abs(x) < 1e16:
        return str(int(x))
    return repr(x)


def json_number(x: float) -> float | str:
    """A float for JSON (0.0 for -0.0), or the strings "inf", "-inf", "nan"
    that JSON lacks."""
    if x != x:
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x + 0.0 if x == 0 else x


def derivative_label(output: str, var: str) -> str:
    """The ASCII label of ∂output/∂var: ``df/dx``."""
    return f"d{output}/d{var}"
