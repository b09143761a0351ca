"""Builders for change request tests: orders walked through the real review and release."""

import datetime as dt

import pytest
from django.utils import timezone

from gendan.changes.services import change_request_sign, proposal_initial
from gendan.orders.models import Order
from gendan.orders.services import order_create, order_release
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


def approved_order(people, customer, product, *, po: str = "PO-CR", lines=None) -> Order:
    today = timezone.localdate()
    promised = today + dt.timedelta(days=60)
    order = order_create(
        actor=people["m1"],
        data={
            "customer": customer.code,
            "customer_po": po,
            "order_date": today.isoformat(),
            "requested_date": promised.isoformat(),
            "lines": lines
            or [
                {
                    "product": product.code,
                    "quantity": "100",
                    "unit_price": "12.50",
                    "color": "红",
                    "sizes": "S:30 M:40 L:30",
                },
                {"product": product.code, "quantity": "50", "unit_price": "12.50", "color": "蓝"},
            ],
        },
    )
    review = review_open(order=order, actor=people["m1"])
    for item in review.items.all():
        review_item_sign(item=item, actor=people[SIGNERS[item.department]], result="pass")
    review_approve(review=review, actor=people["sup"], promised_date=promised)
    return Order.objects.get(pk=order.pk)


def released_order(people, customer, product, **kwargs) -> Order:
    order = approved_order(people, customer, product, **kwargs)
    return order_release(order=order, actor=people["m1"])


def proposal(order: Order, **header) -> dict:
    data = proposal_initial(order=order)
    data.update(header)
    return data


def sign_all(change_request, people, result="pass"):
    for item in change_request.items.all():
        change_request_sign(
            item=item,
            actor=people[SIGNERS[item.department]],
            result=result,
            comment="" if result == "pass" else "条件",
        )


@pytest.fixture
def released(people, customer, product):
    return released_order(people, customer, product)
