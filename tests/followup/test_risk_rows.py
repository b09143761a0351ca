"""risk._rows converts each distinct raw value once: the same tuples as iterating the queryset."""

import datetime as dt
from decimal import Decimal

from django.db.models import Max, Min

from gendan.followup.models import OrderRisk, ProgressRecord
from gendan.followup.risk import _rows
from gendan.followup.scan import followup_scan
from gendan.followup.services import progress_record_create
from gendan.orders.models import DUE_DATE, Order
from tests.followup.conftest import at, order_in_production


def test_rows_are_the_tuples_the_queryset_gives(people, customer, product, clock):
    # given two orders in production with records (repeated and distinct quantities) and stored risk rows
    orders = [
        order_in_production(
            people, customer, product, clock, promised=promised, po=f"R-{n}", start=at(2026, 3, 2, 8)
        )
        for n, promised in enumerate([dt.date(2026, 3, 20), dt.date(2026, 3, 5)])
    ]
    for moment, quantities in ((at(2026, 3, 2, 9, 30), (100, 100)), (at(2026, 3, 3, 9, 30), (150.5, 100))):
        clock.set(moment)
        for order, quantity in zip(orders, quantities, strict=True):
            progress_record_create(
                order=order, actor=people["m1"], stage="production", quantity_done=Decimal(str(quantity))
            )
    followup_scan()
    querysets = [
        OrderRisk.objects.values_list(
            "order_id",
            "level",
            "reasons",
            "projected_finish",
            "daily_output",
            "quantity_done",
            "stage",
            "level_since",
            "delay_since",
        ),
        Order.objects.annotate(due=DUE_DATE).values_list("id", "due", "total_quantity", "promised_date"),
        ProgressRecord.objects.values("order_id", "stage")
        .annotate(latest=Max("quantity_done"), first_day=Min("work_date"))
        .order_by("order_id")
        .values_list("order_id", "stage", "latest", "first_day"),
        Order.objects.filter(pk__in=[]).values_list("id", "promised_date"),
    ]
    for qs in querysets:
        # when read both ways, then the rows are equal, value and type
        expected = list(qs.all())
        got = list(_rows(qs.all()))
        assert got == expected
        assert [tuple(map(type, row)) for row in got] == [tuple(map(type, row)) for row in expected]
    assert OrderRisk.objects.count() == 2
