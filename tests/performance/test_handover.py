import datetime as dt
from unittest import mock

import pytest

from gendan.core.errors import PermissionDeniedError
from gendan.orders.models import OrderEvent
from gendan.orders.selectors import order_visible_list
from gendan.orders.services import order_create
from gendan.performance.models import Handover, Violation, ViolationCode
from gendan.performance.services import (
    handover_approve,
    handover_request,
    handovers_expire,
    violation_candidates_scan,
)
from tests.factories import order_payload

START, END = dt.date(2026, 12, 1), dt.date(2026, 12, 10)


def visible_pos(user):
    return set(order_visible_list(user=user).values_list("customer_po", flat=True))


def on(day):
    return mock.patch("django.utils.timezone.localdate", return_value=day)


def test_substitute_sees_orders_during_leave_only_and_timeline_shows_both_ends(people, customer, product):
    m1, m2, m3 = people["m1"], people["m2"], people["m3"]
    first = order_create(actor=m1, data=order_payload(customer, product, customer_po="H1"))
    order_create(actor=m1, data=order_payload(customer, product, customer_po="H2"))
    handover = handover_request(
        actor=m1, owner=m1, substitute=m2, starts_on=START, ends_on=END, reason="年假"
    )
    assert handover.items.count() == 2
    with pytest.raises(PermissionDeniedError):
        handover_approve(handover=handover, actor=people["sup2"])  # not m1's supervisor
    handover_approve(handover=handover, actor=people["sup"])
    with on(START - dt.timedelta(days=1)):
        assert visible_pos(m2) == set()  # not yet
    with on(dt.date(2026, 12, 5)):
        assert visible_pos(m2) == {"H1", "H2"}  # during the leave
        assert visible_pos(m3) == set()  # another colleague sees nothing
    with on(END + dt.timedelta(days=1)):
        assert handovers_expire() == 1
        assert handovers_expire() == 0  # idempotent
        assert visible_pos(m2) == set()  # access returned
        assert visible_pos(m1) == {"H1", "H2"}
    phases = list(first.events.filter(type=OrderEvent.Type.HANDOVER).values_list("data__phase", flat=True))
    assert phases == ["start", "end"]
    assert Handover.objects.get().status == Handover.Status.RETURNED


def test_leave_without_an_approved_handover_is_proposed_as_violation_6(people, customer, product):
    order_create(actor=people["m1"], data=order_payload(customer, product, customer_po="L1"))
    handover_request(actor=people["m1"], owner=people["m1"], starts_on=START, ends_on=END)
    assert violation_candidates_scan(today=START - dt.timedelta(days=1)) == 0
    assert violation_candidates_scan(today=START) == 1
    assert violation_candidates_scan(today=START) == 0  # never proposed twice
    proposal = Violation.objects.get()
    assert proposal.code == ViolationCode.NO_HANDOVER and proposal.status == Violation.Status.PROPOSED
