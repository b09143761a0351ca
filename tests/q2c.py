"""Helpers for the quotation-to-cash tests: an order brought to production through the real services,
shipments, and a frozen "today"."""

import contextlib
import datetime as dt
from decimal import Decimal
from unittest import mock

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
from tests.factories import order_payload

SIGNERS = {
    ReviewDepartment.BUSINESS: "sales",
    ReviewDepartment.TECHNICAL: "tech",
    ReviewDepartment.PLANNING: "planner",
    ReviewDepartment.PURCHASING: "purchasing",
    ReviewDepartment.QUALITY: "qc",
    ReviewDepartment.FINANCE: "finance",
}
ORDER_DATE = dt.date(2026, 11, 27)
_real_localdate = timezone.localdate


@contextlib.contextmanager
def today(day: dt.date):
    """timezone.localdate() answers `day` (a call converting a given datetime still converts it)."""

    def fake(value=None, timezone=None):
        if value is None:
            return day
        return _real_localdate(value, timezone)

    with mock.patch("django.utils.timezone.localdate", side_effect=fake):
        yield


def review_pass(order: Order, people: dict, *, by: str = "m1") -> Order:
    """Open the review, let every department pass it, approve at the feasible date."""
    review = review_open(order=order, actor=people[by])
    for item in review.items.all():
        review_item_sign(item=item, actor=people[SIGNERS[item.department]], result="pass")
    review_approve(review=review, actor=people[by].supervisor, promised_date=review.feasible_date)
    order.refresh_from_db()
    return order


def to_production(order: Order, people: dict, *, by: str = "m1") -> Order:
    order = review_pass(order, people, by=by)
    order_release(order=order, actor=people[by])
    order_planner_acknowledge(order=order, actor=people["planner"])
    return order_start_production(order=order, actor=people["planner"])


def order_in_production(people: dict, customer, product, *, by: str = "m1", **overrides) -> Order:
    """A two-line order (100 × 12.50 and 200 × 8.00, tolerance 3 %) in production."""
    overrides.setdefault(
        "lines",
        [
            {"product": product.code, "quantity": "100", "unit_price": "12.50", "color": "红"},
            {"product": product.code, "quantity": "200", "unit_price": "8.00", "color": "蓝"},
        ],
    )
    with today(ORDER_DATE):
        order = order_create(actor=people[by], data=order_payload(customer, product, **overrides))
        return to_production(order, people, by=by)


def shipment_payload(order: Order, quantities: dict[int, str], *, ship_date: dt.date, **extra) -> dict:
    """{line_no: quantity} → a shipment payload with packing data (2 cartons per line)."""
    lines = []
    for line in order.lines.order_by("line_no"):
        if line.line_no not in quantities:
            continue
        qty = Decimal(quantities[line.line_no])
        lines.append(
            {
                "order_line": line.pk,
                "quantity": str(qty),
                "cartons": 2,
                "quantity_per_carton": str((qty / 2).quantize(Decimal("0.001"))),
                "gross_weight_kg": "21.500",
                "net_weight_kg": "20.250",
                "volume_m3": "0.125",
            }
        )
    data = {
        "ship_date": ship_date.isoformat(),
        "expected_arrival": (ship_date + dt.timedelta(days=3)).isoformat(),
        "carrier": "德邦物流",
        "tracking_number": f"DB{ship_date:%Y%m%d}{len(lines)}",
        "lines": lines,
    }
    data.update(extra)
    return data
