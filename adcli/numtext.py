"""Numbers as adcli writes them: full round-trip precision, integers without
a trailing ``.0`` in plain text, non-finite values as inf/-inf/nan."""

import math


def plain_number(x: float, digits: int | None = None) -> str:
    if x != x:
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if digits is not None:
        return f"{x:.{digits}g}"
    if x == int(x) and abs(x) < 1e16:
        return str(int(x)) if x or math.copysign(1, x) > 0 else "-0"
    return repr(x)


def json_number(x: float) -> float | str:
    """A float for JSON, or the strings "inf", "-inf", "nan" that JSON lacks."""
    if x != x:
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def derivative_label(output: str, var: str) -> str:
    """The ASCII label of ∂output/∂var: ``df/dx``."""
    return f"d{output}/d{var}"
