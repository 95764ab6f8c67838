"""Shared oracles of the bounds tests: the SDP tolerance, moment symbols and exact MSEs
of discrete laws by enumeration (plain numpy forward passes, no moment machinery)."""

import itertools

import numpy as np

SDP_REL = 1e-6


def m(k):
    from cumulants.algebra.univariate import moment_symbol  # the symbol only (no moment code)

    return moment_symbol(k)


def enumerate_mse(net, target, atoms, weights):
    """Exact MSE of i.i.d. inputs with a discrete law: average over every tuple of atoms."""
    d = net.in_dim()
    X = np.array(list(itertools.product(atoms, repeat=d)), float)
    P = np.prod(np.array(list(itertools.product(weights, repeat=d)), float), axis=1)
    e = net.apply(X)[:, 0] - target.apply(X)[:, 0]
    return float(P @ e**2)
