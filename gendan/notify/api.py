"""/api/v1/notifications: the caller's own notifications only; someone else's answer 404."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema

from gendan.core.api import ERRORS
from gendan.notify.selectors import notification_get, notification_list, notification_unread_count
from gendan.notify.services import notification_mark_all_read, notification_mark_read

router = Router(tags=["notifications"])

MAX_ID = 2**63 - 1


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    link: str
    order_id: int | None
    created_at: datetime
    read_at: datetime | None
    is_read: bool


class CountOut(Schema):
    count: int


@router.get("", response={200: list[NotificationOut], **ERRORS}, summary="My notifications, unread first")
def list_notifications(
    request: HttpRequest,
    unread: bool = Query(False, description="Only unread notifications"),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=1_000_000),
):
    qs = notification_list(user=request.user, unread_only=unread)
    return list(qs[offset : offset + limit])


@router.get(
    "/unread-count", response={200: CountOut, **ERRORS}, summary="How many of my notifications are unread"
)
def unread_count(request: HttpRequest):
    return {"count": notification_unread_count(user=request.user)}


@router.post("/read-all", response={200: CountOut, **ERRORS}, summary="Mark all my notifications read")
def read_all(request: HttpRequest):
    return {"count": notification_mark_all_read(user=request.user)}


@router.get(
    "/{notification_id}", response={200: NotificationOut, **ERRORS}, summary="One of my notifications"
)
def get_notification(request: HttpRequest, notification_id: int = Path(..., ge=1, le=MAX_ID)):
    return notification_get(user=request.user, notification_id=notification_id)


@router.post("/{notification_id}/read", response={200: NotificationOut, **ERRORS}, summary="Mark one read")
def read_one(request: HttpRequest, notification_id: int = Path(..., ge=1, le=MAX_ID)):
    return notification_mark_read(user=request.user, notification_id=notification_id)
