"""Reads: a user's own notifications only. Someone else's notification is simply not found (404)."""

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils.translation import gettext as _

from gendan.accounts.models import User
from gendan.core.errors import NotFoundError
from gendan.notify.models import Notification


def notification_list(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, unread first, newest first within each group."""
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        return qs.filter(read_at__isnull=True).order_by("-created_at", "-id")
    unread_first = Case(
        When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return qs.order_by(unread_first, "-created_at", "-id")


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_get(*, user: User, notification_id: int) -> Notification:
    notification = Notification.objects.filter(recipient=user, pk=notification_id).first()
    if notification is None:
        raise NotFoundError(_("Notification not found."))
    return notification
