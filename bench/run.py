"""`make bench`: a fresh database, each case in its own process, one JSON object on stdout."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ORDER = [
    "raw_limit",
    "intake_service",
    "intake_batch",
    "api_intake",
    "api_intake_batch",
    "review_release",
    "review_release_batch",
    "import_preview",
    "scheduling",
    "scan",
    "export",
    "generate_big",
    "list_page",
    "dashboard",
    "monthly_kpis",
]


def fresh_database(env: dict) -> None:
    """Drop the bench database (SQLite file or every PostgreSQL row) and migrate it."""
    if not env.get("BENCH_DATABASE_URL"):
        base = env.get("BENCH_SQLITE") or str(ROOT / "var" / "bench.sqlite3")
        for suffix in ("", "-wal", "-shm"):
            path = Path(base + suffix)
            if path.exists():
                path.unlink()
    else:  # drop and create the named database through the server's maintenance database
        import dj_database_url
        import psycopg

        settings = dj_database_url.parse(env["BENCH_DATABASE_URL"])
        with psycopg.connect(
            host=settings["HOST"] or None,
            port=settings["PORT"] or None,
            user=settings["USER"] or None,
            password=settings["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        ) as admin:
            name = psycopg.sql.Identifier(settings["NAME"])
            admin.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {}").format(name))
            admin.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(name))
    subprocess.run(
        [sys.executable, "-m", "config.cli", "migrate", "--noinput"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def main() -> int:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.django.bench"}
    fresh_database(env)
    wanted = sys.argv[1:] or ORDER
    results = {}
    for name in wanted:
        print(f"running {name} …", file=sys.stderr, flush=True)
        done = subprocess.run(
            [sys.executable, "-m", "bench.cases", name], env=env, cwd=ROOT, capture_output=True, text=True
        )
        if done.returncode != 0:
            results[name] = {"error": done.stderr.strip().splitlines()[-1:] or ["failed"]}
            continue
        results[name] = json.loads(done.stdout.strip().splitlines()[-1])
    raw = results.get("raw_limit", {}).get("orders_per_s", {}).get("median")
    intake = results.get("intake_service", {}).get("orders_per_s", {}).get("median")
    if raw and intake:
        results["ratio_raw_to_intake"] = round(raw / intake, 2)
    results["database"] = (
        "postgresql" if env.get("BENCH_DATABASE_URL", "").startswith("postgres") else "sqlite"
    )
    print(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
