"""System writes never bump the version a user is editing (no false 409s).

Every write on or about an order that is not a user's edit: the review's feasible date (written by
`review_open` next to the submit transition), the follow-up scan (original-pending reminders, risk, overdue
milestones), the materials scan, the capacity schedule, KPI recomputation and violation candidates, the
receivables reminder, notifications, an export, the API token's last-used stamp. A user who loaded version N
before them still saves with N.
"""

import datetime as dt

from django.test import Client
from django.utils import timezone

from gendan.capacity.services import schedule_run
from gendan.followup.scan import followup_scan
from gendan.ledger.services import receivables_overdue_remind
from gendan.materials.services import materials_scan
from gendan.notify.models import Notification
from gendan.notify.services import notify
from gendan.orders.models import Order, OrderEvent, OrderStatus
from gendan.performance.services import monthly_scores_refresh, violation_candidates_scan
from tests.api.conftest import SIGNERS, build_order
from tests.factories import PASSWORD, order_payload

LATER = dt.date(2027, 2, 20)  # months after the orders: reminders, overdue milestones and risks are due


def _system_writes(people, order: Order) -> list[str]:
    """Run every background job and system write once; return the types of the events they left on `order`."""
    before = set(order.events.values_list("pk", flat=True))
    now = timezone.make_aware(dt.datetime.combine(LATER, dt.time(9, 0)))
    followup_scan(now=now)
    materials_scan(today=LATER)
    schedule_run(today=LATER)
    monthly_scores_refresh(merchandiser_ids=[people["m1"].pk], month=dt.date(2026, 11, 1))
    violation_candidates_scan(today=LATER)
    receivables_overdue_remind(as_of=LATER)
    notify(recipients=[people["m1"]], kind="test.system", title="系统通知", order_id=order.pk)
    # an export of the order list by its merchandiser (audited, read-only on the orders)
    client = Client()
    assert client.login(username="m1", password=PASSWORD)
    assert client.get("/orders/export.xlsx").status_code == 200
    return list(order.events.exclude(pk__in=before).values_list("type", flat=True))


def test_a_user_editing_a_draft_saves_with_the_version_read_before_any_system_write(
    api, people, customer, product
):
    # given a draft taken from a fax months ago (its original still pending), loaded by its merchandiser
    m1 = api("m1")
    payload = order_payload(
        customer,
        product,
        customer_po="SYS-1",
        source_document="fax",
        order_date="2026-10-08",
        requested_date="2026-12-20",
    )
    created = m1.post("/orders", payload)
    assert created.status_code == 201, created.content
    order_id = created.json()["id"]
    loaded = m1.get(f"/orders/{order_id}").json()
    version = loaded["version"]

    # when every system write runs (and the token is used again and again)
    order = Order.objects.get(pk=order_id)
    new_events = _system_writes(people, order)
    for _ in range(3):
        assert m1.get(f"/orders/{order_id}").status_code == 200

    # then they really wrote about this order (the scan's original reminder, the notification)
    assert OrderEvent.Type.ORIGINAL_REMINDER in new_events, new_events
    assert Notification.objects.filter(order_id=order_id).count() >= 2
    # but the version is the one the user read, and the user's save with it lands
    assert Order.objects.get(pk=order_id).version == version
    edit = {**payload, "requirements": "客户改为环保包装", "version": version}
    response = m1.put(f"/orders/{order_id}", edit)
    assert response.status_code == 200, response.content
    assert response.json()["version"] == version + 1
    assert response.json()["requirements"] == "客户改为环保包装"


def test_the_reviews_feasible_date_adds_no_version_and_a_rejected_order_stays_editable(
    api, people, customer, product
):
    # given a draft at version N
    m1 = api("m1")
    payload = order_payload(customer, product, customer_po="SYS-2")
    order = m1.post("/orders", payload).json()
    version = order["version"]
    # when it is submitted for review: the user's act (one bump) and the system's feasible date (none)
    submitted = m1.post(f"/orders/{order['id']}/actions/submit_review").json()
    assert submitted["feasible_date"] is not None
    assert submitted["version"] == version + 1
    assert Order.objects.get(pk=order["id"]).version == version + 1
    # and the review is rejected (the supervisor's act: one bump), then the system writes run
    response = api("sup").post(f"/reviews/{submitted['review_id']}/reject", {"reason": "价格不可接受"})
    assert response.status_code == 200, response.content
    rejected = m1.get(f"/orders/{order['id']}").json()
    assert rejected["status"] == OrderStatus.REJECTED and rejected["version"] == version + 2
    _system_writes(people, Order.objects.get(pk=order["id"]))
    # then the merchandiser revises the rejected order with the version read before them
    edit = {
        **payload,
        "lines": [{**payload["lines"][0], "unit_price": "11.80"}],
        "version": rejected["version"],
    }
    response = m1.put(f"/orders/{order['id']}", edit)
    assert response.status_code == 200, response.content
    assert response.json()["version"] == version + 3


def test_background_jobs_on_an_order_in_production_leave_its_version_alone(people, customer, product):
    # given an order walked to production (review, approval, release with its T&A plan and materials,
    # planner's acknowledgement), at version N
    order = build_order(people, customer, product, OrderStatus.IN_PRODUCTION, customer_po="SYS-3")
    version = Order.objects.get(pk=order.pk).version
    signed = order.events.filter(type=OrderEvent.Type.REVIEW_SIGNED).count()
    assert signed == len(SIGNERS)
    # when the scans, schedule, KPI and notification jobs run on it
    new_events = _system_writes(people, order)
    # then they wrote about it (risk, overdue milestones …) and the version did not move
    assert new_events, "the background jobs wrote nothing about the order: the check would prove nothing"
    assert Order.objects.get(pk=order.pk).version == version, new_events
