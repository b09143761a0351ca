"""The agreed delivery date's history: the review's promise, customer / internal changes, append-only."""

import datetime as dt

import pytest
from django.db import transaction

from gendan.core.errors import ValidationFailed
from gendan.core.models import AppendOnlyError
from gendan.orders.models import Order, OrderEvent, OrderPromise, PromiseCause
from gendan.orders.promises import order_promise_kpi_date, order_promise_kpi_dates, order_promise_record
from gendan.orders.services import order_create
from gendan.reviews.services import review_approve, review_approve_many, review_open
from tests.factories import order_payload
from tests.reviews.test_services import sign_all


def approved(people, customer, product, po="PO-PROMISE", promised: dt.date | None = None) -> Order:
    order = order_create(actor=people["m1"], data=order_payload(customer, product, customer_po=po))
    review = review_open(order=order, actor=people["m1"])
    sign_all(review, people)
    review_approve(review=review, actor=people["sup"], promised_date=promised or review.feasible_date)
    return Order.objects.get(pk=order.pk)


def change(order: Order, new_date: dt.date, cause: str, reason: str, actor, **kwargs) -> OrderPromise:
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        return order_promise_record(
            order=locked, new_date=new_date, cause=cause, reason=reason, actor=actor, **kwargs
        )


def test_review_approval_records_the_initial_promise(people, customer, product):
    order = approved(people, customer, product)
    (row,) = order.promises.all()
    assert (row.cause, row.promised_date, row.previous_date, row.source) == (
        PromiseCause.INITIAL,
        order.promised_date,
        None,
        "review",
    )
    assert row.agreed_by == people["sup"]
    assert not order.events.filter(type=OrderEvent.Type.PROMISE_CHANGED).exists()
    assert order_promise_kpi_date(order=order) == order.promised_date


def test_batch_approval_records_one_initial_promise_per_order(people, customer, product):
    orders = [
        order_create(actor=people["m1"], data=order_payload(customer, product, customer_po=f"PO-B{n}"))
        for n in range(3)
    ]
    reviews = [review_open(order=order, actor=people["m1"]) for order in orders]
    for review in reviews:
        sign_all(review, people)
    later = reviews[1].feasible_date + dt.timedelta(days=4)
    review_approve_many(reviews=reviews, actor=people["sup"], promised_dates={reviews[1].pk: later})
    rows = {row.order_id: row for row in OrderPromise.objects.filter(order__in=orders)}
    assert len(rows) == 3 and {row.cause for row in rows.values()} == {PromiseCause.INITIAL}
    for order in orders:
        order.refresh_from_db()
        assert rows[order.pk].promised_date == order.promised_date
        assert rows[order.pk].agreed_by == people["sup"] and rows[order.pk].source == "review"
    assert rows[orders[1].pk].promised_date == later


@pytest.mark.parametrize("cause", [PromiseCause.CUSTOMER, PromiseCause.INTERNAL])
def test_a_change_needs_a_reason(people, customer, product, cause):
    order = approved(people, customer, product)
    with pytest.raises(ValidationFailed) as exc:
        change(order, order.promised_date + dt.timedelta(days=7), cause, "  ", people["sup"])
    assert "promised_date" in exc.value.fields
    order.refresh_from_db()
    assert order.promises.count() == 1


def test_a_change_to_the_same_date_or_before_the_order_is_refused(people, customer, product):
    order = approved(people, customer, product)
    for day in (order.promised_date, order.order_date - dt.timedelta(days=1)):
        with pytest.raises(ValidationFailed) as exc:
            change(order, day, PromiseCause.CUSTOMER, "客户要求", people["sup"])
        assert "promised_date" in exc.value.fields


def test_a_change_moves_the_date_and_writes_the_event(people, customer, product):
    order = approved(people, customer, product)
    first, version = order.promised_date, order.version
    new = first + dt.timedelta(days=7)
    row = change(order, new, PromiseCause.CUSTOMER, "客户推迟收货", people["sup"], source="CR2026-000003")
    order.refresh_from_db()
    assert order.promised_date == new and order.version == version  # the caller owns the version
    assert (row.previous_date, row.promised_date, row.cause) == (first, new, PromiseCause.CUSTOMER)
    event = order.events.get(type=OrderEvent.Type.PROMISE_CHANGED)
    assert event.actor == people["sup"] and event.note == "客户推迟收货"
    assert event.data == {
        "from": first.isoformat(),
        "to": new.isoformat(),
        "cause": "customer",
        "reason": "客户推迟收货",
        "source": "CR2026-000003",
    }


def test_kpi_date_follows_customer_changes_not_internal_ones(people, customer, product):
    order = approved(people, customer, product)
    first = order.promised_date
    change(order, first + dt.timedelta(days=7), PromiseCause.CUSTOMER, "客户推迟", people["sup"])
    change(order, first + dt.timedelta(days=12), PromiseCause.INTERNAL, "面料晚到", people["sup"])
    order.refresh_from_db()
    # current date: the internal one (what the customer now expects); KPI baseline: the customer's
    assert order.promised_date == first + dt.timedelta(days=12)
    assert order_promise_kpi_date(order=order) == first + dt.timedelta(days=7)
    assert order_promise_kpi_dates(order_ids=[order.pk]) == {order.pk: first + dt.timedelta(days=7)}


def test_promise_rows_are_append_only(people, customer, product):
    order = approved(people, customer, product)
    row = order.promises.get()
    row.reason = "改写"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    from gendan.core.append_only import append_only_tables

    assert OrderPromise._meta.db_table in append_only_tables()
