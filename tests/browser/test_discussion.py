"""The order's conversation in a real browser (issue 14 item 5): on a phone, m1 types "@te", picks the
technician from the colleagues who can see the order, and posts; the technician finds the notification in the
inbox, opens the thread at the comment and replies from a desk. A mention of someone outside the order is
refused on the page with the text kept.

Elements are found by `name` and `data-testid`, never by translated text. Screenshots go to /tmp.
"""

import pytest
from playwright.sync_api import expect

from gendan.complaints.services import complaint_register
from gendan.discussion.models import Comment
from gendan.discussion.services import comment_post
from gendan.followup.services import exception_raise
from gendan.notify.models import Notification
from tests.browser.helpers import PHONE, log_in, order_in_production

pytestmark = pytest.mark.browser

DESK = {"width": 1366, "height": 900}


def test_mention_from_a_phone_and_reply_from_a_desk(
    live_server, transactional_db, browser, people, customer, product
):
    base = live_server.url
    people["tech"].display_name = "张工"
    people["tech"].save()
    order = order_in_production(people, customer, product)

    phone = log_in(browser, base, "m1", viewport=PHONE)
    phone.goto(f"{base}/orders/{order.pk}/")
    box = phone.locator("[data-testid=comment-form] textarea[name=body]")
    box.fill("面料色差，请 @m3 看")
    phone.get_by_test_id("comment-submit").click()
    expect(phone.get_by_test_id("comment-errors")).to_contain_text("@m3")
    expect(box).to_have_value("面料色差，请 @m3 看")
    assert not Comment.objects.exists()

    box.fill("面料色差，请 ")
    box.press("End")
    box.type("@te")
    suggestion = phone.locator("[data-testid=comment-form] [data-testid=mention-suggestions] button")
    expect(suggestion).to_have_count(1)
    expect(suggestion).to_have_attribute("data-username", "tech")
    suggestion.click()
    box.type("确认 <script>alert(1)</script>")
    expect(box).to_have_value("面料色差，请 @tech 确认 <script>alert(1)</script>")
    phone.get_by_test_id("comment-submit").click()
    comment = Comment.objects.get()
    expect(phone.locator(f"#comment-{comment.pk} [data-testid=comment-text]")).to_contain_text(
        "<script>alert(1)</script>"
    )
    expect(phone.locator(f"#comment-{comment.pk} .mention")).to_have_text("@tech")
    phone.locator("#comments").scroll_into_view_if_needed()
    phone.screenshot(path="/tmp/gendan-discussion-phone.png", full_page=True)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px)"

    (note,) = Notification.objects.filter(recipient=people["tech"])
    desk = log_in(browser, base, "tech", viewport=DESK)
    desk.goto(f"{base}/inbox/")
    desk.screenshot(path="/tmp/gendan-discussion-inbox-desk.png", full_page=True)
    desk.goto(f"{base}{note.link}")
    desk.locator(f"#comment-{comment.pk} [data-testid=comment-reply-toggle]").click()
    reply_box = desk.locator(f"#comment-{comment.pk} .comment-reply textarea[name=body]")
    reply_box.fill("已确认，按标准色卡生产")
    desk.locator(f"#comment-{comment.pk} [data-testid=comment-reply-submit]").click()
    reply = Comment.objects.latest("id")
    assert reply.parent_id == comment.pk
    expect(desk.locator(f"#comment-{reply.pk}")).to_contain_text("已确认")
    desk.locator("#comments").scroll_into_view_if_needed()
    desk.screenshot(path="/tmp/gendan-discussion-desk.png", full_page=True)
    assert Notification.objects.filter(recipient=people["m1"], kind="comment.reply").count() == 1

    # the same thread on an exception's and a complaint's page
    exception = exception_raise(order=order, actor=people["m1"], type="material", title="面料延期")
    complaint = complaint_register(
        actor=people["m1"],
        data={"order": order.pk, "type": "quality", "severity": "minor", "description": "领口开线"},
    )
    for owner, url in (
        (exception, f"/followup/exceptions/{exception.pk}/"),
        (complaint, f"/complaints/{complaint.pk}/"),
    ):
        comment_post(owner=owner, actor=people["sup"], body="@m1 请今天回复客户，并上传照片")
        for page, name in ((phone, "phone"), (desk, "desk")):
            page.goto(f"{base}{url}")
            expect(page.locator("[data-testid=comments] [data-testid=comment]")).to_have_count(1)
            page.locator("#comments").scroll_into_view_if_needed()
            page.screenshot(
                path=f"/tmp/gendan-discussion-{owner._meta.model_name}-{name}.png", full_page=True
            )
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
