"""Writes: notify() — the one entry point other apps call — mark read, and the delivery attempts.

In-app rows are written in the caller's transaction. E-mail and webhook sends are recorded as pending
`Delivery` rows in the same transaction and handed to huey only on commit: a rolled-back transaction
sends nothing, and a send never happens inside a transaction.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gendan.accounts.models import User
from gendan.notify import webhooks
from gendan.notify.models import Delivery, Notification, WebhookEndpoint
from gendan.notify.selectors import notification_get

logger = logging.getLogger(__name__)

CHANNEL_INBOX = "inbox"
CHANNEL_EMAIL = "email"
CHANNEL_WEBHOOK = "webhook"
ALL_CHANNELS = (CHANNEL_INBOX, CHANNEL_EMAIL, CHANNEL_WEBHOOK)
WEBHOOK_TEST_KIND = "webhook.test"  # admin's "send a test message" (also to a robot not yet active)


# Retry policy per channel: (attempts in all, first back-off in seconds, back-off cap in seconds).
# The back-off doubles after each failed attempt: webhooks 2, 4, 8, 16, 32 s; e-mail 30, 60, 120 … s.
RETRY_POLICY: dict[str, tuple[int, int, int]] = {
    Delivery.Channel.WEBHOOK: (6, 2, 300),
    Delivery.Channel.EMAIL: (5, 30, 600),
}


def retry_backoff_seconds(*, channel: str, attempt: int) -> int:
    """Seconds to wait after failed attempt number `attempt` (1-based) before the next one."""
    _max_attempts, base, cap = RETRY_POLICY[channel]
    return min(base * 2 ** (attempt - 1), cap)


def _absolute(link: str) -> str:
    """Links in e-mail and group chats need the site address; `SITE_URL` (optional setting) supplies it."""
    base = getattr(settings, "SITE_URL", "")
    if link.startswith("/") and not link.startswith("//") and base:
        return base.rstrip("/") + link
    return link


@transaction.atomic
def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    dedupe_key: str | None = None,
    order_id: int | None = None,
    channels: Iterable[str] = ALL_CHANNELS,
) -> list[Notification]:
    """Tell each recipient once; return the in-app rows created.

    - One `Notification` per active recipient (duplicates in `recipients` count once).
    - With `dedupe_key`, a recipient who already has a notification with that key gets nothing new
      (no row, no e-mail); a unique constraint (recipient, dedupe_key) backs this up under concurrency.
      Periodic scans pass e.g. ``f"overdue:{order_id}:{date}"`` and are then idempotent.
    - `channels`: "inbox" shows the row as unread (without it the row is still written, as the record
      and for de-duplication, but already read); "email" mails each new recipient who has an address;
      "webhook" posts once per call to every active robot that receives `kind`, naming the new
      recipients. Nothing goes out when no row was created.
    - E-mail and webhooks are sent after commit by huey tasks, with retries; each send is a `Delivery`.
    """
    wanted = frozenset(channels)
    unknown = wanted - set(ALL_CHANNELS)
    if unknown:
        raise ValueError(f"unknown notification channels: {sorted(unknown)}")
    if not kind or len(kind) > Notification._meta.get_field("kind").max_length:
        raise ValueError("kind must be 1–50 characters")
    if dedupe_key is not None and len(dedupe_key) > Notification._meta.get_field("dedupe_key").max_length:
        raise ValueError("dedupe_key must be at most 200 characters")
    dedupe_key = dedupe_key or None
    title = " ".join(str(title).split())[:200]  # str(): callers may pass lazy translations
    body, link = str(body), str(link)[:500]

    users: dict[int, User] = {}
    for user in recipients:
        if user is not None and user.is_active and user.pk not in users:
            users[user.pk] = user
    if dedupe_key is not None and users:
        for recipient_id in _already_notified(dedupe_key=dedupe_key, recipient_ids=list(users)):
            users.pop(recipient_id, None)

    read_at = None if CHANNEL_INBOX in wanted else timezone.now()
    created: list[Notification] = []
    for user in users.values():
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=user,
                    kind=kind,
                    title=title,
                    body=body,
                    link=link,
                    order_id=order_id,
                    dedupe_key=dedupe_key,
                    read_at=read_at,
                )
        except IntegrityError:
            if dedupe_key is None:
                raise
            continue  # a concurrent call notified this recipient with the same key first
        created.append(notification)

    deliveries: list[Delivery] = []
    if created and CHANNEL_EMAIL in wanted:
        deliveries += _email_deliveries(created)
    if created and CHANNEL_WEBHOOK in wanted:
        deliveries += _webhook_deliveries(created)
    for delivery in deliveries:
        transaction.on_commit(partial(delivery_enqueue, delivery_id=delivery.pk), robust=True)
    return created


@dataclass(frozen=True)
class Notice:
    """One call's worth of notify(), for notify_many()."""

    recipients: tuple[User | None, ...]
    kind: str
    title: str
    link: str = ""
    dedupe_key: str | None = None
    order_id: int | None = None
    body: str = ""


def notify_many(notices: Sequence[Notice]) -> int:
    """notify() for many notices on every channel (a scan's hundreds of milestone reminders): the same
    rows, e-mails and webhook posts as one call per notice, with one de-duplication query, one INSERT per
    500 rows and one read of the webhook endpoints. Returns the number of rows created."""
    for notice in notices:
        if not notice.kind or len(notice.kind) > Notification._meta.get_field("kind").max_length:
            raise ValueError("kind must be 1–50 characters")
    keys = sorted({n.dedupe_key for n in notices if n.dedupe_key})
    done: set[tuple[str, int]] = set()
    for start in range(0, len(keys), 500):
        done.update(
            Notification.objects.filter(dedupe_key__in=keys[start : start + 500]).values_list(
                "dedupe_key", "recipient_id"
            )
        )
    rows: list[Notification] = []
    groups: list[tuple[int, int]] = []
    for notice in notices:
        first = len(rows)
        title = " ".join(str(notice.title).split())[:200]
        for user in notice.recipients:
            if user is None or not user.is_active or (notice.dedupe_key, user.pk) in done:
                continue
            done.add((notice.dedupe_key, user.pk))  # also: once per recipient within this notice
            rows.append(
                Notification(
                    recipient=user,
                    kind=notice.kind,
                    title=title,
                    body=str(notice.body),
                    link=str(notice.link)[:500],
                    order_id=notice.order_id,
                    dedupe_key=notice.dedupe_key or None,
                )
            )
        groups.append((first, len(rows)))
    if not rows:
        return 0
    try:
        with transaction.atomic():
            created = Notification.objects.bulk_create(rows, batch_size=500)
    except IntegrityError:  # someone notified with one of these keys meanwhile: one by one skips them
        return sum(
            len(
                notify(
                    recipients=[u for u in n.recipients if u],
                    kind=n.kind,
                    title=n.title,
                    body=n.body,
                    link=n.link,
                    dedupe_key=n.dedupe_key,
                    order_id=n.order_id,
                )
            )
            for n in notices
        )
    deliveries = _email_deliveries(created)
    endpoints = list(WebhookEndpoint.objects.filter(active=True))
    if endpoints:
        for first, last in groups:
            if last > first:
                deliveries += _webhook_deliveries(created[first:last], endpoints=endpoints)
    for delivery in deliveries:
        transaction.on_commit(partial(delivery_enqueue, delivery_id=delivery.pk), robust=True)
    return len(created)


def _already_notified(*, dedupe_key: str, recipient_ids: list[int]) -> set[int]:
    return set(
        Notification.objects.filter(dedupe_key=dedupe_key, recipient_id__in=recipient_ids).values_list(
            "recipient_id", flat=True
        )
    )


def _email_deliveries(created: list[Notification]) -> list[Delivery]:
    deliveries = []
    with translation.override(settings.LANGUAGE_CODE):
        for notification in created:
            address = (notification.recipient.email or "").strip()
            if not address:
                continue
            context = {
                "notification": notification,
                "recipient": notification.recipient,
                "link": _absolute(notification.link),
            }
            payload = {
                "to": address,
                "subject": f"[gendan] {notification.title}",
                "body": render_to_string("notify/email.txt", context),
            }
            deliveries.append(
                Delivery.objects.create(
                    channel=Delivery.Channel.EMAIL,
                    target=address[:300],
                    kind=notification.kind,
                    order_id=notification.order_id,
                    notification=notification,
                    payload=payload,
                )
            )
    return deliveries


def _webhook_deliveries(
    created: list[Notification], *, endpoints: list[WebhookEndpoint] | None = None
) -> list[Delivery]:
    first = created[0]
    if endpoints is None:
        endpoints = list(WebhookEndpoint.objects.filter(active=True))
    endpoints = [e for e in endpoints if e.receives(first.kind)]
    if not endpoints:
        return []
    with translation.override(settings.LANGUAGE_CODE):
        message = webhooks.Message(
            title=first.title,
            body=first.body,
            link=_absolute(first.link),
            link_label=_("View details"),
            recipients="、".join(str(n.recipient) for n in created),
            recipients_label=_("Recipients"),
        )
    return [
        Delivery.objects.create(
            channel=Delivery.Channel.WEBHOOK,
            target=f"{endpoint.name} ({endpoint.kind})"[:300],
            kind=first.kind,
            order_id=first.order_id,
            notification=first,
            endpoint=endpoint,
            payload=webhooks.payload_build(endpoint.kind, message),
        )
        for endpoint in endpoints
    ]


def delivery_enqueue(*, delivery_id: int) -> None:
    """Hand one delivery to its huey task. Call only after the delivery row is committed."""
    from gendan.notify import tasks

    delivery = Delivery.objects.only("channel").get(pk=delivery_id)
    if delivery.channel == Delivery.Channel.EMAIL:
        tasks.email_send(delivery_id)
    else:
        tasks.webhook_send(delivery_id)


def _send(delivery: Delivery) -> None:
    if delivery.channel == Delivery.Channel.EMAIL:
        payload = delivery.payload
        sent = EmailMessage(subject=payload["subject"], body=payload["body"], to=[payload["to"]]).send(
            fail_silently=False
        )
        if not sent:
            raise RuntimeError("the mail backend sent nothing")
        return
    endpoint = delivery.endpoint
    if endpoint is None:
        raise webhooks.WebhookError("the webhook endpoint was deleted")
    webhooks.post(endpoint=endpoint, payload=delivery.payload)


def delivery_attempt(*, delivery_id: int) -> Delivery | None:
    """Try a pending delivery once and record the outcome; no transaction is held while sending.

    Returns the delivery: `sent`, `failed` (attempts used up, or its robot was switched off), or still
    `pending` when the caller should try again after `retry_backoff_seconds`.
    """
    delivery = Delivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != Delivery.Status.PENDING:
        return delivery
    max_attempts, _base, _cap = RETRY_POLICY[delivery.channel]
    endpoint = delivery.endpoint
    if endpoint is not None and not endpoint.active and delivery.kind != WEBHOOK_TEST_KIND:
        delivery.status, delivery.last_error = Delivery.Status.FAILED, "the webhook endpoint is inactive"
        delivery.save(update_fields=["status", "last_error", "updated_at"])
        return delivery

    error = ""
    try:
        _send(delivery)
    except Exception as exc:  # any failure of the mail server or robot is recorded, then retried
        error = f"{type(exc).__name__}: {exc}"[:2000]
        logger.warning("delivery %s attempt %s failed: %s", delivery.pk, delivery.attempts + 1, error)

    delivery.attempts += 1
    if not error:
        delivery.status, delivery.sent_at, delivery.last_error = Delivery.Status.SENT, timezone.now(), ""
    else:
        delivery.last_error = error
        if delivery.attempts >= max_attempts:
            delivery.status = Delivery.Status.FAILED
    delivery.save(update_fields=["status", "attempts", "last_error", "sent_at", "updated_at"])
    return delivery


@transaction.atomic
def delivery_retry(*, deliveries: Iterable[Delivery]) -> int:
    """Send failed (or stuck pending) deliveries again with fresh attempts; returns how many."""
    ids = [d.pk for d in deliveries if d.status in (Delivery.Status.FAILED, Delivery.Status.PENDING)]
    Delivery.objects.filter(pk__in=ids).update(
        status=Delivery.Status.PENDING, attempts=0, updated_at=timezone.now()
    )
    for delivery_id in ids:
        transaction.on_commit(partial(delivery_enqueue, delivery_id=delivery_id), robust=True)
    return len(ids)


@transaction.atomic
def webhook_test_send(*, endpoint: WebhookEndpoint) -> Delivery:
    """Queue a test message to one robot (admin action), whatever kinds it receives."""
    with translation.override(settings.LANGUAGE_CODE):
        message = webhooks.Message(
            title=_("gendan test message"),
            body=_("If you can read this, the robot is set up correctly."),
        )
    delivery = Delivery.objects.create(
        channel=Delivery.Channel.WEBHOOK,
        target=f"{endpoint.name} ({endpoint.kind})"[:300],
        kind=WEBHOOK_TEST_KIND,
        endpoint=endpoint,
        payload=webhooks.payload_build(endpoint.kind, message),
    )
    transaction.on_commit(partial(delivery_enqueue, delivery_id=delivery.pk), robust=True)
    return delivery


@transaction.atomic
def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    notification = notification_get(user=user, notification_id=notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notification_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
