"""The study behind ``cumulants reproduce``.

Networks of varied weight constraints and expressivity learn the real-space RG
block step on one law and are tested on others; every measurement is set beside
its closed-form cumulant prediction.  The parts:

* :mod:`~cumulants.experiments.config` -- the TOML configuration (built-in defaults);
* :mod:`~cumulants.experiments.cells` -- one (architecture, law, seed) cell, a pure function;
* :mod:`~cumulants.experiments.runner` -- planning, executors, atomic resumable storage;
* :mod:`~cumulants.experiments.report` -- tables, figures, LaTeX and ``results.json``.

>>> from cumulants.experiments import load_config, plan_cells
>>> len(plan_cells(load_config(quick=True)))
24
"""

from .config import load_config
from .report import summarise, write_report
from .runner import plan_cells, run_study

__all__ = ["load_config", "plan_cells", "run_study", "summarise", "write_report"]
