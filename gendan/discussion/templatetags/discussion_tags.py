"""`{% comment_thread owner %}`: the thread of any registered document, drawn by
discussion/partials/thread.html (the one line an owner's page includes)."""

from django import template
from django.utils import timezone

from gendan.accounts import roles as R
from gendan.discussion.mentions import render_body
from gendan.discussion.models import BODY_MAX_LENGTH, Comment
from gendan.discussion.selectors import thread_entries, thread_of, user_sees_order
from gendan.discussion.services import EDIT_WINDOW
from gendan.discussion.views import DRAFT_SESSION_KEY, draft_key

register = template.Library()


def _row(comment: Comment, user, can_post: bool, now) -> dict:
    withdrawn = comment.is_withdrawn
    mine = comment.author_id == user.pk
    return {
        "pk": comment.pk,
        "pk_str": str(comment.pk),
        "draft": None,
        "author": comment.author,
        "created_at": comment.created_at,
        "edited_at": comment.edited_at,
        "withdrawn": withdrawn,
        "body": comment.body if not withdrawn else "",
        "html": ""
        if withdrawn
        else render_body(comment.body, ((m.name, m.user) for m in comment.mentions.all())),
        "can_edit": can_post and mine and not withdrawn and now <= comment.created_at + EDIT_WINDOW,
        "can_withdraw": can_post and not withdrawn and (mine or user.has_role(R.ADMIN)),
        "replies": [],
    }


@register.inclusion_tag("discussion/partials/thread_body.html", takes_context=True)
def comment_thread(context, owner) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    thread = thread_of(owner=owner)
    if user is None or not user.is_authenticated or not user_sees_order(user=user, order_id=thread.order.pk):
        return {"hidden": True}
    can_post = user.is_active and bool(user.roles) and not user.is_read_only
    now = timezone.now()
    draft = None
    session = getattr(request, "session", None)
    stored = session.get(DRAFT_SESSION_KEY) if session is not None else None
    if stored and stored.get("key") == draft_key(thread.key, thread.owner_id):
        draft = session.pop(DRAFT_SESSION_KEY)
    rows, count, draft_used = [], 0, False
    for entry in thread_entries(thread=thread):
        row = _row(entry.comment, user, can_post, now)
        row["replies"] = [_row(reply, user, can_post, now) for reply in entry.replies]
        count += 1 + len(entry.replies)
        if draft and draft.get("parent_id") == row["pk"]:
            row["draft"], draft_used = draft, True
        rows.append(row)
    return {
        "hidden": False,
        "thread": thread,
        "rows": rows,
        "count": count,
        "can_post": can_post,
        "draft": (draft or {}) if not draft_used else {},
        "max_length": BODY_MAX_LENGTH,
        "csrf_token": context.get("csrf_token"),
        "edit_minutes": EDIT_WINDOW.seconds // 60,
    }
