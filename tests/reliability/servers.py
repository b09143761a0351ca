"""Real processes for the durability and scale-out tests: gunicorn, the huey consumer, a throwaway
PostgreSQL cluster and Redis, all on loopback, each in its own process group so a test can SIGKILL it whole.

A missing binary is an error with the package to install (scripts/system-deps.sh installs them in
`make test`), never a skip.
"""

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def need(binary: str | Path, package: str) -> str:
    path = shutil.which(str(binary)) if not Path(binary).is_absolute() else str(binary)
    if not path or not Path(path).exists():
        raise AssertionError(
            f"{binary} is missing: install the Debian package '{package}' (scripts/system-deps.sh does it)"
        )
    return path


def production_env(**extra: str) -> dict[str, str]:
    """The environment of a production deployment (config.django.production), on loopback, without TLS."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_", "HUEY_", "EMAIL_", "GENDAN_TEST", "DJANGO_")) and k != "SECRET_KEY"
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.django.production",
            "SECRET_KEY": "durability-and-scale-out-tests-" + "k" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",  # TLS ends at the proxy; these tests talk to gunicorn directly
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def gendan(args: list[str], env: dict[str, str], *, timeout: float = 300) -> str:
    """Run the `gendan` command (Django's manage commands) with `env`; fail with its output if it fails."""
    result = subprocess.run(
        [sys.executable, "-m", "config.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, f"gendan {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def seed(env: dict[str, str], *, email_domain: str = "") -> dict:
    """Users of every role with API tokens, a customer and a product, in the database of `env`."""
    out = gendan(["shell", "-c", f"from tests.reliability.seed import main; main({email_domain!r})"], env)
    return json.loads(out.strip().splitlines()[-1])


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log: Path

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole process group (a gunicorn master and its workers die together)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=20)

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass
class Stack:
    """Processes started by a test; `stop()` ends them (SIGTERM, then SIGKILL), newest first."""

    procs: list[Proc] = field(default_factory=list)

    def start(self, name: str, args: list[str], env: dict[str, str], log_dir: Path) -> Proc:
        log = log_dir / f"{name}-{len(self.procs)}.log"
        handle = open(log, "wb")  # noqa: SIM115  (kept open by the child; closed when the test ends)
        popen = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        proc = Proc(name, popen, log)
        self.procs.append(proc)
        return proc

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.popen.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.popen.pid, signal.SIGTERM)
                try:
                    proc.popen.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()


def gunicorn_args(port: int, workers: int) -> list[str]:
    """gunicorn as deployed (docs/deploy.md); --preload imports the app once in the master, then forks."""
    executable = BIN / "gunicorn"
    command = [str(executable)] if executable.exists() else [sys.executable, "-m", "gunicorn"]
    return [
        *command,
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        "2",
        "--keep-alive",
        "30",
        "--timeout",
        "60",
        "--graceful-timeout",
        "5",
        "--preload",
    ]


def wait_http(port: int, path: str = "/healthz", *, proc: Proc | None = None, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if proc is not None and proc.popen.poll() is not None:
            raise AssertionError(f"{proc.name} exited with {proc.popen.returncode}:\n{proc.tail()}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status == 200:
                return
            last = f"HTTP {response.status}"
        except OSError as exc:
            last = repr(exc)
        time.sleep(0.1)
    raise AssertionError(
        f"nothing answered on port {port} within {timeout} s ({last})\n{proc.tail() if proc else ''}"
    )


class Api:
    """A tiny JSON client for one user's token (one keep-alive connection, reopened after an error)."""

    def __init__(self, port: int, key: str) -> None:
        self.port, self.key = port, key
        self.conn: http.client.HTTPConnection | None = None

    def call(self, method: str, path: str, body=None, headers: dict | None = None) -> tuple[int, dict, dict]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        all_headers = {
            "Authorization": f"Bearer {self.key}",
            "Content-Type": "application/json",
            **(headers or {}),
        }
        try:
            self.conn.request(
                method, "/api/v1" + path, json.dumps(body) if body is not None else None, all_headers
            )
            response = self.conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        data = json.loads(raw) if raw else {}
        return response.status, data, dict(response.getheaders())

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


# ------------------------------------------------------------------------------------- PostgreSQL


def _pg_bin() -> Path:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not candidates:
        raise AssertionError(
            "PostgreSQL server binaries are missing: install the Debian package 'postgresql' "
            "(scripts/system-deps.sh does it)"
        )
    return candidates[-1].parent


@contextlib.contextmanager
def postgres_cluster() -> Iterator[str]:
    """A throwaway cluster on a free loopback port (as scripts/with-postgres.sh); yields its DATABASE_URL."""
    pg = _pg_bin()
    root = Path(tempfile.mkdtemp(prefix="gendan-pg-", dir="/tmp"))
    as_root = os.getuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    if as_root:
        shutil.chown(root, user="postgres")
    port = free_port()
    data = root / "data"

    def run(*args: str) -> None:
        result = subprocess.run([*prefix, *args], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"{args[0]} failed: {result.stdout}{result.stderr}"

    try:
        run(
            str(pg / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100"
        run(str(pg / "pg_ctl"), "-D", str(data), "-w", "-l", str(root / "log"), "-o", options, "start")
        run(str(pg / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "gendan")
        yield f"postgres://postgres@127.0.0.1:{port}/gendan"
    finally:
        subprocess.run(
            [*prefix, str(pg / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)


# ------------------------------------------------------------------------------------------ Redis


def redis_args(port: int, workdir: Path) -> list[str]:
    server = need("redis-server", "redis-server")
    return [
        server,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(workdir),
    ]


def wait_redis(port: int, *, proc: Proc, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.popen.poll() is not None:
            raise AssertionError(f"redis-server exited:\n{proc.tail()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            if sock.recv(64).startswith(b"+PONG"):
                return
        time.sleep(0.05)
    raise AssertionError(f"redis-server did not answer on {port}:\n{proc.tail()}")
