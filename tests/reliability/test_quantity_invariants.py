"""Quantity invariants under concurrency, from 8+ separate OS processes at once:
shipped ≤ ordered + tolerance, paid ≤ invoiced, stock never below what is reserved; the excess is refused."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from gendan.core.models import DocumentCounter
from gendan.ledger.models import Invoice, PaymentAllocation
from gendan.ledger.selectors import ledger_reconcile
from gendan.ledger.services import invoice_create
from gendan.materials.models import MaterialRequirement, PurchaseRequest, Stock, StockMovement
from gendan.orders.models import Order, OrderLine, OrderStatus
from gendan.shipping.models import Shipment, ShipmentLine
from gendan.shipping.services import shipment_create
from tests.materials.helpers import approve, bom, draft, in_review, material
from tests.q2c import order_in_production, shipment_payload, today
from tests.reliability.concurrency import run_concurrently, tally

pytestmark = pytest.mark.django_db(transaction=True)

DAY = dt.date(2026, 12, 10)
WORKERS = 8


def _actor(pk: int):
    from gendan.accounts.models import User

    return User.objects.get(pk=pk)


# ---------------------------------------------------------------------------------------- shipments


def ship(task: dict) -> str:
    from gendan.shipping.services import shipment_create

    with today(task["day"]):
        order = Order.objects.get(pk=task["order_id"])
        return shipment_create(order=order, actor=_actor(task["actor_id"]), data=task["payload"]).number


def test_eight_concurrent_shipments_never_exceed_the_ordered_quantity_and_tolerance(
    people, customer, product, record_property
):
    # given an order in production whose line 1 is 100 pieces with a 3 % tolerance (at most 103 in all)
    order = order_in_production(people, customer, product)
    line = order.lines.get(line_no=1)
    maximum = line.quantity * (1 + line.tolerance_percent / 100)
    # when 8 processes each ship 20 of it at the same moment (160 asked for)
    payload = shipment_payload(order, {1: "20"}, ship_date=DAY)
    tasks = [{"day": DAY, "order_id": order.pk, "actor_id": people["m1"].pk, "payload": payload}] * WORKERS
    outcomes = run_concurrently(ship, tasks)

    # then exactly as many as fit landed (5 × 20 = 100 ≤ 103), the rest were refused as over-shipments
    shipped = ShipmentLine.objects.filter(order_line=line).aggregate(total=Sum("quantity"))["total"]
    landed = [o for o in outcomes if o.ok]
    refused = [o for o in outcomes if not o.ok]
    figures = (
        f"tried={WORKERS} landed={len(landed)} refused={len(refused)} shipped={shipped} maximum={maximum}"
    )
    record_property("concurrent_shipments", figures)
    assert all(o.code == "over_shipment" for o in refused), tally(outcomes)
    assert shipped <= maximum, figures
    assert len(landed) == 5 and shipped == Decimal("100"), figures
    # with one shipment row per landed request, gap-free numbers, and a ledger that adds up
    assert Shipment.objects.filter(order=order).count() == len(landed)
    assert sorted(o.value for o in landed) == [f"SH2026-{n:06d}" for n in range(1, len(landed) + 1)]
    assert DocumentCounter.objects.get(series="SH", year=2026).last == len(landed)
    assert ledger_reconcile().ok
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_SHIPPED  # line 2 is not shipped yet


# ----------------------------------------------------------------------------------------- payments


def pay(task: dict) -> int:
    from gendan.ledger.services import payment_record

    with today(task["day"]):
        return payment_record(actor=_actor(task["actor_id"]), data=task["data"]).pk


def test_eight_concurrent_payments_never_exceed_the_invoice(people, customer, product, record_property):
    # given an invoice of 1,000.00 (80 pieces × 12.50 shipped and invoiced)
    order = order_in_production(people, customer, product)
    with today(DAY):
        shipment = shipment_create(
            order=order, actor=people["m1"], data=shipment_payload(order, {1: "80"}, ship_date=DAY)
        )
        invoice = invoice_create(
            actor=people["m1"], data={"invoice_date": DAY.isoformat(), "shipments": [shipment.pk]}
        )
    assert invoice.total_amount == Decimal("1000.00")
    # when 8 processes record a payment of 200.00 against it at the same moment (1,600.00 offered)
    data = {"received_on": DAY.isoformat(), "allocations": [{"invoice": invoice.pk, "amount": "200.00"}]}
    tasks = [{"day": DAY, "actor_id": people["finance"].pk, "data": data}] * WORKERS
    outcomes = run_concurrently(pay, tasks)

    # then five landed (1,000.00), three were refused, and paid never exceeds invoiced
    invoice.refresh_from_db()
    allocated = PaymentAllocation.objects.filter(invoice=invoice).aggregate(total=Sum("amount"))["total"]
    landed = [o for o in outcomes if o.ok]
    refused = [o for o in outcomes if not o.ok]
    figures = (
        f"tried={WORKERS} landed={len(landed)} refused={len(refused)} "
        f"paid={invoice.paid_amount} invoiced={invoice.total_amount}"
    )
    record_property("concurrent_payments", figures)
    assert all(o.code == "payment_exceeds_open" for o in refused), tally(outcomes)
    assert invoice.paid_amount <= invoice.total_amount, figures
    assert len(landed) == 5 and invoice.paid_amount == Decimal("1000.00"), figures
    assert allocated == invoice.paid_amount, figures
    assert Invoice.objects.get(pk=invoice.pk).version == 1 + len(landed)
    assert ledger_reconcile().ok


# -------------------------------------------------------------------------------------------- stock


def release(task: dict) -> int:
    from gendan.orders.services import order_release

    with today(task["day"]):
        order = order_release(order=Order.objects.get(pk=task["order_id"]), actor=_actor(task["actor_id"]))
        return order.pk


def count_away(task: dict) -> str:
    from gendan.materials.models import Material
    from gendan.materials.services import stock_adjust

    with today(task["day"]):
        stock = stock_adjust(
            actor=_actor(task["actor_id"]),
            material=Material.objects.get(pk=task["material_id"]),
            quantity=task["quantity"],
            note="盘亏",
        )
        return str(stock.on_hand)


def test_concurrent_reservations_and_stock_counts_never_take_stock_below_zero(
    people, customer, product, record_property
):
    # given 500 pieces of a trim on hand, used once per piece, and 8 approved orders of 100 pieces each
    trim = material("TRIM-1", on_hand="500")
    bom(product, trim, "1")
    orders = []
    for n in range(WORKERS):
        order = draft(
            people,
            customer,
            product,
            qty="100",
            po=f"ST-{n}",
            order_date=DAY,
            requested=DAY + dt.timedelta(days=60),
        )
        orders.append(
            approve(people, in_review(people, order, on=DAY), promised=DAY + dt.timedelta(days=60), on=DAY)
        )
    # when the 8 orders are released (each reserves its trims) while 4 stock counts remove 60 each, all at once
    tasks = [{"kind": "release", "day": DAY, "order_id": o.pk, "actor_id": people["m1"].pk} for o in orders]
    tasks += [
        {
            "kind": "count",
            "day": DAY,
            "material_id": trim.pk,
            "actor_id": people["purchasing"].pk,
            "quantity": "-60",
        }
    ] * 4
    outcomes = run_concurrently(_stock_work, tasks)

    # then every release went through (what stock lacks becomes a purchase request)
    releases, counts = outcomes[:WORKERS], outcomes[WORKERS:]
    assert all(o.ok for o in releases), tally(releases)
    # and a stock count was refused only when it would have taken stock below what is reserved
    assert all(o.ok or o.code == "stock_invariant" for o in counts), tally(counts)
    stock = Stock.objects.get(material=trim)
    reserved = MaterialRequirement.objects.filter(material=trim).aggregate(total=Sum("reserved"))["total"]
    requested = PurchaseRequest.objects.filter(material=trim).aggregate(total=Sum("quantity"))["total"] or 0
    removed = -sum(
        StockMovement.objects.filter(material=trim, kind=StockMovement.Kind.ADJUST).values_list(
            "quantity", flat=True
        )
    )
    counted_away = sum(1 for o in counts if o.ok)
    figures = (
        f"releases={len(releases)} counts_tried={len(counts)} counts_landed={counted_away} on_hand={stock.on_hand} "
        f"reserved={stock.reserved} requested={requested} removed={removed}"
    )
    record_property("concurrent_stock", figures)
    assert stock.on_hand >= 0 and stock.reserved <= stock.on_hand, figures
    assert stock.on_hand == Decimal("500") - removed == Decimal("500") - 60 * counted_away, figures
    assert stock.reserved == reserved, figures
    # each order is either covered by stock or by a purchase request, nothing twice, nothing missing
    assert reserved + requested == 100 * WORKERS, figures
    for order in orders:
        requirement = MaterialRequirement.objects.get(order=order, material=trim)
        short = PurchaseRequest.objects.filter(requirement=requirement).aggregate(total=Sum("quantity"))[
            "total"
        ]
        assert requirement.reserved + (short or 0) == requirement.required == 100, (order.number, figures)
    # and nothing that could be reserved was left idle while orders went short (reserve what is available)
    assert stock.reserved == stock.on_hand or requested == 0, figures
    assert all(Order.objects.get(pk=o.pk).status == OrderStatus.RELEASED for o in orders)
    assert OrderLine.objects.filter(order__in=orders).count() == WORKERS


def _stock_work(task: dict):
    return release(task) if task["kind"] == "release" else count_away(task)
