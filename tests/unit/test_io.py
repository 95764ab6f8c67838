"""ONNX import and export (cumulants.io): round trips, an independent runtime, refusals.

The oracle for every imported model is ONNX Runtime's own forward pass (an implementation
independent of this package): ``Network.apply`` must agree with it on random inputs.
Round trips must return identical layers (same classes, bit-identical float64 weights).
"""

from __future__ import annotations


import numpy as np
import pytest
import sympy
from hypothesis import given, settings, strategies as st

import cumulants as cm
from cumulants.layers import nonpolynomial as npl

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from cumulants.io import UnsupportedModelError  # noqa: E402


# --------------------------------------------------------------------------- helpers
def run_ort(model, x):
    """Forward pass of ``model`` by ONNX Runtime on samples ``x`` (shape of the input)."""
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    inp = sess.get_inputs()[0]
    dtype = np.float64 if inp.type == "tensor(double)" else np.float32
    return np.asarray(sess.run(None, {inp.name: x.astype(dtype)})[0], dtype=float)


def assert_same_function(model, net, x):
    """ONNX Runtime and ``net.apply`` agree to 1e-6 (relative to the output scale)."""
    ref = run_ort(model, x).reshape(len(x), -1)
    got = net.apply(x.reshape(len(x), -1))
    assert got.shape == ref.shape
    np.testing.assert_allclose(got, ref, rtol=1e-6, atol=1e-6 * max(1.0, np.abs(ref).max()))


def assert_identical(a, b):
    """Same layer classes in the same order with equal parameters."""
    assert len(a) == len(b), (a, b)
    for la, lb in zip(a.layers, b.layers):
        assert type(la) is type(lb), (la, lb)
        for attr in ("weight", "bias", "coeffs", "adjacency", "self_weight",
                     "neighbour_weight", "alpha"):
            va, vb = getattr(la, attr, None), getattr(lb, attr, None)
            if va is None or vb is None:
                assert va is None and vb is None, (attr, la, lb)
            else:
                assert np.array_equal(np.asarray(va, dtype=float), np.asarray(vb, dtype=float)), \
                    (attr, la, lb)
        assert getattr(la, "name", None) == getattr(lb, "name", None)


def graph_model(nodes, inits, in_shape, out_shape, *, elem=TensorProto.FLOAT, opset=17,
                inputs=None, outputs=None):
    """A one-input one-output model built with ``onnx.helper`` (input ``x``, output ``y``)."""
    inits = [numpy_helper.from_array(np.asarray(v), k) for k, v in inits.items()]
    g = helper.make_graph(
        nodes, "test",
        inputs or [helper.make_tensor_value_info("x", elem, in_shape)],
        outputs or [helper.make_tensor_value_info("y", elem, out_shape)], inits)
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8 if opset < 20 else 9
    return model


def N(op, ins, out, **kw):
    return helper.make_node(op, ins, [out], name=out, **kw)


R = np.random.default_rng(7)
W1 = R.normal(size=(3, 4)).astype(np.float32)     # (in, out) for MatMul
B1 = R.normal(size=4).astype(np.float32)
W2 = R.normal(size=(4, 2)).astype(np.float32)
X3 = R.uniform(-2, 2, size=(64, 3))


def mlp_nodes(act_nodes, last="a"):
    """MatMul + Add (a torch Linear), the activation nodes reading ``z`` and writing ``a``,
    then a second Linear."""
    return ([N("MatMul", ["x", "W1"], "m"), N("Add", ["m", "B1"], "z")] + act_nodes
            + [N("MatMul", [last, "W2"], "y")])


# --------------------------------------------------------------------------- round trips
def _quadratic_gnn():
    g = cm.nn.GNN(cm.nn.ring(4), hidden=2, layers=1, activation="quadratic:0.3",
                  readout="mean", seed=1)
    return g.to_network()


ROUND_TRIP = {
    "dense": lambda: cm.Network([cm.Dense([[1.5, -2.0], [0.25, 1.0]], [0.5, -1.0])]),
    "dense-dense": lambda: cm.Network([cm.Dense([[1.0, 2.0]]), cm.Dense([[3.0], [-1.0]])]),
    "quadratic": lambda: cm.Network([cm.Dense([[1.0, -1.0]], [0.5]), cm.Quadratic(0.25),
                                     cm.Dense([[2.0]])]),
    "polynomial": lambda: cm.Network([cm.Dense([[0.5, 1.0], [1.0, 0.0]]),
                                      cm.Polynomial([0.1, -1.0, 0.0, 0.5, 0.25])]),
    "unit-polynomial": lambda: cm.Network([cm.Dense([[1.0, 1.0], [1.0, -1.0]]),
                                           npl.UnitPolynomial([[0, 1, 2.0], [1.0, 0, 0, -1.0]])]),
    "relu": lambda: cm.Network([cm.Dense([[1.0, -1.0], [0.5, 2.0]], [0.1, 0.0]), npl.ReLU(),
                                cm.Dense([[1.0, 1.0]])]),
    "tanh": lambda: cm.Network([cm.Dense([[1.0, -1.0]]), npl.Tanh(), cm.Dense([[2.0]], [1.0])]),
    "sigmoid": lambda: cm.Network([cm.Dense([[0.3, 0.7]]), npl.Sigmoid()]),
    "erf": lambda: cm.Network([cm.Dense([[0.3, 0.7]]), npl.Erf()]),
    "gelu": lambda: cm.Network([cm.Dense([[0.3, 0.7], [1.0, -2.0]], [0.0, 0.5]), npl.GELU(),
                                cm.Dense([[1.0, -1.0]])]),
    "sin": lambda: cm.Network([cm.Dense([[0.3, 0.7]]), npl.Sin()]),
    "exp": lambda: cm.Network([cm.Dense([[0.3, 0.7]]), npl.Exp()]),
    "mlp-quadratic": lambda: cm.nn.MLP([3, 4, 4, 1], "quadratic:0.5", seed=2).to_network(),
    "mlp-tanh": lambda: cm.nn.MLP([3, 5, 2], "tanh", constraint="same_sign",
                                  seed=3).to_network(),
    "gnn-quadratic": _quadratic_gnn,
    "gnn-tanh-block": lambda: cm.nn.GNN(cm.nn.chain(4), hidden=3, layers=2, activation="tanh",
                                        block=2, seed=4).to_network(),
}


@pytest.mark.parametrize("name", sorted(ROUND_TRIP))
def test_round_trip_is_identical(name):
    net = ROUND_TRIP[name]()
    model = cm.io.to_onnx(net)
    back = cm.io.from_onnx(model)
    assert_identical(back, net)
    x = np.random.default_rng(1).uniform(-2, 2, size=(50, net.in_dim()))
    # the exported graph computes the network (independent runtime) ...
    assert_same_function(model, net, x)
    # ... and a second round trip changes nothing
    assert_identical(cm.io.from_onnx(cm.io.to_onnx(back)), net)


def test_round_trip_through_a_file_and_float32(tmp_path):
    net = ROUND_TRIP["mlp-tanh"]()
    path = tmp_path / "net.onnx"
    cm.io.to_onnx(net, path)
    assert_identical(cm.io.from_onnx(path), net)
    assert_identical(cm.io.load_model(str(path)), net)
    model32 = cm.io.to_onnx(net, dtype="float32")
    back = cm.io.from_onnx(model32)
    # float32 weights are the float64 ones rounded once
    np.testing.assert_array_equal(back[0].weight, np.asarray(net[0].weight, np.float32))
    assert_same_function(model32, back, np.random.default_rng(2).uniform(-1, 1, (20, 3)))
    gelu = ROUND_TRIP["gelu"]()
    model20 = cm.io.to_onnx(gelu, opset=20)
    assert model20.ir_version == 9
    assert_identical(cm.io.from_onnx(model20), gelu)
    assert_same_function(model20, gelu, np.random.default_rng(3).uniform(-1, 1, (20, 2)))


def test_imported_polynomial_model_has_the_hand_built_exact_cumulants():
    # Dyadic weights are exact in binary, so the imported float network is the hand-built
    # exact one; its cumulants must match the exact (sympy) propagation to rounding.
    half = sympy.Rational(1, 2)
    exact = cm.Network([cm.Dense([[1, -half], [half, 2]], [half, 0]), cm.Quadratic(half),
                        cm.Dense([[1, -1]])])
    model = cm.io.to_onnx(exact)
    back = cm.io.from_onnx(model)
    floats = cm.Network([cm.Dense([[1.0, -0.5], [0.5, 2.0]], [0.5, 0.0]), cm.Quadratic(0.5),
                         cm.Dense([[1.0, -1.0]])])
    assert_identical(back, floats)
    state = cm.Cumulants.iid(cm.distributions.Uniform(-1, 1), 2, back.required_order(4))
    want = exact.propagate(state, order=4).marginal(0)
    got = back.propagate(state.evalf(), order=4).marginal(0)
    assert all(isinstance(w, sympy.Rational) for w in want)
    np.testing.assert_allclose([float(g) for g in got], [float(w) for w in want], rtol=1e-12)
    # and identical to propagating the hand-built float network
    assert got == floats.propagate(state.evalf(), order=4).marginal(0)


def test_handwritten_quadratic_graph_gives_exact_cumulants():
    # y = z + 0.25 z^2 with z = 2 x0 - x1: hand-written in the form torch exports
    W = np.array([[2.0], [-1.0]], np.float32)
    model = graph_model([N("MatMul", ["x", "W"], "z"), N("Mul", ["z", "z"], "zz"),
                         N("Mul", ["zz", "q"], "s"), N("Add", ["z", "s"], "y")],
                        {"W": W, "q": np.float32(0.25)}, ["N", 2], ["N", 1])
    net = cm.io.from_onnx(model)
    assert_identical(net, cm.Network([cm.Dense([[2.0, -1.0]]), cm.Quadratic(0.25)]))
    hand = cm.Network([cm.Dense([[2, -1]]), cm.Quadratic(sympy.Rational(1, 4))])
    z = cm.Cumulants.gaussian([0, 0], [[1, 0], [0, 1]], order=2)
    assert [sympy.nsimplify(v) for v in net.propagate(z.evalf(), order=3).marginal(0)] == \
        hand.propagate(z, order=3).marginal(0)


@settings(max_examples=25)
@given(widths=st.lists(st.integers(1, 4), min_size=2, max_size=4),
       act=st.sampled_from(["identity", "quadratic:0.3", "poly:0.1,1,0.5,-0.2", "tanh", "relu"]),
       constraint=st.sampled_from(["free", "same_sign", "tied"]),
       seed=st.integers(0, 1000))
def test_random_mlps_round_trip(widths, act, constraint, seed):
    try:
        model_nn = cm.nn.MLP(widths, act, constraint=constraint, seed=seed)
    except cm.CumulantError:          # a constraint that does not fit the shape
        model_nn = cm.nn.MLP(widths, act, seed=seed)
    net = model_nn.to_network()
    model = cm.io.to_onnx(net)
    back = cm.io.from_onnx(model)
    x = np.random.default_rng(seed).uniform(-1.5, 1.5, size=(16, widths[0]))
    assert_same_function(model, back, x)
    np.testing.assert_allclose(back.apply(x), model_nn.predict(x), rtol=1e-12, atol=1e-12)
    if act != "identity":   # identity activations let consecutive Dense layers merge or not
        assert_identical(back, net)


@settings(max_examples=12)
@given(nodes=st.integers(2, 5), hidden=st.integers(1, 3), layers=st.integers(0, 2),
       act=st.sampled_from(["quadratic:0.2", "tanh", "relu", "identity"]),
       readout=st.sampled_from(["mean", "node"]),
       normalisation=st.sampled_from(["symmetric", "mean", "none"]), seed=st.integers(0, 99))
def test_random_gnns_round_trip(nodes, hidden, layers, act, readout, normalisation, seed):
    gnn = cm.nn.GNN(cm.nn.ring(nodes), hidden=hidden, layers=layers, activation=act,
                    readout=readout, normalisation=normalisation, seed=seed)
    net = gnn.to_network()
    model = cm.io.to_onnx(net)
    back = cm.io.from_onnx(model)
    x = np.random.default_rng(seed).uniform(-1, 1, size=(8, nodes))
    assert_same_function(model, back, x)
    np.testing.assert_allclose(back.apply(x), gnn.predict(x), rtol=1e-12, atol=1e-12)
    if act != "identity":
        assert_identical(back, net)


def test_residual_in_one_activation_is_refused():
    model = _linear_model(nodes=[N("MatMul", ["x", "W1"], "m"), N("Relu", ["m"], "r"),
                                 N("Add", ["m", "r"], "s"), N("MatMul", ["s", "W4"], "y")],
                          inits={"W1": W1, "W4": np.eye(4, dtype=np.float32)})
    with pytest.raises(UnsupportedModelError, match=r"'y' \(op MatMul\): combines relu"):
        cm.io.from_onnx(model)


def test_import_options_choose_the_method():
    net = cm.io.from_onnx(cm.io.to_onnx(ROUND_TRIP["tanh"]()), method="hermite", degree=4)
    assert repr(net[1]) == "Tanh(method='hermite', degree=4)"


def test_export_refuses_what_onnx_cannot_say():
    with pytest.raises(UnsupportedModelError, match="Heaviside"):
        cm.io.to_onnx(cm.Network([cm.Dense([[1.0]]), npl.Heaviside()]))
    with pytest.raises(cm.ShapeMismatchError, match="input_dim"):
        cm.io.to_onnx(cm.Network([cm.Quadratic(0.5)]))
    model = cm.io.to_onnx(cm.Network([cm.Quadratic(0.5)]), input_dim=3)
    assert_identical(cm.io.from_onnx(model), cm.Network([cm.Quadratic(0.5)]))
    with pytest.raises(cm.InvalidParameterError, match="dtype"):
        cm.io.to_onnx(ROUND_TRIP["dense"](), dtype="int8")
    with pytest.raises(cm.InvalidParameterError, match="network"):
        cm.io.to_onnx("net")


# --------------------------------------------------------------- hand-built graphs, per op
def _act(op, **kw):
    return [N(op, ["z"], "a", **kw)]


SUPPORTED = {
    # name: (activation nodes, extra initialisers, expected layer classes, opset)
    "relu": (_act("Relu"), {}, [cm.Dense, npl.ReLU, cm.Dense], 17),
    "tanh": (_act("Tanh"), {}, [cm.Dense, npl.Tanh, cm.Dense], 17),
    "sigmoid": (_act("Sigmoid"), {}, [cm.Dense, npl.Sigmoid, cm.Dense], 17),
    "erf": (_act("Erf"), {}, [cm.Dense, npl.Erf, cm.Dense], 17),
    "sin": (_act("Sin"), {}, [cm.Dense, npl.Sin, cm.Dense], 17),
    "exp": (_act("Exp"), {}, [cm.Dense, npl.Exp, cm.Dense], 17),
    "gelu-op": (_act("Gelu"), {}, [cm.Dense, npl.GELU, cm.Dense], 20),
    "identity+dropout": ([N("Identity", ["z"], "i"),
                          helper.make_node("Dropout", ["i"], ["d", "mask"], name="d"),
                          N("Relu", ["d"], "a")], {}, [cm.Dense, npl.ReLU, cm.Dense], 17),
    # torch.onnx.export of nn.GELU() below opset 20: x * 0.5 * (1 + erf(x / 1.4142135))
    "gelu-torch": ([N("Div", ["z", "sqrt2"], "u"), N("Erf", ["u"], "e"),
                    N("Add", ["e", "one"], "e1"), N("Mul", ["z", "e1"], "p"),
                    N("Mul", ["p", "half"], "a")],
                   {"sqrt2": np.float32(1.4142135), "one": np.float32(1),
                    "half": np.float32(0.5)}, [cm.Dense, npl.GELU, cm.Dense], 17),
    "gelu-torch-other-order": ([N("Mul", ["z", "half"], "h"), N("Div", ["z", "sqrt2"], "u"),
                                N("Erf", ["u"], "e"), N("Add", ["one", "e"], "e1"),
                                N("Mul", ["h", "e1"], "a")],
                               {"sqrt2": np.float32(1.4142135), "one": np.float32(1),
                                "half": np.float32(0.5)}, [cm.Dense, npl.GELU, cm.Dense], 17),
    "quadratic": ([N("Mul", ["z", "z"], "s"), N("Mul", ["q", "s"], "t"),
                   N("Add", ["z", "t"], "a")], {"q": np.float32(0.5)},
                  [cm.Dense, cm.Quadratic, cm.Dense], 17),
    "pow-polynomial": ([N("Pow", ["z", "three"], "c"), N("Sub", ["z", "c"], "s"),
                        N("Neg", ["s"], "n"), N("Add", ["n", "one"], "a")],
                       {"three": np.int64(3), "one": np.float32(1)},
                       [cm.Dense, cm.Polynomial, cm.Dense], 17),
    "per-unit-scale-tanh": ([N("Mul", ["z", "s"], "u"), N("Tanh", ["u"], "t"),
                             N("Mul", ["t", "s"], "a")],
                            {"s": np.array([1, 2, 3, 4], np.float32)},
                            [cm.Dense, npl.Tanh, cm.Dense], 17),
    "constant-subgraph": ([N("Constant", [], "c0", value=numpy_helper.from_array(
                              np.float32(2.0))), N("Sqrt", ["c0"], "c"),
                           N("Div", ["z", "c"], "u"), N("Relu", ["u"], "a")], {},
                          [cm.Dense, npl.ReLU, cm.Dense], 17),
}


@pytest.mark.parametrize("name", sorted(SUPPORTED))
def test_supported_operator_graphs(name):
    acts, extra, classes, opset = SUPPORTED[name]
    model = graph_model(mlp_nodes(acts), {"W1": W1, "B1": B1, "W2": W2, **extra},
                        ["N", 3], ["N", 2], opset=opset)
    net = cm.io.from_onnx(model)
    assert [type(layer) for layer in net] == classes, net
    assert_same_function(model, net, X3)


def test_gemm_attributes_and_flatten_reshape():
    W = R.normal(size=(4, 6)).astype(np.float32)       # (out, in): transB=1
    C = R.normal(size=4).astype(np.float32)
    model = graph_model(
        [N("Flatten", ["x"], "f"), N("Gemm", ["f", "W", "C"], "g", alpha=0.5, beta=2.0, transB=1),
         N("Reshape", ["g", "shape"], "r"), N("Tanh", ["r"], "t"),
         N("Reshape", ["t", "flat"], "y")],
        {"W": W, "C": C, "shape": np.array([0, 2, -1]), "flat": np.array([-1, 4])},
        ["N", 2, 3], ["N", 4])
    net = cm.io.from_onnx(model)
    assert [type(layer) for layer in net] == [cm.Dense, npl.Tanh]
    x = R.uniform(-1, 1, size=(10, 2, 3))
    assert_same_function(model, net, x)


def test_torch_style_gcn_becomes_message_passing():
    # h' = relu(h Ws + A h Wn + b) on (batch, nodes, features), as a dense GCN exports
    A = cm.nn.normalise(cm.nn.ring(5)).astype(np.float32)
    Ws, Wn = R.normal(size=(2, 3)).astype(np.float32), R.normal(size=(2, 3)).astype(np.float32)
    b = R.normal(size=3).astype(np.float32)
    model = graph_model(
        [N("MatMul", ["x", "Ws"], "s"), N("MatMul", ["A", "x"], "ax"),
         N("MatMul", ["ax", "Wn"], "n"), N("Add", ["s", "n"], "sn"), N("Add", ["sn", "b"], "z"),
         N("Relu", ["z"], "y")],
        {"A": A, "Ws": Ws, "Wn": Wn, "b": b}, ["N", 5, 2], ["N", 5, 3])
    net = cm.io.from_onnx(model)
    assert [type(layer) for layer in net] == [cm.MessagePassing, npl.ReLU]
    np.testing.assert_array_equal(net[0].adjacency, A.astype(float))
    np.testing.assert_array_equal(net[0].neighbour_weight, Wn.astype(float))
    assert_same_function(model, net, R.uniform(-1, 1, size=(8, 5, 2)))


def test_consecutive_linear_layers_stay_separate_and_scalings_fold():
    model = graph_model([N("Div", ["x", "two"], "h"), N("MatMul", ["h", "W1"], "m"),
                         N("MatMul", ["m", "W2"], "y")],
                        {"two": np.float32(2), "W1": W1, "W2": W2}, ["N", 3], ["N", 2])
    net = cm.io.from_onnx(model)
    assert [type(layer) for layer in net] == [cm.Dense, cm.Dense]
    assert_same_function(model, net, X3)


# ------------------------------------------------------------------------------ refusals
def _linear_model(**changes):
    spec = dict(nodes=[N("MatMul", ["x", "W1"], "y")], inits={"W1": W1}, in_shape=["N", 3],
                out_shape=["N", 4])
    spec.update(changes)
    return graph_model(spec["nodes"], spec["inits"], spec["in_shape"], spec["out_shape"],
                       **{k: v for k, v in changes.items()
                          if k in ("elem", "opset", "inputs", "outputs")})


REFUSALS = {
    "unsupported operator": (
        lambda: _linear_model(nodes=[N("MatMul", ["x", "W1"], "m"),
                                     N("Softmax", ["m"], "y")]), r"'y' \(op Softmax\)"),
    "dynamic feature shape": (lambda: _linear_model(in_shape=["N", "features"]),
                              "dynamic size on axis 1"),
    "multiple inputs": (lambda: _linear_model(inputs=[
        helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3]),
        helper.make_tensor_value_info("x2", TensorProto.FLOAT, ["N", 3])]), "2 inputs"),
    "multiple outputs": (lambda: _linear_model(outputs=[
        helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4]),
        helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3])]), "2 outputs"),
    "non-float weights": (lambda: _linear_model(inits={"W1": np.ones((3, 4), np.int64)}),
                          "dtype int64.*floating point"),
    "non-float input": (lambda: _linear_model(elem=TensorProto.INT64, inits={
        "W1": np.ones((3, 4), np.int64)}), "element type INT64"),
    "skip connection": (lambda: _linear_model(nodes=[
        N("MatMul", ["x", "W1"], "m"), N("Tanh", ["m"], "t"), N("MatMul", ["t", "W4"], "u"),
        N("Add", ["u", "m"], "y")], inits={"W1": W1, "W4": np.eye(4, dtype=np.float32)}),
        "skip or residual"),
    "bilinear": (lambda: _linear_model(nodes=[
        N("MatMul", ["x", "W1"], "m"), N("MatMul", ["x", "W1b"], "m2"), N("Mul", ["m", "m2"], "y")],
        inits={"W1": W1, "W1b": W1 * 2 + 1}), "bilinear"),
    "fractional power": (lambda: _linear_model(nodes=[
        N("MatMul", ["x", "W1"], "m"), N("Pow", ["m", "p"], "y")],
        inits={"W1": W1, "p": np.float32(0.5)}), "not a non-negative integer"),
    "tanh-approximate gelu": (lambda: _linear_model(nodes=[
        N("MatMul", ["x", "W1"], "m"), N("Gelu", ["m"], "y", approximate="tanh")], opset=20),
        "approximate='tanh'"),
    "two activations": (lambda: _linear_model(nodes=[
        N("MatMul", ["x", "W1"], "m"), N("Tanh", ["m"], "t"), N("Relu", ["m"], "r"),
        N("Add", ["t", "r"], "y")]), "combines 2 activations"),
    "custom domain": (lambda: _linear_model(nodes=[
        helper.make_node("MatMul", ["x", "W1"], ["y"], name="y", domain="com.example")]),
        "domain 'com.example'"),
    "batch-mixing reshape": (lambda: _linear_model(nodes=[
        N("MatMul", ["x", "W1"], "m"), N("Reshape", ["m", "s"], "y")],
        inits={"W1": W1, "s": np.array([-1])}), "keep the batch axis"),
    "constant output": (lambda: _linear_model(nodes=[N("Identity", ["W1"], "y")]),
                        "does not depend on the input"),
}


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_unsupported_models_are_refused_clearly(name):
    build, pattern = REFUSALS[name]
    with pytest.raises(UnsupportedModelError, match=pattern):
        cm.io.from_onnx(build())


def test_bad_sources():
    with pytest.raises(cm.InvalidParameterError, match="existing .onnx file"):
        cm.io.from_onnx("no/such/model.onnx")
    with pytest.raises(UnsupportedModelError, match="serialised ONNX model"):
        cm.io.from_onnx(b"not a model")
    with pytest.raises(cm.InvalidParameterError, match="path_or_model"):
        cm.io.from_onnx(3)
    with pytest.raises(cm.InvalidParameterError, match="existing file"):
        cm.io.load_model("missing.json")


def test_load_model_reads_nn_json(tmp_path):
    import json

    mlp = cm.nn.MLP([2, 3, 1], "tanh", seed=5)
    path = tmp_path / "mlp.json"
    path.write_text(json.dumps(mlp.to_dict()))
    assert_identical(cm.io.load_model(path), mlp.to_network())


def test_cumulants_works_without_onnx():
    import subprocess
    import sys

    # onnx neither imported by ``import cumulants`` nor needed; asking for it says how to get it
    code = ("import sys; import cumulants as cm; print('onnx' in sys.modules, 'torch' in "
            "sys.modules)\nsys.modules['onnx'] = None\n"
            "try:\n    cm.io.to_onnx(cm.Network([cm.Dense([[1.0]])]))\n"
            "except cm.MethodUnavailableError as exc:\n    print(exc)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out[0] == "False False"
    assert "pip install 'cumulants[onnx]'" in out[1]


def test_from_torch_without_torch_says_how_to_install():
    try:
        import torch  # noqa: F401
    except ImportError:
        with pytest.raises(cm.MethodUnavailableError, match=r"cumulants\[torch\]"):
            cm.io.from_torch(object(), None)
    else:  # pragma: no cover - torch present
        with pytest.raises(cm.InvalidParameterError, match="module"):
            cm.io.from_torch(object(), None)


def test_from_torch_plumbing_with_a_stand_in_torch(monkeypatch):
    """``from_torch`` with a minimal stand-in for the torch API (the real one: slow test)."""
    import sys
    import types

    net = ROUND_TRIP["tanh"]()
    payload = cm.io.to_onnx(net, dtype="float32").SerializeToString()
    calls = []

    class Module:
        training = True

        def eval(self):
            self.training = False

        def train(self, mode=True):
            self.training = mode

    class Tensor:
        def dim(self):
            return 2

    def export(module, args, f, **kw):
        calls.append((module.training, kw.get("dynamo"), kw["dynamic_axes"]))
        if kw.get("dynamo") is False:
            raise TypeError("unexpected keyword argument 'dynamo'")   # an older torch
        f.write(payload)

    fake = types.SimpleNamespace(nn=types.SimpleNamespace(Module=Module), Tensor=Tensor,
                                 onnx=types.SimpleNamespace(export=export))
    monkeypatch.setitem(sys.modules, "torch", fake)
    module = Module()
    back = cm.io.from_torch(module, Tensor())
    assert [type(layer) for layer in back] == [cm.Dense, npl.Tanh, cm.Dense]
    assert module.training is True                       # training mode restored
    assert calls[0][:2] == (False, False) and calls[1][:2] == (False, None)
    assert calls[0][2] == {"x": {0: "batch"}, "y": {0: "batch"}}
    with pytest.raises(cm.InvalidParameterError, match="module"):
        cm.io.from_torch(object(), Tensor())

    def broken(module, args, f, **kw):
        raise RuntimeError("unsupported aten op")

    fake.onnx.export = broken
    with pytest.raises(UnsupportedModelError, match="unsupported aten op"):
        cm.io.from_torch(Module(), Tensor())


@pytest.mark.slow
def test_train_in_torch_and_import():
    """Train a small MLP in PyTorch, import it, compare with torch's and ORT's forward passes."""
    torch = pytest.importorskip(
        "torch", reason="PyTorch is not installed: the torch extra is not part of the CI "
                        "install (its Linux wheels pull about 3 GB of CUDA packages)")
    torch.manual_seed(0)
    x = torch.rand(256, 3) * 2 - 1
    y = (x[:, :1] - x[:, 1:2] * x[:, 2:3])
    model = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 8),
                                torch.nn.GELU(), torch.nn.Linear(8, 1))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(200):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
    net = cm.io.from_torch(model, x[:1])
    assert [type(layer) for layer in net] == [cm.Dense, npl.Tanh, cm.Dense, npl.GELU, cm.Dense]
    with torch.no_grad():
        ref = model(x).numpy().astype(float)
    np.testing.assert_allclose(net.apply(x.numpy().astype(float)), ref, rtol=1e-5, atol=1e-5)
