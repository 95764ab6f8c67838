"""The study machinery: configuration, atomic resumable cells, determinism, the command."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from cumulants.cli import main
from cumulants.experiments.config import load_config
from cumulants.experiments.report import write_report
from cumulants.experiments.runner import plan_cells, run_study
from cumulants.experiments.store import CellStore, atomic_write_json

TINY = textwrap.dedent("""
    [study]
    train_laws = ["uniform"]
    test_laws = ["gaussian", "rademacher"]
    train_samples = 512
    test_samples = 4000
    epochs = 4
    seeds = [0, 1]
    rg_steps = 2
    rg_samples = 2000
    predict_rg_steps = 1

    [[architectures]]
    name = "quad"
    kind = "mlp"
    hidden = [2]
    activation = "quadratic"
    constraint = { output = "same_sign" }

    [[architectures]]
    name = "lin"
    kind = "mlp"
    hidden = []
    activation = "identity"
    constraint = "free"
""")


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    return load_config(path)


def test_default_and_quick_configs_are_valid():
    full, quick = load_config(), load_config(quick=True)
    assert len(plan_cells(quick)) < len(plan_cells(full))
    assert quick["study"]["epochs"] <= full["study"]["epochs"]
    names = {a["name"] for a in full["architectures"]}
    assert {"linear", "quad-samesign-8", "quad-free-8", "gnn-1"} <= names


@pytest.mark.parametrize("text", [
    "[study]\nblock = 1\n",
    "[study]\nseeds = []\n",
    "[study]\ntest_laws = ['cauchy']\n",
    "[study]\nnot_a_key = 3\n",
    "[[architectures]]\nname='x'\nkind='transformer'\nactivation='relu'\n",
    "this is = = not toml",
])
def test_bad_configs_raise(tmp_path, text):
    from cumulants import CumulantError

    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(CumulantError):
        load_config(path)


def test_atomic_write_leaves_no_partial_file(tmp_path):
    target = tmp_path / "x.json"
    atomic_write_json(target, {"a": 1})

    class Boom:
        pass

    with pytest.raises(TypeError):
        atomic_write_json(target, {"a": Boom()})
    assert json.loads(target.read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


def test_resume_and_determinism(tiny, tmp_path):
    first = run_study(tiny, tmp_path / "a", workers=1, progress=False, max_cells=2)
    assert len(first["cells"]) == 2 and not first["complete"]
    # Resume: the two finished cells are loaded, only the rest are computed.
    mtimes = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "a" / "cells").iterdir()}
    second = run_study(tiny, tmp_path / "a", workers=1, progress=False)
    assert second["complete"] and len(second["timings"]) == len(plan_cells(tiny)) - 2
    for p in (tmp_path / "a" / "cells").iterdir():
        if p.name in mtimes:
            assert p.stat().st_mtime_ns == mtimes[p.name], "a finished cell was recomputed"
    write_report(tmp_path / "a", second["cells"], tiny)
    # Same seeds, fresh folder: byte-identical results.json.
    again = run_study(tiny, tmp_path / "b", workers=1, progress=False)
    write_report(tmp_path / "b", again["cells"], tiny)
    assert (tmp_path / "a" / "results.json").read_bytes() == (tmp_path / "b" / "results.json").read_bytes()


def test_stale_cells_are_recomputed(tiny, tmp_path):
    run_study(tiny, tmp_path, workers=1, progress=False, max_cells=1)
    store = CellStore(tmp_path)
    spec = plan_cells(tiny)[0]
    assert store.load(spec["id"], spec["hash"]) is not None
    tiny["study"]["epochs"] = 5  # a changed setting invalidates the stored cell
    spec2 = plan_cells(tiny)[0]
    assert spec2["hash"] != spec["hash"] and store.load(spec2["id"], spec2["hash"]) is None


def test_report_contents(tiny, tmp_path):
    res = run_study(tiny, tmp_path, workers=2, progress=False)
    summary = write_report(tmp_path, res["cells"], tiny)
    for name in ("report.md", "report.tex", "results.json", "rg_flow.png", "predicted_vs_measured.png"):
        assert (tmp_path / name).exists(), name
    data = json.loads((tmp_path / "results.json").read_text())
    z = [c["test"][t]["z"] for c in data["cells"] for t in c["test"] if c["polynomial"]]
    assert z and all(v is not None for v in z)
    assert summary["n_comparisons"] > 0
    tex = (tmp_path / "report.tex").read_text()
    assert tex.count("\\begin{document}") == tex.count("\\end{document}") == 1


def test_reproduce_command_errors(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[study]\nepochs = 0\n")
    assert main(["reproduce", "--config", str(bad), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "epochs" in err[0]
    assert main(["reproduce", "--config", str(tmp_path / "missing.toml")]) == 2
    assert main(["reproduce", "--print-config"]) == 0
    assert "[[architectures]]" in capsys.readouterr().out


def test_interrupted_run_resumes(tiny, tmp_path):
    """Kill a running study; the rerun keeps every finished cell."""
    cfg_path = tmp_path / "tiny.toml"
    cfg_path.write_text(TINY.replace("epochs = 4", "epochs = 40"))
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "cumulants", "reproduce", "--config", str(cfg_path),
                             "--out", str(out), "--workers", "1", "--no-progress"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    cells_dir = out / "cells"
    import time

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if cells_dir.exists() and any(p.suffix == ".json" for p in cells_dir.iterdir()):
            break
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    finished = {p.name: p.read_bytes() for p in cells_dir.iterdir() if p.suffix == ".json"}
    assert finished, "no cell finished before the kill"
    for blob in finished.values():
        json.loads(blob)  # every file on disk is complete JSON
    assert main(["reproduce", "--config", str(cfg_path), "--out", str(out), "--workers", "1",
                 "--no-progress"]) == 0
    for name, blob in finished.items():
        assert (cells_dir / name).read_bytes() == blob
    assert len(list(cells_dir.glob("*.json"))) == len(plan_cells(load_config(cfg_path)))


def test_dask_local_cluster(tiny, tmp_path):
    pytest.importorskip("distributed")
    res = run_study(tiny, tmp_path / "d", scheduler="local", workers=2, progress=False, max_cells=2)
    ref = run_study(tiny, tmp_path / "s", workers=1, progress=False, max_cells=2)
    assert [c["test"] for c in res["cells"]] == [c["test"] for c in ref["cells"]]


def test_quick_study_theory_matches_measurements(tmp_path):
    """The README's main job: every polynomial model's measured MSE is within 4 SE of theory."""
    assert main(["reproduce", "--quick", "--out", str(tmp_path), "--no-progress"]) == 0
    data = json.loads((tmp_path / "results.json").read_text())
    tests = [c["test"][t] for c in data["cells"] if c["polynomial"] for t in c["test"]]
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
    assert data["summary"]["n_within_threshold"] == data["summary"]["n_comparisons"]
    report = (tmp_path / "report.md").read_text()
    assert "Did the cumulant theory predict it?" in report
    # Rerunning loads every cell and rewrites identical results.
    before = (tmp_path / "results.json").read_bytes()
    assert main(["reproduce", "--quick", "--out", str(tmp_path), "--no-progress"]) == 0
    assert (tmp_path / "results.json").read_bytes() == before
