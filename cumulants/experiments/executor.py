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

__all__ = ["make_executor", "SerialExecutor", "completed", "check_scheduler"]

_PROTOCOLS = ("tcp", "tls", "ws", "wss", "inproc", "ucx")


def check_scheduler(address, timeout: float = 2.0) -> None:
    """Fail fast on a malformed or unreachable Dask scheduler address.

    ``"local"`` is always fine; ``tcp://host:port`` must parse, have a port in 1..65535
    and accept a TCP connection within ``timeout`` seconds (Dask itself retries for 30 s).

    >>> check_scheduler("local")
    >>> check_scheduler("nowhere")
    Traceback (most recent call last):
    ...
    cumulants.errors.InvalidParameterError: --scheduler='nowhere' is invalid: expected 'local' or an address such as tcp://host:8786
    """
    import socket
    from urllib.parse import urlsplit

    if address == "local":
        return
    expected = "'local' or an address such as tcp://host:8786"
    if not isinstance(address, str) or "://" not in address:
        raise bad_argument("--scheduler", address, expected)
    try:
        parts = urlsplit(address)
        port = parts.port
    except ValueError:
        raise bad_argument("--scheduler", address, expected + " (port in 1..65535)") from None
    if parts.scheme not in _PROTOCOLS or not parts.hostname:
        raise bad_argument("--scheduler", address, expected)
    if parts.scheme not in ("tcp", "tls"):
        return
    if port is None or not 1 <= port <= 65535:
        raise bad_argument("--scheduler", address, expected + " (port in 1..65535)")
    try:
        with socket.create_connection((parts.hostname, port), timeout=timeout):
            pass
    except OSError as exc:
        raise MethodUnavailableError(
            f"--scheduler={address!r}: no Dask scheduler answers there ({exc.strerror or exc}); "
            "start one (dask scheduler) or use --scheduler local") from None


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
            check_scheduler(scheduler)
            with Client(scheduler, timeout=10) as client:
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
    pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                                  initializer=_worker_init, initargs=(os.getpid(),))
    try:
        yield pool
    except BaseException:
        # Ctrl-C or an error: do not wait for the cells in flight (they are lost anyway).
        _kill_pool(pool)
        raise
    else:
        pool.shutdown(wait=True)


def _kill_pool(pool) -> None:
    """Stop a process pool now: cancel queued cells and terminate its workers."""
    procs = list(getattr(pool, "_processes", {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        with contextlib.suppress(Exception):
            proc.terminate()
    for proc in procs:
        with contextlib.suppress(Exception):
            proc.join(timeout=1)
            if proc.is_alive():
                proc.kill()


def _worker_init(parent_pid: int) -> None:
    """Worker set-up: leave Ctrl-C to the parent, and die with the parent.

    The parent handles SIGINT (and terminates the workers itself).  If the parent is killed
    outright (SIGKILL), Linux delivers SIGKILL to the worker through ``PR_SET_PDEATHSIG``;
    elsewhere, and as a back-up, a daemon thread polls the parent pid every 0.5 s.
    """
    import signal
    import sys
    import threading
    import time

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            pr_set_pdeathsig = 1
            libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)

    def watch():
        while True:
            if os.getppid() != parent_pid:
                os._exit(1)
            time.sleep(0.5)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
