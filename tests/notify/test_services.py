import smtplib
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy
from huey.exceptions import RetryTask

from gendan.notify import services, tasks
from gendan.notify.models import Delivery, Notification, WebhookEndpoint
from gendan.notify.services import notification_mark_all_read, notification_mark_read, notify


class FlakyBackend(BaseEmailBackend):
    """Fails the first `failures` sends with an SMTP error, then delivers into `sent`."""

    failures = 0
    calls = 0
    sent: list = []

    def send_messages(self, email_messages):
        type(self).calls += 1
        if type(self).calls <= type(self).failures:
            raise smtplib.SMTPServerDisconnected("connection unexpectedly closed")
        type(self).sent.extend(email_messages)
        return len(email_messages)


@pytest.fixture
def flaky_mail(settings):
    settings.EMAIL_BACKEND = "tests.notify.test_services.FlakyBackend"
    FlakyBackend.calls, FlakyBackend.sent = 0, []
    return FlakyBackend


def test_notify_creates_one_unread_row_per_active_recipient(alice, bob, carol):
    # given three users, one listed twice and one who has left
    carol.is_active = False
    carol.save()
    # when they are notified
    created = notify(
        recipients=[alice, bob, alice, carol],
        kind="order.overdue",
        title="SO2026-000001 交期已过",
        body="请跟进",
        link="/orders/1/",
        order_id=1,
        channels=("inbox",),
    )
    # then alice and bob each have one unread row with the given fields
    assert [n.recipient for n in created] == [alice, bob]
    row = Notification.objects.get(recipient=alice)
    assert (row.kind, row.title, row.body, row.link, row.order_id, row.read_at) == (
        "order.overdue",
        "SO2026-000001 交期已过",
        "请跟进",
        "/orders/1/",
        1,
        None,
    )
    assert not Notification.objects.filter(recipient=carol).exists()


def test_dedupe_key_makes_a_repeated_call_create_nothing(alice, bob, django_capture_on_commit_callbacks):
    # given alice was notified with a key
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(recipients=[alice], kind="scan", title="逾期", dedupe_key="overdue:1:2026-11-27")
    assert len(first) == 1 and len(mail.outbox) == 1
    # when the scan runs again for alice and now also bob
    with django_capture_on_commit_callbacks(execute=True):
        second = notify(recipients=[alice, bob], kind="scan", title="逾期", dedupe_key="overdue:1:2026-11-27")
    # then only bob is new: one row, one more mail
    assert [n.recipient for n in second] == [bob]
    assert Notification.objects.filter(recipient=alice).count() == 1
    assert [m.to for m in mail.outbox] == [["alice@example.com"], ["bob@example.com"]]
    # and a third run creates nothing at all
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert (
            notify(recipients=[alice, bob], kind="scan", title="逾期", dedupe_key="overdue:1:2026-11-27")
            == []
        )
    assert callbacks == [] and len(mail.outbox) == 2
    # while another key is a new notification
    assert len(notify(recipients=[alice], kind="scan", title="逾期", dedupe_key="overdue:1:2026-11-28")) == 1


def test_unique_constraint_backs_up_dedupe_under_a_race(alice, monkeypatch):
    notify(recipients=[alice], kind="scan", title="x", dedupe_key="k", channels=("inbox",))
    # a concurrent call that did not see the first row yet is stopped by the constraint, quietly
    monkeypatch.setattr(services, "_already_notified", lambda **kwargs: set())
    assert notify(recipients=[alice], kind="scan", title="x", dedupe_key="k") == []
    assert Notification.objects.filter(recipient=alice).count() == 1
    assert not Delivery.objects.exists()
    # the constraint itself: same recipient and key refused, rows without a key are free
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=alice, kind="scan", title="y", dedupe_key="k")
    Notification.objects.create(recipient=alice, kind="a", title="y")
    Notification.objects.create(recipient=alice, kind="a", title="y")
    assert Notification.objects.filter(recipient=alice, dedupe_key__isnull=True).count() == 2


def test_channels_select_what_goes_out(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (row,) = notify(recipients=[alice], kind="k", title="only mail", channels=("email",))
    # without "inbox" the row is kept as the record but already read; the mail still goes out
    assert row.read_at is not None
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[alice], kind="k", title="only inbox", channels=("inbox",))
    assert len(mail.outbox) == 1
    with pytest.raises(ValueError, match="sms"):
        notify(recipients=[alice], kind="k", title="x", channels=("sms",))


def test_nothing_is_sent_when_the_transaction_rolls_back(alice, django_capture_on_commit_callbacks):
    # given a notify() inside a transaction that then fails
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(recipients=[alice], kind="k", title="会回滚", order_id=7)
        raise RuntimeError("the business write failed")
    # then no row, no delivery, no mail, and nothing left to run on commit
    assert callbacks == []
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()
    assert mail.outbox == []


def test_mail_goes_out_after_commit_to_recipients_with_an_address(
    alice, carol, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://gendan.example.com"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(recipients=[alice, carol], kind="k", title="样品已寄出", body="顺丰 SF123", link="/orders/3/")
        # not before commit
        assert mail.outbox == []
        assert Delivery.objects.get().status == Delivery.Status.PENDING
    assert len(callbacks) == 1  # carol has no address: no e-mail delivery for her
    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]
    assert message.subject == "[gendan] 样品已寄出"
    assert "顺丰 SF123" in message.body
    assert "https://gendan.example.com/orders/3/" in message.body
    delivery = Delivery.objects.get()
    assert (delivery.channel, delivery.target, delivery.status, delivery.attempts) == (
        "email",
        "alice@example.com",
        "sent",
        1,
    )
    assert delivery.sent_at is not None


def test_mail_is_retried_until_it_goes_through(alice, flaky_mail, django_capture_on_commit_callbacks):
    flaky_mail.failures = 2
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[alice], kind="k", title="重试", channels=("inbox", "email"))
    assert len(flaky_mail.sent) == 1
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 3, "")


def test_mail_that_never_goes_through_ends_failed(alice, flaky_mail, django_capture_on_commit_callbacks):
    flaky_mail.failures = 100
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[alice], kind="k", title="失败", channels=("inbox", "email"))
    delivery = Delivery.objects.get()
    max_attempts = services.RETRY_POLICY[Delivery.Channel.EMAIL][0]
    assert (delivery.status, delivery.attempts) == ("failed", max_attempts)
    assert flaky_mail.calls == max_attempts
    assert "SMTPServerDisconnected" in delivery.last_error
    # an admin can send it again once the mail server is back
    flaky_mail.failures = 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.delivery_retry(deliveries=Delivery.objects.all()) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    assert len(flaky_mail.sent) == 1


def test_backoff_doubles_and_is_capped():
    webhook = [services.retry_backoff_seconds(channel="webhook", attempt=n) for n in range(1, 11)]
    assert webhook == [2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
    assert [services.retry_backoff_seconds(channel="email", attempt=n) for n in (1, 2, 3, 6)] == [
        30,
        60,
        120,
        600,
    ]


def test_with_a_consumer_a_failed_attempt_is_requeued_with_the_backoff(alice, flaky_mail, monkeypatch):
    # given a pending delivery and a real (not immediate) queue
    flaky_mail.failures = 100
    notify(recipients=[alice], kind="k", title="t", channels=("email",))
    delivery = Delivery.objects.get()
    monkeypatch.setattr(tasks, "HUEY", SimpleNamespace(immediate=False))
    # when an attempt fails, huey is asked to retry later, with our delay, and nothing sleeps
    for attempt, delay in [(1, 30), (2, 60), (3, 120)]:
        with pytest.raises(RetryTask) as exc:
            tasks._attempt_or_retry(delivery.pk)
        assert exc.value.delay == delay
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("pending", attempt)


def test_mark_read_and_mark_all_read(alice, bob):
    rows = notify(recipients=[alice], kind="k", title="a", channels=("inbox",))
    notify(recipients=[alice], kind="k", title="b", channels=("inbox",))
    notify(recipients=[bob], kind="k", title="c", channels=("inbox",))
    assert notification_mark_read(user=alice, notification_id=rows[0].pk).read_at is not None
    assert notification_mark_all_read(user=alice) == 1
    assert Notification.objects.filter(recipient=bob, read_at__isnull=True).count() == 1


def test_lazy_translations_are_accepted(alice, receiver, django_capture_on_commit_callbacks):
    WebhookEndpoint.objects.create(name="w", kind="wecom", url=f"{receiver.base_url}/w?key=1")
    # English, so the assertions hold whatever the zh-Hans catalog says
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        (row,) = notify(
            recipients=[alice, None], kind="k", title=gettext_lazy("Inbox"), body=gettext_lazy("New")
        )
    assert (row.title, row.body) == ("Inbox", "New")
    assert receiver.on("/w")[0].body["markdown"]["content"].startswith("**Inbox**\nNew\n")
    assert mail.outbox[0].subject == "[gendan] Inbox"
