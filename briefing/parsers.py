"""Where fetched feeds are parsed: worker processes for big refreshes, a thread for small ones.

feedparser is pure-Python CPU work (about 13 ms for a 50-item feed), so a refresh of hundreds
of feeds is bound by parsing. Worker processes let both cores parse while the main process
fetches and stores; small refreshes (the demo, a handful of feeds) stay on one thread, where
starting processes would cost more than it saves.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

from briefing.config import state_dir

POOL_MIN_FEEDS = 24  # below this, starting worker processes costs more than it saves
WORKERS = 2

_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="briefing-parse")
_pool: ProcessPoolExecutor | None = None
_lock = threading.Lock()


def _init_worker(log_path: str) -> None:
    """Workers log to the same file as the app, never to the terminal."""
    root = logging.getLogger("briefing")
    root.propagate = False
    try:
        handler: logging.Handler = logging.FileHandler(log_path, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    except OSError:
        handler = logging.NullHandler()
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def executor_for(feeds: int) -> Executor:
    """The process pool for refreshes of many feeds, else the single parser thread."""
    global _pool
    if feeds < POOL_MIN_FEEDS:
        return _thread
    with _lock:
        if _pool is None:
            log_dir = state_dir()
            log_dir.mkdir(parents=True, exist_ok=True)
            # forkserver: forking a process that runs threads (the TUI does) is unsafe.
            _pool = ProcessPoolExecutor(
                max_workers=WORKERS,
                mp_context=multiprocessing.get_context("forkserver"),
                initializer=_init_worker,
                initargs=(str(log_dir / "briefing.log"),),
            )
        return _pool


def thread_executor() -> Executor:
    return _thread


def discard_pool() -> None:
    """Forget a broken pool (a worker died); the next big refresh starts a new one."""
    global _pool
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None
