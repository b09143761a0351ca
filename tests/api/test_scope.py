"""Row-level scope on every endpoint: a merchandiser sees none of another's customers, orders or reviews
(lists leave them out, details, timelines, actions and review steps answer 404 and change nothing); the
salesperson sees their own customers, a supervisor their team's, the auditor everything but writes nothing."""

import pytest

from gendan.catalog.models import Product
from gendan.orders.api import OrderAction
from gendan.orders.models import Order, OrderStatus
from gendan.orders.services import order_create
from gendan.parties.models import Customer
from gendan.reviews.models import Review, ReviewItem
from gendan.reviews.services import review_open
from tests.api.conftest import build_order, order_state, sign_all, table_counts
from tests.factories import CustomerFactory, order_payload


@pytest.fixture
def world(people, customer, other_customer, product):
    """m1: an order in review and a released one; m3: an order in review; m2 (m1's teammate): a draft."""
    m2_customer = CustomerFactory(merchandiser=people["m2"])
    mine = build_order(people, customer, product, OrderStatus.IN_REVIEW)
    mine_released = build_order(people, customer, product, OrderStatus.RELEASED)
    theirs = order_create(actor=people["m3"], data=order_payload(other_customer, product, customer_po="M3"))
    theirs_review = review_open(order=theirs, actor=people["m3"])
    teammate = order_create(actor=people["m2"], data=order_payload(m2_customer, product, customer_po="M2"))
    return {
        "mine": mine,
        "mine_review": mine.reviews.get(),
        "mine_released": mine_released,
        "theirs": Order.objects.get(pk=theirs.pk),
        "theirs_review": theirs_review,
        "teammate": teammate,
        "m2_customer": m2_customer,
    }


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["items"]}


def test_merchandiser_sees_nothing_of_another_merchandiser(
    api, people, customer, other_customer, product, world
):
    m3 = api("m3")
    mine, review, released = world["mine"], world["mine_review"], world["mine_released"]
    item = review.items.first()
    before = {pk: order_state(pk) for pk in (mine.pk, released.pk)}
    counts = table_counts()

    # lists and searches leave m1's rows out
    assert ids(m3.get("/customers")) == {other_customer.pk}
    assert ids(m3.get("/customers", q=customer.code)) == set()
    assert ids(m3.get("/orders")) == {world["theirs"].pk}
    assert ids(m3.get("/orders", q=mine.number)) == set()
    assert ids(m3.get("/orders", customer=customer.pk)) == set()
    assert ids(m3.get("/reviews")) == {world["theirs_review"].pk}
    assert ids(m3.get("/reviews", order=mine.pk)) == set()
    assert m3.get("/orders/planner-queue").json() == []
    # details, timelines, reviews answer 404 as if missing
    for path in (
        f"/customers/{customer.pk}",
        f"/orders/{mine.pk}",
        f"/orders/{mine.pk}/events",
        f"/reviews/{review.pk}",
    ):
        response = m3.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"
    # every write on m1's rows is 404 and changes nothing
    writes = [
        ("put", f"/orders/{mine.pk}", {**order_payload(customer, product, customer_po="X"), "version": 1})
    ]
    writes += [
        ("post", f"/orders/{pk}/actions/{a.value}", {"reason": "x"}) for a in OrderAction for pk in before
    ]
    writes += [
        ("post", f"/reviews/{review.pk}/items/{item.pk}/sign", {"result": "pass"}),
        ("post", f"/reviews/{review.pk}/approve", {"promised_date": "2027-01-29"}),
        ("post", f"/reviews/{review.pk}/reject", {"reason": "x"}),
    ]
    for method, path, body in writes:
        response = getattr(m3, method)(path, body)
        assert response.status_code == 404, (path, response.content)
    # and m1's customer cannot be used for an order either
    response = m3.post("/orders", order_payload(customer, product, customer_po="STEAL"))
    assert response.status_code == 400 and "customer" in response.json()["extra"]["fields"]
    assert {pk: order_state(pk) for pk in before} == before
    assert table_counts() == counts
    assert ReviewItem.objects.get(pk=item.pk).result == ReviewItem.Result.PENDING

    # the other way round too
    m1 = api("m1")
    assert world["theirs"].pk not in ids(m1.get("/orders"))
    assert m1.get(f"/orders/{world['theirs'].pk}").status_code == 404
    assert m1.get(f"/reviews/{world['theirs_review'].pk}").status_code == 404
    assert ids(m1.get("/customers")) == {customer.pk}


def test_tokens_are_private_to_their_owner(api, people):
    m1, m3 = api("m1"), api("m3")
    m1_tokens = m1.get("/accounts/tokens").json()
    assert [t["name"] for t in m3.get("/accounts/tokens").json()] == ["test m3"]
    response = m3.delete(f"/accounts/tokens/{m1_tokens[0]['id']}")
    assert response.status_code == 404
    assert m1.get("/accounts/me").status_code == 200  # still valid


def test_salesperson_sees_own_customers_and_their_orders_only(api, customer, other_customer, world):
    sales = api("sales")
    assert ids(sales.get("/customers")) == {customer.pk}
    assert sales.get(f"/customers/{other_customer.pk}").status_code == 404
    assert sales.get(f"/customers/{world['m2_customer'].pk}").status_code == 404
    assert ids(sales.get("/orders")) == {world["mine"].pk, world["mine_released"].pk}
    assert sales.get(f"/orders/{world['theirs'].pk}").status_code == 404
    assert sales.get(f"/orders/{world['teammate'].pk}").status_code == 404
    assert ids(sales.get("/reviews")) == {world["mine_review"].pk, world["mine_released"].reviews.get().pk}


def test_supervisor_sees_their_team_only(api, customer, other_customer, world):
    team = {world["mine"].pk, world["mine_released"].pk, world["teammate"].pk}
    sup, sup2 = api("sup"), api("sup2")
    assert ids(sup.get("/orders")) == team
    assert ids(sup.get("/customers")) == {customer.pk, world["m2_customer"].pk}
    assert sup.get(f"/orders/{world['theirs'].pk}").status_code == 404
    assert sup.get(f"/reviews/{world['theirs_review'].pk}").status_code == 404
    assert sup.get(f"/customers/{other_customer.pk}").status_code == 404
    assert ids(sup2.get("/orders")) == {world["theirs"].pk}
    assert ids(sup2.get("/customers")) == {other_customer.pk}
    for pk in team:
        assert sup2.get(f"/orders/{pk}").status_code == 404
    # and sup2 cannot conclude a review of sup's team
    review = world["mine_review"]
    response = sup2.post(f"/reviews/{review.pk}/reject", {"reason": "不是我的"})
    assert response.status_code == 404
    assert Review.objects.get(pk=review.pk).status == Review.Status.OPEN


def test_planner_and_reviewers_see_orders_from_review_onward(api, world):
    for name in ("planner", "tech"):
        seen = ids(api(name).get("/orders"))
        assert seen == {world["mine"].pk, world["mine_released"].pk, world["theirs"].pk}, name
        assert api(name).get(f"/orders/{world['teammate'].pk}").status_code == 404  # a draft
    queue = api("planner").get("/orders/planner-queue").json()
    assert [o["id"] for group in queue for o in group["orders"]] == [world["mine_released"].pk]


def test_auditor_sees_everything(api, people, customer, other_customer, world):
    auditor = api("auditor")
    every_order = set(Order.objects.values_list("pk", flat=True))
    assert ids(auditor.get("/orders")) == every_order
    assert ids(auditor.get("/customers")) == set(Customer.objects.values_list("pk", flat=True))
    assert ids(auditor.get("/reviews")) == set(Review.objects.values_list("pk", flat=True))
    for pk in every_order:
        detail = auditor.get(f"/orders/{pk}")
        assert detail.status_code == 200
        assert detail.json()["allowed_actions"] == []
        assert auditor.get(f"/orders/{pk}/events").status_code == 200
    assert auditor.get(f"/reviews/{world['theirs_review'].pk}").status_code == 200
    assert all(
        not item["may_sign"] for item in auditor.get(f"/reviews/{world['mine_review'].pk}").json()["items"]
    )


# action: (status at which the action would be allowed for the order's owner, payload overrides)
AUDITOR_ACTIONS = {
    "request_approval": (OrderStatus.DRAFT, {"source_document": "verbal"}),
    "approve_verbal": (OrderStatus.AWAITING_APPROVAL, {}),
    "reject_verbal": (OrderStatus.AWAITING_APPROVAL, {}),
    "submit_review": (OrderStatus.DRAFT, {}),
    "revise": (OrderStatus.REJECTED, {}),
    "release": (OrderStatus.APPROVED, {}),
    "acknowledge": (OrderStatus.RELEASED, {}),
    "start_production": (OrderStatus.RELEASED, {}),
    "hold": (OrderStatus.IN_PRODUCTION, {}),
    "resume": (OrderStatus.ON_HOLD, {}),
    "cancel": (OrderStatus.DRAFT, {}),
    "receive_original": (OrderStatus.DRAFT, {"source_document": "fax"}),
    "close": (OrderStatus.DELIVERED, {}),
    "close_short": (OrderStatus.PARTIALLY_SHIPPED, {}),
    "cancel_rest": (OrderStatus.IN_PRODUCTION, {}),
}


def test_auditor_table_covers_every_action():
    assert set(AUDITOR_ACTIONS) == {a.value for a in OrderAction}


@pytest.mark.parametrize("action", sorted(AUDITOR_ACTIONS))
def test_auditor_cannot_take_any_action(action, api, order_at):
    status, payload = AUDITOR_ACTIONS[action]
    order = order_at(status, **payload)
    if action == "start_production":
        assert api("planner").post(f"/orders/{order.pk}/actions/acknowledge").status_code == 200
    before, counts = order_state(order.pk), table_counts()
    response = api("auditor").post(f"/orders/{order.pk}/actions/{action}", {"reason": "审计"})
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "read_only"
    assert order_state(order.pk) == before and table_counts() == counts


def test_auditor_writes_are_refused_and_change_nothing(api, people, customer, product, world):
    auditor = api("auditor")
    review = world["mine_review"]
    sign_all(review, people)
    mine = world["mine"]
    draft = world["teammate"]
    counts = table_counts()
    before = {pk: order_state(pk) for pk in (mine.pk, draft.pk)}
    customers, products = Customer.objects.count(), Product.objects.count()
    items = list(ReviewItem.objects.values_list("pk", "result", "signer_id"))

    refused = [
        auditor.post("/customers", {"code": "AUD1", "name": "审计客户"}),
        auditor.post("/products", {"code": "AUDP", "name": "审计产品"}),
        auditor.post("/orders", order_payload(customer, product, customer_po="AUD")),
        auditor.put(f"/orders/{draft.pk}", {**order_payload(world["m2_customer"], product), "version": 1}),
        auditor.post(
            f"/reviews/{review.pk}/items/{review.items.first().pk}/sign", {"result": "fail", "comment": "x"}
        ),
        auditor.post(f"/reviews/{review.pk}/approve", {"promised_date": review.feasible_date.isoformat()}),
        auditor.post(f"/reviews/{review.pk}/reject", {"reason": "审计不通过"}),
    ]
    for response in refused:
        assert response.status_code == 403, response.content
        assert response.json()["code"] in {"read_only", "role_not_allowed", "wrong_department"}
    assert table_counts() == counts
    assert {pk: order_state(pk) for pk in before} == before
    assert (Customer.objects.count(), Product.objects.count()) == (customers, products)
    assert list(ReviewItem.objects.values_list("pk", "result", "signer_id")) == items
    assert Review.objects.get(pk=review.pk).status == Review.Status.OPEN


def test_auditor_cannot_mint_api_tokens(api, people):
    # a read-only account creates no credentials of its own (issue 21: the auditor could create API tokens)
    auditor = api("auditor")
    response = auditor.post("/accounts/tokens", {"name": "审计导出"})
    assert response.status_code == 403
    assert response.json()["code"] == "read_only_account"


def test_a_merchandiser_cannot_hand_a_new_order_out_of_their_own_scope(api, customer, product):
    # given m1 enters an order for their customer but assigns it to m3 (another team)
    m1 = api("m1")
    response = m1.post(
        "/orders", {**order_payload(customer, product, customer_po="HAND"), "merchandiser": "m3"}
    )
    # then it is refused on the field, nothing saved; the supervisor may assign within reach
    assert response.status_code == 400, response.content
    assert "merchandiser" in response.json()["extra"]["fields"]
    assert not Order.objects.filter(customer_po="HAND").exists()
    created = api("sup").post(
        "/orders", {**order_payload(customer, product, customer_po="HAND"), "merchandiser": "m2"}
    )
    assert created.status_code == 201 and created.json()["merchandiser"]["username"] == "m2"
