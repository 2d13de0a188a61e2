"""Accumulation modes over a tape: primal sweep, linearisation, forward (tangent)
and reverse (adjoint) sweeps."""
