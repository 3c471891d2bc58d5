"""Figures from stvp results: sweep CSVs (stvp_explore --sweep) and stats JSON (stvp --stats).

`stvp-plot CSV...` (cli.py) draws, per sweep CSV, the speedup and energy-ratio curves against
the varying parameter (log2 axis where it spans powers of two, a dense reference), the energy
breakdown and the MAC utilisation per point (with the dense run's value as reference).
"""

from .figures import load_sweep_csv, sweep_figures, training_figure, load_stats  # noqa: F401
