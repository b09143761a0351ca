"""The materials flow of SPEC §2.5 as one scenario: release with a BOM whose trims are short → purchase request
→ purchase order → a partial arrival after the expected date → an exception on the order; a second order
released later takes only what is left."""

from decimal import Decimal

from gendan.followup.models import ExceptionType, FollowupException
from gendan.materials.models import (
    MaterialAlert,
    MaterialRequirement,
    PurchaseOrder,
    PurchaseRequest,
    StockMovement,
)
from gendan.materials.services import materials_scan, purchase_order_create, purchase_receive
from gendan.orders.models import OrderEvent
from tests.materials.helpers import D, bom, material, released, stock, supplier, today


def test_short_trims_become_a_request_an_order_a_late_partial_arrival_and_an_exception(
    people, customer, product
):
    # given a style (production cycle 10 working days) made of fabric and buttons
    trims_supplier = supplier("S100", lead=5)
    fabric = material("F-01", unit="m", on_hand="150", lead=10)
    buttons = material("T-01", unit="pcs", on_hand="300", supplier_=trims_supplier)
    bom(product, fabric, "1.2", loss="5")  # 100 pcs → 100 × 1.2 × 1.05 = 126 m
    bom(product, buttons, "4", loss="2")  # 100 pcs → 100 × 4 × 1.02 = 408 pcs

    # when order A (100 pcs, promised 2026-10-20) is released on 2026-09-01
    a = released(people, customer, product, qty="100", po="A", promised=D(2026, 10, 20), on=D(2026, 9, 1))

    # then the fabric is reserved in full and the buttons as far as stock goes (300 of 408)
    req = {r.material.code: r for r in MaterialRequirement.objects.filter(order=a).select_related("material")}
    assert (req["F-01"].required, req["F-01"].reserved) == (Decimal("126"), Decimal("126"))
    assert (req["T-01"].required, req["T-01"].reserved) == (Decimal("408"), Decimal("300"))
    assert (stock(fabric).reserved, stock(buttons).reserved) == (Decimal("126"), Decimal("300"))
    # and the 108 missing buttons are a purchase request, required 10 working days before 10-20: counting back
    # 10-19, 16, 15, 14, 13, 12, 10 (make-up Saturday), 09, 08, then past the National Day holiday (10-01…07)
    # to 09-30
    request = PurchaseRequest.objects.get(order=a)
    assert (request.number, request.material, request.quantity) == ("PR2026-000001", buttons, Decimal("108"))
    assert request.required_by == D(2026, 9, 30) and request.status == PurchaseRequest.Status.OPEN
    event = a.events.get(type=OrderEvent.Type.MATERIALS_RESERVED)
    assert event.data["requests"] == ["PR2026-000001"] and event.data["short"] == {"T-01": "108"}

    # when purchasing orders them on 09-02 from the supplier, expected 09-25
    with today(D(2026, 9, 2)):
        po = purchase_order_create(
            actor=people["purchasing"], supplier="S100", request_ids=[request.pk], expected_date="2026-09-25"
        )
    request.refresh_from_db()
    assert po.number == "PO2026-000001" and request.status == PurchaseRequest.Status.ORDERED
    assert stock(buttons).on_order == Decimal("108")

    # and only 60 arrive, on 09-28 (three days late)
    line = po.lines.get()
    with today(D(2026, 9, 28)):
        purchase_receive(actor=people["purchasing"], line=line, quantity="60", received_on="2026-09-28")

    # then on order moves to on hand and the arrival is reserved for order A at once
    buttons_stock = stock(buttons)
    assert (buttons_stock.on_hand, buttons_stock.on_order, buttons_stock.reserved) == (
        Decimal("360"),
        Decimal("48"),
        Decimal("360"),
    )
    req["T-01"].refresh_from_db()
    assert req["T-01"].reserved == Decimal("360")
    po.refresh_from_db()
    assert po.status == PurchaseOrder.Status.PARTIALLY_RECEIVED
    arrival = a.events.get(type=OrderEvent.Type.MATERIAL_RECEIVED)
    assert arrival.data["late"] is True and arrival.data["outstanding"] == "48"

    # when the morning scan runs on 09-29
    with today(D(2026, 9, 29)):
        first = materials_scan(today=D(2026, 9, 29))

    # then the short, late arrival is one material exception on order A (through follow-up), on its timeline
    assert first["raised"] == 1 and first["via_followup"] == 1
    exception = FollowupException.objects.get(order=a)
    assert exception.type == ExceptionType.MATERIAL and exception.owner == people["m1"]
    assert all(part in exception.title for part in (buttons.name, "PO2026-000001", "60", "108", "2026-09-25"))
    assert exception.impact_days == 2  # 09-25 → 09-29: 09-28, 09-29
    assert a.events.filter(type=OrderEvent.Type.EXCEPTION_RAISED).count() == 1
    alert = MaterialAlert.objects.get()
    assert (alert.order, alert.kind, alert.data["exception"]) == (
        a,
        MaterialAlert.Kind.SHORT,
        exception.number,
    )

    # and a second scan the same day raises nothing new (idempotent)
    with today(D(2026, 9, 29)):
        second = materials_scan(today=D(2026, 9, 29))
    assert second["raised"] == 0 and second["checked"] == 1
    assert FollowupException.objects.count() == 1 and MaterialAlert.objects.count() == 1

    # when order B (50 pcs) is released later, on 09-29
    b = released(people, customer, product, qty="50", po="B", promised=D(2026, 11, 10), on=D(2026, 9, 29))

    # then it takes only what is left: 24 m of fabric (150 − 126), no buttons (all 360 are A's)
    req_b = {
        r.material.code: r for r in MaterialRequirement.objects.filter(order=b).select_related("material")
    }
    assert (req_b["F-01"].required, req_b["F-01"].reserved) == (Decimal("63"), Decimal("24"))
    assert (req_b["T-01"].required, req_b["T-01"].reserved) == (Decimal("204"), Decimal("0"))
    assert {(r.material.code, r.quantity) for r in PurchaseRequest.objects.filter(order=b)} == {
        ("F-01", Decimal("39")),
        ("T-01", Decimal("204")),
    }
    # and A keeps its reservation; reserved never exceeds on hand
    assert MaterialRequirement.objects.get(order=a, material=buttons).reserved == Decimal("360")
    assert (stock(fabric).on_hand, stock(fabric).reserved) == (Decimal("150"), Decimal("150"))

    # when the remaining 48 arrive on 09-30
    with today(D(2026, 9, 30)):
        purchase_receive(actor=people["purchasing"], line=line, quantity="48")

    # then A is fully reserved, the request received, the purchase order closed; B still waits for its own
    assert MaterialRequirement.objects.get(order=a, material=buttons).reserved == Decimal("408")
    request.refresh_from_db()
    po.refresh_from_db()
    assert request.status == PurchaseRequest.Status.RECEIVED and po.status == PurchaseOrder.Status.RECEIVED
    assert (stock(buttons).on_hand, stock(buttons).reserved, stock(buttons).on_order) == (
        Decimal("408"),
        Decimal("408"),
        Decimal("0"),
    )
    assert MaterialRequirement.objects.get(order=b, material=buttons).reserved == Decimal("0")
    # every stock change has its movement row: 2 reservations at A's release, 1 at B's, 1 ordered, 2 arrivals
    # each reserved for A
    kinds = list(
        StockMovement.objects.filter(material=buttons).order_by("id").values_list("kind", "quantity")
    )
    assert kinds == [
        ("reserve", Decimal("300")),
        ("ordered", Decimal("108")),
        ("receipt", Decimal("60")),
        ("reserve", Decimal("60")),
        ("receipt", Decimal("48")),
        ("reserve", Decimal("48")),
    ]
