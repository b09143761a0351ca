"""Orders under concurrency, from separate OS processes (each with its own database connection).

- 50 concurrent edits of one order through PUT /api/v1/orders/{id}: each lands or gets 409, none is lost,
  and the row ends as the last landed edit.
- 200 concurrent creations, 5 % of them crashing after drawing their number, dated on both sides of a
  New Year's midnight: per series and year the numbers are unique and gap-free.
- The database's UNIQUE constraint refuses a duplicate number even when the code is bypassed.
"""

import datetime as dt
import json
import re
from collections import Counter
from unittest import mock

import pytest
from django.db import IntegrityError, transaction

from gendan.accounts.services import api_token_create
from gendan.core.models import DocumentCounter
from gendan.orders.models import Order, OrderEvent, OrderLine
from gendan.orders.services import order_create
from tests.factories import order_payload
from tests.reliability.concurrency import run_concurrently, tally

pytestmark = pytest.mark.django_db(transaction=True)

EDITORS = 50
RETRIES = 3  # a fresh editor who gets a 409 reloads and saves again, at most this many tries
CREATIONS = 200
CREATION_PROCESSES = 40
CRASH_EVERY = 20  # 1 in 20 = 5 %


# ------------------------------------------------------------------------------ 50 concurrent edits


def put_edit(task: dict) -> list[dict]:
    """One user's edit. A stale editor holds the version read before the storm and tries once; a fresh one
    reads the version, PUTs, and after a 409 reloads and tries again (up to RETRIES times), as a user would.
    Returns every attempt."""
    import logging
    import time

    from django.test import Client

    logging.getLogger("django.request").setLevel(logging.ERROR)  # 409s are expected here, not news
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {task['key']}"}
    url = f"/api/v1/orders/{task['order_id']}"
    attempts = []
    for _attempt in range(1 if task["stale_version"] else RETRIES):
        version = task["stale_version"]
        if version is None:
            time.sleep(task["delay"])
            response = client.get(url, **auth)
            assert response.status_code == 200, response.content
            version = response.json()["version"]
        response = client.put(
            url, json.dumps({**task["payload"], "version": version}), content_type="application/json", **auth
        )
        data = response.json()
        attempts.append(
            {
                "status": response.status_code,
                "read": version,
                "new": data.get("version"),
                "current": data.get("extra", {}).get("current_version"),
                "marker": task["payload"]["requirements"],
                "code": data.get("code", ""),
            }
        )
        if response.status_code != 409:
            break
    return attempts


def warm_up_reader(task: dict) -> None:
    from django.test import Client

    response = Client().get(f"/api/v1/orders/{task['order_id']}", HTTP_AUTHORIZATION=f"Bearer {task['key']}")
    assert response.status_code == 200


def test_fifty_concurrent_edits_each_land_or_get_409_and_none_is_lost(
    people, customer, product, record_property
):
    # given a draft order at version 1 and a token of its merchandiser
    order = order_create(actor=people["m1"], data=order_payload(customer, product, customer_po="EDIT-1"))
    _token, key = api_token_create(user=people["m1"], name="editors")
    # and 50 editors, each with its own requirements text and quantity; the even ones hold the version read
    # before the storm (the classic stale form), the odd ones read it after the start and retry after a 409
    tasks = []
    for n in range(EDITORS):
        payload = order_payload(customer, product, customer_po="EDIT-1", requirements=f"edit {n:02d}")
        payload["lines"][0].update(quantity=str(100 + n), sizes=None)
        tasks.append(
            {
                "key": key,
                "order_id": order.pk,
                "payload": payload,
                "stale_version": order.version if n % 2 == 0 else None,
                "delay": (n // 2) % 5 * 0.1,
            }
        )

    # when 50 processes send them at the same moment
    outcomes = run_concurrently(put_edit, tasks, processes=EDITORS, prepare=warm_up_reader)

    # then each one either landed (200) or was refused as stale (409), nothing else
    assert all(o.ok for o in outcomes), tally(outcomes)
    results = [attempt for o in outcomes for attempt in o.value]
    landed = [r for r in results if r["status"] == 200]
    refused = [r for r in results if r["status"] == 409]
    read_versions = Counter(r["read"] for r in landed)
    lost = sum(n - 1 for n in read_versions.values())  # two landed edits of the same version: one was lost
    figures = (
        f"editors={EDITORS} tried={len(results)} landed={len(landed)} refused_409={len(refused)} lost={lost} "
        f"other={len(results) - len(landed) - len(refused)}"
    )
    record_property("concurrent_edits", figures)
    assert len(landed) + len(refused) == len(results) >= EDITORS, figures
    assert all(r["code"] == "stale_version" for r in refused), figures
    assert lost == 0, figures
    # the 25 stale editors held version 1: at most one of them can land, so some 409s are certain
    assert len(landed) >= 1 and len(refused) >= EDITORS // 2 - 1, figures
    # each landed edit moved the version by exactly one from the version it read
    assert sorted(r["new"] for r in landed) == list(range(2, len(landed) + 2)), figures
    assert all(r["new"] == r["read"] + 1 for r in landed), figures
    # a refused edit was told a newer current version than the one it sent
    assert all(r["current"] > r["read"] for r in refused), figures

    # and the row is the last landed edit, whole
    last = max(landed, key=lambda r: r["new"])
    row = Order.objects.get(pk=order.pk)
    line = OrderLine.objects.get(order=row)
    number = int(last["marker"].split()[1])
    assert row.version == len(landed) + 1, figures
    assert row.requirements == last["marker"], figures
    assert line.quantity == 100 + number and row.total_quantity == 100 + number, figures
    # and the timeline has one "updated" event per landed edit, with the versions they produced
    updates = OrderEvent.objects.filter(order=row, type=OrderEvent.Type.UPDATED)
    assert sorted(e.data["version"] for e in updates) == sorted(r["new"] for r in landed), figures


# --------------------------------------------------- 200 concurrent creations, crashes, New Year's midnight


class CrashAfterNumber(Exception):
    """The test-only failure: raised inside the order's transaction after its number was drawn and its header
    written, while its lines are being written (a crash halfway through the document)."""


def create_order(task: dict) -> str:
    from gendan.accounts.models import User
    from gendan.orders import services

    actor = User.objects.get(pk=task["actor_id"])
    if not task["crash"]:
        return services.order_create(actor=actor, data=task["payload"]).number

    def crash(order, data):
        raise CrashAfterNumber(order.number)

    with mock.patch.object(services, "_lines_write", crash):
        services.order_create(actor=actor, data=task["payload"])
    raise AssertionError("the crash hook did not run")


def test_two_hundred_concurrent_creations_across_new_year_get_gap_free_numbers(
    people, customer, product, record_property
):
    # given 200 orders to create, dated 2026-12-31 and 2027-01-01 alternately (the year turns at midnight
    # while they are entered), and every 20th one crashing after it drew its number
    new_years_eve, new_year = dt.date(2026, 12, 31), dt.date(2027, 1, 1)
    tasks = []
    for n in range(CREATIONS):
        day = new_years_eve if n % 2 == 0 else new_year
        tasks.append(
            {
                "actor_id": people["m1"].pk,
                "crash": (n // 2) % CRASH_EVERY == 0,  # 5 % of each year's orders
                "payload": order_payload(
                    customer,
                    product,
                    customer_po=f"NY-{n:03d}",
                    order_date=day.isoformat(),
                    requested_date=(day + dt.timedelta(days=40)).isoformat(),
                ),
            }
        )
    crashing = {n for n, task in enumerate(tasks) if task["crash"]}
    assert len(crashing) == CREATIONS // CRASH_EVERY

    # when 40 processes create them at once (5 each)
    outcomes = run_concurrently(create_order, tasks, processes=CREATION_PROCESSES)

    # then the crashing ones failed after drawing a number, every other one got a number
    counts = tally(outcomes)
    assert {o.task for o in outcomes if not o.ok} == crashing, counts
    assert all(o.error == "CrashAfterNumber" for o in outcomes if not o.ok), counts
    drawn_by_crashes = sorted(o.message for o in outcomes if not o.ok)
    numbers = [o.value for o in outcomes if o.ok]
    figures = {"created": len(numbers), "crashed": len(drawn_by_crashes)}
    for year in (2026, 2027):
        mine = sorted(n for n in numbers if n.startswith(f"SO{year}-"))
        expected = [f"SO{year}-{k:06d}" for k in range(1, len(mine) + 1)]
        duplicates = len(mine) - len(set(mine))
        missing = len(set(expected) - set(mine))
        figures[year] = {"numbers": len(mine), "duplicates": duplicates, "missing": missing}
        # unique and gap-free per series and year, the counter at the last one
        assert len(mine) == (CREATIONS - len(crashing)) // 2, figures
        assert mine == expected, (figures, mine[:5], drawn_by_crashes)
        assert DocumentCounter.objects.get(series="SO", year=year).last == len(mine), figures
    record_property("concurrent_creations", str(figures))
    # and the numbers the crashed transactions drew were given back (taken by others or never used)
    assert all(re.fullmatch(r"SO202[67]-\d{6}", n) for n in drawn_by_crashes), drawn_by_crashes
    # and the database holds exactly the acknowledged orders, each whole, and nothing of the crashed ones
    assert sorted(Order.objects.values_list("number", flat=True)) == sorted(numbers), figures
    assert not Order.objects.filter(customer_po__in=[f"NY-{n:03d}" for n in crashing]).exists()
    assert OrderEvent.objects.filter(type=OrderEvent.Type.CREATED).count() == len(numbers)
    assert OrderLine.objects.count() == len(numbers)
    # the number's year is the order date's year
    assert all(o.number[2:6] == str(o.order_date.year) for o in Order.objects.all())


# ------------------------------------------------------------------------------------ the backstop


def test_the_database_refuses_a_duplicate_order_number_and_counter(people, customer, product):
    # given an order with its number
    order = order_create(actor=people["m1"], data=order_payload(customer, product, customer_po="U-1"))
    copy = Order.objects.values().get(pk=order.pk)
    copy.pop("id")
    copy["customer_po"] = "U-2"
    # when a second row with the same number is inserted behind the services' back (bulk insert, no checks)
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.bulk_create([Order(**copy)])
    # then the database refused it, and the same for a second counter row of the same series and year
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentCounter.objects.bulk_create([DocumentCounter(series="SO", year=2026, last=0)])
    assert Order.objects.filter(number=order.number).count() == 1
    assert DocumentCounter.objects.filter(series="SO", year=2026).count() == 1
