"""notify_many writes what one notify() per notice writes: rows, e-mails, webhook posts, de-duplication."""

from gendan.notify.models import Delivery, Notification, WebhookEndpoint
from gendan.notify.services import Notice, notify, notify_many


def _notices(alice, bob, carol):
    return [
        Notice(
            recipients=(alice, None, bob, alice), kind="milestone_overdue", title="A  late", dedupe_key="m:1"
        ),
        Notice(recipients=(carol,), kind="milestone_due", title="B due", dedupe_key="m:2", order_id=None),
        Notice(recipients=(bob,), kind="milestone_due", title="C due", link="/x/"),
    ]


def _state():
    rows = sorted(
        Notification.objects.values_list(
            "recipient__username", "kind", "title", "link", "dedupe_key", "read_at"
        )
    )
    deliveries = sorted(Delivery.objects.values_list("channel", "target", "kind", "notification__title"))
    return rows, deliveries


def test_same_rows_and_deliveries_as_one_call_per_notice(
    db, alice, bob, carol, django_capture_on_commit_callbacks
):
    WebhookEndpoint.objects.create(name="群", kind="wecom", url="http://127.0.0.1:9/w?key=1")
    carol.is_active = False
    carol.save()
    with django_capture_on_commit_callbacks(execute=False):
        for n in _notices(alice, bob, carol):
            notify(recipients=n.recipients, kind=n.kind, title=n.title, link=n.link, dedupe_key=n.dedupe_key)
    one_by_one = _state()
    Delivery.objects.all().delete()
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        created = notify_many(_notices(alice, bob, carol))
    assert _state() == one_by_one
    # alice + bob (duplicates and None dropped, inactive carol skipped), then bob: 3 rows, 3 e-mails, 2 webhook
    # posts (one per notice that reached someone), each delivery handed to huey after commit
    assert created == 3
    assert Delivery.objects.filter(channel="email").count() == 3
    assert Delivery.objects.filter(channel="webhook").count() == 2
    assert len(callbacks) == 5


def test_dedupe_keys_make_a_second_batch_send_nothing(db, alice, bob, carol):
    assert notify_many(_notices(alice, bob, carol)) == 4
    assert notify_many(_notices(alice, bob, carol)[:2]) == 0
    assert Notification.objects.count() == 4
