"""Where cells run: in-process, on local processes, or on a Dask cluster.

Every backend is a :class:`concurrent.futures.Executor`, so the runner does not
care which one it got.  ``--scheduler ADDRESS`` connects to a Dask distributed
scheduler (extra ``dask``) and uses its executor interface.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import os

from ..errors import MethodUnavailableError, bad_argument

__all__ = ["make_executor", "SerialExecutor", "completed"]


class SerialExecutor(cf.Executor):
    """Runs each task immediately in the calling process (deterministic, debuggable)."""

    def submit(self, fn, /, *args, **kwargs):
        fut = cf.Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - propagated through the future
            fut.set_exception(exc)
        return fut


def completed(executor, fn, items):
    """Yield ``fn(item)`` for every item, each as soon as it finishes.

    On a :class:`SerialExecutor` the items run one by one as the caller consumes the
    results, so progress is reported after each item rather than after all of them;
    on a pool every item is submitted at once and results come in completion order.
    Items not yet started are cancelled if the caller stops early.

    >>> list(completed(SerialExecutor(), abs, [-1, -2]))
    [1, 2]
    """
    if isinstance(executor, SerialExecutor):
        for item in items:
            yield fn(item)
        return
    futures = [executor.submit(fn, item) for item in items]
    try:
        for fut in cf.as_completed(futures):
            yield fut.result()
    finally:
        for fut in futures:
            fut.cancel()


@contextlib.contextmanager
def make_executor(workers=None, scheduler=None):
    """A context manager yielding an executor.

    ``workers=1`` runs in-process; ``workers=N`` uses N local processes;
    ``scheduler="tcp://host:8786"`` (or ``"local"`` for a throw-away local
    cluster) uses Dask distributed.
    """
    if scheduler:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise MethodUnavailableError(
                "--scheduler needs Dask distributed: pip install 'cumulants[dask]'") from None
        if scheduler == "local":
            n = workers or 2
            with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                              dashboard_address=None) as cluster, Client(cluster) as client:
                yield client.get_executor(pure=False)
        else:
            with Client(scheduler) as client:
                yield client.get_executor(pure=False)
        return
    if workers is None:
        workers = min(2, os.cpu_count() or 1)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise bad_argument("workers", workers, "a positive integer (1 runs in-process)")
    if workers <= 1:
        yield SerialExecutor()
        return
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        yield pool
