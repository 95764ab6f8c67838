"""The catalogue of bad library calls.

Three sources, all plain code strings run by ``sandbox.py`` after its prelude (``cm``, ``np``,
``sp``, ``D`` = distributions, ``L`` = layers, ``rg``, ``G`` = generalisation, ``E`` =
estimators, ``C`` = constraints, ``nn``, ``A`` = algebra, ``P`` = printing, ``T`` = testing and
the valid objects ``st``, ``st1``, ``st4``, ``net``, ``tgt``, ``x1``, ``X2``, ``mlp``):

1. ``generic_cases()`` -- every public callable named in an ``__all__`` of the package is called
   with ``object()`` and with ``None`` in each required argument, so a new public function joins
   the catalogue without anyone writing an entry;
2. ``SPECS`` -- a valid call per public callable whose arguments are replaced, one at a time, by
   each member of a family of bad values (complex, NaN, inf, strings, ``None``, negative, huge
   orders, ...);
3. ``SPECIFIC`` -- the cases reported in issue 10 and other hand-picked traps (cost guards,
   impossible moment sequences, wrong shapes).

Every case must end in a :class:`cumulants.CumulantError`.
"""

from __future__ import annotations

import importlib
import inspect

MODULES = ("cumulants", "cumulants.algebra", "cumulants.distributions", "cumulants.layers",
           "cumulants.constraints", "cumulants.estimators", "cumulants.generalisation",
           "cumulants.nn", "cumulants.rg", "cumulants.testing", "cumulants.printing",
           "cumulants.state", "cumulants.bounds", "cumulants.io")

#: Short names the prelude gives each module.
ALIAS = {"cumulants": "cm", "cumulants.algebra": "A", "cumulants.distributions": "D",
         "cumulants.layers": "L", "cumulants.constraints": "C", "cumulants.estimators": "E",
         "cumulants.generalisation": "G", "cumulants.nn": "nn", "cumulants.rg": "rg",
         "cumulants.testing": "T", "cumulants.printing": "P", "cumulants.state": "cm.state",
         "cumulants.bounds": "B", "cumulants.io": "io"}

#: Public callables that legitimately accept anything in every required argument (or take
#: none); the generic family skips them.  Keep this list short and say why.
GENERIC_EXEMPT = {
    "P.CumulantLatexPrinter",  # a sympy printer: settings=None is its documented default
}


def public_callables():
    """``{"alias.name": object}`` of every public callable (classes included, errors excluded)."""
    out = {}
    seen = set()
    for modname in MODULES:
        mod = importlib.import_module(modname)
        for name in getattr(mod, "__all__", ()):
            obj = getattr(mod, name)
            if inspect.ismodule(obj) or not callable(obj):
                continue
            if inspect.isclass(obj) and issubclass(obj, BaseException):
                continue
            if name == "bad_argument":
                continue
            key = f"{ALIAS[modname]}.{name}"
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            out[key] = obj
    return out


def _required(obj):
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    return [p for p in sig.parameters.values()
            if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def generic_cases():
    """``object()`` / ``None`` in every required argument of every public callable."""
    cases = []
    for key, obj in sorted(public_callables().items()):
        req = _required(obj)
        if not req or key in GENERIC_EXEMPT:
            continue
        for label, bad in (("object", "object()"), ("none", "None")):
            args = ", ".join(bad if p.kind != p.KEYWORD_ONLY else f"{p.name}={bad}" for p in req)
            cases.append({"id": f"generic:{key}:{label}", "covers": key,
                          "code": f"{key}({args})"})
    return cases


# Families of bad values (code strings).
REAL = {"complex": "1+2j", "sympy_I": "sp.I", "nan": "float('nan')", "inf": "float('inf')",
        "sympy_zoo": "sp.zoo", "str": "'abc'", "none": "None", "list": "[1, 2]"}
POSITIVE = {**REAL, "negative": "-1", "zero": "0"}
PROB = {**REAL, "negative": "-0.5", "above_one": "1.5"}
ORDER = {"zero": "0", "negative": "-3", "float": "2.5", "str": "'3'", "none": "None",
         "huge": "10**9", "complex": "2j"}
MATRIX = {"complex": "[[1+2j, 1]]", "nan": "[[float('nan'), 1]]", "inf": "[[float('inf'), 1]]",
          "str": "[['a', 1]]", "none": "None", "ragged": "[[1, 2], [3]]", "empty": "[]",
          "rank3": "np.ones((1, 2, 2))", "object": "object()"}
SAMPLES = {"complex": "np.array([1+2j, 2, 3, 4])", "nan": "np.array([1.0, np.nan, 3, 4])",
           "inf": "np.array([1.0, np.inf, 3, 4])", "str": "['a', 'b', 'c']", "none": "None",
           "empty": "np.array([])", "one": "np.array([1.0])", "rank3": "np.ones((3, 3, 3))"}
SAMPLES2 = {"complex": "np.ones((5, 2)) * 1j", "nan": "np.full((5, 2), np.nan)",
            "str": "[['a', 'b']] * 5", "none": "None", "empty": "np.zeros((0, 2))",
            "rank3": "np.ones((3, 3, 3))"}
STATE = {"none": "None", "str": "'st'", "number": "3", "list": "[1, 2]"}
NAME = {"none": "None", "number": "3", "unknown": "'no-such-name'", "empty": "''"}
#: Sizes and counts where 0 is a legitimate (empty) answer.
ORDER0 = {k: v for k, v in ORDER.items() if k != "zero"}
#: Orders where ``None`` means "the state's own order".
ORDER_OPT = {k: v for k, v in ORDER.items() if k != "none"}
SIZE = {"zero": "0", "negative": "-2", "float": "2.5", "str": "'4'", "none": "None",
        "huge": "10**9", "complex": "1j"}

# (target, template, {slot: (valid, family)})
SPECS = [
    ("cm.cumulants_from_moments", "cm.cumulants_from_moments({m})",
     {"m": ("[1, 5, 13, 73]", {**{k: v for k, v in MATRIX.items() if k != "rank3"},
                               "complex_array": "np.array([1, 2 + 1j])", "scalar_complex": "[1, 2+1j]", "m_nan": "[1.0, np.nan]",
                               "strs": "['1', '2']", "dict": "{1: 2}", "int": "5"})}),
    ("cm.moments_from_cumulants", "cm.moments_from_cumulants({k})",
     {"k": ("[1, 4, 0, 0]", {"complex": "[1, 2j]", "nan": "[float('nan'), 1]", "inf": "[1, float('inf')]",
                             "str": "['a', 'b']", "none": "None", "empty": "[]", "int": "5",
                             "nested": "[[1, 2]]"})}),
    ("cm.cumulant_formula", "cm.cumulant_formula({n})", {"n": ("3", ORDER)}),
    ("cm.moment_formula", "cm.moment_formula({n})", {"n": ("3", ORDER)}),
    ("cm.kappa", "cm.kappa({n})", {"n": ("3", {k: v for k, v in ORDER.items() if k != "huge"})}),
    ("cm.kappas", "cm.kappas({n})", {"n": ("3", ORDER)}),
    ("A.bell_number", "A.bell_number({n})", {"n": ("3", ORDER0)}),
    ("A.set_partitions", "A.set_partitions({n})", {"n": ("3", ORDER0)}),
    ("A.integer_partitions", "A.integer_partitions({n})", {"n": ("3", ORDER0)}),
    ("A.moment_symbols", "A.moment_symbols({n})", {"n": ("3", ORDER)}),
    ("A.connected_partitions", "A.connected_partitions({g})",
     {"g": ("(1, 2)", {"none": "None", "str": "'ab'", "neg": "(1, -2)", "huge": "(10**6, 10**6)",
                       "float": "(1.5, 2)"})}),
    ("A.partition_multiplicity", "A.partition_multiplicity({p})",
     {"p": ("(2, 1)", {"none": "None", "neg": "(2, -1)", "str": "'ab'", "float": "(1.5,)"})}),
    ("A.joint_cumulant_from_moments", "A.joint_cumulant_from_moments(lambda idx: 1, {i})",
     {"i": ("(0, 1)", {"none": "None", "str": "'ab'", "neg": "(0, -1)", "float": "(0.5,)",
                       "huge": "tuple(range(10**6))"})}),
    ("cm.cumulant_of_products", "cm.cumulant_of_products({s}, {g})",
     {"s": ("st", STATE), "g": ("[(0, 1)]", {"none": "None", "out_of_range": "[(0, 7)]",
                                            "neg": "[(0, -1)]", "str": "'01'", "empty": "[]",
                                            "float": "[(0.5,)]"})}),
    ("D.Normal", "D.Normal({mu}, {sigma})", {"mu": ("0", REAL), "sigma": ("1", POSITIVE)}),
    ("D.Uniform", "D.Uniform({a}, {b})", {"a": ("0", REAL), "b": ("1", REAL)}),
    ("D.Laplace", "D.Laplace({a}, {b})", {"a": ("0", REAL), "b": ("1", POSITIVE)}),
    ("D.Exponential", "D.Exponential({r})", {"r": ("1", POSITIVE)}),
    ("D.Gamma", "D.Gamma({k}, {t})", {"k": ("2", POSITIVE), "t": ("1", POSITIVE)}),
    ("D.Poisson", "D.Poisson({r})", {"r": ("1", POSITIVE)}),
    ("D.Bernoulli", "D.Bernoulli({p})", {"p": ("0.5", PROB)}),
    ("D.Affine", "D.Affine(D.Normal(0, 1), {s}, {t})", {"s": ("2", REAL), "t": ("0", REAL)}),
    ("D.standardise", "D.standardise(D.Exponential(1), {m}, {v})",
     {"m": ("0", REAL), "v": ("1", POSITIVE)}),
    ("D.parse", "D.parse({s})", {"s": ("'normal:0,1'", {
        "none": "None", "number": "3", "unknown": "'cauchy:0,1'", "nan": "'normal:nan,1'",
        "inf": "'normal:0,inf'", "complex": "'normal:1j,1'", "neg": "'normal:0,-1'",
        "arity": "'normal:0,1,2'", "empty": "''", "garbage": "'normal:0,,1'"})}),
    ("D.Normal.cumulant", "D.Normal(0, 1).cumulant({n})",
     {"n": ("3", {k: v for k, v in ORDER.items() if k != "huge"})}),
    ("D.Bernoulli.cumulants", "D.Bernoulli(0.5).cumulants({n})", {"n": ("3", ORDER)}),
    ("D.Exponential.sample", "D.Exponential(1).sample({n}, 0)", {"n": ("3", ORDER0)}),
    ("cm.Cumulants.iid", "cm.Cumulants.iid({d}, {dim}, {order})",
     {"d": ("D.Normal(0, 1)", {"none": "None", "str": "'normal'", "number": "3"}),
      "dim": ("2", SIZE), "order": ("3", ORDER)}),
    ("cm.Cumulants.gaussian", "cm.Cumulants.gaussian({m}, {c}, {o})",
     {"m": ("[0, 0]", {"complex": "[1j, 0]", "nan": "[np.nan, 0]", "str": "['a', 0]", "none": "None",
                       "wrong_len": "[0, 0, 0]"}),
      "c": ("[[1, 0], [0, 1]]", {"complex": "[[1j, 0], [0, 1]]", "nan": "[[np.nan, 0], [0, 1]]",
                                "not_psd": "[[1, 2], [2, 1]]", "negative_var": "[[-1, 0], [0, 1]]",
                                "asym": "[[1, 0.5], [0, 1]]", "str": "[['a', 0], [0, 1]]",
                                "shape": "[[1, 0, 0], [0, 1, 0]]"}),
      "o": ("2", ORDER)}),
    ("cm.Cumulants.symbolic", "cm.Cumulants.symbolic({d}, {o})", {"d": ("2", SIZE), "o": ("3", ORDER)}),
    ("cm.Cumulants.from_moments", "cm.Cumulants.from_moments({m})",
     {"m": ("[0, 1, 0, 3]", {"complex": "[0, 1j]", "nan": "[0, np.nan]", "neg_m2": "[0, -1]",
                             "m2_lt_m1sq": "[2, 1]", "neg_m2_float": "[0.0, -1.0]",
                             "m2_lt_m1sq_float": "[2.0, 1.0]", "str": "['a', 'b']", "none": "None",
                             "empty": "[]", "m4_lt_m2sq": "[0, 2, 0, 1]"})}),
    ("cm.Cumulants.from_samples", "cm.Cumulants.from_samples({x}, {o})",
     {"x": ("X2", SAMPLES2), "o": ("3", ORDER)}),
    ("cm.Cumulants.tensor", "st.tensor({n})", {"n": ("2", ORDER)}),
    ("cm.Cumulants.marginal", "st.marginal({i})",
     {"i": ("0", {"out": "5", "neg": "-9", "str": "'0'", "none": "None", "float": "0.5"})}),
    ("cm.Cumulants.moment", "sts.moment({i})",
     {"i": ("(0, 1)", {"out": "(0, 5)", "str": "'01'", "none": "None", "float": "(0.5,)",
                       "too_long": "(0,) * 9"})}),
    ("cm.Cumulants.__getitem__", "sts[{i}]",
     {"i": ("0, 1", {"out": "0, 5", "str": "'a'", "none": "None", "float": "0.5",
                     "too_long": "(0,) * 9", "neg": "-5"})}),
    ("cm.Cumulants.evalf", "cm.Cumulants.symbolic(1, 2).subs({{'kappa_1': sp.Rational(1, 3), 'kappa_2': 1}}).evalf({kw})",
     {"kw": ("dps=15", {"zero": "dps=0", "negative": "dps=-5", "float": "dps=2.5", "str": "dps='15'",
                        "huge": "dps=10**9"})}),
    ("cm.Cumulants.subs", "st.subs({s})", {"s": ("{}", {"none": "None", "number": "3", "str": "'a'",
                                                       "nan": "{'kappa_1': float('nan')}"})}),
    ("cm.Dense", "cm.Dense({w}, {b})", {"w": ("[[1, 2]]", MATRIX),
                                        "b": ("[0]", {"complex": "[1j]", "nan": "[np.nan]", "str": "['a']",
                                                      "wrong_len": "[0, 0]"})}),
    ("cm.Polynomial", "cm.Polynomial({c})",
     {"c": ("[0, 1, 1]", {"complex": "[0, 1j]", "nan": "[0, np.nan]", "inf": "[0, np.inf]",
                          "str": "['a', 'b']", "none": "None", "empty": "[]", "nested": "[[1]]"})}),
    ("cm.Quadratic", "cm.Quadratic({a})", {"a": ("0.5", REAL)}),
    ("cm.MessagePassing", "cm.MessagePassing({A}, 1, 1)",
     {"A": ("L.ring_graph(4)", {"complex": "[[0, 1j], [1j, 0]]", "nan": "[[0, np.nan], [np.nan, 0]]",
                                "nonsquare": "[[0, 1, 0], [1, 0, 1]]", "str": "'ring'", "none": "None",
                                "rank3": "np.ones((2, 2, 2))"})}),
    ("cm.Network", "cm.Network({l})", {"l": ("[cm.Dense([[1]])]", {
        "none": "None", "empty": "[]", "str": "'dense'", "not_layer": "[3]", "mismatch":
        "[cm.Dense([[1, 1]]), cm.Dense([[1, 1]])]"})}),
    ("cm.Network.propagate", "net.propagate({s}, {o})", {"s": ("st", {**STATE, "wrong_dim": "st4"}),
                                                         "o": ("2", ORDER_OPT)}),
    ("cm.Network.apply", "net.apply({x})", {"x": ("X2", {"none": "None", "str": "'x'",
                                                         "wrong_width": "np.ones((3, 5))",
                                                         "complex": "X2 * 1j"})}),
    ("L.normalise_adjacency", "L.normalise_adjacency({A}, {m})",
     {"A": ("L.ring_graph(4)", {"negative_degree": "-L.ring_graph(4)", "nan": "np.full((2, 2), np.nan)",
                                "complex": "np.eye(2) * 1j", "nonsquare": "np.ones((2, 3))",
                                "none": "None", "zero_sum_negative": "np.array([[0., 1.], [-1., 0.]])"}),
      "m": ("'symmetric'", {"unknown": "'weird'", "none": "None", "number": "3"})}),
    ("L.chain_graph", "L.chain_graph({n})", {"n": ("4", SIZE)}),
    ("L.ring_graph", "L.ring_graph({n})", {"n": ("4", SIZE)}),
    ("L.grid_graph", "L.grid_graph({r}, {c})", {"r": ("2", SIZE), "c": ("2", SIZE)}),
    ("cm.Tanh", "L.Tanh(method={m}, degree={d}).propagate(st1, 2)",
     {"m": ("'hermite'", {"unknown": "'magic'", "none": "None", "number": "3"}),
      "d": ("4", {"zero": "0", "negative": "-1", "float": "2.5", "str": "'4'", "huge": "10**6",
                  "taylor_400": "400"})}),
    ("cm.ReLU", "L.ReLU(method={m}).propagate({s}, {o})",
     {"m": ("'gaussian'", {"unknown": "'magic'", "number": "3"}),
      "s": ("st1", STATE), "o": ("2", ORDER_OPT)}),
    ("L.Activation", "L.Activation({f})", {"f": ("'tanh'", {"none": "None", "str": "'tanhh'",
                                                            "number": "3", "obj": "object()"})}),
    ("C.get", "C.get({n}, (2, 2))", {"n": ("'free'", NAME)}),
    ("C.Tied", "C.Tied({s}, {m})", {"s": ("(2, 2)", {"none": "None", "neg": "(-1, 2)", "str": "'ab'",
                                                     "float": "(1.5, 2)"}),
                                    "m": ("'scalar'", NAME)}),
    ("C.SameSign", "C.SameSign((2, 2), sign={s})", {"s": ("1", {"zero": "0", "two": "2", "str": "'+'",
                                                                "none": "None", "nan": "np.nan"})}),
    ("C.Circulant", "C.Circulant({n})", {"n": ("3", SIZE)}),
    ("C.Symmetric", "C.Symmetric({n})", {"n": ("3", SIZE)}),
    ("C.PermutationEquivariant", "C.PermutationEquivariant({n})",
     {"n": ("3", {k: v for k, v in SIZE.items() if k != "huge"})}),
    ("cm.k_statistics", "cm.k_statistics({x}, {o})", {"x": ("x1", SAMPLES), "o": ("3", ORDER)}),
    ("cm.joint_k_statistics", "cm.joint_k_statistics({x}, {o})", {"x": ("X2", SAMPLES2), "o": ("2", ORDER)}),
    ("cm.joint_k_statistic", "cm.joint_k_statistic(X2, {i})",
     {"i": ("(0, 1)", {"out": "(0, 5)", "neg": "(0, -1)", "str": "'01'", "none": "None",
                       "float": "(0.5,)", "empty": "()"})}),
    ("cm.k_statistic_variance", "cm.k_statistic_variance([0, 1, 0, 0], {n}, {o})",
     {"n": ("10", {"zero": "0", "one": "1", "neg": "-5", "nan": "np.nan", "str": "'10'", "complex": "1j"}),
      "o": ("2", ORDER)}),
    ("cm.k_statistics_se", "cm.k_statistics_se({x}, {o})", {"x": ("x1", SAMPLES), "o": ("2", ORDER)}),
    ("cm.joint_k_statistics_se", "cm.joint_k_statistics_se({x}, {o}, n_boot=5, rng=0)",
     {"x": ("X2", SAMPLES2), "o": ("2", ORDER)}),
    ("E.k_statistic_formula", "E.k_statistic_formula({o})", {"o": ("2", ORDER)}),
    ("rg.block_spin", "rg.block_spin({s}, {b})", {"s": ("4", SIZE), "b": ("2", SIZE)}),
    ("rg.recursion", "rg.recursion({o}, 2)", {"o": ("3", ORDER)}),
    ("rg.eigenvalues", "rg.eigenvalues({o}, {b})",
     {"o": ("3", ORDER), "b": ("2", {k: v for k, v in SIZE.items() if k not in ("none", "huge")})}),
    ("rg.classify", "rg.classify({o}, 2)", {"o": ("3", ORDER)}),
    ("rg.fixed_points", "rg.fixed_points({o}, 2)", {"o": ("3", ORDER)}),
    ("rg.scaling_dimensions", "rg.scaling_dimensions({o})", {"o": ("3", ORDER)}),
    ("rg.doubling_eigenvalues", "rg.doubling_eigenvalues({o})", {"o": ("3", ORDER0)}),
    ("rg.flow", "rg.flow({s}, {k}, block=2)", {"s": ("st4", STATE), "k": ("1", ORDER0)}),
    ("G.mse", "G.mse({m}, tgt, {s})", {"m": ("net", {"none": "None", "str": "'net'", "number": "3",
                                                       "wrong_width": "cm.Dense([[1, 1, 1]])"}),
                                         "s": ("st", {**STATE, "wrong_dim": "st4"})}),
    ("G.error_cumulants", "G.error_cumulants(net, tgt, st, {o})", {"o": ("2", ORDER)}),
    ("G.gap", "G.gap(net, tgt, st, {s})", {"s": ("st", {**STATE, "wrong_dim": "st4"})}),
    ("G.sign_family", "G.sign_family({s})", {"s": ("(1, -1)", {"none": "None", "zero": "(0, 1)",
                                                               "str": "'+-'", "empty": "()"})}),
    ("G.same_sign_lower_bound", "G.same_sign_lower_bound(2, {k}, alpha={a})",
     {"k": ("1", POSITIVE), "a": ("0.5", REAL)}),
    ("nn.MLP", "nn.MLP({w}, {a}, seed=0)",
     {"w": ("[2, 1]", {"none": "None", "zero": "[2, 0]", "neg": "[2, -1]", "str": "'2,1'",
                       "float": "[2.5, 1]", "single": "[2]", "huge": "[10**6, 10**6]"}),
      "a": ("'identity'", {"unknown": "'softmax'", "none": "None", "number": "3"})}),
    ("nn.MLP.fit", "mlp.fit({x}, np.ones((50, 1)), epochs=1)",
     {"x": ("X2", {"nan": "np.full((50, 2), np.nan)", "wrong_rows": "np.ones((3, 2))",
                   "wrong_cols": "np.ones((50, 3))", "none": "None", "str": "'X'"})}),
    ("nn.MLP.predict", "mlp.predict({x})", {"x": ("X2", {"none": "None", "str": "'X'",
                                                         "wrong_cols": "np.ones((5, 3))",
                                                         "complex": "X2 * 1j"})}),
    ("nn.Adam", "nn.Adam(lr={lr})", {"lr": ("0.1", POSITIVE)}),
    ("nn.SGD", "nn.SGD(lr={lr})", {"lr": ("0.1", POSITIVE)}),
    ("nn.activation", "nn.activation({s})", {"s": ("'tanh'", NAME)}),
    ("nn.ring", "nn.ring({n})", {"n": ("4", SIZE)}),
    ("nn.block_dataset", "nn.block_dataset(D.Normal(0, 1), {b}, {n}, 0)",
     {"b": ("2", SIZE), "n": ("4", SIZE)}),
    ("cm.latex", "cm.latex({o})", {"o": ("st", {"none": "None", "obj": "object()"})}),
    ("P.document", "P.document({t}, [])", {"t": ("'x'", {"none": "None", "number": "3"})}),
    ("T.assert_matches_samples", "T.assert_matches_samples(st1, {x})",
     {"x": ("x1", {"none": "None", "nan": "np.full(50, np.nan)", "str": "'x'", "empty": "np.array([])"})}),
    ("T.iid_states", "T.iid_states({d})", {"d": ("2", SIZE)}),
    ("T.distributions", "T.distributions(exact={e}, names={n})",
     {"e": ("True", {"str": "'yes'", "none": "None"}),
      "n": ("None", {"unknown": "['cauchy']", "str": "'normal'"})}),
    ("T.cumulant_sequences", "T.cumulant_sequences({o})", {"o": ("3", ORDER)}),
    ("T.constrained_networks", "T.constrained_networks({w}, constraint={c})",
     {"w": ("(2, 3, 1)", {"none": "None", "single": "(2,)", "zero": "(2, 0)", "str": "'231'"}),
      "c": ("'free'", {"unknown": "'nope'", "number": "3"})}),
    ("T.bad_inputs", "T.bad_inputs({k})", {"k": ("'scalar'", {"unknown": "'vector'", "none": "None"})}),
    ("cm.Identity", "cm.Identity().propagate({s}, {o})",
     {"s": ("st", STATE), "o": ("2", ORDER_OPT)}),
    ("D.Rademacher", "D.Rademacher().cumulants({o})", {"o": ("3", ORDER)}),
    ("D.Distribution", "D.Distribution({a})", {"a": ("", {"number": "3", "none": "None"})}),
    ("L.Layer", "L.Layer({a})", {"a": ("", {"none": "None"})}),
    ("C.Constraint", "C.Constraint({a})", {"a": ("", {"none": "None"})}),
    ("nn.Model", "nn.Model({a})", {"a": ("", {"none": "None"})}),
    ("G.worked_gaps", "G.worked_gaps(alpha={a}, block={b})",
     {"a": ("0.5", {"none": "None", "str": "'x'", "complex": "1j", "nan": "np.nan"}),
      "b": ("2", {"zero": "0", "str": "'2'", "huge": "10**9"})}),
    *[(f"cm.{name}", f"L.{name}(method={{m}}, degree={{d}})",
       {"m": ("'hermite'", {"unknown": "'magic'", "none": "None"}),
        "d": ("4", {"zero": "0", "huge": "10**6", "float": "2.5", "str": "'4'"})})
      for name in ("Erf", "GELU", "Sigmoid", "Heaviside", "Sin", "Exp")],
    ("cm.Exp", "L.Exp(dps={p})", {"p": ("None", {"zero": "0", "huge": "10**9", "str": "'30'"})}),
]

#: Public callables that need no hostile entry, and why.
NO_ENTRY_NEEDED = {
    "nn.History": "a plain record of training curves (a dataclass); it holds what it is given",
    "P.CumulantLatexPrinter": "a sympy printer subclass; its settings are sympy's to validate",
}


def spec_cases():
    """One case per (spec, slot, bad value), all other slots valid."""
    cases = []
    for target, template, slots in SPECS:
        valid = {k: v for k, (v, _) in slots.items()}
        for slot, (_, family) in slots.items():
            for label, bad in family.items():
                code = template.format(**{**valid, slot: bad})
                cases.append({"id": f"spec:{target}:{slot}={label}", "covers": target, "code": code})
    return cases


# Reported in issue 10, plus traps found while writing the catalogue.
SPECIFIC = [
    ("cm.Dense", "complex_weight_dropped", "cm.Dense([[1+2j]])"),
    ("cm.Dense", "numpy_complex", "cm.Dense(np.array([[1+2j]]))"),
    ("D.Bernoulli.cumulant", "recursion_3000_exact", "D.Bernoulli(sp.Rational(1, 3)).cumulant(3000)"),
    ("cm.cumulant_formula", "huge_order", "cm.cumulant_formula(10**9)"),
    ("cm.cumulant_formula", "order_80", "cm.cumulant_formula(80)"),
    ("rg.eigenvalues", "huge_order", "rg.eigenvalues(10**9, 2)"),
    ("rg.recursion", "huge_order", "rg.recursion(10**7, 2)"),
    ("cm.Cumulants.iid", "order_1e6", "cm.Cumulants.iid(D.Normal(0, 1), 2, 10**6)"),
    ("cm.Cumulants.iid", "exp_order_1e6", "cm.Cumulants.iid(D.Exponential(1), 1, 10**6)"),
    ("cm.Dense", "dense_on_wide_independent",
     "cm.Dense(np.ones((200, 200))).propagate(cm.Cumulants.iid(D.Exponential(1), 200, 3), 3)"),
    ("cm.Tanh", "taylor_400", "L.Tanh(method='taylor', degree=400).propagate(st1, 2)"),
    ("cm.Tanh", "hermite_200", "L.Tanh(method='hermite', degree=200).propagate(st1, 2)"),
    ("B.LawClass", "support_reversed", "B.LawClass(cumulants={2: 1}, support=(2, -2))"),
    ("B.LawClass", "interval_reversed", "B.LawClass(cumulants={2: (2, 1)})"),
    ("B.LawClass", "negative_variance", "B.LawClass(cumulants={2: -1})"),
    ("B.LawClass", "string_value", "B.LawClass(cumulants={2: 'x'})"),
    ("B.LawClass", "nan_support", "B.LawClass(support=(np.nan, 1))"),
    ("B.LawClass", "order_zero", "B.LawClass(moments={0: 1})"),
    ("B.LawClass", "order_huge", "B.LawClass(moments={10**6: 1})"),
    ("B.LawClass", "not_a_mapping", "B.LawClass(cumulants=[0, 1])"),
    ("B.LawClass.from_samples", "empty", "B.LawClass.from_samples([], 2)"),
    ("B.LawClass.from_samples", "level_one", "B.LawClass.from_samples(x1, 2, level=1.0)"),
    ("B.mse_range", "infeasible", "B.mse_range(net, tgt, B.LawClass(cumulants={1: 0, 2: 1}, "
     "support=(-0.5, 0.5)))"),
    ("B.mse_range", "not_a_class", "B.mse_range(net, tgt, {2: 1})"),
    ("B.mse_range", "nonpolynomial_without_method",
     "B.mse_range(cm.Network([cm.Dense([[1, 1]]), L.Tanh()]), tgt, B.LawClass(cumulants={2: 1}))"),
    ("cm.Cumulants.from_samples", "order_12",
     "cm.Cumulants.from_samples(np.random.default_rng(0).normal(size=(2000, 3)), 12)"),
    ("cm.joint_k_statistics", "order_12",
     "cm.joint_k_statistics(np.random.default_rng(0).normal(size=(500, 3)), 12)"),
    ("cm.k_statistics", "order_huge", "cm.k_statistics(x1, 10**6)"),
    ("cm.Cumulants.evalf", "dps_zero",
     "cm.Cumulants.symbolic(1, 1).subs({'kappa_1': sp.Rational(1, 3)}).evalf(dps=0)"),
    ("L.normalise_adjacency", "negative_degrees", "L.normalise_adjacency(-np.ones((3, 3)))"),
    ("cm.cumulants_from_moments", "strings_to_symbols", "cm.cumulants_from_moments(['x', 'y'])"),
    ("cm.cumulants_from_moments", "none_entry", "cm.cumulants_from_moments([1, None])"),
    ("cm.cumulants_from_moments", "negative_second_moment", "cm.cumulants_from_moments([0, -1.0], validate=True)"),
    ("cm.cumulants_from_moments", "m2_below_m1_squared", "cm.cumulants_from_moments([3, 1], validate=True)"),
    ("cm.Cumulants.gaussian", "symbolic_never_psd",
     "a = sp.Symbol('a', real=True); cm.Cumulants.gaussian([0, 0], [[-a**2 - 1, 0], [0, 1]], 2)"),
    ("cm.Cumulants.gaussian", "huge_dim",
     "cm.Cumulants.gaussian(np.zeros(20000), np.eye(2), 2)"),
    ("D.Normal", "string_mu", "D.Normal('mu', 1)"),
    ("D.Normal", "none_sigma", "D.Normal(0, None)"),
    ("D.Normal.sample", "sample_huge", "D.Normal(0, 1).sample(10**12, 0)"),
    ("cm.Polynomial", "string_coeffs", "cm.Polynomial('x')"),
    ("cm.kappa", "name_none", "cm.kappa(2, None)"),
    ("cm.moment_formula", "huge", "cm.moment_formula(10**9)"),
    ("A.set_partitions", "order_30", "A.set_partitions(30)"),
    ("A.bell_number", "order_huge", "A.bell_number(10**7)"),
    ("cm.Cumulants.tensor", "dense_symbolic_huge", "cm.Cumulants.symbolic(400, 6).tensor(6)"),
    ("cm.Network.propagate", "high_order_poly_network",
     "cm.Network([cm.Dense([[1]]), cm.Quadratic(1), cm.Quadratic(1), cm.Quadratic(1)]).propagate(st1, 500)"),
    ("G.mse", "hermite_on_state_object", "G.mse(net, tgt, 'gaussian')"),
    ("rg.flow", "steps_not_divisible", "rg.flow(cm.Cumulants.iid(D.Normal(0, 1), 6, 2), 3, block=2)"),
    ("rg.flow", "steps_huge", "rg.flow(st4, 10**9, block=2)"),
    ("cm.k_statistic_variance", "order_huge", "cm.k_statistic_variance([0, 1, 0, 0], 10, 10**6)"),
    ("nn.GNN", "graph_none", "nn.GNN(None)"),
    ("nn.GNN", "graph_string", "nn.GNN('ring')"),
    ("nn.Graph", "graph_nonsquare", "nn.Graph(np.ones((2, 3)))"),
    ("nn.normalise", "negative_degrees", "nn.normalise(-np.ones((3, 3)))"),
    ("nn.rg_dataset", "huge_n", "nn.rg_dataset(D.Normal(0, 1), 4, 2, 10**12, 0)"),
    ("D.independent_sum", "non_distribution", "D.independent_sum(D.Normal(0, 1), 3)"),
    ("D.Sum", "non_distribution", "D.Sum('a', 'b')"),
    ("cm.Cumulants.from_moments", "exact_float_sequence_negative_variance",
     "cm.Cumulants.from_moments([0.5, 0.1])"),
]


def specific_cases():
    return [{"id": f"specific:{t}:{label}", "covers": t, "code": code} for t, label, code in SPECIFIC]


def all_cases():
    """The whole library catalogue (ids are unique)."""
    cases = generic_cases() + spec_cases() + specific_cases()
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    return cases
