"""Sparse Jacobians and Hessians.

``pattern``    which outputs depend on which inputs, and which pairs of
               inputs meet in a nonlinear operation, read from the tape in one
               pass (the second-order structure of each primitive comes from
               differentiating its rules in the primitives table once);
``colouring``  greedy distance-2 (Jacobian) and star (Hessian) colourings;
``drivers``    compressed sweeps (one per colour) and exact decompression;
``formats``    coordinates as plain pairs, JSON, Matrix Market, CSV and a spy plot.
"""
