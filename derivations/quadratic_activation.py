r"""Output cumulants of the quadratic activation :math:`y = z + \alpha z^2` (docs/formulas.md §3.2).

Writes ``quadratic_activation.tex``: :math:`\kappa_1..\kappa_4` of :math:`y` in terms of
the input cumulants :math:`\kappa_1..\kappa_8` of :math:`z` (exact for any law; output
order :math:`n` needs input order :math:`2n`, the non-closure of the hierarchy), then
the same for a Gaussian input :math:`z \sim N(\mu, s^2)`.

    python derivations/quadratic_activation.py --out DIR
"""

from __future__ import annotations

from pathlib import Path

import sympy

from cumulants.layers import Quadratic
from cumulants.printing import document, latex, derivation_cli
from cumulants.state import Cumulants

ORDER = 4
ALPHA = sympy.Symbol("alpha", real=True)
MU = sympy.Symbol("mu", real=True)
S = sympy.Symbol("s", positive=True)


def compute(order=ORDER):
    """``{"general": [kappa_1(y)..], "gaussian": [...], "inputs_needed": 2*order}``."""
    layer = Quadratic(ALPHA)
    general = layer.propagate(Cumulants.symbolic(1, 2 * order), order).marginal(0)
    gauss = layer.propagate(Cumulants.gaussian([MU], [[S**2]], order=2), order).marginal(0)
    return {
        "general": [sympy.collect(sympy.expand(k), ALPHA) for k in general],
        "gaussian": [sympy.factor(sympy.expand(k)) for k in gauss],
        "inputs_needed": 2 * order,
    }


def _by_power(n, expr):
    """An ``align*`` body with one line per power of alpha (long expressions stay on the page)."""
    poly = sympy.Poly(expr, ALPHA)
    terms = sorted(poly.terms(), key=lambda t: t[0][0])
    lines = []
    for k, ((power,), coeff) in enumerate(terms):
        part = latex(coeff)
        factor = "" if power == 0 else (r"\alpha " if power == 1 else rf"\alpha^{{{power}}} ")
        body = part if power == 0 else rf"{factor}\left({part}\right)"
        head = rf"\kappa_{{{n}}}(y) &= " if k == 0 else r"&\quad + "
        lines.append(head + body)
    return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}"


def main(out_dir):
    """Write ``quadratic_activation.tex`` into ``out_dir``; return the results shown."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    res = compute()
    general = "\n".join(_by_power(n, e) for n, e in enumerate(res["general"], start=1))
    sections = [
        ("Step 1. For $y = z + \\alpha z^2$ every joint moment of $y$ is a combination of "
         "moments of $z$, hence of its cumulants $\\kappa_1, \\dots, \\kappa_8$ (set partitions, "
         "formula reference \\S1.2). Output order $n$ needs input order $2n$: the hierarchy does not "
         "close.", None),
        ("Step 2. Any input law:", general),
        ("Step 3. Gaussian input $z \\sim N(\\mu, s^2)$ (all input cumulants above the second "
         "vanish):", [(rf"\kappa_{{{n}}}(y)", k) for n, k in enumerate(res["gaussian"], start=1)]),
    ]
    (out / "quadratic_activation.tex").write_text(
        document("Cumulants through the quadratic activation", sections))
    return res


def _cli(argv=None):
    derivation_cli(main, __doc__, "quadratic_activation.tex", argv)


if __name__ == "__main__":
    _cli()
