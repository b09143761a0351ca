"""A change request (改单) in a real browser, as the roles would do it: merch1 asks for +20 % on one line,
a new colour and a week later; only the departments the change touches re-sign; the supervisor approves;
the order is R1 with its diff, the T&A plan's open milestones moved on working days, the planner is told,
and the reprinted business notice says 第 1 次修订 with the new quantity.

The customer's e-mail is attached to the change request as its evidence, and downloaded back.
"""

import datetime as dt
import os
import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from gendan.changes.models import ChangeRequest
from gendan.followup.models import TaMilestone
from gendan.notify.models import Notification
from gendan.orders.models import Order
from gendan.planning.calendar import WorkingCalendar
from tests.browser.helpers import PHONE, log_in
from tests.changes.conftest import released_order
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.browser

DESKTOP_WIDE = {"width": 1366, "height": 900}
# Set GENDAN_SCREENSHOTS=/some/dir to keep every screen of the flow at phone and desktop size.
SHOTS = os.environ.get("GENDAN_SCREENSHOTS", "")


def shoot(page: Page, name: str) -> None:
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    for label, size in (("phone", PHONE), ("desktop", DESKTOP_WIDE)):
        page.set_viewport_size(size)
        page.screenshot(path=f"{SHOTS}/{name}-{label}.png", full_page=True)


def pdf_text(page: Page, url: str, tmp_path: Path) -> str:
    response = page.request.get(url)
    assert response.status == 200, f"{url} answered {response.status}"
    path = tmp_path / "notice.pdf"
    path.write_bytes(response.body())
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_change_request_from_merchandiser_to_revised_order(
    live_server, transactional_db, browser, people, tmp_path
):
    base = live_server.url
    customer = CustomerFactory(
        merchandiser=people["m1"], salesperson=people["sales"], name="浙江丽华服饰有限公司"
    )
    tee = ProductFactory(code="AP-TS01", name="圆领短袖T恤", standard_price="12.50")
    order = released_order(people, customer, tee, po="LH-PO-2026-88")
    promised = order.promised_date
    milestones_before = {
        m.pk: (m.planned_date, m.actual_date) for m in TaMilestone.objects.filter(plan__order=order)
    }
    assert milestones_before, "the release made the T&A plan"
    done = min(milestones_before, key=lambda pk: milestones_before[pk][0])
    TaMilestone.objects.filter(pk=done).update(actual_date=milestones_before[done][0])

    # 1. merch1 raises the change from the order page: line 1 100 → 120 (+20 %), a new colour (a new line
    #    in 绿), the promised date a week later, the customer's reason.
    m1 = log_in(browser, base, "m1")
    m1.goto(f"{base}/orders/{order.pk}/")
    shoot(m1, "order-detail-changes")
    m1.get_by_test_id("order-change").click()
    m1.wait_for_url(re.compile(r".*/changes/orders/\d+/new$"))
    shoot(m1, "change-form")
    m1.fill("input[name='lines-0-quantity']", "120")
    m1.fill("input[name='lines-0-sizes']", "S:36 M:48 L:36")
    m1.select_option("select[name='lines-2-product']", tee.code)
    m1.fill("input[name='lines-2-color']", "绿")
    m1.fill("input[name='lines-2-quantity']", "30")
    m1.fill("input[name='lines-2-unit_price']", "12.50")
    m1.fill("input[name='promised_date']", (promised + dt.timedelta(days=7)).isoformat())
    m1.fill("textarea[name='reason']", "客户邮件：1号款加量20%，新增绿色30件，交期顺延一周")
    m1.get_by_test_id("cr-submit").click()
    m1.wait_for_url(re.compile(r".*/changes/\d+/$"))
    cr = ChangeRequest.objects.get(order=order)
    expect(m1.get_by_test_id("cr-status")).to_have_attribute("data-status", "open")
    # the customer's e-mail, attached on the change request as its evidence
    evidence = m1.get_by_test_id("cr-evidence-spot")
    mail = (
        b"From: buyer@lihua.example\r\nTo: m1@gendan.example\r\nSubject: PO 1 change\r\n"
        b"Date: Tue, 08 Dec 2026 09:00:00 +0800\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nPlease add 20% to line 1.\r\n"
    )
    evidence.locator("select[name='kind']").select_option("email")
    evidence.locator("input[type='file']").set_input_files(
        {"name": "customer-change.eml", "mimeType": "message/rfc822", "buffer": mail}
    )
    evidence.get_by_role("button").last.click()
    m1.wait_for_url(re.compile(r".*/changes/\d+/.*"))
    attached = m1.get_by_test_id("cr-evidence-spot").get_by_test_id("attachment")
    expect(attached).to_have_count(1)
    expect(attached).to_contain_text("customer-change.eml")
    download = m1.request.get(base + (attached.locator("a").first.get_attribute("href") or ""))
    assert download.status == 200 and b"Please add 20%" in download.body()
    asked = sorted(m1.get_by_test_id("cr-item").evaluate_all("els => els.map(e => e.dataset.department)"))
    # quantity and date → planning (capacity) and purchasing (materials); a new colour → technical and QC;
    # the amount stays within credit and the new line is at the standard price: no business, no finance
    assert asked == ["planning", "purchasing", "quality", "technical"]
    shoot(m1, "change-detail-open")

    # 2. The departments asked — and only they — find it waiting and sign.
    for username, department in (
        ("planner", "planning"),
        ("purchasing", "purchasing"),
        ("tech", "technical"),
        ("qc", "quality"),
    ):
        signer = log_in(browser, base, username)
        signer.goto(f"{base}/changes/")
        expect(signer.get_by_test_id("cr-awaiting-row")).to_have_count(1)
        if username == "planner":
            shoot(signer, "change-list")
        signer.get_by_test_id("cr-awaiting-row").locator("a").click()
        form = signer.get_by_test_id(f"cr-sign-{department}")
        form.locator("button[type=submit]").click()
        expect(signer.locator(f"[data-testid=cr-item][data-department={department}]")).to_have_attribute(
            "data-result", "pass"
        )
        signer.context.close()
    for username in ("finance", "sales"):
        other = log_in(browser, base, username)
        other.goto(f"{base}/changes/")
        expect(other.get_by_test_id("cr-awaiting-row")).to_have_count(0)
        other.context.close()

    # 3. The supervisor approves.
    sup = log_in(browser, base, "sup")
    sup.goto(f"{base}/changes/{cr.pk}/")
    shoot(sup, "change-detail-decide")
    sup.get_by_test_id("cr-approve").click()
    expect(sup.get_by_test_id("cr-status")).to_have_attribute("data-status", "approved")

    # 4. The order shows R1 and the diff.
    sup.goto(f"{base}/orders/{order.pk}/")
    expect(sup.get_by_test_id("order-revision")).to_have_text("R1")
    sup.get_by_test_id("order-revisions").click()
    expect(sup.locator("[data-testid=revision][data-number='1']")).to_be_visible()
    changes = " ".join(sup.get_by_test_id("revision-change").all_inner_texts())
    assert (
        "100 → 120" in changes
        and "绿" in changes
        and (promised + dt.timedelta(days=7)).isoformat() in changes
    )
    shoot(sup, "revisions")

    # 5. The T&A plan's open milestones moved by the same working days; the done one stayed.
    order = Order.objects.get(pk=order.pk)
    assert order.revision == 1 and order.promised_date == promised + dt.timedelta(days=7)
    calendar = WorkingCalendar.load(promised.year - 1, promised.year + 1)
    shift = calendar.working_days_between(promised, order.promised_date)
    for milestone in TaMilestone.objects.filter(plan__order=order):
        before, _ = milestones_before[milestone.pk]
        if milestone.pk == done:
            assert milestone.planned_date == before
        else:
            expected = calendar.add_working_days(calendar.working_day_on_or_before(before), shift)
            assert milestone.planned_date == expected and calendar.is_working_day(expected)

    # 6. The planner was told (inbox).
    assert Notification.objects.filter(
        recipient=people["planner"], kind="order_revised", order_id=order.pk
    ).exists()
    planner = log_in(browser, base, "planner")
    planner.goto(f"{base}/inbox/")
    expect(planner.locator("main")).to_contain_text(order.number)
    expect(planner.locator("main")).to_contain_text("R1")

    # 7. The reprinted business notice says which revision and carries the new quantity.
    text = pdf_text(sup, f"{base}/orders/{order.pk}/notice.pdf", tmp_path)
    assert "第 1 次修订" in text
    assert "120" in text and "100 → 120" in text
