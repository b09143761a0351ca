"""Upgrade: a database made with the previous schema (core and orders at 0001_initial) and data written through
that schema's historical models is migrated to the latest schema; the data is intact and today's services use
it (edit with its version, next number from its counter, review, append-only timeline).

Runs on a database of its own (a SQLite file, or a second database in the PostgreSQL test cluster), in
separate processes: the old half never imports today's models for writing.
"""

import json
import subprocess
import sys
import uuid

import psycopg
import pytest
from django.db import connection

from tests.reliability.servers import ROOT, gendan, production_env


def _stage(name: str, env: dict[str, str]) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "tests.reliability.upgrade", name],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"stage {name} failed:\n{result.stdout}\n{result.stderr}"
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def upgrade_database_url(tmp_path):
    """A fresh, empty database on the engine the suite runs on."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'upgrade.sqlite3'}"
        return
    settings = connection.settings_dict
    name = f"gendan_upgrade_{uuid.uuid4().hex[:8]}"
    server = {
        "host": settings["HOST"],
        "port": settings["PORT"],
        "user": settings["USER"],
        "dbname": "postgres",
    }
    if settings.get("PASSWORD"):
        server["password"] = settings["PASSWORD"]
    with psycopg.connect(**server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    auth = settings["USER"] + (f":{settings['PASSWORD']}" if settings.get("PASSWORD") else "")
    try:
        yield f"postgres://{auth}@{settings['HOST']}:{settings['PORT']}/{name}"
    finally:
        with psycopg.connect(**server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_data_of_the_previous_schema_survives_the_upgrade_and_works_with_todays_services(
    upgrade_database_url,
):
    env = production_env(DATABASE_URL=upgrade_database_url, HUEY_IMMEDIATE="true")
    # given a database at the previous schema with an order written through that schema's models
    old = _stage("old", env)
    assert "orders.0001_initial" in old["applied"] and "core.0001_initial" in old["applied"]
    assert "core.0002_auditlog_loginfailure" not in old["applied"]
    assert not any(m.startswith(("reviews.", "followup.", "shipping.")) for m in old["applied"])

    # when it is upgraded to the latest schema with the ordinary command
    gendan(["migrate", "--noinput"], env)
    new = _stage("new", env)

    # then nothing is left to apply and every row written before reads back the same
    assert new["pending"] == []
    assert new["rows"] == old["rows"]
    # and today's code understands it: roles, lines with sizes, the timeline
    assert new["roles"] == ["merchandiser"]
    assert new["lines"] == [["100.000", ["S", "M", "L"]]]
    assert new["timeline"] == ["created"]
    # and the services work on it: the edit with the stored version, the next number from the old counter,
    # the review with its six items and feasible date, and the timeline is append-only
    assert new["updated"] == [2, "1500.00", 1]
    assert new["next_number"] == "SO2026-000002"
    status, version, items, feasible = new["reviewed"]
    assert (status, version, items) == ("in_review", 3, 6) and feasible != "None"
    assert new["events_append_only"] is True
