"""KPIs and violation candidates measured against the agreed delivery date (issue 14 item 2): a change for
the customer's cause moves the merchandiser's baseline, one for our own cause does not."""

import datetime as dt

import pytest
from django.db import transaction

from gendan.followup.models import FollowupPolicy
from gendan.orders.models import Order, PromiseCause
from gendan.orders.promises import order_promise_record
from gendan.performance.kpis import completion_and_on_time
from gendan.performance.models import Kpi, Violation, ViolationCode
from gendan.performance.promise_sources import late_internal_change_evidence
from gendan.performance.services import violation_candidates_scan, violation_propose
from tests.performance.test_scoring import OCT, at, make_order, ship


def agree(order: Order, day: dt.date, cause: str, on: dt.date, actor, reason: str = "") -> None:
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        order_promise_record(
            order=locked, new_date=day, cause=cause, reason=reason, actor=actor, agreed_at=at(on, 10)
        )


def promised(user, product, po: str, initial: dt.date, changed_to: dt.date, cause: str, sup) -> Order:
    """Promised `initial` at review on 09-01, then changed on 09-25 to `changed_to` for `cause`."""
    order = make_order(user, product, po, initial)
    agree(order, initial, PromiseCause.INITIAL, dt.date(2026, 9, 1), sup)
    agree(
        order,
        changed_to,
        cause,
        dt.date(2026, 9, 25),
        sup,
        reason="客户改色" if cause == "customer" else "面料晚到",
    )
    return order


def test_a_customer_change_counts_on_time_and_an_internal_one_late(people, product):
    sup, m1, m2 = people["sup"], people["m1"], people["m2"]
    # given two identical orders, promised 10-20 at review, postponed on 09-25 to 10-27 and shipped 10-27:
    x = promised(m1, product, "X", dt.date(2026, 10, 20), dt.date(2026, 10, 27), PromiseCause.CUSTOMER, sup)
    y = promised(m2, product, "Y", dt.date(2026, 10, 20), dt.date(2026, 10, 27), PromiseCause.INTERNAL, sup)
    ship(x, dt.date(2026, 10, 27))
    ship(y, dt.date(2026, 10, 27))
    # and two unshipped ones promised 10-28, postponed on 09-25 to 11-05 (W for the customer, Z for us)
    promised(m1, product, "W", dt.date(2026, 10, 28), dt.date(2026, 11, 5), PromiseCause.CUSTOMER, sup)
    z = promised(m2, product, "Z", dt.date(2026, 10, 28), dt.date(2026, 11, 5), PromiseCause.INTERNAL, sup)
    # when October's KPIs are computed
    kpis = completion_and_on_time(merchandiser_ids=[m1.pk, m2.pk], month=OCT)
    # then, by hand:
    # X (customer's cause): baseline = the customer's new date 10-27; shipped 10-27 ≤ 10-27 → on time.
    #   m1 on time = 1 of 1 = 100.00 %
    assert kpis[m1.pk][Kpi.ON_TIME]["value"] == 100 and kpis[m1.pk][Kpi.ON_TIME]["orders"] == [x.pk]
    # Y (our cause): baseline stays the review's 10-20 (the 10-27 is what the customer now expects, not
    #   what m2 answers for); shipped 10-27 > 10-20 → late. m2 on time = 0 of 1 = 0.00 %, Y missed
    assert kpis[m2.pk][Kpi.ON_TIME]["value"] == 0 and kpis[m2.pk][Kpi.ON_TIME]["missed"] == [y.pk]
    # completion (due in October, shipped by 10-31):
    # m1: X due 10-27 shipped; W moved by the customer to 11-05 → not due in October. 1 of 1 = 100.00 %
    assert kpis[m1.pk][Kpi.COMPLETION]["value"] == 100 and kpis[m1.pk][Kpi.COMPLETION]["orders"] == [x.pk]
    # m2: Y due 10-20 shipped; Z still due 10-28 (our postponement does not move it), not shipped.
    #   1 of 2 = 50.00 %, Z missed
    assert kpis[m2.pk][Kpi.COMPLETION]["value"] == 50
    assert kpis[m2.pk][Kpi.COMPLETION]["missed"] == [z.pk]


def test_the_risk_projection_compares_with_the_current_promised_date(people, product):
    from gendan.followup.risk import risk_evaluate

    sup = people["sup"]
    # given an order in production promised 10-20, postponed for our cause on 10-22 to 11-20
    order = make_order(people["m1"], product, "R", dt.date(2026, 10, 20))
    agree(order, dt.date(2026, 10, 20), PromiseCause.INITIAL, dt.date(2026, 9, 1), sup)
    agree(order, dt.date(2026, 11, 20), PromiseCause.INTERNAL, dt.date(2026, 10, 22), sup, reason="设备故障")
    # when its risk is evaluated on 10-23
    risk = risk_evaluate(order_ids=[order.pk], now=at(dt.date(2026, 10, 23)))[order.pk]
    # then the customer's expectation (11-20) is what it is compared with: 10-20 is not "passed"
    assert "past_due" not in [reason["code"] for reason in risk["reasons"]]


@pytest.mark.parametrize(
    ("agreed_on", "cause", "late"),
    [
        # previous promise 11-11 (Wed); policy: 2 working days' notice (FollowupPolicy.due_soon_days)
        (dt.date(2026, 11, 5), PromiseCause.INTERNAL, False),  # (Thu 11-05, Wed 11-11] = 4 working days
        (dt.date(2026, 11, 9), PromiseCause.INTERNAL, False),  # (Mon, Wed] = Tue, Wed = 2: just in time
        (dt.date(2026, 11, 10), PromiseCause.INTERNAL, True),  # (Tue, Wed] = 1 < 2
        (dt.date(2026, 11, 12), PromiseCause.INTERNAL, True),  # after the promise had passed
        (dt.date(2026, 11, 12), PromiseCause.CUSTOMER, False),  # the customer's cause: not ours to report
    ],
)
def test_an_internal_postponement_reported_late_is_a_violation_candidate(
    people, product, agreed_on, cause, late
):
    sup, m1 = people["sup"], people["m1"]
    FollowupPolicy.objects.create(effective_from=dt.date(2026, 1, 1), due_soon_days=2)
    order = make_order(m1, product, "L", dt.date(2026, 11, 11))
    agree(order, dt.date(2026, 11, 11), PromiseCause.INITIAL, dt.date(2026, 9, 1), sup)
    agree(order, dt.date(2026, 11, 25), cause, agreed_on, sup, reason="面料晚到")
    proposed = late_internal_change_evidence(
        today=dt.date(2026, 11, 13), since=at(dt.date(2026, 9, 2)), propose=violation_propose
    )
    assert proposed == int(late)
    if late:
        violation = Violation.objects.get()
        assert violation.code == ViolationCode.CONCEALED_DELAY and violation.order_id_ref == order.pk
        assert violation.merchandiser == m1 and violation.occurred_on == agreed_on
        assert violation.status == Violation.Status.PROPOSED
        assert violation.evidence == [
            {
                "order": order.number,
                "from": "2026-11-11",
                "to": "2026-11-25",
                "agreed_at": f"{agreed_on.isoformat()} 10:00",
                "reason": "面料晚到",
            }
        ]
        assert violation.description.startswith("Delivery date change not reported in time")


def test_the_scan_proposes_it_once(people, product):
    sup = people["sup"]
    order = make_order(people["m1"], product, "S", dt.date(2026, 11, 11))
    agree(order, dt.date(2026, 11, 11), PromiseCause.INITIAL, dt.date(2026, 9, 1), sup)
    agree(order, dt.date(2026, 11, 25), PromiseCause.INTERNAL, dt.date(2026, 11, 11), sup, reason="返工")
    violation_candidates_scan(today=dt.date(2026, 11, 13))
    violation_candidates_scan(today=dt.date(2026, 11, 13))
    assert Violation.objects.filter(source_key__startswith="late_promise_change:").count() == 1


def test_the_violations_page_shows_it_in_chinese_with_labelled_evidence(people, product):
    from django.test import Client
    from django.utils import translation

    sup = people["sup"]
    order = make_order(people["m1"], product, "V", dt.date(2026, 11, 11))
    agree(order, dt.date(2026, 11, 11), PromiseCause.INITIAL, dt.date(2026, 9, 1), sup)
    agree(order, dt.date(2026, 11, 25), PromiseCause.INTERNAL, dt.date(2026, 11, 11), sup, reason="返工")
    with translation.override("zh-hans"):  # the scan runs in the site's language
        violation_candidates_scan(today=dt.date(2026, 11, 13))
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(sup)
    body = client.get("/performance/violations/").content.decode()
    assert "未及时报告交期变更：2026-11-11 → 2026-11-25" in body
    assert f"订单：{order.number}" in body and "原交期：2026-11-11" in body and "新交期：2026-11-25" in body
    assert "agreed_at" not in body and "确认时间：2026-11-11 10:00" in body
