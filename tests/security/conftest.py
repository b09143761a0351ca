"""The security battery shares one populated world per module, built once inside a transaction that is
rolled back when the module ends. Each test module sets `pytestmark = pytest.mark.django_db`, so each test runs
in a savepoint of its own, rolled back too.

The clock stands at 27 November 2026, 10:00 (Asia/Shanghai) while a module's world exists: the world and the
requests made against it see the same dates (quotations valid, today's progress records, the morning slot)
whatever day the suite runs on."""

import datetime as dt
import tempfile
from unittest import mock

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from tests.security.world import DAY, world_build

MOMENT = timezone.make_aware(dt.datetime.combine(DAY, dt.time(10, 0)))


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with (
        mock.patch("django.utils.timezone.now", return_value=MOMENT),
        tempfile.TemporaryDirectory(prefix="gendan-sec-media-") as media,
        override_settings(MEDIA_ROOT=media),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        built = world_build()
        yield built
        transaction.set_rollback(True)


def pytest_terminal_summary(terminalreporter):
    from tests.security.matrix import STATS

    if STATS["cells"]:
        terminalreporter.write_line(
            f"authorization matrix: {STATS['cells']} cells checked, {STATS['leaks']} leaks found"
        )
    if STATS["fuzz_cases"]:
        terminalreporter.write_line(
            f"schemathesis: {STATS['fuzz_cases']} cases ({STATS['fuzz_2xx']} answered 2xx), "
            f"{STATS['fuzz_5xx']} answered 5xx"
        )
