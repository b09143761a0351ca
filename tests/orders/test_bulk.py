"""Batch transitions (gendan.orders.bulk): scope, the table, all or none, hooks per order or per batch."""

import datetime as dt
from unittest import mock

import pytest

from gendan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError, TransitionError
from gendan.followup.models import TaPlan
from gendan.orders import bulk
from gendan.orders import services as order_services
from gendan.orders.bulk import order_release_many, order_transition_many
from gendan.orders.models import Order, OrderEvent, OrderStatus
from gendan.orders.services import order_create
from gendan.reviews.services import review_approve, review_open
from tests.factories import order_payload
from tests.reviews.test_services import sign_all


def _approved(people, customer, product, po: str) -> Order:
    order = order_create(actor=customer.merchandiser, data=order_payload(customer, product, customer_po=po))
    review = review_open(order=order, actor=customer.merchandiser)
    sign_all(review, people)
    lead = customer.merchandiser.supervisor
    review_approve(review=review, actor=lead, promised_date=review.feasible_date + dt.timedelta(days=1))
    return Order.objects.get(pk=order.pk)


def test_release_many_releases_every_order_with_its_plan(people, customer, product):
    orders = [_approved(people, customer, product, f"REL-{n}") for n in range(3)]
    released = order_release_many(orders=orders, actor=people["m1"])
    assert [o.pk for o in released] == [o.pk for o in orders]
    for order in Order.objects.filter(pk__in=[o.pk for o in orders]):
        assert order.status == OrderStatus.RELEASED and order.released_at is not None
        assert order.version == orders[0].version + 1
        event = order.events.filter(type=OrderEvent.Type.TRANSITION).latest("id")
        assert (event.from_status, event.to_status, event.data["action"]) == (
            "approved",
            "released",
            "release",
        )
    assert TaPlan.objects.filter(order__in=orders).count() == 3


def test_a_merchandiser_cannot_release_another_ones_orders(people, customer, other_customer, product):
    mine = _approved(people, customer, product, "SCOPE-1")
    theirs = _approved(people, other_customer, product, "SCOPE-2")
    with pytest.raises(NotFoundError) as exc:
        order_release_many(orders=[mine, theirs], actor=people["m1"])
    assert list(exc.value.extra["fields"]) == ["orders.1"]
    assert Order.objects.get(pk=mine.pk).status == OrderStatus.APPROVED
    assert not TaPlan.objects.exists()


def test_release_many_is_all_or_nothing_on_an_order_not_approved(people, customer, product):
    approved = _approved(people, customer, product, "AON-1")
    draft = order_create(actor=people["m1"], data=order_payload(customer, product, customer_po="AON-2"))
    events = OrderEvent.objects.count()
    with pytest.raises(TransitionError) as exc:
        order_release_many(orders=[approved.pk, draft.pk], actor=people["m1"])
    assert list(exc.value.extra["fields"]) == ["orders.1"] and draft.number in exc.value.message
    assert Order.objects.get(pk=approved.pk).status == OrderStatus.APPROVED
    assert OrderEvent.objects.count() == events and not TaPlan.objects.exists()


def test_release_many_role_reason_and_single_only_actions(people, customer, product):
    order = _approved(people, customer, product, "ROLE-1")
    with pytest.raises(PermissionDeniedError):
        order_release_many(orders=[order], actor=people["sales"])
    with pytest.raises(PermissionDeniedError):
        order_release_many(orders=[order], actor=people["auditor"])
    with pytest.raises(ApplicationError) as exc:
        order_transition_many(orders=[order], actor=people["sup"], action="cancel")
    assert exc.value.code == "reason_required"
    with pytest.raises(ValueError):
        order_transition_many(orders=[order], actor=people["sup"], action="hold", reason="暂停")
    assert Order.objects.get(pk=order.pk).status == OrderStatus.APPROVED


def test_hooks_run_per_order_unless_a_batch_variant_is_registered(people, customer, product):
    orders = [_approved(people, customer, product, f"HOOK-{n}") for n in range(2)]
    calls: list[tuple] = []

    def single(*, order, actor):
        calls.append(("single", order.pk))

    def per_order(*, order, actor):
        calls.append(("per-order", order.pk))

    def many(*, orders, actor):
        calls.append(("many", tuple(o.pk for o in orders)))

    with (
        mock.patch.object(order_services, "ORDER_RELEASED_HOOKS", [single, per_order]),
        mock.patch.dict(bulk.ORDER_RELEASED_MANY_HOOKS, {single: many}, clear=True),
    ):
        order_release_many(orders=orders, actor=people["m1"])
    pks = tuple(o.pk for o in orders)
    assert calls == [("many", pks), ("per-order", pks[0]), ("per-order", pks[1])]


def test_cancel_many_runs_the_transition_hooks_of_each_order(people, customer, product):
    # the reviews' hook has no batch variant: it runs per order and cancels each open review
    order = order_create(actor=people["m1"], data=order_payload(customer, product, customer_po="CXL-1"))
    review = review_open(order=order, actor=people["m1"])
    cancelled = order_transition_many(orders=[order], actor=people["sup"], action="cancel", reason="客户取消")
    assert cancelled[0].status == OrderStatus.CANCELLED
    review.refresh_from_db()
    assert review.status == "cancelled"
