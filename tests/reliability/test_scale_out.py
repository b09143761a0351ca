"""The scale-out recipe of docs/deploy.md, started on this machine: PostgreSQL, Redis, gunicorn with two
workers and one huey consumer, all on loopback, with production settings from the environment.

The order goes through the API from intake to the planner's acknowledgement; then an exception raised by the
planner notifies the merchandiser by e-mail, and that e-mail goes through the Redis queue: it waits there
while no consumer runs, and the consumer sends it (the file-based e-mail backend writes it to a folder).
Nothing here is skipped: a missing binary fails with the package to install.
"""

import email
import email.header
import email.message
import http.client
import os
import sys
import time
from pathlib import Path

import redis

from tests.bounds import HANG_GUARD
from tests.reliability.servers import (
    Api,
    Stack,
    free_port,
    gendan,
    gunicorn_args,
    postgres_cluster,
    production_env,
    redis_args,
    seed,
    wait_http,
    wait_redis,
)

SIGNERS = {
    "business": "sales",
    "technical": "tech",
    "planning": "planner",
    "purchasing": "purchasing",
    "quality": "qc",
    "finance": "finance",
}
QUEUE = "huey.redis.gendan"  # RedisHuey(name="gendan") keeps its queue in this list


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _ok(answer: tuple, expected: int = 200) -> dict:
    status, data, _headers = answer
    assert status == expected, (status, data)
    return data


def test_postgres_redis_two_app_workers_and_a_task_worker_run_the_order_flow(tmp_path, record_property):
    stack = Stack()
    mail = tmp_path / "mail"
    started = time.monotonic()
    with postgres_cluster() as database_url:
        try:
            # given Redis on loopback
            redis_port = free_port()
            (tmp_path / "redis").mkdir()
            redis_proc = stack.start(
                "redis", redis_args(redis_port, tmp_path / "redis"), os.environ.copy(), tmp_path
            )
            wait_redis(redis_port, proc=redis_proc)
            queue = redis.Redis(host="127.0.0.1", port=redis_port)
            # and the environment of the recipe: PostgreSQL, the queue on Redis, files for e-mail and static
            env = production_env(
                DATABASE_URL=database_url,
                HUEY_REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
                EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
                EMAIL_FILE_PATH=str(mail),
                STATIC_ROOT=str(tmp_path / "static"),
                MEDIA_ROOT=str(tmp_path / "media"),
                SITE_URL="https://erp.example.com",
            )
            # and the deployment steps: migrate, collect static files, the deploy check (with TLS redirect on)
            gendan(["migrate", "--noinput"], env)
            gendan(["collectstatic", "--noinput"], env)
            assert (tmp_path / "static" / "gendan" / "css" / "app.css").is_file()
            checked = gendan(
                ["check", "--deploy", "--fail-level", "WARNING"],
                {k: v for k, v in env.items() if k != "SECURE_SSL_REDIRECT"},
            )
            assert "no issues" in checked
            seeds = seed(env, email_domain="gendan.example")

            # and two gunicorn workers behind one address (the task consumer is not started yet)
            port = free_port()
            web = stack.start("gunicorn", gunicorn_args(port, workers=2), env, tmp_path)
            wait_http(port, proc=web)
            deadline = time.monotonic() + HANG_GUARD
            while len(_children(web.popen.pid)) < 2 and time.monotonic() < deadline:
                time.sleep(0.1)
            assert len(_children(web.popen.pid)) == 2, "gunicorn should run two workers"
            api = {name: Api(port, key) for name, key in seeds["keys"].items()}

            # when the order goes through the API: intake, review, six signatures, approval, release, ack
            m1 = api["m1"]
            order = _ok(
                m1.call(
                    "POST",
                    "/orders",
                    {
                        "customer": seeds["customer"],
                        "customer_po": "SCALE-1",
                        "order_date": "2026-11-27",
                        "requested_date": "2027-01-20",
                        "lines": [{"product": seeds["product"], "quantity": "300", "unit_price": "8.50"}],
                    },
                ),
                201,
            )
            assert order["number"] == "SO2026-000001" and order["status"] == "draft"
            order = _ok(m1.call("POST", f"/orders/{order['id']}/actions/submit_review"))
            review = _ok(api["tech"].call("GET", f"/reviews/{order['review_id']}"))
            for item in review["items"]:
                _ok(
                    api[SIGNERS[item["department"]]].call(
                        "POST", f"/reviews/{review['id']}/items/{item['id']}/sign", {"result": "pass"}
                    )
                )
            _ok(
                api["sup"].call(
                    "POST", f"/reviews/{review['id']}/approve", {"promised_date": review["feasible_date"]}
                )
            )
            order = _ok(m1.call("POST", f"/orders/{order['id']}/actions/release"))
            assert order["status"] == "released"
            order = _ok(api["planner"].call("POST", f"/orders/{order['id']}/actions/acknowledge"))
            assert order["planner_ack_at"] is not None
            events = _ok(m1.call("GET", f"/orders/{order['id']}/events"))
            kinds = [e["type"] for e in events]
            assert kinds.count("transition") == 3 and kinds.count("review_signed") == 6
            assert "planner_ack" in kinds

            # and the planner raises an exception on it, which notifies the merchandiser by e-mail
            queue.delete(QUEUE)  # only what follows counts
            exception = _ok(
                api["planner"].call(
                    "POST",
                    "/followup/exceptions",
                    {"order_id": order["id"], "type": "material", "title": "面料迟到三天", "impact_days": 3},
                ),
                201,
            )
            # then the e-mail task waits in Redis while no consumer runs
            deadline = time.monotonic() + HANG_GUARD
            while queue.llen(QUEUE) == 0 and time.monotonic() < deadline:
                time.sleep(0.05)
            queued = queue.llen(QUEUE)
            assert queued >= 1, "the e-mail task never reached the Redis queue"
            assert not mail.exists() or not any(mail.iterdir()), "an e-mail went out without the consumer"

            # when the huey consumer starts (one process)
            consumer = stack.start("huey", [sys.executable, "-m", "config.cli", "run_huey"], env, tmp_path)
            deadline = time.monotonic() + HANG_GUARD
            sent = []
            while time.monotonic() < deadline and not sent:
                assert consumer.popen.poll() is None, consumer.tail()
                sent = sorted(mail.glob("*.log")) if mail.exists() else []
                time.sleep(0.1)
            # then it took the task from Redis and sent the e-mail to the merchandiser
            assert sent, f"no e-mail was sent\n{consumer.tail()}"
            messages = _messages(sent)
            to_m1 = [m for m in messages if m["To"] == "m1@gendan.example"]
            assert any(exception["number"] in _subject(m) for m in to_m1), [
                (m["To"], _subject(m)) for m in messages
            ]
            deadline = time.monotonic() + HANG_GUARD
            while queue.llen(QUEUE) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert queue.llen(QUEUE) == 0

            # and the app serves collected static files (whitenoise) and HSTS behind a TLS proxy
            conn_status, headers = _static_and_hsts(port)
            assert conn_status == 200
            assert "max-age=31536000" in headers.get("strict-transport-security", ""), headers
            # and the nightly backup of the recipe works against this database while it serves
            backup = tmp_path / "gendan.dump"
            gendan(["backup", str(backup)], env)
            assert backup.stat().st_size > 10_000 and backup.read_bytes()[:5] == b"PGDMP"
            record_property(
                "scale_out",
                f"postgres+redis+2 gunicorn workers+1 huey consumer: flow ok, queued={queued}, "
                f"emails={len(messages)}, {time.monotonic() - started:.1f} s",
            )
        finally:
            stack.stop()


def _messages(files: list[Path]) -> list[email.message.Message]:
    """The messages the file-based backend wrote (one block per message, separated by a line of dashes)."""
    blocks = []
    for path in files:
        blocks += [b for b in path.read_text().split("-" * 79) if b.strip()]
    return [email.message_from_string(block.strip()) for block in blocks]


def _subject(message: email.message.Message) -> str:
    return str(email.header.make_header(email.header.decode_header(message["Subject"] or "")))


def _static_and_hsts(port: int) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/static/gendan/css/app.css")
    response = conn.getresponse()
    body = response.read()
    assert response.status == 200 and body, response.status
    conn.request("GET", "/healthz", headers={"X-Forwarded-Proto": "https"})
    response = conn.getresponse()
    response.read()
    headers = {k.lower(): v for k, v in response.getheaders()}
    conn.close()
    return response.status, headers
