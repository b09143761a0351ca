"""Run in a separate process: post one order through the API against the parent's test database.

Works with both multiprocessing start methods: 'fork' (Django already set up; the child opens its own database
connection) and 'spawn' (a fresh interpreter: point Django at the test database file, then set it up). Only the
standard library is imported at module level, so a spawned child can import this before Django is set up."""

import json
import os


def post_order(settings_module: str, db_name: str, key: str, payload: dict, barrier, results) -> None:
    from django.apps import apps

    if not apps.ready:  # spawn
        os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
        from django.conf import settings

        settings.DATABASES["default"]["NAME"] = db_name  # the parent's test database, not the dev one
        import django

        django.setup()
        from django.test.utils import setup_test_environment

        setup_test_environment()
    from django.db import connection
    from django.test import Client

    assert connection.connection is None, "the child must open its own database connection"
    assert connection.settings_dict["NAME"] == db_name
    client = Client()
    barrier.wait(timeout=120)  # every process is ready: post at the same moment
    try:
        response = client.post(
            "/api/v1/orders",
            json.dumps(payload),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
        results.put((os.getpid(), response.status_code, response.json()))
    except Exception as exc:  # reported to the parent, which fails the test with it
        results.put((os.getpid(), 0, {"error": repr(exc)}))
    finally:
        connection.close()
