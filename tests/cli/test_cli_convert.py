"""The ``cumulants`` command: convert subcommand and error handling."""

import subprocess
import sys

import pytest

from cumulants.cli import main


def test_convert_formula(capsys):
    assert main(["convert", "--order", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "kappa_3 = 2*m_1**3 - 3*m_1*m_2 + m_3"


def test_convert_moments_latex(capsys):
    assert main(["convert", "--order", "2", "--to", "moments", "--latex"]) == 0
    out = capsys.readouterr().out
    assert "\\begin{align*}" in out and "\\kappa_{1}^{2} + \\kappa_{2}" in out


def test_convert_values_and_central(capsys):
    assert main(["convert", "--values", "1,5,13,73"]) == 0
    assert capsys.readouterr().out.split() == ["kappa_1", "=", "1", "kappa_2", "=", "4",
                                               "kappa_3", "=", "0", "kappa_4", "=", "0"]
    assert main(["convert", "--order", "4", "--central", "--only"]) == 0
    assert capsys.readouterr().out.strip() == "kappa_4 = -3*mu_2**2 + mu_4"


@pytest.mark.parametrize("argv", [
    ["convert", "--order", "0"],
    ["convert", "--order", "x"],
    ["convert"],
    ["convert", "--values", "1,,2"],
    ["convert", "--to", "nowhere", "--order", "2"],
    ["nosuchcommand"],
])
def test_bad_arguments_exit_2_with_one_line(argv, capsys):
    with pytest.raises(SystemExit) as info:
        code = main(argv)
        raise SystemExit(code)
    assert info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "error" in err[0]


def test_module_entry_point():
    proc = subprocess.run([sys.executable, "-m", "cumulants", "convert", "--order", "2"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0
    assert "kappa_2 = -m_1**2 + m_2" in proc.stdout
    bad = subprocess.run([sys.executable, "-m", "cumulants", "convert", "--order", "-3"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
