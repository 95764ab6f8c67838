"""Hostile-input catalogue: bad library calls and bad command lines, run under caps."""
