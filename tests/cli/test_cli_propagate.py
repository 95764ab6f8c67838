"""The ``cumulants propagate`` subcommand."""

import argparse
import pathlib
import subprocess
import sys

import pytest

import cumulants
from cumulants.cli_propagate import add_parser, parse_activation, run


def parser():
    p = argparse.ArgumentParser(prog="cumulants")
    add_parser(p.add_subparsers(dest="command"))
    return p


def call(argv, capsys):
    code = run(parser().parse_args(["propagate", *argv]))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_default_is_the_exact_quadratic_of_a_standard_normal(capsys):
    code, out, err = call([], capsys)
    assert code == 0 and err == ""
    # z + z^2/2, z ~ N(0, 1): kappa_1 = 1/2, kappa_2 = 1 + 2/4, kappa_3 = 2 alpha (3 + 4 alpha^2)
    assert "kappa_1 = 1/2\nkappa_2 = 3/2\nkappa_3 = 4\n" in out
    assert out.strip().endswith("result: exact")


def test_oracle_5_exact(capsys):
    code, out, _ = call(["--input", "normal:1,1", "--order", "5"], capsys)
    assert code == 0
    for line in ["kappa_1 = 2", "kappa_2 = 9/2", "kappa_3 = 13", "kappa_4 = 51", "kappa_5 = 252"]:
        assert line in out.splitlines()


def test_alpha_and_poly(capsys):
    _, out, _ = call(["--alpha", "0", "--input", "exponential:1", "--order", "3"], capsys)
    assert "kappa_3 = 2" in out.splitlines()
    _, out, _ = call(["--activation", "poly:0,0,1", "--input", "normal:0,1", "--order", "4"],
                     capsys)
    assert "kappa_4 = 48" in out.splitlines()             # docs/formulas.md §8 oracle 4
    _, out, _ = call(["--activation", "identity", "--input", "rademacher", "--order", "4"],
                     capsys)
    assert "kappa_4 = -2" in out.splitlines()


def test_relu_closure_is_labelled_approximate_with_exact_closed_forms(capsys):
    code, out, _ = call(["--activation", "relu", "--order", "4"], capsys)
    assert code == 0
    assert "kappa_1 = sqrt(2)/(2*sqrt(pi)) = 0.398942280401" in out
    assert "0.279708338353" in out                          # docs/formulas.md §8 oracle 6
    assert "result: approximate (gaussian-closure)" in out


@pytest.mark.parametrize("act", ["tanh", "erf", "gelu", "sigmoid", "heaviside", "sin", "exp"])
def test_every_activation_runs(act, capsys):
    code, out, err = call(["--activation", act, "--input", "uniform:-1,1", "--order", "2"], capsys)
    assert code == 0 and err == "" and "approximate" in out


def test_hermite_and_taylor_methods(capsys):
    _, out, _ = call(["--activation", "tanh", "--method", "hermite", "--degree", "4",
                      "--order", "2"], capsys)
    assert "result: approximate (hermite-4)" in out
    _, out, _ = call(["--activation", "tanh", "--method", "taylor", "--input", "normal:1,1",
                      "--order", "1"], capsys)
    assert "result: approximate (taylor-5)" in out


def test_latex(capsys):
    code, out, _ = call(["--latex", "--input", "normal:1,1", "--order", "2"], capsys)
    assert code == 0
    assert "\\begin{align*}" in out and "\\kappa_{2} &= \\frac{9}{2}" in out
    assert out.startswith("% propagate") and "result: exact" in out.splitlines()[0]


def test_simulate_prints_k_statistics_and_z_scores(capsys):
    code, out, _ = call(["--input", "normal:1,1", "--order", "3", "--simulate", "20000",
                         "--seed", "3"], capsys)
    assert code == 0
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if "k-statistic" in line)
    rows = [line.split() for line in lines[header + 1:header + 4]]
    assert [r[0] for r in rows] == ["1", "2", "3"]
    assert all(abs(float(r[-1])) < 4 for r in rows)        # z-scores of the exact prediction
    assert "20000 samples, seed 3" in out


def test_simulate_is_reproducible(capsys):
    args = ["--activation", "relu", "--order", "2", "--simulate", "5000", "--seed", "7"]
    assert call(args, capsys)[1] == call(args, capsys)[1]


@pytest.mark.parametrize("argv, message", [
    (["--activation", "swish"], "--activation='swish' is invalid"),
    (["--activation", "poly:0,x"], "coefficient='x'"),
    (["--activation", "poly:"], "coefficients"),
    (["--input", "cauchy:0,1"], "a name among"),
    (["--input", "normal:0"], "2 argument(s)"),
    (["--input", "normal:0,-1"], "sigma"),
    (["--order", "0"], "--order=0 is invalid"),
    (["--alpha", "1/0"], "non-zero denominator"),
    (["--activation", "relu", "--alpha", "2"], "--alpha applies"),
    (["--method", "hermite"], "non-polynomial activations only"),
    (["--activation", "relu", "--method", "taylor"], "not smooth"),
    (["--activation", "relu", "--degree", "0", "--method", "hermite"], "--degree=0"),
    (["--simulate", "3"], "--simulate=3 is invalid"),
    (["--activation", "relu", "--input", "uniform:-1,1", "--method", "hermite", "--order", "13"],
     "<= 12"),
])
def test_bad_input_is_one_line_on_stderr_and_status_2(argv, message, capsys):
    code, out, err = call(argv, capsys)
    assert code == 2
    assert err.startswith("cumulants propagate: error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_argparse_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        parser().parse_args(["propagate", "--order", "two"])
    assert exc.value.code == 2
    assert "invalid int value" in capsys.readouterr().err


def test_parse_activation():
    assert repr(parse_activation("quadratic", alpha="1/3")) == "Quadratic(alpha=1/3)"
    assert repr(parse_activation("RELU")) == "ReLU()"
    assert repr(parse_activation("poly:1,0.5")) == "Polynomial([1.0, 0.5])"


MAIN = pathlib.Path(cumulants.__file__).parent / "__main__.py"


@pytest.mark.skipif(not MAIN.exists(), reason="the cumulants command is not wired yet")
def test_python_dash_m_cumulants_propagate():
    ok = subprocess.run([sys.executable, "-m", "cumulants", "propagate", "--input", "normal:1,1",
                         "--order", "3"], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert "kappa_3 = 13" in ok.stdout.splitlines()
    bad = subprocess.run([sys.executable, "-m", "cumulants", "propagate", "--input", "cauchy:0,1"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2
    assert bad.stderr.startswith("cumulants propagate: error: ")
    assert "Traceback" not in bad.stderr
