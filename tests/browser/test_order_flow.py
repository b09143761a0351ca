"""The order core in a real browser: intake → review by every department → approval → release → planner.

Every role logs in through the (Chinese) login page in its own browser context, as people at different
desks would. Elements are found by `name` and `data-testid`, never by translated text.
"""

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from gendan.orders.models import Order, OrderStatus
from gendan.reviews.models import Review, ReviewDepartment
from tests.browser.helpers import PHONE, log_in
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.browser

SIGNERS = {
    ReviewDepartment.BUSINESS: "sales",
    ReviewDepartment.TECHNICAL: "tech",
    ReviewDepartment.PLANNING: "planner",
    ReviewDepartment.PURCHASING: "purchasing",
    ReviewDepartment.QUALITY: "qc",
    ReviewDepartment.FINANCE: "finance",
}
SCREENSHOT = Path("/tmp/gendan-order-detail-phone.png")


def pdf_text(page: Page, url: str, tmp_path: Path, name: str) -> str:
    response = page.request.get(url)
    assert response.status == 200, f"{url} answered {response.status}"
    assert response.headers["content-type"].startswith("application/pdf")
    path = tmp_path / name
    path.write_bytes(response.body())
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_order_from_intake_to_planner_with_pdfs(live_server, transactional_db, browser, people, tmp_path):
    base = live_server.url
    customer = CustomerFactory(
        merchandiser=people["m1"], salesperson=people["sales"], name="浙江丽华服饰有限公司"
    )
    tee = ProductFactory(code="AP-TS01", name="圆领短袖T恤", family="针织上衣", work_centre="缝制一线")
    today = timezone.localdate()

    # 1. The merchandiser takes the order: two colours, each with its size breakdown (the second line is
    #    added with the HTMX "add line" button).
    m1 = log_in(browser, base, "m1")
    m1.goto(f"{base}/orders/new/")
    m1.select_option("select[name=customer]", customer.code)
    m1.fill("input[name=customer_po]", "LH-PO-2026-88")
    m1.fill("input[name=order_date]", today.isoformat())
    m1.fill("input[name=requested_date]", (today + dt.timedelta(days=60)).isoformat())
    m1.fill("textarea[name=requirements]", "按确认样生产，每件独立胶袋")
    m1.select_option("select[name='lines-0-product']", tee.code)
    m1.fill("input[name='lines-0-color']", "红")
    m1.fill("input[name='lines-0-quantity']", "100")
    m1.fill("input[name='lines-0-unit_price']", "28.50")
    m1.fill("input[name='lines-0-sizes']", "S:30 M:40 L:30")
    m1.evaluate("window.stillThisPage = true")
    m1.get_by_test_id("add-line").click()
    expect(m1.locator("select[name='lines-1-product']")).to_be_visible()
    assert m1.evaluate("window.stillThisPage === true"), "the line came from a page reload, not from htmx"
    expect(m1.locator("input[name='lines-TOTAL_FORMS']")).to_have_value("2")
    m1.select_option("select[name='lines-1-product']", tee.code)
    m1.fill("input[name='lines-1-color']", "藏青")
    m1.fill("input[name='lines-1-quantity']", "60")
    m1.fill("input[name='lines-1-unit_price']", "28.50")
    m1.fill("input[name='lines-1-sizes']", "M:30 L:30")
    m1.get_by_test_id("save-order").click()
    m1.wait_for_url(re.compile(rf"{re.escape(base)}/orders/\d+/$"))
    number = m1.get_by_test_id("order-number").inner_text().strip()
    order = Order.objects.get(number=number)
    assert [(line.color, str(line.quantity)) for line in order.lines.order_by("line_no")] == [
        ("红", "100.000"),
        ("藏青", "60.000"),
    ]
    expect(m1.get_by_test_id("line-sizes")).to_have_count(2)

    # 2. ... and submits it for review.
    m1.get_by_test_id("action-submit_review").locator("button").click()
    expect(m1.get_by_test_id("order-status")).to_have_attribute("data-status", "in_review")
    review_url = m1.get_by_test_id("review-link").get_attribute("href")
    review = Review.objects.get(order=order)
    assert review_url == f"/reviews/{review.pk}/"

    # 3. Every department signs its own item.
    for department, username in SIGNERS.items():
        page = log_in(browser, base, username)
        page.goto(base + review_url)
        form = page.get_by_test_id(f"sign-{department}")
        form.locator("input[type=radio][value=pass]").check()
        form.locator("textarea").fill("可行")
        form.locator("button[type=submit]").click()
        expect(page.locator(f"[data-testid=review-item][data-department={department}]")).to_have_attribute(
            "data-result", "pass"
        )
        page.context.close()

    # 4. The supervisor approves with a promised date no earlier than the feasible date.
    sup = log_in(browser, base, "sup")
    sup.goto(base + review_url)
    feasible = dt.date.fromisoformat(sup.get_by_test_id("feasible-date").get_attribute("datetime"))
    promised = max(feasible, today + dt.timedelta(days=60))
    approve = sup.get_by_test_id("approve-form")
    approve.locator("input[name=promised_date]").fill(promised.isoformat())
    approve.locator("button[type=submit]").click()
    expect(sup.get_by_test_id("review-status")).to_have_attribute("data-status", "approved")
    sup.context.close()

    # 5. The merchandiser releases the order to the planner.
    m1.goto(f"{base}/orders/{order.pk}/")
    expect(m1.get_by_test_id("promised-date")).to_have_text(promised.isoformat())
    m1.get_by_test_id("action-release").locator("button").click()
    expect(m1.get_by_test_id("order-status")).to_have_attribute("data-status", "released")

    # 6. The planner finds it in the queue, grouped by family and work centre, and acknowledges it.
    planner = log_in(browser, base, "planner")
    planner.goto(f"{base}/orders/planner/")
    group = planner.locator(
        "[data-testid=planner-group][data-family='针织上衣'][data-work-centre='缝制一线']"
    )
    row = group.locator(f"[data-testid=planner-row][data-number='{number}']")
    expect(row).to_have_attribute("data-acknowledged", "no")
    row.get_by_test_id("action-acknowledge").locator("button").click()
    planner.wait_for_url(f"{base}/orders/planner/")
    expect(group.locator(f"[data-testid=planner-row][data-number='{number}']")).to_have_attribute(
        "data-acknowledged", "yes"
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.RELEASED and order.planner_ack_by == people["planner"]

    # 7. The order page shows the whole story and links both documents; a phone can use it.
    phone = log_in(browser, base, "m1", viewport=PHONE)
    phone.goto(f"{base}/orders/{order.pk}/")
    timeline_types = phone.locator("[data-testid=event]").evaluate_all("els => els.map(e => e.dataset.type)")
    assert timeline_types.count("review_signed") == 6
    assert {"created", "transition", "planner_ack"} <= set(timeline_types)
    phone.screenshot(path=str(SCREENSHOT), full_page=True)
    # the stylesheet is applied (narrow screen: the menu folds behind the ☰ toggle) and nothing is wider
    # than the phone (wide tables scroll inside their own box)
    assert phone.evaluate("getComputedStyle(document.querySelector('.mainnav')).display") == "none"
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    notice_href = phone.get_by_test_id("notice-pdf").get_attribute("href")
    form_href = phone.get_by_test_id("review-form-pdf").first.get_attribute("href")
    assert notice_href == f"/orders/{order.pk}/notice.pdf"
    assert form_href == f"/reviews/{review.pk}/form.pdf"

    # 8. Both PDFs carry the order number and their Chinese titles as real (extractable) text.
    notice = pdf_text(phone, base + notice_href, tmp_path, "notice.pdf")
    assert number in notice and "业务通知单" in notice
    review_form = pdf_text(phone, base + form_href, tmp_path, "review.pdf")
    assert number in review_form and "客户订单评审表" in review_form
