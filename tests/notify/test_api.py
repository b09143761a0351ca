import pytest

from gendan.notify.services import notify

BASE = "/api/v1/notifications"


@pytest.fixture
def rows(alice, bob):
    def one(user, title):
        return notify(recipients=[user], kind="order.overdue", title=title, order_id=9, channels=("inbox",))[
            0
        ]

    return {"a1": one(alice, "一"), "a2": one(alice, "二"), "b1": one(bob, "李四的")}


def test_list_is_mine_only(client, alice, rows):
    client.force_login(alice)
    response = client.get(BASE)
    assert response.status_code == 200
    data = response.json()
    assert [n["title"] for n in data] == ["二", "一"]
    assert data[0] | {"id": 0, "created_at": ""} == {
        "id": 0,
        "kind": "order.overdue",
        "title": "二",
        "body": "",
        "link": "",
        "order_id": 9,
        "created_at": "",
        "read_at": None,
        "is_read": False,
    }


def test_unread_count_and_mark_read(client, alice, rows):
    client.force_login(alice)
    assert client.get(f"{BASE}/unread-count").json() == {"count": 2}
    response = client.post(f"{BASE}/{rows['a1'].pk}/read")
    assert response.status_code == 200
    assert response.json()["is_read"] is True and response.json()["read_at"]
    assert client.get(f"{BASE}/unread-count").json() == {"count": 1}
    assert [n["title"] for n in client.get(f"{BASE}?unread=true").json()] == ["二"]
    # unread first in the full list
    assert [n["title"] for n in client.get(BASE).json()] == ["二", "一"]
    assert client.post(f"{BASE}/read-all").json() == {"count": 1}
    assert client.get(f"{BASE}/unread-count").json() == {"count": 0}


def test_someone_elses_notification_is_404(client, alice, rows):
    client.force_login(alice)
    bobs = rows["b1"].pk
    for response in (client.get(f"{BASE}/{bobs}"), client.post(f"{BASE}/{bobs}/read")):
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    rows["b1"].refresh_from_db()
    assert rows["b1"].read_at is None


def test_bounds_and_auth(client, alice, rows):
    assert client.get(BASE).status_code == 401
    client.force_login(alice)
    assert client.get(f"{BASE}?limit=0").status_code == 422
    assert client.get(f"{BASE}?limit=1").json()[0]["title"] == "二"
    assert client.get(f"{BASE}?offset=1").json()[0]["title"] == "一"
    assert client.post(f"{BASE}/{2**70}/read").status_code == 422
