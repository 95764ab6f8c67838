"""Training throughput of the numpy MLP against the same network in PyTorch (CPU).

For widths ``[4, w, 1]`` (``w`` in 8, 32, 64) with the quadratic activation ``z + z^2/2``,
times one epoch of Adam (mini-batches of ``--batch`` rows) on the 4-site block-sum data
and prints samples per second for both backends and their ratio.  PyTorch is optional: if
it is not importable its columns are skipped.

    python benchmarks/bench_nn.py [--samples 32768] [--batch 64] [--repeats 5] [--threads 1]
"""

from __future__ import annotations

import argparse
import time

from cumulants import nn

__all__ = ["time_numpy", "time_torch", "main"]

WIDTHS = (8, 32, 64)


def _best_of(run, repeats):
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - t0)
    return best


def time_numpy(X, Y, width, batch, repeats):
    """Seconds for one epoch of Adam with the numpy MLP (best of ``repeats``)."""
    net = nn.MLP([X.shape[1], width, 1], "quadratic", alpha=0.5, seed=0)
    opt = nn.Adam(lr=1e-3)
    net.fit(X[:batch], Y[:batch], epochs=1, batch_size=batch, optimizer=opt)  # warm-up
    return _best_of(lambda: net.fit(X, Y, epochs=1, batch_size=batch, optimizer=opt), repeats)


def time_torch(torch, X, Y, width, batch, repeats):
    """Seconds for one epoch of Adam with the same network in PyTorch (best of ``repeats``)."""
    torch.manual_seed(0)
    Xt = torch.from_numpy(X)
    Yt = torch.from_numpy(Y)
    lin1 = torch.nn.Linear(X.shape[1], width).double()
    lin2 = torch.nn.Linear(width, 1).double()
    params = list(lin1.parameters()) + list(lin2.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)
    gen = torch.Generator().manual_seed(0)

    def epoch():
        order = torch.randperm(Xt.shape[0], generator=gen)
        for s in range(0, Xt.shape[0], batch):
            idx = order[s:s + batch]
            z = lin1(Xt[idx])
            out = lin2(z + 0.5 * z * z)
            loss = torch.mean((out - Yt[idx]) ** 2)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()

    epoch()  # warm-up
    return _best_of(epoch, repeats)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=32768)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1,
                        help="torch intra-op threads (numpy uses its BLAS default)")
    args = parser.parse_args(argv)

    X, Y = nn.block_dataset(lambda size, rng: rng.normal(size=size), 4, args.samples, 0)
    try:
        import torch

        torch.set_num_threads(args.threads)
        peer = f"torch {torch.__version__} ({args.threads} thread(s))"
    except ImportError:
        torch = None
        peer = "torch not importable: peer skipped"
    print(f"one epoch of Adam, {args.samples} samples, batch {args.batch}, float64; {peer}")
    header = f"{'widths':>12} {'numpy samples/s':>16}"
    if torch is not None:
        header += f" {'torch samples/s':>16} {'numpy/torch':>12}"
    print(header)
    for w in WIDTHS:
        t_np = time_numpy(X, Y, w, args.batch, args.repeats)
        line = f"{str([4, w, 1]):>12} {args.samples / t_np:16.0f}"
        if torch is not None:
            t_th = time_torch(torch, X, Y, w, args.batch, args.repeats)
            line += f" {args.samples / t_th:16.0f} {t_th / t_np:12.2f}"
        print(line)


if __name__ == "__main__":
    main()
