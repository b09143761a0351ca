"""Comment threads: posting, @mentions (refused when the colleague cannot see the order), notifications, replies,
the edit window, withdrawal and the read-only auditor."""

import datetime as dt

import pytest
from django.utils import translation

from gendan.core.errors import NotFoundError, PermissionDeniedError, ValidationFailed
from gendan.discussion.models import Comment, CommentEdit, CommentMention
from gendan.discussion.selectors import mentionable_users, thread_entries, thread_get, thread_of
from gendan.discussion.services import (
    EDIT_WINDOW,
    KIND_COMMENT,
    KIND_MENTION,
    KIND_REPLY,
    CommentWithdrawnError,
    EditWindowClosedError,
    comment_edit,
    comment_post,
    comment_withdraw,
)
from gendan.notify.models import Notification
from gendan.orders.models import OrderEvent

pytestmark = pytest.mark.django_db


def post(owner, who, body, capture, **kwargs) -> Comment:
    with capture(execute=True):
        return comment_post(owner=owner, actor=who, body=body, **kwargs)


def inbox(user, kind=None):
    qs = Notification.objects.filter(recipient=user)
    return qs.filter(kind=kind) if kind else qs


def test_mentioning_a_colleague_who_cannot_see_the_order_is_refused_and_nothing_saved(
    order, people, django_capture_on_commit_callbacks
):
    # given m3 (another team's merchandiser), who cannot see m1's order
    events = order.events.count()
    # when m1 mentions m3 (and tech, who could be mentioned)
    with pytest.raises(ValidationFailed) as refused:
        post(order, people["m1"], "@tech @m3 请确认面料", django_capture_on_commit_callbacks)
    # then: a field error on the text naming the mention; nothing is written and nobody is told
    assert refused.value.fields == {"body": ["@m3 cannot see this order and cannot be mentioned."]}
    assert not Comment.objects.exists() and not CommentMention.objects.exists()
    assert order.events.count() == events
    assert not inbox(people["m3"]).exists() and not inbox(people["tech"]).exists()


def test_the_refusal_is_in_chinese_on_chinese_pages(order, people, django_capture_on_commit_callbacks):
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as refused:
        post(order, people["m1"], "请 @m3 看一下", django_capture_on_commit_callbacks)
    (message,) = refused.value.fields["body"]
    assert "@m3" in message and "订单" in message, message


def test_mention_words_are_cut_in_chinese_text_but_not_inside_latin_words(order, people):
    from gendan.discussion.mentions import mentions_resolve

    found = {
        r.name: (r.user.username if r.user else None) for r in mentions_resolve("@m1的订单 @sales2026 @tech.")
    }
    assert found == {"m1": "m1", "sales2026": None, "tech": "tech"}


def test_unknown_and_ambiguous_names_are_refused(order, people, django_capture_on_commit_callbacks):
    for name in ("tech", "qc"):
        people[name].display_name = "张工"
        people[name].save()
    with pytest.raises(ValidationFailed) as refused:
        post(order, people["m1"], "@nobody 和 @张工 请看", django_capture_on_commit_callbacks)
    assert refused.value.fields["body"] == [
        "@nobody: no colleague has this name.",
        "@张工: several colleagues have this name; write the username instead.",
    ]
    assert not Comment.objects.exists()


def test_the_mentioned_colleague_gets_exactly_one_inbox_notification(
    order, people, django_capture_on_commit_callbacks
):
    # given tech has the display name 张三; m1 mentions them twice, once by name in running Chinese text
    people["tech"].display_name = "张三"
    people["tech"].save()
    comment = post(
        order, people["m1"], "@张三请确认面料 cc @TECH, 邮件 a@b.com", django_capture_on_commit_callbacks
    )
    # then: one mention row, one notification for tech with a link to the comment, nothing for the author
    assert [(m.user.username, m.name) for m in comment.mentions.all()] == [("tech", "张三")]
    (note,) = inbox(people["tech"])
    assert note.kind == KIND_MENTION and note.order_id == order.pk and note.read_at is None
    assert note.link == f"/orders/{order.pk}/#comment-{comment.pk}"
    assert order.number in note.title and "请确认面料" in note.body
    assert not inbox(people["m1"]).exists()
    # when m1 edits the comment (tech still mentioned, sales added): tech is not told again, sales once
    with django_capture_on_commit_callbacks(execute=True):
        comment_edit(comment=comment, actor=people["m1"], body="@tech 请确认面料，@sales 请告知客户")
    assert inbox(people["tech"]).count() == 1
    assert inbox(people["sales"], KIND_MENTION).count() == 1
    assert sorted(comment.mentions.values_list("user__username", flat=True)) == ["sales", "tech"]


def test_the_orders_merchandiser_is_told_of_a_comment_by_someone_else(
    order, people, django_capture_on_commit_callbacks
):
    comment = post(order, people["planner"], "排产已确认 @tech", django_capture_on_commit_callbacks)
    (note,) = inbox(people["m1"])
    assert note.kind == KIND_COMMENT and note.link.endswith(f"#comment-{comment.pk}")
    # m1 mentioned by the planner: one notification (the mention), not two
    post(order, people["planner"], "@m1 请回复", django_capture_on_commit_callbacks)
    assert inbox(people["m1"]).count() == 2
    assert inbox(people["m1"], KIND_MENTION).count() == 1


def test_a_comment_adds_one_event_to_the_orders_timeline_without_its_text(
    order, exception, people, django_capture_on_commit_callbacks
):
    comment = post(exception, people["sup"], "面料商说下周三到", django_capture_on_commit_callbacks)
    event = order.events.get(type=OrderEvent.Type.COMMENT_ADDED)
    assert event.actor == people["sup"] and event.note == ""
    assert event.data == {"comment_id": comment.pk, "owner_type": "exception", "owner_id": exception.pk}
    assert comment.order == order


def test_replies_are_one_level_and_tell_the_author_replied_to(
    order, complaint, people, django_capture_on_commit_callbacks
):
    first = post(complaint, people["sales"], "客户要求换货", django_capture_on_commit_callbacks)
    reply = post(complaint, people["m1"], "已安排", django_capture_on_commit_callbacks, parent_id=first.pk)
    # a reply to a reply joins the first comment's replies
    again = post(complaint, people["qc"], "我来复检", django_capture_on_commit_callbacks, parent_id=reply.pk)
    assert (reply.parent_id, again.parent_id) == (first.pk, first.pk)
    (entry,) = thread_entries(thread=thread_of(owner=complaint))
    assert entry.comment == first and entry.replies == [reply, again]
    assert inbox(people["sales"], KIND_REPLY).count() == 2  # the replies by m1 and by qc
    assert (
        inbox(people["sales"])
        .get(dedupe_key=f"comment:{reply.pk}")
        .link.endswith(f"/complaints/{complaint.pk}/#comment-{reply.pk}")
    )
    # a comment of another thread cannot be replied to here
    with pytest.raises(ValidationFailed) as refused:
        post(order, people["m1"], "?", django_capture_on_commit_callbacks, parent_id=first.pk)
    assert set(refused.value.fields) == {"parent_id"}


def test_the_author_edits_within_the_window_and_the_previous_text_is_kept(
    order, people, django_capture_on_commit_callbacks
):
    comment = post(order, people["m1"], "交期 12月10日", django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDeniedError):
        comment_edit(comment=comment, actor=people["sup"], body="改一下")
    edited = comment_edit(comment=comment, actor=people["m1"], body="交期 12月12日")
    assert edited.body == "交期 12月12日" and edited.edited_at is not None
    assert list(CommentEdit.objects.values_list("previous_body", "edited_by")) == [
        ("交期 12月10日", people["m1"].pk)
    ]
    late = comment.created_at + EDIT_WINDOW + dt.timedelta(seconds=1)
    with pytest.raises(EditWindowClosedError):
        comment_edit(comment=comment, actor=people["m1"], body="交期 12月15日", now=late)
    comment.refresh_from_db()
    assert comment.body == "交期 12月12日"


def test_withdrawing_keeps_the_row_and_only_the_author_or_an_admin_may(
    order, people, django_capture_on_commit_callbacks
):
    comment = post(order, people["m1"], "发错了", django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDeniedError):
        comment_withdraw(comment=comment, actor=people["sup"])
    comment_withdraw(comment=comment, actor=people["m1"])
    comment.refresh_from_db()
    assert comment.is_withdrawn and comment.withdrawn_by == people["m1"] and comment.body == "发错了"
    with pytest.raises(CommentWithdrawnError):
        comment_edit(comment=comment, actor=people["m1"], body="再改")
    other = post(order, people["sales"], "广告", django_capture_on_commit_callbacks)
    comment_withdraw(comment=other, actor=people["admin"])


def test_the_auditor_reads_but_cannot_post(order, people, django_capture_on_commit_callbacks):
    assert thread_get(user=people["auditor"], owner_type="order", owner_id=order.pk).order == order
    with pytest.raises(PermissionDeniedError):
        post(order, people["auditor"], "审计意见", django_capture_on_commit_callbacks)
    assert not Comment.objects.exists()


def test_out_of_scope_threads_are_not_found(order, exception, people):
    for owner_type, owner_id in (("order", order.pk), ("exception", exception.pk)):
        with pytest.raises(NotFoundError):
            thread_get(user=people["m3"], owner_type=owner_type, owner_id=owner_id)
    for owner_type, owner_id in (("nothing", order.pk), ("order", 10**9), ("order", "x")):
        with pytest.raises(NotFoundError):
            thread_get(user=people["m1"], owner_type=owner_type, owner_id=owner_id)
    with pytest.raises(NotFoundError):  # the service checks again
        comment_post(owner=order, actor=people["m3"], body="hi")


def test_only_colleagues_who_see_the_order_are_offered_for_mention(order, people):
    thread = thread_of(owner=order)
    offered = {user.username for user in mentionable_users(thread=thread, q="m", limit=50)}
    assert "m1" in offered and not offered & {"m2", "m3"}
    assert [u.username for u in mentionable_users(thread=thread, q="@tec")] == ["tech"]
    assert not mentionable_users(thread=thread, q="sup2")


def test_a_comment_is_at_most_2000_characters_and_not_empty(
    order, people, django_capture_on_commit_callbacks
):
    for body in ("   ", "长" * 2001):
        with pytest.raises(ValidationFailed) as refused:
            post(order, people["m1"], body, django_capture_on_commit_callbacks)
        assert set(refused.value.fields) == {"body"}
    assert post(order, people["m1"], "长" * 2000, django_capture_on_commit_callbacks).body == "长" * 2000
