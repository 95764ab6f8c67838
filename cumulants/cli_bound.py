r"""The ``cumulants bound`` subcommand: best and worst test MSE of a study model over a law class.

The model is one of the study's architectures (``--arch quad-samesign-8``, names
from ``default.toml`` or ``--config FILE``), trained on ``--train-law`` with
``--seed`` and ``--epochs`` exactly as a study cell trains it, or a trained model
file (``--model net.onnx``, or the ``.json`` of a ``cm.nn`` model); the target is the
block-spin RG step :math:`f^*(x) = B^{-1/2}\sum_i x_i`.  The class of test laws
comes from flags: ``--support -2,2 --mean 0 --variance 1 --kurtosis -1.2,3``
(a value or ``lo,hi``; ``--skewness`` and ``--moment K=V`` / ``--cumulant K=lo,hi``
for any order).  Output: a table, ``--json`` or ``--latex``.  Bad input: exit 2
and one line on stderr.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="cumulants")
>>> _ = add_parser(parser.add_subparsers(dest="command"))
>>> args = parser.parse_args(["bound", "--arch", "linear", "--epochs", "5", "--support", "-2,2"])
>>> args.support
'-2,2'
"""

from __future__ import annotations

import json
import math
import re
import sys

from .errors import CumulantError

__all__ = ["add_parser", "run", "parse_interval", "law_class_from_args", "study_model",
           "model_from_file"]


def add_parser(subparsers):
    """Register the ``bound`` subcommand on an ``argparse`` subparsers object."""
    p = subparsers.add_parser(
        "bound", help="certified range of a study model's test MSE over a class of laws",
        description="Train a study architecture (or take it as given) and print the best and "
                    "worst test MSE against the block-spin step over every i.i.d. input law "
                    "with the given support, moments and cumulants, with the extremal laws.")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--arch", help="architecture name from the study config (trained here)")
    which.add_argument("--model", metavar="FILE", help="a trained model: FILE.onnx, the .json "
                       "of a cm.nn model's to_dict(), or a study cell (cells/<id>.json of "
                       "cumulants reproduce); the target is the block-spin step on its input width")
    p.add_argument("--config", default=None, help="study TOML file (default: the built-in one)")
    p.add_argument("--quick", action="store_true", help="use the config's [quick] settings")
    p.add_argument("--seed", type=int, default=0, help="training seed (default 0)")
    p.add_argument("--train-law", default=None, help="training law (default: the first train law)")
    p.add_argument("--epochs", type=int, default=None, help="override the number of epochs")
    p.add_argument("--support", default=None, metavar="A,B", help="support, e.g. -2,2 (inf allowed)")
    p.add_argument("--mean", default=None, metavar="V|LO,HI", help="kappa_1")
    p.add_argument("--variance", default=None, metavar="V|LO,HI", help="kappa_2")
    p.add_argument("--skewness", default=None, metavar="V|LO,HI", help="kappa_3")
    p.add_argument("--kurtosis", default=None, metavar="V|LO,HI", help="kappa_4 (excess kurtosis "
                   "when the variance is 1)")
    p.add_argument("--cumulant", action="append", default=[], metavar="K=V|K=LO,HI",
                   help="any cumulant, repeatable")
    p.add_argument("--moment", action="append", default=[], metavar="K=V|K=LO,HI",
                   help="any raw moment, repeatable")
    p.add_argument("--method", default=None, choices=["hermite", "taylor"],
                   help="polynomial surrogate for non-polynomial models (approximate)")
    p.add_argument("--degree", type=int, default=None, help="surrogate degree")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON")
    out.add_argument("--latex", action="store_true", help="print LaTeX")
    # let values such as "-2,2" and "-1.2,3" follow a flag (argparse's default
    # only accepts plain negative numbers there)
    p._negative_number_matcher = re.compile(r"^-(inf|\d|\.\d)[\d.,eE+-inf]*$")
    p._has_negative_number_optionals = []
    p.set_defaults(func=run)
    return p


def parse_interval(text, name):
    """``"1"`` -> ``(1, 1)``; ``"-1.2,3"`` -> ``(-1.2, 3.0)``; integers and fractions stay exact.

    >>> parse_interval("-1.2,3", "--kurtosis")
    (-1.2, 3)
    """
    from fractions import Fraction

    parts = [s.strip() for s in str(text).split(",")]
    if len(parts) not in (1, 2) or not all(parts):
        raise CumulantError(f"{name}={text!r} is invalid: expected a number or lo,hi")
    vals = []
    for s in parts:
        try:
            if s.lower() in ("inf", "+inf", "-inf"):
                vals.append(float(s))
            elif "/" in s:
                vals.append(Fraction(s))
            else:
                vals.append(int(s) if s.lstrip("+-").isdigit() else float(s))
        except (ValueError, ZeroDivisionError):
            raise CumulantError(f"{name}={text!r} is invalid: {s!r} is not a number") from None
    for v in vals:
        if isinstance(v, float) and math.isnan(v):
            raise CumulantError(f"{name}={text!r} is invalid: NaN")
    if len(vals) == 1:
        return vals[0], vals[0]
    return vals[0], vals[1]


def _sympy(v):
    import sympy
    from fractions import Fraction

    return sympy.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else v


def law_class_from_args(args):
    """The :class:`~cumulants.bounds.LawClass` described by the flags."""
    from .bounds import LawClass

    cums, moms = {}, {}
    for k, flag in ((1, "mean"), (2, "variance"), (3, "skewness"), (4, "kurtosis")):
        text = getattr(args, flag)
        if text is not None:
            cums[k] = parse_interval(text, f"--{flag}")
    for store, items, flag in ((cums, args.cumulant, "--cumulant"), (moms, args.moment, "--moment")):
        for item in items:
            k, sep, rest = item.partition("=")
            if not sep or not k.strip().isdigit() or int(k) < 1:
                raise CumulantError(f"{flag}={item!r} is invalid: expected K=V or K=LO,HI, e.g. 4=-1.2,3")
            store[int(k)] = parse_interval(rest, flag)
    support = None
    if args.support is not None:
        lo, hi = parse_interval(args.support, "--support")
        if lo == hi:
            raise CumulantError(f"--support={args.support!r} is invalid: expected A,B with A < B")
        support = (lo, hi)

    def norm(d):
        return {k: (_sympy(lo), _sympy(hi)) if lo != hi else _sympy(lo) for k, (lo, hi) in d.items()}
    return LawClass(moments=norm(moms) or None, cumulants=norm(cums) or None, support=support)


def study_model(arch_name, *, config=None, quick=False, seed=0, train_law=None, epochs=None):
    """Train the study architecture ``arch_name`` as a study cell does; ``(network, target, cfg)``.

    The target is the block-spin step on ``block`` sites.
    """
    import math as _m

    import numpy as np

    from .experiments.cells import _build_model, _target_network, law
    from .experiments.config import load_config

    cfg = load_config(config, quick=quick)
    archs = {a["name"]: a for a in cfg["architectures"]}
    if arch_name not in archs:
        raise CumulantError(f"--arch={arch_name!r} is invalid: expected one of {sorted(archs)}")
    arch, study = archs[arch_name], dict(cfg["study"])
    if epochs is not None:
        if epochs < 1:
            raise CumulantError(f"--epochs={epochs} is invalid: expected an integer >= 1")
        study["epochs"] = epochs
    train_law = train_law or study["train_laws"][0]
    b = study["block"]
    rng = np.random.default_rng(seed)
    model = _build_model(arch, study, seed)
    dist = law(train_law, study["variance"])
    X = np.asarray(dist.sample((study["train_samples"], b), rng), dtype=float)
    Y = X.sum(axis=1, keepdims=True) / _m.sqrt(b)
    model.fit(X, Y, epochs=study["epochs"], batch_size=study["batch_size"], lr=study["lr"],
              weight_decay=study["weight_decay"], rng=rng)
    return model.to_network(), _target_network(b), cfg


def model_from_file(path, *, method=None, degree=None):
    """A trained model read by :func:`cumulants.io.load_model` and its block-spin target.

    The target sums the model's ``b`` inputs and rescales by :math:`b^{-1/2}`; a
    model with several outputs or no fixed input width is refused.
    """
    from .experiments.cells import _target_network
    from .io import load_model

    network = load_model(path, method=method or "gaussian", degree=degree)
    b = network.in_dim()
    if b is None or network.out_dim(b) != 1:
        raise CumulantError(f"--model={path!r} is invalid: the block-spin target needs a model "
                            "with a fixed input width and one output")
    return network, _target_network(b)


def run(args) -> int:
    """Run ``cumulants bound``."""
    from .bounds import mse_range

    laws = law_class_from_args(args)
    if args.model is not None:
        network, target = model_from_file(args.model, method=args.method, degree=args.degree)
        args.arch = args.model
    else:
        try:
            network, target, _ = study_model(args.arch, config=args.config, quick=args.quick,
                                              seed=args.seed, train_law=args.train_law,
                                              epochs=args.epochs)
        except (OSError, KeyError) as exc:
            raise CumulantError(f"cannot build --arch={args.arch!r}: {exc}") from None
    res = mse_range(network, target, laws, method=args.method, degree=args.degree)
    if args.json:
        out = res.to_dict()
        out["architecture"] = args.arch
        print(json.dumps(out, indent=1, sort_keys=True))
        return 0
    if args.latex:
        print(res.latex())
        return 0
    print(f"bound: {args.arch} vs block-spin step; laws: {laws.describe()}")
    print(f"method {res.method}; {'exact (affine in the unknown moments)' if res.exact else 'outer/inner'}"
          f"{'; APPROXIMATE (surrogate)' if res.approximate else ''}")
    print(f"{'extreme':8s} {'bound':>14s} {'attained':>14s}  law")
    for label, outer, att, law in res.rows():
        desc = "-" if law is None else ", ".join(
            f"{float(w):.4g}@{float(a):.4g}" for a, w in zip(law.atoms, law.weights))
        print(f"{label:8s} {_f(outer):>14s} {_f(att):>14s}  {desc}")
    if res.unbounded:
        print("the worst case is infinite; laws of the class with growing MSE:")
        for law, v in res.witnesses():
            print(f"  MSE {v:.6g} at atoms {[round(float(a), 4) for a in law.atoms]}")
    print(f"gap (outer - inner width) {_f(res.gap)}; {res.seconds:.2f} s")
    return 0


def _f(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if math.isinf(v):
        return "inf"
    return f"{v:.8g}"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(0)
