import pytest
from django.urls import reverse

from gendan.notify.models import Notification
from gendan.notify.services import notify

HTMX = {"HTTP_HX_REQUEST": "true"}


def _inbox(user, title, **kwargs):
    (row,) = notify(recipients=[user], kind="k", title=title, channels=("inbox",), **kwargs)
    return row


@pytest.fixture
def rows(alice, bob):
    old = _inbox(alice, "旧的已读")
    old.read_at = old.created_at
    old.save()
    return {
        "read": old,
        "unread": _inbox(alice, "新的未读", link="/orders/5/"),
        "bobs": _inbox(bob, "李四的通知"),
    }


def test_inbox_lists_mine_unread_first(client, alice, rows):
    client.force_login(alice)
    response = client.get(reverse("notify:inbox"))
    assert response.status_code == 200
    page = [n.title for n in response.context["page_obj"]]
    assert page == ["新的未读", "旧的已读"]
    assert "李四的通知" not in response.content.decode()
    # the nav carries the badge, loaded by htmx
    assert 'hx-get="/inbox/badge/"' in response.content.decode()


def test_badge_counts_my_unread(client, alice, bob, rows):
    client.force_login(alice)
    response = client.get(reverse("notify:badge"))
    assert response.status_code == 200
    assert 'data-unread="1"' in response.content.decode()
    client.force_login(bob)
    assert 'data-unread="1"' in client.get(reverse("notify:badge")).content.decode()
    client.logout()
    assert client.get(reverse("notify:badge")).status_code == 204  # a logged-out poll swaps nothing


def test_mark_read_with_htmx_returns_the_row_and_refreshes_the_badge(client, alice, rows):
    client.force_login(alice)
    url = reverse("notify:read", args=[rows["unread"].pk])
    assert client.get(url).status_code == 405
    response = client.post(url, **HTMX)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "notificationsChanged"
    html = response.content.decode()
    assert f'id="notification-{rows["unread"].pk}" class="read"' in html
    assert 'id="inbox-unread" hx-swap-oob="true"' in html
    rows["unread"].refresh_from_db()
    assert rows["unread"].read_at is not None
    assert "data-unread" not in client.get(reverse("notify:badge")).content.decode()


def test_someone_elses_notification_is_not_found(client, alice, rows):
    client.force_login(alice)
    bobs = rows["bobs"]
    assert client.post(reverse("notify:read", args=[bobs.pk]), **HTMX).status_code == 404
    assert client.get(reverse("notify:open", args=[bobs.pk])).status_code == 404
    assert client.post(reverse("notify:open", args=[bobs.pk])).status_code == 404
    bobs.refresh_from_db()
    assert bobs.read_at is None


def test_mark_all_read(client, alice, bob, rows):
    _inbox(alice, "再来一条")
    client.force_login(alice)
    response = client.post(reverse("notify:read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=bob, read_at__isnull=True).count() == 1
    # with htmx the list comes back, with the badge told to refresh
    _inbox(alice, "又一条")
    response = client.post(reverse("notify:read_all"), **HTMX)
    assert response["HX-Trigger"] == "notificationsChanged"
    assert "又一条" in response.content.decode()
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()


def test_open_marks_read_on_post_and_follows_only_internal_links(client, alice, rows):
    client.force_login(alice)
    # a GET (a copied link, a prefetch) follows the link and changes nothing (issue 21 item 9)
    response = client.get(reverse("notify:open", args=[rows["unread"].pk]))
    assert response.status_code == 302 and response["Location"] == "/orders/5/"
    rows["unread"].refresh_from_db()
    assert rows["unread"].read_at is None
    # the inbox's button POSTs: follows and marks read
    page = client.get(reverse("notify:inbox")).content.decode()
    assert f'<form method="post" action="{reverse("notify:open", args=[rows["unread"].pk])}"' in page
    response = client.post(reverse("notify:open", args=[rows["unread"].pk]))
    assert response.status_code == 302 and response["Location"] == "/orders/5/"
    rows["unread"].refresh_from_db()
    assert rows["unread"].read_at is not None
    outside = _inbox(alice, "外链", link="https://evil.example.com/")
    response = client.post(reverse("notify:open", args=[outside.pk]))
    assert response["Location"] == reverse("notify:inbox")


def test_inbox_needs_login(client, db):
    response = client.get(reverse("notify:inbox"))
    assert response.status_code == 302 and "/accounts/" in response["Location"]
