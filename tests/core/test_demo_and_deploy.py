import os
import subprocess
import sys

from django.core.management import call_command

from gendan.core.demo import demo_load
from gendan.orders.models import Order, OrderStatus


def test_demo_is_idempotent_and_covers_the_statuses(db):
    first = demo_load()
    second = demo_load()
    assert first == second
    statuses = set(Order.objects.values_list("status", flat=True))
    assert {
        OrderStatus.DRAFT,
        OrderStatus.AWAITING_APPROVAL,
        OrderStatus.IN_REVIEW,
        OrderStatus.APPROVED,
        OrderStatus.REJECTED,
        OrderStatus.RELEASED,
        OrderStatus.IN_PRODUCTION,
        OrderStatus.ON_HOLD,
        OrderStatus.CANCELLED,
    } <= statuses


def test_demo_logins_work(db, client):
    call_command("demo", verbosity=0)
    assert client.login(username="merch1", password="gendan-demo-2026")


def test_check_deploy_with_production_settings_is_clean(tmp_path):
    # The test runner's own DJANGO_ALLOW_ASYNC_UNSAFE (for the browser tests) is not a production setting.
    base = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL")}
    env = {
        **base,
        "DJANGO_SETTINGS_MODULE": "config.django.production",
        "SECRET_KEY": "x" * 64 + "-production-secret-for-the-check-only",
        "ALLOWED_HOSTS": "erp.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-m", "config.cli", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
