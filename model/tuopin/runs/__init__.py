"""Runs: replicates of scenarios, and the runner that hands them to processes.

:mod:`.replicate` runs one replicate and keeps its compact summary (and reads and writes
checkpoint files); :mod:`.shards` splits a large scenario into independent pieces and adds their
replicates up; :mod:`.ensemble` turns a scenario into the points of an ensemble, with their seeds;
:mod:`.runner` runs points in this process, a process pool or on Dask, in point order, with
checkpoints and a progress bar — the only place that starts processes.
"""
