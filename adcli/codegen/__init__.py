"""Derivatives as formulas and as source code: ``adcli diff``, ``adcli
codegen`` and ``--jit``.  Built on the engine's tape and the primitives
table's rules (:mod:`adcli.codegen.symbolic`); nothing here knows a
derivative rule of its own."""
