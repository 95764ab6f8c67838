r"""The central limit theorem as a cumulant recursion (docs/formulas.md §2).

Writes ``clt_recursion.tex`` (the block-spin recursion
:math:`\kappa'_n = b^{1-n/2}\kappa_n`, its eigenvalues, the doubling-map
eigenvalues obtained by integration, the classification of directions, the
Gaussian fixed line, and the exact flow of an exponential lattice) and
``clt_recursion.png`` (skewness and excess kurtosis of a site along the flow).

    python derivations/clt_recursion.py --out DIR
"""

from __future__ import annotations

from pathlib import Path

import sympy

from cumulants import rg
from cumulants.distributions import Exponential
from cumulants.printing import document, latex, derivation_cli
from cumulants.state import Cumulants

ORDER = 6
BLOCK = 2
STEPS = 6


def compute(order=ORDER, block=BLOCK, steps=STEPS):
    """Every result the document shows, as sympy objects."""
    lattice = Cumulants.iid(Exponential(1), block**steps, 4)
    states = rg.flow(lattice, steps, block=block, include_initial=True)
    return {
        "recursion": rg.recursion(order),
        "eigenvalues": rg.eigenvalues(order, block),
        "eigenvalues_2d": rg.eigenvalues(order, (block, block)),
        "doubling_eigenvalues": rg.doubling_eigenvalues(order - 1),
        "classification": rg.classify(order, block),
        "fixed_points": rg.fixed_points(order, block),
        "flow": rg.flow_summary(states, start=0),
    }


def _plot(rows, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = [r["step"] for r in rows]
    skew = [float(r["skewness"]) for r in rows]
    kurt = [float(r["excess_kurtosis"]) for r in rows]
    fig, ax = plt.subplots(figsize=(5, 3.4))
    ax.semilogy(steps, skew, "o-", label=r"skewness $\gamma_1 = 2\cdot 2^{-k/2}$")
    ax.semilogy(steps, kurt, "s-", label=r"excess kurtosis $\gamma_2 = 6\cdot 2^{-k}$")
    ax.set_xlabel("RG step $k$ (block $b = 2$)")
    ax.set_ylabel("standardised cumulant")
    ax.set_title("Exp(1) lattice flowing to the Gaussian fixed point")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(out_dir):
    """Write ``clt_recursion.tex`` and ``.png`` into ``out_dir``; return the results shown."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    res = compute()
    kap = {n: sympy.Symbol(f"kappa_{n}", real=True) for n in range(1, ORDER + 1)}
    lam = [(sympy.Symbol(f"lambda_{n}"), v) for n, v in res["eigenvalues"].items()]
    kinds = ", ".join(f"$n = {n}$: {k}" for n, k in res["classification"].items())
    fixed = res["fixed_points"][0]
    flow_rows = []
    for r in res["flow"]:
        k = r["step"]
        flow_rows.append((rf"\gamma_1^{{({k})}}", r["skewness"]))
        flow_rows.append((rf"\gamma_2^{{({k})}}", r["excess_kurtosis"]))
    sections = [
        ("Step 1. A block-spin step sums $b$ i.i.d. sites and divides by $b^{1/2}$. By additivity "
         "and homogeneity of cumulants it is diagonal in cumulant coordinates, exactly, at every "
         "order (Schulz \\S8.2):",
         [(eq.lhs, eq.rhs) for eq in res["recursion"]]),
        (f"Step 2. Eigenvalues for $b = {BLOCK}$:", lam),
        ("For a $2\\times2$ block of a square lattice ($B = 4$ summed sites):",
         [(sympy.Symbol(f"lambda_{n}"), v) for n, v in res["eigenvalues_2d"].items()]),
        ("Step 3. The same numbers are the eigenvalues of the linearised doubling map "
         "$T[f](x) = \\sqrt2 (f*f)(\\sqrt2 x)$ on the Hermite directions "
         "$\\mathrm{He}_n f^*$ (Sethna), here obtained by sympy integration:",
         [(sympy.Symbol(f"lambda_{n}"), v) for n, v in res["doubling_eigenvalues"].items()]),
        (f"Step 4. Classification: {kinds}. The mean is relevant, the variance marginal, every "
         "higher cumulant irrelevant.", None),
        ("Step 5. Fixed points, solving $\\kappa'_n = \\kappa_n$ ($\\kappa_2$ free): the "
         "Gaussian line.", [(k, v) for k, v in fixed.items()]),
        (f"Step 6. Exact flow of an i.i.d. Exp(1) lattice of ${BLOCK}^{{{STEPS}}}$ sites: "
         "skewness $\\gamma_1$ and excess kurtosis $\\gamma_2$ of one site after $k$ steps "
         "shrink by $2^{-1/2}$ and $2^{-1}$ per step.", flow_rows),
        ("\\begin{center}\\includegraphics[width=0.7\\textwidth]{clt_recursion.png}\\end{center}",
         None),
    ]
    tex = document("The CLT as a cumulant recursion", sections,
                   preamble="\\usepackage{graphicx}")
    (out / "clt_recursion.tex").write_text(tex)
    _plot(res["flow"], out / "clt_recursion.png")
    res["kappa"] = kap
    res["latex_recursion"] = [latex(eq) for eq in res["recursion"]]
    return res


def _cli(argv=None):
    derivation_cli(main, __doc__, "clt_recursion.tex", argv)


if __name__ == "__main__":
    _cli()
