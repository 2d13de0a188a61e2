"""Numbers to CSV/TSV text fast: the shortest digits that read back
bit-identical, through orjson's float formatter (about 15 ns a double),
for Arrow's CSV writer's (about 70 ns): float formatting was a quarter of
``adcli grad --points`` on 10^6 CSV points (``bench/batch_scale.py``).

orjson writes a NumPy array as one JSON array, ``[0.5,2.0,1e-7]``; the
cells are cut out of that text without copying it: each row's cells,
separator included, are one value of an Arrow string array, whose offsets
are every m-th separator's position.  Whole numbers lose their ``.0``
(``2``, ``-0``, as Arrow and adcli's single-point output write them);
non-finite numbers (JSON ``null``) are named ``nan``, ``inf``, ``-inf``.
Checked on random bit patterns in ``tests/test_batch_arrow.py``.

orjson is in the ``arrow`` extra; without it :data:`available` is false
and the writer keeps Arrow's formatting (the same numbers, another
notation for some: ``1e-6`` against ``0.000001``).
"""

from typing import Any

import numpy as np
import pyarrow as pa

orjson: Any  # optional: see `available`
try:
    import orjson
except ImportError:  # pragma: no cover - orjson comes with the arrow extra
    orjson = None

available = orjson is not None


def row_cells(V: np.ndarray, sep: str = ",") -> pa.Array:
    """An Arrow string array with one value per row of the 2-D float64 array
    ``V``: its cells, each followed by ``sep`` (``0.5,2,1e-7,``)."""
    n, m = V.shape
    W = np.empty((n + 1, m))  # a last row of zeros: every real cell ends at a `,`
    W[:n] = V
    W[n] = 0.0
    text = orjson.dumps(W.reshape(-1), option=orjson.OPT_SERIALIZE_NUMPY)
    finite = np.isfinite(V)
    if not finite.all():
        text = _name_non_finite(text, V[~finite])
    if (finite & (V == np.trunc(V))).any():
        text = text.replace(b".0,", b",")  # shortest digits never end in another 0
    if sep != ",":
        text = text.replace(b",", sep.encode())
    cuts = np.flatnonzero(np.frombuffer(text, dtype=np.uint8) == ord(sep))
    offsets = np.empty(n + 1, dtype=np.int32)
    offsets[0] = 1  # after the `[`
    offsets[1:] = cuts[m - 1:n * m:m] + 1
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets),
                                                 pa.py_buffer(text)])


def cell_texts(values: np.ndarray) -> list[str]:
    """The text of each number of a 1-D float64 array, as a list of str."""
    values = np.ascontiguousarray(values, dtype=np.float64)
    return [t[:-1] for t in row_cells(values.reshape(-1, 1)).to_pylist()]


_NAMES = {True: b"inf", False: b"-inf"}


def _name_non_finite(text, values):
    """JSON's ``null`` for each non-finite number, named as adcli names them
    (``values``: the non-finite numbers in the order of the text)."""
    parts = text.split(b"null")
    out = [parts[0]]
    for v, part in zip(values.tolist(), parts[1:], strict=True):
        out.append(b"nan" if v != v else _NAMES[v > 0])
        out.append(part)
    return b"".join(out)
