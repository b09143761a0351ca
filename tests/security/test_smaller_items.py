"""Issue 21 item 9, as the probe did them: the auditor's API tokens, the Content-Security-Policy, the task
queue's file, and the API docs/schema in production."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from gendan.accounts.models import ApiToken
from tests.security.world import api_client_for

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_the_read_only_auditor_cannot_create_api_tokens(people):
    # an administrator-issued token lets the auditor's tool read; asking for another is refused
    api = api_client_for(people["auditor"])
    response = api.post("/api/v1/accounts/tokens", {"name": "mine"}, content_type="application/json")
    assert response.status_code == 403
    data = response.json()
    assert data["code"] == "read_only_account" and data["message"]
    assert ApiToken.objects.filter(user=people["auditor"]).count() == 1
    browser = Client()
    browser.force_login(people["auditor"])
    response = browser.post("/api/v1/accounts/tokens", {"name": "mine"}, content_type="application/json")
    assert response.status_code in (403,) and ApiToken.objects.filter(user=people["auditor"]).count() == 1
    # a merchandiser still can
    response = api_client_for(people["m1"]).post(
        "/api/v1/accounts/tokens", {"name": "cli"}, content_type="application/json"
    )
    assert response.status_code == 201


def test_pages_carry_a_content_security_policy_with_a_nonce_for_their_inline_script(people):
    client = Client()
    client.force_login(people["gm"])
    for url in ("/", "/orders/", "/inbox/", "/api/v1/docs"):
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        assert "script-src 'self' 'nonce-" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        page = response.content.decode()
        assert " onclick=" not in page and " onchange=" not in page, url
    # the team page's chart script runs with the request's nonce
    response = client.get("/performance/team/")
    if response.status_code == 200:
        nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
        assert f'<script nonce="{nonce}">' in response.content.decode()


def test_the_api_docs_and_schema_need_a_login_in_production(people, settings):
    settings.GENDAN_API_DOCS_PUBLIC = False
    anonymous = Client()
    response = anonymous.get("/api/v1/docs")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = anonymous.get("/api/v1/openapi.json")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    assert api_client_for(people["m1"]).get("/api/v1/openapi.json").status_code == 200
    browser = Client()
    browser.force_login(people["m1"])
    assert browser.get("/api/v1/docs").status_code == 200
    # local (make run) keeps them public
    settings.GENDAN_API_DOCS_PUBLIC = True
    assert anonymous.get("/api/v1/openapi.json").status_code == 200


def _huey_file(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "HUEY_", "GENDAN_TEST"))}
    code = "import django; django.setup(); from django.conf import settings; print(settings.HUEY['filename'])"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.django.local", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.strip()


def test_the_task_queue_file_is_configurable_and_follows_the_database(tmp_path):
    assert _huey_file() == str(ROOT / "var" / "huey.sqlite3")  # unchanged for an existing install
    one = _huey_file(DATABASE_URL=f"sqlite:///{tmp_path / 'one.sqlite3'}")
    two = _huey_file(DATABASE_URL=f"sqlite:///{tmp_path / 'two.sqlite3'}")
    assert one == str(tmp_path / "one-huey.sqlite3") and two == str(tmp_path / "two-huey.sqlite3")
    assert _huey_file(HUEY_SQLITE_PATH=str(tmp_path / "q.sqlite3")) == str(tmp_path / "q.sqlite3")
