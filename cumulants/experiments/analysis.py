"""The numbers of the report, computed from the finished cells only.

* :func:`summarise` -- per (architecture, training law): means over seeds with the
  standard error of the mean from the finite test samples and the spread over seeds;
  every z-score of theory against measurement;
* :func:`kappa_slopes` -- the fitted dependence of the test MSE on the test law's
  ``kappa_3`` and ``kappa_4`` beside its closed form;
* :func:`training_anomalies`, :func:`extrapolation` -- diagnostics behind the
  anomalies the report discusses.

Standard errors.  For one cell the SE of a test MSE is ``sqrt(Var(e^2)/n)`` (exact
from the error's cumulants when the order budget allows, else the sample value).
Over ``S`` seeds the mean's SE is ``sqrt(sum SE_s^2) / S``; the seed spread ``sd`` is
the sample standard deviation over seeds (``ddof = 1``).

Slope fit.  On the test laws at the study's variance (``kappa_1 = 0``,
``kappa_2 = v``) the MSE of a degree <= 2 model is ``a + s_3 kappa_3 + s_4 kappa_4``
exactly; the measured MSEs are fitted by weighted least squares with weights
``1/SE^2`` and the coefficients' SEs are ``sqrt(diag((X^T W X)^{-1}))``.

>>> import numpy as np
>>> X = np.array([[1, 0, 0], [1, 0, -1.2], [1, 0, 3], [1, 2, 6.0]])
>>> beta, se = wls(X, X @ [1.0, 0.1, 0.5], np.full(4, 0.01))
>>> np.round(beta, 6).tolist(), bool(np.all(se > 0))
([1.0, 0.1, 0.5], True)
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from .cells import law

__all__ = ["summarise", "kappa_slopes", "training_anomalies", "extrapolation", "wls",
           "law_cumulants", "mean_se_sd", "unit_variance_laws"]

FLOOR = 1e-20


def _finite(values):
    return [float(v) for v in values if v is not None and math.isfinite(v)]


def mean_se_sd(values, ses=None):
    """``(mean, SE of the mean, sd over the values)`` of per-seed values with per-seed SEs.

    >>> mean_se_sd([1.0, 3.0], [0.3, 0.4])
    (2.0, 0.25, 1.4142135623730951)
    """
    vals = _finite(values)
    if not vals:
        return None, None, None
    m = float(np.mean(vals))
    se = None
    if ses is not None:
        s = _finite(ses)
        if len(s) == len(vals):
            se = math.sqrt(sum(x * x for x in s)) / len(s)
    sd = float(np.std(vals, ddof=1)) if len(vals) > 1 else None
    return m, se, sd


def law_cumulants(spec, variance):
    """``[kappa_1, ..., kappa_4]`` (floats) of a test law spec."""
    d = law(spec, variance)
    return [float(d.cumulant(k)) for k in range(1, 5)]


def unit_variance_laws(cfg):
    """Test laws at the study's variance (the ones that share ``kappa_2``)."""
    return [t for t in cfg["study"]["test_laws"] if "@" not in t]


def summarise(cells: list, cfg: dict) -> dict:
    """Aggregate cells over seeds: per (architecture, train law) rows and every z-score."""
    zt = cfg["study"]["z_threshold"]
    groups = defaultdict(list)
    for c in cells:
        groups[(c["architecture"], c["train_law"])].append(c)
    rows, z_all, z_kinds = [], [], defaultdict(list)
    for arch in [a["name"] for a in cfg["architectures"]]:
        for train_law in cfg["study"]["train_laws"]:
            cs = sorted(groups.get((arch, train_law), []), key=lambda c: c["seed"])
            if not cs:
                continue
            row = {"architecture": arch, "train_law": train_law, "kind": cs[0]["kind"],
                   "activation": cs[0]["activation"], "constraint": cs[0]["constraint"],
                   "polynomial": cs[0]["polynomial"], "n_params": cs[0]["n_params"],
                   "seeds": len(cs), "test": {}}
            row["train_mse"], _, row["train_mse_sd"] = mean_se_sd(c["train_mse"] for c in cs)
            for t in cfg["study"]["test_laws"]:
                m, se, sd = mean_se_sd([c["test"][t]["mse"] for c in cs],
                                       [c["test"][t]["se"] for c in cs])
                entry = {"mse": m, "se": se, "sd": sd,
                         "per_seed": [c["test"][t]["mse"] for c in cs]}
                if row["polynomial"]:
                    entry["predicted"] = mean_se_sd(c["test"][t].get("predicted") for c in cs)[0]
                    zs = [c["test"][t].get("z") for c in cs]
                    entry["z"] = [z for z in zs]
                row["test"][t] = entry
            ood_laws = [t for t in cfg["study"]["test_laws"] if t != train_law]
            per_seed_ood = [float(np.mean([c["test"][t]["mse"] for t in ood_laws])) for c in cs]
            ood_se = [math.sqrt(sum(c["test"][t]["se"] ** 2 for t in ood_laws)) / len(ood_laws)
                      for c in cs]
            row["ood_mse"], row["ood_se"], row["ood_sd"] = mean_se_sd(per_seed_ood, ood_se)
            row["ood_per_seed"] = per_seed_ood
            idt = row["test"].get(train_law, {})
            row["id_mse"], row["id_se"], row["id_sd"] = idt.get("mse"), idt.get("se"), idt.get("sd")
            row["id_per_seed"] = idt.get("per_seed", [])
            ratios = [o / i for o, i in zip(per_seed_ood, row["id_per_seed"]) if i and i > FLOOR]
            row["ood_over_id"], _, row["ood_over_id_sd"] = mean_se_sd(ratios)
            row["ood_over_id_per_seed"] = ratios
            zs = []
            for c in cs:
                for t in c["test"]:
                    if c["test"][t].get("z") is not None:
                        zs.append(c["test"][t]["z"])
                        z_kinds["test MSE"].append(c["test"][t]["z"])
                for s in c["flow"]["steps"]:
                    for z in s.get("z") or []:
                        if z is not None:
                            zs.append(z)
                            z_kinds["flow cumulant"].append(z)
                for layer in c.get("gnn_layers", []):
                    for z in layer["z"].values():
                        if z is not None:
                            zs.append(z)
                            z_kinds["GNN hidden cumulant"].append(z)
            z_all += zs
            row["n_z"] = len(zs)
            row["max_abs_z"] = max((abs(z) for z in zs), default=None)
            row["theory_agrees"] = (row["max_abs_z"] < zt) if zs else None
            rows.append(row)
    n_z = len(z_all)
    within = sum(abs(z) < zt for z in z_all)
    outliers = []
    for c in cells:
        for t, v in c["test"].items():
            if v.get("z") is not None and abs(v["z"]) >= zt:
                outliers.append({"cell": c["id"], "what": f"test MSE on {t}", "z": v["z"],
                                 "se_method": v.get("se_method", "sample")})
        for s in c["flow"]["steps"]:
            for k, z in enumerate(s.get("z") or [], start=1):
                if z is not None and abs(z) >= zt:
                    outliers.append({"cell": c["id"], "what": f"flow step {s['step']} kappa_{k}",
                                     "z": z, "se_method": "k-statistics"})
        for layer in c.get("gnn_layers", []):
            for key, z in layer["z"].items():
                if z is not None and abs(z) >= zt:
                    outliers.append({"cell": c["id"], "what": f"GNN layer {layer['layer']} kappa({key})",
                                     "z": z, "se_method": "bootstrap"})
    return {
        "outliers": outliers,
        "rows": rows,
        "z_threshold": zt,
        "n_comparisons": n_z,
        "n_within_threshold": within,
        "n_within_2": sum(abs(z) < 2 for z in z_all),
        "fraction_within": within / n_z if n_z else None,
        "z_mean": float(np.mean(z_all)) if z_all else None,
        "z_std": float(np.std(z_all, ddof=1)) if n_z > 1 else None,
        "z_by_kind": {k: {"n": len(v), "mean": float(np.mean(v)),
                          "sd": float(np.std(v, ddof=1)) if len(v) > 1 else None,
                          "max_abs": float(max(abs(x) for x in v))} for k, v in z_kinds.items()},
        "slopes": kappa_slopes(cells, cfg),
        "training": training_anomalies(cells),
        "extrapolation": extrapolation(cells, cfg),
    }


def wls(X, y, se):
    """Weighted least squares: coefficients and their standard errors (weights ``1/se^2``)."""
    X = np.asarray(X, dtype=float)
    w = 1.0 / np.asarray(se, dtype=float) ** 2
    A = X.T @ (w[:, None] * X)
    cov = np.linalg.inv(A)
    beta = cov @ (X.T @ (w * np.asarray(y, dtype=float)))
    return beta, np.sqrt(np.diag(cov))


def _cell_slopes(c, laws, kappas):
    """Fitted ``(a, s_3, s_4)`` with SEs for one cell, or ``None`` when exact or ill-posed."""
    ms = [c["test"][t]["mse"] for t in laws]
    ses = [c["test"][t]["se"] for t in laws]
    if any(m is None for m in ms) or max(ms) < FLOOR or any(s is None or s <= 0 for s in ses):
        return None
    X = np.array([[1.0, kappas[t][2], kappas[t][3]] for t in laws])
    if np.linalg.matrix_rank(X) < 3:
        return None
    beta, se = wls(X, ms, ses)
    return beta, se


def kappa_slopes(cells, cfg) -> list:
    """Per (architecture, train law): fitted ``dMSE/dkappa_4`` and ``dMSE/dkappa_3`` vs closed form.

    Each seed's fit uses its own measured MSEs; the closed form is the exact
    coefficient from the cell's trained weights (``mse_affine``).  Returned means are
    over seeds, with the SE of the mean and the spread over seeds; ``z`` is
    ``(fitted - closed form) / SE`` of the mean (``None`` when there is no closed form).
    """
    v = cfg["study"]["variance"]
    laws = unit_variance_laws(cfg)
    kappas = {t: law_cumulants(t, v) for t in laws}
    groups = defaultdict(list)
    for c in cells:
        groups[(c["architecture"], c["train_law"])].append(c)
    out = []
    for arch in [a["name"] for a in cfg["architectures"]]:
        for train_law in cfg["study"]["train_laws"]:
            cs = sorted(groups.get((arch, train_law), []), key=lambda c: c["seed"])
            if not cs:
                continue
            fits = [_cell_slopes(c, laws, kappas) for c in cs]
            exact = all(max(c["test"][t]["mse"] or 0.0 for t in laws) < FLOOR for c in cs)
            row = {"architecture": arch, "train_law": train_law, "seeds": len(cs),
                   "exact_fit": exact}
            aff = [c.get("mse_affine") for c in cs]
            has_cf = all(a is not None for a in aff)
            for key, idx in (("kappa4", 2), ("kappa3", 1), ("intercept", 0)):
                good = [(f[0][idx], f[1][idx]) for f in fits if f is not None]
                m, se, sd = mean_se_sd([g[0] for g in good], [g[1] for g in good])
                entry = {"fit": m, "se": se, "sd": sd, "per_seed": [g[0] for g in good],
                         "per_seed_se": [g[1] for g in good]}
                if has_cf:
                    pred = [a[key] for a in aff]
                    entry["closed_form"] = float(np.mean(pred))
                    entry["closed_form_per_seed"] = pred
                    entry["z"] = ((m - entry["closed_form"]) / se
                                  if m is not None and se else None)
                    entry["z_per_seed"] = [(f[0][idx] - a[key]) / f[1][idx]
                                           for f, a in zip(fits, aff) if f is not None]
                row[key] = entry
            row["polynomial"] = cs[0]["polynomial"]
            row["has_closed_form"] = has_cf
            out.append(row)
    return out


def training_anomalies(cells, factor=100.0) -> list:
    """Cells whose final training loss is ``factor`` times above the best epoch's loss."""
    out = []
    for c in sorted(cells, key=lambda c: c["id"]):
        hist = _finite(c.get("loss_history") or [])
        if not hist:
            continue
        best = min(hist)
        epoch = hist.index(best) + 1
        final = hist[-1]
        if final > factor * max(best, 1e-300):
            out.append({"cell": c["id"], "architecture": c["architecture"],
                        "train_law": c["train_law"], "seed": c["seed"], "best_loss": best,
                        "best_epoch": epoch, "final_loss": final, "epochs": len(hist)})
    return out


def extrapolation(cells, cfg) -> list:
    """Per (architecture, train law, test law): share outside the training box, MSE inside/outside."""
    groups = defaultdict(list)
    for c in cells:
        groups[(c["architecture"], c["train_law"])].append(c)
    out = []
    for (arch, train_law), cs in groups.items():
        for t in cfg["study"]["test_laws"]:
            es = [c["test"][t] for c in cs if "outside_support" in c["test"][t]]
            if not es:
                continue
            row = {"architecture": arch, "train_law": train_law, "test_law": t}
            row["outside"] = mean_se_sd(e["outside_support"] for e in es)[0]
            for key in ("inside", "outside"):
                vals = [e.get(f"mse_{key}") for e in es]
                ses = [e.get(f"mse_{key}_se") for e in es]
                row[f"mse_{key}"], row[f"mse_{key}_se"], _ = mean_se_sd(vals, ses)
            out.append(row)
    return out
