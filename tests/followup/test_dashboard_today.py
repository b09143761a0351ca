"""The dashboard's "follow-ups due today": the orders of the today list with a slot still to record."""

import datetime as dt

from gendan.followup.selectors import followup_dashboard, followup_today
from gendan.followup.services import progress_record_create
from tests.followup.conftest import at, order_in_production


def test_given_one_order_fully_recorded_when_the_dashboard_is_read_then_only_the_other_is_due(
    people, customer, product, clock
):
    start = at(2026, 3, 2, 8)
    done = order_in_production(
        people, customer, product, clock, promised=dt.date(2026, 6, 1), po="D-1", start=start
    )
    open_ = order_in_production(
        people, customer, product, clock, promised=dt.date(2026, 6, 2), po="D-2", start=start
    )
    clock.set(at(2026, 3, 2, 11))
    progress_record_create(order=done, actor=people["m1"], stage="production", quantity_done="10")
    clock.set(at(2026, 3, 2, 15))
    progress_record_create(order=done, actor=people["m1"], stage="production", quantity_done="20")

    today = followup_today(user=people["m1"])
    dashboard = followup_dashboard(user=people["m1"])

    assert [row["order"].pk for row in today] == [done.pk, open_.pk]
    assert all("risk" in row for row in today)
    rows = dashboard["followup_slots_open"]
    assert [row["order"].pk for row in rows] == [open_.pk]
    assert rows[0]["order"].number == open_.number and rows[0]["order"].customer.name == customer.name
    assert [slot["done"] for slot in rows[0]["slots"]] == [False, False]
    assert rows[0]["slots"][0]["missed"]  # the morning slot ended at noon


def test_given_a_limit_when_only_open_rows_are_asked_then_at_most_that_many_come(
    people, customer, product, clock
):
    start = at(2026, 3, 2, 8)
    for index in range(3):
        order_in_production(
            people,
            customer,
            product,
            clock,
            promised=dt.date(2026, 6, 1 + index),
            po=f"L-{index}",
            start=start,
        )
    clock.set(at(2026, 3, 2, 9))
    assert len(followup_today(user=people["m1"], open_only=True, limit=2)) == 2
    assert len(followup_today(user=people["sup"], open_only=True, limit=20)) == 3
