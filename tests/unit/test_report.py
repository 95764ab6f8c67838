"""The study's report: the quick study run once, its Markdown, LaTeX, figures and provenance.

The quick study runs once per module (``quick_study`` fixture) and every test here
reads its output.  Expected values come from the study's own definitions (the
configuration, the closed forms in ``results.json``) or are derived by hand in a
comment; nothing is copied from a previous run.
"""

from __future__ import annotations

import io
import json
import math
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cumulants import __version__
from cumulants.cli import main
from cumulants.experiments.claims import CLAIMS, VERDICTS
from cumulants.experiments.config import config_hash, load_config
from cumulants.experiments.document import (Figure, Num, Paragraph, Section, Table, format_number,
                                            to_latex, to_markdown)
from cumulants.experiments.executor import SerialExecutor, completed
from cumulants.experiments.progress import Progress

ROOT = Path(__file__).resolve().parents[2]


def _markdown_parser():
    markdown_it = pytest.importorskip("markdown_it")
    return markdown_it.MarkdownIt("gfm-like")


@pytest.fixture(scope="module")
def quick_study(tmp_path_factory):
    """Run ``cumulants reproduce --quick`` once; return its output folder."""
    out = tmp_path_factory.mktemp("quick")
    assert main(["reproduce", "--quick", "--out", str(out), "--no-progress"]) == 0
    return out


@pytest.fixture(scope="module")
def results(quick_study):
    return json.loads((quick_study / "results.json").read_text())


# ------------------------------------------------------------------ theory vs measurement
def test_quick_study_theory_matches_measurements(quick_study, results):
    """The README's main job: every polynomial model's measured MSE is within 4 SE of theory."""
    tests = [c["test"][t] for c in results["cells"] if c["polynomial"] for t in c["test"]]
    # Only exactly representable fits (MSE at float rounding on both sides) lack a z-score.
    assert all(v["z"] is not None or max(v["mse"], v["predicted"]) < 1e-20 for v in tests)
    zs = [v["z"] for v in tests if v["z"] is not None]
    assert len(zs) >= 40 and all(abs(z) < 4 for z in zs)
    # The spread, not only the maximum: with right standard errors the z-scores are
    # ~N(0, 1), so over R of them the mean has SE 1/sqrt(R) and the standard deviation
    # SE ~1/sqrt(2R); 5 SE bands.  An SE off by sqrt(n) squeezes every |z| towards 0,
    # which the share of |z| < 0.05 (4% for N(0, 1); < 25% allows for chance) also catches.
    R = len(zs)
    mean = sum(zs) / R
    sd = (sum((z - mean) ** 2 for z in zs) / (R - 1)) ** 0.5
    assert abs(mean) < 5 / R**0.5 and abs(sd - 1) < 5 / (2 * R) ** 0.5, (mean, sd)
    assert sum(abs(z) < 0.05 for z in zs) < 0.25 * R
    assert results["summary"]["n_within_threshold"] == results["summary"]["n_comparisons"]


def test_rerun_loads_every_cell_and_rewrites_the_same_numbers(quick_study, results):
    assert main(["reproduce", "--quick", "--out", str(quick_study), "--no-progress"]) == 0
    again = json.loads((quick_study / "results.json").read_text())
    first = dict(results)
    # Everything but the date of the provenance record is a function of the cells.
    p1, p2 = dict(first.pop("provenance")), dict(again.pop("provenance"))
    assert again == first
    p1.pop("date"), p2.pop("date")
    assert p1 == p2


def test_kappa4_slopes_match_closed_forms(results):
    """Fitted dMSE/dkappa_4 of each degree-2 model agrees with the exact coefficient."""
    slopes = [s for s in results["summary"]["slopes"]
              if s["has_closed_form"] and s["kappa4"]["z"] is not None]
    assert len(slopes) >= 6
    for s in slopes:
        assert abs(s["kappa4"]["z"]) < results["config"]["study"]["z_threshold"], s
    # Same-sign models keep a quadratic remainder: sum_i A_ii^2 > 0, so the slope is positive.
    for s in slopes:
        if s["architecture"].startswith("quad-samesign"):
            assert s["kappa4"]["closed_form"] > 0


def test_affine_closed_form_reproduces_the_predicted_mse(results):
    """a + s_3 kappa_3 + s_4 kappa_4 equals the exact predicted MSE on each variance-1 law.

    The exact MSE of a degree-2 error is affine in (kappa_3, kappa_4) at fixed kappa_2
    (docs/formulas.md section 7); the law's cumulants are those of the catalogue laws.
    """
    from cumulants.experiments.analysis import law_cumulants

    v = results["config"]["study"]["variance"]
    checked = 0
    for c in results["cells"]:
        aff = c.get("mse_affine")
        if not aff:
            continue
        for t, e in c["test"].items():
            if "@" in t:
                continue
            k = law_cumulants(t, v)
            pred = aff["intercept"] + aff["kappa3"] * k[2] + aff["kappa4"] * k[3]
            assert math.isclose(pred, e["predicted"], rel_tol=1e-7, abs_tol=1e-25), (c["id"], t)
            checked += 1
    assert checked >= 40


# --------------------------------------------------------------------------- report.md
def test_certified_ranges_contain_the_exact_mse_of_every_law_in_the_class(results):
    """The uniform test law of the study's variance lies in both certified classes (support
    [-sqrt(3) sigma, sqrt(3) sigma] for bounds_c = 1; excess kurtosis -6/5 in [-1.2, 3]), so
    its exact MSE -- computed by the cell independently of the bound, by cumulant
    propagation -- must lie in every certified range, up to the conic solver's tolerance."""
    study = load_config(quick=True)["study"]
    assert study["bounds_c"] == 1.0 and study["bounds_kurtosis"][0] <= -1.2
    checked = 0
    for cell in results["cells"]:
        if not cell["polynomial"]:
            assert "bounds" not in cell
            continue
        exact_uniform = cell["test"]["uniform"]["predicted"]
        for label in ("support", "support+kurtosis"):
            b = cell["bounds"][label]
            tol = 1e-8 * max(1.0, abs(b["upper"]))
            assert b["exact"] and b["lower"] - tol <= exact_uniform <= b["upper"] + tol
            # each end is attained by an explicit law of the class, re-evaluated exactly
            assert abs(b["upper_attained"] - b["upper"]) <= 1e-7 * max(1.0, b["upper"])
            assert abs(sum(b["upper_law"]["weights"]) - 1) < 1e-9
            assert max(abs(a) for a in b["upper_law"]["atoms"]) <= math.sqrt(3) + 1e-9
            checked += 1
        # the narrower class never widens the range
        s, k = cell["bounds"]["support"], cell["bounds"]["support+kurtosis"]
        assert s["lower"] - 1e-9 <= k["lower"] and k["upper"] <= s["upper"] + 1e-9
    assert checked >= 2 * 10


def test_bound_reloads_a_saved_cell(quick_study, capsys):
    """``cumulants bound --model CELL.json`` rebuilds the trained model from the cell file and
    certifies the same range over the same class as the study did during the run."""
    path = quick_study / "cells" / "quad-samesign-8__gaussian__s0.json"
    cell = json.loads(path.read_text())
    h = math.sqrt(3)  # bounds_c = 1, variance 1: the uniform law's support
    capsys.readouterr()
    assert main(["bound", "--model", str(path), "--support", f"{-h!r},{h!r}", "--mean", "0",
                 "--variance", "1", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    want = cell["bounds"]["support"]
    assert got["exact"] and math.isclose(got["lower"], want["lower"], rel_tol=1e-6)
    assert math.isclose(got["upper"], want["upper"], rel_tol=1e-6)


def test_report_has_the_bounds_section_and_figure(quick_study):
    text = (quick_study / "report.md").read_text()
    section = text.split("## Certified ranges over classes of laws", 1)[1].split("\n## ", 1)[0]
    assert "| model | trained on | ID MSE |" in section and "worst, all laws" in section
    assert "(bounds_region.png)" in section and (quick_study / "bounds_region.pdf").exists()
    assert "claim (b)" in section


def test_report_markdown_tables_figures_and_claims(quick_study):
    md = (quick_study / "report.md").read_text()
    tokens = _markdown_parser().parse(md)
    # every block of lines starting with "|" is a table for a GFM parser
    blocks = re.findall(r"(?:^\|.*\n)+", md, flags=re.M)
    assert len(blocks) >= 8
    assert sum(t.type == "table_open" for t in tokens) == len(blocks)
    # every referenced figure exists (PNG for Markdown, PDF for LaTeX)
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    assert len(images) >= 6
    for name in images:
        assert (quick_study / name).exists(), name
        assert (quick_study / name).with_suffix(".pdf").exists(), name
    # one section per claim, each with a verdict and numbers
    sections = re.split(r"^### ", md, flags=re.M)
    for key in CLAIMS:
        sec = [s for s in sections if s.startswith(f"Claim ({key})")]
        assert len(sec) == 1, key
        verdict = re.search(r"\*\*Verdict: ([a-z ]+)\*\*", sec[0])
        assert verdict and verdict.group(1) in VERDICTS, key
        assert sec[0].split("\n", 1)[0].endswith(verdict.group(1))
        assert re.search(r"\d\.\d", sec[0]), f"claim ({key}) has no numbers"
    for heading in ("Question and hypotheses", "Method", "Results", "Anomalies", "Limitations",
                    "Provenance"):
        assert f"\n## {heading}\n" in md
    # in the results, round-off is shown as exact, never as an MSE of order 1e-32
    res = md.split("\n## Results\n", 1)[1].split("\n## ", 1)[0]
    assert "exact (0 within rounding)" in res and not re.search(r"e-3[0-9]|10⁻³", res)


def test_report_explains_the_anomalies_with_numbers(quick_study, results):
    md = (quick_study / "report.md").read_text()
    anomalies = md.split("\n## Anomalies\n", 1)[1].split("\n## ", 1)[0]
    assert "inputs outside" in anomalies and "%" in anomalies
    for a in results["summary"]["training"]:
        assert f"| {a['seed']} |" in anomalies


# ------------------------------------------------------------------------------ LaTeX
def test_report_tex_is_a_complete_document(quick_study):
    tex = (quick_study / "report.tex").read_text()
    assert tex.count("\\begin{document}") == tex.count("\\end{document}") == 1
    assert "\\usepackage{booktabs}" in tex
    n_tab = tex.count("\\begin{tabular}")
    assert n_tab >= 8 and tex.count("\\toprule") == tex.count("\\bottomrule") == n_tab
    figs = re.findall(r"\\includegraphics\[[^\]]*\]\{([^}]+)\}", tex)
    assert len(figs) >= 6 and all((quick_study / f).exists() for f in figs)
    assert not re.search(r"(?<!\\)kappa'", tex), "kappa' printed as a word"
    assert "\\kappa'_n" in tex
    # no bare Markdown left over, no unescaped table separators in text
    assert "**" not in tex and "`" not in tex.replace("``", "")


@pytest.mark.slow
def test_report_tex_compiles(quick_study, tmp_path):
    """pdflatex builds the report (CI installs TeX Live when apt is available)."""
    if shutil.which("pdflatex") is None:
        pytest.skip("no TeX engine")
    for p in quick_study.iterdir():
        if p.suffix in (".tex", ".pdf", ".png"):
            shutil.copy(p, tmp_path)
    for _ in range(2):  # twice, for the references
        proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                               "report.tex"], cwd=tmp_path, capture_output=True, text=True,
                              timeout=300)
        assert proc.returncode == 0, proc.stdout[-3000:]
    assert (tmp_path / "report.pdf").stat().st_size > 50_000
    log = (tmp_path / "report.log").read_text(errors="replace")
    assert "undefined references" not in log


# ---------------------------------------------------------------------- files, figures
def test_results_json_has_provenance(quick_study, results):
    p = results["provenance"]
    assert p["version"] == __version__
    assert p["config_hash"] == config_hash(load_config(quick=True))
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", p["date"])
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", p["python"])
    assert {"numpy", "sympy", "mpmath", "matplotlib"} <= set(p["libraries"])
    assert p["git_commit"] is None or re.fullmatch(r"[0-9a-f]{40}", p["git_commit"])


def test_output_files_are_world_readable(quick_study):
    files = [p for p in quick_study.iterdir() if p.is_file() and not p.name.startswith(".")]
    assert {"report.md", "report.tex", "results.json", "timings.json"} <= {p.name for p in files}
    for p in files:
        if p.suffix in (".md", ".tex", ".json", ".png", ".pdf"):
            assert stat.S_IMODE(p.stat().st_mode) == 0o644, p.name


def test_figures_open_at_200_dpi(quick_study):
    Image = pytest.importorskip("PIL.Image")
    pngs = sorted(quick_study.glob("*.png"))
    assert len(pngs) >= 6
    for p in pngs:
        with Image.open(p) as im:
            w, h = im.size
            dpi = im.info.get("dpi", (0, 0))
        assert abs(dpi[0] - 200) < 1, (p.name, dpi)
        # at 200 dpi a figure at least 4 inches wide and 2.5 high
        assert w >= 800 and h >= 500, (p.name, w, h)
        assert p.with_suffix(".pdf").read_bytes()[:5] == b"%PDF-"


# --------------------------------------------------------------------- document model
def test_markdown_tables_escape_pipes():
    md = to_markdown([Table(["max |z|", "x"], [["a|b", Num(1.5, 0.25)]], "cap", "t")])
    rows = [line for line in md.splitlines() if line.startswith("|")]
    assert rows[0] == "| max \\|z\\| | x |"
    tokens = _markdown_parser().parse(md)
    cells = [t.content for t in tokens if t.type == "inline" and t.map and t.map[0] >= 2]
    assert "max |z|" in cells and "a|b" in cells


def test_latex_escapes_text_but_keeps_math():
    tex = to_latex([Section("S_1 & 50%", [Paragraph("a_b $\\kappa_4$ **x** `y_z`")])], title="T")
    assert "\\section{S\\_1 \\& 50\\%}" in tex
    assert "a\\_b $\\kappa_4$ \\textbf{x} \\texttt{y\\_z}" in tex


def test_wide_latex_tables_are_split_with_key_columns_repeated():
    header = ["model", "law", *[f"c{i}" for i in range(7)]]
    tex = to_latex([Table(header, [["m", "g", *map(str, range(7))]], "cap", "w")], title="T")
    assert tex.count("\\begin{tabular}") == 3  # 7 data columns in parts of at most 3
    assert tex.count("model & law") == 3


def test_figure_block_uses_the_pdf_in_latex():
    tex = to_latex([Figure("kappa.png", "cap", "k")], title="T")
    assert "\\includegraphics[width=1\\linewidth]{kappa.pdf}" in tex


@given(st.floats(1e-15, 1e6), st.floats(1e-3, 0.5))
def test_number_format_keeps_value_within_half_a_last_digit(value, rel):
    """Parse '1.234(21)×10⁻⁴' back: the shown value is the true one rounded at the SE's 2nd digit."""
    se = value * rel
    text = format_number(Num(value, se, floor=None))
    m = re.fullmatch(r"(-?[\d.]+)\((\d+)\)(?:×10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+))?", text)
    assert m, text
    exp = int(m.group(3).translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789"))) if m.group(3) else 0
    mant = m.group(1)
    dec = len(mant.split(".")[1]) if "." in mant else 0
    unit = 10.0 ** (exp - dec)
    assert abs(float(mant) * 10.0 ** exp - value) <= 0.5 * unit * (1 + 1e-9)
    shown_se = int(m.group(2)) * unit
    assert 10 <= int(m.group(2)) <= 99 or dec == 0
    assert abs(shown_se - se) <= 0.5 * unit * (1 + 1e-9) + (se if dec == 0 else 0)


def test_values_below_float_resolution_are_exact():
    assert format_number(Num(1.8e-32, 1e-33)) == "exact (0 within rounding)"
    assert format_number(Num(None)) == "—"


# ------------------------------------------------------------------ progress and workers
def test_serial_executor_yields_each_result_before_running_the_next():
    ran = []

    def work(x):
        ran.append(x)
        return x

    gen = completed(SerialExecutor(), work, [1, 2, 3])
    assert next(gen) == 1 and ran == [1]  # the second item has not run yet
    assert list(gen) == [2, 3]


def test_progress_eta_after_resume_counts_only_new_cells():
    now = [100.0]
    out = io.StringIO()
    bar = Progress(20, stream=out, initial=15, clock=lambda: now[0])
    for _ in range(2):
        now[0] += 10.0
        bar.update(1, "cell")
    # 2 new cells in 20 s: 10 s per cell, 3 cells left -> 30 s (not 20 s * 3/17)
    assert bar.eta_seconds == pytest.approx(30.0)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and lines[-1].startswith("17/20 cells") and "eta 00:30" in lines[-1]
    bar.close()


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_workers_must_be_positive(value, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["reproduce", "--workers", value])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--workers" in err[0] and ">= 1" in err[0]


def test_help_states_measured_runtimes(capsys):
    with pytest.raises(SystemExit):
        main(["reproduce", "--help"])
    text = capsys.readouterr().out
    assert "minute" in text and "--workers N" in text and "N >= 1" in text


# ----------------------------------------------------------------------------- README
def test_readme_renders_prose_as_prose_and_code_as_code():
    """No doctest line outside a code fence, no prose swallowed by one."""
    md = (ROOT / "README.md").read_text()
    tokens = _markdown_parser().parse(md)
    paragraphs = [t.content for t in tokens if t.type == "inline"]
    assert not any(p.lstrip().startswith(">>>") for p in paragraphs)
    for fence in (t for t in tokens if t.type == "fence" and t.info == "python"):
        lines = [ln for ln in fence.content.splitlines() if ln.strip()]
        assert lines and lines[0].startswith(">>>"), fence.content[:80]
    assert any("The CLT as an RG recursion" in p for p in paragraphs)
    assert sum(t.type == "table_open" for t in tokens) >= 1
