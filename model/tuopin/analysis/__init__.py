"""Analyses of model runs: they compute and return tables and results, and write nothing.

:mod:`.forecast` (an ensemble's tables), :mod:`.relapse` (survival of exits, the at-risk list),
:mod:`.compare` (scenarios on common random numbers), :mod:`.calibrate` (ABC calibration and
backtest), :mod:`.sensitivity` (Morris, Sobol, tornado), :mod:`.optimize` (budget splits). Each
hands its model runs to :mod:`tuopin.runs.runner`; :mod:`tuopin.outputs` writes their folders.
"""
