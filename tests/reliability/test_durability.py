"""Durability: the real server (gunicorn, production settings, a SQLite file) is killed with SIGKILL while
clients stream order creations through the API, five times, and restarted. Every order whose creation was
acknowledged (201) is there, whole (header, every line, its "created" event); no order is half-written; the
numbers stay gap-free across the crashes."""

import sqlite3
import threading
import time
from pathlib import Path

from tests.reliability.servers import (
    Api,
    Stack,
    free_port,
    gendan,
    gunicorn_args,
    production_env,
    seed,
    wait_http,
)

ROUNDS = 5
CLIENTS = 4
ACKS_BEFORE_KILL = 25  # per round: the kill lands while every client has a request in flight
ROUND_SECONDS = 8  # the kill comes after this at the latest, whatever the count


class Streamer(threading.Thread):
    """Posts orders (1–3 lines each) one after another; records what the server acknowledged with 201."""

    def __init__(
        self, name: str, port: int, key: str, seeds: dict, acked: list, lock: threading.Lock
    ) -> None:
        super().__init__(name=name, daemon=True)
        self.api = Api(port, key)
        self.seeds, self.acked, self.lock = seeds, acked, lock
        self.stop = threading.Event()
        self.sent = self.failed = 0

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            lines = 1 + n % 3
            po = f"{self.name}-{n:05d}"
            body = {
                "customer": self.seeds["customer"],
                "customer_po": po,
                "order_date": "2026-11-27",
                "requested_date": "2027-01-10",
                "lines": [
                    {"product": self.seeds["product"], "quantity": str(10 * k), "unit_price": "2.50"}
                    for k in range(1, lines + 1)
                ],
            }
            self.sent += 1
            try:
                status, data, _headers = self.api.call("POST", "/orders", body)
            except Exception:  # the server died under this request: not acknowledged
                self.failed += 1
                time.sleep(0.02)
                continue
            if status == 201:
                with self.lock:
                    self.acked.append({"id": data["id"], "number": data["number"], "po": po, "lines": lines})
            else:
                raise AssertionError(f"unexpected answer {status}: {data}")


def _check(db: Path, acked: list[dict]) -> dict:
    """Read the database file directly: acknowledged orders whole, no half-written order, no gap."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        orders = {
            row[0]: row[1:]
            for row in conn.execute(
                "SELECT id, number, customer_po, status, total_quantity FROM orders_order"
            )
        }
        lines = dict(conn.execute("SELECT order_id, COUNT(*) FROM orders_orderline GROUP BY order_id"))
        created = dict(
            conn.execute(
                "SELECT order_id, COUNT(*) FROM orders_orderevent WHERE type = 'created' GROUP BY order_id"
            )
        )
        counter = conn.execute(
            "SELECT last FROM core_documentcounter WHERE series = 'SO' AND year = 2026"
        ).fetchone()
    lost = [a for a in acked if a["id"] not in orders]
    broken = [
        a
        for a in acked
        if a["id"] in orders
        and (
            orders[a["id"]][0:2] != (a["number"], a["po"])
            or lines.get(a["id"]) != a["lines"]
            or created.get(a["id"]) != 1
        )
    ]
    half_written = [pk for pk in orders if not lines.get(pk) or created.get(pk) != 1]
    numbers = sorted(number for number, *_rest in orders.values())
    return {
        "orders": len(orders),
        "lost": lost,
        "broken": broken,
        "half_written": half_written,
        "gap_free": numbers == [f"SO2026-{k:06d}" for k in range(1, len(orders) + 1)],
        "counter": counter[0] if counter else 0,
    }


def test_acknowledged_orders_survive_kill_9_of_the_server(tmp_path, record_property):
    # given a production-configured server on a migrated SQLite file with users, a customer and a product
    db = tmp_path / "gendan.sqlite3"
    env = production_env(
        DATABASE_URL=f"sqlite:///{db}", HUEY_IMMEDIATE="true", MEDIA_ROOT=str(tmp_path / "media")
    )
    gendan(["migrate", "--noinput"], env)
    seeds = seed(env)
    port = free_port()
    stack = Stack()
    acked: list[dict] = []
    lock = threading.Lock()
    report = []
    try:
        for round_no in range(1, ROUNDS + 1):
            # when clients stream creations and the server is killed with SIGKILL mid-stream
            server = stack.start("gunicorn", gunicorn_args(port, workers=2), env, tmp_path)
            wait_http(port, proc=server)
            start = len(acked)
            streamers = [
                Streamer(f"R{round_no}C{c}", port, seeds["keys"]["m1"], seeds, acked, lock)
                for c in range(CLIENTS)
            ]
            for streamer in streamers:
                streamer.start()
            deadline = time.monotonic() + ROUND_SECONDS
            while len(acked) - start < ACKS_BEFORE_KILL and time.monotonic() < deadline:
                time.sleep(0.01)
            server.kill()  # SIGKILL to the master and both workers at once
            for streamer in streamers:
                streamer.stop.set()
            for streamer in streamers:
                streamer.join(timeout=30)
                streamer.api.close()
            report.append(
                {
                    "round": round_no,
                    "acked": len(acked) - start,
                    "sent": sum(s.sent for s in streamers),
                    "cut": sum(s.failed for s in streamers),
                }
            )
            assert len(acked) - start > 0, (
                f"round {round_no}: the server acknowledged nothing\n{server.tail()}"
            )

        # then, after a restart, the server answers for the acknowledged orders
        server = stack.start("gunicorn", gunicorn_args(port, workers=2), env, tmp_path)
        wait_http(port, proc=server)
        api = Api(port, seeds["keys"]["m1"])
        last_of_each_round = [acked[sum(r["acked"] for r in report[:i]) - 1] for i in range(1, ROUNDS + 1)]
        for order in last_of_each_round:
            status, data, _headers = api.call("GET", f"/orders/{order['id']}")
            assert (
                status == 200 and data["number"] == order["number"] and len(data["lines"]) == order["lines"]
            )
            status, events, _headers = api.call("GET", f"/orders/{order['id']}/events")
            assert status == 200 and [e["type"] for e in events] == ["created"]
        # and it still takes new orders, numbered right after the last one
        status, data, _headers = api.call(
            "POST",
            "/orders",
            {
                "customer": seeds["customer"],
                "customer_po": "AFTER-RESTART",
                "order_date": "2026-11-27",
                "requested_date": "2027-01-10",
                "lines": [{"product": seeds["product"], "quantity": "5", "unit_price": "1"}],
            },
        )
        assert status == 201, data
        acked.append({"id": data["id"], "number": data["number"], "po": "AFTER-RESTART", "lines": 1})
        api.close()
        stack.stop()
    finally:
        stack.stop()

    # and reading the file itself: nothing acknowledged is lost or partial, nothing half-written, no gap
    result = _check(db, acked)
    figures = (
        f"rounds={ROUNDS} acknowledged={len(acked)} lost={len(result['lost'])} broken={len(result['broken'])} "
        f"half_written={len(result['half_written'])} committed={result['orders']} "
        f"(unacknowledged but committed={result['orders'] - len(acked)}) per_round={report}"
    )
    record_property("kill_9", figures)
    assert not result["lost"] and not result["broken"] and not result["half_written"], figures
    assert result["gap_free"] and result["counter"] == result["orders"], figures
    assert data["number"] == f"SO2026-{result['orders']:06d}", figures
