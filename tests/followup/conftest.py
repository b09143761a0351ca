"""Builders for follow-up tests: a movable frozen clock and orders walked through the real services."""

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from gendan.orders.models import Order
from gendan.orders.services import (
    order_create,
    order_planner_acknowledge,
    order_release,
    order_start_production,
)
from gendan.reviews.models import ReviewDepartment
from gendan.reviews.services import review_approve, review_item_sign, review_open

SIGNERS = {
    ReviewDepartment.BUSINESS: "sales",
    ReviewDepartment.TECHNICAL: "tech",
    ReviewDepartment.PLANNING: "planner",
    ReviewDepartment.PURCHASING: "purchasing",
    ReviewDepartment.QUALITY: "qc",
    ReviewDepartment.FINANCE: "finance",
}


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    """An aware moment in the project's time zone (Asia/Shanghai)."""
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


class Clock:
    """`django.utils.timezone.now` (and so `localdate`, auto_now fields) returns `self.now`."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, moment: dt.datetime) -> dt.datetime:
        self.now = moment
        return moment

    def advance(self, **delta) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


@pytest.fixture
def clock():
    frozen = Clock(at(2026, 1, 5))
    with mock.patch("django.utils.timezone.now", side_effect=frozen):
        yield frozen


def approved_order(people, customer, product, *, promised: dt.date, po: str, quantity: int = 1000) -> Order:
    """Create, review (every department signs) and approve with `promised` as the promised date."""
    today = timezone.localdate()
    order = order_create(
        actor=customer.merchandiser,
        data={
            "customer": customer.code,
            "customer_po": po,
            "order_date": today.isoformat(),
            "requested_date": promised.isoformat(),
            "lines": [{"product": product.code, "quantity": str(quantity), "unit_price": "10"}],
        },
    )
    review = review_open(order=order, actor=customer.merchandiser)
    for item in review.items.all():
        review_item_sign(item=item, actor=people[SIGNERS[item.department]], result="pass")
    supervisor = customer.merchandiser.supervisor or people["sup"]
    review_approve(review=review, actor=supervisor, promised_date=promised, reason="客户急单，已协调产能")
    return Order.objects.get(pk=order.pk)


def released_order(people, customer, product, *, promised: dt.date, po: str, quantity: int = 1000) -> Order:
    order = approved_order(people, customer, product, promised=promised, po=po, quantity=quantity)
    return order_release(order=order, actor=customer.merchandiser)


def start_production(people, order: Order) -> Order:
    order = order_planner_acknowledge(order=order, actor=people["planner"])
    return order_start_production(order=Order.objects.get(pk=order.pk), actor=people["planner"])


def order_in_production(
    people,
    customer,
    product,
    clock: Clock,
    *,
    promised: dt.date,
    po: str,
    start: dt.datetime,
    quantity: int = 1000,
) -> Order:
    """Ordered and released a month before `start`; in production from `start` (the clock ends there)."""
    clock.set(start - dt.timedelta(days=30))
    order = released_order(people, customer, product, promised=promised, po=po, quantity=quantity)
    clock.set(start)
    return start_production(people, order)
