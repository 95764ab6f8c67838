r"""The study's certified test-error ranges: per cell, then a report section.

Three measured test laws are three points in law space.  For every trained
polynomial model a cell also computes (:func:`cell_bounds`) the best and worst
test MSE over two whole classes of i.i.d. input laws with the study's mean (0)
and variance :math:`\sigma^2`, by :func:`cumulants.bounds.mse_range`:

* ``support``: every law on :math:`[-\sqrt3\,c\,\sigma, \sqrt3\,c\,\sigma]`
  (``bounds_c = 1`` is the support of the uniform law of that variance);
* ``support+kurtosis``: the same laws with excess kurtosis
  :math:`\kappa_4/\sigma^4` between ``bounds_kurtosis`` (default: the uniform
  law's :math:`-6/5` and the Laplace law's :math:`3`).

Degree-2 errors are affine in the unknown moments, so the range is a
semidefinite programme on the moment cone and both ends are attained by
discrete laws (``exact``); deeper models get an outer bound and an attained
inner bound.  :func:`bounds_section` turns the cells' ranges into a table and the
figure of *where in law space* each model fails (:func:`region_figure`).

>>> import math
>>> from cumulants.layers import Dense, Network, Quadratic
>>> net = Network([Dense([[0.7, 0.7]]), Quadratic(0.5), Dense([[1.0]], [-0.25])])
>>> study = {"variance": 1.0, "bounds": True, "bounds_c": 1.0, "bounds_kurtosis": [-1.2, 3.0]}
>>> b = cell_bounds(net, Dense([[1 / math.sqrt(2)] * 2]), study)
>>> sorted(b), b["support"]["exact"]
(['support', 'support+kurtosis'], True)
>>> s, k = b["support"], b["support+kurtosis"]   # the narrower class, within solver tolerance
>>> s["lower"] - 1e-9 <= k["lower"] <= k["upper"] <= s["upper"] + 1e-9
True
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

__all__ = ["law_classes", "cell_bounds", "region_figure", "bounds_section", "CLASS_TEXT"]

#: How the report names the two classes.
CLASS_TEXT = {"support": "all laws on the support",
              "support+kurtosis": "laws on the support with kurtosis in range"}


def law_classes(study) -> dict:
    """``{"support": LawClass, "support+kurtosis": LawClass}`` at the study's variance."""
    from ..bounds import LawClass

    var = float(study["variance"])
    h = math.sqrt(3.0 * var) * float(study.get("bounds_c", 1.0))
    lo, hi = (float(v) for v in study.get("bounds_kurtosis", (-1.2, 3.0)))
    return {"support": LawClass(cumulants={1: 0, 2: var}, support=(-h, h)),
            "support+kurtosis": LawClass(cumulants={1: 0, 2: var, 4: (lo * var**2, hi * var**2)},
                                         support=(-h, h))}


def cell_bounds(network, target, study) -> dict | None:
    """Certified MSE ranges of a trained polynomial ``network`` over the study's two classes.

    ``None`` when ``study["bounds"]`` is false or the model is not polynomial (a
    surrogate would make the range approximate).  Each class maps to the JSON-ready
    :meth:`~cumulants.bounds.BoundResult.to_dict` of its result.
    """
    if not study.get("bounds", True) or not network.is_polynomial:
        return None
    from ..bounds import mse_range

    out = {}
    for label, laws in law_classes(study).items():
        d = mse_range(network, target, laws).to_dict()
        d.pop("laws", None)
        d.pop("seconds", None)  # wall time: kept out so a rerun reproduces the cell bit for bit
        out[label] = d
    return out


# ------------------------------------------------------------------------------ figure
def _region(h2, s3):
    """Feasible raw (m3, m4) of mean-0, variance-1 laws on [-h, h] (h2 = h^2)."""
    return 1 + s3**2, h2 - s3**2 / (h2 - 1)


def _form_function(form: str, var: float):
    """The stored MSE form as a function of the standardised (m3, m4), or None."""
    import sympy

    expr = sympy.sympify(form)
    names = {s.name: s for s in expr.free_symbols}
    if not set(names) <= {"m_3", "m_4"}:
        return None
    m3, m4 = sympy.Symbol("m_3"), sympy.Symbol("m_4")
    expr = expr.subs({names.get("m_3", m3): m3, names.get("m_4", m4): m4})
    f = sympy.lambdify((m3, m4), expr, "numpy")
    sd = math.sqrt(var)
    return lambda s3, s4: np.asarray(f(s3 * sd**3, s4 * var**2), dtype=float) * np.ones_like(s3)


def region_figure(cells, summary, cfg, out):
    """One panel per polynomial architecture: feasible law space, MSE contours, extremal laws."""
    from .figures import _plt, save

    study = cfg["study"]
    var = float(study["variance"])
    c = float(study.get("bounds_c", 1.0))
    h2 = 3.0 * c * c
    k_lo, k_hi = (float(v) for v in study.get("bounds_kurtosis", (-1.2, 3.0)))
    from .document import ROUNDING_FLOOR

    first = {}
    for cell in sorted(cells, key=lambda x: (x["seed"], x["train_law"])):
        b = cell.get("bounds")
        if not b or cell["architecture"] in first:
            continue
        lo, up = b["support"].get("lower") or 0.0, b["support"].get("upper") or 0.0
        # exact fits, and errors that do not depend on the unknown moments (affine models:
        # every law of the class is extremal), have nothing to show in law space
        if up >= ROUNDING_FLOOR and up - lo > 1e-9 * up:
            first[cell["architecture"]] = cell
    archs = [a["name"] for a in cfg["architectures"] if a["name"] in first]
    if not archs:
        return None
    plt = _plt()
    ncol = min(3, len(archs))
    nrow = math.ceil(len(archs) / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(3.6 * ncol, 3.2 * nrow), squeeze=False)
    s_max = (h2 - 1) / math.sqrt(h2)
    s3 = np.linspace(-s_max, s_max, 301)
    lo, hi = _region(h2, s3)
    sd = math.sqrt(var)
    for ax, arch in zip(axes.flat, archs):
        cell = first[arch]
        b = cell["bounds"]
        ax.fill_between(s3, lo, hi, color="0.93", lw=0)
        ax.plot(s3, lo, color="0.4", lw=0.8)
        ax.plot(s3, hi, color="0.4", lw=0.8)
        f = _form_function(b["support"]["form"], var)
        if f is not None:
            S3, S4 = np.meshgrid(s3, np.linspace(lo.min(), hi.max(), 241))
            Z = f(S3, S4)
            Z[(S4 < 1 + S3**2) | (S4 > h2 - S3**2 / (h2 - 1))] = np.nan
            if np.isfinite(Z).any() and np.nanmax(Z) > np.nanmin(Z):
                cs = ax.contour(S3, S4, Z, levels=8, cmap="viridis", linewidths=0.8)
                ax.clabel(cs, fontsize=5, fmt="%.2g")
        for k in (k_lo, k_hi):
            if lo.min() < 3 + k < hi.max():  # a bound beyond the support's reach cuts nothing
                ax.axhline(3 + k, color="tab:red", lw=0.7, ls="--")
        ax.set_xlim(-1.06 * s_max, 1.06 * s_max)
        ax.set_ylim(lo.min() - 0.08 * (hi.max() - lo.min()), hi.max() + 0.08 * (hi.max() - lo.min()))
        for label, mk, col in (("support", "o", "tab:blue"), ("support+kurtosis", "s", "tab:red")):
            for which, fill in (("lower_law", "white"), ("upper_law", col)):
                law = b[label].get(which)
                if not law:
                    continue
                a = np.asarray(law["atoms"], dtype=float) / sd
                w = np.asarray(law["weights"], dtype=float)
                ax.plot(float(w @ a**3), float(w @ a**4), mk, color=col, mfc=fill,
                        ms=7 if label == "support" else 5, clip_on=False, zorder=3)
        ax.set_title(f"{arch} (trained on {cell['train_law']})", fontsize=8)
        ax.set_xlabel(r"skewness $\mu'_3/\sigma^3$", fontsize=7)
        ax.set_ylabel(r"$\mu'_4/\sigma^4 = 3 + \kappa_4/\sigma^4$", fontsize=7)
        ax.tick_params(labelsize=6)
    for ax in list(axes.flat)[len(archs):]:
        ax.axis("off")
    handles = [
        plt.Line2D([], [], marker="o", color="tab:blue", mfc="white", ls="", label="best law (support)"),
        plt.Line2D([], [], marker="o", color="tab:blue", ls="", label="worst law (support)"),
        plt.Line2D([], [], marker="s", color="tab:red", mfc="white", ls="", label="best law (+kurtosis)"),
        plt.Line2D([], [], marker="s", color="tab:red", ls="", label="worst law (+kurtosis)"),
        plt.Line2D([], [], color="tab:red", ls="--", label="kurtosis range"),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=5, fontsize=7, frameon=False,
               bbox_to_anchor=(0.5, -0.02))
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return save(fig, out, "bounds_region")


# ------------------------------------------------------------------------------ section
def _collect(cells, cfg):
    """``{(arch, train_law, class): {"lower": [...], "upper": [...], ...}}`` over seeds."""
    acc = defaultdict(lambda: defaultdict(list))
    for cell in cells:
        for label, d in (cell.get("bounds") or {}).items():
            key = (cell["architecture"], cell["train_law"], label)
            for k in ("lower", "upper", "lower_attained", "upper_attained", "gap"):
                v = d.get(k)
                acc[key][k].append(float(v) if v is not None else math.nan)
            acc[key]["exact"].append(bool(d.get("exact")))
            acc[key]["method"].append(d.get("method"))
            acc[key]["upper_law"].append(d.get("upper_law"))
            test = cell["test"].get(cell["train_law"], {})
            acc[key]["id"].append(test.get("mse", math.nan))
    return acc


def _law_text(law, sd):
    if not law:
        return "—"
    return ", ".join(f"{w:.2f}@{a / sd:+.2f}" for a, w in zip(law["atoms"], law["weights"]))


def _constraint_comparison(ctx, acc):
    """A paragraph setting the constrained models' certified worst case beside the free ones'."""
    from .cells import law_label
    from .claims import groups
    from .document import Paragraph

    g = groups(ctx.summary, ctx.cfg)
    out = []
    for train in ctx.cfg["study"]["train_laws"]:
        def worst(names):
            vals = {n: np.nanmean(acc[(n, train, "support")]["upper"]) for n in names
                    if (n, train, "support") in acc}
            return {n: v for n, v in vals.items() if np.isfinite(v)}
        free, cons = worst(g["free"]), worst(g["constrained"])
        if not free or not cons:
            continue
        nf, vf = min(free.items(), key=lambda kv: kv[1])
        nc, vc = min(cons.items(), key=lambda kv: kv[1])
        best_free_lower = {n: np.nanmean(acc[(n, train, "support")]["lower"]) for n in free}
        worse = vc > max(free.values())
        out.append(Paragraph(
            f"Trained on {law_label(train)}: the best constrained model (`{nc}`) has a certified "
            f"worst case of {vc:.3g} over all laws on the support, against {vf:.3g} for the best "
            f"free model (`{nf}`, certified best case {best_free_lower[nf]:.3g}); "
            + ("every constrained model's worst case exceeds every free model's, so claim (b) "
               "holds over the whole class, not only at the sampled laws." if worse else
               "the constrained and free worst cases overlap, so over this class claim (b) is "
               "not settled by the bound alone.")))
    return out


def bounds_section(ctx):
    """Report section: certified ranges per architecture and the law-space figure."""
    from .cells import law_label
    from .document import Figure, Num, Paragraph, Section, Table

    cfg = ctx.cfg
    study = cfg["study"]
    acc = _collect(ctx.cells, cfg)
    if not acc:
        return None
    sd = math.sqrt(float(study["variance"]))
    c = float(study.get("bounds_c", 1.0))
    k_lo, k_hi = (float(v) for v in study.get("bounds_kurtosis", (-1.2, 3.0)))
    from .document import ROUNDING_FLOOR

    rows, ratios = [], {}
    order = [a["name"] for a in cfg["architectures"]]
    pairs = sorted({(a, t) for a, t, _ in acc}, key=lambda p: (order.index(p[0]), p[1]))

    def num(v, k, floor=ROUNDING_FLOOR):
        x = np.asarray(v[k], dtype=float)
        x = x[np.isfinite(x)]
        if not x.size:
            return "—"
        return Num(float(x.mean()), None, float(x.std(ddof=1)) if x.size > 1 else None,
                   floor=floor)

    for arch, train in pairs:
        sup, kur = acc[(arch, train, "support")], acc.get((arch, train, "support+kurtosis"))
        up, idm = np.asarray(sup["upper"], float), np.asarray(sup["id"], float)
        att = np.asarray(sup["upper_attained"], float)  # = upper when solved exactly
        ok = np.isfinite(att) & np.isfinite(idm) & (idm >= ROUNDING_FLOOR) & (att >= ROUNDING_FLOOR)
        ratio = float(np.mean(att[ok] / idm[ok])) if ok.all() and ok.any() else None
        ratios[(arch, train)] = ratio
        exact_fit = bool(np.all(up < ROUNDING_FLOOR))
        solved = all(sup["exact"]) and (kur is None or all(kur["exact"]))
        # an outer lower bound of 0 is the trivial bound, not an exact fit
        fl = ROUNDING_FLOOR if solved else None
        rows.append([f"`{arch}`", law_label(train), num(sup, "id"),
                     num(sup, "lower", fl), num(sup, "upper", fl),
                     num(kur, "lower", fl) if kur else "—", num(kur, "upper", fl) if kur else "—",
                     Num(ratio, digits=3, floor=None) if ratio is not None else "—",
                     "exact (SDP)" if solved else "outer/inner",
                     "—" if exact_fit else _law_text(sup["upper_law"][0], sd)])
    table = Table(["model", "trained on", "ID MSE", "best, all laws", "worst, all laws",
                   "best, $\\kappa_4$ in range", "worst, $\\kappa_4$ in range", "worst/ID", "solved",
                   "worst law (weight@atom/$\\sigma$)"], rows,
                  "Certified range of the test MSE over i.i.d. input laws with the training mean "
                  "and variance on the support (all laws, and those with excess kurtosis in "
                  "range), mean over seeds [sd over seeds]. Rows solved exactly give both ends "
                  "attained; outer/inner rows (errors of degree > 2) give certified outer bounds, "
                  "the true range lying between them and the attained inner values (in "
                  "results.json). worst/ID: the attained worst MSE over all laws on the support "
                  "divided by the measured in-distribution MSE (mean of the per-seed ratios; none "
                  "for exact fits). Worst law: seed 0's, atoms in units of $\\sigma$.",
                  "bounds")
    worst = max(((r, k) for k, r in ratios.items() if r is not None), default=None)
    text = (f"Three test laws are three points in law space. For every polynomial model the cell "
            f"also computes the best and the worst test MSE over two classes of i.i.d. input laws "
            f"with mean 0 and the training variance: every law on "
            f"$[-\\sqrt{{3}}\\,c\\,\\sigma, \\sqrt{{3}}\\,c\\,\\sigma]$ with $c = {c:g}$, and those "
            f"of them whose excess kurtosis lies in $[{k_lo:g}, {k_hi:g}]$ (uniform to Laplace). "
            f"Degree-2 errors are affine in the unknown moments, so the range is a semidefinite "
            f"programme on the moment cone, solved exactly up to solver tolerance, and both ends "
            f"are attained by discrete laws whose exact MSE is re-evaluated (`cumulants.bounds`).")
    blocks = [Paragraph(text), table]
    if worst:
        (arch, train) = worst[1]
        blocks.append(Paragraph(f"The largest attained worst-case to in-distribution ratio is "
                                f"{worst[0]:.3g} (`{arch}` trained on {law_label(train)}): a law "
                                f"of the class (the table's worst law) does that much worse than "
                                f"the training law."))
    blocks += _constraint_comparison(ctx, acc)
    name = ctx.figure(region_figure)
    if name:
        blocks.append(Figure(name, "Where in law space each model fails: the feasible skewness and "
                                   "fourth moment of standardised laws on the support (grey), the "
                                   "exact test MSE as contours (degree-2 models), and the laws that "
                                   "attain the best (open) and worst (filled) MSE, over the whole "
                                   "support (circles) and within the kurtosis range (squares; "
                                   "dashed: a kurtosis bound the support can reach). Seed 0 of the "
                                   "first training law; exact fits are left out. When the whole "
                                   "range is below the solver's tolerance (about 1e-9) the marked "
                                   "laws are not meaningful; models whose error does not depend "
                                   "on the unknown moments (affine maps) are left out too.",
                             "bounds-region"))
    return Section("Certified ranges over classes of laws", blocks, label="bounds")
