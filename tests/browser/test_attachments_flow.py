"""Files on the record in the browser, on a phone: m1 attaches the customer's original PO to a faxed order
(the "original pending" flag goes), a tech pack to a complaint, sees them listed with Chinese labels, and
withdraws one; a refused file (a renamed program) shows the Chinese message and nothing is stored.

Screenshots go to $GENDAN_SCREENSHOTS when it is set (390×844 and 1366×900)."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from gendan.files.models import Attachment
from gendan.orders.services import order_create
from tests.browser.helpers import PHONE, log_in
from tests.factories import order_payload

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00" + b"\x00" * 300


def _shoot(page, name: str) -> None:
    folder = os.environ.get("GENDAN_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def test_attach_the_original_on_a_phone(live_server, transactional_db, browser, people, customer, product):
    base = live_server.url
    order = order_create(
        actor=people["m1"], data=order_payload(customer, product, source_document="fax", customer_po="FAX-77")
    )
    page = log_in(browser, base, "m1", viewport=PHONE)
    page.goto(f"{base}/orders/{order.pk}/")
    expect(page.locator("[data-testid=original-pending-flag]")).to_be_visible()
    panel = page.locator("[data-testid=attachments]")
    expect(panel).to_contain_text("暂无附件")

    # a program renamed .pdf is refused with the Chinese message, nothing stored
    form = page.locator("[data-testid=attachment-upload]")
    form.locator("input[type=file]").set_input_files(
        {"name": "客户PO.pdf", "mimeType": "application/pdf", "buffer": EXE}
    )
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("body")).to_contain_text("不是 PDF 文件")
    assert not Attachment.objects.exists()
    _shoot(page, "attachments-refused-phone")

    # the original PO, as 客户PO（原件）
    form = page.locator("[data-testid=attachment-upload]")
    form.locator("select[name=kind]").select_option("original_po")
    form.locator("input[type=file]").set_input_files(
        {"name": "客户PO-原件.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    form.locator("input[name=note]").fill("快递收到原件")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    panel = page.locator("[data-testid=attachments]")
    expect(panel.locator("[data-testid=attachment]")).to_have_count(1)
    expect(panel).to_contain_text("客户PO-原件.pdf")
    expect(panel).to_contain_text("客户PO（原件）")
    expect(page.locator("[data-testid=original-pending-flag]")).to_have_count(0)
    timeline = page.locator("[data-testid=timeline]")
    expect(timeline).to_contain_text("上传附件")
    expect(timeline).to_contain_text("原件已收到")
    _shoot(page, "attachments-order-phone")

    # the download opens for m1 (scope-checked view)
    attachment = Attachment.objects.get()
    response = page.request.get(f"{base}/files/{attachment.pk}/")
    assert response.status == 200 and response.body() == PDF

    # withdraw it: it stays listed, marked
    panel.locator("details.withdraw summary").click()
    panel.locator("input[name=reason]").fill("上传错了")
    panel.locator("details.withdraw button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("[data-testid=attachments]")).to_contain_text("已撤回")
    expect(page.locator("[data-testid=timeline]")).to_contain_text("撤回附件")
    _shoot(page, "attachments-withdrawn-phone")

    desktop = log_in(browser, base, "sup", viewport={"width": 1366, "height": 900})
    desktop.goto(f"{base}/orders/{order.pk}/")
    expect(desktop.locator("[data-testid=attachments]")).to_contain_text("客户PO-原件.pdf")
    _shoot(desktop, "attachments-order-desktop")
