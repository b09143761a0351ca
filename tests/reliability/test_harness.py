"""The concurrency harness never forks a process that has other threads (their held locks would be copied
into the children, which could then wait forever: workers that "never reported" on a loaded machine)."""

import threading

import pytest

from tests.reliability import concurrency


@pytest.fixture
def no_override(monkeypatch):
    monkeypatch.setattr(concurrency, "START_METHOD", "")


def test_a_single_threaded_process_forks(no_override, monkeypatch):
    # this process may hold other tests' threads (the live server): count as a single-threaded one would
    monkeypatch.setattr(concurrency.threading, "active_count", lambda: 1)
    assert concurrency._start_method() == "fork"


def test_with_another_thread_running_it_uses_a_fork_server(no_override):
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        assert concurrency._start_method() in {"forkserver", "spawn"}
    finally:
        stop.set()
        thread.join()
