"""Users with and without e-mail, and a local HTTP receiver that plays a group robot."""

import json
import threading
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from gendan.accounts import roles as R
from gendan.accounts.services import user_create
from tests.factories import PASSWORD

OK = (200, {"errcode": 0, "errmsg": "ok"})


def _user(username: str, display_name: str, email: str = ""):
    return user_create(
        username=username,
        password=PASSWORD,
        roles=[R.MERCHANDISER],
        display_name=display_name,
        department="merchandising",
        email=email,
    )


@pytest.fixture
def alice(db):
    return _user("alice", "张三", "alice@example.com")


@pytest.fixture
def bob(db):
    return _user("bob", "李四", "bob@example.com")


@pytest.fixture
def carol(db):
    """No e-mail address."""
    return _user("carol", "王五")


@dataclass
class Received:
    path: str
    query: dict[str, list[str]]
    body: dict
    content_type: str


@dataclass
class Receiver:
    base_url: str = ""
    requests: list[Received] = field(default_factory=list)
    # path → queue of (HTTP status, JSON answer); when a queue is empty the default answer is used
    script: dict[str, deque] = field(default_factory=lambda: defaultdict(deque))
    default: dict[str, tuple[int, dict]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, path: str, *answers: tuple[int, dict]) -> None:
        self.script[path].extend(answers)

    def always(self, path: str, answer: tuple[int, dict]) -> None:
        self.default[path] = answer

    def next_answer(self, path: str) -> tuple[int, dict]:
        with self.lock:
            if self.script[path]:
                return self.script[path].popleft()
            return self.default.get(path, OK)

    def on(self, path: str) -> list[Received]:
        return [r for r in self.requests if r.path == path]


@pytest.fixture
def receiver(monkeypatch):
    """An HTTP server on 127.0.0.1 (free port) in a thread; records every POST and answers as scripted."""
    for var in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            parts = urlsplit(self.path)
            with state.lock:
                state.requests.append(
                    Received(
                        path=parts.path,
                        query=parse_qs(parts.query),
                        body=json.loads(raw.decode("utf-8")),
                        content_type=self.headers.get("Content-Type", ""),
                    )
                )
            status, answer = state.next_answer(parts.path)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format, *args):  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    state.base_url = f"http://127.0.0.1:{server.server_port}"
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
