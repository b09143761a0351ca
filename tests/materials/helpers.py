"""Orders brought to review, approval and release through the real services, with a frozen "today"."""

import contextlib
import datetime as dt
from decimal import Decimal
from unittest import mock

from django.utils import timezone

from gendan.capacity.models import RouteStep, WorkCentre
from gendan.catalog.models import Product
from gendan.materials.models import BomLine, Material, Stock
from gendan.orders.models import Order
from gendan.orders.services import order_create, order_release
from gendan.parties.models import Supplier
from gendan.reviews.models import Review, ReviewDepartment
from gendan.reviews.services import review_approve, review_item_sign, review_open
from tests.factories import order_payload

D = dt.date
SIGNERS = {
    ReviewDepartment.BUSINESS: "sales",
    ReviewDepartment.TECHNICAL: "tech",
    ReviewDepartment.PLANNING: "planner",
    ReviewDepartment.PURCHASING: "purchasing",
    ReviewDepartment.QUALITY: "qc",
    ReviewDepartment.FINANCE: "finance",
}
_real_localdate = timezone.localdate


@contextlib.contextmanager
def today(day: dt.date):
    """timezone.localdate() answers `day` (a call converting a given datetime still converts it)."""

    def fake(value=None, timezone=None):
        return day if value is None else _real_localdate(value, timezone)

    with mock.patch("django.utils.timezone.localdate", side_effect=fake):
        yield


def supplier(code: str = "S100", lead: int = 5) -> Supplier:
    return Supplier.objects.create(
        code=code, name=f"供应商{code}", kind=Supplier.Kind.SUPPLIER, lead_time_days=lead
    )


def material(code: str, *, unit: str = "pcs", on_hand: str = "0", lead: int = 0, supplier_=None) -> Material:
    m = Material.objects.create(
        code=code, name=f"物料{code}", unit=unit, lead_time_days=lead, supplier=supplier_
    )
    Stock.objects.create(material=m, on_hand=Decimal(on_hand))
    return m


def bom(product: Product, item: Material, usage: str, loss: str = "0") -> BomLine:
    return BomLine.objects.create(
        product=product, material=item, usage_per_unit=Decimal(usage), loss_rate_percent=Decimal(loss)
    )


def stock(item: Material) -> Stock:
    return Stock.objects.get(material=item)


def work_centre(code: str, minutes: int) -> WorkCentre:
    return WorkCentre.objects.create(code=code, name=f"工位{code}", daily_minutes=minutes)


def route(product: Product, *steps: tuple[WorkCentre, str]) -> None:
    for sequence, (wc, minutes) in enumerate(steps, start=1):
        RouteStep.objects.create(
            product=product, sequence=sequence, work_centre=wc, minutes_per_piece=Decimal(minutes)
        )


def draft(people, customer, product, *, qty: str, po: str, order_date: dt.date, requested: dt.date) -> Order:
    with today(order_date):
        return order_create(
            actor=people["m1"],
            data=order_payload(
                customer,
                product,
                customer_po=po,
                order_date=order_date.isoformat(),
                requested_date=requested.isoformat(),
                lines=[{"product": product.code, "quantity": qty, "unit_price": "10"}],
            ),
        )


def in_review(people, order: Order, *, on: dt.date) -> Review:
    with today(on):
        return review_open(order=order, actor=people["m1"])


def approve(people, review: Review, *, promised: dt.date, on: dt.date) -> Order:
    with today(on):
        for item in review.items.all():
            review_item_sign(item=item, actor=people[SIGNERS[item.department]], result="pass")
        review_approve(review=review, actor=people["sup"], promised_date=promised, reason="客户确认")
    review.order.refresh_from_db()
    return review.order


def released(people, customer, product, *, qty: str, po: str, promised: dt.date, on: dt.date) -> Order:
    """Draft → review → approved (promised date) → released, all on day `on`."""
    order = draft(people, customer, product, qty=qty, po=po, order_date=on, requested=promised)
    order = approve(people, in_review(people, order, on=on), promised=promised, on=on)
    with today(on):
        order_release(order=order, actor=people["m1"])
    order.refresh_from_db()
    return order
