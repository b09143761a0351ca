"""The order screens: list, create/edit form, detail with actions, planner queue."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gendan.orders.models import Order, OrderEvent, OrderStatus
from gendan.orders.services import (
    order_cancel,
    order_create,
    order_planner_acknowledge,
    order_release,
    order_update,
)
from gendan.reviews.models import Review, ReviewDepartment
from gendan.reviews.services import review_approve, review_item_sign, review_open
from tests.factories import ProductFactory, order_payload

SIGNERS = {
    ReviewDepartment.BUSINESS: "sales",
    ReviewDepartment.TECHNICAL: "tech",
    ReviewDepartment.PLANNING: "planner",
    ReviewDepartment.PURCHASING: "purchasing",
    ReviewDepartment.QUALITY: "qc",
    ReviewDepartment.FINANCE: "finance",
}


@pytest.fixture
def login(people):
    """login("m1") → a client logged in as that user, asking for English pages."""

    def _login(name: str) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(people[name])
        return client

    return _login


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def form_data(customer, product, **overrides) -> dict:
    """What the browser posts from /orders/new/ with one filled line."""
    data = {
        "customer": customer.code,
        "customer_po": "PO-WEB-1",
        "order_date": "2026-11-27",
        "requested_date": "2027-01-15",
        "business_type": "bulk",
        "source_document": "written",
        "currency": "",
        "incoterm": "",
        "payment_terms": "",
        "merchandiser": "",
        "requirements": "按确认样生产",
        "repeat_reason": "",
        "version": "",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "500",
        "lines-0-product": product.code,
        "lines-0-spec": "",
        "lines-0-color": "红",
        "lines-0-quantity": "100",
        "lines-0-unit_price": "12.50",
        "lines-0-tolerance_percent": "",
        "lines-0-sizes": "S:30 M:40 L:30",
        # the second line is left blank, as a user would
        "lines-1-product": "",
        "lines-1-spec": "",
        "lines-1-color": "",
        "lines-1-quantity": "",
        "lines-1-unit_price": "",
        "lines-1-tolerance_percent": "",
        "lines-1-sizes": "",
    }
    data.update(overrides)
    return data


def make_order(people, customer, product, **overrides) -> Order:
    return order_create(actor=people["m1"], data=order_payload(customer, product, **overrides))


def approved_order(people, customer, product) -> Order:
    order = make_order(people, customer, product)
    review = review_open(order=order, actor=people["m1"])
    for item in review.items.all():
        review_item_sign(item=item, actor=people[SIGNERS[item.department]], result="pass")
    review_approve(review=review, actor=people["sup"], promised_date=review.feasible_date)
    return Order.objects.get(pk=order.pk)


# ------------------------------------------------------------------------------------------------ list


def test_list_shows_only_orders_in_scope(people, customer, other_customer, product, login):
    # given an order of m1's customer and one of m3's customer
    mine = make_order(people, customer, product)
    theirs = order_create(actor=people["m3"], data=order_payload(other_customer, product))
    # when m1 opens the list
    response = login("m1").get("/orders/")
    # then only m1's order is listed
    assert response.status_code == 200
    numbers = [o.number for o in response.context["page"].object_list]
    assert numbers == [mine.number]
    assert theirs.number not in response.content.decode()


def test_list_filters_and_keeps_them_in_the_export_link(people, customer, product, login):
    # given a draft and a cancelled order
    draft = make_order(people, customer, product, customer_po="KEEP-1")
    order_cancel(
        order=make_order(people, customer, product, customer_po="GONE-2"), actor=people["sup"], reason="x"
    )
    client = login("sup")
    # when filtering by status and text
    response = client.get("/orders/", {"status": "draft", "q": "KEEP"})
    # then only the matching order is listed and the export link carries the same filters
    assert [o.pk for o in response.context["page"].object_list] == [draft.pk]
    body = response.content.decode()
    assert 'href="/orders/export.xlsx?status=draft&amp;q=KEEP"' in body
    assert 'href="/orders/import/"' in body
    # and a bad filter value is reported, not a 500
    response = client.get("/orders/", {"due_from": "not-a-date", "customer": "999999"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"due_from", "customer"}
    assert len(response.context["page"].object_list) == 2


def test_list_paginates_50_with_a_capped_count(people, customer, product, login):
    # given 51 orders
    for n in range(51):
        make_order(people, customer, product, customer_po=f"P{n}")
    client = login("m1")
    # when the first page is shown
    with CaptureQueriesContext(connection) as queries:
        page1 = client.get("/orders/")
    # then it has 50 rows and a next link, and no COUNT runs without a LIMIT
    assert len(page1.context["page"].object_list) == 50
    assert page1.context["page"].has_next
    assert 'rel="next"' in page1.content.decode()
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT" in sql.upper() for sql in counts)
    # and the second page has the last one
    page2 = client.get("/orders/", {"page": "2"})
    assert len(page2.context["page"].object_list) == 1
    assert not page2.context["page"].has_next


def test_capped_count_shows_cap_plus(people, customer, product):
    from gendan.core.paging import capped_page

    for n in range(5):
        make_order(people, customer, product, customer_po=f"C{n}")
    page = capped_page(Order.objects.order_by("id"), "1", per_page=2, cap=3)
    assert page.count_display == "3+" and page.num_pages is None and page.has_next
    page = capped_page(Order.objects.order_by("id"), "junk", per_page=2, cap=10)
    assert page.number == 1 and page.count_display == "5" and page.num_pages == 3


# ---------------------------------------------------------------------------------------------- create


def test_create_order_through_the_form(people, customer, product, login):
    # given the merchandiser's filled form with one line and a blank second line
    client = login("m1")
    assert client.get("/orders/new/").status_code == 200
    # when it is posted
    response = client.post("/orders/new/", form_data(customer, product))
    # then a draft order with the colour × size breakdown is saved and the page goes to it
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.pk}/"
    assert order.status == OrderStatus.DRAFT and order.merchandiser == people["m1"]
    line = order.lines.get()
    assert (line.color, line.quantity, order.total_amount) == ("红", Decimal("100"), Decimal("1250.00"))
    assert [(s.size, s.quantity) for s in line.sizes.all()] == [("S", 30), ("M", 40), ("L", 30)]
    assert any(order.number in m for m in messages_of(response))


def test_create_bad_input_rerenders_with_field_errors_and_saves_nothing(people, customer, product, login):
    # given a form with a zero quantity, a breakdown that does not add up, a delivery date before the order date
    data = form_data(
        customer,
        product,
        requested_date="2026-11-01",
        **{"lines-0-quantity": "0", "lines-0-unit_price": "-1"},
    )
    data2 = form_data(customer, product, **{"lines-0-sizes": "S:30 M:40"})
    client = login("m1")
    # when they are posted
    response = client.post("/orders/new/", data)
    response2 = client.post("/orders/new/", data2)
    # then the form comes back with the errors next to the fields, and nothing is saved
    assert response.status_code == 200
    body = response.content.decode()
    for field in ("requested_date", "lines-0-quantity", "lines-0-unit_price"):
        assert f'data-testid="error-{field}"' in body
    assert 'value="PO-WEB-1"' in body  # the user's input is kept
    assert "The delivery date cannot be before the order date." in body
    assert 'data-testid="error-lines-0-sizes"' in response2.content.decode()
    assert "adds up to 70" in response2.content.decode()
    assert Order.objects.count() == 0
    assert any("correct the errors" in m for m in messages_of(response))


def test_create_with_only_blank_lines_is_refused(people, customer, product, login):
    data = form_data(
        customer, product, **{"lines-0-product": "", "lines-0-quantity": "", "lines-0-unit_price": ""}
    )
    data.update({"lines-0-color": "", "lines-0-sizes": ""})
    response = login("m1").post("/orders/new/", data)
    assert response.status_code == 200
    assert "An order needs at least one line." in response.content.decode()
    assert Order.objects.count() == 0


def test_tampered_formset_is_an_error_not_a_500(people, customer, product, login):
    data = form_data(customer, product)
    del data["lines-TOTAL_FORMS"]
    response = login("m1").post("/orders/new/", data)
    assert response.status_code == 200
    assert Order.objects.count() == 0


def test_duplicate_po_asks_for_a_deliberate_repeat(people, customer, product, login):
    # given an order with customer PO PO-WEB-1
    client = login("m1")
    client.post("/orders/new/", form_data(customer, product))
    first = Order.objects.get()
    # when the same PO is entered again
    response = client.post("/orders/new/", form_data(customer, product))
    # then it is refused, naming the earlier order, and the repeat confirmation appears
    assert response.status_code == 200
    body = response.content.decode()
    assert first.number in " ".join(messages_of(response))
    assert 'data-testid="repeat-confirm"' in body and 'name="confirm_repeat"' in body
    assert 'data-testid="error-customer_po"' in body
    assert Order.objects.count() == 1
    # when confirmed without a reason, still refused; with a reason, saved as a deliberate repeat
    response = client.post("/orders/new/", form_data(customer, product, confirm_repeat="on"))
    assert 'data-testid="error-repeat_reason"' in response.content.decode()
    assert Order.objects.count() == 1
    response = client.post(
        "/orders/new/", form_data(customer, product, confirm_repeat="on", repeat_reason="客户追加同款")
    )
    assert response.status_code == 302
    repeat = Order.objects.exclude(pk=first.pk).get()
    assert repeat.is_repeat and repeat.events.filter(type=OrderEvent.Type.DUPLICATE_CONFIRMED).exists()


def test_add_line_without_javascript_adds_a_blank_line_and_saves_nothing(people, customer, product, login):
    response = login("m1").post("/orders/new/", {**form_data(customer, product), "add_line": "1"})
    assert response.status_code == 200
    assert len(response.context["lines"].forms) == 3
    assert Order.objects.count() == 0


def test_htmx_add_line_returns_the_next_line_and_bumps_the_total(people, login, product):
    response = login("m1").get("/orders/new/line/", {"lines-TOTAL_FORMS": "2"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="lines-2-product"' in body and 'name="lines-2-sizes"' in body
    assert 'name="lines-TOTAL_FORMS" value="3"' in body and 'hx-swap-oob="true"' in body
    assert f'value="{product.code}"' in body


def test_customer_select_offers_only_visible_active_customers(people, customer, other_customer, login):
    response = login("m1").get("/orders/new/")
    codes = [value for value, _label in response.context["header"].fields["customer"].choices]
    assert customer.code in codes and other_customer.code not in codes


# ------------------------------------------------------------------------------------------------ edit


def test_edit_saves_with_the_current_version(people, customer, product, login):
    order = make_order(people, customer, product)
    client = login("m1")
    page = client.get(f"/orders/{order.pk}/edit/")
    assert page.status_code == 200
    assert page.context["header"]["version"].value() == 1
    assert page.context["lines"].forms[0]["sizes"].value() == "S:30 M:40 L:30"
    response = client.post(
        f"/orders/{order.pk}/edit/", form_data(customer, product, customer_po="PO-NEW", version="1")
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.customer_po == "PO-NEW" and order.version == 2


def test_stale_edit_shows_the_conflict_and_changes_nothing(people, customer, product, login):
    # given an order someone else saved after the form was opened (version 1 → 2)
    order = make_order(people, customer, product)
    order_update(
        order=order,
        actor=people["sup"],
        version=1,
        data=order_payload(customer, product, customer_po="BY-SUP"),
    )
    # when m1 saves the form still carrying version 1
    response = login("m1").post(
        f"/orders/{order.pk}/edit/", form_data(customer, product, customer_po="BY-M1", version="1")
    )
    # then the conflict is shown and the other edit stays
    assert response.status_code == 200
    assert any("Someone else changed this order" in m for m in messages_of(response))
    order.refresh_from_db()
    assert order.customer_po == "BY-SUP" and order.version == 2


def test_edit_of_an_order_in_review_is_refused(people, customer, product, login):
    order = make_order(people, customer, product)
    review_open(order=order, actor=people["m1"])
    response = login("m1").get(f"/orders/{order.pk}/edit/")
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.pk}/"
    response = login("m1").post(f"/orders/{order.pk}/edit/", form_data(customer, product, version="2"))
    assert response.status_code == 200
    assert any("only before its review starts" in m for m in messages_of(response))
    assert Order.objects.get(pk=order.pk).customer_po == "PO-1"


# ------------------------------------------------------------------------------------ detail and scope


def test_detail_shows_lines_sizes_timeline_and_allowed_actions(people, customer, product, login):
    order = make_order(people, customer, product)
    response = login("m1").get(f"/orders/{order.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="order-number"' in body and order.number in body
    assert 'data-status="draft"' in body
    assert 'data-testid="line-sizes"' in body and "<b>30</b>" in body
    assert 'data-type="created"' in body
    names = [a["name"] for a in response.context["actions"]]
    assert names == ["submit_review", "hold"]  # a merchandiser may not cancel
    assert 'action="/orders/%d/action/submit_review/"' % order.pk in body
    assert 'data-testid="notice-pdf"' not in body  # not released yet
    # the supervisor may also cancel, with a reason field
    sup_names = [a["name"] for a in login("sup").get(f"/orders/{order.pk}/").context["actions"]]
    assert "cancel" in sup_names


def test_merchandiser_gets_404_on_another_merchandisers_order(
    people, customer, other_customer, product, login
):
    theirs = order_create(actor=people["m3"], data=order_payload(other_customer, product))
    client = login("m1")
    assert client.get(f"/orders/{theirs.pk}/").status_code == 404
    assert client.get(f"/orders/{theirs.pk}/edit/").status_code == 404
    assert client.post(f"/orders/{theirs.pk}/action/hold/", {"reason": "x"}).status_code == 404
    assert Order.objects.get(pk=theirs.pk).status == OrderStatus.DRAFT


def test_submit_for_review_opens_the_review(people, customer, product, login):
    order = make_order(people, customer, product)
    response = login("m1").post(f"/orders/{order.pk}/action/submit_review/")
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.pk}/"
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_REVIEW
    review = Review.objects.get(order=order)
    assert review.items.count() == 6
    detail = login("m1").get(f"/orders/{order.pk}/").content.decode()
    assert f'href="/reviews/{review.pk}/"' in detail
    assert f'href="/reviews/{review.pk}/form.pdf"' in detail


def test_action_not_allowed_shows_the_message_and_changes_nothing(people, customer, product, login):
    order = make_order(people, customer, product)
    response = login("m1").post(f"/orders/{order.pk}/action/release/")
    assert response.status_code == 302
    assert any("not allowed" in m for m in messages_of(response))
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT and order.version == 1


def test_unknown_action_is_404_and_get_is_refused(people, customer, product, login):
    order = make_order(people, customer, product)
    client = login("m1")
    assert client.post(f"/orders/{order.pk}/action/explode/").status_code == 404
    assert client.get(f"/orders/{order.pk}/action/hold/").status_code == 405


def test_cancel_needs_a_reason_which_goes_on_the_timeline(people, customer, product, login):
    order = make_order(people, customer, product)
    client = login("sup")
    response = client.post(f"/orders/{order.pk}/action/cancel/", {"reason": "  "})
    assert any("reason" in m.lower() for m in messages_of(response))
    assert Order.objects.get(pk=order.pk).status == OrderStatus.DRAFT
    client.post(f"/orders/{order.pk}/action/cancel/", {"reason": "客户取消订单"})
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    body = client.get(f"/orders/{order.pk}/").content.decode()
    assert "客户取消订单" in body and "Draft → Cancelled" in body


def test_original_pending_flag_and_receipt(people, customer, product, login):
    order = make_order(people, customer, product, source_document="fax")
    client = login("m1")
    body = client.get(f"/orders/{order.pk}/").content.decode()
    assert 'data-testid="original-pending-flag"' in body
    assert 'data-testid="action-receive_original"' in body
    client.post(f"/orders/{order.pk}/action/receive_original/")
    order.refresh_from_db()
    assert order.original_received_at is not None
    assert 'data-testid="original-pending-flag"' not in client.get(f"/orders/{order.pk}/").content.decode()
    assert client.get("/orders/", {"original_pending": "on"}).context["page"].object_list == []


def test_verbal_order_goes_to_the_supervisor_first(people, customer, product, login):
    order = make_order(people, customer, product, source_document="verbal")
    m1 = login("m1")
    assert [a["name"] for a in m1.get(f"/orders/{order.pk}/").context["actions"]] == [
        "request_approval",
        "hold",
    ]
    m1.post(f"/orders/{order.pk}/action/request_approval/")
    sup = login("sup")
    sup.post(f"/orders/{order.pk}/action/reject_verbal/", {"reason": ""})
    assert Order.objects.get(pk=order.pk).status == OrderStatus.AWAITING_APPROVAL
    sup.post(f"/orders/{order.pk}/action/approve_verbal/", {"reason": "客户电话确认"})
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT and order.verbal_approved_by == people["sup"]


def test_auditor_posts_change_nothing(people, customer, product, login):
    # given a draft order and the read-only auditor
    order = make_order(people, customer, product)
    auditor = login("auditor")
    events = order.events.count()
    # when the auditor posts a new order, an edit and every action
    assert auditor.post("/orders/new/", form_data(customer, product, customer_po="AUD")).status_code == 403
    assert (
        auditor.post(f"/orders/{order.pk}/edit/", form_data(customer, product, version="1")).status_code
        == 403
    )
    for action in ("submit_review", "hold", "cancel", "receive_original"):
        response = auditor.post(f"/orders/{order.pk}/action/{action}/", {"reason": "audit"})
        assert response.status_code == 302
        assert messages_of(response)
    # then nothing changed, and the auditor is offered no actions
    order.refresh_from_db()
    assert Order.objects.count() == 1 and order.status == OrderStatus.DRAFT and order.version == 1
    assert order.events.count() == events
    assert auditor.get(f"/orders/{order.pk}/").context["actions"] == []


# ------------------------------------------------------------------------------------- planner queue


def test_planner_queue_groups_by_family_and_work_centre(people, customer, product, login):
    # given a released order with lines of two product families, and another in a single family
    other = ProductFactory(family="梭织", work_centre="缝制二线")
    mixed = approved_order(people, customer, product)
    two = order_create(
        actor=people["m1"],
        data=order_payload(
            customer,
            product,
            customer_po="TWO",
            lines=[
                {"product": product.code, "quantity": "10", "unit_price": "1"},
                {"product": other.code, "quantity": "5", "unit_price": "2"},
            ],
        ),
    )
    review = review_open(order=two, actor=people["m1"])
    for item in review.items.all():
        review_item_sign(item=item, actor=people[SIGNERS[item.department]], result="pass")
    review_approve(review=review, actor=people["sup"], promised_date=review.feasible_date)
    order_release(order=Order.objects.get(pk=mixed.pk), actor=people["m1"])
    order_release(order=Order.objects.get(pk=two.pk), actor=people["m1"])
    order_planner_acknowledge(order=Order.objects.get(pk=mixed.pk), actor=people["planner"])
    planner = login("planner")
    # when the planner opens the queue
    response = planner.get("/orders/planner/")
    # then the two-family order is in both groups, and unacknowledged orders come first
    groups = {(g["family"], g["work_centre"]): g for g in response.context["groups"]}
    assert set(groups) == {("针织", ""), ("梭织", "缝制二线")}
    assert [e["order"].pk for e in groups[("针织", "")]["orders"]] == [two.pk, mixed.pk]
    assert [e["order"].pk for e in groups[("梭织", "缝制二线")]["orders"]] == [two.pk]
    assert groups[("梭织", "缝制二线")]["orders"][0]["quantity"] == Decimal("5")
    # and the acknowledge button posts back to the queue
    assert [a["name"] for a in groups[("针织", "")]["orders"][0]["actions"]] == ["acknowledge"]
    assert [a["name"] for a in groups[("针织", "")]["orders"][1]["actions"]] == ["start_production"]
    response = planner.post(f"/orders/{two.pk}/action/acknowledge/", {"next": "/orders/planner/"})
    assert response.status_code == 302 and response["Location"] == "/orders/planner/"
    assert Order.objects.get(pk=two.pk).planner_ack_by == people["planner"]
    planner.post(f"/orders/{two.pk}/action/start_production/", {"next": "https://evil.example/"})
    assert Order.objects.get(pk=two.pk).status == OrderStatus.IN_PRODUCTION
    # an order in production leaves the queue
    remaining = login("planner").get("/orders/planner/").context["groups"]
    assert [[e["order"].pk for e in g["orders"]] for g in remaining] == [[mixed.pk]]


def test_next_parameter_cannot_leave_the_site(people, customer, product, login):
    order = make_order(people, customer, product)
    response = login("m1").post(
        f"/orders/{order.pk}/action/hold/", {"reason": "等唛头", "next": "https://evil.example/"}
    )
    assert response["Location"] == f"/orders/{order.pk}/"


def test_released_order_links_the_business_notice(people, customer, product, login):
    order = approved_order(people, customer, product)
    order_release(order=order, actor=people["m1"])
    body = login("m1").get(f"/orders/{order.pk}/").content.decode()
    assert f'href="/orders/{order.pk}/notice.pdf"' in body


def test_due_date_filter(people, customer, product, login):
    early = make_order(people, customer, product, customer_po="E", requested_date="2026-12-01")
    make_order(people, customer, product, customer_po="L", requested_date="2027-03-01")
    response = login("m1").get("/orders/", {"due_to": dt.date(2026, 12, 31).isoformat()})
    assert [o.pk for o in response.context["page"].object_list] == [early.pk]
