"""One cell of the study: train one architecture on one law with one seed, then measure.

A cell is a pure function of its JSON-ready specification, so it runs the same
in-process, on a local process pool or on a Dask worker, and the same seed
gives the same numbers.  It returns every number of the cell:

* train MSE and, for every test law, the measured test MSE with its standard
  error; for polynomial models also the closed-form MSE predicted from the
  trained weights and the test law's cumulants, and the z-score
  ``(measured - predicted) / SE``;
* the learned RG flow: the learned step iterated on a lattice, its error per
  step against the exact block-spin flow, and the site cumulants
  (``kappa_3``, ``kappa_4/kappa_2^2``) measured by k-statistics beside the exact
  flow and, for polynomial models, the exact prediction of the learned flow;
* for GNNs, predicted cumulants of hidden activations layer by layer beside
  their k-statistics, with z-scores;
* the training loss of every epoch, and for every test law the fraction of test
  inputs outside the box spanned by the training inputs with the MSE inside and
  outside it (extrapolation diagnostics);
* for polynomial models of degree <= 2, the exact MSE as an affine function of the
  test law's ``kappa_3`` and ``kappa_4`` at the study's variance (``mse_affine``);
* for polynomial models, the certified range of the test MSE over two classes of
  input laws (``bounds``, :mod:`~cumulants.experiments.bounds_section`);
* the trained model itself (``model``, :meth:`cumulants.nn.MLP.to_dict`), so a cell file
  can be reloaded (:func:`cumulants.io.load_model`, ``cumulants bound --model``).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["run_cell", "law", "law_label", "split_law", "LAW_LABELS", "CELL_VERSION"]

#: Version of the cell's output schema; part of each cell's hash, so cells stored by an
#: older version are recomputed rather than loaded without the newer fields.
CELL_VERSION = 3

LAW_LABELS = {
    "gaussian": "Gaussian",
    "uniform": "uniform",
    "rademacher": "Rademacher",
    "laplace": "Laplace",
    "exponential": "centred exponential",
}


def split_law(spec: str, variance: float):
    """``"laplace"`` -> ``("laplace", variance)``; ``"gaussian@2"`` -> ``("gaussian", 2.0)``.

    >>> split_law("gaussian@2", 1.0), split_law("uniform", 1.0)
    (('gaussian', 2.0), ('uniform', 1.0))
    """
    name, _, var = spec.partition("@")
    return name, float(var) if var else float(variance)


def law_label(spec: str) -> str:
    """Readable name of a law spec: ``"gaussian@2"`` -> ``"Gaussian (variance 2)"``."""
    name, _, var = spec.partition("@")
    return LAW_LABELS[name] + (f" (variance {var})" if var else "")


def law(spec: str, variance: float):
    """The catalogue law ``spec`` centred and scaled to ``variance`` (float parameters).

    ``spec`` is a name (``"laplace"``) or ``name@variance`` (``"gaussian@2"``), which
    overrides ``variance``.
    """
    from ..distributions import Exponential, Laplace, Normal, Rademacher, Uniform, standardise

    name, variance = split_law(spec, variance)
    base = {
        "gaussian": Normal(0.0, 1.0),
        "uniform": Uniform(-1.0, 1.0),
        "rademacher": Rademacher(),
        "laplace": Laplace(0.0, 1.0),
        "exponential": Exponential(1.0),
    }[name]
    return standardise(base, mean=0.0, variance=float(variance))


def _float(v):
    v = float(v)
    return v if math.isfinite(v) else None


#: Below this both a measured and a predicted MSE are zero up to float rounding
#: (an exactly representable map); there is nothing to compare, so no z-score is
#: reported (and none is counted as an agreement).
ROUNDING_FLOOR = 1e-20


def _z(measured, predicted, se):
    if predicted is None or se is None:
        return None
    if abs(measured) < ROUNDING_FLOOR and abs(predicted) < ROUNDING_FLOOR:
        return None
    if se <= 0:
        return None
    return _float((measured - predicted) / se)


def _build_model(arch, study, seed):
    from .. import nn

    b = study["block"]
    act = arch["activation"]
    kw = {"seed": seed}
    if act == "quadratic":
        kw["alpha"] = float(arch.get("alpha", study["alpha"]))
        kw["learn_alpha"] = bool(arch.get("learn_alpha", False))
    if arch["kind"] == "mlp":
        widths = [b, *arch.get("hidden", []), 1]
        return nn.MLP(widths, act, constraint=arch.get("constraint", "free"),
                      init_scale=float(arch.get("init_scale", 1.0)), **kw)
    graph = nn.chain(b)
    return nn.GNN(graph, hidden=int(arch.get("features", 2)), layers=int(arch.get("layers", 1)),
                  activation=act, readout="block", block=b,
                  normalisation=arch.get("normalisation", "symmetric"),
                  constraint=arch.get("constraint", "free"),
                  init_scale=float(arch.get("init_scale", 1.0)), **kw)


def _target_network(b):
    from ..layers import Dense, Network

    return Network([Dense(np.full((1, b), 1.0 / math.sqrt(b)))])


def _predicted_mse(network, target, state):
    try:
        from ..generalisation import mse
    except ImportError:  # pragma: no cover - transitional
        from ..algebra.polynomial import polynomial_cumulants

        e = network.polynomial(as_ring=True)[0] - target.polynomial(as_ring=True)[0]
        k = polynomial_cumulants([e], state, 2)
        return _float(k[0] ** 2 + k[0, 0])
    return _float(mse(network, target, state))


def _flow(model, network, dist, study, rng, polynomial):
    """Iterate the learned step on a lattice of block**steps sites."""
    from ..estimators import k_statistics
    from ..state import Cumulants

    b, steps = study["block"], study["rg_steps"]
    n = study["rg_samples"]
    sites = b**steps
    X = np.asarray(dist.sample((n, sites), rng), dtype=float)
    learned, exact = X, X
    kappa0 = [float(dist.cumulant(k)) for k in range(1, 5)]
    rows = []
    pred_state = None
    degree = _degree(network) if polynomial else None
    predict_steps = 0
    if polynomial:
        # The exact prediction costs moments of degree 4 * D**k; keep it within the budget.
        while (predict_steps < study["predict_rg_steps"]
               and 4 * degree ** (predict_steps + 1) <= study["max_prediction_order"]):
            predict_steps += 1
    for step in range(1, steps + 1):
        learned = model.predict(learned.reshape(-1, b)).reshape(n, -1)
        exact = exact.reshape(n, -1, b).sum(axis=2) / math.sqrt(b)
        err = (learned - exact).ravel()
        e2 = err**2
        pooled = learned.ravel()
        ks = k_statistics(pooled, 4)
        se = _kstat_se(pooled, rng)
        theory = [kappa0[k - 1] * b ** (step * (1 - k / 2)) if k >= 2 else 0.0 for k in range(1, 5)]
        row = {
            "step": step,
            "mse_vs_exact": _float(e2.mean()),
            "mse_vs_exact_se": _float(e2.std(ddof=1) / math.sqrt(e2.size)),
            "measured": {"kappa": [_float(v) for v in ks], "se": [_float(v) for v in se]},
            "exact": {"kappa": theory},
        }
        row["measured"]["skewness"] = _float(ks[2] / ks[1] ** 1.5) if ks[1] > 0 else None
        row["measured"]["excess_kurtosis"] = _float(ks[3] / ks[1] ** 2) if ks[1] > 0 else None
        row["exact"]["excess_kurtosis"] = _float(theory[3] / theory[1] ** 2)
        if polynomial and step <= predict_steps:
            # Output order 4 after the last predicted step needs order 4 * D**k k steps earlier.
            need = 4 * degree ** (predict_steps - step)
            if pred_state is None:
                src = Cumulants.iid(dist, b, need * degree)
            else:
                src = Cumulants.iid_cumulants(pred_state, b)
            out = network.propagate(src, order=need)
            pred_state = [float(v) for v in out.marginal(0)]
            pk = pred_state[:4]
            row["predicted"] = {"kappa": pk, "excess_kurtosis": _float(pk[3] / pk[1] ** 2)}
            row["z"] = [_z(m, p, s) for m, p, s in zip(ks, pk, se)]
        elif polynomial and step <= study["predict_rg_steps"]:
            row["prediction_note"] = (f"skipped: a degree-{degree} step needs input order "
                                      f"{4 * degree ** study['predict_rg_steps']} > "
                                      f"{study['max_prediction_order']}")
        rows.append(row)
    return rows


def _exact_mse_se(network, target, dist, b, n, degree, study):
    """Exact standard error of the sample MSE, ``sqrt(Var(e^2) / n)``, under the predicted law.

    ``Var(e^2) = E[e^4] - E[e^2]^2`` comes from the first four cumulants of the error
    polynomial, which need input cumulants up to ``4 * degree``; beyond the order budget
    (``max_prediction_order``) it is not computed and the sample standard error is used.
    The sample standard error of a mean of ``e^2`` is unreliable for heavy-tailed errors
    (high-degree networks on Laplace or exponential inputs), where it underestimates.
    """
    from ..algebra.univariate import moments_from_cumulants
    from ..generalisation import error_cumulants
    from ..layers.contraction import applicable, contraction_cumulants
    from ..state import Cumulants

    state = Cumulants.iid(dist, b, 4 * degree)
    if applicable(network, state):  # the contraction route has no order budget
        k = contraction_cumulants(network, state, 4, subtract=target).marginal(0)
    elif 4 * degree > study["max_prediction_order"]:
        return None
    else:
        k = error_cumulants(network, target, state, 4).marginal(0)
    m = moments_from_cumulants([float(v) for v in k])
    var = m[3] - m[1] ** 2
    return _float(math.sqrt(var / n)) if var > 0 else None


def _support(Xt, e2, lo, hi) -> dict:
    """Share of test inputs outside the training box ``[lo, hi]`` and the MSE inside/outside it."""
    out = np.any((Xt < lo) | (Xt > hi), axis=1)
    res = {"outside_support": _float(out.mean())}
    for key, mask in (("inside", ~out), ("outside", out)):
        part = e2[mask]
        res[f"mse_{key}"] = _float(part.mean()) if part.size else None
        res[f"mse_{key}_se"] = _float(part.std(ddof=1) / math.sqrt(part.size)) if part.size > 1 else None
    return res


def _mse_affine(network, target, b, variance) -> dict:
    r"""The exact MSE of a degree <= 2 model as ``a + s_3 kappa_3 + s_4 kappa_4`` at ``kappa_2 = variance``.

    For an error polynomial of degree 2 on i.i.d. zero-mean inputs, ``E[e]`` depends on
    ``kappa_2`` only and ``Var[e]`` is affine in ``kappa_3`` and ``kappa_4``
    (docs/formulas.md §7: ``2 kappa_3 sum_i delta_i A_ii + kappa_4 sum_i A_ii^2``), so
    the exact :func:`~cumulants.generalisation.mse` at three points gives every
    coefficient: ``a = MSE(0, 0)``, ``s_3 = (MSE(1, 0) - MSE(-1, 0)) / 2`` and likewise
    ``s_4``.
    """
    from ..state import Cumulants

    def at(k3, k4):
        return _predicted_mse(network, target,
                              Cumulants.iid_cumulants([0.0, float(variance), k3, k4], b))

    a = at(0.0, 0.0)
    return {"kappa2": float(variance), "intercept": a,
            "kappa3": _float((at(1.0, 0.0) - at(-1.0, 0.0)) / 2),
            "kappa4": _float((at(0.0, 1.0) - at(0.0, -1.0)) / 2)}


def _degree(network) -> int:
    """Total degree of a polynomial network (1 for affine maps)."""
    polys = network.polynomial(as_ring=True)
    return max(1, max(max((sum(m) for m in p.itermonoms()), default=0) for p in polys))


def _kstat_se(x, rng):
    """Standard errors of k_1..k_4 of a sample (plug-in closed forms, bootstrap fallback)."""
    from ..estimators import k_statistics_se

    se = k_statistics_se(x, 4, method="auto", rng=rng)
    return [float(v) for v in np.ravel(se)]


def run_cell(spec: dict) -> dict:
    """Run one cell and return its JSON-ready result (without ``id``/``hash``)."""
    from ..estimators import k_statistics_se
    from ..state import Cumulants

    arch, study, train_law, seed = spec["architecture"], spec["study"], spec["train_law"], spec["seed"]
    b = study["block"]
    rng = np.random.default_rng([seed, _stable(arch["name"]), _stable(train_law)])
    model = _build_model(arch, study, seed)
    dist_train = law(train_law, study["variance"])
    X = np.asarray(dist_train.sample((study["train_samples"], b), rng), dtype=float)
    Y = X.sum(axis=1, keepdims=True) / math.sqrt(b)
    history = model.fit(X, Y, epochs=study["epochs"], batch_size=study["batch_size"],
                        lr=study["lr"], weight_decay=study["weight_decay"], rng=rng)
    network = model.to_network()
    polynomial = network.is_polynomial
    degree = _degree(network) if polynomial else None
    target = _target_network(b)
    result = {
        "architecture": arch["name"],
        "kind": arch["kind"],
        "activation": arch["activation"],
        "constraint": arch.get("constraint", "free"),
        "train_law": train_law,
        "seed": seed,
        "n_params": int(model.n_params),
        "polynomial": bool(polynomial),
        "train_mse": _float(model.loss(X, Y)),
        "final_epoch_loss": _float(history.loss[-1]) if len(history) else None,
        "loss_history": [_float(v) for v in history.loss],
        "model": model.to_dict(),  # the trained weights: `cumulants bound --model CELL.json`
        "test": {},
    }
    lo, hi = X.min(axis=0), X.max(axis=0)
    for test_law in study["test_laws"]:
        dist = law(test_law, study["variance"])
        Xt = np.asarray(dist.sample((study["test_samples"], b), rng), dtype=float)
        e = model.predict(Xt)[:, 0] - Xt.sum(axis=1) / math.sqrt(b)
        e2 = e**2
        entry = {"mse": _float(e2.mean()), "se_sample": _float(e2.std(ddof=1) / math.sqrt(e2.size))}
        entry.update(_support(Xt, e2, lo, hi))
        entry["se"], entry["se_method"] = entry["se_sample"], "sample"
        if polynomial:
            state = Cumulants.iid(dist, b, 4)
            entry["predicted"] = _predicted_mse(network, target, state)
            se = _exact_mse_se(network, target, dist, b, e2.size, degree, study)
            if se is not None:
                entry["se"], entry["se_method"] = se, "exact"
            entry["z"] = _z(entry["mse"], entry["predicted"], entry["se"])
        result["test"][test_law] = entry
    if polynomial and degree <= 2:
        result["mse_affine"] = _mse_affine(network, target, b, study["variance"])
    if polynomial:
        from .bounds_section import cell_bounds

        bounds = cell_bounds(network, target, study)
        if bounds is not None:
            result["bounds"] = bounds
    flow_law = spec.get("flow_law", train_law)
    result["flow"] = {"law": flow_law,
                      "steps": _flow(model, network, law(flow_law, study["variance"]), study, rng,
                                     polynomial)}
    if arch["kind"] == "gnn":
        result["gnn_layers"] = _gnn_layers(model, network, study, rng, k_statistics_se)
    return result


def _gnn_layers(model, network, study, rng, k_statistics_se):
    """Predicted vs measured cumulants of the hidden activations, layer by layer."""
    from ..estimators import joint_k_statistics
    from ..layers import Network
    from ..state import Cumulants

    b = study["block"]
    dist = law("uniform", study["variance"])
    n = min(study["test_samples"], 50000)
    X = np.asarray(dist.sample((n, b), rng), dtype=float)
    rows = []
    layers = network.layers
    for end in range(2, len(layers), 2):  # after each activation
        prefix = Network(layers[:end])
        H = prefix.apply(X)
        degree = 2 ** (end // 2) if prefix.is_polynomial else None
        entry = {"layer": end // 2, "units": [0, 1], "measured": {}, "predicted": {}, "z": {}}
        ks = joint_k_statistics(H[:, :2], 3)
        se = _joint_se(H[:, :2], 3, rng)
        keys = [(0,), (1,), (0, 0), (0, 1), (1, 1), (0, 0, 0), (0, 0, 1)]
        if prefix.is_polynomial and degree is not None and degree <= 4:
            state = Cumulants.iid(dist, b, 3 * degree)
            pred = prefix.propagate(state, order=3)
        else:
            pred = None
        for key in keys:
            name = ",".join(map(str, key))
            entry["measured"][name] = _float(ks[key])
            entry.setdefault("se", {})[name] = _float(se[key])
            if pred is not None:
                p = _float(pred[key])
                entry["predicted"][name] = p
                entry["z"][name] = _z(ks[key], p, se[key])
        rows.append(entry)
    return rows


def _joint_se(H, order, rng):
    from ..estimators import joint_k_statistics_se

    return joint_k_statistics_se(H, order, method="bootstrap", n_boot=60, rng=rng)


def _stable(text: str) -> int:
    """A process-independent integer from a string (``hash()`` is salted per process)."""
    out = 0
    for ch in text.encode():
        out = (out * 131 + ch) % (2**31 - 1)
    return out
