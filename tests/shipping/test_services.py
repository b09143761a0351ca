import datetime as dt
import threading
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection

from gendan.core.errors import NotFoundError, PermissionDeniedError, TransitionError, ValidationFailed
from gendan.core.models import DocumentCounter
from gendan.ledger.models import EntryKind, LedgerEntry
from gendan.ledger.selectors import ledger_reconcile
from gendan.notify.models import Notification
from gendan.orders.models import OrderEvent, OrderStatus
from gendan.shipping.models import SampleFeedback, Shipment, ShipmentStatus
from gendan.shipping.selectors import (
    order_shipping_progress,
    sample_visible_list,
    shipment_get,
    shipment_list,
)
from gendan.shipping.services import (
    OverShipmentError,
    ShipmentInvoicedError,
    ShippingBlockedError,
    sample_dispatch_create,
    sample_feedback_record,
    shipment_cancel,
    shipment_create,
    shipment_receive,
)
from gendan.visits.models import ReturnVisit
from tests.q2c import ORDER_DATE, order_in_production, shipment_payload, today

SHIP_DAY = dt.date(2026, 12, 10)


@pytest.fixture
def order(people, customer, product):
    return order_in_production(people, customer, product)


def ship(order, people, quantities, *, day=SHIP_DAY, by="m1", **extra):
    data = {**shipment_payload(order, quantities, ship_date=day), **extra}
    with today(day):
        return shipment_create(order=order, actor=people[by], data=data)


def test_partial_then_complete_shipment_derives_the_order_status_and_posts_the_ledger(people, order):
    # given an order in production: line 1 = 100 × 12.50, line 2 = 200 × 8.00
    # when 60 of line 1 ship
    first = ship(order, people, {1: "60"})
    order.refresh_from_db()
    # then the order is partially shipped, one ledger entry is posted, the timeline says so
    assert first.number == "SH2026-000001" and first.total_amount == Decimal("750.00")
    assert order.status == OrderStatus.PARTIALLY_SHIPPED
    entry = LedgerEntry.objects.get(shipment=first)
    assert (entry.kind, entry.quantity, entry.amount, entry.posted_on) == (
        EntryKind.POSTING,
        Decimal("60"),
        Decimal("750.00"),
        SHIP_DAY,
    )
    assert order.events.filter(type=OrderEvent.Type.SHIPMENT_SHIPPED).count() == 1
    notice = order.events.get(type=OrderEvent.Type.SHIPMENT_NOTICE)
    assert notice.data["expected_arrival"] == "2026-12-13"
    # the salesperson is told the arrival date, the supervisor that it shipped
    assert Notification.objects.filter(recipient=people["sales"], kind="shipment.arrival").count() == 1
    assert Notification.objects.filter(recipient=people["sup"], kind="shipment.shipped").count() == 1
    # when the rest ships (line 1 within tolerance: 97 counts as complete)
    ship(order, people, {1: "37", 2: "200"}, day=SHIP_DAY + dt.timedelta(days=1))
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    progress = {p.line.line_no: p for p in order_shipping_progress(order=order)}
    assert progress[1].shipped == Decimal("97") and progress[1].complete
    assert ledger_reconcile().ok


def test_over_shipment_beyond_tolerance_is_refused_and_nothing_is_saved(people, order):
    ship(order, people, {1: "60"})
    counter = DocumentCounter.objects.get(series="SH", year=2026).last
    with pytest.raises(OverShipmentError) as exc:
        ship(order, people, {1: "44"})  # 60 + 44 = 104 > 100 + 3 %
    assert exc.value.code == "over_shipment"
    assert "at most 43 more, not 44" in exc.value.message
    assert "lines.0.quantity" in exc.value.extra["fields"]
    assert Shipment.objects.count() == 1 and LedgerEntry.objects.count() == 1
    assert DocumentCounter.objects.get(series="SH", year=2026).last == counter
    # exactly up to the tolerance is allowed
    ship(order, people, {1: "43"})
    assert ledger_reconcile().ok


def test_an_order_not_in_production_cannot_ship(people, customer, product):
    from gendan.orders.services import order_create
    from tests.factories import order_payload

    with today(ORDER_DATE):
        draft = order_create(actor=people["m1"], data=order_payload(customer, product))
    with pytest.raises(TransitionError) as exc:
        ship(draft, people, {1: "10"})
    assert exc.value.code == "order_not_shippable"


def test_the_quality_gate_blocks_a_shipment(people, order):
    reason = "AQL 2.5 inspection failed"
    with (
        mock.patch("gendan.shipping.services.quality_block_reason", return_value=reason),
        pytest.raises(ShippingBlockedError) as exc,
    ):
        ship(order, people, {1: "10"})
    assert "AQL 2.5 inspection failed" in exc.value.message
    assert not Shipment.objects.exists()


def test_bad_input_names_the_fields(people, order):
    with pytest.raises(ValidationFailed) as exc:
        ship(order, people, {1: "10"}, carrier="", expected_arrival="2026-12-01")
    assert {"carrier", "expected_arrival"} <= set(exc.value.fields)
    with pytest.raises(ValidationFailed) as exc:
        ship(order, people, {1: "10"}, ship_date="2026-12-31")  # after "today"
    assert "ship_date" in exc.value.fields


def test_receipt_before_the_ship_date_is_refused_then_receipts_deliver_the_order(people, order):
    first = ship(order, people, {1: "100"})
    second = ship(order, people, {2: "200"}, day=SHIP_DAY + dt.timedelta(days=2))
    with today(SHIP_DAY + dt.timedelta(days=5)):
        with pytest.raises(ValidationFailed) as exc:
            shipment_receive(shipment=second, actor=people["m1"], received_on=SHIP_DAY + dt.timedelta(days=1))
        assert "before the ship date" in exc.value.message
        second.refresh_from_db()
        assert second.status == ShipmentStatus.SHIPPED and second.received_on is None
        shipment_receive(
            shipment=first, actor=people["m1"], received_on=SHIP_DAY + dt.timedelta(days=3), received_by="王"
        )
        order.refresh_from_db()
        assert order.status == OrderStatus.SHIPPED  # one shipment still on its way
        shipment_receive(shipment=second, actor=people["m1"], received_on=SHIP_DAY + dt.timedelta(days=4))
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    visit = ReturnVisit.objects.get(order=order)
    assert visit.due_on == SHIP_DAY + dt.timedelta(days=4 + 7)
    with today(SHIP_DAY + dt.timedelta(days=5)), pytest.raises(TransitionError):
        shipment_receive(shipment=second, actor=people["m1"], received_on=SHIP_DAY + dt.timedelta(days=4))


def test_cancelling_a_shipment_reverses_the_ledger_and_the_order_status(people, order):
    first = ship(order, people, {1: "60"})
    second = ship(order, people, {1: "40", 2: "200"})
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    with pytest.raises(PermissionDeniedError):
        shipment_cancel(shipment=second, actor=people["m1"], reason="录错")
    with today(SHIP_DAY):
        shipment_cancel(shipment=second, actor=people["sup"], reason="录错数量")
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_SHIPPED
    reversals = LedgerEntry.objects.filter(shipment=second, kind=EntryKind.REVERSAL)
    assert reversals.count() == 2 and sum(r.amount for r in reversals) == -second.total_amount
    assert LedgerEntry.objects.filter(shipment=second).count() == 4  # nothing deleted
    with today(SHIP_DAY):
        shipment_cancel(shipment=first, actor=people["sup"], reason="客户取消")
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_PRODUCTION
    actions = list(
        order.events.filter(type=OrderEvent.Type.TRANSITION).values_list("data__action", flat=True)
    )
    assert actions[-2:] == ["reopen_shipping", "unship"]
    result = ledger_reconcile()
    assert result.ok and result.ledger_amount == Decimal("0.00") == result.shipment_amount


def test_an_invoiced_shipment_cannot_be_cancelled(people, order):
    from gendan.ledger.services import invoice_create

    shipment = ship(order, people, {1: "60"})
    with today(SHIP_DAY):
        invoice_create(actor=people["m1"], data={"invoice_date": SHIP_DAY, "shipments": [shipment.pk]})
        with pytest.raises(ShipmentInvoicedError):
            shipment_cancel(shipment=shipment, actor=people["sup"], reason="x")


def test_a_merchandiser_never_sees_another_merchandisers_shipments(people, order, other_customer, product):
    shipment = ship(order, people, {1: "10"})
    other_order = order_in_production(people, other_customer, product, by="m3")
    ship(other_order, people, {1: "5"}, by="m3")
    assert list(shipment_list(user=people["m1"])) == [shipment]
    assert shipment not in shipment_list(user=people["m2"])
    assert shipment not in shipment_list(user=people["m3"])
    with pytest.raises(NotFoundError):
        shipment_get(user=people["m2"], pk=shipment.pk)
    with pytest.raises(NotFoundError):
        ship(order, people, {1: "5"}, by="m2")
    assert shipment_list(user=people["sup"]).count() == 1  # m1 is in sup's team, m3 is not
    assert shipment_list(user=people["gm"]).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_shipments_cannot_both_pass_the_tolerance(people, customer, product):
    order = order_in_production(people, customer, product)
    results: list[str] = []
    barrier = threading.Barrier(2)

    data = shipment_payload(order, {1: "60"}, ship_date=SHIP_DAY)

    def worker():
        try:
            barrier.wait()
            shipment_create(order=order, actor=people["m1"], data=data)
            results.append("ok")
        except OverShipmentError:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    with today(SHIP_DAY):  # patched once for both threads
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(results) == ["ok", "refused"]
    assert Shipment.objects.count() == 1
    assert ledger_reconcile().ok


def test_sample_register_with_feedback_and_scope(people, customer, other_customer, product):
    with today(SHIP_DAY):
        sample = sample_dispatch_create(
            actor=people["m1"],
            data={
                "customer": customer.code,
                "product": product.code,
                "sample_type": "approval",
                "quantity": "3",
                "sent_on": "2026-12-01",
                "courier": "顺丰",
                "tracking_number": "SF1234567890",
            },
        )
        with pytest.raises(ValidationFailed) as exc:
            sample_feedback_record(
                sample=sample, actor=people["m1"], feedback="rejected", feedback_on="2026-12-05"
            )
        assert "feedback_note" in exc.value.fields
        sample = sample_feedback_record(
            sample=sample,
            actor=people["m1"],
            feedback="approved_with_comments",
            feedback_on="2026-12-05",
            note="领口再收1cm",
        )
    assert sample.feedback == SampleFeedback.APPROVED_WITH_COMMENTS
    assert list(sample_visible_list(user=people["m1"])) == [sample]
    assert not sample_visible_list(user=people["m3"]).exists()
    with today(SHIP_DAY), pytest.raises(ValidationFailed) as exc:
        sample_dispatch_create(
            actor=people["m1"],
            data={
                "customer": other_customer.code,
                "sample_type": "fit",
                "quantity": "1",
                "sent_on": "2026-12-01",
            },
        )
    assert {"customer", "courier", "tracking_number"} <= set(exc.value.fields)


def test_an_order_with_live_shipments_cannot_be_cancelled(people, order):
    from gendan.orders.services import order_cancel, order_hold, order_resume

    shipment = ship(order, people, {1: "10"})
    order_hold(order=order, actor=people["sup"], reason="客户暂停")
    with pytest.raises(TransitionError) as exc:
        order_cancel(order=order, actor=people["sup"], reason="客户取消")
    assert exc.value.code == "order_has_shipments" and shipment.number in exc.value.message
    order.refresh_from_db()
    assert order.status == OrderStatus.ON_HOLD
    order_resume(order=order, actor=people["sup"])
    with today(SHIP_DAY):
        shipment_cancel(shipment=shipment, actor=people["sup"], reason="客户取消")
    order_cancel(order=order, actor=people["sup"], reason="客户取消")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert ledger_reconcile().ok
