"""Comments over /api/v1/: the same rules as the screens, out of scope 404, text returned verbatim as JSON."""

import json

import pytest

from gendan.discussion.models import Comment
from gendan.notify.models import Notification
from tests.discussion.conftest import XSS

pytestmark = pytest.mark.django_db


def test_post_list_reply_edit_withdraw_on_an_order(order, people, api, django_capture_on_commit_callbacks):
    m1 = api("m1")
    with django_capture_on_commit_callbacks(execute=True):
        created = m1.post(f"/orders/{order.pk}/comments", {"body": "@tech 面料色差请确认"})
    assert created.status_code == 201, created.content
    first = created.json()
    assert first["mentions"] == ["tech"] and first["owner_type"] == "order" and first["order_id"] == order.pk
    with django_capture_on_commit_callbacks(execute=True):
        reply = api("tech").post(f"/comments/order/{order.pk}", {"body": "已确认", "parent_id": first["id"]})
    assert reply.status_code == 201 and reply.json()["parent_id"] == first["id"]
    edited = m1.post(f"/comments/{first['id']}/actions/edit", {"body": "@tech 面料色差请今天确认"})
    assert edited.status_code == 200 and edited.json()["edited_at"]
    assert api("sup").post(f"/comments/{first['id']}/actions/withdraw").status_code == 403
    withdrawn = m1.post(f"/comments/{first['id']}/actions/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn"] and withdrawn.json()["body"] == ""
    listed = api("auditor").get(f"/orders/{order.pk}/comments")
    assert [(c["body"], c["withdrawn"]) for c in listed.json()] == [("", True), ("已确认", False)]
    assert Notification.objects.filter(recipient=people["tech"]).count() == 1
    assert Notification.objects.filter(recipient=people["m1"]).count() == 1  # tech's reply


def test_a_mention_without_access_is_a_field_error_and_nothing_is_saved(order, api):
    response = api("m1").post(f"/orders/{order.pk}/comments", {"body": "@m2 和 @m3 帮忙看看"})
    assert response.status_code == 400
    assert response.json()["extra"]["fields"]["body"] == [
        "@m2 无权查看此订单，不能提及。",  # the API answers in the site's language (zh-Hans)
        "@m3 无权查看此订单，不能提及。",
    ]
    assert not Comment.objects.exists()


def test_out_of_scope_read_and_post_are_404(order, exception, complaint, api):
    m3 = api("m3")
    for path in (
        f"/orders/{order.pk}/comments",
        f"/comments/order/{order.pk}",
        f"/comments/exception/{exception.pk}",
        f"/comments/complaint/{complaint.pk}",
        f"/comments/complaint/{complaint.pk}/mentionable",
        f"/comments/nothing/{order.pk}",
    ):
        assert m3.get(path).status_code == 404, path
        if not path.endswith("mentionable"):
            assert m3.post(path, {"body": "看看"}).status_code in (404, 405), path
    mine = api("m1").post(f"/comments/exception/{exception.pk}", {"body": "供应商已回复"}).json()
    assert m3.post(f"/comments/{mine['id']}/actions/edit", {"body": "x"}).status_code == 404
    assert m3.post(f"/comments/{mine['id']}/actions/withdraw").status_code == 404
    assert list(Comment.objects.values_list("body", flat=True)) == ["供应商已回复"]


def test_the_auditor_cannot_post(order, api):
    response = api("auditor").post(f"/orders/{order.pk}/comments", {"body": "审计意见"})
    assert response.status_code == 403 and response.json()["code"] == "read_only"
    assert not Comment.objects.exists()


def test_text_is_returned_verbatim_as_json_for_clients_to_escape(order, api):
    created = api("m1").post(f"/orders/{order.pk}/comments", {"body": XSS})
    assert created.status_code == 201 and created["Content-Type"].startswith("application/json")
    listed = api("sup").get(f"/orders/{order.pk}/comments")
    assert listed["Content-Type"].startswith("application/json")
    assert json.loads(listed.content)[0]["body"] == XSS  # data, not markup: never HTML in the API


def test_mentionable_lists_only_colleagues_who_see_the_order(order, api):
    found = api("m1").get(f"/comments/order/{order.pk}/mentionable", q="m").json()
    assert {"username": "m1", "name": "m1"} in found and not {p["username"] for p in found} & {"m2", "m3"}


def test_the_endpoints_are_in_the_openapi_document(api):
    paths = api("m1").client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/orders/{order_id}/comments",
        "/api/v1/comments/{owner_type}/{owner_id}",
        "/api/v1/comments/{owner_type}/{owner_id}/mentionable",
        "/api/v1/comments/{comment_id}/actions/edit",
        "/api/v1/comments/{comment_id}/actions/withdraw",
    ):
        assert path in paths, path
    owner_type = paths["/api/v1/comments/{owner_type}/{owner_id}"]["get"]["parameters"][0]
    assert "`complaint`" in owner_type["description"] and "`exception`" in owner_type["description"]
