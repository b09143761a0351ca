"""Batch review actions (批量会签 / 批量批准 / 批量下达): the same rows and events as the single services, all
or none, scope and department re-checked."""

import datetime as dt
from decimal import Decimal

import pytest

from gendan.capacity.models import ScheduleChange, WorkCentre
from gendan.core.errors import (
    ApplicationError,
    NotFoundError,
    PermissionDeniedError,
    TransitionError,
    ValidationFailed,
)
from gendan.followup.models import TaMilestone, TaPlan
from gendan.materials.models import MaterialRequirement, PurchaseRequest, StockMovement
from gendan.orders.bulk import order_release_many
from gendan.orders.models import Order, OrderEvent, OrderStatus
from gendan.orders.services import order_create, order_hold, order_release
from gendan.reviews.models import Review, ReviewDepartment, ReviewItem
from gendan.reviews.selectors import (
    credit_check,
    credit_checks,
    feasible_date_propose,
    feasible_dates_propose,
)
from gendan.reviews.services import (
    review_approve,
    review_approve_many,
    review_item_sign,
    review_item_sign_many,
    review_open,
    review_open_many,
    review_reject,
)
from tests.factories import order_payload
from tests.materials.helpers import bom, material
from tests.reviews.test_services import SIGNERS, sign_all

# Event data that names a row of its own (a review, a plan, a purchase request number) differs between twins.
_OWN_ROWS = {"review", "plan", "requests"}


def _drafts(people, customer, product, count: int, po: str) -> list[Order]:
    return [
        order_create(actor=people["m1"], data=order_payload(customer, product, customer_po=f"{po}-{n}"))
        for n in range(count)
    ]


def _snapshot(order: Order) -> dict:
    """Everything the review → release path writes for an order, without ids and times."""
    order = Order.objects.get(pk=order.pk)
    reviews = list(order.reviews.order_by("round"))
    return {
        "order": (
            order.status,
            order.version,
            order.feasible_date,
            order.promised_date,
            order.promise_reason,
            order.is_date_risk,
            order.released_at is not None,
        ),
        "reviews": [
            (
                r.round,
                r.status,
                r.opened_by_id,
                r.feasible_date,
                r.feasible_basis,
                r.credit_limit,
                r.credit_open_amount,
                r.credit_order_amount,
                r.credit_ok,
                r.promised_date,
                r.promise_reason,
                r.is_date_risk,
                r.conclusion,
                r.concluded_by_id,
                r.concluded_at is not None,
            )
            for r in reviews
        ],
        "items": sorted(
            (i.department, i.result, i.comment, i.signer_id, i.signed_at is not None)
            for i in ReviewItem.objects.filter(review__order=order)
        ),
        "events": [
            (
                e.type,
                e.actor_id,
                e.from_status,
                e.to_status,
                e.note,
                {k: v for k, v in e.data.items() if k not in _OWN_ROWS},
            )
            for e in order.events.exclude(type=OrderEvent.Type.CREATED).order_by("id")
        ],
        "plan": [
            (p.template_id, p.promised_date, p.generated_by_id, p.warnings)
            for p in TaPlan.objects.filter(order=order)
        ],
        "milestones": sorted(
            (
                m.code,
                m.name,
                m.owner_role,
                m.owner_id,
                m.lead_days,
                m.mandatory,
                m.sequence,
                m.baseline_date,
                m.planned_date,
                m.offset_from.code if m.offset_from else "",
            )
            for m in TaMilestone.objects.filter(plan__order=order).select_related("offset_from")
        ),
        "requirements": sorted(
            MaterialRequirement.objects.filter(order=order).values_list(
                "material__code", "required", "reserved", "required_by"
            )
        ),
        "movements": sorted(
            StockMovement.objects.filter(order=order).values_list("material__code", "kind", "quantity")
        ),
        "purchase_requests": sorted(
            PurchaseRequest.objects.filter(order=order).values_list(
                "material__code", "quantity", "required_by"
            )
        ),
        "schedule_changes": ScheduleChange.objects.filter(order_id=order.pk).count(),
    }


@pytest.fixture
def bom_product(product):
    """A product with a bill of materials and no stock: a release reserves nothing and asks to buy."""
    bom(product, material("FAB-BULK", on_hand="0"), "0.5")
    WorkCentre.objects.create(code="SEW-B", name="缝制", daily_minutes=4800)
    return product


def test_batch_writes_the_same_rows_and_events_as_the_single_services(people, customer, bom_product):
    # given twin orders: one pair walks the single services, the other the batch ones; when each step is
    # taken for both pairs before the next (so both see the same credit exposure and schedule)
    singles = _drafts(people, customer, bom_product, 2, "ONE")
    batch = _drafts(people, customer, bom_product, 2, "MANY")
    single_reviews = [review_open(order=order, actor=people["m1"]) for order in singles]
    reviews = review_open_many(orders=batch, actor=people["m1"])
    for review in single_reviews:
        for item in review.items.order_by("id"):
            result = "conditional" if item.department == ReviewDepartment.QUALITY else "pass"
            review_item_sign(
                item=item, actor=people[SIGNERS[item.department]], result=result, comment="按AQL 2.5"
            )
    for department in ReviewDepartment.values:
        items = ReviewItem.objects.filter(review__in=reviews, department=department).order_by("review_id")
        result = "conditional" if department == ReviewDepartment.QUALITY else "pass"
        review_item_sign_many(
            items=list(items), actor=people[SIGNERS[department]], result=result, comment="按AQL 2.5"
        )
    for index, review in enumerate(single_reviews):
        promised = review.feasible_date - dt.timedelta(days=index * 3)  # the second one is a date risk
        review_approve(
            review=review, actor=people["sup"], promised_date=promised, reason="客户急单", conclusion="同意"
        )
    review_approve_many(
        reviews=reviews,
        actor=people["sup"],
        promised_dates={reviews[1].pk: reviews[1].feasible_date - dt.timedelta(days=3)},
        reason="客户急单",
        conclusion="同意",
    )
    for order in singles:
        order_release(order=order, actor=people["m1"])
    released = order_release_many(orders=[o.pk for o in batch], actor=people["m1"])
    # then each twin has the same rows and the same events, in the same order
    assert [o.status for o in released] == [OrderStatus.RELEASED] * 2
    for single, twin in zip(singles, batch, strict=True):
        expected, got = _snapshot(single), _snapshot(twin)
        assert got == expected
    risky = _snapshot(batch[1])
    assert risky["order"][5] is True and ("date_risk" in [e[0] for e in risky["events"]])
    assert risky["milestones"] and risky["purchase_requests"] and risky["schedule_changes"]


def test_sign_many_is_all_or_nothing_and_names_the_item(people, customer, product):
    # given two orders in review; the second one's review was rejected
    first, second = _drafts(people, customer, product, 2, "SIGN")
    open_review = review_open(order=first, actor=people["m1"])
    closed = review_open(order=second, actor=people["m1"])
    review_reject(review=closed, actor=people["sup"], reason="价格不可接受")
    items = [
        open_review.items.get(department=ReviewDepartment.TECHNICAL),
        closed.items.get(department=ReviewDepartment.TECHNICAL),
    ]
    events = OrderEvent.objects.count()
    # when the technical reviewer signs both
    with pytest.raises(TransitionError) as exc:
        review_item_sign_many(items=items, actor=people["tech"], result="pass")
    # then the concluded review's item is named, and nothing is signed
    assert exc.value.code == "review_closed"
    assert list(exc.value.extra["fields"]) == ["items.1"]
    assert second.number in exc.value.message
    assert ReviewItem.objects.get(pk=items[0].pk).result == ReviewItem.Result.PENDING
    assert OrderEvent.objects.count() == events


def test_sign_many_refuses_another_department_and_an_order_not_in_review(people, customer, product):
    first, second = _drafts(people, customer, product, 2, "DEPT")
    reviews = [review_open(order=first, actor=people["m1"]), review_open(order=second, actor=people["m1"])]
    technical = [r.items.get(department=ReviewDepartment.TECHNICAL) for r in reviews]
    quality = reviews[1].items.get(department=ReviewDepartment.QUALITY)
    # the technical reviewer cannot sign quality's item among their own
    with pytest.raises(PermissionDeniedError) as exc:
        review_item_sign_many(items=[technical[0], quality], actor=people["tech"], result="pass")
    assert exc.value.code == "wrong_department" and list(exc.value.extra["fields"]) == ["items.1"]
    # an order put on hold cannot be signed for
    order_hold(order=second, actor=people["sup"], reason="客户暂停")
    with pytest.raises(TransitionError) as exc:
        review_item_sign_many(items=technical, actor=people["tech"], result="pass")
    assert exc.value.code == "order_not_in_review" and list(exc.value.extra["fields"]) == ["items.1"]
    assert not ReviewItem.objects.filter(pk__in=[i.pk for i in technical]).exclude(result="pending").exists()


def test_sign_many_checks_scope_result_comment_and_credit(people, customer, other_customer, product):
    mine = review_open(order=_drafts(people, customer, product, 1, "SC")[0], actor=people["m1"])
    theirs_order = order_create(
        actor=people["m3"], data=order_payload(other_customer, product, customer_po="SC-X")
    )
    theirs = review_open(order=theirs_order, actor=people["m3"])
    business = [r.items.get(department=ReviewDepartment.BUSINESS) for r in (mine, theirs)]
    # the salesperson does not see m3's order: like an unknown item
    with pytest.raises(NotFoundError) as exc:
        review_item_sign_many(items=business, actor=people["sales"], result="pass")
    assert list(exc.value.extra["fields"]) == ["items.1"]
    with pytest.raises(NotFoundError):
        review_item_sign_many(items=[999_999], actor=people["sales"], result="pass")
    # result and comment are checked once for the batch
    with pytest.raises(ValidationFailed) as exc:
        review_item_sign_many(items=business[:1], actor=people["sales"], result="maybe")
    assert "result" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        review_item_sign_many(items=business[:1], actor=people["sales"], result="fail")
    assert "comment" in exc.value.fields
    # finance cannot pass a customer over the credit limit: the item is named
    Review.objects.filter(pk=mine.pk).update(credit_ok=False)
    finance = mine.items.get(department=ReviewDepartment.FINANCE)
    with pytest.raises(ValidationFailed) as exc:
        review_item_sign_many(items=[finance], actor=people["finance"], result="pass")
    assert list(exc.value.fields) == ["items.0.result"]
    signed = review_item_sign_many(
        items=[finance], actor=people["finance"], result="conditional", comment="预付30%"
    )
    assert signed[0].result == "conditional"


def test_batch_size_is_checked(people, customer, product):
    review = review_open(order=_drafts(people, customer, product, 1, "SIZE")[0], actor=people["m1"])
    item = review.items.get(department=ReviewDepartment.TECHNICAL)
    with pytest.raises(ValidationFailed) as exc:
        review_item_sign_many(items=[], actor=people["tech"], result="pass")
    assert "items" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        review_item_sign_many(items=[item.pk] * 501, actor=people["tech"], result="pass")
    assert "items" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        review_item_sign_many(items=[item.pk, item.pk], actor=people["tech"], result="pass")
    assert list(exc.value.fields) == ["items.1"]
    with pytest.raises(ValidationFailed):
        review_approve_many(reviews=[], actor=people["sup"])


def test_approve_many_checks_each_review_and_saves_nothing_on_error(people, customer, product):
    orders = _drafts(people, customer, product, 3, "APP")
    reviews = [review_open(order=o, actor=people["m1"]) for o in orders]
    for review in reviews[:2]:
        sign_all(review, people)
    before = OrderEvent.objects.count()
    # not every department signed the third
    with pytest.raises(ApplicationError) as exc:
        review_approve_many(reviews=reviews, actor=people["sup"])
    assert exc.value.code == "review_incomplete" and list(exc.value.extra["fields"]) == ["reviews.2"]
    # an earlier date than feasible needs a reason, named per review
    early = {reviews[1].pk: reviews[1].feasible_date - dt.timedelta(days=2)}
    with pytest.raises(ValidationFailed) as exc:
        review_approve_many(reviews=reviews[:2], actor=people["sup"], promised_dates=early)
    assert list(exc.value.fields) == ["reviews.1.reason"]
    # only the leads conclude
    with pytest.raises(PermissionDeniedError):
        review_approve_many(reviews=reviews[:2], actor=people["m1"])
    # another team's supervisor does not see these orders
    with pytest.raises(NotFoundError) as exc:
        review_approve_many(reviews=reviews[:2], actor=people["sup2"])
    assert list(exc.value.extra["fields"]) == ["reviews.0", "reviews.1"]
    assert OrderEvent.objects.count() == before
    assert not Review.objects.exclude(status=Review.Status.OPEN).exists()
    # an order on hold is not in review: the table refuses it, naming the review
    order_hold(order=orders[1], actor=people["sup"], reason="客户暂停")
    with pytest.raises(TransitionError) as exc:
        review_approve_many(reviews=reviews[:2], actor=people["sup"])
    assert list(exc.value.extra["fields"]) == ["reviews.1"]
    assert Order.objects.get(pk=orders[0].pk).status == OrderStatus.IN_REVIEW
    # approved: the default promise is the feasible date; a concluded review is refused next time
    approved = review_approve_many(reviews=reviews[:1], actor=people["sup"], conclusion="同意")
    assert approved[0].promised_date == reviews[0].feasible_date and not approved[0].is_date_risk
    with pytest.raises(TransitionError) as exc:
        review_approve_many(reviews=reviews[:1], actor=people["sup"])
    assert exc.value.code == "review_closed"


def test_open_many_refuses_an_unapproved_verbal_order_and_others_orders(
    people, customer, other_customer, product
):
    written = _drafts(people, customer, product, 1, "OPEN")[0]
    verbal = order_create(
        actor=people["m1"],
        data=order_payload(customer, product, customer_po="OPEN-V", source_document="verbal"),
    )
    with pytest.raises(ApplicationError) as exc:
        review_open_many(orders=[written, verbal], actor=people["m1"])
    assert exc.value.code == "verbal_needs_approval" and list(exc.value.extra["fields"]) == ["orders.1"]
    theirs = order_create(
        actor=people["m3"], data=order_payload(other_customer, product, customer_po="OPEN-X")
    )
    with pytest.raises(NotFoundError):
        review_open_many(orders=[written, theirs], actor=people["m1"])
    assert Order.objects.get(pk=written.pk).status == OrderStatus.DRAFT
    assert not Review.objects.exists()
    reviews = review_open_many(orders=[written], actor=people["m1"])
    assert reviews[0].round == 1 and reviews[0].items.count() == 6
    assert Decimal(reviews[0].credit_order_amount) == written.total_amount


def test_credit_checks_read_once_per_customer_give_the_single_answers(people, customer, product):
    # given a customer with an approved (committed) order and two orders in review
    approved, first, second = _drafts(people, customer, product, 3, "CR")
    review = review_open(order=approved, actor=people["m1"])
    sign_all(review, people)
    review_approve(review=review, actor=people["sup"], promised_date=review.feasible_date)
    for order in (first, second):
        review_open(order=order, actor=people["m1"])
    orders = list(Order.objects.filter(pk__in=[approved.pk, first.pk, second.pk]).order_by("pk"))
    # when checked together, then each answer is the single check's
    assert credit_checks(orders=orders) == [credit_check(order=o) for o in orders]
    assert credit_checks(orders=orders)[1]["open_amount"] == approved.total_amount


@pytest.mark.parametrize("work_centre", [False, True])
def test_feasible_dates_together_are_the_single_answers(people, customer, product, work_centre):
    # given orders with and without a bill of materials (one short of stock, with a lead time)
    from tests.factories import ProductFactory

    with_bom = ProductFactory(code="BOM-P")
    bom(with_bom, material("FAB-FD", on_hand="10", lead=40), "2")
    if work_centre:
        WorkCentre.objects.create(code="SEW-F", name="缝制", daily_minutes=4800)
    plain = _drafts(people, customer, product, 2, "FD")
    short = order_create(actor=people["m1"], data=order_payload(customer, with_bom, customer_po="FD-BOM"))
    orders = list(Order.objects.filter(pk__in=[o.pk for o in (*plain, short)]).order_by("pk"))
    # when proposed together, then each is what a single proposal gives
    together = feasible_dates_propose(orders=orders)
    assert together == [feasible_date_propose(order=o) for o in orders]
    assert together[2][1]["material_ready"] and together[2][0] > together[0][0]


def test_credit_checks_count_receivables_and_invoiced_orders_once(people, customer, other_customer, product):
    # given a customer with a shipped order partly invoiced (receivable), and another customer
    from tests.ledger.test_receivables import D1, invoice, ship
    from tests.q2c import order_in_production, today

    shipped = order_in_production(people, customer, product)
    inv = invoice(people, {"shipments": [ship(shipped, people, {1: "100"}).pk]})
    assert inv.total_amount > 0
    with today(D1):
        mine = _drafts(people, customer, product, 2, "CRI")
        theirs = order_create(
            actor=people["m3"], data=order_payload(other_customer, product, customer_po="CRI-X")
        )
    orders = [*mine, theirs, Order.objects.get(pk=shipped.pk)]
    # when checked together, then each answer is the single check's
    together = credit_checks(orders=orders)
    assert together == [credit_check(order=o) for o in orders]
    assert together[0]["receivables"] == inv.total_amount and together[0]["uninvoiced"] > 0
