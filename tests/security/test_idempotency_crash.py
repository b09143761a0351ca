"""Issue 21 items 3 and 8, as the probe did them: a real gunicorn (production settings) is killed with
SIGKILL during an idempotent 500-order batch — once before the batch committed, once after — and restarted;
the retry with the same Idempotency-Key must answer (the replay, or the work run once), never 409 busy, and
the database must hold the 500 orders exactly once. On SQLite and on PostgreSQL."""

import contextlib
import http.client
import json
import sqlite3
import threading
import time

import pytest

from tests.reliability.servers import (
    Stack,
    free_port,
    gendan,
    gunicorn_args,
    postgres_cluster,
    production_env,
    seed,
    wait_http,
)

BATCH = 500
HANG_GUARD = 300  # seconds: a hang fails the test; no duration is asserted


@contextlib.contextmanager
def _database(engine: str, tmp_path):
    if engine == "sqlite":
        yield f"sqlite:///{tmp_path / 'gendan.sqlite3'}"
    else:
        with postgres_cluster() as url:
            yield url


def _count_orders(url: str) -> tuple[int, int]:
    """(orders, distinct customer POs), read straight from the database."""
    sql = "SELECT COUNT(*), COUNT(DISTINCT customer_po) FROM orders_order"
    if url.startswith("sqlite:///"):
        with contextlib.closing(sqlite3.connect(f"file:{url[10:]}?mode=ro", uri=True)) as conn:
            return conn.execute(sql).fetchone()
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://")) as conn:
        return conn.execute(sql).fetchone()


def _body(seeds: dict, prefix: str) -> bytes:
    orders = [
        {
            "customer": seeds["customer"],
            "customer_po": f"{prefix}-{n:04d}",
            "order_date": "2026-11-27",
            "requested_date": "2027-01-10",
            "lines": [{"product": seeds["product"], "quantity": "10", "unit_price": "2.50"}],
        }
        for n in range(BATCH)
    ]
    return json.dumps({"orders": orders}).encode()


def _send(port: int, token: str, body: bytes, key: str) -> http.client.HTTPConnection:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=HANG_GUARD)
    conn.request(
        "POST",
        "/api/v1/orders/batch",
        body,
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Idempotency-Key": key},
    )
    return conn


def _try_answer(conn: http.client.HTTPConnection) -> tuple:
    try:
        return _answer(conn)
    except (OSError, http.client.HTTPException) as exc:  # the server was killed under it
        return (None, repr(exc), {})


def _answer(conn: http.client.HTTPConnection) -> tuple[int, dict, dict]:
    response = conn.getresponse()
    data = json.loads(response.read() or b"{}")
    conn.close()
    return response.status, data, dict(response.getheaders())


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_a_retry_after_kill_9_during_an_idempotent_batch_replays_or_runs_once(
    engine, tmp_path, record_property
):
    figures = {}
    with _database(engine, tmp_path) as url:
        env = production_env(DATABASE_URL=url, HUEY_IMMEDIATE="true", MEDIA_ROOT=str(tmp_path / "media"))
        gendan(["migrate", "--noinput"], env)
        seeds = seed(env)
        token = seeds["keys"]["m1"]
        port = free_port()
        stack = Stack()
        try:
            for case in ("not committed", "committed"):
                key = f"crash-{case.replace(' ', '-')}"
                body = _body(seeds, key)  # other POs in each case (a PO already on file answers 409)
                before, _po = _count_orders(url)
                server = stack.start("gunicorn", gunicorn_args(port, workers=1), env, tmp_path)
                wait_http(port, proc=server)
                conn = _send(port, token, body, key)
                if case == "committed":  # kill the moment the 500 orders are visible: after the commit
                    first: list = []
                    reader = threading.Thread(
                        target=lambda c=conn, out=first: out.append(_try_answer(c)), daemon=True
                    )
                    reader.start()
                    deadline = time.monotonic() + HANG_GUARD
                    while _count_orders(url)[0] < before + BATCH and time.monotonic() < deadline:
                        assert server.popen.poll() is None, server.tail()
                        assert not first or first[0][0] == 201, first
                        time.sleep(0.01)
                    assert _count_orders(url)[0] >= before + BATCH, server.tail()  # else: a hang
                else:  # kill while the batch is running, before it commits
                    time.sleep(0.05)
                server.kill()  # SIGKILL to the master and the worker
                conn.close()
                at_kill = _count_orders(url)[0] - before
                assert at_kill == (BATCH if case == "committed" else 0), (case, at_kill)

                # the retry with the same key on the restarted server answers: the replay or one run
                server = stack.start("gunicorn", gunicorn_args(port, workers=1), env, tmp_path)
                wait_http(port, proc=server)
                status, data, headers = _answer(_send(port, token, body, key))
                assert status == 201, (case, status, data)
                assert len(data) == BATCH
                replayed = headers.get("Idempotent-Replayed") == "true"
                assert replayed == (case == "committed")
                # and again: the same answer, replayed; the orders exist once
                status2, data2, headers2 = _answer(_send(port, token, body, key))
                assert (status2, data2, headers2.get("Idempotent-Replayed")) == (201, data, "true")
                orders, distinct_po = _count_orders(url)
                assert orders - before == BATCH and distinct_po == orders, (case, orders, distinct_po)
                server.kill()
                figures[case] = {"orders_at_kill": at_kill, "retry": "replayed" if replayed else "ran once"}
        finally:
            stack.stop()
    record_property(f"idempotency_kill_9_{engine}", figures)
