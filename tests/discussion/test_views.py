"""The thread on the order, exception and complaint pages: posting, errors kept, escaping, scope, read-only."""

import html

import pytest
from django.test import Client

from gendan.discussion.models import Comment
from gendan.discussion.services import comment_post
from gendan.notify.models import Notification
from tests.discussion.conftest import XSS

pytestmark = pytest.mark.django_db


def browser(user, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_the_thread_is_on_the_order_exception_and_complaint_pages(
    order, exception, complaint, people, django_capture_on_commit_callbacks
):
    pages = {
        "order": (order, f"/orders/{order.pk}/"),
        "exception": (exception, f"/followup/exceptions/{exception.pk}/"),
        "complaint": (complaint, f"/complaints/{complaint.pk}/"),
    }
    m1 = browser(people["m1"])
    for key, (owner, url) in pages.items():
        with django_capture_on_commit_callbacks(execute=True):
            response = m1.post(f"/discussion/{key}/{owner.pk}/", {"body": f"关于{key}的留言 @tech"})
        comment = Comment.objects.latest("id")
        assert response.status_code == 302 and response["Location"] == f"{url}#comment-{comment.pk}"
        page = m1.get(url).content.decode()
        assert f'id="comment-{comment.pk}"' in page and f"关于{key}的留言" in page
        assert 'data-owner-type="%s"' % key in page
    notes = Notification.objects.filter(recipient=people["tech"]).order_by("id")
    assert [n.link.split("#")[0] for n in notes] == [url for _owner, url in pages.values()]
    assert "异常 EX" in notes[1].title or "exception EX" in notes[1].title


def test_the_page_is_chinese(order, people):
    page = browser(people["m1"], "zh-hans").get(f"/orders/{order.pk}/").content.decode()
    assert "讨论" in page and "发表留言" in page and "还没有留言" in page


def test_a_refused_comment_comes_back_with_its_text_and_the_error(order, people):
    m1 = browser(people["m1"], "zh-hans")
    response = m1.post(f"/discussion/order/{order.pk}/", {"body": "请 @m3 跟进"})
    assert response.status_code == 302 and response["Location"].endswith("#comment-form")
    page = m1.get(response["Location"]).content.decode()
    assert "@m3 无权查看此订单，不能提及。" in page
    assert 'data-testid="comment-errors"' in page and ">请 @m3 跟进</textarea>" in page
    assert not Comment.objects.exists()
    # shown once: the next view has an empty box again
    assert "请 @m3 跟进" not in m1.get(f"/orders/{order.pk}/").content.decode()


def test_comment_text_is_escaped_on_the_page_and_in_the_inbox(
    order, people, django_capture_on_commit_callbacks
):
    people["m1"].display_name = "<b>阿明</b>"
    people["m1"].save()
    with django_capture_on_commit_callbacks(execute=True):
        comment_post(owner=order, actor=people["m1"], body=f"{XSS} @tech 请看")
    page = browser(people["sup"]).get(f"/orders/{order.pk}/").content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>阿明" not in page
    assert (
        html.escape(XSS, quote=False) in page or "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    )
    assert '<span class="mention" title="tech (tech)">@tech</span>' in page
    inbox = browser(people["tech"]).get("/inbox/").content.decode()
    assert "<script>alert" not in inbox and "<img src=x" not in inbox and "<b>阿明" not in inbox
    assert "&lt;script&gt;" in inbox and "&lt;b&gt;阿明&lt;/b&gt;" in inbox


def test_out_of_scope_users_get_404_and_nothing_is_written(order, exception, people):
    m3 = browser(people["m3"])
    assert m3.post(f"/discussion/order/{order.pk}/", {"body": "hi"}).status_code == 404
    assert m3.post(f"/discussion/exception/{exception.pk}/", {"body": "hi"}).status_code == 404
    assert m3.post("/discussion/nothing/1/", {"body": "hi"}).status_code == 404
    mine = comment_post(owner=order, actor=people["m1"], body="内部")
    assert m3.post(f"/discussion/comments/{mine.pk}/edit/", {"body": "x"}).status_code == 404
    assert m3.post(f"/discussion/comments/{mine.pk}/withdraw/").status_code == 404
    assert list(Comment.objects.values_list("body", flat=True)) == ["内部"]


def test_the_auditor_reads_the_thread_but_has_no_box_and_cannot_post(order, people):
    comment_post(owner=order, actor=people["m1"], body="已和客户确认")
    auditor = browser(people["auditor"])
    page = auditor.get(f"/orders/{order.pk}/").content.decode()
    assert "已和客户确认" in page and 'data-testid="comment-form"' not in page
    assert 'data-testid="comments-read-only"' in page
    response = auditor.post(f"/discussion/order/{order.pk}/", {"body": "审计"})
    assert response.status_code == 302 and Comment.objects.count() == 1


def test_reply_edit_and_withdraw_from_the_page(order, people):
    sales, m1 = browser(people["sales"]), browser(people["m1"])
    sales.post(f"/discussion/order/{order.pk}/", {"body": "客户问能否提前"})
    first = Comment.objects.get()
    m1.post(f"/discussion/order/{order.pk}/", {"body": "可以提前两天", "parent_id": str(first.pk)})
    reply = Comment.objects.latest("id")
    assert reply.parent == first
    m1.post(f"/discussion/comments/{reply.pk}/edit/", {"body": "可以提前三天"})
    sales.post(f"/discussion/comments/{reply.pk}/withdraw/")  # not the author: refused
    m1.post(f"/discussion/comments/{first.pk}/withdraw/")  # not the author: refused
    page = m1.get(f"/orders/{order.pk}/").content.decode()
    assert "可以提前三天" in page and 'data-testid="comment-edited"' in page and "客户问能否提前" in page
    sales.post(f"/discussion/comments/{first.pk}/withdraw/")
    page = m1.get(f"/orders/{order.pk}/").content.decode()
    assert "客户问能否提前" not in page and 'data-testid="comment-withdrawn"' in page
    assert "可以提前三天" in page  # the reply stays
    events = [e["type"] for e in m1.get(f"/orders/{order.pk}/").context["timeline"]]
    assert events.count("comment_added") == 2
