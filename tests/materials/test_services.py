"""Materials services: reservation invariants, purchase request and purchase order transitions, arrivals,
roles, and the scan's kinds and fallback."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from gendan.core.errors import ApplicationError, PermissionDeniedError, TransitionError, ValidationFailed
from gendan.followup.models import FollowupException
from gendan.materials.models import MaterialAlert, MaterialRequirement, PurchaseOrder, PurchaseRequest, Stock
from gendan.materials.selectors import material_ready_dates, requirement_quantity
from gendan.materials.services import (
    OverReceiptError,
    StockError,
    materials_reserve_for_order,
    materials_scan,
    purchase_order_cancel,
    purchase_order_create,
    purchase_order_expected_change,
    purchase_receive,
    purchase_request_cancel,
    stock_adjust,
)
from gendan.orders.models import Order, OrderEvent
from gendan.planning.calendar import WorkingCalendar
from tests.factories import make_user
from tests.materials.helpers import D, bom, material, released, stock, supplier, today


@pytest.fixture
def trims(db, product):
    """Buttons: 100 in stock, 1 per piece, bought from S1 (lead 5 working days)."""
    item = material("BTN", on_hand="100", supplier_=supplier("S1", lead=5))
    bom(product, item, "1")
    return item


def test_requirement_is_quantity_times_usage_times_loss_rounded_up():
    assert requirement_quantity(Decimal("3"), Decimal("0.333333"), Decimal("2.5")) == Decimal("1.0250")
    assert requirement_quantity(Decimal("100"), Decimal("1.2"), Decimal("5")) == Decimal("126")


def test_two_releases_cannot_reserve_the_same_stock(people, customer, product, trims):
    # given 100 buttons and two orders of 80 pieces each
    # when both are released, one after the other (on SQLite releases are serialised by BEGIN IMMEDIATE; on
    # PostgreSQL by the row lock; see test_concurrency.py for the same with two processes at once)
    a = released(people, customer, product, qty="80", po="A", promised=D(2026, 10, 30), on=D(2026, 9, 1))
    b = released(people, customer, product, qty="80", po="B", promised=D(2026, 10, 30), on=D(2026, 9, 1))
    # then the first takes 80, the second the 20 left and requests 60
    assert MaterialRequirement.objects.get(order=a).reserved == Decimal("80")
    assert MaterialRequirement.objects.get(order=b).reserved == Decimal("20")
    assert PurchaseRequest.objects.get(order=b).quantity == Decimal("60")
    assert not PurchaseRequest.objects.filter(order=a).exists()
    assert (stock(trims).on_hand, stock(trims).reserved) == (Decimal("100"), Decimal("100"))


def test_the_database_refuses_reserving_more_than_is_on_hand(trims):
    # given 100 on hand; when anything (a raw update, admin, a bug) tries to reserve 101 — then the named
    # check constraint refuses it
    with (
        pytest.raises(IntegrityError, match="materials_stock_reserved_within_on_hand|CHECK"),
        transaction.atomic(),
    ):
        Stock.objects.filter(material=trims).update(reserved=Decimal("101"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Stock.objects.filter(material=trims).update(on_hand=Decimal("-1"))
    assert stock(trims).reserved == 0


def test_reservation_is_idempotent(people, customer, product, trims):
    a = released(people, customer, product, qty="30", po="A", promised=D(2026, 10, 30), on=D(2026, 9, 1))
    again = materials_reserve_for_order(order=a, actor=people["m1"])
    assert [r.reserved for r in again] == [Decimal("30")]
    assert stock(trims).reserved == Decimal("30")
    assert a.events.filter(type=OrderEvent.Type.MATERIALS_RESERVED).count() == 1


def test_a_product_without_bom_reserves_nothing(people, customer):
    from tests.factories import ProductFactory

    bare = ProductFactory(code="BARE")
    a = released(people, customer, bare, qty="10", po="A", promised=D(2026, 10, 30), on=D(2026, 9, 1))
    assert not MaterialRequirement.objects.filter(order=a).exists()
    assert not a.events.filter(type=OrderEvent.Type.MATERIALS_RESERVED).exists()


def _short_order(people, customer, product):
    """An order of 150 against 100 buttons: a request for 50."""
    order = released(people, customer, product, qty="150", po="S", promised=D(2026, 10, 30), on=D(2026, 9, 1))
    return order, PurchaseRequest.objects.get(order=order)


def test_only_buyers_place_purchase_orders_and_count_stock(people, customer, product, trims):
    _order, request = _short_order(people, customer, product)
    with pytest.raises(PermissionDeniedError):
        purchase_order_create(
            actor=people["m1"], supplier="S1", request_ids=[request.pk], expected_date="2026-09-20"
        )
    with pytest.raises(PermissionDeniedError):
        stock_adjust(actor=people["finance"], material=trims, quantity="5", note="盘点")
    with pytest.raises(PermissionDeniedError):
        stock_adjust(actor=people["auditor"], material=trims, quantity="5", note="盘点")
    request.refresh_from_db()
    assert request.status == PurchaseRequest.Status.OPEN and not PurchaseOrder.objects.exists()


def test_purchase_request_transitions(people, customer, product, trims):
    _order, request = _short_order(people, customer, product)
    with today(D(2026, 9, 2)):
        po = purchase_order_create(
            actor=people["purchasing"], supplier="S1", request_ids=[request.pk], expected_date="2026-09-20"
        )
    # an ordered request cannot be cancelled, nor ordered twice
    with pytest.raises(TransitionError):
        purchase_request_cancel(actor=people["purchasing"], request=request, reason="不要了")
    with pytest.raises(TransitionError), today(D(2026, 9, 2)):
        purchase_order_create(
            actor=people["purchasing"], supplier="S1", request_ids=[request.pk], expected_date="2026-09-20"
        )
    # cancelling the purchase order opens it again and takes the quantity off order
    assert stock(trims).on_order == Decimal("50")
    purchase_order_cancel(actor=people["purchasing"], purchase_order=po, reason="供应商停产")
    request.refresh_from_db()
    po.refresh_from_db()
    assert request.status == PurchaseRequest.Status.OPEN and po.status == PurchaseOrder.Status.CANCELLED
    assert stock(trims).on_order == 0
    # an open request can be cancelled (with a reason), and then not ordered
    with pytest.raises(ValidationFailed):
        purchase_request_cancel(actor=people["purchasing"], request=request, reason=" ")
    purchase_request_cancel(actor=people["purchasing"], request=request, reason="客户取消")
    with pytest.raises(TransitionError), today(D(2026, 9, 3)):
        purchase_order_create(
            actor=people["purchasing"], supplier="S1", request_ids=[request.pk], expected_date="2026-09-20"
        )


def test_an_arrival_above_what_is_outstanding_or_in_the_future_changes_nothing(
    people, customer, product, trims
):
    _order, request = _short_order(people, customer, product)
    with today(D(2026, 9, 2)):
        po = purchase_order_create(
            actor=people["purchasing"], supplier="S1", request_ids=[request.pk], expected_date="2026-09-20"
        )
        line = po.lines.get()
        with pytest.raises(OverReceiptError):
            purchase_receive(actor=people["purchasing"], line=line, quantity="50.0001")
        with pytest.raises(ValidationFailed) as exc:
            purchase_receive(actor=people["purchasing"], line=line, quantity="5", received_on="2026-09-03")
        assert "received_on" in exc.value.fields
        with pytest.raises(ValidationFailed):
            purchase_receive(actor=people["purchasing"], line=line, quantity="0")
    line.refresh_from_db()
    assert line.received == 0 and stock(trims).on_hand == Decimal("100") and not line.receipts.exists()


def test_a_stock_count_cannot_remove_reserved_stock(people, customer, product, trims):
    released(people, customer, product, qty="60", po="A", promised=D(2026, 10, 30), on=D(2026, 9, 1))
    with pytest.raises(StockError):
        stock_adjust(actor=people["purchasing"], material=trims, quantity="-41", note="盘亏")
    counted = stock_adjust(actor=people["purchasing"], material=trims, quantity="-40", note="盘亏")
    assert (counted.on_hand, counted.reserved) == (Decimal("60"), Decimal("60"))


def test_readiness_follows_the_purchase_order_and_its_moves(people, customer, product, trims):
    order, request = _short_order(people, customer, product)
    calendar = WorkingCalendar.load(2025, 2026)
    # not ordered yet: today + the supplier's 5 working days (09-01 → 09-08)
    assert material_ready_dates(orders=[order.pk], today=D(2026, 9, 1), calendar=calendar) == {
        order.pk: D(2026, 9, 8)
    }
    with today(D(2026, 9, 2)):
        po = purchase_order_create(
            actor=people["purchasing"], supplier="S1", request_ids=[request.pk], expected_date="2026-09-20"
        )
    assert material_ready_dates(orders=[order.pk], today=D(2026, 9, 2), calendar=calendar) == {
        order.pk: D(2026, 9, 20)
    }
    purchase_order_expected_change(actor=people["purchasing"], purchase_order=po, expected_date="2026-09-25")
    assert material_ready_dates(orders=[order.pk], today=D(2026, 9, 2), calendar=calendar) == {
        order.pk: D(2026, 9, 25)
    }
    # all in: ready (not listed)
    with today(D(2026, 9, 24)):
        purchase_receive(actor=people["purchasing"], line=po.lines.get(), quantity="50")
    assert material_ready_dates(orders=[order.pk], today=D(2026, 9, 24), calendar=calendar) == {}


def test_scan_kinds_overdue_then_short_each_once(people, customer, product, trims):
    order, request = _short_order(people, customer, product)
    with today(D(2026, 9, 2)):
        po = purchase_order_create(
            actor=people["purchasing"], supplier="S1", request_ids=[request.pk], expected_date="2026-09-10"
        )
    line = po.lines.get()
    # before the expected date: nothing
    assert materials_scan(today=D(2026, 9, 10))["raised"] == 0
    # the day after, nothing arrived: overdue
    assert materials_scan(today=D(2026, 9, 11))["raised"] == 1
    # part arrives: a new fact, short; repeated scans raise nothing more
    with today(D(2026, 9, 14)):
        purchase_receive(actor=people["purchasing"], line=line, quantity="20")
    assert materials_scan(today=D(2026, 9, 14))["raised"] == 1
    assert materials_scan(today=D(2026, 9, 15))["raised"] == 0
    kinds = sorted(MaterialAlert.objects.filter(order=order).values_list("kind", flat=True))
    assert kinds == [MaterialAlert.Kind.OVERDUE, MaterialAlert.Kind.SHORT]
    assert FollowupException.objects.filter(order=order, type="material").count() == 2


def test_a_complete_but_late_arrival_is_raised_once(people, customer, product, trims):
    order, request = _short_order(people, customer, product)
    with today(D(2026, 9, 2)):
        po = purchase_order_create(
            actor=people["purchasing"], supplier="S1", request_ids=[request.pk], expected_date="2026-09-10"
        )
    with today(D(2026, 9, 14)):
        purchase_receive(actor=people["purchasing"], line=po.lines.get(), quantity="50")
    assert materials_scan(today=D(2026, 9, 15))["raised"] == 1
    assert materials_scan(today=D(2026, 9, 16))["raised"] == 0
    alert = MaterialAlert.objects.get(order=order)
    assert alert.kind == MaterialAlert.Kind.LATE and alert.data["days_late"] == 2  # 09-11, 09-14


def test_when_follow_up_refuses_the_fact_is_still_on_the_timeline(people, customer, product, trims):
    # given a purchase order whose buyer is (now) a supervisor of another team, who cannot see the order
    order, request = _short_order(people, customer, product)
    outsider = make_user("buyer2", "supervisor", department="merchandising")
    with today(D(2026, 9, 2)), pytest.raises(TransitionError):
        # the outsider cannot even see the request to order it
        purchase_order_create(
            actor=outsider, supplier="S1", request_ids=[request.pk], expected_date="2026-09-10"
        )
    with today(D(2026, 9, 2)):
        po = purchase_order_create(
            actor=people["purchasing"], supplier="S1", request_ids=[request.pk], expected_date="2026-09-10"
        )
    PurchaseOrder.objects.filter(pk=po.pk).update(created_by=outsider)
    # when the scan runs, follow-up refuses to raise in the outsider's name (not in scope)
    counts = materials_scan(today=D(2026, 9, 11))
    # then the late material is an order event instead, and the alert says why
    assert counts["raised"] == 1 and counts["via_event"] == 1
    event = order.events.get(type=OrderEvent.Type.MATERIAL_EXCEPTION)
    assert event.data["kind"] == "overdue" and event.data["purchase_order"] == po.number
    assert MaterialAlert.objects.get().data["via"] == "event"
    assert not FollowupException.objects.exists()


def test_a_cancelled_order_raises_no_alert(people, customer, product, trims):
    from gendan.orders.services import order_cancel

    order, request = _short_order(people, customer, product)
    with today(D(2026, 9, 2)):
        purchase_order_create(
            actor=people["purchasing"], supplier="S1", request_ids=[request.pk], expected_date="2026-09-10"
        )
    order_cancel(order=Order.objects.get(pk=order.pk), actor=people["sup"], reason="客户取消")
    assert materials_scan(today=D(2026, 9, 20)) == {
        "checked": 0,
        "raised": 0,
        "via_followup": 0,
        "via_event": 0,
    }


def test_bad_purchase_order_input_names_each_field(people, customer, product, trims):
    _order, request = _short_order(people, customer, product)
    with pytest.raises(ApplicationError) as exc, today(D(2026, 9, 2)):
        purchase_order_create(
            actor=people["purchasing"], supplier="NOPE", request_ids=[], expected_date="2026-09-01"
        )
    assert set(exc.value.extra["fields"]) == {"supplier", "expected_date", "requests"}


def test_cancelling_an_order_gives_its_stock_back_and_cancels_its_open_requests(
    people, customer, product, trims
):
    from gendan.orders.services import order_cancel, order_hold, order_resume

    # given order A holding 80 of the 100 buttons and order S short (20 reserved, request for 130)
    a = released(people, customer, product, qty="80", po="A", promised=D(2026, 10, 30), on=D(2026, 9, 1))
    s, request = _short_order(people, customer, product)
    assert (stock(trims).reserved, request.quantity) == (Decimal("100"), Decimal("130"))
    # when A is put on hold and resumed, nothing moves; when S is cancelled
    order_hold(order=a, actor=people["sup"], reason="客户暂停")
    order_resume(order=a, actor=people["sup"])
    assert stock(trims).reserved == Decimal("100")
    order_cancel(order=Order.objects.get(pk=s.pk), actor=people["sup"], reason="客户取消")
    # then its 20 are free again, its open request is cancelled, and the movement says so
    assert stock(trims).reserved == Decimal("80")
    request.refresh_from_db()
    assert request.status == PurchaseRequest.Status.CANCELLED
    assert MaterialRequirement.objects.get(order=s).reserved == 0
    assert trims.movements.filter(kind="release", order=s).get().quantity == Decimal("-20")
    # and a later order takes them
    b = released(people, customer, product, qty="50", po="B", promised=D(2026, 10, 30), on=D(2026, 9, 2))
    assert MaterialRequirement.objects.get(order=b).reserved == Decimal("20")


def test_an_arrival_for_a_cancelled_order_is_free_stock(people, customer, product, trims):
    from gendan.orders.services import order_cancel

    order, request = _short_order(people, customer, product)
    with today(D(2026, 9, 2)):
        po = purchase_order_create(
            actor=people["purchasing"], supplier="S1", request_ids=[request.pk], expected_date="2026-09-10"
        )
    order_cancel(order=Order.objects.get(pk=order.pk), actor=people["sup"], reason="客户取消")
    request.refresh_from_db()
    assert request.status == PurchaseRequest.Status.ORDERED  # already bought: the purchase order stands
    with today(D(2026, 9, 10)):
        purchase_receive(actor=people["purchasing"], line=po.lines.get(), quantity="50")
    assert (stock(trims).on_hand, stock(trims).reserved) == (Decimal("150"), Decimal("0"))
