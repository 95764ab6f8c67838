r"""Best and worst test MSE of a quadratic same-sign network over standardised laws on [-h, h].

Writes ``bound_same_sign.tex``: for :math:`y = c_0 + g\cdot x + \alpha x^T M x` with
:math:`M \succeq 0` (same-sign output weights) against the block step
:math:`g^*\cdot x`, and i.i.d. inputs with mean 0, variance 1 on :math:`[-h, h]`,

* the affine form :math:`\mathrm{MSE} = A + \beta\kappa_3 + \gamma\kappa_4`
  (docs/formulas.md §7), :math:`\gamma = \alpha^2\sum_i M_{ii}^2 \ge 0`;
* the cone constraints of order 2 (docs/formulas.md §9):
  :math:`\kappa_3^2 - 2 \le \kappa_4 \le h^2 - 3 - \kappa_3^2/(h^2 - 1)`;
* the extremes in closed form in :math:`h` and the extremal laws: two atoms
  :math:`t, -1/t` for the minimum, three atoms :math:`-h, u, h` with
  :math:`u = -\kappa_3/(h^2-1)` for the maximum;
* a numerical witness: a width-3 same-sign network on blocks of 2 sites, its
  closed-form range on :math:`[-2, 2]` beside the SDP of :func:`cumulants.bounds.mse_range`.

    python derivations/bound_same_sign.py --out DIR
"""

from __future__ import annotations

import math
from pathlib import Path

import sympy

from cumulants import generalisation as G
from cumulants.layers import Dense, Network, Quadratic
from cumulants.printing import derivation_cli, document

A, BETA, GAMMA = sympy.symbols("A beta gamma", real=True)
H = sympy.Symbol("h", positive=True)
K3, K4 = sympy.symbols("kappa_3 kappa_4", real=True)


def closed_form():
    """Interior extremes of A + beta k3 + gamma k4 on the two boundary curves (gamma > 0)."""
    lower_curve = K3**2 - 2                      # Hankel H_2 singular: two-atom laws
    upper_curve = H**2 - 3 - K3**2 / (H**2 - 1)  # localising matrix singular: atoms at +-h
    f_lo = A + BETA * K3 + GAMMA * lower_curve
    f_hi = A + BETA * K3 + GAMMA * upper_curve
    k3_lo = sympy.solve(sympy.diff(f_lo, K3), K3)[0]
    k3_hi = sympy.solve(sympy.diff(f_hi, K3), K3)[0]
    return {
        "lower_curve": lower_curve, "upper_curve": upper_curve,
        "k3_min": k3_lo, "min": sympy.simplify(f_lo.subs(K3, k3_lo)),
        "k3_max": k3_hi, "max": sympy.simplify(f_hi.subs(K3, k3_hi)),
        "k3_limit": H - 1 / H,  # |kappa_3| of two-atom laws {t, -1/t} with t in [1/h, h]
    }


def affine_coefficients(net, g_star, alpha):
    """(A, beta, gamma) of MSE = A + beta k3 + gamma k4 for mean-0 variance-1 inputs."""
    c0, g, M = G.quadratic_network_form(net)
    mse = G.constrained_mlp_error(g, M, c0, g_star, 1, K3, K4, alpha=alpha)
    poly = sympy.Poly(sympy.expand(mse), K3, K4)
    return (poly.coeff_monomial(1), poly.coeff_monomial(K3), poly.coeff_monomial(K4))


def witness_network():
    """A width-3 same-sign quadratic net on 2 inputs (positive output weights, alpha = 1/2)."""
    W = [[sympy.Rational(62, 100), sympy.Rational(58, 100)], [sympy.Rational(1, 2),
         sympy.Rational(55, 100)], [sympy.Rational(45, 100), sympy.Rational(61, 100)]]
    v = [sympy.Rational(64, 100) ** 2, sympy.Rational(6, 10) ** 2, sympy.Rational(66, 100) ** 2]
    return Network([Dense(W), Quadratic(sympy.Rational(1, 2)), Dense([v], [sympy.Rational(-3, 10)])])


def evaluate(cf, coeffs, h):
    """The closed-form range at numbers, clipping kappa_3 to the feasible interval."""
    a, b, c = (float(v) for v in coeffs)
    sub = {A: a, BETA: b, GAMMA: c, H: h}
    lim = float(cf["k3_limit"].subs(H, h))
    k_lo = min(max(float(cf["k3_min"].subs(sub)), -lim), lim)
    k_hi = min(max(float(cf["k3_max"].subs(sub)), -lim), lim)
    lo = a + b * k_lo + c * float(cf["lower_curve"].subs({K3: k_lo}))
    hi = a + b * k_hi + c * float(cf["upper_curve"].subs({K3: k_hi, H: h}))
    t = (k_lo + math.sqrt(k_lo**2 + 4)) / 2
    u = -k_hi / (h * h - 1)
    return {"lower": lo, "upper": hi, "k3_lower": k_lo, "k3_upper": k_hi,
            "lower_atoms": (-1 / t, t), "lower_weights": (t * t / (1 + t * t), 1 / (1 + t * t)),
            "upper_atoms": (-h, u, h)}


def compute():
    """Every result the document shows."""
    from cumulants.bounds import LawClass, mse_range

    cf = closed_form()
    net = witness_network()
    g_star = [1 / sympy.sqrt(2)] * 2
    coeffs = affine_coefficients(net, g_star, sympy.Rational(1, 2))
    num = evaluate(cf, coeffs, 2.0)
    sdp = mse_range(net, Dense([g_star]), LawClass.standardised((-2, 2)))
    return {"closed_form": cf, "coefficients": coeffs, "witness": num, "sdp": sdp}


def main(out_dir):
    """Write ``bound_same_sign.tex`` into ``out_dir``; return the results shown."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    res = compute()
    cf, num, sdp = res["closed_form"], res["witness"], res["sdp"]
    a, b, c = (sympy.Float(sympy.N(v, 12), 8) for v in res["coefficients"])
    sections = [
        ("Step 1. For $y = c_0 + g\\cdot x + \\alpha x^TMx$ against $g^*\\cdot x$ and i.i.d. "
         "inputs with mean 0 and variance 1, the MSE is affine in the unknown "
         "$\\kappa_3 = \\mu'_3$ and $\\kappa_4 = \\mu'_4 - 3$ (formula reference \\S7), with "
         "$\\gamma = \\alpha^2\\sum_i M_{ii}^2 \\ge 0$ and $\\beta = 2\\alpha\\sum_i\\delta_iM_{ii}$:",
         [("\\mathrm{MSE}", A + BETA * K3 + GAMMA * K4)]),
        ("Step 2. The truncated moment cone on $[-h, h]$ (Hankel matrix $H_2\\succeq0$, "
         "localising matrix of $h^2 - x^2$ $\\succeq 0$; \\S9) in the $(\\kappa_3,\\kappa_4)$ "
         "plane: $\\kappa_4$ lies between",
         [("\\kappa_4^{\\min}", cf["lower_curve"]), ("\\kappa_4^{\\max}", cf["upper_curve"])]),
        ("Step 3. On the lower curve the laws have two atoms $t, -1/t$ "
         "($\\kappa_3 = t - 1/t$, weights $1/(1+t^2)$, $t^2/(1+t^2)$); on the upper curve three "
         "atoms $-h, u, h$ with $u = -\\kappa_3/(h^2-1)$. With $\\gamma > 0$ the minimum lies on "
         "the lower curve and the maximum on the upper one; for "
         "$|\\kappa_3^*| \\le h - 1/h$ (otherwise at the corner $\\{h, -1/h\\}$):",
         [("\\kappa_3^{*,\\min}", cf["k3_min"]), ("\\mathrm{MSE}_{\\min}", cf["min"]),
          ("\\kappa_3^{*,\\max}", cf["k3_max"]), ("\\mathrm{MSE}_{\\max}(h)", cf["max"])]),
        ("Step 4. Witness: a width-3 same-sign network on blocks of 2 sites "
         "($\\alpha = 1/2$); its affine coefficients, the closed-form range on $[-2, 2]$ and the "
         "semidefinite programme of \\texttt{cumulants.bounds.mse\\_range}:",
         [("(A, \\beta, \\gamma)", sympy.Tuple(a, b, c)),
          ("[\\mathrm{MSE}_{\\min}, \\mathrm{MSE}_{\\max}]",
           sympy.Tuple(sympy.Float(num["lower"], 10), sympy.Float(num["upper"], 10))),
          ("\\text{SDP}", sympy.Tuple(sympy.Float(sdp.lower, 10), sympy.Float(sdp.upper, 10)))]),
    ]
    (out / "bound_same_sign.tex").write_text(
        document("Test-error range of a same-sign quadratic network over standardised laws",
                 sections))
    return res


if __name__ == "__main__":
    derivation_cli(main, __doc__, "bound_same_sign.tex")
