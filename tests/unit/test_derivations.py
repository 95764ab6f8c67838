"""Every script in derivations/ runs, writes a well-formed LaTeX document, and the
results it writes agree with independent computations."""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy

from cumulants import generalisation as G
from cumulants import rg

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted((ROOT / "derivations").glob("*.py"))


def load(name):
    spec = importlib.util.spec_from_file_location(f"derivation_{name}", ROOT / "derivations" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check_tex(path):
    tex = path.read_text()
    assert tex.startswith("\\documentclass{article}")
    assert tex.count("\\begin{document}") == tex.count("\\end{document}") == 1
    assert tex.rstrip().endswith("\\end{document}")
    assert tex.count("\\begin{align*}") == tex.count("\\end{align*}") >= 1
    for env in ("center", "tabular"):
        assert tex.count(f"\\begin{{{env}}}") == tex.count(f"\\end{{{env}}}")
    # braces balance (a cheap well-formedness check; no escaped braces are used)
    assert tex.count("{") - tex.count("\\{") == tex.count("}") - tex.count("\\}")
    for image in re.findall(r"\\includegraphics\[[^]]*\]\{([^}]*)\}", tex):
        assert (path.parent / image).stat().st_size > 1000
    return tex


def test_every_script_is_covered():
    assert {p.stem for p in SCRIPTS} == {"clt_recursion", "quadratic_activation", "constrained_mlp",
                                         "gnn_layer", "bound_same_sign"}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    out = tmp_path_factory.mktemp("derivations")
    return out, {p.stem: load(p.stem).main(out) for p in SCRIPTS}


def test_clt_recursion(outputs):
    out, results = outputs
    res = results["clt_recursion"]
    tex = check_tex(out / "clt_recursion.tex")
    assert "{\\kappa'_{3}} &= \\frac{\\kappa_{3}}{\\sqrt{b}}" in tex
    b = sympy.Symbol("b", positive=True)
    for n, eq in enumerate(res["recursion"], start=1):
        assert sympy.simplify(eq.rhs / sympy.Symbol(f"kappa_{n}", real=True) - b ** (1 - sympy.Rational(n, 2))) == 0
    assert res["eigenvalues"] == {n: sympy.Integer(2) ** (1 - sympy.Rational(n, 2)) for n in range(1, 7)}
    assert list(res["doubling_eigenvalues"].values()) == [2, sympy.sqrt(2), 1, sympy.sqrt(2) / 2,
                                                          sympy.Rational(1, 2), sympy.sqrt(2) / 4]
    assert res["eigenvalues_2d"] == {n: sympy.Integer(4) ** (1 - sympy.Rational(n, 2)) for n in range(1, 7)}
    assert res["classification"] == rg.classify(6, 2)
    assert res["fixed_points"] == rg.fixed_points(6, 2)
    for row in res["flow"]:
        k = row["step"]
        # Exp(1): gamma_1 = 2, gamma_2 = 6, divided by sqrt(N) and N, N = 2^k summed sites
        assert sympy.simplify(row["skewness"] - 2 / sympy.sqrt(2**k)) == 0
        assert row["excess_kurtosis"] == sympy.Rational(6, 2**k)


def test_quadratic_activation(outputs):
    out, results = outputs
    res = results["quadratic_activation"]
    check_tex(out / "quadratic_activation.tex")
    a = sympy.Symbol("alpha", real=True)
    k = {n: sympy.Symbol(f"kappa_{n}", real=True) for n in range(1, 9)}
    k[2] = next(s for s in res["general"][0].free_symbols if s.name == "kappa_2")
    k1, k2, k3, k4, k5, k6 = (k[n] for n in range(1, 7))
    # docs/formulas.md §3.2, typed in independently
    math_md = [
        k1 + a * (k1**2 + k2),
        k2 + a * (4 * k1 * k2 + 2 * k3) + a**2 * (4 * k1**2 * k2 + 4 * k1 * k3 + 2 * k2**2 + k4),
        k3 + a * (6 * k1 * k3 + 6 * k2**2 + 3 * k4)
        + a**2 * (12 * k1**2 * k3 + 24 * k1 * k2**2 + 12 * k1 * k4 + 24 * k2 * k3 + 3 * k5)
        + a**3 * (8 * k1**3 * k3 + 24 * k1**2 * k2**2 + 12 * k1**2 * k4 + 48 * k1 * k2 * k3
                  + 6 * k1 * k5 + 8 * k2**3 + 12 * k2 * k4 + 10 * k3**2 + k6),
    ]
    for got, want in zip(res["general"], math_md):
        assert sympy.expand(got - want) == 0
    mu, s = sympy.Symbol("mu", real=True), sympy.Symbol("s", positive=True)
    gauss = [
        mu + a * (mu**2 + s**2),
        s**2 * (1 + 4 * a * mu + 4 * a**2 * mu**2 + 2 * a**2 * s**2),
        2 * a * s**4 * (3 + 12 * a * mu + 12 * a**2 * mu**2 + 4 * a**2 * s**2),
        48 * a**2 * s**6 * (1 + 4 * a * mu + 4 * a**2 * mu**2 + a**2 * s**2),
    ]
    for got, want in zip(res["gaussian"], gauss):
        assert sympy.expand(got - want) == 0
    # the general kappa_4 reduces to the Gaussian one when kappa_{n>=3} = 0
    reduce = {k1: mu, k2: s**2, **{k[n]: 0 for n in range(3, 9)}}
    assert sympy.expand(res["general"][3].xreplace(reduce) - gauss[3]) == 0
    assert res["inputs_needed"] == 8


def test_constrained_mlp(outputs):
    out, results = outputs
    res = results["constrained_mlp"]
    tex = check_tex(out / "constrained_mlp.tex")
    assert "\\begin{tabular}" in tex and "same-sign & laplace" in tex
    assert res["verification"] == 0
    # docs/formulas.md §7 [D], typed in independently for d = 2
    a = sympy.Symbol("alpha", real=True)
    k2, k3, k4 = sympy.symbols("kappa_2 kappa_3 kappa_4", real=True)
    g1, g2, s1, s2 = sympy.symbols("g_1 g_2 g^*_1 g^*_2", real=True)
    m11, m12, m22, c0 = sympy.symbols("M_11 M_12 M_22 c_0", real=True)
    d1, d2 = g1 - s1, g2 - s2
    mean = c0 + a * k2 * (m11 + m22)
    var = (k2 * (d1**2 + d2**2) + 2 * a * k3 * (d1 * m11 + d2 * m22)
           + a**2 * (2 * k2**2 * (m11**2 + 2 * m12**2 + m22**2) + k4 * (m11**2 + m22**2)))
    assert sympy.expand(res["theorem"] - mean**2 - var) == 0
    # the bound: minimise k2 (t-1)^2 + alpha^2 2 k2^2 t^4/(v h)^2 on a fine grid
    t = np.linspace(0, 1.5, 1_500_001)
    grid = ((t - 1) ** 2 + 0.25 * 2 * t**4 / 4).min()
    assert float(res["bound"]) == pytest.approx(grid, abs=1e-11)
    rows = G.worked_gaps()
    assert [(r["model"], r["test"]) for r in rows] == [(r["model"], r["test"]) for r in res["worked_gaps"]]
    for r, s in zip(rows, res["worked_gaps"]):
        assert float(sympy.N(r["gap"] - s["gap"], 30)) == pytest.approx(0, abs=1e-25)
    c0s, g, M = res["form"]
    assert M == M.T and len(g) == 2 and c0s.has(sympy.Symbol("c", real=True))


def test_gnn_layer(outputs):
    out, results = outputs
    res = results["gnn_layer"]
    check_tex(out / "gnn_layer.tex")
    a, c = sympy.symbols("a c", real=True)
    n = 6
    A = sympy.Matrix(n, n, lambda i, j: 1 if abs(i - j) == 1 else 0)
    W = a * sympy.eye(n) + c * A
    assert res["weight"] == W
    ws = sympy.Matrix(2, 2, sympy.symbols("s_11 s_12 s_21 s_22", real=True))
    wn = sympy.Matrix(2, 2, sympy.symbols("n_11 n_12 n_21 n_22", real=True))
    A3 = sympy.Matrix(3, 3, lambda i, j: 1 if abs(i - j) == 1 else 0)
    kron = sympy.kronecker_product(sympy.eye(3), ws.T) + sympy.kronecker_product(A3, wn.T)
    assert res["kronecker"] == kron
    k2 = next(iter(res["cross_by_distance"][1].free_symbols - {a, c}))
    k3 = next(iter(res["third_by_distance"][1].free_symbols - {a, c}))
    W2 = W * W
    for d in range(1, n):
        assert sympy.expand(res["cross_by_distance"][d] - k2 * (W * W.T)[0, d]) == 0
        assert sympy.expand(res["third_by_distance"][d] - k3 * sum(W[0, j] ** 2 * W[d, j] for j in range(n))) == 0
        assert sympy.expand(res["two_hop_cross_by_distance"][d] - k2 * (W2 * W2.T)[0, d]) == 0
    assert res["cross_by_distance"][3] == 0 and res["two_hop_cross_by_distance"][5] == 0


def test_script_command_line(tmp_path):
    script = ROOT / "derivations" / "quadratic_activation.py"
    proc = subprocess.run([sys.executable, str(script), "--out", str(tmp_path)], capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "quadratic_activation.tex" in proc.stdout
    check_tex(tmp_path / "quadratic_activation.tex")


def test_bound_same_sign(outputs):
    out, results = outputs
    res = results["bound_same_sign"]
    check_tex(out / "bound_same_sign.tex")
    cf, num, sdp = res["closed_form"], res["witness"], res["sdp"]
    # closed-form extremes (calculus on the two cone-boundary curves) vs the SDP solver
    assert num["lower"] == pytest.approx(sdp.lower, rel=1e-7)
    assert num["upper"] == pytest.approx(sdp.upper, rel=1e-7)
    # the extremal laws: two atoms t, -1/t below; -h, u, h with u = -kappa_3/(h^2 - 1) above
    assert np.allclose(sorted(sdp.lower_law.atoms), sorted(num["lower_atoms"]), atol=1e-6)
    assert np.allclose(sorted(sdp.upper_law.atoms), sorted(num["upper_atoms"]), atol=1e-6)
    # h -> 1 (Rademacher is the only law): the two curves meet at kappa_3 = 0, kappa_4 = -2
    k3 = next(iter(cf["lower_curve"].free_symbols))
    assert cf["lower_curve"].subs(k3, 0) == -2
    hh = next(s for s in cf["upper_curve"].free_symbols if s.name == "h")
    assert sympy.limit(cf["upper_curve"].subs(k3, 0), hh, 1) == -2
