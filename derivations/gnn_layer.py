r"""Message passing as an affine Kronecker map; cross cumulants from shared neighbours (docs/formulas.md §3.6).

Writes ``gnn_layer.tex``: a message-passing layer :math:`h' = h W_s + A h W_n` is the
affine map :math:`I\otimes W_s^T + A\otimes W_n^T` on the node-major stacked features,
so every cumulant order propagates exactly by multilinearity.  On a chain with i.i.d.
node inputs, nodes that share a neighbour acquire cross cumulants of every order
(:math:`\kappa_n\sum_j W_{u_1 j}\cdots W_{u_n j}`); after one hop nodes at distance
:math:`\ge 3` stay independent, after two hops distance :math:`\ge 5`.
``gnn_layer.png`` shows the covariance after one and two hops.

    python derivations/gnn_layer.py --out DIR
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import sympy

from cumulants.layers import MessagePassing, Network, chain_graph
from cumulants.printing import document, derivation_cli
from cumulants.state import Cumulants

NODES = 6
A_S, A_N = sympy.symbols("a c", real=True)


def compute(nodes=NODES):
    """Every result the document shows, as sympy objects."""
    adj = chain_graph(nodes)
    layer = MessagePassing(adj, [[A_S]], [[A_N]])
    ws = sympy.Matrix(2, 2, sympy.symbols("s_11 s_12 s_21 s_22", real=True))
    wn = sympy.Matrix(2, 2, sympy.symbols("n_11 n_12 n_21 n_22", real=True))
    two_feature = MessagePassing(chain_graph(3), ws, wn)
    x = Cumulants.symbolic(nodes, 3)
    one = layer.propagate(x)
    two = Network([layer, layer]).propagate(x)
    return {
        "weight": sympy.Matrix(layer.weight.tolist()),
        "kronecker": sympy.Matrix(two_feature.weight.tolist()),
        "covariance": sympy.Matrix(one.tensor(2).tolist()),
        "cross_by_distance": {d: sympy.factor(one[0, d]) for d in range(1, nodes)},
        "third_by_distance": {d: sympy.factor(one[0, 0, d]) for d in range(1, nodes)},
        "two_hop_cross_by_distance": {d: sympy.factor(two[0, d]) for d in range(1, nodes)},
    }


def _plot(path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = Cumulants.symbolic(NODES, 2)
    subs = {"kappa_1": 0, "kappa_2": 1}
    layer = MessagePassing(chain_graph(NODES), [[1]], [[1]])
    one = layer.propagate(x.subs(subs))
    two = Network([layer, layer]).propagate(x.subs(subs))
    fig, axes = plt.subplots(1, 2, figsize=(7, 3.2))
    for ax, state, title in ((axes[0], one, "one hop"), (axes[1], two, "two hops")):
        im = ax.imshow(np.array(state.tensor(2), dtype=float), cmap="viridis")
        ax.set_title(f"covariance after {title}")
        ax.set_xlabel("node")
        ax.set_ylabel("node")
        fig.colorbar(im, ax=ax, shrink=0.8)
    fig.suptitle(r"chain, $h' = h + A h$, i.i.d. unit-variance inputs", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(out_dir):
    """Write ``gnn_layer.tex`` and ``.png`` into ``out_dir``; return the results shown."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    res = compute()

    def k(d, primes="'"):
        return rf"\kappa(h{primes}_0, h{primes}_{{{d}}})"

    sections = [
        ("Step 1. On node-major stacked features (index $u f + i$) the layer "
         "$h' = h W_s + A h W_n$ is the linear map $I \\otimes W_s^T + A \\otimes W_n^T$. "
         "Three nodes on a chain, two features:", [("W", res["kronecker"])]),
        (f"Step 2. Scalar features on a chain of {NODES} nodes, $h'_u = a h_u + c \\sum_{{v\\sim u}} "
         "h_v$:", [("W", res["weight"])]),
        ("Step 3. For i.i.d. node inputs with cumulants $\\kappa_n$, multilinearity gives "
         "$\\kappa(h'_{u_1}, \\dots, h'_{u_n}) = \\kappa_n \\sum_j W_{u_1 j}\\cdots W_{u_n j}$. "
         "Cross covariances of node 0 with node $d$ (one hop): non-zero exactly when the "
         "two nodes share a neighbour or are neighbours.",
         [(k(d), v) for d, v in res["cross_by_distance"].items()]),
        ("Third-order cross cumulants $\\kappa(h'_0, h'_0, h'_d)$:",
         [(rf"\kappa(h'_0, h'_0, h'_{{{d}}})", v) for d, v in res["third_by_distance"].items()]),
        ("Step 4. Two hops ($h'' = W h' = W^2 h$) spread the correlations to distance 4; the i.i.d. assumption "
         "behind a per-node CLT fails (formula reference \\S2.2, \\S6.10):",
         [(k(d, "''"), v) for d, v in res["two_hop_cross_by_distance"].items()]),
        ("\\begin{center}\\includegraphics[width=0.8\\textwidth]{gnn_layer.png}\\end{center}",
         None),
    ]
    (out / "gnn_layer.tex").write_text(
        document("Message passing and cross cumulants", sections,
                 preamble="\\usepackage{graphicx}"))
    _plot(out / "gnn_layer.png")
    return res


def _cli(argv=None):
    derivation_cli(main, __doc__, "gnn_layer.tex", argv)


if __name__ == "__main__":
    _cli()
