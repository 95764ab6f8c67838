"""Exact cumulants of wide networks: the contraction route against the closed form and the old routes.

Goals (issue 13), all float64, one run on one machine:

(a) Gaussian i.i.d. inputs, ``y = v.(u + u^2/2)``, ``u = W x``, d = 64, h = 1024,
    kappa_1..kappa_8: within 10x of the closed form
    ``kappa_n = 2^(n-1)(n-1)! tr M^n + 2^(n-3) n! g^T M^(n-2) g`` (timed in numpy beside it);
(b) uniform / exponential i.i.d. inputs, d = 64, h = 1024, kappa_1..kappa_6: under 1 s;
(c) two quadratic hidden layers (output degree 4), d = 16, h = 256, kappa_1..kappa_4: under 10 s;
(d) two message-passing layers with quadratic activation on a 64-node ring, 2 features,
    kappa_1..kappa_4 of every node and the nearest-neighbour cross-cumulants: under 10 s;
(e) peak memory under 2 GB for every goal case (each goal runs in a fresh process; its
    resident-set peak, VmHWM, includes the interpreter and its imports).

Beside them: the expanded polynomial route at small sizes (ratio), growth exponents
in d, h and n (least-squares slope of log time), and the measured times of all three
routes on a few small cases, written to ``benchmarks/results/wide_routes.json`` (the
test suite checks that the route cost model picks the measured fastest).
Timings are best of ``--repeat`` warm calls (diagram shapes are enumerated once per
order and cached); the first (cold) call is reported too.  BLAS runs on one thread for
both sides.
"""

from __future__ import annotations

import os

# one BLAS thread for ours and the closed form alike: fair, and steady on a shared machine
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import json
import math
import multiprocessing as mp
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"


def _net(d, h, seed=0, depth=1):
    from cumulants.layers import Dense, Network, Quadratic

    rng = np.random.default_rng(seed)
    layers, width = [], d
    for _ in range(depth):
        layers += [Dense(rng.normal(size=(h, width)) / np.sqrt(width)), Quadratic(0.5)]
        width = h
    layers.append(Dense(rng.normal(size=(1, width)) / np.sqrt(width)))
    return layers, Network(layers)


def _law(name):
    from cumulants.distributions import Exponential, Normal, Uniform

    return {"gaussian": Normal(0, 1), "uniform": Uniform(-1, 1), "exponential": Exponential(1)}[name]


def _best(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), times[0], out


def closed_form(W, v, order):
    """Issue 13's closed form for y = v.(u + u^2/2), u = W x, x ~ N(0, I)."""
    M = (W.T * (0.5 * v)) @ W
    g = W.T @ v
    powers = [np.eye(M.shape[0])]
    for _ in range(order):
        powers.append(powers[-1] @ M)
    out = [np.trace(M)]
    for n in range(2, order + 1):
        out.append(2 ** (n - 1) * math.factorial(n - 1) * np.trace(powers[n])
                   + 2.0 ** (n - 3) * math.factorial(n) * g @ powers[n - 2] @ g)
    return out


def one_layer(d, h, order, law, repeat, route="contraction", seed=0):
    from cumulants.state import Cumulants

    layers, net = _net(d, h, seed)
    x = Cumulants.iid(_law(law), d, 2)
    best, cold, out = _best(lambda: net.propagate(x, order, route=route), repeat)
    return best, cold, out.marginal(0), layers


def gaussian_case(d, h, order, repeat):
    best, cold, ours, layers = one_layer(d, h, order, "gaussian", repeat)
    W, v = layers[0].weight, layers[2].weight[0]
    ref_t, _, ref = _best(lambda: closed_form(W, v, order), max(repeat, 20))
    err = max(abs(a - b) / abs(b) for a, b in zip(ours, ref))
    return {"d": d, "h": h, "order": order, "ours": best, "cold": cold, "closed": ref_t,
            "ratio": best / ref_t, "max_rel_diff": err}


def two_layer(d, h, order, law, repeat, route="contraction"):
    from cumulants.state import Cumulants

    _, net = _net(d, h, depth=2)
    x = Cumulants.iid(_law(law), d, 2)
    best, cold, out = _best(lambda: net.propagate(x, order, route=route), repeat)
    return best, cold, out.marginal(0)


def gnn(nodes, order, repeat):
    from cumulants.layers import MessagePassing, Network, Quadratic, normalise_adjacency, ring_graph
    from cumulants.layers.contraction import group_cumulants
    from cumulants.state import Cumulants

    rng = np.random.default_rng(1)
    A = np.asarray(normalise_adjacency(ring_graph(nodes).astype(float), "symmetric"), dtype=float)
    net = Network([
        MessagePassing(A, rng.normal(size=(1, 2)), rng.normal(size=(1, 2))), Quadratic(0.5),
        MessagePassing(A, rng.normal(size=(2, 2)) / 2, rng.normal(size=(2, 2)) / 2), Quadratic(0.5),
        MessagePassing(np.zeros((nodes, nodes)), rng.normal(size=(2, 1)), np.zeros((2, 1))),
    ])
    x = Cumulants.iid(_law("uniform"), nodes, 2)
    groups = [(a, (a + 1) % nodes) for a in range(nodes)]
    best, cold, out = _best(lambda: group_cumulants(net, x, order, groups), repeat)
    return best, cold, [out[0][0, 0, 0, 0], out[0][0, 0, 1, 1]]


def _slope(xs, ts):
    return float(np.polyfit(np.log(xs), np.log(ts), 1)[0])


def _child(name, args, queue):
    res = globals()[name](*args)
    # VmHWM: this process's own resident peak (ru_maxrss would carry the parent's over exec)
    with open("/proc/self/status") as fh:
        hwm = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM"))
    queue.put((res[:2] if isinstance(res, tuple) else res, hwm / 1024))


def in_fresh_process(name, *args):
    """(result, peak resident MiB) of ``name(*args)`` run in a new interpreter."""
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(name, args, q))
    p.start()
    out = q.get()
    p.join()
    return out


def routes(repeat):
    """Measured seconds of the three routes on small one-hidden-layer cases (uniform inputs)."""
    cases = []
    for d, h, order in [(2, 3, 3), (3, 6, 3), (4, 16, 2), (6, 24, 3)]:
        seconds = {}
        for route in ("polynomial", "layerwise", "contraction"):
            if route == "layerwise" and h > 8:
                seconds[route] = None  # would need a dense order-2n tensor of the hidden layer
                continue
            if route == "polynomial" and d >= 6:
                seconds[route] = None
                continue
            seconds[route] = one_layer(d, h, order, "uniform", repeat, route=route)[0]
        cases.append({"d": d, "h": h, "order": order, "seed": 0, "seconds": seconds})
        print(f"    d={d:>2} h={h:>3} n={order}: " + "  ".join(
            f"{k} {v * 1e3:8.1f} ms" if v is not None else f"{k} (skipped)" for k, v in seconds.items()))
    return cases


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="skip the growth sweeps")
    args = parser.parse_args(argv)
    r = args.repeat
    report = {}

    print("(a) Gaussian i.i.d., one quadratic hidden layer: ours vs the closed form")
    g = gaussian_case(64, 1024, 8, r * 4)
    print(f"    d=64 h=1024 n=8: ours {g['ours'] * 1e3:.2f} ms (cold {g['cold'] * 1e3:.0f} ms), "
          f"closed form {g['closed'] * 1e3:.2f} ms, ratio {g['ratio']:.1f}x (goal <= 10x), "
          f"max rel diff {g['max_rel_diff']:.1e}")
    report["gaussian"] = g
    if not args.quick:
        sweeps = {"d": [(dd, 1024, 8) for dd in (32, 64, 128)],
                  "h": [(64, hh, 8) for hh in (256, 1024, 4096)],
                  "n": [(64, 1024, nn) for nn in (4, 6, 8)]}
        for key, pts in sweeps.items():
            rows = [gaussian_case(*p, r * 2) for p in pts]
            xs = [p[{"d": 0, "h": 1, "n": 2}[key]] for p in pts]
            report[f"gaussian_growth_{key}"] = {
                "x": xs, "ours": [q["ours"] for q in rows], "closed": [q["closed"] for q in rows],
                "slope_ours": _slope(xs, [q["ours"] for q in rows]),
                "slope_closed": _slope(xs, [q["closed"] for q in rows])}
            gr = report[f"gaussian_growth_{key}"]
            print(f"    growth in {key} {xs}: ours exponent {gr['slope_ours']:.2f}, closed form "
                  f"{gr['slope_closed']:.2f}, ratios "
                  + ", ".join(f"{q['ratio']:.1f}x" for q in rows))

    print("(b) non-Gaussian i.i.d., d=64 h=1024, kappa_1..kappa_6 (goal < 1 s)")
    for law in ("uniform", "exponential"):
        best, cold, ks, _ = one_layer(64, 1024, 6, law, r)
        print(f"    {law:<12} {best:.3f} s (cold {cold:.3f} s)   kappa_6 = {ks[5]:.6g}")
        report[f"iid_{law}"] = {"seconds": best, "cold": cold}
    pr_t = one_layer(4, 16, 4, "uniform", 1, route="polynomial")
    co_t = one_layer(4, 16, 4, "uniform", r)
    diff = max(abs(a - b) / abs(b) for a, b in zip(pr_t[2], co_t[2]))
    print(f"    side by side d=4 h=16 n=4: polynomial route {pr_t[0]:.3f} s, ours "
          f"{co_t[0] * 1e3:.2f} ms, ratio {pr_t[0] / co_t[0]:.0f}x, max rel diff {diff:.1e}")
    report["iid_small_side_by_side"] = {"polynomial": pr_t[0], "ours": co_t[0], "rel_diff": diff}
    if not args.quick:
        xs, ts = (16, 32, 64), []
        for dd in xs:
            ts.append(one_layer(dd, 1024, 6, "uniform", r)[0])
        report["iid_growth_d"] = {"x": list(xs), "t": ts, "slope": _slope(xs, ts)}
        ns, tn = (2, 4, 6), []
        for nn in ns:
            tn.append(one_layer(64, 1024, nn, "uniform", r)[0])
        report["iid_growth_n"] = {"x": list(ns), "t": tn, "slope": _slope(ns, tn)}
        print(f"    growth exponents: d {report['iid_growth_d']['slope']:.2f} (d=16..64), "
              f"n {report['iid_growth_n']['slope']:.2f} (n=2..6, shapes grow factorially)")

    print("(c) two quadratic hidden layers, d=16 h=256, kappa_1..kappa_4 (goal < 10 s)")
    best, cold, ks = two_layer(16, 256, 4, "uniform", 2)
    print(f"    uniform {best:.2f} s (cold {cold:.2f} s: the monomial-table index maps are cached)"
          f"   kappa_4 = {ks[3]:.6g}")
    report["two_layer"] = {"seconds": best, "cold": cold}
    sm_p = two_layer(3, 6, 4, "uniform", 1, route="polynomial")
    sm_c = two_layer(3, 6, 4, "uniform", r)
    diff = max(abs(a - b) / abs(b) for a, b in zip(sm_p[2], sm_c[2]))
    print(f"    side by side d=3 h=6 n=4: polynomial route {sm_p[0]:.2f} s, ours {sm_c[0] * 1e3:.1f} ms,"
          f" ratio {sm_p[0] / sm_c[0]:.0f}x, max rel diff {diff:.1e}")
    report["two_layer_small_side_by_side"] = {"polynomial": sm_p[0], "ours": sm_c[0], "rel_diff": diff}
    if not args.quick:
        xs, ts = (8, 12, 16), []
        for dd in xs:
            ts.append(two_layer(dd, 256, 4, "uniform", 1)[0])
        report["two_layer_growth_d"] = {"x": list(xs), "t": ts, "slope": _slope(xs, ts)}
        print(f"    growth exponent in d (8..16): {report['two_layer_growth_d']['slope']:.2f}")

    print("(d) GNN: 2 message-passing layers + quadratic, 64-node ring, 2 features, "
          "kappa_1..4 of every node and nearest-neighbour pair (goal < 10 s)")
    best, cold, ex = gnn(64, 4, 1)
    print(f"    {best:.2f} s   kappa_4(y_0) = {ex[0]:.6g}, kappa(y_0,y_0,y_1,y_1) = {ex[1]:.6g}")
    report["gnn"] = {"seconds": best}

    print("(e) peak resident memory of each goal case in a fresh process")
    mem = {}
    for label, name, a in [("gaussian d=64 h=1024 n=8", "one_layer", (64, 1024, 8, "gaussian", 1)),
                           ("uniform d=64 h=1024 n=6", "one_layer", (64, 1024, 6, "uniform", 1)),
                           ("exponential d=64 h=1024 n=6", "one_layer",
                            (64, 1024, 6, "exponential", 1)),
                           ("two layers d=16 h=256 n=4", "two_layer", (16, 256, 4, "uniform", 1)),
                           ("GNN ring 64", "gnn", (64, 4, 1))]:
        (t, _cold), peak = in_fresh_process(name, *a)
        mem[label] = {"seconds_cold_process": t, "peak_mib": peak}
        print(f"    {label:<30} peak {peak:7.0f} MiB   ({t:.2f} s, first call in a new process)")
    report["memory"] = mem

    print("(f) the three routes on small cases (for the cost-model test)")
    cases = routes(max(1, r // 2))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "wide_routes.json").write_text(json.dumps(cases, indent=1) + "\n")
    report["routes"] = cases
    tmp = RESULTS / "wide.json.tmp"
    tmp.write_text(json.dumps(report, indent=1, default=float) + "\n")
    tmp.replace(RESULTS / "wide.json")


if __name__ == "__main__":
    main()
