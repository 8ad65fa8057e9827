"""Running the simulation many times: replicates with fixed seeds, provincial shards, executors.

Everything that starts processes (a pool or a Dask cluster) lives here; the numbers a run gives do not
depend on what ran it.
"""
