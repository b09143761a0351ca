import datetime as dt

import pytest
from django.utils import timezone

from gendan.accounts.models import Delegation
from gendan.orders.selectors import order_visible_list
from gendan.orders.services import order_create
from gendan.parties.selectors import customer_visible_list
from tests.factories import CustomerFactory, order_payload


@pytest.fixture
def orders(people, customer, other_customer, product):
    mine = order_create(actor=people["m1"], data=order_payload(customer, product, customer_po="A"))
    theirs = order_create(actor=people["m3"], data=order_payload(other_customer, product, customer_po="B"))
    m2_customer = CustomerFactory(merchandiser=people["m2"])
    teammate = order_create(actor=people["m2"], data=order_payload(m2_customer, product, customer_po="C"))
    return {"mine": mine, "theirs": theirs, "teammate": teammate}


def visible(user):
    return set(order_visible_list(user=user).values_list("customer_po", flat=True))


def test_each_role_sees_its_rows(people, orders):
    assert visible(people["m1"]) == {"A"}
    assert visible(people["m3"]) == {"B"}
    assert visible(people["sup"]) == {"A", "C"}  # team of m1 and m2
    assert visible(people["sup2"]) == {"B"}
    assert visible(people["sales"]) == {"A"}  # salesperson of customer A
    for role in ("gm", "auditor", "admin"):
        assert visible(people[role]) == {"A", "B", "C"}
    assert visible(people["planner"]) == set()  # nothing released yet
    assert visible(people["tech"]) == set()  # nothing in review yet


def test_customers_scope(people, customer, other_customer):
    assert set(customer_visible_list(user=people["m1"])) == {customer}
    assert set(customer_visible_list(user=people["m3"])) == {other_customer}
    assert set(customer_visible_list(user=people["sales"])) == {customer}
    assert set(customer_visible_list(user=people["gm"])) == {customer, other_customer}


def test_handover_gives_the_substitute_access_for_the_period_only(people, orders):
    today = timezone.localdate()
    Delegation.objects.create(
        owner=people["m1"],
        substitute=people["m3"],
        starts_on=today,
        ends_on=today + dt.timedelta(days=5),
        approved=True,
    )
    assert visible(people["m3"]) == {"A", "B"}
    assert visible(people["m2"]) == {"C"}  # a colleague without the handover sees nothing more
    Delegation.objects.all().delete()
    Delegation.objects.create(
        owner=people["m1"],
        substitute=people["m3"],
        starts_on=today - dt.timedelta(days=9),
        ends_on=today - dt.timedelta(days=1),
        approved=True,
    )
    assert visible(people["m3"]) == {"B"}


def test_inactive_user_sees_nothing(people, orders):
    people["gm"].is_active = False
    people["gm"].save()
    people["gm"].__dict__.pop("roles", None)
    assert visible(people["gm"]) == set()


def test_within_a_request_handed_over_work_is_read_once_and_follows_every_handover_change(
    people, orders, django_assert_num_queries
):
    from gendan.accounts.scope import acting_for, scope_cache

    today = timezone.localdate()
    m1, m3 = people["m1"], people["m3"]
    # outside a request nothing is kept: each call asks the database
    with django_assert_num_queries(2):
        acting_for(m3), acting_for(m3)
    with scope_cache():
        # given a request, when the scope is asked for again, then the database is asked once
        with django_assert_num_queries(1):
            assert acting_for(m3) == acting_for(m3) == [m3.pk]
        # when a handover is approved in the same request, then the next answer includes it
        delegation = Delegation.objects.create(
            owner=m1, substitute=m3, starts_on=today, ends_on=today + dt.timedelta(days=5), approved=True
        )
        assert visible(m3) == {"A", "B"}
        # a caller changing the list it got does not change what the next caller gets
        acting_for(m3).append(999)
        assert acting_for(m3) == [m3.pk, m1.pk]
        # when it is returned early (saved) or removed (deleted), then the work goes back at once
        delegation.approved = False
        delegation.save()
        assert visible(m3) == {"B"}
        delegation.approved = True
        delegation.save()
        assert visible(m3) == {"A", "B"}
        Delegation.objects.all().delete()
        assert visible(m3) == {"B"}
