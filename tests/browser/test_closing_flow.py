"""Closing and reassignment in a real browser (issue 14 item 3): the supervisor cancels the rest of a line and
closes a partly shipped order short from the order page's action forms; then reassigns a merchandiser's
orders for good from the reassignment page after looking at the handover checklist. Phone and desktop
screenshots go to /tmp for a person to look at."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gendan.orders.models import Order, OrderEvent, OrderStatus
from gendan.reassignments.models import Reassignment
from gendan.shipping.services import shipment_create
from tests.browser.helpers import PHONE, log_in, order_in_production
from tests.q2c import shipment_payload

pytestmark = pytest.mark.browser

WIDE = {"width": 1366, "height": 900}


def test_close_short_and_reassign_from_the_screens(
    live_server, transactional_db, browser, people, customer, product
):
    base = live_server.url
    order = order_in_production(people, customer, product)  # lines: 100 red + 200 blue
    today = timezone.localdate()
    shipment_create(
        order=order,
        actor=people["m1"],
        data=shipment_payload(order, {1: "60", 2: "150"}, ship_date=today),
    )

    # the supervisor on a phone: the order page offers cancel-rest and close-short forms
    sup = log_in(browser, base, "sup", viewport=PHONE)
    sup.goto(f"{base}/orders/{order.pk}/")
    actions = sup.get_by_test_id("order-actions")
    expect(actions.get_by_test_id("action-close_short")).to_be_visible()
    expect(actions.get_by_test_id("action-cancel_rest")).to_be_visible()
    sup.screenshot(path="/tmp/gendan-closing-order-phone.png", full_page=True)

    # cancel the rest of line 2 (50 of 200)
    form = actions.get_by_test_id("action-cancel_rest")
    form.locator("select[name=line_no]").select_option("2")
    form.locator("input[name=reason]").fill("客户只要150件蓝色")
    form.locator("button[type=submit]").click()
    expect(sup.get_by_test_id("message").first).to_have_attribute("data-level", "success")
    expect(sup.get_by_test_id("line-cancelled")).to_have_count(1)

    # close the order short with who agreed at the customer
    form = sup.get_by_test_id("order-actions").get_by_test_id("action-close_short")
    form.locator("input[name=customer_contact]").fill("王经理")
    form.locator("input[name=reason]").fill("客户接受短交，红色余40件不再生产")
    form.locator("button[type=submit]").click()
    expect(sup.get_by_test_id("message").first).to_have_attribute("data-level", "success")
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED
    assert order.events.filter(type=OrderEvent.Type.LINE_CANCELLED).count() == 2
    sup.screenshot(path="/tmp/gendan-closing-closed-phone.png", full_page=True)
    wide = log_in(browser, base, "sup", viewport=WIDE)
    wide.goto(f"{base}/orders/{order.pk}/")
    wide.screenshot(path="/tmp/gendan-closing-closed-desktop.png", full_page=True)

    # reassignment: m1 resigns; the supervisor looks at the checklist and hands over to m2
    other = order_in_production(people, customer, product, customer_po="PO-2")
    for page, name in ((sup, "phone"), (wide, "desktop")):
        page.goto(f"{base}/reassignments/")
        page.get_by_test_id("reassign-pick").locator("select[name=from_id]").select_option(
            str(people["m1"].pk)
        )
        page.get_by_test_id("reassign-pick").locator("button[type=submit]").click()
        expect(page.get_by_test_id("checklist-orders")).to_contain_text(other.number)
        page.screenshot(path=f"/tmp/gendan-reassign-checklist-{name}.png", full_page=True)
    confirm = wide.get_by_test_id("reassign-confirm")
    confirm.locator("select[name=to_id]").select_option(str(people["m2"].pk))
    confirm.locator("input[name=reason]").fill("离职交接")
    confirm.get_by_test_id("reassign-submit").click()
    expect(wide.get_by_test_id("message").first).to_have_attribute("data-level", "success")
    expect(wide.get_by_test_id("to")).to_contain_text("m2")
    wide.screenshot(path="/tmp/gendan-reassign-done-desktop.png", full_page=True)
    assert Order.objects.get(pk=other.pk).merchandiser == people["m2"]
    assert Reassignment.objects.count() == 1
    # m1 no longer sees it
    m1 = log_in(browser, base, "m1", viewport=PHONE)
    assert m1.goto(f"{base}/orders/{other.pk}/").status == 404
