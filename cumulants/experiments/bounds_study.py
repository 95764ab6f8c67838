r"""Certified test-error ranges of the study's trained models, and the picture in law space.

Standalone: give it the trained networks, the block-spin target and two numbers
from the study configuration, and it returns table rows and draws a figure.

* :func:`bound_rows` -- for every model, the range of its test MSE over
  (i) every standardised law on :math:`[-\sqrt3 c, \sqrt3 c]` (``c = 1`` is the
  support of the standardised uniform law) and (ii) the standardised laws on the
  same support whose :math:`\kappa_4` lies between the uniform's (-6/5) and the
  Laplace law's (3);
* :func:`feasible_region_figure` -- the feasible :math:`(\mu'_3, \mu'_4)` region
  of standardised laws on the support,

  .. math::  1 + \mu_3'^2 \le \mu'_4 \le h^2 - \frac{\mu_3'^2}{h^2 - 1},\qquad h = \sqrt3 c,

  (Hankel and localising matrices of order 2, docs/formulas.md §9) with the
  model's MSE as contours (when it depends on :math:`\mu'_3, \mu'_4` only, i.e. a
  degree-2 error) and the extremal laws marked; 200 dpi PNG and PDF;
* :func:`bounds_study` -- both, writing the figures of every model to a directory.

>>> import math
>>> from cumulants.layers import Dense, Network, Quadratic
>>> target = Dense([[1 / math.sqrt(2)] * 2])
>>> nets = {"quad": Network([Dense([[0.7, 0.7]]), Quadratic(0.5), Dense([[1.0]], [-0.25])])}
>>> rows = bound_rows(nets, target, c=1.0)
>>> [(r["model"], r["class"], r["exact"]) for r in rows]
[('quad', 'support', True), ('quad', 'support+kurtosis', True)]
>>> rows[1]["lower"] >= rows[0]["lower"] - 1e-9 and rows[1]["upper"] <= rows[0]["upper"] + 1e-9
True
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

__all__ = ["bound_rows", "feasible_region_figure", "bounds_study", "law_classes",
           "UNIFORM_KAPPA4", "LAPLACE_KAPPA4"]

#: Excess kurtosis of the uniform law and of the Laplace law (standardised).
UNIFORM_KAPPA4 = -1.2
LAPLACE_KAPPA4 = 3.0


def law_classes(c=1.0, kurtosis=(UNIFORM_KAPPA4, LAPLACE_KAPPA4)):
    """``{"support": ..., "support+kurtosis": ...}``: the two classes of the study.

    >>> sorted(law_classes(1.0))
    ['support', 'support+kurtosis']
    """
    from ..bounds import LawClass
    from ..errors import bad_argument

    if not isinstance(c, (int, float)) or isinstance(c, bool) or not c > 1 / math.sqrt(3):
        raise bad_argument("c", c, "a half-width factor > 1/sqrt(3) (a variance-1 law needs "
                           "half-width > 1; c = 1 is the uniform law's support)")
    h = math.sqrt(3) * float(c)
    return {"support": LawClass.standardised((-h, h)),
            "support+kurtosis": LawClass.standardised((-h, h), kurtosis=tuple(kurtosis))}


def _law_text(law):
    if law is None:
        return "-"
    return ", ".join(f"{float(w):.3g}@{float(a):.3g}" for a, w in zip(law.atoms, law.weights))


def bound_rows(networks, target, *, c=1.0, kurtosis=(UNIFORM_KAPPA4, LAPLACE_KAPPA4),
               method="hermite", degree=None):
    """One row per (model, class): the certified range of the test MSE and its extremal laws.

    ``networks`` maps a model name to a trained :class:`~cumulants.layers.Network`
    (``model.to_network()``); ``target`` is the block-spin step.  Non-polynomial
    models use the ``method`` surrogate and are marked ``approximate``.  Each row:
    ``model, class, lower, upper, lower_attained, upper_attained, gap, exact,
    approximate, method, lower_law, upper_law`` (laws as text), ``seconds`` and
    ``result`` (the :class:`~cumulants.bounds.BoundResult`).
    """
    from ..bounds import mse_range

    classes = law_classes(c, kurtosis)
    rows = []
    for name, net in networks.items():
        for label, laws in classes.items():
            kw = {} if net.is_polynomial else {"method": method, "degree": degree}
            res = mse_range(net, target, laws, **kw)
            rows.append({
                "model": name, "class": label, "lower": res.lower, "upper": res.upper,
                "lower_attained": res.lower_attained, "upper_attained": res.upper_attained,
                "gap": res.gap, "exact": res.exact, "approximate": res.approximate,
                "method": res.method, "lower_law": _law_text(res.lower_law),
                "upper_law": _law_text(res.upper_law), "seconds": res.seconds, "result": res,
            })
    return rows


def _region(h, m3):
    """Lower and upper boundary of the feasible m4 for standardised laws on [-h, h]."""
    return 1 + m3**2, h * h - m3**2 / (h * h - 1)


def feasible_region_figure(network, target, path, *, c=1.0,
                           kurtosis=(UNIFORM_KAPPA4, LAPLACE_KAPPA4), results=None, title=None):
    """Draw the feasible (m3, m4) region with MSE contours and extremal laws; write PNG + PDF.

    ``path`` is the file stem (``.png`` and ``.pdf`` are added).  ``results`` are
    the :class:`~cumulants.bounds.BoundResult` objects whose extremal laws are
    marked (default: both study classes are computed here).  Returns the two paths.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import sympy

    from ..algebra.univariate import moment_symbol
    from ..bounds import mse_range

    h = math.sqrt(3) * float(c)
    if results is None:
        results = {k: mse_range(network, target, v) for k, v in law_classes(c, kurtosis).items()}
    s_max = math.sqrt((h * h - 1) * (h * h - 1) / (h * h))  # |m3| where the bounds meet
    m3 = np.linspace(-s_max, s_max, 401)
    lo, hi = _region(h, m3)
    fig, ax = plt.subplots(figsize=(5.2, 4.2))
    ax.fill_between(m3, lo, hi, color="0.92", label="feasible (support)")
    ax.plot(m3, lo, color="0.3", lw=1)
    ax.plot(m3, hi, color="0.3", lw=1)
    any_res = next(iter(results.values()))
    form = sympy.sympify(any_res.form)
    syms = {moment_symbol(3), moment_symbol(4)}
    if form.free_symbols <= syms:
        f = sympy.lambdify((moment_symbol(3), moment_symbol(4)), form, "numpy")
        M3, M4 = np.meshgrid(m3, np.linspace(lo.min(), hi.max(), 301))
        Z = np.asarray(f(M3, M4), dtype=float) * np.ones_like(M3)
        Z[(M4 < 1 + M3**2) | (M4 > h * h - M3**2 / (h * h - 1))] = np.nan
        cs = ax.contour(M3, M4, Z, levels=12, cmap="viridis", linewidths=0.8)
        ax.clabel(cs, fontsize=6, fmt="%.3g")
    else:
        ax.text(0.02, 0.02, "MSE depends on higher moments: no contours", transform=ax.transAxes,
                fontsize=7)
    for k in kurtosis:
        ax.axhline(3 + k, color="tab:red", lw=0.8, ls="--")
    markers = {"support": ("o", "tab:blue"), "support+kurtosis": ("s", "tab:red")}
    for label, res in results.items():
        mk, col = markers.get(label, ("^", "k"))
        for which, law in (("min", res.lower_law), ("max", res.upper_law)):
            if law is None:
                continue
            ax.plot(float(law.moment(3)), float(law.moment(4)), mk, color=col,
                    mfc=col if which == "max" else "white", ms=7,
                    label=f"{label}: {which} MSE")
    ax.set_xlabel(r"$\mu'_3$ (skewness)")
    ax.set_ylabel(r"$\mu'_4$ ($= 3 + \kappa_4$)")
    ax.set_title(title or f"standardised laws on [-{h:.3g}, {h:.3g}]", fontsize=9)
    ax.legend(fontsize=6, loc="upper right")
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    out = [path.with_suffix(".png"), path.with_suffix(".pdf")]
    for p in out:
        fig.savefig(p, dpi=200)
    plt.close(fig)
    return out


def bounds_study(networks, target, out_dir, *, c=1.0, kurtosis=(UNIFORM_KAPPA4, LAPLACE_KAPPA4),
                 method="hermite", degree=None):
    """Rows of :func:`bound_rows` and one figure per model in ``out_dir`` (``bounds_<name>``).

    Returns ``{"rows": [...], "figures": {name: [png, pdf]}}``.
    """
    rows = bound_rows(networks, target, c=c, kurtosis=kurtosis, method=method, degree=degree)
    figures = {}
    for name, net in networks.items():
        res = {r["class"]: r["result"] for r in rows if r["model"] == name}
        figures[name] = feasible_region_figure(net, target, Path(out_dir) / f"bounds_{name}", c=c,
                                               kurtosis=kurtosis, results=res,
                                               title=f"{name}: test MSE over laws")
    return {"rows": rows, "figures": figures}
