"""Outputs: results folders, reports and figures.

:mod:`.results` is the one writer of results folders (atomic, with one manifest schema for every
command) and reads a manifest back; :mod:`.plots` draws the shared figures; one module per
command writes its folder: :mod:`.forecast` (``run``, ``rerun``), :mod:`.compare`,
:mod:`.calibration` (``calibrate``, ``backtest``), :mod:`.sensitivity`, :mod:`.optimize`.
"""
