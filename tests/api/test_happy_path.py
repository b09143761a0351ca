"""One order through the API from intake to production, pressing the same buttons the users do."""

from gendan.orders.models import Order, OrderStatus
from gendan.reviews.models import Review, ReviewDepartment
from tests.api.conftest import SIGNERS
from tests.factories import order_payload


def test_order_from_intake_to_production_through_the_api(api, people, customer, product):
    m1, sup, planner = api("m1"), api("sup"), api("planner")

    # given a merchandiser enters an order with a size breakdown given as a list
    payload = order_payload(customer, product)
    payload["lines"][0]["sizes"] = [
        {"size": "S", "quantity": 30},
        {"size": "M", "quantity": "40"},
        {"size": "L", "quantity": 30},
    ]
    response = m1.post("/orders", payload)
    assert response.status_code == 201, response.content
    order = response.json()
    order_id = order["id"]
    assert order["number"] == "SO2026-000001"
    assert order["status"] == "draft" and order["version"] == 1
    assert order["total_amount"] == "1250.00"
    assert [(s["size"], s["quantity"]) for s in order["lines"][0]["sizes"]] == [
        ("S", "30.000"),
        ("M", "40.000"),
        ("L", "30.000"),
    ]
    assert "submit_review" in order["allowed_actions"]
    assert order["review_id"] is None

    # when it is submitted for review
    response = m1.post(f"/orders/{order_id}/actions/submit_review")
    assert response.status_code == 200, response.content
    order = response.json()
    assert order["status"] == "in_review"
    review_id = order["review_id"]
    assert review_id is not None

    # and every department signs its item
    review = api("tech").get(f"/reviews/{review_id}").json()
    assert review["credit"]["ok"] is True
    assert review["feasible_basis"]["working_days"] == 15
    assert {i["department"] for i in review["items"]} == set(ReviewDepartment.values)
    for item in review["items"]:
        signer = api(SIGNERS[item["department"]])
        mine = next(i for i in signer.get(f"/reviews/{review_id}").json()["items"] if i["id"] == item["id"])
        assert mine["may_sign"] is True
        response = signer.post(
            f"/reviews/{review_id}/items/{item['id']}/sign", {"result": "pass", "comment": "可行"}
        )
        assert response.status_code == 200, (item["department"], response.content)

    # and the supervisor approves with the feasible date
    response = sup.post(
        f"/reviews/{review_id}/approve",
        {"promised_date": review["feasible_date"], "conclusion": "同意接单"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == Review.Status.APPROVED
    assert response.json()["is_date_risk"] is False

    # and the merchandiser releases it, the planner acknowledges and starts production
    for client, action, status in (
        (m1, "release", "released"),
        (planner, "acknowledge", "released"),
        (planner, "start_production", "in_production"),
    ):
        response = client.post(f"/orders/{order_id}/actions/{action}")
        assert response.status_code == 200, (action, response.content)
        assert response.json()["status"] == status

    # then the order is in production with its promised date
    order = m1.get(f"/orders/{order_id}").json()
    assert order["status"] == OrderStatus.IN_PRODUCTION
    assert order["promised_date"] == review["feasible_date"]
    assert order["planner_ack_at"] is not None and order["released_at"] is not None

    # and the timeline shows every step, in order, with who did it
    events = m1.get(f"/orders/{order_id}/events").json()
    steps = [(e["type"], e["from_status"], e["to_status"], e["actor"]["username"]) for e in events]
    signed = [s for s in steps if s[0] == "review_signed"]
    assert sorted(s[3] for s in signed) == sorted(SIGNERS.values())
    # (other modules may add facts of their own, e.g. the T&A plan generated on release)
    assert [s for s in steps if s[0] in ("created", "transition", "planner_ack")] == [
        ("created", "", "draft", "m1"),
        ("transition", "draft", "in_review", "m1"),
        ("transition", "in_review", "approved", "sup"),
        ("transition", "approved", "released", "m1"),
        ("planner_ack", "", "", "planner"),
        ("transition", "released", "in_production", "planner"),
    ]
    assert steps.index(signed[-1]) < steps.index(("transition", "in_review", "approved", "sup"))
    assert Order.objects.get(pk=order_id).version == order["version"]
