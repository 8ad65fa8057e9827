"""What tuopin asks of the Dask workers it uses, as a worker plugin (imported only with Dask in use).

A Dask worker samples its task thread's stack every 10 ms for the dashboard's profile page, and each
sample takes the GIL from the replicate: a Jingzhou replicate took 0.428 s on a worker started with the
default settings against 0.402 s on one without the sampling, alternating on one cluster
(benchmarks/README.md, round 12). :class:`QuietWorkers` stops the sampling on every worker of the cluster
tuopin is connected to, those that join later included, and starts it again when tuopin lets the cluster
go, so a cluster started the usual way runs replicates at full speed with nothing set by its owner.
"""

from __future__ import annotations

from distributed import WorkerPlugin

SAMPLING = ("profile", "profile-cycle")  # the worker's periodic callbacks that sample and fold the stacks


class QuietWorkers(WorkerPlugin):
    name = "tuopin-quiet-workers"

    def setup(self, worker) -> None:
        self.stopped = [key for key in SAMPLING if (pc := worker.periodic_callbacks.get(key)) and pc.is_running()]
        for key in self.stopped:
            worker.periodic_callbacks[key].stop()

    def teardown(self, worker) -> None:
        for key in getattr(self, "stopped", ()):
            worker.periodic_callbacks[key].start()
