"""The study store under hostile conditions: damaged cells, concurrent runs, Ctrl-C, kill -9.

Damaged, reshaped, edited and replaced cell files must be detected, reported and
recomputed; two runs may not write into one folder at once; SIGINT must stop a running
study within 2 s with "N of M cells saved; rerun to resume" and exit status 130; SIGKILL of
the parent must not leave worker processes behind.
"""

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time

import pytest

from cumulants import CumulantError
from cumulants.experiments.config import load_config
from cumulants.experiments.runner import plan_cells, run_study
from cumulants.experiments.store import CellStore, RunLock, StoreLockedError, content_checksum

ONE_CELL = textwrap.dedent("""
    [study]
    train_laws = ["uniform"]
    test_laws = ["gaussian"]
    train_samples = 256
    test_samples = 2000
    epochs = 2
    seeds = [0, 1]
    rg_steps = 2
    rg_samples = 1000
    predict_rg_steps = 1

    [[architectures]]
    name = "lin"
    kind = "mlp"
    hidden = []
    activation = "identity"
    constraint = "free"
""")


@pytest.fixture
def study(tmp_path):
    """A finished two-cell study in ``tmp_path/out``: (config, out folder, cell specs)."""
    path = tmp_path / "c.toml"
    path.write_text(ONE_CELL)
    cfg = load_config(path)
    out = tmp_path / "out"
    run_study(cfg, out, workers=1, progress=False, log=lambda m: None)
    return cfg, out, plan_cells(cfg)


def _rerun(cfg, out):
    said = []
    res = run_study(cfg, out, workers=1, progress=False, log=said.append)
    return res, said


@pytest.mark.parametrize("damage", ["truncated", "list", "no_hash", "edited", "replaced",
                                    "binary"])
def test_damaged_cells_are_recomputed_and_reported(study, damage):
    cfg, out, specs = study
    spec, other = specs
    path = CellStore(out).path(spec["id"])
    good = json.loads(path.read_text())
    if damage == "truncated":
        path.write_text(path.read_text()[:40])
    elif damage == "list":
        path.write_text("[1, 2, 3]")
    elif damage == "no_hash":
        path.write_text(json.dumps({k: v for k, v in good.items() if k != "hash"}))
    elif damage == "edited":  # a number changed, hash and checksum kept
        edited = json.loads(path.read_text())
        edited["seed"] = 99
        path.write_text(json.dumps(edited))
    elif damage == "replaced":  # another cell's file copied over this one
        path.write_text(CellStore(out).path(other["id"]).read_text())
    else:
        path.write_bytes(b"\xff\xfe\x00garbage")
    res, said = _rerun(cfg, out)
    assert res["complete"] and res["resumed"] == 1
    assert len(said) == 1 and spec["id"] in said[0] and "recomputing" in said[0]
    again = json.loads(path.read_text())
    assert again["checksum"] == content_checksum(again) and again["seed"] == good["seed"]


def test_intact_cells_are_reused_silently(study):
    cfg, out, _ = study
    res, said = _rerun(cfg, out)
    assert res["resumed"] == 2 and said == []


def test_cell_files_are_world_readable(study):
    _, out, specs = study
    old = os.umask(0o022)
    os.umask(old)
    for spec in specs:
        mode = stat.S_IMODE(os.stat(CellStore(out).path(spec["id"])).st_mode)
        assert mode == 0o666 & ~old


def test_a_second_run_into_the_same_folder_is_refused(study):
    cfg, out, _ = study
    with RunLock(out):
        with pytest.raises(StoreLockedError, match="another run") as info:
            run_study(cfg, out, workers=1, progress=False)
    assert isinstance(info.value, CumulantError)
    run_study(cfg, out, workers=1, progress=False)  # the lock is released


def test_lock_held_by_another_process(study, tmp_path):
    cfg, out, _ = study
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom cumulants.experiments.store import RunLock\n"
         f"with RunLock({str(out)!r}):\n    print('locked', flush=True)\n    time.sleep(30)\n"],
        stdout=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(StoreLockedError, match="another run"):
            run_study(cfg, out, workers=1, progress=False)
    finally:
        holder.kill()
        holder.wait()
    run_study(cfg, out, workers=1, progress=False)  # the kernel released the dead holder's lock


def _children(pid):
    """Pids whose parent is ``pid`` (Linux /proc)."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                out.append(int(entry))
    return out


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _start_slow_study(tmp_path):
    """A study whose cells take seconds each, on two worker processes; waits for the workers."""
    cfg = tmp_path / "slow.toml"
    cfg.write_text(ONE_CELL.replace("epochs = 2", "epochs = 5000")
                   .replace("seeds = [0, 1]", "seeds = [0, 1, 2, 3]"))
    proc = subprocess.Popen([sys.executable, "-m", "cumulants", "reproduce", "--config", str(cfg),
                             "--out", str(tmp_path / "out"), "--workers", "2", "--no-progress"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    workers = []
    while time.monotonic() < deadline and len(workers) < 2:
        time.sleep(0.1)
        # spawn workers (and the resource tracker) are children of the command's process
        workers = [p for p in _children(proc.pid)
                   if "spawn_main" in open(f"/proc/{p}/cmdline").read()]
    assert len(workers) >= 2, "the study did not start its workers"
    # Wait until every worker has run its initializer (it ignores SIGINT: bit 2 of SigIgn).
    while time.monotonic() < deadline and not all(_ignores_sigint(w) for w in workers):
        time.sleep(0.1)
    assert all(_ignores_sigint(w) for w in workers), "the workers did not initialise"
    return proc, workers


def _ignores_sigint(pid):
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("SigIgn:"):
                    return bool(int(line.split()[1], 16) & (1 << (signal.SIGINT - 1)))
    except OSError:
        return False
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc")
def test_ctrl_c_stops_the_study_within_two_seconds(tmp_path):
    proc, workers = _start_slow_study(tmp_path)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
    elapsed = time.monotonic() - t0
    assert proc.returncode == 130
    assert elapsed < 2.0, f"took {elapsed:.1f} s"
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "cells saved; rerun to resume" in lines[0], err
    time.sleep(0.5)
    assert not [w for w in workers if _alive(w)]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc")
def test_no_orphan_workers_after_kill_9(tmp_path):
    proc, workers = _start_slow_study(tmp_path)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.1)
    left = [w for w in workers if _alive(w)]
    for w in left:  # clean up before failing
        os.kill(w, signal.SIGKILL)
    assert not left, f"orphan workers {left}"
