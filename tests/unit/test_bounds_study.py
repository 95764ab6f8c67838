"""The study's bound table and law-space figure, on small hand-built networks."""

import math

import pytest

from cumulants.errors import CumulantError
from cumulants.experiments.bounds_study import bound_rows, bounds_study, law_classes
from cumulants.layers import Dense, Network, Quadratic, Tanh

TARGET = Dense([[1 / math.sqrt(2)] * 2])
NETS = {
    "linear": Dense([[0.7, 0.7]]),
    "quad": Network([Dense([[0.7, 0.7], [0.2, 0.5]]), Quadratic(0.5), Dense([[0.8, 0.3]], [-0.2])]),
}


def test_rows_nest_and_match_direct_evaluation():
    rows = bound_rows(NETS, TARGET, c=1.0)
    assert [(r["model"], r["class"]) for r in rows] == [
        ("linear", "support"), ("linear", "support+kurtosis"),
        ("quad", "support"), ("quad", "support+kurtosis")]
    # a linear model's error is linear: MSE = |w - w*|^2 for every standardised law
    w = 0.7 - 1 / math.sqrt(2)
    assert rows[0]["lower"] == pytest.approx(2 * w * w, abs=1e-9)
    assert rows[0]["upper"] == pytest.approx(2 * w * w, abs=1e-9)
    wide, narrow = rows[2], rows[3]
    assert narrow["lower"] >= wide["lower"] - 1e-9 and narrow["upper"] <= wide["upper"] + 1e-9
    assert all(r["exact"] for r in rows)


def test_figure_files(tmp_path):
    out = bounds_study({"quad": NETS["quad"]}, TARGET, tmp_path, c=1.2)
    png, pdf = out["figures"]["quad"]
    assert png.suffix == ".png" and png.stat().st_size > 10000 and pdf.stat().st_size > 1000
    from matplotlib.image import imread
    assert imread(png).shape[1] == 5.2 * 200  # 200 dpi


def test_non_polynomial_model_is_labelled_approximate():
    net = Network([Dense([[0.7, 0.7]]), Tanh()])
    rows = bound_rows({"tanh": net}, TARGET, c=1.0, degree=2)
    assert all(r["approximate"] and not r["exact"] for r in rows)


def test_bad_half_width():
    with pytest.raises(CumulantError, match="half-width"):
        law_classes(0.5)
