"""``cumulants propagate --model``: a trained network from an ONNX or cm.nn JSON file."""

import argparse
import json

import numpy as np
import pytest

import cumulants as cm
from cumulants.cli_propagate import add_parser, run

pytest.importorskip("onnx")


def call(argv, capsys):
    p = argparse.ArgumentParser(prog="cumulants")
    add_parser(p.add_subparsers(dest="command"))
    code = run(p.parse_args(["propagate", *argv]))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def quadratic_net(tmp_path):
    net = cm.nn.MLP([2, 3, 1], "quadratic:0.5", seed=0).to_network()
    path = tmp_path / "net.onnx"
    cm.io.to_onnx(net, path)
    return net, path


def test_model_cumulants_are_the_networks(quadratic_net, capsys):
    net, path = quadratic_net
    code, out, err = call(["--model", str(path), "--input", "uniform:-1,1", "--order", "4"],
                          capsys)
    assert code == 0, err
    state = cm.Cumulants.iid(cm.distributions.Uniform(-1, 1), 2, net.required_order(4))
    want = net.propagate(state, order=4).marginal(0)
    lines = out.splitlines()
    assert lines[0].startswith("propagate net(x) = Dense -> Quadratic -> Dense")
    for n, w in enumerate(want, start=1):
        assert f"kappa_{n} = {float(w):.12g}" in lines
    assert lines[-1] == "result: exact"


def test_model_simulation_agrees_in_standard_errors(quadratic_net, capsys):
    _, path = quadratic_net
    code, out, err = call(["--model", str(path), "--input", "uniform:-1,1", "--order", "3",
                           "--simulate", "20000", "--seed", "3"], capsys)
    assert code == 0, err
    rows = [line.split() for line in out.splitlines() if line[:3].strip().isdigit()]
    z = [float(r[-1]) for r in rows]
    assert len(z) == 3 and max(abs(v) for v in z) < 4.5     # z-scores from the estimators' SE


def test_json_model_and_several_outputs(tmp_path, capsys):
    mlp = cm.nn.MLP([2, 2], "identity", seed=1)
    path = tmp_path / "mlp.json"
    path.write_text(json.dumps(mlp.to_dict()))
    code, out, err = call(["--model", str(path), "--input", "normal:0,1", "--order", "2"],
                          capsys)
    assert code == 0, err
    W = mlp.weights()[0]
    # y = W x + b with x ~ N(0, I): var(y_j) = sum_k W_jk^2
    for j in range(2):
        line = next(l for l in out.splitlines() if l.startswith(f"kappa_2(y_{j}) = "))
        assert float(line.split("= ")[1]) == pytest.approx(float(np.sum(W[j] ** 2)), rel=1e-12)


@pytest.mark.parametrize("extra, message", [
    (["--activation", "tanh"], "exclude each other"),
    (["--model", "missing.onnx"], "existing file"),
    (["--model", "net.txt"], ".onnx file"),
])
def test_model_errors_exit_2(extra, message, capsys, quadratic_net):
    _, path = quadratic_net
    argv = (["--model", str(path)] if "--model" not in extra else []) + extra
    code, out, err = call(argv, capsys)
    assert code == 2 and message in err and "Traceback" not in err


def test_unsupported_model_exits_2(tmp_path, capsys):
    from onnx import TensorProto, helper

    g = helper.make_graph([helper.make_node("Softmax", ["x"], ["y"], name="soft")], "g",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 2])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 2])])
    path = tmp_path / "soft.onnx"
    import onnx

    onnx.save(helper.make_model(g), path)
    code, _, err = call(["--model", str(path)], capsys)
    assert code == 2 and "'soft' (op Softmax)" in err
