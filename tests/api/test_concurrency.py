"""Gap-free numbers under concurrent creation: 20 processes post an order at the same moment through the API
against the same database file; the numbers are 20 consecutive ones, no gap, no duplicate."""

import multiprocessing
import os
import queue

import pytest
from django.db import connection

from gendan.accounts.services import api_token_create
from gendan.core.models import DocumentCounter
from gendan.orders.models import Order, OrderEvent
from tests.api.concurrency_worker import post_order
from tests.factories import order_payload

WORKERS = 20
# 'fork' where the platform has it (each child a separate process with its own connection, ~1 s in all);
# 'spawn' elsewhere (each child a fresh interpreter that sets Django up itself, ~40 s for 20 on 2 cores).
# GENDAN_TEST_START_METHOD=spawn forces the slow, fully independent variant.
START_METHOD = os.environ.get(
    "GENDAN_TEST_START_METHOD", "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
)


@pytest.mark.parametrize("start_method", [START_METHOD])
def test_twenty_concurrent_creations_get_twenty_consecutive_numbers(
    start_method, transactional_db, people, customer, product
):
    # given committed master data and a token, visible to other processes through the database file
    # (on PostgreSQL the same code talks to the same test database)
    _token, key = api_token_create(user=people["m1"], name="load")
    settings_module = os.environ["DJANGO_SETTINGS_MODULE"]
    db_name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        assert db_name and db_name != ":memory:" and "mode=memory" not in str(db_name), db_name
    connection.close()

    # when 20 separate processes post an order each at the same moment
    context = multiprocessing.get_context(start_method)
    barrier = context.Barrier(WORKERS)
    results = context.Queue()
    processes = [
        context.Process(
            target=post_order,
            args=(
                settings_module,
                db_name,
                key,
                order_payload(customer, product, customer_po=f"CONC-{n:02d}"),
                barrier,
                results,
            ),
        )
        for n in range(WORKERS)
    ]
    for process in processes:
        process.start()
    answers = []
    try:
        for _ in range(WORKERS):
            answers.append(results.get(timeout=180))
    except queue.Empty:
        pass
    for process in processes:
        process.join(timeout=60)
        if process.is_alive():
            process.kill()

    # then every one was created, by a different process
    assert len(answers) == WORKERS, answers
    assert len({pid for pid, _status, _body in answers}) == WORKERS
    assert all(status == 201 for _pid, status, _body in answers), answers
    # with 20 distinct, consecutive numbers from the first: no gap, no duplicate
    numbers = sorted(body["number"] for _pid, _status, body in answers)
    assert numbers == [f"SO2026-{n:06d}" for n in range(1, WORKERS + 1)]
    # and the database agrees: 20 orders, each with its number, its lines and one "created" event
    assert sorted(Order.objects.values_list("number", flat=True)) == numbers
    assert DocumentCounter.objects.get(series="SO", year=2026).last == WORKERS
    assert OrderEvent.objects.filter(type=OrderEvent.Type.CREATED).count() == WORKERS
    assert all(order.lines.count() == 1 for order in Order.objects.all())
