"""Change requests through the API: raise, re-sign, approve into R1, the 409 on a second approval, the
field error below what was done, rejection, scope, and the revisions with their diff."""

from decimal import Decimal
from unittest import mock

from gendan.orders.models import Order, OrderStatus
from gendan.orders.revisions import order_snapshot
from tests.api.conftest import order_state
from tests.changes.conftest import SIGNERS, proposal


def _body(order, **changes):
    data = proposal(order)
    body = {key: value for key, value in data.items() if value not in ("", None) and key != "lines"}
    body["lines"] = [
        {key: value for key, value in line.items() if value not in ("", None)} for line in data["lines"]
    ]
    body.update(reason="客户邮件改单", cause="customer", **changes)
    return body


def _content(order_id: int) -> tuple:
    order = Order.objects.get(pk=order_id)
    return order_snapshot(order=order), order.version, order.status, order.revisions.count()


def _sign_all(api, cr):
    for item in cr["items"]:
        dept = item["department"]
        response = api(SIGNERS[dept]).post(
            f"/change-requests/{cr['id']}/items/{item['id']}/sign", {"result": "pass"}
        )
        assert response.status_code == 200, response.json()


def test_raise_sign_approve_and_the_second_is_409(api, order_at):
    order = order_at(OrderStatus.RELEASED)
    initial = api("m1").get(f"/orders/{order.pk}/change-requests/proposal").json()
    assert initial["lines"][0]["quantity"] == "100"
    body = _body(order)
    body["lines"][0].update(quantity="120", sizes="S:36 M:48 L:36")
    first = api("m1").post(f"/orders/{order.pk}/change-requests", body)
    assert first.status_code == 201, first.json()
    first = first.json()
    assert sorted(i["department"] for i in first["items"]) == ["planning", "purchasing"]
    assert first["touches"] == ["quantity", "sizes"]
    second_body = _body(order)
    second_body["lines"][0]["color"] = "黑"
    second = api("m1").post(f"/orders/{order.pk}/change-requests", second_body).json()
    assert sorted(i["department"] for i in second["items"]) == ["quality", "technical"]
    awaiting = api("planner").get("/change-requests", awaiting=True).json()
    assert [cr["id"] for cr in awaiting["items"]] == [first["id"]]
    _sign_all(api, first)
    _sign_all(api, second)
    approved = api("sup").post(f"/change-requests/{first['id']}/actions/approve", {"note": "同意"})
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "approved" and approved.json()["applied_revision"] == 1
    before = order_state(order.pk)
    refused = api("sup").post(f"/change-requests/{second['id']}/actions/approve", {})
    assert refused.status_code == 409 and refused.json()["code"] == "stale_revision"
    assert order_state(order.pk) == before
    revisions = api("m1").get(f"/orders/{order.pk}/revisions").json()
    assert [r["number"] for r in revisions] == [0, 1]
    change = next(c for c in revisions[1]["changes"] if c.get("field") == "quantity")
    assert (change["before"], change["after"], change["line_no"]) == ("100", "120", 1)
    one = api("m1").get(f"/orders/{order.pk}/revisions/1").json()
    assert one["snapshot"]["lines"][0]["quantity"] == "120"
    assert api("m1").get(f"/orders/{order.pk}/revisions/5").status_code == 404


def test_below_shipped_is_a_field_error_and_nothing_changes(api, order_at):
    order = order_at(OrderStatus.IN_PRODUCTION)
    line = order.lines.get(line_no=1)
    before = order_state(order.pk)
    body = _body(order)
    body["lines"][0].update(quantity="50", sizes="S:20 M:20 L:10")
    with mock.patch("gendan.changes.selectors.shipped_quantities", return_value={line.pk: Decimal("60")}):
        response = api("m1").post(f"/orders/{order.pk}/change-requests", body)
    assert response.status_code == 400
    assert list(response.json()["extra"]["fields"]) == ["lines.0.quantity"]
    assert order_state(order.pk) == before


def test_rejected_changes_nothing_and_stale_version_is_409(api, order_at):
    order = order_at(OrderStatus.RELEASED)
    body = _body(order)
    body["lines"][0]["unit_price"] = "13.00"
    cr = api("m1").post(f"/orders/{order.pk}/change-requests", body).json()
    assert sorted(i["department"] for i in cr["items"]) == ["business", "finance"]
    before = _content(order.pk)
    assert api("sup").post(f"/change-requests/{cr['id']}/actions/reject", {"note": ""}).status_code == 400
    stale = api("sup").post(
        f"/change-requests/{cr['id']}/actions/reject", {"note": "价格不接受", "version": 99}
    )
    assert stale.status_code == 409
    rejected = api("sup").post(
        f"/change-requests/{cr['id']}/actions/reject", {"note": "价格不接受", "version": cr["version"]}
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert _content(order.pk) == before  # the rejection is on the timeline; the order itself is as it was


def test_out_of_scope_is_404(api, order_at):
    order = order_at(OrderStatus.RELEASED)
    body = _body(order)
    body["lines"][0]["color"] = "黑"
    assert api("m3").post(f"/orders/{order.pk}/change-requests", body).status_code == 404
    cr = api("m1").post(f"/orders/{order.pk}/change-requests", body).json()
    for path in (
        f"/change-requests/{cr['id']}",
        f"/orders/{order.pk}/revisions",
        f"/orders/{order.pk}/change-requests",
    ):
        assert api("m3").get(path).status_code == 404, path
    assert api("m3").post(f"/change-requests/{cr['id']}/actions/cancel", {}).status_code == 404
    assert api("m3").get("/change-requests").json()["items"] == []


def test_a_draft_cannot_be_changed_this_way(api, order_at):
    order = order_at(OrderStatus.DRAFT)
    body = _body(order)
    body["lines"][0]["color"] = "黑"
    response = api("m1").post(f"/orders/{order.pk}/change-requests", body)
    assert response.status_code == 409 and response.json()["code"] == "order_not_changeable"
