"""Numbers as adcli writes them (the functions live in :mod:`adcli.numtext`,
below every layer that prints a number), and the plain format's ASCII
notation for the words around them."""

from ..numtext import json_number, plain_number

__all__ = ["json_number", "plain_number", "plain_ascii"]

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
