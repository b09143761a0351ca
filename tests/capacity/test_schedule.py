"""Finite-capacity scheduling on a small case computed by hand, across the National Day holiday 2026
(10-01…10-07 off, Saturday 10-10 a make-up working day), and the review's capacity mark.

Working days from "today" Monday 2026-09-28, by index:
    d0 09-28  d1 09-29  d2 09-30  | 10-01…10-07 holiday |  d3 10-08  d4 10-09  d5 10-10 (Sat, make-up)
    d6 10-12  d7 10-13  d8 10-14  d9 10-15 …
Work centres (standard minutes per working day): CUT 480, SEW 960, PACK 480.
Routes (minutes per piece): P1 CUT 1 → SEW 4 → PACK 1;  P2 SEW 3 → PACK 2;  P3 like P2, with buttons in its BOM
(none in stock, supplier lead time 5 working days → materials ready 09-28 + 5 = 10-10).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from gendan.capacity.models import ScheduleResult, ScheduleSnapshot, WorkCentreWeekLoad
from gendan.capacity.services import schedule_run, schedule_update
from gendan.orders.services import order_hold
from tests.factories import PASSWORD, ProductFactory
from tests.materials.helpers import (
    D,
    approve,
    bom,
    draft,
    in_review,
    material,
    released,
    route,
    supplier,
    today,
    work_centre,
)

TODAY = D(2026, 9, 28)


@pytest.fixture
def plant(db):
    cut, sew, pack = work_centre("CUT", 480), work_centre("SEW", 960), work_centre("PACK", 480)
    p1 = ProductFactory(code="P1", production_cycle_days=1, material_lead_days=0)
    p2 = ProductFactory(code="P2", production_cycle_days=1, material_lead_days=0)
    p3 = ProductFactory(code="P3", production_cycle_days=1, material_lead_days=0)
    route(p1, (cut, "1"), (sew, "4"), (pack, "1"))
    route(p2, (sew, "3"), (pack, "2"))
    route(p3, (sew, "3"), (pack, "2"))
    bom(p3, material("BTN", supplier_=supplier("S1", lead=5)), "1")
    return {"CUT": cut, "SEW": sew, "PACK": pack, "P1": p1, "P2": p2, "P3": p3}


@pytest.fixture
def six_orders(people, customer, plant):
    """Six orders in the statuses that take capacity, created in an order unrelated to their priority."""
    p1, p2, p3 = plant["P1"], plant["P2"], plant["P3"]
    f = released(people, customer, p1, qty="120", po="F", promised=D(2026, 10, 20), on=D(2026, 9, 3))
    e = draft(people, customer, p3, qty="400", po="E", order_date=D(2026, 9, 4), requested=D(2026, 10, 14))
    in_review(people, e, on=TODAY)
    c = draft(people, customer, p1, qty="240", po="C", order_date=D(2026, 9, 1), requested=D(2026, 10, 12))
    in_review(people, c, on=TODAY)
    d = draft(people, customer, p2, qty="600", po="D", order_date=D(2026, 9, 1), requested=D(2026, 10, 13))
    approve(people, in_review(people, d, on=D(2026, 9, 1)), promised=D(2026, 10, 13), on=D(2026, 9, 1))
    b = released(people, customer, p2, qty="160", po="B", promised=D(2026, 10, 9), on=D(2026, 9, 2))
    a = released(people, customer, p1, qty="480", po="A", promised=D(2026, 10, 9), on=D(2026, 9, 1))
    for order in (a, b, c, d, e, f):
        order.refresh_from_db()
    return {"A": a, "B": b, "C": c, "D": d, "E": e, "F": f}


def results() -> dict[str, ScheduleResult]:
    return {r.order.customer_po: r for r in ScheduleResult.objects.select_related("order")}


def test_six_orders_three_work_centres_across_national_day(six_orders):
    # given A…F (statuses: A, B, F released; D approved; C, E in review), priority = due date, then order date:
    #   A P1×480 due 10-09 (ordered 09-01), B P2×160 due 10-09 (ordered 09-02), C P1×240 due 10-12,
    #   D P2×600 due 10-13, E P3×400 due 10-14 (materials 10-10), F P1×120 due 10-20
    # when the schedule runs on Monday 2026-09-28
    with today(TODAY):
        snapshot = schedule_run(today=TODAY)

    # then, by hand (minutes booked per day; a step starts no earlier than the day the previous one ends):
    #   A  CUT 480: d0 (full).  SEW 1920: d0 960, d1 960.  PACK 480: d1 (full)                → 09-29
    #   B  SEW 480: d0, d1 full → d2 480.  PACK 320: d2 (160 left)                            → 09-30
    #   C  CUT 240: d1 (240 left).  SEW 960: d2 480, d3 480.  PACK 240: d3 (240 left)          → 10-08 (holiday skipped)
    #   D  SEW 1800: d3 480, d4 960, d5 360.  PACK 1200 from d5: d5 480, d6 480, d7 240         → 10-13 (uses make-up 10-10)
    #   E  from 10-10 (d5). SEW 1200: d5 600, d6 600.  PACK 800 from d6: d6 full, d7 240,
    #      d8 480, d9 80                                                                       → 10-15, one day late
    #   F  CUT 120: d1.  SEW 480: d1…d5 full → d6 360, d7 120.  PACK 120 from d7: d7, d8 full
    #      → d9 120                                                                           → 10-15
    got = results()
    assert {po: r.completion_date for po, r in got.items()} == {
        "A": D(2026, 9, 29),
        "B": D(2026, 9, 30),
        "C": D(2026, 10, 8),
        "D": D(2026, 10, 13),
        "E": D(2026, 10, 15),
        "F": D(2026, 10, 15),
    }
    assert {po for po, r in got.items() if r.is_late} == {"E"}
    assert got["E"].material_ready_date == D(2026, 10, 10) and got["E"].start_date == D(2026, 10, 10)
    assert got["F"].start_date == D(2026, 9, 29) and got["B"].start_date == D(2026, 9, 30)
    assert got["D"].load == {"SEW": 1800.0, "PACK": 1200.0}
    assert snapshot.kind == ScheduleSnapshot.Kind.FULL and snapshot.orders == 6
    assert snapshot.horizon_start == TODAY

    # and the weekly load: the week of 09-28 has 3 working days (CUT capacity 1440), booked 480 (A) + 240 (C)
    # + 120 (F); the week of 10-05 has 10-08, 10-09 and the make-up Saturday 10-10
    cut = {w.week_start: w for w in WorkCentreWeekLoad.objects.filter(work_centre__code="CUT")}
    assert (cut[D(2026, 9, 28)].capacity_minutes, cut[D(2026, 9, 28)].load_minutes) == (1440, 840)
    pack = {w.week_start: w for w in WorkCentreWeekLoad.objects.filter(work_centre__code="PACK")}
    # PACK in the week of 10-05: d3 C 240, F nothing; d4 nothing; d5 D 480 → 720 of 1440
    assert (pack[D(2026, 10, 5)].capacity_minutes, pack[D(2026, 10, 5)].load_minutes) == (1440, 720)
    # due that week: A 480 + B 320 at PACK
    assert pack[D(2026, 10, 5)].demand_minutes == 800
    assert not WorkCentreWeekLoad.objects.filter(overloaded=True).exists()


def test_a_change_is_applied_incrementally_and_equals_a_full_run(
    people, six_orders, django_capture_on_commit_callbacks
):
    # given the stored schedule of the six orders (committed: the process keeps its copy)
    with today(TODAY), django_capture_on_commit_callbacks(execute=True):
        schedule_run(today=TODAY)
    with today(TODAY):
        # when C goes on hold (it leaves the schedule) and the noted change is applied
        order_hold(order=six_orders["C"], actor=people["sup"], reason="客户暂停")
        snapshot = schedule_update(today=TODAY)
    incremental = {po: (r.start_date, r.completion_date, r.is_late) for po, r in results().items()}
    weeks = sorted(WorkCentreWeekLoad.objects.values_list("work_centre__code", "week_start", "load_minutes"))

    # then only the orders behind C were recomputed: without C, D sews on d2 480, d3 960, d4 360 and packs
    # d4 480, d5 480, d6 240 → 10-12; E and F move up with it
    assert snapshot.kind == ScheduleSnapshot.Kind.INCREMENTAL
    assert "C" not in incremental and incremental["D"][1] == D(2026, 10, 12)
    assert incremental["A"] == (D(2026, 9, 28), D(2026, 9, 29), False)
    # and the result is exactly what a full run gives
    with today(TODAY):
        schedule_run(today=TODAY)
    assert {po: (r.start_date, r.completion_date, r.is_late) for po, r in results().items()} == incremental
    assert (
        sorted(WorkCentreWeekLoad.objects.values_list("work_centre__code", "week_start", "load_minutes"))
        == weeks
    )


def test_review_marks_an_order_whose_requested_date_is_beyond_capacity(people, customer, plant, six_orders):
    # given the six orders scheduled, and a new order G: P1 × 600 requested for 10-09, ordered today
    with today(TODAY):
        schedule_run(today=TODAY)
    g = draft(people, customer, plant["P1"], qty="600", po="G", order_date=TODAY, requested=D(2026, 10, 9))

    # when it goes to review
    review = in_review(people, g, on=TODAY)

    # then only A and B come before it (due 10-09, ordered earlier):
    #   CUT 600: d0 full (A) → d1 480, d2 120.  SEW 2400 from d2: d2 480 (B took 480), d3 960, d4 960.
    #   PACK 600 from d4: d4 480, d5 120 → 10-10, later than the requested 10-09
    basis = review.feasible_basis
    assert basis["scheduled_completion"] == "2026-10-10" and basis["capacity_late"] is True
    # and the proposed date is the latest of the cycle (09-28 + 1 working day), the schedule and materials
    assert basis["cycle_date"] == "2026-09-29" and basis["material_ready"] is None
    assert review.feasible_date == dt.date(2026, 10, 10)
    # and the review page shows the mark
    client = Client()
    assert client.login(username="sup", password=PASSWORD)
    page = client.get(f"/reviews/{review.pk}/").content.decode()
    assert 'class="msg error" data-testid="capacity"' in page and "2026-10-10" in page


def test_review_of_an_order_that_fits_is_not_marked(people, customer, plant, six_orders):
    with today(TODAY):
        schedule_run(today=TODAY)
    h = draft(people, customer, plant["P3"], qty="10", po="H", order_date=TODAY, requested=D(2026, 10, 30))
    review = in_review(people, h, on=TODAY)
    basis = review.feasible_basis
    # P3 needs buttons (none free; lead 5 → 10-10 = d5). After the six orders (all due before 10-30):
    # SEW 30 from d5: d5 full (D, E), d6 full (E 600 + F 360) → d7 (F took 120).  PACK 20 from d7: d7 full
    # (D, E), d8 full (E) → d9 (E 80, F 120: 280 left) → 10-15, well before 10-30
    assert basis["material_ready"] == "2026-10-10"
    assert basis["scheduled_start"] == "2026-10-13" and basis["scheduled_completion"] == "2026-10-15"
    assert basis["capacity_late"] is False
    assert review.feasible_date == dt.date(2026, 10, 15)
    client = Client()
    assert client.login(username="sup", password=PASSWORD)
    page = client.get(f"/reviews/{review.pk}/").content.decode()
    assert 'class="muted" data-testid="capacity"' in page
    assert Decimal(h.lines.get().quantity) == Decimal("10")


def test_without_work_centres_nothing_is_noted_and_the_review_still_sees_materials(people, customer):
    # given no work centre at all, and a style whose buttons are not in stock (supplier lead 5 working days)
    from gendan.capacity.models import ScheduleChange

    style = ProductFactory(code="NOWC", production_cycle_days=1, material_lead_days=0)
    bom(style, material("BTN2", supplier_=supplier("S9", lead=5)), "1")
    order = draft(people, customer, style, qty="10", po="N", order_date=TODAY, requested=D(2026, 10, 30))
    # when it goes to review
    review = in_review(people, order, on=TODAY)
    # then the feasible date waits for the buttons: 09-28 + 5 working days = 09-29, 09-30, (National Day)
    # 10-08, 10-09 and the make-up Saturday 10-10
    assert review.feasible_basis["material_ready"] == "2026-10-10"
    assert review.feasible_date == D(2026, 10, 10)
    assert review.feasible_basis["has_route"] is False and review.feasible_basis["capacity_late"] is False
    # and no schedule change was noted (there is no schedule to keep)
    assert not ScheduleChange.objects.exists()
