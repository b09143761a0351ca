"""The order status table through POST /orders/{id}/actions/{action}: every forbidden step is a 4xx that
changes nothing (status, version, timeline); a role not in the table gets 403."""

import pytest

from gendan.orders.api import OrderAction
from gendan.orders.models import Order, OrderEvent, OrderStatus
from gendan.orders.workflows import ORDER_TRANSITIONS
from gendan.reviews.services import review_open
from tests.api.conftest import order_state, sign_all, table_counts

EXPOSED = {action.value for action in OrderAction}
# Steps of the table that are not order-page actions: the review concludes approve/reject, and the shipping
# module derives the shipping statuses from shipped quantities.
NOT_EXPOSED = sorted(set(ORDER_TRANSITIONS) - EXPOSED)
# Guarded by status like a table action (released and not yet acknowledged).
STATUS_GUARDED = [*[a for a in ORDER_TRANSITIONS if a in EXPOSED], "acknowledge", "cancel_rest"]
SOURCES = {action: t.sources for action, t in ORDER_TRANSITIONS.items()}
SOURCES["acknowledge"] = frozenset({OrderStatus.RELEASED})
SOURCES["cancel_rest"] = frozenset({OrderStatus.IN_PRODUCTION, OrderStatus.PARTIALLY_SHIPPED})
# Closing short an order that shipped nothing yet is refused with its own code: cancel it instead.
NOTHING_SHIPPED = {OrderStatus.APPROVED, OrderStatus.RELEASED, OrderStatus.IN_PRODUCTION}


def test_the_table_and_the_endpoint_agree():
    # every action of the endpoint is a step of the table, except acknowledge and receive_original (no status
    # change); the table's steps left out are exactly those concluded elsewhere
    # (and cancel_rest, a change of a line whose status follows from shipping); the table's steps left out are
    # exactly those concluded elsewhere (`settle`: the system closes a delivered order once it is paid)
    assert EXPOSED - set(ORDER_TRANSITIONS) == {"acknowledge", "receive_original", "cancel_rest"}
    assert {"approve", "reject", "ship_partially", "ship", "deliver", "settle"} <= set(NOT_EXPOSED)


FORBIDDEN = [
    (action, status)
    for action in STATUS_GUARDED
    for status in OrderStatus.values
    if status not in SOURCES[action]
]


@pytest.mark.parametrize(("action", "status"), FORBIDDEN)
def test_forbidden_step_from_a_status_outside_its_sources_changes_nothing(action, status, api, order_at):
    # given an order at `status` (verbal when the step is only for verbal orders), and an administrator, whose
    # roles include every role of the table, so only the status can refuse
    order = order_at(status, **({"source_document": "verbal"} if action == "request_approval" else {}))
    before, counts = order_state(order.pk), table_counts()

    # when the step is attempted with a reason
    response = api("admin").post(f"/orders/{order.pk}/actions/{action}", {"reason": "原因"})

    # then 409 invalid_transition, and the order is exactly as it was
    assert response.status_code == 409, response.content
    body = response.json()
    expected = (
        "nothing_shipped" if action == "close_short" and status in NOTHING_SHIPPED else "invalid_transition"
    )
    code = "order_not_shipping" if action == "cancel_rest" else expected
    assert body["code"] == code and body["message"]
    assert order_state(order.pk) == before
    assert table_counts() == counts


@pytest.mark.parametrize("action", NOT_EXPOSED)
@pytest.mark.parametrize("status", [OrderStatus.IN_REVIEW, OrderStatus.IN_PRODUCTION, OrderStatus.SHIPPED])
def test_steps_concluded_elsewhere_are_not_order_actions(action, status, api, order_at):
    # given an order at a status from which some of these steps are allowed
    order = order_at(status)
    before = order_state(order.pk)
    # when one is posted as an order action
    response = api("admin").post(f"/orders/{order.pk}/actions/{action}")
    # then it is not an action of this endpoint (422 naming the path field) and nothing changed
    assert response.status_code == 422
    assert "action" in response.json()["extra"]["fields"]
    assert order_state(order.pk) == before


@pytest.mark.parametrize("status", [OrderStatus.ON_HOLD, OrderStatus.CANCELLED])
@pytest.mark.parametrize("step", ["approve", "reject"])
def test_review_conclusion_refused_once_the_order_left_review(step, status, api, people, order_at):
    # given an order put on hold / cancelled while its review was open and fully signed
    order = order_at(OrderStatus.DRAFT)
    review = review_open(order=order, actor=people["m1"])
    sign_all(review, people)
    body = {"reason": "原因"}
    if status == OrderStatus.ON_HOLD:
        api("sup").post(f"/orders/{order.pk}/actions/hold", body)
    else:
        api("sup").post(f"/orders/{order.pk}/actions/cancel", body)
    assert Order.objects.get(pk=order.pk).status == status
    before, counts = order_state(order.pk), table_counts()
    # when the supervisor tries to conclude the review
    if step == "approve":
        body = {"promised_date": review.feasible_date.isoformat()}
    response = api("sup").post(f"/reviews/{review.pk}/{step}", body)
    # then it is refused and nothing changes: a held order's review stays open (it resumes), a cancelled
    # order's review was cancelled with it
    assert response.status_code == 409, response.content
    held = status == OrderStatus.ON_HOLD
    assert response.json()["code"] == ("invalid_transition" if held else "review_closed")
    assert order_state(order.pk) == before and table_counts() == counts
    review.refresh_from_db()
    assert review.status == ("open" if held else "cancelled")


# action: (status it is allowed from, a user who sees the order there but lacks the role, extra payload)
WRONG_ROLE = {
    "request_approval": (OrderStatus.DRAFT, "gm", {"source_document": "verbal"}),
    "approve_verbal": (OrderStatus.AWAITING_APPROVAL, "m1", {}),
    "reject_verbal": (OrderStatus.AWAITING_APPROVAL, "sales", {}),
    "submit_review": (OrderStatus.DRAFT, "gm", {}),
    "revise": (OrderStatus.REJECTED, "tech", {}),
    "release": (OrderStatus.APPROVED, "sales", {}),
    "acknowledge": (OrderStatus.RELEASED, "m1", {}),
    "start_production": (OrderStatus.RELEASED, "m1", {}),
    "hold": (OrderStatus.IN_PRODUCTION, "sales", {}),
    "resume": (OrderStatus.ON_HOLD, "sales", {}),
    "cancel": (OrderStatus.DRAFT, "m1", {}),
    "close": (OrderStatus.DELIVERED, "m1", {}),
    "close_short": (OrderStatus.PARTIALLY_SHIPPED, "m1", {}),
    "cancel_rest": (OrderStatus.IN_PRODUCTION, "m1", {}),
}


def test_wrong_role_table_covers_every_action():
    assert set(WRONG_ROLE) == EXPOSED - {"receive_original"}


@pytest.mark.parametrize("action", sorted(WRONG_ROLE))
def test_wrong_role_is_403_and_changes_nothing(action, api, people, order_at):
    status, user, payload = WRONG_ROLE[action]
    order = order_at(status, **payload)
    if action == "start_production":  # acknowledged, so only the role can refuse
        assert api("planner").post(f"/orders/{order.pk}/actions/acknowledge").status_code == 200
    before, counts = order_state(order.pk), table_counts()
    client = api(user)
    # the user does see the order (so this is about the role, not the scope)
    assert client.get(f"/orders/{order.pk}").status_code == 200
    assert action not in client.get(f"/orders/{order.pk}").json()["allowed_actions"]

    response = client.post(f"/orders/{order.pk}/actions/{action}", {"reason": "原因"})

    assert response.status_code == 403, response.content
    assert response.json()["code"] == "role_not_allowed"
    assert order_state(order.pk) == before and table_counts() == counts


# action: (from status, user, reason, expected status after)
ALLOWED = {
    "request_approval": (OrderStatus.DRAFT, "m1", "", OrderStatus.AWAITING_APPROVAL),
    "approve_verbal": (OrderStatus.AWAITING_APPROVAL, "sup", "电话确认", OrderStatus.DRAFT),
    "reject_verbal": (OrderStatus.AWAITING_APPROVAL, "sup", "无书面订单", OrderStatus.REJECTED),
    "submit_review": (OrderStatus.DRAFT, "m1", "", OrderStatus.IN_REVIEW),
    "revise": (OrderStatus.REJECTED, "m1", "", OrderStatus.DRAFT),
    "release": (OrderStatus.APPROVED, "m1", "", OrderStatus.RELEASED),
    "acknowledge": (OrderStatus.RELEASED, "planner", "", OrderStatus.RELEASED),
    "hold": (OrderStatus.IN_PRODUCTION, "m1", "客户暂停", OrderStatus.ON_HOLD),
    "cancel": (OrderStatus.APPROVED, "sup", "客户取消", OrderStatus.CANCELLED),
}


@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_allowed_step_changes_status_once_with_an_event(action, api, order_at):
    status, user, reason, after = ALLOWED[action]
    order = order_at(status, **({"source_document": "verbal"} if action == "request_approval" else {}))
    events_before, version_before = order.events.count(), Order.objects.get(pk=order.pk).version
    assert action in api(user).get(f"/orders/{order.pk}").json()["allowed_actions"]

    response = api(user).post(f"/orders/{order.pk}/actions/{action}", {"reason": reason})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == after
    order.refresh_from_db()
    assert order.status == after
    # exactly one status event (a release may add side facts, e.g. the T&A plan it generated)
    new_events = [
        e
        for e in order.events.order_by("id")[events_before:]
        if e.type in (OrderEvent.Type.TRANSITION, OrderEvent.Type.PLANNER_ACK)
    ]
    assert len(new_events) == 1
    event = new_events[0]
    assert event.actor.username == user
    if action == "acknowledge":
        assert event.type == OrderEvent.Type.PLANNER_ACK and order.planner_ack_at is not None
    else:
        assert (event.type, event.from_status, event.to_status) == (OrderEvent.Type.TRANSITION, status, after)
        assert event.note == reason and event.data["action"] == action
        assert order.version == version_before + 1


def test_a_reason_is_required_to_hold_cancel_or_reject_verbal(api, order_at):
    for action, status, user in (
        ("hold", OrderStatus.DRAFT, "m1"),
        ("cancel", OrderStatus.DRAFT, "sup"),
        ("reject_verbal", OrderStatus.AWAITING_APPROVAL, "sup"),
    ):
        order = order_at(status)
        before = order_state(order.pk)
        response = api(user).post(f"/orders/{order.pk}/actions/{action}", {"reason": "   "})
        assert response.status_code == 400, (action, response.content)
        assert response.json()["code"] == "reason_required"
        assert "reason" in response.json()["extra"]["fields"]
        assert order_state(order.pk) == before


def test_hold_then_resume_returns_to_the_status_before_the_hold(api, order_at):
    order = order_at(OrderStatus.RELEASED)
    assert api("sup").post(f"/orders/{order.pk}/actions/hold", {"reason": "面料未到"}).json()["status"] == (
        OrderStatus.ON_HOLD
    )
    response = api("m1").post(f"/orders/{order.pk}/actions/resume")
    assert response.status_code == 200
    assert response.json()["status"] == OrderStatus.RELEASED


def test_production_cannot_start_before_the_planner_acknowledges(api, order_at):
    order = order_at(OrderStatus.RELEASED)
    before = order_state(order.pk)
    response = api("planner").post(f"/orders/{order.pk}/actions/start_production")
    assert response.status_code == 400
    assert response.json()["code"] == "not_acknowledged"
    assert order_state(order.pk) == before


def test_a_verbal_order_goes_to_the_supervisor_before_review(api, order_at):
    order = order_at(OrderStatus.DRAFT, source_document="verbal")
    before = order_state(order.pk)
    response = api("m1").post(f"/orders/{order.pk}/actions/submit_review")
    assert response.status_code == 400
    assert response.json()["code"] == "verbal_needs_approval"
    assert order_state(order.pk) == before
    # and a written order cannot be sent for approval
    written = order_at(OrderStatus.DRAFT)
    response = api("m1").post(f"/orders/{written.pk}/actions/request_approval")
    assert response.status_code == 400 and response.json()["code"] == "not_verbal"


def test_original_pending_until_received(api, order_at):
    # given an order accepted from a fax
    order = order_at(OrderStatus.DRAFT, source_document="fax")
    m1 = api("m1")
    assert m1.get(f"/orders/{order.pk}").json()["original_pending"] is True
    assert [o["id"] for o in m1.get("/orders", original_pending="true").json()["items"]] == [order.pk]
    # when the original is received
    response = m1.post(f"/orders/{order.pk}/actions/receive_original")
    # then it is no longer pending, and receiving it twice is refused
    assert response.status_code == 200
    assert response.json()["original_pending"] is False
    assert m1.get("/orders", original_pending="true").json()["items"] == []
    again = m1.post(f"/orders/{order.pk}/actions/receive_original")
    assert again.status_code == 400 and again.json()["code"] == "no_original_pending"


def test_an_action_body_is_optional_but_strict(api, order_at):
    order = order_at(OrderStatus.DRAFT)
    m1 = api("m1")
    # an empty body, as `curl -X POST` sends
    response = m1.client.generic(
        "POST", f"/api/v1/orders/{order.pk}/actions/submit_review", b"", **m1.headers
    )
    assert response.status_code == 200, response.content
    other = order_at(OrderStatus.DRAFT)
    response = m1.post(f"/orders/{other.pk}/actions/hold", {"reason": "x" * 501})
    assert response.status_code == 422 and "reason" in response.json()["extra"]["fields"]
    response = m1.post(f"/orders/{other.pk}/actions/hold", {"why": "x"})
    assert response.status_code == 422
