"""Figures of the report: 200 dpi PNG for Markdown plus vector PDF for LaTeX.

Conventions shared by every figure: colour identifies the architecture, marker
shape the test law; measured values are points with error bars (two standard
errors), predictions are lines; legends sit outside the axes and files are saved
with ``bbox_inches="tight"`` so nothing is clipped.  Each function returns the
file name of the PNG it wrote (or ``None`` when there is nothing to draw).
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from .analysis import law_cumulants, unit_variance_laws
from .cells import law_label

__all__ = ["DPI", "arch_colours", "LAW_MARKERS", "save", "kappa_figure", "mse_figure",
           "residual_figure", "flow_figure", "gnn_figure", "training_figure"]

DPI = 200
LAW_MARKERS = {"gaussian": "o", "uniform": "s", "rademacher": "D", "laplace": "^",
               "exponential": "v", "gaussian@2": "P", "uniform@0.5": "X"}
_FLOOR = 1e-20


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def arch_colours(cfg) -> dict:
    """One colour per architecture, in configuration order (tab10, then tab20)."""
    plt = _plt()
    names = [a["name"] for a in cfg["architectures"]]
    cmap = plt.get_cmap("tab10" if len(names) <= 10 else "tab20")
    return {n: cmap(i % cmap.N) for i, n in enumerate(names)}


def _marker(t):
    return LAW_MARKERS.get(t, "o")


def save(fig, out, stem) -> str:
    """Write ``stem.png`` (200 dpi) and ``stem.pdf``, mode 0644; return the PNG name."""
    import os

    plt = _plt()
    for ext, kw in (("png", {"dpi": DPI}), ("pdf", {})):
        path = out / f"{stem}.{ext}"
        fig.savefig(path, bbox_inches="tight", pad_inches=0.05,
                    metadata={"CreationDate": None} if ext == "pdf" else None, **kw)
        os.chmod(path, 0o644)
    plt.close(fig)
    return f"{stem}.png"


def _groups(cells):
    g = defaultdict(list)
    for c in cells:
        g[(c["architecture"], c["train_law"])].append(c)
    return g


def kappa_figure(cells, summary, cfg, out, train_law):
    """The key figure: test MSE against the test law's kappa_4, per architecture.

    Points: measured MSE (mean over seeds, bars = 2 SE) on each test law at the
    study's variance; solid line: the closed form ``a + s_4 kappa_4`` at
    ``kappa_3 = 0``; dotted: the same at ``kappa_3 = 2`` (where the centred
    exponential lies).  Non-polynomial models: dashed grey least-squares fit.
    """
    plt = _plt()
    laws = unit_variance_laws(cfg)
    kap = {t: law_cumulants(t, cfg["study"]["variance"]) for t in laws}
    rows = [r for r in summary["rows"] if r["train_law"] == train_law]
    slopes = {(s["architecture"], s["train_law"]): s for s in summary["slopes"]}
    rows = [r for r in rows if not slopes[(r["architecture"], train_law)]["exact_fit"]]
    if not rows:
        return None
    colours = arch_colours(cfg)
    ncol = min(4, len(rows))
    nrow = math.ceil(len(rows) / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(3.2 * ncol, 2.7 * nrow), squeeze=False)
    k4 = np.linspace(min(k[3] for k in kap.values()) - 0.4, max(k[3] for k in kap.values()) + 0.4, 50)
    for ax, r in zip(axes.flat, rows):
        col = colours[r["architecture"]]
        s = slopes[(r["architecture"], train_law)]
        for t in laws:
            e = r["test"][t]
            ax.errorbar(kap[t][3], e["mse"], yerr=2 * (e["se"] or 0), fmt=_marker(t), color=col,
                        mfc=col, mec="k", mew=0.5, ms=6, capsize=2, zorder=3)
        if s["has_closed_form"]:
            a, s3, s4 = (s[k]["closed_form"] for k in ("intercept", "kappa3", "kappa4"))
            ax.plot(k4, a + s4 * k4, "-", color=col, lw=1.2, zorder=2)
            ax.plot(k4, a + 2 * s3 + s4 * k4, ":", color=col, lw=1.2, zorder=2)
            ttl = (f"$s_4$ fit {s['kappa4']['fit']:.3g}, exact {s4:.3g}"
                   if s["kappa4"]["fit"] is not None else f"$s_4$ exact {s4:.3g}")
        else:
            if s["kappa4"]["fit"] is not None:
                a, s4 = s["intercept"]["fit"], s["kappa4"]["fit"]
                ax.plot(k4, a + s4 * k4, "--", color="0.5", lw=1, zorder=1)
            ttl = ("degree > 2: not affine in $\\kappa_4$" if r["polynomial"]
                   else "no closed form")
        ax.set_title(f"{r['architecture']}\n{ttl}", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.ticklabel_format(axis="y", style="sci", scilimits=(-2, 3))
        ax.yaxis.get_offset_text().set_fontsize(7)
        ax.set_xlabel(r"test law's $\kappa_4$", fontsize=8)
    for ax in axes[:, 0]:
        ax.set_ylabel("test MSE", fontsize=8)
    for ax in list(axes.flat)[len(rows):]:
        ax.set_visible(False)
    handles = [plt.Line2D([], [], ls="", marker=_marker(t), color="0.6", mec="k", label=law_label(t))
               for t in laws]
    handles += [plt.Line2D([], [], color="k", ls="-", label=r"closed form, $\kappa_3=0$"),
                plt.Line2D([], [], color="k", ls=":", label=r"closed form, $\kappa_3=2$"),
                plt.Line2D([], [], color="0.5", ls="--", label="least-squares fit (no affine closed form)")]
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=4, fontsize=7,
               frameon=False)
    fig.suptitle(f"Test MSE against the test law's $\\kappa_4$ (trained on {law_label(train_law)} "
                 "data): points measured ± 2 SE, lines predicted", fontsize=9)
    fig.tight_layout()
    return save(fig, out, f"kappa_dependence_{train_law}")


def mse_figure(cells, summary, cfg, out):
    """Test MSE per architecture and test law (log scale), one panel per training law."""
    plt = _plt()
    laws = cfg["study"]["test_laws"]
    tls = cfg["study"]["train_laws"]
    colours = arch_colours(cfg)
    archs = [a["name"] for a in cfg["architectures"]]
    fig, axes = plt.subplots(1, len(tls), figsize=(max(5, 0.55 * len(archs) + 1.5) * len(tls), 3.6),
                             squeeze=False, sharey=True)
    lo = min((v for r in summary["rows"] for e in r["test"].values()
              for v in [e["mse"], *e["per_seed"]] if v is not None and v > _FLOOR), default=1e-6)
    floor = 10 ** math.floor(math.log10(lo) - 1)
    for ax, tl in zip(axes[0], tls):
        rows = {r["architecture"]: r for r in summary["rows"] if r["train_law"] == tl}
        pts, dots = defaultdict(list), []
        for i, a in enumerate(archs):
            r = rows.get(a)
            if r is None:
                continue
            if all((e["mse"] or 0) < _FLOOR for e in r["test"].values()):
                ax.annotate("exact\n(0 within\nrounding)", (i, floor), xytext=(0, 6),
                            textcoords="offset points", ha="center", va="bottom", fontsize=6)
                continue
            for k, t in enumerate(laws):
                e = r["test"][t]
                x = i + (k - (len(laws) - 1) / 2) * 0.1
                pts[t].append((x, e["mse"], e["se"] or 0.0, colours[a]))
                dots += [(x, v, colours[a]) for v in e["per_seed"]]
        if dots:
            xs, ys, cs = zip(*dots)
            ax.scatter(xs, ys, s=4, c=list(cs), alpha=0.5, lw=0)
        for t, p in pts.items():
            if not p:
                continue
            xs, ys, es, cs = map(list, zip(*p))
            ys_lo = [max(y - 2 * e, floor) for y, e in zip(ys, es)]
            ax.vlines(xs, ys_lo, [y + 2 * e for y, e in zip(ys, es)], colors=cs, lw=0.8)
            ax.scatter(xs, ys, s=22, c=cs, marker=_marker(t), edgecolors="k", linewidths=0.4,
                       zorder=3)
        ax.set_yscale("log")
        ax.set_ylim(bottom=floor)
        ax.set_xlim(-0.7, len(archs) - 0.3)
        ax.set_xticks(range(len(archs)))
        ax.set_xticklabels(archs, rotation=40, ha="right", fontsize=7)
        ax.set_title(f"trained on {law_label(tl)} data", fontsize=9)
        ax.grid(axis="y", lw=0.3, alpha=0.5)
    axes[0, 0].set_ylabel("test MSE (mean over seeds ± 2 SE; dots: seeds)", fontsize=8)
    handles = [plt.Line2D([], [], ls="", marker=_marker(t), color="0.6", mec="k", label=law_label(t))
               for t in laws]
    fig.legend(handles=handles, title="test law", loc="center left", bbox_to_anchor=(1.0, 0.5),
               fontsize=7, title_fontsize=8, frameon=False)
    fig.tight_layout()
    return save(fig, out, "mse_by_architecture")


def residual_figure(cells, summary, cfg, out):
    """z-scores of every comparison of theory and measurement, by architecture, and their histogram."""
    plt = _plt()
    colours = arch_colours(cfg)
    archs = [a["name"] for a in cfg["architectures"]]
    pts = []
    for c in cells:
        i = archs.index(c["architecture"])
        for t, e in c["test"].items():
            if e.get("z") is not None:
                pts.append((i, e["z"], c["architecture"], _marker(t)))
        for s in c["flow"]["steps"]:
            for z in s.get("z") or []:
                if z is not None:
                    pts.append((i, z, c["architecture"], "*"))
        for layer in c.get("gnn_layers", []):
            for z in layer["z"].values():
                if z is not None:
                    pts.append((i, z, c["architecture"], "h"))
    if not pts:
        return None
    rng = np.random.default_rng(0)
    zt = cfg["study"]["z_threshold"]
    fig, (ax, axh) = plt.subplots(1, 2, figsize=(10, 3.6), gridspec_kw={"width_ratios": [3, 1]},
                                  sharey=True)
    for band, alpha in ((zt, 0.08), (2, 0.12), (1, 0.18)):
        ax.axhspan(-band, band, color="C0", alpha=alpha, lw=0)
    by_marker = defaultdict(list)
    for i, z, a, m in pts:
        by_marker[m].append((i + rng.uniform(-0.25, 0.25), z, colours[a]))
    for m, p in by_marker.items():
        xs, zs_, cs = zip(*p)
        ax.scatter(xs, zs_, s=16, c=list(cs), marker=m, edgecolors="k", linewidths=0.3, zorder=3)
    ax.axhline(0, color="k", lw=0.5)
    used = sorted({p[0] for p in pts})
    ax.set_xticks(used)
    ax.set_xticklabels([archs[i] for i in used], rotation=40, ha="right", fontsize=7)
    ax.set_ylabel("z = (measured − predicted) / SE", fontsize=8)
    ax.set_title(f"{len(pts)} comparisons; shaded: |z| < 1, 2, {zt:g}", fontsize=9)
    zs = np.array([p[1] for p in pts])
    lim = max(zt + 0.5, float(np.abs(zs).max()) + 0.5)
    ax.set_ylim(-lim, lim)
    bins = np.linspace(-lim, lim, 25)
    axh.hist(zs, bins=bins, orientation="horizontal", color="0.6", density=True, label="all z")
    g = np.linspace(-lim, lim, 200)
    axh.plot(np.exp(-g**2 / 2) / math.sqrt(2 * math.pi), g, "k-", lw=1, label="N(0, 1)")
    axh.set_xlabel("density", fontsize=8)
    axh.legend(fontsize=7, frameon=False, loc="upper right")
    laws = [t for t in cfg["study"]["test_laws"]]
    handles = [plt.Line2D([], [], ls="", marker=_marker(t), color="0.6", mec="k",
                          label=f"test MSE, {law_label(t)}") for t in laws]
    handles += [plt.Line2D([], [], ls="", marker="*", color="0.6", mec="k", label="RG-flow cumulant"),
                plt.Line2D([], [], ls="", marker="h", color="0.6", mec="k", label="GNN hidden cumulant")]
    fig.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=7,
               frameon=False)
    fig.tight_layout()
    return save(fig, out, "z_scores")


def flow_figure(cells, summary, cfg, out):
    """Deviation of the learned RG flow's excess kurtosis from the exact flow, with 2 SE bars."""
    plt = _plt()
    tls = cfg["study"]["train_laws"]
    colours = arch_colours(cfg)
    archs = [a["name"] for a in cfg["architectures"]]
    fig, axes = plt.subplots(1, len(tls), figsize=(5.2 * len(tls), 3.6), squeeze=False)
    groups = _groups(cells)
    for ax, tl in zip(axes[0], tls):
        for j, a in enumerate(archs):
            cs = groups.get((a, tl))
            if not cs:
                continue
            steps = [s["step"] for s in cs[0]["flow"]["steps"]]
            dx = (j - (len(archs) - 1) / 2) * 0.05
            meas, err, pred = [], [], []
            for i in range(len(steps)):
                rows = [c["flow"]["steps"][i] for c in cs]
                d = [r["measured"]["excess_kurtosis"] - r["exact"]["excess_kurtosis"] for r in rows]
                se = [r["measured"]["se"][3] / r["measured"]["kappa"][1] ** 2 for r in rows]
                meas.append(float(np.mean(d)))
                err.append(math.sqrt(sum(x * x for x in se)) / len(se))
                p = [r["predicted"]["excess_kurtosis"] - r["exact"]["excess_kurtosis"]
                     for r in rows if "predicted" in r]
                pred.append(float(np.mean(p)) if len(p) == len(rows) else np.nan)
            x = np.array(steps) + dx
            ax.errorbar(x, meas, yerr=2 * np.array(err), fmt="o", color=colours[a], ms=4,
                        capsize=2, label=a)
            if not np.all(np.isnan(pred)):
                ax.plot(x, pred, "-", color=colours[a], lw=1.2, marker="_", ms=14, mew=2)
        ax.axhline(0, color="k", lw=1, label="exact flow")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_xlabel("RG step", fontsize=8)
        ax.set_ylabel(r"excess kurtosis $\kappa_4/\kappa_2^2$: learned − exact", fontsize=8)
        ax.set_title(f"learned step iterated on a {law_label(tl)} lattice", fontsize=9)
        ax.tick_params(labelsize=7)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    handles.append(plt.Line2D([], [], color="0.3", ls="-", marker="_", ms=14, mew=2,
                              label="closed-form prediction\nof the learned flow"))
    fig.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=7,
               frameon=False, title="points: k-statistics ± 2 SE", title_fontsize=7)
    fig.tight_layout()
    return save(fig, out, "rg_flow")


def gnn_figure(cells, summary, cfg, out):
    """GNN hidden-layer joint cumulants: prediction vs k-statistics, and their z-scores."""
    plt = _plt()
    pts = [(c["architecture"], layer["layer"], k, layer["predicted"][k], layer["measured"][k],
            layer["se"][k]) for c in cells for layer in c.get("gnn_layers", [])
           for k in layer["predicted"]]
    if not pts:
        return None
    colours = arch_colours(cfg)
    fig, (ax, axz) = plt.subplots(1, 2, figsize=(9, 3.8))
    p = np.array([q[3] for q in pts])
    m = np.array([q[4] for q in pts])
    s = np.array([q[5] for q in pts])
    orders = {1: "o", 2: "s", 3: "^"}
    for a, lay, k, pv, mv, sv in pts:
        order = k.count(",") + 1
        ax.errorbar(pv, mv, yerr=2 * sv, fmt=orders[order], color=colours[a], mec="k", mew=0.3,
                    ms=4, capsize=1.5)
        axz.plot(pv, (mv - pv) / sv, orders[order], color=colours[a], mec="k", mew=0.3, ms=4)
    lo, hi = float(min(p.min(), m.min())), float(max(p.max(), m.max()))
    pad = 0.05 * (hi - lo + 1e-12)
    ax.plot([lo - pad, hi + pad], [lo - pad, hi + pad], "k--", lw=0.8)
    ax.set_xlabel("predicted joint cumulant of two hidden units", fontsize=8)
    ax.set_ylabel("measured (k-statistic ± 2 SE)", fontsize=8)
    zt = cfg["study"]["z_threshold"]
    axz.axhspan(-2, 2, color="C0", alpha=0.12, lw=0)
    axz.axhline(0, color="k", lw=0.5)
    axz.set_xlabel("predicted joint cumulant", fontsize=8)
    axz.set_ylabel("z = (measured − predicted) / SE", fontsize=8)
    axz.set_ylim(-max(zt, np.abs((m - p) / s).max() + 0.5), max(zt, np.abs((m - p) / s).max() + 0.5))
    for a_ in (ax, axz):
        a_.tick_params(labelsize=7)
    handles = [plt.Line2D([], [], ls="", marker=mk, color="0.6", mec="k", label=f"order {o}")
               for o, mk in orders.items()]
    handles.append(plt.Line2D([], [], color="k", ls="--", label="measured = predicted"))
    handles += [plt.Line2D([], [], ls="", marker="o", color=colours[a], label=a)
                for a in sorted({q[0] for q in pts})]
    fig.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=7,
               frameon=False)
    fig.tight_layout()
    return save(fig, out, "gnn_layers")


def training_figure(cells, summary, cfg, out):
    """Training loss per epoch of every cell (log scale), one panel per training law."""
    plt = _plt()
    if not any(c.get("loss_history") for c in cells):
        return None
    tls = cfg["study"]["train_laws"]
    colours = arch_colours(cfg)
    fig, axes = plt.subplots(1, len(tls), figsize=(5.2 * len(tls), 3.6), squeeze=False, sharey=True)
    seen = set()
    for ax, tl in zip(axes[0], tls):
        order = {a["name"]: i for i, a in enumerate(cfg["architectures"])}
        for c in sorted(cells, key=lambda c: (order.get(c["architecture"], 0), c["seed"])):
            if c["train_law"] != tl or not c.get("loss_history"):
                continue
            h = np.array([v if v is not None else np.nan for v in c["loss_history"]])
            h = np.maximum(h, 1e-33)
            lab = c["architecture"] if c["architecture"] not in seen else None
            seen.add(c["architecture"])
            ax.plot(np.arange(1, len(h) + 1), h, "-", color=colours[c["architecture"]], lw=0.8,
                    alpha=0.85, label=lab)
        ax.set_yscale("log")
        ax.set_xlabel("epoch", fontsize=8)
        ax.set_title(f"trained on {law_label(tl)} data", fontsize=9)
        ax.tick_params(labelsize=7)
    axes[0, 0].set_ylabel("training loss (mean over the epoch's batches)", fontsize=8)
    handles, labels = [], []
    for ax in axes[0]:
        h, lab = ax.get_legend_handles_labels()
        for hh, ll in zip(h, lab):
            if ll not in labels:
                handles.append(hh)
                labels.append(ll)
    fig.legend(handles, labels, loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=7,
               frameon=False, title="one line per seed", title_fontsize=7)
    fig.tight_layout()
    return save(fig, out, "training_loss")
