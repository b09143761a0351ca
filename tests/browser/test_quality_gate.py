"""The quality gate in a real browser (issue 4): QC records a final inspection that fails; the shipment
screen refuses to ship (nothing saved) until a supervisor records a concession; then the same shipment
goes through.

Elements are found by `name` and `data-testid`, never by translated text.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gendan.followup.models import ExceptionStatus, ExceptionType, FollowupException
from gendan.ledger.models import LedgerEntry
from gendan.orders.models import OrderStatus
from gendan.quality.models import Inspection, InspectionStatus
from gendan.shipping.models import Shipment, ShipmentStatus
from tests.browser.helpers import log_in, order_in_production

pytestmark = pytest.mark.browser


def test_failed_final_inspection_blocks_shipment_until_the_supervisors_concession(
    live_server, transactional_db, browser, people, customer, product
):
    base = live_server.url
    order = order_in_production(people, customer, product)  # lines: 100 red + 200 blue
    first_line = order.lines.get(line_no=1)
    today = timezone.localdate()

    # 1. QC goes from the order page to its quality page (nothing blocks yet) and records the final
    #    inspection of the whole lot: 300 pieces at level II → code letter H, 50 drawn; major AQL 2.5
    #    accepts 3 and rejects at 4, and 6 major defects are found.
    qc = log_in(browser, base, "qc")
    qc.goto(f"{base}/orders/{order.pk}/")
    qc.get_by_test_id("order-quality-link").click()
    qc.wait_for_url(f"{base}/quality/orders/{order.pk}/")
    expect(qc.get_by_test_id("shipment-free")).to_be_visible()
    qc.get_by_test_id("inspection-new").click()
    form = qc.get_by_test_id("inspection-form")
    form.locator("select[name=stage]").select_option("final")
    expect(form.locator("input[name=lot_size]")).to_have_value("300")
    expect(form.locator("select[name=level]")).to_have_value("II")
    form.locator("select[name=aql_critical]").select_option("0")
    form.locator("input[name=critical_found]").fill("0")
    form.locator("select[name=aql_major]").select_option("2.5")
    form.locator("input[name=major_found]").fill("6")
    form.locator("select[name=aql_minor]").select_option("4.0")
    form.locator("input[name=minor_found]").fill("2")
    form.locator("textarea[name=note]").fill("线头、污渍超标")
    form.get_by_test_id("inspection-submit").click()
    qc.wait_for_url(re.compile(rf"{re.escape(base)}/quality/\d+/$"))
    expect(qc.get_by_test_id("inspection-status")).to_have_attribute("data-status", "failed")
    expect(qc.locator("[data-testid=inspection-classes] tr[data-class=major]")).to_contain_text("6")
    expect(qc.get_by_test_id("shipment-blocked")).to_be_visible()
    inspection = Inspection.objects.get(order=order)
    assert (inspection.stage, inspection.status, inspection.code_letter, inspection.sample_size) == (
        "final",
        InspectionStatus.FAILED,
        "H",
        50,
    )
    expect(qc.get_by_test_id("inspection-exception")).to_have_text(inspection.exception_number)
    exception = FollowupException.objects.get(number=inspection.exception_number)
    assert (exception.order_id, exception.type, exception.status) == (
        order.pk,
        ExceptionType.QUALITY,
        ExceptionStatus.OPEN,
    )
    qc.context.close()

    # 2. The merchandiser tries to ship the red line from the order page: the shipment screen refuses,
    #    says why (naming the failed inspection), keeps what was typed, and saves nothing.
    m1 = log_in(browser, base, "m1")
    m1.goto(f"{base}/orders/{order.pk}/")
    m1.get_by_test_id("order-new-shipment").click()
    m1.wait_for_url(f"{base}/shipping/new/{order.pk}/")
    ship = m1.get_by_test_id("shipment-form")
    expect(ship.locator("input[name=ship_date]")).to_have_value(today.isoformat())
    ship.locator("input[name=expected_arrival]").fill((today + dt.timedelta(days=3)).isoformat())
    ship.locator("input[name=carrier]").fill("德邦物流")
    ship.locator("input[name=tracking_number]").fill("DB2026112701")
    ship.locator(f"input[name='line-{first_line.pk}-quantity']").fill("100")
    ship.locator(f"input[name='line-{first_line.pk}-cartons']").fill("4")
    with m1.expect_navigation():
        ship.get_by_test_id("ship-submit").click()
    error = m1.locator("[data-testid=message][data-level=error]")
    expect(error).to_have_count(1)
    expect(error).to_contain_text(inspection.number)
    expect(ship.locator(f"input[name='line-{first_line.pk}-quantity']")).to_have_value("100")
    assert m1.url == f"{base}/shipping/new/{order.pk}/"
    assert not Shipment.objects.filter(order=order).exists()
    assert not LedgerEntry.objects.filter(order=order).exists()
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_PRODUCTION

    # 3. The supervisor opens the failed inspection from the order's quality page and records a
    #    concession (让步接收) with its reason: quality no longer blocks, and the quality exception is
    #    resolved by it.
    sup = log_in(browser, base, "sup")
    sup.goto(f"{base}/orders/{order.pk}/")
    sup.get_by_test_id("order-quality-link").click()
    expect(sup.get_by_test_id("shipment-blocked")).to_be_visible()
    sup.locator("[data-testid=inspection][data-stage=final] a").first.click()
    sup.wait_for_url(f"{base}/quality/{inspection.pk}/")
    concede = sup.get_by_test_id("inspection-concede-form")
    concede.locator("textarea[name=reason]").fill("客户同意让步接收，按九五折结算")
    concede.get_by_test_id("inspection-concede").click()
    expect(sup.get_by_test_id("inspection-status")).to_have_attribute("data-status", "conceded")
    expect(sup.get_by_test_id("concession")).to_be_visible()
    expect(sup.get_by_test_id("shipment-free")).to_be_visible()
    inspection.refresh_from_db()
    assert (inspection.status, inspection.conceded_by) == (InspectionStatus.CONCEDED, people["sup"])
    exception.refresh_from_db()
    assert exception.status == ExceptionStatus.RESOLVED
    sup.context.close()

    # 4. The merchandiser sends the very same form again: this time the shipment is recorded.
    ship.get_by_test_id("ship-submit").click()
    m1.wait_for_url(re.compile(rf"{re.escape(base)}/shipping/\d+/$"))
    expect(m1.get_by_test_id("shipment-status")).to_be_visible()
    shipment = Shipment.objects.get(order=order)
    assert m1.url == f"{base}/shipping/{shipment.pk}/"
    assert (shipment.status, shipment.total_quantity, shipment.created_by) == (
        ShipmentStatus.SHIPPED,
        Decimal("100"),
        people["m1"],
    )
    assert [(line.order_line_id, line.quantity) for line in shipment.lines.all()] == [
        (first_line.pk, Decimal("100"))
    ]
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_SHIPPED

    # 5. The order page shows the new status and lists the shipment behind its shipments link.
    m1.goto(f"{base}/orders/{order.pk}/")
    expect(m1.get_by_test_id("order-status")).to_have_attribute("data-status", "partially_shipped")
    m1.get_by_test_id("order-shipments-link").click()
    expect(m1.get_by_test_id("shipment-row")).to_have_count(1)
    expect(m1.get_by_test_id("shipment-row")).to_contain_text(shipment.number)
