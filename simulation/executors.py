"""Where the runs of a design execute: this process, a local process pool, or Dask.

Every executor maps one function over a list of tasks and yields ``(task index,
result)`` as each finishes, in whatever order; the caller stores results by index, so
the tables do not depend on the executor or on the number of workers. Each task carries
its own seed (see :mod:`simulation.design`).

- ``serial``: in this process, one task after another.
- ``pool``: a local process pool (the default), fork on Linux and spawn elsewhere
  (:func:`simulation.experiment.pool_context`).
- ``dask``: Dask distributed (``pip install 'influencer-sim[dask]'``), either a
  ``LocalCluster`` started for the run and bound to 127.0.0.1, or a running scheduler
  given by address (``tcp://HOST:PORT``), whose workers must have ``influencer-sim``
  installed.

Workers are capped at the number of tasks and, on this machine, the number of cores.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any

from .params import ScenarioError

EXECUTORS = ("serial", "pool", "dask")


def worker_count(requested: int | None, tasks: int) -> int:
    """``requested`` (default: the cores), at most the tasks and the cores, at least 1.

    Examples
    --------
    >>> worker_count(64, 1)
    1
    """
    cores = os.cpu_count() or 1
    return max(1, min(requested or cores, cores, max(tasks, 1)))


class SerialExecutor:
    """Run the tasks in this process."""

    def __init__(self, workers: int | None = None, tasks: int = 1):
        self.description = {"name": "serial", "workers": 1}

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def map_unordered(self, fn: Callable, tasks: Sequence) -> Iterator[tuple[int, Any]]:
        for k, task in enumerate(tasks):
            yield k, fn(task)


class PoolExecutor:
    """A local process pool over all tasks."""

    def __init__(self, workers: int | None = None, tasks: int = 1):
        from .experiment import pool_context

        self.workers = worker_count(workers, tasks)
        self.context = pool_context()
        self.description = {"name": "pool", "workers": self.workers, "start_method": self.context.get_start_method()}
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self):
        self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=self.context)
        return self

    def __exit__(self, exc_type, *exc) -> None:
        # on Ctrl-C: drop what has not started, do not wait for what has
        self.pool.shutdown(wait=exc_type is None, cancel_futures=True)

    def map_unordered(self, fn: Callable, tasks: Sequence) -> Iterator[tuple[int, Any]]:
        # at most two tasks queued per worker: a Ctrl-C leaves little half-done work
        pending: dict[Any, int] = {}
        queue = iter(enumerate(tasks))
        for k, task in queue:
            pending[self.pool.submit(fn, task)] = k
            if len(pending) >= 2 * self.workers:
                break
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                k = pending.pop(fut)
                yield k, fut.result()
                nxt = next(queue, None)
                if nxt is not None:
                    pending[self.pool.submit(fn, nxt[1])] = nxt[0]


class DaskExecutor:
    """Dask distributed: a LocalCluster on 127.0.0.1 started for the run, or a scheduler by address."""

    def __init__(self, workers: int | None = None, tasks: int = 1, scheduler: str | None = None):
        try:
            from dask.distributed import Client, LocalCluster  # noqa: F401
        except ImportError:
            raise ScenarioError(
                "the Dask executor needs dask[distributed]: pip install 'influencer-sim[dask]'"
            ) from None
        self.scheduler = scheduler
        self.workers = worker_count(workers, tasks)
        self.cluster = None
        self.client = None
        self.description: dict[str, Any] = {"name": "dask"}

    def __enter__(self):
        import logging

        from dask.distributed import Client, LocalCluster

        if self.scheduler:
            try:
                self.client = Client(self.scheduler, timeout="10s")
            except (OSError, TimeoutError, ValueError) as exc:
                raise ScenarioError(
                    f"--scheduler {self.scheduler}: cannot connect ({exc}); expected the address of a running "
                    "Dask scheduler, e.g. tcp://10.0.0.5:8786"
                ) from None
            n = len(self.client.scheduler_info().get("workers", {}))
            self.description = {"name": "dask", "scheduler": self.scheduler, "workers": n}
        else:
            self.cluster = LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,  # the model is single-threaded numpy; one run per process
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            self.client = Client(self.cluster)
            self.description = {"name": "dask", "scheduler": "LocalCluster 127.0.0.1", "workers": self.workers}
        return self

    def __exit__(self, *exc) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def map_unordered(self, fn: Callable, tasks: Sequence) -> Iterator[tuple[int, Any]]:
        from dask.distributed import as_completed

        futures = self.client.map(fn, list(tasks), pure=False)
        index = {fut.key: k for k, fut in enumerate(futures)}
        try:
            for fut, result in as_completed(futures, with_results=True):
                yield index[fut.key], result
        finally:
            self.client.cancel(futures)


def make_executor(name: str = "pool", *, workers: int | None = None, scheduler: str | None = None, tasks: int = 1):
    """An executor by name (a ``scheduler`` address implies ``dask``); use it as a context manager."""
    if scheduler:
        return DaskExecutor(workers, tasks, scheduler)
    if name == "serial" or (name == "pool" and worker_count(workers, tasks) == 1):
        return SerialExecutor(workers, tasks)
    if name == "pool":
        return PoolExecutor(workers, tasks)
    if name == "dask":
        return DaskExecutor(workers, tasks)
    raise ScenarioError(f"executor {name!r}: expected one of {', '.join(EXECUTORS)}")
