"""Reads of comment threads. A thread is scoped by its owner's order: whoever sees the order
(orders.selectors.order_visible_list) reads the thread; anyone else gets NotFoundError, as for a missing one."""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gendan.accounts.models import User
from gendan.core.errors import NotFoundError
from gendan.discussion.models import Comment
from gendan.discussion.registry import COMMENT_OWNERS, CommentOwner, comment_owner_for
from gendan.orders.models import Order
from gendan.orders.selectors import order_visible_exists, order_visible_list

MENTIONABLE_LIMIT = 8
MENTIONABLE_CANDIDATES = 40  # colleagues matching the typed letters checked for the order's scope, at most


@dataclass
class Thread:
    """One owner's comments: the owner, its registry entry, its order."""

    kind: CommentOwner
    owner: Any
    order: Order

    @property
    def key(self) -> str:
        return self.kind.key

    @property
    def owner_id(self) -> int:
        return self.owner.pk

    @property
    def url(self) -> str:
        return self.kind.url_of(self.owner)

    @property
    def label(self) -> str:
        return str(self.kind.label_of(self.owner))


@dataclass
class ThreadEntry:
    comment: Comment
    replies: list[Comment] = field(default_factory=list)


def user_sees_order(*, user: User, order_id: int) -> bool:
    return order_visible_list(user=user).filter(pk=order_id).exists()


def thread_of(*, owner: Any) -> Thread:
    """The thread of an owner already read through its app's scoped selector (a page's own object)."""
    kind = comment_owner_for(owner)
    return Thread(kind=kind, owner=owner, order=kind.order_of(owner))


def thread_get(*, user: User, owner_type: str, owner_id: int | str) -> Thread:
    """The thread of document `owner_type` #`owner_id` if `user` sees its order; NotFoundError otherwise
    (an unknown type, a missing document and one outside scope answer alike)."""
    kind = COMMENT_OWNERS.get(str(owner_type))
    owner = None
    if kind is not None:
        try:
            owner = kind.model._default_manager.get(pk=int(owner_id))
        except (ObjectDoesNotExist, ValueError, TypeError, OverflowError):
            owner = None
    if kind is None or owner is None:
        raise NotFoundError(_("Discussion not found."))
    order = kind.order_of(owner)
    if order is None or not user_sees_order(user=user, order_id=order.pk):
        raise NotFoundError(_("Discussion not found."))
    return Thread(kind=kind, owner=owner, order=order)


def comment_visible_list(*, user: User) -> QuerySet[Comment]:
    return Comment.objects.filter(order_visible_exists(user=user)).select_related("author", "withdrawn_by")


def comment_get(*, user: User, pk: int | str) -> Comment:
    try:
        return comment_visible_list(user=user).select_related("order").get(pk=int(pk))
    except (Comment.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("Comment not found.")) from None


def thread_comments(*, thread: Thread) -> QuerySet[Comment]:
    """Every comment of the thread, oldest first, with authors and mentions."""
    meta = thread.kind.model._meta
    return (
        # the content type by a join, not get_for_model(): the same statement count warm or cold
        Comment.objects.filter(
            owner_type__app_label=meta.app_label, owner_type__model=meta.model_name, owner_id=thread.owner_id
        )
        .select_related("author", "withdrawn_by")
        .prefetch_related("mentions__user")
        .order_by("created_at", "id")
    )


def thread_entries(*, thread: Thread) -> list[ThreadEntry]:
    """Top-level comments in order, each with its replies (one level) in order."""
    entries: dict[int, ThreadEntry] = {}
    orphans: list[Comment] = []
    for comment in thread_comments(thread=thread):
        if comment.parent_id is None:
            entries[comment.pk] = ThreadEntry(comment=comment)
        elif comment.parent_id in entries:
            entries[comment.parent_id].replies.append(comment)
        else:  # cannot happen (a reply is newer than its parent); shown rather than lost
            orphans.append(comment)
    return [*entries.values(), *(ThreadEntry(comment=c) for c in orphans)]


def mentionable_users(*, thread: Thread, q: str = "", limit: int = MENTIONABLE_LIMIT) -> list[User]:
    """Active colleagues matching the typed letters who can see the thread's order (the autocomplete list)."""
    q = q.strip().lstrip("@")[:50]
    qs = User.objects.filter(is_active=True, groups__isnull=False).distinct()
    if q:
        qs = qs.filter(
            Q(username__icontains=q)
            | Q(display_name__icontains=q)
            | Q(first_name__icontains=q)
            | Q(last_name__icontains=q)
        )
    found: list[User] = []
    for user in qs.order_by("username")[:MENTIONABLE_CANDIDATES]:
        if user_sees_order(user=user, order_id=thread.order.pk):
            found.append(user)
            if len(found) >= limit:
                break
    return found
