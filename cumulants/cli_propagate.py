"""The ``cumulants propagate`` subcommand: cumulants of ``f(x)`` for one input law.

``cumulants propagate --activation quadratic --input normal:1,1 --order 5`` prints
``kappa_1..kappa_5`` of ``x + x^2/2`` for ``x ~ N(1, 1)``, exact when the mathematics is
exact (polynomial activations) and labelled with the approximation otherwise
(``--method gaussian|hermite|taylor`` for ReLU, tanh, erf, GELU, sigmoid, ...).
``--simulate N`` draws ``N`` samples and prints their k-statistics, standard errors
and z-scores beside the prediction.  ``--model net.onnx`` (or the ``.json`` of a
``cm.nn`` model) propagates iid inputs through a whole trained network instead
(:func:`cumulants.io.load_model`).

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="cumulants")
>>> _ = add_parser(parser.add_subparsers(dest="command"))
>>> run(parser.parse_args(["propagate", "--input", "normal:1,1", "--order", "3"]))
propagate x + 1/2 x^2,  x ~ Normal(mu=1, sigma=1)
kappa_1 = 2
kappa_2 = 9/2
kappa_3 = 13
result: exact
0
"""

from __future__ import annotations

import re
import sys

import numpy as np
import sympy

from .errors import CumulantError, InvalidParameterError, bad_argument

__all__ = ["add_parser", "run", "parse_activation"]

_NONPOLY = ("relu", "tanh", "erf", "gelu", "sigmoid", "heaviside", "sin", "exp")
_CHOICES = ("quadratic", "identity") + _NONPOLY + ("poly:c0,c1,...",)
_NUMBER = re.compile(r"[+-]?(\d+(/\d+)?|\d*\.\d+([eE][+-]?\d+)?|\d+\.?\d*[eE][+-]?\d+|\d+\.)")


def _number(text, what):
    """An exact number for ints and fractions, a float for decimals."""
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        raise bad_argument(what, text, "a number such as 2, -1/3 or 0.5")
    if "/" in text:
        num, den = text.split("/")
        if int(den) == 0:
            raise bad_argument(what, text, "a fraction with a non-zero denominator")
        return sympy.Rational(int(num), int(den))
    if re.fullmatch(r"[+-]?\d+", text):
        return sympy.Integer(int(text))
    return float(text)


def parse_activation(spec, *, alpha=None, method=None, degree=None):
    """The layer named by an ``--activation`` specification.

    ``quadratic`` (``z + alpha z^2``), ``identity``, ``poly:c0,c1,...`` (ascending
    coefficients) are exact; ``relu``, ``tanh``, ``erf``, ``gelu``, ``sigmoid``,
    ``heaviside``, ``sin``, ``exp`` take ``method`` (default ``"gaussian"``) and
    ``degree``.

    >>> parse_activation("poly:0,1,1/3")
    Polynomial([0, 1, 1/3])
    >>> parse_activation("tanh", method="hermite", degree=4)
    Tanh(method='hermite', degree=4)
    """
    from .layers import Identity, Polynomial, Quadratic
    from .layers import nonpolynomial as nonpoly

    if not isinstance(spec, str) or not spec.strip():
        raise bad_argument("--activation", spec, "one of " + ", ".join(_CHOICES))
    name, _, rest = spec.strip().partition(":")
    name = name.lower()
    polynomial = name in ("quadratic", "identity", "poly")
    if polynomial and (method is not None or degree is not None):
        raise InvalidParameterError(
            f"--method/--degree apply to non-polynomial activations only; {name!r} is "
            "propagated exactly")
    if name != "quadratic" and alpha is not None:
        raise InvalidParameterError(f"--alpha applies to --activation quadratic, not {spec!r}")
    if name == "quadratic" and not rest:
        return Quadratic(sympy.Rational(1, 2) if alpha is None else _number(alpha, "--alpha"))
    if name == "identity" and not rest:
        return Identity()
    if name == "poly":
        items = [s for s in rest.split(",")]
        if not rest.strip() or any(not s.strip() for s in items):
            raise bad_argument("--activation", spec, "coefficients as in 'poly:0,1,1/2'")
        return Polynomial([_number(s, "--activation coefficient") for s in items])
    if name in _NONPOLY and not rest:
        cls = {"relu": nonpoly.ReLU, "tanh": nonpoly.Tanh, "erf": nonpoly.Erf,
               "gelu": nonpoly.GELU, "sigmoid": nonpoly.Sigmoid,
               "heaviside": nonpoly.Heaviside, "sin": nonpoly.Sin, "exp": nonpoly.Exp}[name]
        return cls(method=method or "gaussian", degree=degree)
    raise bad_argument("--activation", spec, "one of " + ", ".join(_CHOICES))


def _describe(layer):
    from .layers import Identity, Polynomial, Quadratic

    z = sympy.Symbol("x")
    if isinstance(layer, Identity):
        return "x"
    if isinstance(layer, Quadratic):
        return f"x + {layer.alpha} x^2"
    if isinstance(layer, Polynomial):
        return str(sum(c * z**k for k, c in enumerate(layer.coeffs))).replace("**", "^")
    if not hasattr(layer, "name"):  # a network from --model
        return "net(x) = " + " -> ".join(type(sub).__name__ for sub in layer.layers)
    return f"{layer.name}(x)"


def add_parser(subparsers):
    """Register the ``propagate`` subcommand on an ``argparse`` subparsers object."""
    p = subparsers.add_parser(
        "propagate", help="cumulants of an activation of a random input",
        description="Print kappa_1..kappa_N of f(x) for x drawn from a distribution: exact "
                    "for polynomial activations, labelled approximations otherwise.")
    p.add_argument("--model", default=None, metavar="FILE",
                   help="a trained network instead of one activation: FILE.onnx, or the "
                        ".json of a cm.nn model's to_dict(); inputs are iid --input")
    p.add_argument("--activation", default=None, metavar="NAME",
                   help="quadratic (x + alpha x^2, default), identity, poly:c0,c1,..., relu, "
                        "tanh, erf, gelu, sigmoid, heaviside, sin, exp")
    p.add_argument("--alpha", default=None, metavar="A",
                   help="alpha of the quadratic activation (default 1/2, exact)")
    p.add_argument("--input", default="normal:0,1", metavar="SPEC",
                   help="input law: normal:MU,SIGMA (default normal:0,1), uniform:A,B, "
                        "rademacher, laplace:L,S, exponential:R, gamma:K,T, poisson:L, "
                        "bernoulli:P; integers and fractions stay exact")
    p.add_argument("--order", type=int, default=4, metavar="N",
                   help="highest cumulant order (default 4)")
    p.add_argument("--method", choices=["gaussian", "hermite", "taylor"], default=None,
                   help="for non-polynomial activations: Gaussian closure (default), Hermite "
                        "or Taylor surrogate")
    p.add_argument("--degree", type=int, default=None, metavar="D",
                   help="surrogate degree for --method hermite/taylor (defaults 8 and 5)")
    p.add_argument("--latex", action="store_true", help="print the table as LaTeX (align*)")
    p.add_argument("--simulate", type=int, default=None, metavar="N",
                   help="Monte Carlo check: N samples, k-statistics, standard errors, z-scores")
    p.add_argument("--seed", type=int, default=0, help="seed of --simulate (default 0)")
    p.set_defaults(func=run)
    return p


def _compute(args):
    from .distributions import parse
    from .state import Cumulants

    if args.order is None or args.order < 1:
        raise bad_argument("--order", args.order, "an integer >= 1")
    if args.order > 12:
        raise bad_argument("--order", args.order, "an integer <= 12 on the command line")
    if args.degree is not None and args.degree < 1:
        raise bad_argument("--degree", args.degree, "an integer >= 1")
    if args.simulate is not None and args.simulate < max(2 * args.order, 10):
        raise bad_argument("--simulate", args.simulate,
                           f"a sample size >= {max(2 * args.order, 10)}")
    dist = parse(args.input)
    if dist.free_symbols:
        raise InvalidParameterError(f"--input {args.input!r} must have numeric parameters")
    if getattr(args, "model", None) is not None:
        layer = _load_network(args)
    else:
        spec = "quadratic" if args.activation is None else args.activation
        layer = parse_activation(spec, alpha=args.alpha, method=args.method, degree=args.degree)
    need = layer.required_order(args.order)
    state = Cumulants.iid(dist, layer.in_dim() or 1, need)
    out = layer.propagate(state, args.order)
    return dist, layer, out


def _load_network(args):
    """The network of ``--model`` (same loader as ``cumulants bound --model``)."""
    from .io import load_model

    if args.activation is not None or args.alpha is not None:
        raise InvalidParameterError("--activation/--alpha and --model exclude each other: the "
                                    "model brings its own activations")
    net = load_model(args.model, method=args.method or "gaussian", degree=args.degree)
    if args.simulate is not None and net.out_dim(net.in_dim()) != 1:
        raise InvalidParameterError("--simulate with --model needs a model with one output")
    return net


def _value_text(v):
    if isinstance(v, sympy.Basic) and not v.is_Rational and v.is_number:
        return f"{v} = {float(v):.12g}"
    if isinstance(v, float):
        return f"{v:.12g}"
    return str(v)


def _print_table(dist, layer, out, args):
    from .printing import align

    values = out.marginal(0)
    status = "exact" if out.exact else f"approximate ({out.method})"
    if out.dim > 1:   # a network with several outputs: one table per output
        if args.latex:
            raise InvalidParameterError("--latex prints one output; use a single-output model")
        print(f"propagate {_describe(layer)},  x ~ {dist!r} (iid inputs)")
        for j in range(out.dim):
            for n, v in enumerate(out.marginal(j), start=1):
                print(f"kappa_{n}(y_{j}) = {_value_text(v)}")
        print(f"result: {status}")
        return values
    if args.latex:
        rows = [(sympy.Symbol(f"kappa_{n}"), v) for n, v in enumerate(values, start=1)]
        print(f"% propagate {_describe(layer)},  x ~ {dist!r};  result: {status}")
        print(align(rows))
        return values
    print(f"propagate {_describe(layer)},  x ~ {dist!r}")
    err = getattr(out, "error", None)
    for n, v in enumerate(values, start=1):
        tail = f"  (estimated error {float(err[n - 1][0]):.2g})" if err is not None else ""
        print(f"kappa_{n} = {_value_text(v)}{tail}")
    print(f"result: {status}")
    return values


def _simulate(dist, layer, values, args):
    from .estimators import k_statistics, k_statistics_se

    if args.seed < 0:
        raise bad_argument("--seed", args.seed, "a non-negative integer")
    rng = np.random.default_rng(args.seed)
    d = layer.in_dim() or 1
    x = dist.sample(args.simulate * d, rng).reshape(args.simulate, d)
    y = np.asarray(layer.apply(x), dtype=float)[:, 0]
    if not np.all(np.isfinite(y)):
        raise InvalidParameterError("the simulated outputs overflow; use a smaller input scale")
    k = np.asarray(k_statistics(y, args.order), dtype=float)
    se, how = k_statistics_se(y, args.order, rng=rng, full_output=True)
    print(f"{'n':>3}  {'prediction':>16}  {'k-statistic':>16}  {'std. error':>11}  {'z':>7}")
    for n in range(1, args.order + 1):
        pred = float(values[n - 1])
        z = (k[n - 1] - pred) / se[n - 1] if se[n - 1] > 0 else float("nan")
        print(f"{n:>3}  {pred:>16.10g}  {k[n - 1]:>16.10g}  {se[n - 1]:>11.4g}  {z:>7.2f}")
    print(f"Monte Carlo: {args.simulate} samples, seed {args.seed}; standard errors by "
          f"{'/'.join(sorted(set(how)))}")


def run(args) -> int:
    """Execute ``propagate`` for parsed ``args``; returns the exit status (2 on bad input)."""
    try:
        dist, layer, out = _compute(args)
        values = _print_table(dist, layer, out, args)
        if args.simulate is not None:
            _simulate(dist, layer, values, args)
    except CumulantError as exc:
        print(f"cumulants propagate: error: {exc}", file=sys.stderr)
        return 2
    return 0
