"""200 concurrent creations of each other numbered document (complaints KS, shipments SH, outsourcing
orders WX) through their real services, across New Year's midnight, with 5 % failing after drawing their
number: numbers stay unique and gap-free per series and year (the orders' SO series: test_order_concurrency)."""

import datetime as dt
from unittest import mock

import pytest

from gendan.accounts.models import User
from gendan.complaints.models import Complaint
from gendan.core.models import DocumentCounter
from gendan.orders.models import Order
from gendan.outsourcing.models import OutsourcingOrder
from gendan.parties.models import Supplier
from gendan.shipping.models import Shipment
from tests.q2c import order_in_production
from tests.reliability.concurrency import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)

CREATIONS = 200
PROCESSES = 20
EVE, NEW_YEAR = dt.date(2026, 12, 31), dt.date(2027, 1, 1)


class CrashAfterNumber(Exception):
    pass


def _drawing(module: str, crash: bool):
    """Wrap the service's number drawing: a crashing task fails right after its number was drawn."""
    from gendan.core.numbering import document_number_next

    def draw(**kwargs):
        number = document_number_next(**kwargs)
        if crash:
            raise CrashAfterNumber(number)
        return number

    return mock.patch(f"{module}.document_number_next", side_effect=draw)


def _today(day: dt.date):
    return mock.patch("django.utils.timezone.localdate", return_value=day)


def register_complaint(task: dict) -> str:
    from gendan.complaints.services import complaint_register

    actor = User.objects.get(pk=task["actor_id"])
    with _today(task["day"]), _drawing("gendan.complaints.services", task["crash"]):
        complaint = complaint_register(
            actor=actor,
            data={
                "order": task["order_id"],
                "type": "quality",
                "description": f"第 {task['n']} 号客诉",
                "received_on": task["day"].isoformat(),
            },
        )
    return complaint.number


def create_shipment(task: dict) -> str:
    from gendan.shipping.services import shipment_create

    actor = User.objects.get(pk=task["actor_id"])
    order = Order.objects.get(pk=task["order_id"])
    line = order.lines.order_by("line_no").first()
    with _today(task["day"]), _drawing("gendan.shipping.services", task["crash"]):
        shipment = shipment_create(
            order=order,
            actor=actor,
            data={
                "ship_date": task["day"].isoformat(),
                "expected_arrival": (task["day"] + dt.timedelta(days=3)).isoformat(),
                "carrier": "德邦物流",
                "tracking_number": f"T{task['n']}",
                "lines": [{"order_line": line.pk, "quantity": "1"}],
            },
        )
    return shipment.number


def create_outsourcing_order(task: dict) -> str:
    from gendan.outsourcing.services import outsourcing_order_create

    actor = User.objects.get(pk=task["actor_id"])
    order = Order.objects.get(pk=task["order_id"])
    with _today(task["day"]), _drawing("gendan.outsourcing.services", task["crash"]):
        outsourcing = outsourcing_order_create(
            order=order,
            actor=actor,
            data={
                "subcontractor": task["subcontractor_id"],
                "process": "embroidery",
                "quantity": "10",
                "unit_price": "0.80",
                "due_date": (task["day"] + dt.timedelta(days=20)).isoformat(),
            },
        )
    return outsourcing.number


def _tasks(base: dict) -> list[dict]:
    return [
        {**base, "n": n, "day": EVE if n % 2 == 0 else NEW_YEAR, "crash": (n // 2) % 20 == 0}
        for n in range(CREATIONS)
    ]


def _check(series: str, outcomes, tasks, model) -> dict:
    crashing = {n for n, task in enumerate(tasks) if task["crash"]}
    assert {o.task for o in outcomes if not o.ok} == crashing, [o for o in outcomes if not o.ok][:3]
    numbers = [o.value for o in outcomes if o.ok]
    figures = {}
    for year in (2026, 2027):
        mine = sorted(n for n in numbers if n.startswith(f"{series}{year}-"))
        expected = [f"{series}{year}-{k:06d}" for k in range(1, len(mine) + 1)]
        figures[year] = {
            "numbers": len(mine),
            "duplicates": len(mine) - len(set(mine)),
            "missing": len(set(expected) - set(mine)),
        }
        assert mine == expected, figures
        assert len(mine) == (CREATIONS - len(crashing)) // 2, figures
        assert DocumentCounter.objects.get(series=series, year=year).last == len(mine)
    assert sorted(model.objects.values_list("number", flat=True)) == sorted(numbers)
    return figures


def test_complaints(people, customer, product, record_property):
    order = order_in_production(people, customer, product)
    tasks = _tasks({"actor_id": people["m1"].pk, "order_id": order.pk})
    outcomes = run_concurrently(register_complaint, tasks, processes=PROCESSES)
    record_property("complaint_numbers", str(_check("KS", outcomes, tasks, Complaint)))


def test_shipments(people, customer, product, record_property):
    order = order_in_production(
        people, customer, product, lines=[{"product": product.code, "quantity": "1000", "unit_price": "1.00"}]
    )
    tasks = _tasks({"actor_id": people["m1"].pk, "order_id": order.pk})
    outcomes = run_concurrently(create_shipment, tasks, processes=PROCESSES)
    record_property("shipment_numbers", str(_check("SH", outcomes, tasks, Shipment)))


def test_outsourcing_orders(people, customer, product, record_property):
    order = order_in_production(people, customer, product)
    sub = Supplier.objects.create(code="WXC", name="并发外协厂", kind=Supplier.Kind.SUBCONTRACTOR)
    tasks = _tasks({"actor_id": people["m1"].pk, "order_id": order.pk, "subcontractor_id": sub.pk})
    outcomes = run_concurrently(create_outsourcing_order, tasks, processes=PROCESSES)
    record_property("outsourcing_numbers", str(_check("WX", outcomes, tasks, OutsourcingOrder)))
