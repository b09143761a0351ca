import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from gendan.core.errors import PermissionDeniedError, ValidationFailed
from gendan.orders.models import Order, OrderEvent, OrderStatus
from gendan.orders.services import order_create
from gendan.performance.models import (
    Kpi,
    MonthlyScore,
    PerformancePolicy,
    Violation,
    ViolationCode,
    YearBonus,
)
from gendan.performance.policy import BASELINE_DATE, bonus_for_score, policy_create, policy_in_force
from gendan.performance.services import (
    monthly_score_difference,
    monthly_score_sign,
    monthly_scores_refresh,
    violation_decide,
    violation_propose,
    violation_record,
    year_bonus_approve,
    year_bonus_compute,
)
from tests.factories import CustomerFactory, order_payload

OCT = dt.date(2026, 10, 1)


def at(day: dt.date, hour: int = 15) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def make_order(user, product, po, promised: dt.date) -> Order:
    customer = CustomerFactory(merchandiser=user)
    order = order_create(
        actor=user,
        data=order_payload(
            customer, product, customer_po=po, order_date="2026-08-01", requested_date="2026-12-31"
        ),
    )
    Order.objects.filter(pk=order.pk).update(promised_date=promised, status=OrderStatus.IN_PRODUCTION)
    return order


def ship(order: Order, day: dt.date) -> None:
    """The fact the KPIs read: the order's transition into `shipped`, at a frozen time."""
    with mock.patch("django.utils.timezone.now", return_value=at(day)):
        OrderEvent.objects.create(
            order=order,
            type=OrderEvent.Type.TRANSITION,
            from_status="in_production",
            to_status="shipped",
            data={"action": "ship"},
        )
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.SHIPPED)


@pytest.fixture
def october(people, product):
    m1, m2, m3 = people["m1"], people["m2"], people["m3"]
    a = make_order(m1, product, "A", dt.date(2026, 10, 10))
    b = make_order(m1, product, "B", dt.date(2026, 10, 20))
    c = make_order(m1, product, "C", dt.date(2026, 10, 25))
    d = make_order(m2, product, "D", dt.date(2026, 10, 5))
    e = make_order(m2, product, "E", dt.date(2026, 11, 10))
    f = make_order(m3, product, "F", dt.date(2026, 9, 28))
    ship(a, dt.date(2026, 10, 9))
    ship(b, dt.date(2026, 10, 22))
    ship(d, dt.date(2026, 10, 5))
    ship(e, dt.date(2026, 10, 30))
    ship(f, dt.date(2026, 10, 3))
    violation_record(
        actor=people["sup"],
        merchandiser=m1,
        code=ViolationCode.NO_FOLLOWUP,
        occurred_on=dt.date(2026, 10, 15),
        description="客户投诉未及时跟进",
        order=c,
    )
    violation_propose(
        merchandiser_id=m3.pk,
        code=ViolationCode.CONCEALED_DELAY,
        occurred_on=dt.date(2026, 10, 4),
        source_key="test:f",
        evidence=[{"order": f.number}],
    )
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f}


def test_month_of_three_merchandisers_kpis_deductions_scores_and_drill_down(people, october):
    o = october
    ids = [people[k].pk for k in ("m1", "m2", "m3")]
    scores = {s.merchandiser_id: s for s in monthly_scores_refresh(merchandiser_ids=ids, month=OCT)}
    m1, m2, m3 = (scores[people[k].pk] for k in ("m1", "m2", "m3"))
    # m1: due in October A, B, C; shipped by 10-31: A, B → completion 2/3 = 66.67 %
    #     first shipped in October: A (10-09 ≤ 10-10 on time), B (10-22 > 10-20 late) → on time 1/2 = 50.00 %
    # follow-up compliance: October 2026 has 18 working days (10-01…07 holidays, 10-10 a make-up Saturday),
    #     2 record slots each; in production and unrecorded: A 10-08…10-09 (4 slots, shipped 10-09 15:00 after
    #     the afternoon slot began), B 10-08…10-22 (12 days, 24), C all month (36) → 0 made of 64 due = 0.00 %
    #     complaints: shipped this month, none received → 100
    #     weighted (30 × 66.67 + 30 × 50.00 + 10 × 0 + 10 × 100) / 80 = 56.25125 → 56.25; one violation (1) → 55.25
    assert m1.kpis[Kpi.COMPLIANCE]["value"] == "0.00" and m1.kpis[Kpi.COMPLIANCE]["denominator"] == 64
    assert m1.kpis[Kpi.COMPLAINTS]["value"] == "100.00" and m1.kpis[Kpi.SATISFACTION]["value"] is None
    assert (m1.weighted, m1.deductions, m1.score) == (Decimal("56.25"), Decimal("1.00"), Decimal("55.25"))
    # m2: due in October D (shipped 10-05) → 100 %; shipped in October D (on time) and E (10-30, due 11-10) → 100 %
    #     compliance: D left production on a holiday (0 slots), E 10-08…10-30 (36) → 0 of 36
    #     weighted (30 × 100 + 30 × 100 + 10 × 0 + 10 × 100) / 80 = 87.50
    assert m2.kpis[Kpi.COMPLETION]["value"] == "100.00" and m2.kpis[Kpi.COMPLETION]["orders"] == [o["d"].pk]
    assert m2.kpis[Kpi.ON_TIME]["orders"] == sorted([o["d"].pk, o["e"].pk])
    assert m2.kpis[Kpi.COMPLIANCE]["denominator"] == 36
    assert m2.score == Decimal("87.50")
    # m3: nothing due in October → completion not measured; F shipped 10-03 after its 09-28 promise → 0 %;
    #     F left production on a holiday → no record was due; the proposed violation deducts nothing
    assert m3.kpis[Kpi.COMPLETION]["value"] is None and m3.kpis[Kpi.COMPLIANCE]["value"] is None
    assert m3.kpis[Kpi.ON_TIME]["value"] == "0.00" and m3.kpis[Kpi.ON_TIME]["missed"] == [o["f"].pk]
    assert m3.kpis[Kpi.RESPONSE]["value"] is None  # no exception resolved in October
    # complaints 100 (F shipped in October) → weighted (30 × 0 + 10 × 100) / 40 = 25.00
    assert m3.score == Decimal("25.00")
    assert m3.deductions == Decimal("0")


def test_confirming_a_proposed_violation_lowers_the_score_by_its_deduction(people, october):
    m3 = people["m3"]
    before = monthly_scores_refresh(merchandiser_ids=[m3.pk], month=OCT)[0].score
    proposal = Violation.objects.get(source_key="test:f")
    with pytest.raises(PermissionDeniedError):  # sup is not m3's supervisor
        violation_decide(violation=proposal, actor=people["sup"], action="confirm")
    violation_decide(violation=proposal, actor=people["sup2"], action="confirm")
    after = monthly_scores_refresh(merchandiser_ids=[m3.pk], month=OCT)[0].score
    assert before - after == Decimal("3")  # concealed delay: 3 points in the default policy


def test_a_signed_month_is_frozen_against_later_policy_and_data(people, october):
    m1 = people["m1"]
    score = monthly_scores_refresh(merchandiser_ids=[m1.pk], month=OCT)[0]
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 11, 3)):
        monthly_score_sign(score=score, actor=people["sup"])
    # when a new policy version takes effect for October and another shipment appears
    policy_create(
        actor=people["admin"],
        effective_from=OCT,
        kpi_weights={
            "completion_rate": 50,
            "on_time_rate": 50,
            "satisfaction": 0,
            "complaints": 0,
            "followup_compliance": 0,
            "exception_response": 0,
        },
        violation_deductions=dict.fromkeys(ViolationCode.values, 5),
        bonus_tiers=[[90, 5000]],
    )
    ship(october["c"], dt.date(2026, 10, 28))
    refreshed = monthly_scores_refresh(merchandiser_ids=[m1.pk], month=OCT)[0]
    # then the signed month keeps its figures, and a re-computation shows the difference
    assert refreshed.score == Decimal("55.25") and refreshed.policy_id == score.policy_id
    diff = monthly_score_difference(score=refreshed)
    # now: completion 3/3 = 100, on time A, B, C(10-28 > 10-25) = 1/3 = 33.33 → (50×100 + 50×33.33)/100 = 66.67
    # (compliance and complaints now weigh 0)
    # (the violation keeps the 1 point it had when recorded)
    assert diff["now"] == Decimal("65.67") and diff["difference"] == Decimal("10.42")


@pytest.mark.parametrize(
    ("score", "amount"),
    [("69.99", 0), ("70", 1000), ("79.99", 1000), ("80", 3000), ("89.99", 3000), ("90", 5000), ("100", 5000)],
)
def test_bonus_tier_edges(db, score, amount):
    assert bonus_for_score(policy=policy_in_force(on=dt.date(2026, 12, 31)), score=Decimal(score)) == amount


def _year_of_scores(user, score: str) -> None:
    policy = policy_in_force(on=dt.date(2026, 1, 1))
    for month in range(1, 13):
        MonthlyScore.objects.create(
            merchandiser=user,
            month=dt.date(2026, month, 1),
            policy=policy,
            kpis={},
            weighted=Decimal(score),
            deductions=0,
            score=Decimal(score),
        )


def _violations(people, user, count: int) -> None:
    for index in range(count):
        violation_record(
            actor=people["sup"],
            merchandiser=user,
            code=ViolationCode.ATTITUDE,
            occurred_on=dt.date(2026, 3 + index, 2),
            description="客户投诉态度",
        )


def test_two_violations_keep_the_bonus_three_cancel_it(people):
    _year_of_scores(people["m1"], "85")
    _year_of_scores(people["m2"], "85")
    _violations(people, people["m1"], 2)
    _violations(people, people["m2"], 3)
    two = year_bonus_compute(merchandiser_id=people["m1"].pk, year=2026)
    three = year_bonus_compute(merchandiser_id=people["m2"].pk, year=2026)
    assert (two["tier_amount"], two["cancelled"], two["total"]) == (Decimal("3000"), False, Decimal("3000"))
    assert (three["tier_amount"], three["cancelled"], three["total"]) == (Decimal("3000"), True, Decimal("0"))
    assert not two["extra_reward_eligible"]


def test_clean_year_extra_reward_chosen_by_the_gm_within_the_range(people):
    _year_of_scores(people["m1"], "92.5")
    with pytest.raises(PermissionDeniedError):
        year_bonus_approve(
            actor=people["sup"], merchandiser=people["m1"], year=2026, extra_reward=Decimal("2000")
        )
    with pytest.raises(ValidationFailed):
        year_bonus_approve(
            actor=people["gm"], merchandiser=people["m1"], year=2026, extra_reward=Decimal("3500")
        )
    bonus = year_bonus_approve(
        actor=people["gm"], merchandiser=people["m1"], year=2026, extra_reward=Decimal("2000")
    )
    assert (bonus.tier_amount, bonus.extra_reward, bonus.total) == (
        Decimal("5000"),
        Decimal("2000"),
        Decimal("7000"),
    )
    assert YearBonus.objects.get(merchandiser=people["m1"], year=2026).approved_by == people["gm"]


def test_policy_versions_and_validation(people):
    assert policy_in_force(on=dt.date(2026, 5, 1)).effective_from == BASELINE_DATE
    with pytest.raises(ValidationFailed) as exc:
        policy_create(
            actor=people["admin"],
            effective_from=dt.date(2027, 1, 1),
            kpi_weights={"completion_rate": 90},
            violation_deductions=dict.fromkeys(ViolationCode.values, 1),
            bonus_tiers=[[90, 5000]],
        )
    assert "kpi_weights" in exc.value.fields
    with pytest.raises(PermissionDeniedError):
        policy_create(
            actor=people["m1"],
            effective_from=dt.date(2027, 1, 1),
            kpi_weights={},
            violation_deductions={},
            bonus_tiers=[],
        )
    assert PerformancePolicy.objects.count() == 1
