"""Unit tests of the numpy backend: gradients, training, data sets, graphs, serialisation."""

import json
import pickle

import numpy as np
import pytest

from cumulants import constraints as C
from cumulants import nn
from cumulants.errors import (
    CumulantError,
    InvalidParameterError,
    MethodUnavailableError,
    ShapeMismatchError,
)
from cumulants.nn.activations import activation


def gaussian(size, rng):
    return rng.normal(size=size)


class Stand_in:
    """A distribution stand-in: anything with ``.sample(size, rng)``."""

    def __init__(self, values):
        self.values = np.asarray(values, dtype=float)

    def sample(self, size, rng):
        return rng.choice(self.values, size=size)


# --------------------------------------------------------------------------- gradient checks


def check_gradients(model, X, Y, eps=1e-6, tol=1e-6):
    """Central finite differences of the loss against the backward pass (float64).

    Parameters are randomised first: zero biases would put ReLU units exactly on their kink
    and hide mistakes in bias gradients.
    """
    rng = np.random.default_rng(0)
    model.set_parameters({k: 0.6 * rng.normal(size=v.shape)
                          for k, v in model.parameters().items()})
    _, grads = model.loss_and_grad(X, Y)
    params = model.parameters()
    assert set(grads) == set(params)
    analytic, numeric = [], []
    for name in sorted(params):
        for idx in np.ndindex(params[name].shape):
            p = {k: v.copy() for k, v in params.items()}
            p[name][idx] += eps
            model.set_parameters(p)
            up = model.loss(X, Y)
            p[name][idx] -= 2 * eps
            model.set_parameters(p)
            down = model.loss(X, Y)
            numeric.append((up - down) / (2 * eps))
            analytic.append(grads[name][idx])
    model.set_parameters(params)
    analytic, numeric = np.array(analytic), np.array(numeric)
    err = np.linalg.norm(analytic - numeric) / (np.linalg.norm(analytic) + np.linalg.norm(numeric))
    assert err < tol, f"relative gradient error {err:.2e}"


ACTIVATIONS = [
    ("identity", {}),
    ("quadratic", {}),
    ("quadratic", {"learn_alpha": True, "alpha": 0.3}),
    ("poly:0.1,1,0.3,-0.2", {}),
    ("tanh", {}),
    ("relu", {}),
]
ACT_IDS = ["identity", "quadratic", "quadratic-learn", "poly", "tanh", "relu"]

HIDDEN = ["free", "tied", {"name": "tied", "mode": "rows"}, "same_sign",
          {"name": "same_sign", "sign": -1, "parameterisation": "softplus"},
          "permutation_equivariant", "symmetric", "circulant"]
OUTPUT = ["free", "tied", "same_sign", {"name": "same_sign", "sign": -1}]


@pytest.mark.parametrize("act, kw", ACTIVATIONS, ids=ACT_IDS)
@pytest.mark.parametrize("hidden", HIDDEN, ids=lambda h: h if isinstance(h, str) else
                         "-".join(str(v) for v in h.values()))
def test_mlp_gradients(act, kw, hidden, rng):
    output = OUTPUT[HIDDEN.index(hidden) % len(OUTPUT)]
    net = nn.MLP([4, 4, 4, 2], act, constraint={"hidden": hidden, "output": output},
                 seed=int(rng.integers(2**31)), **kw)
    X = rng.normal(size=(7, 4))
    Y = rng.normal(size=(7, 2))
    check_gradients(net, X, Y)


@pytest.mark.parametrize("bias", [True, False, {"hidden": False}, [True, False]])
def test_mlp_gradients_bias_options(bias, rng):
    net = nn.MLP([3, 5, 1], "quadratic", bias=bias, learn_alpha=True, seed=1)
    check_gradients(net, rng.normal(size=(6, 3)), rng.normal(size=6))


def test_mlp_gradients_with_channels_constraint(rng):
    pe = C.permutation_equivariant(3, in_channels=1, out_channels=2)
    net = nn.MLP([3, 6, 1], "tanh", constraint=[pe, "tied"], seed=2)
    check_gradients(net, rng.normal(size=(5, 3)), rng.normal(size=(5, 1)))


GNN_CASES = [
    dict(graph=nn.ring(6), readout="block", block=2),
    dict(graph=nn.chain(4), readout="mean", out_features=2),
    dict(graph=nn.grid(4, 4), readout="block", block=(2, 2)),
    dict(graph=nn.grid(2, 3, periodic=True), readout="node", normalisation="mean"),
    dict(graph=nn.ring(4), readout="node", in_features=2, out_features=2, normalisation="none"),
]


@pytest.mark.parametrize("act, kw", ACTIVATIONS, ids=ACT_IDS)
@pytest.mark.parametrize("case", range(len(GNN_CASES)))
def test_gnn_gradients(act, kw, case, rng):
    net = nn.GNN(hidden=3, layers=2, activation=act, seed=case, **GNN_CASES[case], **kw)
    X = rng.normal(size=(5, net.n_inputs))
    Y = rng.normal(size=(5, net.n_outputs))
    check_gradients(net, X, Y)


@pytest.mark.parametrize("cons", [
    "symmetric", "circulant", "permutation_equivariant", "tied",
    {"message": "circulant", "readout": "same_sign"},
    {"self": "symmetric", "neighbour": {"name": "tied", "mode": "rows"}, "readout": "tied"},
])
def test_gnn_gradients_with_constraints(cons, rng):
    net = nn.GNN(nn.ring(6), hidden=3, layers=2, activation="quadratic", block=3,
                 in_features=3, constraint=cons, bias={"message": False}, seed=4)
    check_gradients(net, rng.normal(size=(4, 18)), rng.normal(size=(4, 2)))


def test_gnn_without_message_passing_is_linear(rng):
    net = nn.GNN(nn.ring(4), layers=0, block=2, seed=0)
    check_gradients(net, rng.normal(size=(4, 4)), rng.normal(size=(4, 2)))
    X = rng.normal(size=(3, 4))
    np.testing.assert_allclose(net.predict(2 * X) - net.predict(X),
                               net.predict(X) - net.predict(0 * X), atol=1e-12)


# --------------------------------------------------------------------------- forward passes


def test_mlp_forward_matches_explicit_formula(rng):
    net = nn.MLP([3, 4, 2], "quadratic", alpha=0.7, seed=5)
    net.set_parameters({k: rng.normal(size=v.shape) for k, v in net.parameters().items()})
    X = rng.normal(size=(6, 3))
    (W1, W2), (b1, b2) = net.weights(), net.biases()
    z = X @ W1.T + b1
    expected = (z + 0.7 * z**2) @ W2.T + b2
    np.testing.assert_allclose(net.predict(X), expected, rtol=1e-13)
    assert net.alphas() == [0.7]


@pytest.mark.parametrize("case", range(len(GNN_CASES)))
def test_gnn_forward_matches_dense_kronecker_form(case, rng):
    """The node-major dense form: s' = act((I (x) Ws^T + A (x) Wn^T) s + 1 (x) b)."""
    net = nn.GNN(hidden=3, layers=2, activation="tanh", seed=case, **GNN_CASES[case])
    net.set_parameters({k: rng.normal(size=v.shape) for k, v in net.parameters().items()})
    X = rng.normal(size=(4, net.n_inputs))
    A = net.adjacency
    N = A.shape[0]
    s = X.T
    params = net.parameters()
    for l, (Ws, Wn) in enumerate(net.weights()[:-1]):
        M = np.kron(np.eye(N), Ws.T) + np.kron(A, Wn.T)
        s = np.tanh(M @ s + np.tile(params[f"mp{l}.bias"], N)[:, None])
    D, d = net.readout_matrix()
    expected = (D @ s).T + d
    np.testing.assert_allclose(net.predict(X), expected, rtol=1e-12, atol=1e-12)


def test_to_network_matches_predict(rng):
    layers = pytest.importorskip("cumulants.layers")
    needed = ["Network", "Dense", "MessagePassing", "Identity", "Quadratic", "Polynomial",
              "Tanh", "ReLU"]
    missing = [name for name in needed if not hasattr(layers, name)]
    if missing:
        pytest.skip(f"cumulants.layers lacks {missing} so far")
    X = rng.normal(size=(5, 4))
    for net in (nn.MLP([4, 3, 1], "quadratic", learn_alpha=True, seed=0),
                nn.MLP([4, 3, 1], "poly:0,1,0.5", bias=False, seed=1),
                nn.MLP([4, 3, 3, 1], "tanh", seed=2),
                nn.MLP([4, 3, 1], "relu", seed=3),
                nn.MLP([4, 1], "identity", seed=4),
                nn.GNN(nn.ring(4), hidden=2, layers=1, activation="quadratic", block=2, seed=5)):
        network = net.to_network()
        np.testing.assert_allclose(np.asarray(network.apply(X), dtype=float), net.predict(X),
                                   rtol=1e-10, atol=1e-12)


# --------------------------------------------------------------------------- training


def test_same_seed_gives_identical_bytes_after_fit():
    X, Y = nn.block_dataset(gaussian, 2, 300, 7)

    def train(seed):
        net = nn.MLP([2, 4, 1], "quadratic", constraint={"output": "same_sign"}, seed=seed)
        net.fit(X, Y, epochs=5, batch_size=16, lr=0.01, validation=0.2, weight_decay=1e-3)
        arrays = net.weights() + [net.parameters()["layer0.bias"]]
        return b"".join(W.tobytes() for W in arrays)

    assert train(11) == train(11)
    assert train(11) != train(12)


def test_gnn_fit_is_deterministic():
    X, Y = nn.rg_dataset(gaussian, 8, 2, 64, 0)

    def train():
        net = nn.GNN(nn.ring(8), hidden=2, layers=1, block=2, seed=3)
        net.fit(X, Y, epochs=3, batch_size=8, lr=0.01)
        return [v.tobytes() for v in net.parameters().values()]

    assert train() == train()


def test_quadratic_mlp_learns_the_two_site_block_sum():
    X, Y = nn.block_dataset(gaussian, 2, 1000, np.random.default_rng(1))
    net = nn.MLP([2, 4, 1], "quadratic", seed=1)
    net.fit(X, Y, epochs=200, batch_size=32, lr=lambda e: 0.01 * 0.99**e)
    Xt, Yt = nn.block_dataset(gaussian, 2, 1000, np.random.default_rng(2))
    assert net.loss(X, Y) < 1e-4
    assert net.loss(Xt, Yt) < 1e-4


def test_linear_mlp_learns_the_block_sum_to_high_accuracy():
    X, Y = nn.block_dataset(gaussian, 2, 1000, 3)
    net = nn.MLP([2, 1], "identity", seed=0)
    net.fit(X, Y, epochs=100, batch_size=32, lr=lambda e: 0.05 * 0.95**e)
    assert net.loss(X, Y) < 1e-8
    np.testing.assert_allclose(net.weights()[0], [[2**-0.5, 2**-0.5]], atol=1e-4)


def test_linear_gnn_learns_the_block_spin_map():
    X, Y = nn.rg_dataset(gaussian, 8, 2, 500, 4)
    net = nn.GNN(nn.ring(8), hidden=1, layers=1, activation="identity", block=2, seed=0)
    net.fit(X, Y, epochs=60, batch_size=25, lr=lambda e: 0.05 * 0.95**e)
    assert net.loss(X, Y) < 1e-6


def test_same_sign_output_stays_one_signed_after_training():
    X, Y = nn.block_dataset(gaussian, 2, 400, 5)
    net = nn.MLP([2, 4, 1], "quadratic", constraint={"output": {"name": "same_sign", "sign": -1},
                                                     "hidden": "tied"}, seed=0)
    net.fit(X, Y, epochs=20, batch_size=32, lr=0.02)
    for c, W in zip(net.constraints, net.weights()):
        assert c.check(W)
    assert np.all(net.weights()[1] <= 0)
    # a homogeneous quadratic read-out cannot represent the linear block sum (MATH §7)
    assert net.loss(X, Y) > 1e-3


def test_learn_alpha_moves_alpha():
    X, Y = nn.block_dataset(gaussian, 2, 200, 5)
    net = nn.MLP([2, 3, 1], "quadratic", alpha=0.5, learn_alpha=True, seed=0)
    net.fit(X, Y, epochs=5, batch_size=20, lr=0.05)
    assert net.alphas()[0] != 0.5


def test_history_records_losses_lr_and_validation():
    X, Y = nn.block_dataset(gaussian, 2, 100, 0)
    net = nn.MLP([2, 3, 1], "tanh", seed=0)
    hist = net.fit(X, Y, epochs=4, batch_size=10, lr=lambda e: 0.1 / (e + 1), validation=0.25)
    assert hist.epochs == len(hist) == 4
    assert len(hist.val_loss) == 4 and hist.lr == [0.1, 0.05, 0.1 / 3, 0.025]
    assert hist.best_epoch is not None and not hist.stopped_early
    json.dumps(hist.to_dict())


def test_early_stopping_restores_the_best_parameters():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(60, 3)), rng.normal(size=(60, 1))  # nothing to learn
    net = nn.MLP([3, 16, 1], "quadratic", seed=0)
    hist = net.fit(X[:40], Y[:40], epochs=200, batch_size=8, lr=0.05,
                   validation_data=(X[40:], Y[40:]), patience=3)
    assert hist.stopped_early and hist.epochs < 200
    assert net.loss(X[40:], Y[40:]) == pytest.approx(min(hist.val_loss), rel=1e-12)
    assert hist.best_epoch == int(np.argmin(hist.val_loss))


def test_weight_decay_shrinks_weights():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(50, 3)), np.zeros((50, 1))
    norms = []
    for wd in (0.0, 0.5):
        net = nn.MLP([3, 4, 1], "tanh", seed=0)
        net.fit(X, Y, epochs=10, batch_size=10, lr=0.01, weight_decay=wd)
        norms.append(sum(np.sum(W**2) for W in net.weights()))
    assert norms[1] < norms[0]


def test_sgd_and_optimizer_instances():
    X, Y = nn.block_dataset(gaussian, 2, 200, 0)
    net = nn.MLP([2, 1], "identity", seed=0)
    net.fit(X, Y, epochs=30, batch_size=10, lr=0.05, optimizer="sgd")
    assert net.loss(X, Y) < 1e-10
    opt = nn.SGD(lr=0.05, momentum=0.5)
    net2 = nn.MLP([2, 1], "identity", seed=0)
    net2.fit(X, Y, epochs=10, batch_size=10, optimizer=opt)
    assert opt.t == 200 and net2.loss(X, Y) < 1e-10


def test_adam_step_matches_definition():
    opt = nn.Adam(lr=0.1, beta1=0.9, beta2=0.99, eps=1e-8)
    p = {"w": np.array([1.0, -2.0])}
    g1, g2 = np.array([0.5, 1.0]), np.array([-0.1, 2.0])
    opt.step(p, {"w": g1})
    opt.step(p, {"w": g2})
    m = 0.1 * (0.9 * g1) + 0.1 * g2
    v = 0.01 * (0.99 * g1**2) + 0.01 * g2**2
    m1 = 0.1 * g1 / (1 - 0.9)
    v1 = 0.01 * g1**2 / (1 - 0.99)
    w1 = np.array([1.0, -2.0]) - 0.1 * m1 / (np.sqrt(v1) + 1e-8)
    w2 = w1 - 0.1 * (m / (1 - 0.81)) / (np.sqrt(v / (1 - 0.99**2)) + 1e-8)
    np.testing.assert_allclose(p["w"], w2, rtol=1e-12)


def test_progress_line_goes_to_stderr(capsys):
    X, Y = nn.block_dataset(gaussian, 2, 40, 0)
    nn.MLP([2, 1], "identity", seed=0).fit(X, Y, epochs=2, batch_size=10, progress=True)
    out, err = capsys.readouterr()
    assert out == "" and "epoch 2/2" in err and "loss" in err


def test_divergence_is_reported_in_our_words():
    X, Y = nn.block_dataset(gaussian, 2, 100, 0)
    net = nn.MLP([2, 8, 1], "poly:0,1,1,1", seed=0, init_scale=3.0)
    before = net.parameters()
    with pytest.raises(InvalidParameterError, match="lr="):
        net.fit(3 * X, Y, epochs=50, batch_size=100, lr=1e3, optimizer="sgd")
    for v in net.parameters().values():
        assert np.all(np.isfinite(v))
    assert set(before) == set(net.parameters())


# --------------------------------------------------------------------------- serialisation


@pytest.mark.parametrize("net", [
    nn.MLP([3, 4, 1], "quadratic", learn_alpha=True, constraint={"output": "same_sign"}, seed=2),
    nn.MLP([3, 3, 2], "poly:0.5,1,-0.25", constraint=["circulant", "tied"], bias=False, seed=3),
    nn.GNN(nn.grid(4, 4), hidden=2, layers=2, activation="relu", block=(2, 2), seed=4),
    nn.GNN(nn.ring(6), hidden=3, layers=2, in_features=3, readout="mean",
           constraint={"message": ["free", "circulant"], "readout": "tied"}, seed=5),
], ids=["mlp-quadratic", "mlp-poly", "gnn-grid", "gnn-ring"])
def test_json_round_trip_and_pickle(net, rng):
    X = rng.normal(size=(4, net.n_inputs))
    again = nn.from_dict(json.loads(json.dumps(net.to_dict())))
    assert again.predict(X).tobytes() == net.predict(X).tobytes()
    assert repr(again) == repr(net)
    assert pickle.loads(pickle.dumps(net)).predict(X).tobytes() == net.predict(X).tobytes()
    assert type(net).from_dict(net.to_dict()).n_params == net.n_params


def test_copy_is_independent():
    X, Y = nn.block_dataset(gaussian, 2, 50, 0)
    net = nn.MLP([2, 2, 1], seed=0)
    twin = net.copy()
    net.fit(X, Y, epochs=1, batch_size=10, lr=0.1)
    assert twin.weights()[0].tobytes() != net.weights()[0].tobytes()
    twin.fit(X, Y, epochs=1, batch_size=10, lr=0.1)
    assert twin.weights()[0].tobytes() == net.weights()[0].tobytes()


def test_mlp_views():
    net = nn.MLP([2, 3, 1], "relu", bias={"output": False}, seed=0)
    assert net.biases()[1] is None and net.biases()[0].shape == (3,)
    assert net.n_params == 6 + 3 + 3
    assert net.alphas() == []
    assert "bias=[True, False]" in repr(net)
    assert sorted(net.parameters()) == ["layer0.bias", "layer0.theta", "layer1.theta"]


# --------------------------------------------------------------------------- data sets


def test_rg_dataset_1d_is_the_exact_block_image():
    X, Y = nn.rg_dataset(Stand_in([-1.0, 0.5, 2.0]), sites=12, block=3, n=20, rng=1)
    assert X.shape == (20, 12) and Y.shape == (20, 4)
    assert set(np.unique(X)) <= {-1.0, 0.5, 2.0}
    for i in range(20):
        for k in range(4):
            assert Y[i, k] == pytest.approx(sum(X[i, 3 * k + j] for j in range(3)) / np.sqrt(3))


def test_rg_dataset_2d_is_the_exact_block_image():
    L, M, b = 4, 6, 2
    X, Y = nn.rg_dataset(gaussian, sites=(L, M), block=(b, b), n=5, rng=2,
                         normalisation="mean")
    assert Y.shape == (5, (L // b) * (M // b))
    lattice = X.reshape(5, L, M)
    for i in range(5):
        k = 0
        for R in range(L // b):
            for Cc in range(M // b):
                block = lattice[i, R * b:(R + 1) * b, Cc * b:(Cc + 1) * b]
                assert Y[i, k] == pytest.approx(block.mean())
                k += 1


def test_rg_dataset_normalisations_and_rectangular_blocks():
    X, Ys = nn.rg_dataset(gaussian, (2, 6), (1, 3), 4, 0, normalisation="sum")
    np.testing.assert_allclose(Ys, X.reshape(4, 4, 3).sum(axis=2))
    _, Yq = nn.rg_dataset(gaussian, (2, 6), (1, 3), 4, 0)
    np.testing.assert_allclose(Yq, Ys / np.sqrt(3))


def test_rg_dataset_is_reproducible_and_block_dataset_shapes():
    a = nn.rg_dataset(gaussian, 8, 2, 10, np.random.default_rng(5))
    b = nn.rg_dataset(gaussian, 8, 2, 10, np.random.default_rng(5))
    assert a[0].tobytes() == b[0].tobytes()
    X, Y = nn.block_dataset(Stand_in([1.0, -1.0]), 4, 7, 0)
    assert X.shape == (7, 4) and Y.shape == (7, 1)
    np.testing.assert_allclose(Y[:, 0], X.sum(axis=1) / 2)
    X, Y = nn.block_dataset(gaussian, (2, 2), 3, 0)
    assert X.shape == (3, 4) and Y.shape == (3, 1)


# --------------------------------------------------------------------------- graphs, activations


def test_graphs():
    assert nn.chain(1).adjacency.shape == (1, 1)
    np.testing.assert_array_equal(nn.ring(5).degrees(), 2)
    np.testing.assert_array_equal(nn.ring(2).adjacency, nn.chain(2).adjacency)
    g = nn.grid(3, 4)
    assert g.sites == (3, 4) and g.adjacency.sum() == 2 * (3 * 3 + 2 * 4)
    np.testing.assert_array_equal(nn.grid(2, 2, periodic=True).degrees(), 2)
    np.testing.assert_array_equal(nn.grid(4, 4, periodic=True).degrees(), 4)
    assert np.array_equal(g.adjacency, g.adjacency.T)
    assert repr(nn.grid(2, 2, periodic=True)) == "grid(2, 2, periodic=True)"
    with pytest.raises(ValueError):
        g.adjacency[0, 0] = 1.0


def test_normalise_modes():
    A = nn.chain(3).adjacency
    np.testing.assert_array_equal(nn.normalise(A, "none"), A)
    np.testing.assert_allclose(nn.normalise(A, "mean").sum(axis=1), 1.0)
    S = nn.normalise(A, "symmetric")
    d = np.array([2.0, 3.0, 2.0])
    np.testing.assert_allclose(S, (A + np.eye(3)) / np.sqrt(np.outer(d, d)))
    np.testing.assert_allclose(S, S.T)
    np.testing.assert_allclose(nn.normalise(nn.ring(6)).sum(axis=1), 1.0)  # d-regular: average
    np.testing.assert_array_equal(nn.normalise(np.zeros((2, 2)), "mean"), 0.0)


def test_blocks_2d_order():
    np.testing.assert_array_equal(nn.graphs.blocks((2, 4), (2, 2)), [[0, 1, 4, 5], [2, 3, 6, 7]])
    np.testing.assert_array_equal(nn.graphs.blocks((4, 4), 2)[3], [10, 11, 14, 15])


def test_activation_values_and_derivatives(rng):
    z = rng.normal(size=20)
    for spec in ["identity", "quadratic:0.3", "poly:1,-2,0.5,0.25", "tanh", "relu"]:
        act = activation(spec)
        eps = 1e-6
        numeric = (act.forward(z + eps) - act.forward(z - eps)) / (2 * eps)
        np.testing.assert_allclose(act.backward(z, None, np.ones_like(z)), numeric, atol=1e-8)
        assert activation(act.spec) == act
    np.testing.assert_allclose(activation([1.0, 2.0, 3.0]).forward(z), 1 + 2 * z + 3 * z**2)
    np.testing.assert_array_equal(activation("relu").forward(np.array([-1.0, 0.0, 2.0])),
                                  [0.0, 0.0, 2.0])


# --------------------------------------------------------------------------- bad input


BAD = [
    (lambda: nn.MLP([2], "tanh"), ShapeMismatchError, "widths"),
    (lambda: nn.MLP([2, 0, 1], "tanh"), ShapeMismatchError, "widths"),
    (lambda: nn.MLP(3, "tanh"), InvalidParameterError, "widths"),
    (lambda: nn.MLP([2, 1], "softmax"), MethodUnavailableError, "activation"),
    (lambda: nn.MLP([2, 1], "poly:1,x"), InvalidParameterError, "poly"),
    (lambda: nn.MLP([2, 1], "quadratic:abc"), InvalidParameterError, "quadratic"),
    (lambda: nn.MLP([2, 1], "tanh", alpha=0.3), InvalidParameterError, "alpha"),
    (lambda: nn.MLP([2, 1], "quadratic", alpha=float("nan")), InvalidParameterError, "alpha"),
    (lambda: nn.MLP([2, 2, 1], "tanh", learn_alpha=True), InvalidParameterError, "learn_alpha"),
    (lambda: nn.MLP([2, 3, 1], constraint="circulant"), ShapeMismatchError, "square"),
    (lambda: nn.MLP([2, 3, 1], constraint="banded"), MethodUnavailableError, "banded"),
    (lambda: nn.MLP([2, 3, 1], constraint=["free"]), ShapeMismatchError, "one entry per layer"),
    (lambda: nn.MLP([2, 3, 1], constraint={"inner": "free"}), InvalidParameterError, "keys"),
    (lambda: nn.MLP([2, 3, 1], constraint=C.free((2, 2))), ShapeMismatchError, "shape"),
    (lambda: nn.MLP([2, 3, 1], constraint=3), InvalidParameterError, "constraint"),
    (lambda: nn.MLP([2, 3, 1], bias="yes"), InvalidParameterError, "bias"),
    (lambda: nn.MLP([2, 1], seed=-1), InvalidParameterError, "seed"),
    (lambda: nn.MLP([2, 1], seed=1.5), InvalidParameterError, "seed"),
    (lambda: nn.MLP([2, 1], init_scale=-1), InvalidParameterError, "init_scale"),
    (lambda: nn.MLP([2, 1]).predict(np.ones((3, 3))), ShapeMismatchError, "X"),
    (lambda: nn.MLP([2, 1]).predict([[1.0, np.nan]]), InvalidParameterError, "finite"),
    (lambda: nn.MLP([2, 1]).fit(np.ones((3, 2)), np.ones((4, 1))), ShapeMismatchError, "Y"),
    (lambda: nn.MLP([2, 1]).fit(np.ones((3, 2)), np.ones((3, 1)), epochs=0),
     InvalidParameterError, "epochs"),
    (lambda: nn.MLP([2, 1]).fit(np.ones((3, 2)), np.ones((3, 1)), batch_size=2.5),
     InvalidParameterError, "batch_size"),
    (lambda: nn.MLP([2, 1]).fit(np.ones((3, 2)), np.ones((3, 1)), lr=-1),
     InvalidParameterError, "lr"),
    (lambda: nn.MLP([2, 1]).fit(np.ones((3, 2)), np.ones((3, 1)), optimizer="lbfgs"),
     MethodUnavailableError, "optimizer"),
    (lambda: nn.MLP([2, 1]).fit(np.ones((3, 2)), np.ones((3, 1)), validation=1.5),
     InvalidParameterError, "validation"),
    (lambda: nn.MLP([2, 1]).fit(np.ones((3, 2)), np.ones((3, 1)), patience=2),
     InvalidParameterError, "patience"),
    (lambda: nn.MLP([2, 1]).set_parameters({"x": 1}), ShapeMismatchError, "params"),
    (lambda: nn.MLP.from_dict({"model": "GNN"}), InvalidParameterError, "MLP"),
    (lambda: nn.from_dict([]), InvalidParameterError, "model"),
    (lambda: nn.GNN(nn.ring(6), block=4), ShapeMismatchError, "block"),
    (lambda: nn.GNN(nn.ring(6)), ShapeMismatchError, "block"),
    (lambda: nn.GNN(nn.ring(6), readout="mean", block=2), InvalidParameterError, "block"),
    (lambda: nn.GNN(nn.ring(6), readout="sum"), MethodUnavailableError, "readout"),
    (lambda: nn.GNN(nn.ring(6), readout="node", normalisation="rw"), MethodUnavailableError,
     "normalisation"),
    (lambda: nn.GNN(nn.ring(6), readout="node", constraint="circulant"), ShapeMismatchError,
     "square"),
    (lambda: nn.GNN(nn.ring(6), readout="node", constraint={"edges": "free"}),
     InvalidParameterError, "keys"),
    (lambda: nn.GNN(nn.ring(6), readout="node", layers=2,
                    constraint={"self": ["free"]}), ShapeMismatchError, "one entry per layer"),
    (lambda: nn.GNN(np.ones((2, 3)), readout="node"), ShapeMismatchError, "square"),
    (lambda: nn.GNN(nn.ring(4), readout="node", layers=-1), InvalidParameterError, "layers"),
    (lambda: nn.GNN(nn.ring(4), readout="node", bias={"x": True}), InvalidParameterError,
     "bias"),
    (lambda: nn.rg_dataset(gaussian, 7, 2, 5, 0), ShapeMismatchError, "block"),
    (lambda: nn.rg_dataset(gaussian, (4, 4), (2, 3), 5, 0), ShapeMismatchError, "block"),
    (lambda: nn.rg_dataset(gaussian, (4, 4), (2, 2, 2), 5, 0), ShapeMismatchError, "block"),
    (lambda: nn.rg_dataset(gaussian, 8, (2, 2), 5, 0), ShapeMismatchError, "block"),
    (lambda: nn.rg_dataset(gaussian, 0, 1, 5, 0), InvalidParameterError, "sites"),
    (lambda: nn.rg_dataset(gaussian, 8, 2, 0, 0), InvalidParameterError, "n="),
    (lambda: nn.rg_dataset(gaussian, 8, 2, 5, "seed"), InvalidParameterError, "rng"),
    (lambda: nn.rg_dataset(gaussian, 8, 2, 5, 0, normalisation="l2"), MethodUnavailableError,
     "normalisation"),
    (lambda: nn.rg_dataset(42, 8, 2, 5, 0), InvalidParameterError, "dist"),
    (lambda: nn.rg_dataset(lambda size, rng: np.ones(3), 8, 2, 5, 0), ShapeMismatchError,
     "dist"),
    (lambda: nn.block_spin(np.ones((2, 5)), 4, 2), ShapeMismatchError, "X"),
    (lambda: nn.normalise(np.ones((2, 3))), ShapeMismatchError, "square"),
    (lambda: nn.normalise(np.ones((2, 2)), "laplacian"), MethodUnavailableError, "mode"),
    (lambda: nn.normalise(-np.ones((2, 2))), InvalidParameterError, "symmetric"),
    (lambda: nn.ring(0), InvalidParameterError, "n="),
    (lambda: nn.grid(2, 0), InvalidParameterError, "M="),
    (lambda: nn.Graph(np.ones((2, 2)), sites=(3,)), ShapeMismatchError, "sites"),
    (lambda: nn.Adam(lr=0), InvalidParameterError, "lr"),
    (lambda: nn.Adam(beta1=1.0), InvalidParameterError, "beta1"),
    (lambda: nn.SGD(momentum=-0.1), InvalidParameterError, "momentum"),
]


@pytest.mark.parametrize("call, cls, fragment", BAD, ids=[f"{i}-{b[2]}" for i, b in enumerate(BAD)])
def test_bad_input_catalogue(call, cls, fragment):
    with pytest.raises(cls) as info:
        call()
    assert isinstance(info.value, CumulantError)
    assert fragment in str(info.value)
