"""The two pictures of docs/performance.md (``python -m bench --plots``).

* docs/gradient_cost.png: in-process cost of the full gradient of the
  Rosenbrock chain vs n, forward accumulation (one tangent sweep per input)
  against reverse accumulation (one adjoint sweep), with one evaluation of
  the function for scale.  Measured here, medians.
* docs/fd_error.png: relative error of forward and central finite
  differences of the worked example's ∂f/∂x₁ (function values from adcli)
  vs the step h = 1e-1 … 1e-14, next to the error of adcli's AD gradient,
  both against a 50-digit mpmath reference: the V where truncation error
  meets round-off.
"""

from pathlib import Path

SIZES = [10, 30, 100, 300, 1000]
QUICK_SIZES = [10, 30, 100]
FLOOR = 1e-17  # an error of exactly 0 is drawn here (log scale)


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def gradient_cost(path, quick=False):
    from bench.run import kernel_timings

    sizes = QUICK_SIZES if quick else SIZES
    ks = [kernel_timings(n, 3 if quick else 5) for n in sizes]
    plt = _pyplot()
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 4.4), dpi=110)
    ms = 1e3
    ax.loglog(sizes, [k["forward"] * ms for k in ks], "o-", color="tab:red",
              label="forward (n tangent sweeps)")
    ax.loglog(sizes, [k["reverse"] * ms for k in ks], "s-", color="tab:blue",
              label="reverse (one adjoint sweep)")
    ax.loglog(sizes, [k["eval"] * ms for k in ks], "^--", color="gray",
              label="one evaluation of f")
    ax.set_xlabel("n (inputs of the Rosenbrock chain)")
    ax.set_ylabel("time, ms (median)")
    ax.set_title("Full gradient, absolute time", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    bx.loglog(sizes, [k["forward"] / k["eval"] for k in ks], "o-", color="tab:red",
              label="forward / evaluation (grows like n)")
    bx.loglog(sizes, [k["reverse"] / k["eval"] for k in ks], "s-", color="tab:blue",
              label="reverse / evaluation (flat)")
    for k in ks:
        bx.annotate(f"{k['reverse'] / k['eval']:.1f}", (k["n"], k["reverse"] / k["eval"]),
                    textcoords="offset points", xytext=(0, -14), fontsize=8,
                    color="tab:blue", ha="center")
        bx.annotate(f"{k['forward'] / k['eval']:.0f}", (k["n"], k["forward"] / k["eval"]),
                    textcoords="offset points", xytext=(0, 7), fontsize=8,
                    color="tab:red", ha="center")
    bx.set_ylim(1, max(k["forward"] / k["eval"] for k in ks) * 5)
    bx.set_xlabel("n (inputs of the Rosenbrock chain)")
    bx.set_ylabel("cost of the full gradient / one evaluation")
    bx.set_title("Same, relative to one evaluation", fontsize=10)
    bx.grid(True, which="both", alpha=0.3)
    bx.legend(fontsize=8, loc="upper left")
    fig.suptitle("adcli in-process: forward vs reverse accumulation (measured)", fontsize=11)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def fd_errors():
    """(steps, forward-difference errors, central-difference errors, AD error)
    for ∂f/∂x₁ of x1*x2 + sin(x1) at (2, 3), relative to mpmath at 50 digits."""
    import mpmath

    import adcli

    mpmath.mp.dps = 50
    exact = mpmath.mpf(3) + mpmath.cos(2)
    f = adcli.compile("x1*x2+sin(x1)")

    def fx(x1):
        return f({"x1": x1, "x2": 3.0})

    def rel(d):
        return float(abs(mpmath.mpf(d) - exact) / abs(exact))

    steps = [10.0 ** -k for k in range(1, 15)]
    x = 2.0
    fwd = [rel((fx(x + h) - fx(x)) / h) for h in steps]
    cen = [rel((fx(x + h) - fx(x - h)) / (2 * h)) for h in steps]
    ad = rel(f.gradient({"x1": x, "x2": 3.0}).gradient["x1"])
    return steps, fwd, cen, ad


def fd_error(path):
    steps, fwd, cen, ad = fd_errors()
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.6), dpi=110)
    ax.loglog(steps, [max(e, FLOOR) for e in fwd], "o-", color="tab:orange",
              label="forward difference (f(x+h) - f(x)) / h")
    ax.loglog(steps, [max(e, FLOOR) for e in cen], "s-", color="tab:green",
              label="central difference (f(x+h) - f(x-h)) / 2h")
    eps = 2.0 ** -52
    ad_label = (f"adcli AD: {ad:.1e}" if ad else "adcli AD: error 0 (correctly rounded)")
    ax.axhline(max(ad, FLOOR), color="tab:blue", lw=2, label=ad_label)
    ax.axhline(eps, color="gray", ls=":", lw=1, label="machine epsilon 2^-52")
    ax.invert_xaxis()
    ax.set_xlabel("step h (smaller to the right)")
    ax.set_ylabel("relative error of df/dx1")
    ax.set_title("f = x1*x2 + sin(x1) at (2, 3): finite differences vs AD "
                 "(reference: mpmath, 50 digits)", fontsize=9)
    ax.set_ylim(FLOOR / 3, 1)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper center")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def draw(docs, quick=False):
    try:
        _pyplot()
    except ImportError:
        print("note: matplotlib is not installed (pip install -e '.[bench]'): no plots")
        return []
    docs = Path(docs)
    docs.mkdir(exist_ok=True)
    return [gradient_cost(docs / "gradient_cost.png", quick), fd_error(docs / "fd_error.png")]
