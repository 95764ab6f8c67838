"""The ``cumulants bound`` subcommand."""

import json

import pytest

from cumulants.cli import main


def run(argv, capsys):
    code = main(["bound", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


BASE = ["--arch", "quad-samesign-2", "--epochs", "3", "--support", "-2,2", "--mean", "0",
        "--variance", "1"]


def test_table(capsys):
    code, out, err = run(BASE, capsys)
    assert code == 0 and err == ""
    assert "sdp-moment-cone" in out and "lower" in out and "upper" in out


def test_json_is_consistent(capsys):
    code, out, _ = run(BASE + ["--kurtosis", "-1.2,3", "--json"], capsys)
    d = json.loads(out)
    assert code == 0 and d["exact"] and d["lower"] <= d["lower_attained"] <= d["upper_attained"]
    assert abs(sum(d["upper_law"]["weights"]) - 1) < 1e-12


def test_latex(capsys):
    code, out, _ = run(BASE + ["--latex"], capsys)
    assert code == 0 and r"\mathrm{MSE}" in out


def test_unbounded_support_reports_infinite_worst_case(capsys):
    code, out, _ = run(["--arch", "quad-samesign-2", "--epochs", "3", "--mean", "0",
                        "--variance", "1"], capsys)
    assert code == 0 and "infinite" in out


@pytest.mark.parametrize("argv, word", [
    (["--arch", "nope", "--support", "-1,1"], "--arch"),
    (BASE[:4] + ["--support", "2,-2"], "reversed"),
    (BASE[:4] + ["--support", "-0.5,0.5", "--mean", "0", "--variance", "1"], "empty"),
    (BASE + ["--kurtosis", "3,-1.2"], "lo <= hi"),
    (BASE + ["--kurtosis", "abc"], "not a number"),
    (["--arch", "tanh-deep", "--epochs", "1", "--support", "-1,1"], "method"),
])
def test_bad_input_exits_2_with_one_line(argv, word, capsys):
    code, out, err = run(argv, capsys)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and word in err


def test_model_file_gives_the_library_range(tmp_path, capsys):
    """``--model net.onnx`` bounds the imported network: the same range as mse_range on it."""
    pytest.importorskip("onnx")
    import math

    import cumulants as cm
    from cumulants.bounds import LawClass, mse_range

    net = cm.Network([cm.Dense([[0.62, 0.58], [0.5, 0.55], [0.45, 0.61]]), cm.Quadratic(0.5),
                      cm.Dense([[0.4096, 0.36, 0.4356]], [-0.3])])
    path = tmp_path / "net.onnx"
    cm.io.to_onnx(net, str(path))
    code, out, err = run(["--model", str(path), "--support", "-2,2", "--mean", "0",
                          "--variance", "1", "--json"], capsys)
    assert code == 0 and err == ""
    d = json.loads(out)
    # oracle: the library's own range of the hand-built network against b^-1/2 * sum
    ref = mse_range(net, cm.Dense([[1 / math.sqrt(2)] * 2]), LawClass.standardised((-2, 2)))
    assert d["exact"] and math.isclose(d["lower"], ref.lower, rel_tol=1e-6)
    assert math.isclose(d["upper"], ref.upper, rel_tol=1e-6)


def test_model_and_arch_are_exclusive(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["bound", "--arch", "linear", "--model", str(tmp_path / "x.onnx")])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not allowed with" in err[0]


def test_model_file_missing_exits_2(tmp_path, capsys):
    code, out, err = run(["--model", str(tmp_path / "missing.onnx"), "--support", "-2,2"], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1
