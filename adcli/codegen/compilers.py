"""What every compiler path shares: its failure and its cache directory
(below :mod:`adcli.codegen.jit` and :mod:`adcli.codegen.llvm`, which both use them)."""

import os
import tempfile


class NoCompiler(Exception):
    """No compiler path works here: the caller falls back to NumPy."""


def cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    for root in (os.path.join(base, "adcli", "jit"),
                 os.path.join(tempfile.gettempdir(), f"adcli-jit-{os.getuid()}")):
        try:
            os.makedirs(root, exist_ok=True)
            if os.access(root, os.W_OK):
                return root
        except OSError:
            continue
    raise NoCompiler("no writable cache directory")
