"""Follow-up in a real browser (issue 3): the merchandiser records a "behind" progress entry with a photo
from a phone and raises the exception it calls for; the exception outlives level 1's time limit, the scan
escalates it, and the supervisor finds it on the dashboard at a desk.

Elements are found by `name` and `data-testid`, never by translated text.
"""

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from gendan.followup.models import ExceptionStatus, FollowupException, ProgressRecord
from gendan.followup.policy import policy_for
from gendan.followup.scan import followup_scan
from gendan.notify.models import Notification
from gendan.orders.models import OrderEvent
from tests.browser.helpers import DESKTOP, PHONE, log_in, order_in_production

pytestmark = pytest.mark.browser

SCREENSHOT = Path("/tmp/gendan-progress-record-phone.png")


def shop_floor_photo() -> bytes:
    """A real (small) PNG, as a phone camera upload would be after the browser picked it."""
    image = Image.new("RGB", (320, 240), (236, 240, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 40, 300, 200), outline=(200, 40, 40), width=6)
    draw.line((20, 200, 300, 40), fill=(30, 90, 160), width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_behind_record_with_photo_from_a_phone_escalates_to_the_supervisors_dashboard(
    live_server, transactional_db, browser, people, customer, product
):
    base = live_server.url
    order = order_in_production(people, customer, product)
    photo = shop_floor_photo()

    # 1. On the shop floor, the merchandiser opens the order on a phone and goes to its progress records
    #    through the order page and the T&A plan.
    phone = log_in(browser, base, "m1", viewport=PHONE)
    phone.goto(f"{base}/orders/{order.pk}/")
    phone.get_by_test_id("order-followup-link").click()
    phone.wait_for_url(f"{base}/followup/orders/{order.pk}/plan/")
    phone.get_by_test_id("record-progress").click()
    phone.wait_for_url(f"{base}/followup/orders/{order.pk}/records/")

    # 2. Sewing is behind: stage, quantity, state, note and a photo taken on the spot.
    form = phone.get_by_test_id("record-form")
    form.locator("select[name=stage]").select_option("production")
    form.locator("input[name=quantity_done]").fill("120")
    form.locator("input[name=state][value=behind]").check()
    form.locator("textarea[name=note]").fill("缝制一线缺两人，今日只完成120件")
    form.get_by_test_id("photo-input").set_input_files(
        files=[{"name": "sewing-line.png", "mimeType": "image/png", "buffer": photo}]
    )
    assert form.get_by_test_id("photo-input").evaluate("el => el.files.length") == 1
    phone.screenshot(path=str(SCREENSHOT), full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    form.get_by_test_id("record-submit").click()

    # 3. A "behind" record asks for an exception: the form comes prefilled for this order as a schedule one.
    phone.wait_for_url(
        re.compile(rf"{re.escape(base)}/followup/exceptions/new/\?order={order.pk}&type=schedule$")
    )
    record = ProgressRecord.objects.get(order=order)
    assert (record.stage, record.state, record.quantity_done, record.recorded_by) == (
        "production",
        "behind",
        Decimal("120"),
        people["m1"],
    )
    stored = record.photos.get()
    assert (stored.image_format, stored.width, stored.height, stored.size) == ("PNG", 320, 240, len(photo))
    expect(phone.locator("select[name=type]")).to_have_value("schedule")
    phone.locator("select[name=severity]").select_option("high")
    phone.locator("input[name=title]").fill("缝制进度落后两天")
    phone.locator("textarea[name=description]").fill("缺工两人，已向车间主任要求周六加班")
    phone.locator("input[name=impact_days]").fill("2")
    phone.get_by_test_id("exception-submit").click()
    phone.wait_for_url(re.compile(rf"{re.escape(base)}/followup/exceptions/\d+/$"))
    expect(phone.get_by_test_id("exception-level")).to_have_text("L1")
    exception = FollowupException.objects.get(order=order)
    assert (exception.level, exception.status, exception.raised_by, exception.impact_days) == (
        1,
        ExceptionStatus.OPEN,
        people["m1"],
        2,
    )

    # 4. The record is on the order's records page with its photo, served back byte for byte.
    phone.goto(f"{base}/followup/orders/{order.pk}/records/")
    expect(phone.get_by_test_id("record")).to_have_count(1)
    photo_href = phone.get_by_test_id("record").locator(".photos a").get_attribute("href")
    served = phone.request.get(base + photo_href)
    assert served.status == 200 and served.headers["content-type"] == "image/png"
    assert served.body() == photo
    phone.context.close()

    # 5. At level 1 the exception is the merchandiser's: not yet on the supervisor's dashboard.
    sup = log_in(browser, base, "sup", viewport=DESKTOP)
    mine = sup.get_by_test_id("dash-exceptions")
    expect(mine).to_be_visible()
    expect(mine.locator(f"[data-testid=dash-exception][data-number='{exception.number}']")).to_have_count(0)

    # 6. Level 1's time limit passes with the exception still open: the scan escalates it to the
    #    supervisor (level 2), who is told in the inbox; the timeline records the automatic escalation.
    limit = policy_for(timezone.localdate(exception.escalated_at)).escalation_l1_hours
    later = exception.escalated_at + dt.timedelta(hours=limit, minutes=1)
    assert followup_scan(now=later - dt.timedelta(minutes=2))["escalated"]["count"] == 0
    assert followup_scan(now=later)["escalated"]["numbers"] == [exception.number]
    exception.refresh_from_db()
    assert exception.level == 2
    assert Notification.objects.filter(recipient=people["sup"], kind="exception_escalated").count() == 1
    assert order.events.filter(type=OrderEvent.Type.EXCEPTION_ESCALATED, actor__isnull=True).count() == 1

    # 7. The supervisor, at a desk, now sees it on "my work today" at level 2 and opens it.
    sup.goto(f"{base}/")
    row = mine.locator(f"[data-testid=dash-exception][data-number='{exception.number}']")
    expect(row).to_have_attribute("data-level", "2")
    expect(row).to_contain_text(order.number)
    row.locator("a").click()
    sup.wait_for_url(f"{base}/followup/exceptions/{exception.pk}/")
    expect(sup.get_by_test_id("exception-level")).to_have_text("L2")
