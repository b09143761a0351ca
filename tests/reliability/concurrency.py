"""Run a callable in N separate OS processes against the test database, all released by one start barrier.

Reusable for any invariant under concurrency (orders, shipments, payments, stock): write a module-level
function `work(task) -> value` that does one attempt through a service or the API and returns something
picklable; `run_concurrently(work, tasks, processes=N)` runs every task, in N processes that start together,
and returns one `Outcome` per task (its value, or the exception's class, code and HTTP status).

The test must use `transactional_db` (committed rows are what other processes see). On SQLite each process
opens the per-run test database file; on PostgreSQL each opens its own connection to the test database.

Start method: 'fork' where the platform has it (Django is already set up in the child, which opens its own
connection; ~0.1 s for 50 processes); 'spawn' elsewhere or with GENDAN_TEST_START_METHOD=spawn (each child is
a fresh interpreter that sets Django up itself and points it at the parent's test database: slow, but fully
independent). With 'spawn', `work` must be importable (module level) and tasks picklable.
"""

import multiprocessing
import os
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tests.bounds import HANG_GUARD

START_METHOD = os.environ.get("GENDAN_TEST_START_METHOD", "")


def _start_method() -> str:
    """'fork' only while this process has a single thread. Forking a process with other threads (the live
    server and Playwright's threads stay up for the whole session once a browser test ran) copies their held
    locks into the child, which can then wait on them forever: the "N of 50 tasks never reported" of a
    loaded machine. Otherwise a fork server (a clean single-threaded process), which costs each child a
    Django start-up but never deadlocks."""
    if START_METHOD:
        return START_METHOD
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


@dataclass(frozen=True)
class Outcome:
    task: int  # index in the tasks given
    pid: int
    ok: bool
    value: Any = None
    error: str = ""  # exception class name
    code: str = ""  # ApplicationError.code, when there is one
    status: int | None = None  # ApplicationError.status, when there is one
    message: str = ""


def _resolve(ref):
    """A callable, or "module:qualname" (what 'spawn' sends: the test module imports Django models, so it may
    only be imported once Django is set up in the child)."""
    if not isinstance(ref, str):
        return ref
    import importlib

    module, _sep, qualname = ref.partition(":")
    target = importlib.import_module(module)
    for part in qualname.split("."):
        target = getattr(target, part)
    return target


def _child(
    func: Callable[[Any], Any] | str,
    prepare: Callable[[Any], Any] | str | None,
    chunk: list[tuple[int, Any]],
    settings_module: str,
    db_name: str,
    barrier,
    results,
) -> None:
    pid = os.getpid()
    try:
        from django.apps import apps

        if not apps.ready:  # spawn: a fresh interpreter; point Django at the parent's test database
            os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
            from django.conf import settings

            settings.DATABASES["default"]["NAME"] = db_name
            import django

            django.setup()
            from django.test.utils import setup_test_environment

            setup_test_environment()
        from django.db import connection

        func, prepare = _resolve(func), _resolve(prepare)
        assert connection.connection is None, "the child must open its own database connection"
        assert connection.settings_dict["NAME"] == db_name, (connection.settings_dict["NAME"], db_name)
        if prepare is not None and chunk:
            prepare(chunk[0][1])  # e.g. a first read, so no process is still warming up when the others go
        barrier.wait(timeout=HANG_GUARD)  # every process is ready: go at the same moment
        for index, task in chunk:
            try:
                results.put(Outcome(task=index, pid=pid, ok=True, value=func(task)))
            except Exception as exc:  # reported to the parent, which counts or fails on it
                results.put(
                    Outcome(
                        task=index,
                        pid=pid,
                        ok=False,
                        error=type(exc).__name__,
                        code=str(getattr(exc, "code", "") or ""),
                        status=getattr(exc, "status", None),
                        message=str(exc)[:500],
                    )
                )
    except Exception as exc:  # the setup failed or the barrier broke: every task of this chunk fails
        for index, _task in chunk:
            results.put(Outcome(task=index, pid=pid, ok=False, error=type(exc).__name__, message=repr(exc)))
    finally:
        from django.db import connections

        connections.close_all()


def warm_up() -> None:
    """Load in the parent what every child would otherwise load on its first request (the URLconf with
    every app's views and API routers, the translation catalogues, the middleware chain): with 'fork' the
    children inherit it, instead of each spending seconds of CPU on it while the others wait."""
    from django.test import Client
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (imports config.urls and everything it names)
    Client().get("/healthz")


def run_concurrently(
    func: Callable[[Any], Any],
    tasks: Sequence[Any],
    *,
    processes: int | None = None,
    prepare: Callable[[Any], Any] | None = None,
    timeout: float = HANG_GUARD,
    start_method: str | None = None,
) -> list[Outcome]:
    """`func(task)` for every task, in `processes` OS processes (default: one per task) that wait for one
    another at a barrier and then run their tasks (task i goes to process i mod N, in order).
    `prepare(first task)`, if given, runs in each process before the barrier (warm-up, no writes).

    Returns the outcomes ordered by task index. Fails (AssertionError) if a process does not report in time.
    """
    from django.conf import settings as django_settings
    from django.db import connection, connections

    count = len(tasks)
    processes = min(processes or count, count)
    assert processes >= 1
    db_name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite":
        assert db_name and db_name != ":memory:" and "mode=memory" not in db_name, (
            "processes need a database file (use transactional_db)",
            db_name,
        )
    settings_module = os.environ.get("DJANGO_SETTINGS_MODULE") or django_settings.SETTINGS_MODULE
    warm_up()
    connections.close_all()  # never share an open connection (socket, file handle) with the children

    method = start_method or _start_method()
    context = multiprocessing.get_context(method)
    if method != "fork":  # the child imports the functions itself, after setting Django up
        func = f"{func.__module__}:{func.__qualname__}"
        prepare = f"{prepare.__module__}:{prepare.__qualname__}" if prepare is not None else None
    barrier = context.Barrier(processes)
    results = context.Queue()
    chunks: list[list[tuple[int, Any]]] = [[] for _ in range(processes)]
    for index, task in enumerate(tasks):
        chunks[index % processes].append((index, task))
    workers = [
        context.Process(
            target=_child, args=(func, prepare, chunk, settings_module, db_name, barrier, results)
        )
        for chunk in chunks
    ]
    for worker in workers:
        worker.start()
    outcomes: dict[int, Outcome] = {}
    deadline = time.monotonic() + timeout
    try:
        while len(outcomes) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                outcome = results.get(timeout=min(remaining, 5))
            except queue.Empty:
                if not any(worker.is_alive() for worker in workers) and results.empty():
                    break
                continue
            outcomes[outcome.task] = outcome
    finally:
        for worker in workers:
            worker.join(timeout=30)
            if worker.is_alive():
                worker.kill()
                worker.join(timeout=5)
    missing = sorted(set(range(count)) - set(outcomes))
    assert not missing, f"{len(missing)} of {count} tasks never reported (first: {missing[:5]})"
    return [outcomes[index] for index in range(count)]


def tally(outcomes: Sequence[Outcome]) -> Counter:
    """{"ok": n, "<error class>/<code>": n, …} for assertion messages and reports."""
    return Counter("ok" if o.ok else f"{o.error}/{o.code}" if o.code else o.error for o in outcomes)
