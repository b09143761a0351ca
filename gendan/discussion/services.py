"""Writes on comment threads: post (or reply), edit within a short window, withdraw. Notifications on commit.

Who is told (one inbox notification per comment per person, dedupe key ``comment:<id>``):
- every colleague @mentioned (on posting, and anyone newly mentioned by an edit);
- the order's merchandiser, for a comment by someone else (they hold the order: the thread is where the
  customer's and colleagues' questions reach them);
- the author of the comment replied to, for a reply by someone else.
Nobody who cannot see the order at sending time is told anything.
"""

import datetime as dt
from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.accounts import roles as R
from gendan.accounts.models import User
from gendan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError, ValidationFailed
from gendan.discussion.mentions import mentions_resolve
from gendan.discussion.models import BODY_MAX_LENGTH, Comment, CommentEdit, CommentMention
from gendan.discussion.selectors import Thread, thread_of, user_sees_order
from gendan.notify.services import CHANNEL_EMAIL, CHANNEL_INBOX, notify
from gendan.orders.models import OrderEvent
from gendan.orders.services import order_event_record

EDIT_WINDOW = dt.timedelta(minutes=15)  # an author may correct a comment this long after posting it
NOTIFY_CHANNELS = (CHANNEL_INBOX, CHANNEL_EMAIL)  # not group robots: a thread is for those who see the order
KIND_MENTION = "comment.mention"
KIND_REPLY = "comment.reply"
KIND_COMMENT = "comment.added"


class CommentWithdrawnError(ApplicationError):
    code = "comment_withdrawn"
    status = 409


class EditWindowClosedError(ApplicationError):
    code = "edit_window_closed"
    status = 409


def _ensure_can_write(actor: User, order_id: int) -> None:
    if not actor.is_active or actor.is_read_only or not actor.roles:
        raise PermissionDeniedError(_("Your account is read-only."), code="read_only")
    if not user_sees_order(user=actor, order_id=order_id):  # services re-check scope
        raise NotFoundError(_("Discussion not found."))


def _clean_body(body: object) -> str:
    text = str(body or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationFailed({"body": [_("Write something first.")]})
    if len(text) > BODY_MAX_LENGTH:
        raise ValidationFailed(
            {
                "body": [
                    _("A comment is at most %(max)d characters; this one has %(n)d.")
                    % {"max": BODY_MAX_LENGTH, "n": len(text)}
                ]
            }
        )
    return text


def _mentions_check(*, body: str, order_id: int) -> dict[int, tuple[str, User]]:
    """The colleagues `body` mentions, by id; a field error naming every mention that is unknown, ambiguous or
    of someone who cannot see the order (they are refused, not told)."""
    errors: list[str] = []
    found: dict[int, tuple[str, User]] = {}
    for mention in mentions_resolve(body):
        if mention.ambiguous:
            errors.append(
                _("@%(name)s: several colleagues have this name; write the username instead.")
                % {"name": mention.name}
            )
        elif mention.user is None:
            errors.append(_("@%(name)s: no colleague has this name.") % {"name": mention.name})
        elif not user_sees_order(user=mention.user, order_id=order_id):
            errors.append(
                _("@%(name)s cannot see this order and cannot be mentioned.") % {"name": mention.name}
            )
        else:
            found.setdefault(mention.user.pk, (mention.name, mention.user))
    if errors:
        raise ValidationFailed({"body": errors})
    return found


@transaction.atomic
def comment_post(*, owner: object, actor: User, body: str, parent_id: int | None = None) -> Comment:
    """A new comment on `owner`'s thread (a reply when `parent_id` names a comment of the same thread; a reply to
    a reply joins its parent's replies: one level)."""
    thread = thread_of(owner=owner)
    _ensure_can_write(actor, thread.order.pk)
    text = _clean_body(body)
    owner_type = ContentType.objects.get_for_model(thread.kind.model)
    parent = None
    if parent_id is not None:
        parent = Comment.objects.filter(pk=parent_id, owner_type=owner_type, owner_id=thread.owner_id).first()
        if parent is None:
            raise ValidationFailed({"parent_id": [_("No such comment in this discussion.")]})
        if parent.parent_id is not None:
            parent = parent.parent
    mentions = _mentions_check(body=text, order_id=thread.order.pk)
    comment = Comment(
        owner_type=owner_type,
        owner_id=thread.owner_id,
        order=thread.order,
        parent=parent,
        author=actor,
        body=text,
    )
    comment.full_clean()
    comment.save()
    CommentMention.objects.bulk_create(
        CommentMention(comment=comment, user=user, name=name) for name, user in mentions.values()
    )
    order_event_record(
        order=thread.order,
        type=OrderEvent.Type.COMMENT_ADDED,
        actor=actor,
        data={"comment_id": comment.pk, "owner_type": thread.key, "owner_id": thread.owner_id},
    )
    transaction.on_commit(
        partial(comment_notify, comment_id=comment.pk, mentioned_ids=list(mentions), on_post=True),
        robust=True,
    )
    return comment


def _lock(comment: Comment) -> Comment:
    return Comment.objects.select_for_update().select_related("author").get(pk=comment.pk)


@transaction.atomic
def comment_edit(*, comment: Comment, actor: User, body: str, now: dt.datetime | None = None) -> Comment:
    """The author corrects their comment within EDIT_WINDOW; the previous text is kept (CommentEdit), the
    mentions follow the new text, and colleagues newly mentioned are told."""
    comment = _lock(comment)
    _ensure_can_write(actor, comment.order_id)
    if comment.author_id != actor.pk:
        raise PermissionDeniedError(_("Only the author may edit a comment."), code="not_author")
    if comment.is_withdrawn:
        raise CommentWithdrawnError(_("This comment was withdrawn."))
    now = now or timezone.now()
    if now > comment.created_at + EDIT_WINDOW:
        raise EditWindowClosedError(
            _("A comment can be edited for %(minutes)d minutes after posting; write a new one instead.")
            % {"minutes": EDIT_WINDOW.seconds // 60}
        )
    text = _clean_body(body)
    mentions = _mentions_check(body=text, order_id=comment.order_id)
    if text == comment.body:
        return comment
    CommentEdit.objects.create(comment=comment, previous_body=comment.body, edited_by=actor)
    before = set(comment.mentions.values_list("user_id", flat=True))
    comment.mentions.exclude(user_id__in=list(mentions)).delete()
    CommentMention.objects.bulk_create(
        CommentMention(comment=comment, user=user, name=name)
        for user_id, (name, user) in mentions.items()
        if user_id not in before
    )
    comment.body, comment.edited_at = text, now
    comment.full_clean()
    comment.save(update_fields=["body", "edited_at"])
    new = [user_id for user_id in mentions if user_id not in before]
    if new:
        transaction.on_commit(
            partial(comment_notify, comment_id=comment.pk, mentioned_ids=new, on_post=False), robust=True
        )
    return comment


@transaction.atomic
def comment_withdraw(*, comment: Comment, actor: User) -> Comment:
    """The author (or an administrator) withdraws a comment: it stays on file, its text is no longer shown."""
    comment = _lock(comment)
    _ensure_can_write(actor, comment.order_id)
    if comment.author_id != actor.pk and not actor.has_role(R.ADMIN):
        raise PermissionDeniedError(_("Only the author may withdraw a comment."), code="not_author")
    if comment.is_withdrawn:
        raise CommentWithdrawnError(_("This comment was withdrawn."))
    comment.withdrawn_at, comment.withdrawn_by = timezone.now(), actor
    comment.save(update_fields=["withdrawn_at", "withdrawn_by"])
    return comment


def _excerpt(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def comment_notify(*, comment_id: int, mentioned_ids: list[int], on_post: bool) -> int:
    """After commit: the notifications of one comment (see the module's docstring). Returns how many."""
    comment = (
        Comment.objects.select_related("author", "order__merchandiser", "parent__author")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None or comment.is_withdrawn:
        return 0
    thread: Thread = thread_of(owner=comment.owner)
    author = comment.author
    link = f"{thread.url}#comment-{comment.pk}"
    where = thread.label
    wanted: dict[int, tuple[User, str, str]] = {}
    for user in User.objects.filter(pk__in=mentioned_ids, is_active=True):
        title = _("%(author)s mentioned you in %(where)s") % {"author": author, "where": where}
        wanted[user.pk] = (user, KIND_MENTION, title)
    if on_post and comment.parent is not None:
        user = comment.parent.author
        title = _("%(author)s replied to you in %(where)s") % {"author": author, "where": where}
        wanted.setdefault(user.pk, (user, KIND_REPLY, title))
    if on_post and comment.order.merchandiser_id:
        user = comment.order.merchandiser
        title = _("%(author)s commented on %(where)s") % {"author": author, "where": where}
        wanted.setdefault(user.pk, (user, KIND_COMMENT, title))
    wanted.pop(author.pk, None)
    sent = 0
    for user, kind, title in wanted.values():
        if not user_sees_order(user=user, order_id=comment.order_id):
            continue
        sent += len(
            notify(
                recipients=[user],
                kind=kind,
                title=title,
                body=_excerpt(comment.body),
                link=link,
                dedupe_key=f"comment:{comment.pk}",
                order_id=comment.order_id,
                channels=NOTIFY_CHANNELS,
            )
        )
    return sent
