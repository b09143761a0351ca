"""Migration 0009: an INITIAL agreed-date row for orders promised before the history existed."""

import datetime as dt
import importlib
from unittest import mock

from django.apps import apps
from django.utils import timezone

from gendan.orders.models import Order, OrderEvent, OrderPromise, PromiseCause
from gendan.orders.services import order_create
from tests.factories import order_payload
from tests.orders.test_promises import approved

backfill = importlib.import_module("gendan.orders.migrations.0009_order_promise_backfill").backfill


def test_backfill_creates_the_initial_promise_from_the_approval(people, customer, product):
    make = lambda po: order_create(actor=people["m1"], data=order_payload(customer, product, customer_po=po))  # noqa: E731
    # given an order approved before the history: its approval event names who and when (twice: the last wins)
    old = make("OLD")
    Order.objects.filter(pk=old.pk).update(promised_date=dt.date(2026, 12, 20), status="approved")
    for day, actor in ((dt.date(2026, 11, 2), people["sup2"]), (dt.date(2026, 11, 3), people["sup"])):
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
        with mock.patch("django.utils.timezone.now", return_value=moment):
            OrderEvent.objects.create(
                order=old,
                type=OrderEvent.Type.TRANSITION,
                actor=actor,
                from_status="in_review",
                to_status="approved",
            )
    # an order promised without an approval event (imported data), one not promised, one already recorded
    bare = make("BARE")
    Order.objects.filter(pk=bare.pk).update(promised_date=dt.date(2026, 12, 24))
    unpromised = make("NONE")
    recorded = approved(people, customer, product, po="DONE")
    # when the migration runs (twice: it is re-runnable)
    backfill(apps, None)
    backfill(apps, None)
    # then
    row = OrderPromise.objects.get(order=old)
    assert (row.cause, row.promised_date, row.previous_date, row.source) == (
        PromiseCause.INITIAL,
        dt.date(2026, 12, 20),
        None,
        "review",
    )
    assert row.agreed_by == people["sup"] and timezone.localtime(row.agreed_at).date() == dt.date(2026, 11, 3)
    bare_row = OrderPromise.objects.get(order=bare)
    assert bare_row.agreed_by == people["m1"] and bare_row.promised_date == dt.date(2026, 12, 24)
    assert not OrderPromise.objects.filter(order=unpromised).exists()
    assert OrderPromise.objects.filter(order=recorded).count() == 1
