"""A Dask backend for chunked ensembles: the same chunks, on other machines.

The chunked runner (:mod:`numerics._ensemble`) hands each chunk [first, first +
count) to a backend and merges what comes back in index order.  This backend
submits the chunks as Dask tasks (Rocklin 2015, "Dask: parallel computation
with blocked algorithms and task scheduling", SciPy; the ``distributed``
scheduler) and yields them as they finish.  A task carries the chunk function
of the Langevin engine (:class:`numerics._ensemble.LangevinChunks`: the escape
problem, pickled, plus plain options), whatever its dimension, integrator,
absorbing set or schedule; the worker gets the compiled kernel from its on-disk
cache, compiling it once per machine (per ``KRAMERS_CACHE_DIR``) on first use.

Nothing of the result depends on the workers: the noise of trajectory i is a
function of (seed, i, step), so the merged sample equals the single-process one
bit for bit, whichever worker ran which chunk, in whatever order, and however
often a chunk was retried after a lost worker.

Dask is an optional dependency (``pip install 'kramers[distributed]'``); it is
imported only when this backend is used.
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from theory._errors import InvalidParameter

from ._ensemble import Chunk, ChunkFunction

__all__ = ["DaskBackend", "DEFAULT_CONNECT_TIMEOUT"]

#: Seconds to wait for the scheduler (and for its first worker) before giving up.
DEFAULT_CONNECT_TIMEOUT = 10.0


def _import_distributed():
    try:
        import distributed
    except ImportError as error:
        raise InvalidParameter(
            "the Dask backend needs the optional dependency dask[distributed]: "
            "pip install 'kramers[distributed]'."
        ) from error
    return distributed


class DaskBackend:
    """Run chunks on a Dask cluster: an existing scheduler, or a local cluster of ``workers`` processes.

    Give exactly one of ``scheduler`` (an address such as ``tcp://host:8786``, or a
    scheduler file path ending in ``.json``) and ``workers`` (start a
    ``LocalCluster`` of that many single-threaded worker processes; Numba's threads
    inside each chunk do the parallel work).  Use as a context manager: entering
    connects (or starts the cluster) and waits at most ``connect_timeout`` seconds
    for a worker; leaving cancels unfinished tasks and closes what it started.
    """

    def __init__(self, *, scheduler: str | None = None, workers: int | None = None,
                 connect_timeout: float = DEFAULT_CONNECT_TIMEOUT, processes: bool = True):
        if (scheduler is None) == (workers is None):
            raise InvalidParameter("give either a scheduler address or a number of local workers, not both or neither.")
        if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
            raise InvalidParameter(f"workers must be an integer of at least 1, got {workers!r}.")
        if scheduler is not None and (not isinstance(scheduler, str) or not scheduler.strip()):
            raise InvalidParameter(f"scheduler must be an address like tcp://host:8786, got {scheduler!r}.")
        if not connect_timeout > 0:
            raise InvalidParameter(f"connect_timeout must be positive, got {connect_timeout!r}.")
        self.scheduler = scheduler.strip() if scheduler is not None else None
        self.requested_workers = workers
        self.connect_timeout = float(connect_timeout)
        self.processes = bool(processes)
        self.client = None
        self.cluster = None
        self.workers = 0
        self._stack = contextlib.ExitStack()

    # -- lifetime --------------------------------------------------------------------

    def __enter__(self):
        distributed = _import_distributed()
        self._stack.__enter__()
        try:
            self._stack.enter_context(_quiet_logs())
            if self.scheduler is None:
                self._start_local_cluster(distributed)
            else:
                self._connect(distributed)
            self.workers = len(self.client.scheduler_info(n_workers=-1).get("workers", {})) \
                if _accepts_n_workers(self.client) else len(self.client.scheduler_info().get("workers", {}))
        except BaseException:
            self._stack.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc_info):
        return self._stack.__exit__(*exc_info)

    def _start_local_cluster(self, distributed) -> None:
        cluster = distributed.LocalCluster(
            n_workers=self.requested_workers,
            threads_per_worker=1,
            processes=self.processes,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        self.cluster = self._stack.enter_context(cluster)
        self.client = self._stack.enter_context(distributed.Client(cluster, set_as_default=False))
        self.client.wait_for_workers(self.requested_workers, timeout=max(60.0, self.connect_timeout))

    def _connect(self, distributed) -> None:
        address = self.scheduler
        keywords = {"scheduler_file": address} if address.endswith(".json") else {"address": address}
        if "scheduler_file" in keywords and not os.path.isfile(address):
            raise InvalidParameter(f"scheduler file {address} does not exist.")
        if "address" in keywords:
            from distributed.comm.addressing import parse_address, parse_host_port

            try:
                scheme, location = parse_address(address)
                parse_host_port(location)
            except ValueError as error:
                raise InvalidParameter(
                    f"scheduler {address!r} is not an address like tcp://host:8786 ({error})."
                ) from error
            if scheme not in ("tcp", "tls", "ws", "wss", "ucx"):
                raise InvalidParameter(f"scheduler {address!r}: unknown protocol {scheme!r}; use tcp://host:8786.")
        try:
            client = distributed.Client(**keywords, timeout=self.connect_timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError, TypeError) as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise InvalidParameter(
                f"scheduler {address}: cannot connect within {self.connect_timeout:g} s ({reason})."
            ) from error
        self.client = self._stack.enter_context(client)
        try:
            client.wait_for_workers(1, timeout=self.connect_timeout)
        except (TimeoutError, OSError) as error:
            raise InvalidParameter(
                f"scheduler {address} has no workers (waited {self.connect_timeout:g} s); start some with "
                "`dask worker ADDRESS --nthreads 1`."
            ) from error

    # -- the backend protocol ------------------------------------------------------------

    def map_unordered(self, function: ChunkFunction, chunks: Iterable[Chunk]) -> Iterator[tuple[Chunk, Any]]:
        """Submit every chunk, then yield ``(chunk, sample)`` as they finish."""
        if self.client is None:
            raise InvalidParameter("DaskBackend is used outside its `with` block.")
        distributed = _import_distributed()
        run = uuid.uuid4().hex[:12]
        futures = {}
        for chunk in chunks:
            future = self.client.submit(
                function, chunk.first, chunk.count, key=f"kramers-chunk-{run}-{chunk.index}", pure=False, retries=2
            )
            futures[future] = chunk
        try:
            for future in distributed.as_completed(futures, loop=self.client.loop):
                yield futures[future], future.result()
        finally:
            unfinished = [future for future in futures if not future.done()]
            if unfinished:
                with contextlib.suppress(Exception):
                    self.client.cancel(unfinished)


def _accepts_n_workers(client) -> bool:
    import inspect

    try:
        return "n_workers" in inspect.signature(client.scheduler_info).parameters
    except (TypeError, ValueError):
        return False


@contextlib.contextmanager
def _quiet_logs():
    """Keep Dask's informational logging off stderr (the CLI prints one line per error)."""
    loggers = [logging.getLogger(name) for name in ("distributed", "distributed.client", "distributed.worker")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)

