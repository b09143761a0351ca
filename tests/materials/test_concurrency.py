"""Two releases at the same moment, in two processes, against the same database: the stock (100 buttons)
is reserved once. Each release locks the stock rows (SELECT … FOR UPDATE on PostgreSQL; on SQLite the
transaction takes the write lock at BEGIN IMMEDIATE), re-reads what is available and reserves with a guarded
UPDATE under the check constraint reserved ≤ on hand."""

import multiprocessing
import queue
from decimal import Decimal

from django.db import connection

from gendan.materials.models import MaterialRequirement, PurchaseRequest
from tests.materials.concurrency_worker import release
from tests.materials.helpers import D, approve, bom, draft, in_review, material, stock, supplier


def test_two_simultaneous_releases_reserve_the_stock_once(transactional_db, people, customer, product):
    # given 100 buttons and two approved orders of 80 pieces (1 button each), committed
    buttons = material("BTN", on_hand="100", supplier_=supplier("S1", lead=5))
    bom(product, buttons, "1")
    orders = []
    for po in ("A", "B"):
        order = draft(
            people, customer, product, qty="80", po=po, order_date=D(2026, 9, 1), requested=D(2026, 10, 30)
        )
        orders.append(
            approve(
                people, in_review(people, order, on=D(2026, 9, 1)), promised=D(2026, 10, 30), on=D(2026, 9, 1)
            )
        )
    if connection.vendor == "sqlite":
        assert "mode=memory" not in str(connection.settings_dict["NAME"])
    connection.close()

    # when two processes release them at the same moment
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(2), context.Queue()
    processes = [context.Process(target=release, args=(order.pk, "m1", barrier, results)) for order in orders]
    for process in processes:
        process.start()
    answers = []
    try:
        for _ in processes:
            answers.append(results.get(timeout=120))
    except queue.Empty:
        pass
    for process in processes:
        process.join(timeout=60)

    # then both succeeded, 80 + 20 are reserved and 60 requested: never 160 reserved
    assert sorted(answer for _pid, _order, answer in answers) == ["ok", "ok"], answers
    reserved = sorted(MaterialRequirement.objects.values_list("reserved", flat=True))
    assert reserved == [Decimal("20"), Decimal("80")]
    assert list(PurchaseRequest.objects.values_list("quantity", flat=True)) == [Decimal("60")]
    assert (stock(buttons).on_hand, stock(buttons).reserved) == (Decimal("100"), Decimal("100"))
