"""Violations, monthly scoring and signing, year bonus, handover (SPEC §2.14, §2.16)."""

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.accounts import roles as R
from gendan.accounts.models import Delegation, User
from gendan.core.errors import ApplicationError, PermissionDeniedError, TransitionError, ValidationFailed
from gendan.core.workflow import transition_check, transition_table
from gendan.orders.models import OPEN_STATUSES, Order, OrderEvent, OrderStatus
from gendan.orders.services import order_event_record
from gendan.performance.kpis import kpis_for_month, month_bounds, weighted_score
from gendan.performance.models import (
    Handover,
    HandoverItem,
    MonthlyScore,
    Violation,
    ViolationCode,
    ViolationEvent,
    YearBonus,
)
from gendan.performance.policy import bonus_for_score, policy_in_force

V = Violation.Status
VIOLATION_TRANSITIONS = transition_table(
    ("confirm", (V.PROPOSED,), V.CONFIRMED, (R.SUPERVISOR, R.GENERAL_MANAGER, R.ADMIN)),
    ("dismiss", (V.PROPOSED,), V.DISMISSED, (R.SUPERVISOR, R.GENERAL_MANAGER, R.ADMIN)),
    ("revoke", (V.CONFIRMED,), V.REVOKED, (R.SUPERVISOR, R.GENERAL_MANAGER, R.ADMIN)),
)
LEADS = (R.SUPERVISOR, R.GENERAL_MANAGER, R.ADMIN)


def _lead_of(actor: User, merchandiser: User) -> bool:
    return actor.has_role(R.GENERAL_MANAGER, R.ADMIN) or (
        actor.has_role(R.SUPERVISOR) and merchandiser.supervisor_id == actor.pk
    )


def _require_lead(actor: User, merchandiser: User) -> None:
    if actor.is_read_only or not _lead_of(actor, merchandiser):
        raise PermissionDeniedError(
            _("Only the merchandiser's supervisor or the general manager may do this.")
        )


def _frozen_month(merchandiser_id: int, day: dt.date) -> bool:
    return MonthlyScore.objects.filter(
        merchandiser_id=merchandiser_id, month=day.replace(day=1), signed_at__isnull=False
    ).exists()


# --- violations -------------------------------------------------------------------------------------------


def _violation_log(
    violation: Violation, actor: User | None, type_: str, from_status: str = "", note: str = ""
):
    ViolationEvent.objects.create(
        violation=violation,
        actor=actor,
        type=type_,
        from_status=from_status,
        to_status=violation.status,
        note=note,
    )


@transaction.atomic
def violation_record(
    *,
    actor: User,
    merchandiser: User,
    code: str,
    occurred_on: dt.date,
    description: str,
    evidence: list | None = None,
    order: Order | None = None,
) -> Violation:
    """A supervisor records a violation by hand; it is confirmed at once (the supervisor decided)."""
    _require_lead(actor, merchandiser)
    if code not in ViolationCode.values:
        raise ValidationFailed({"code": [_("Choose one of the seven violations.")]})
    if not (description or "").strip():
        raise ValidationFailed({"description": [_("Describe what happened.")]})
    policy = policy_in_force(on=occurred_on)
    violation = Violation.objects.create(
        merchandiser=merchandiser,
        code=code,
        occurred_on=occurred_on,
        description=description.strip(),
        evidence=evidence or [],
        order_id_ref=order.pk if order else None,
        deduction=Decimal(str(policy.violation_deductions.get(code, 0))),
        status=V.CONFIRMED,
        recorded_by=actor,
        decided_by=actor,
        decided_at=timezone.now(),
    )
    _violation_log(violation, actor, "recorded")
    return violation


def violation_propose(
    *,
    merchandiser_id: int,
    code: str,
    occurred_on: dt.date,
    source_key: str,
    evidence: list,
    description: str = "",
    order_id: int | None = None,
) -> Violation | None:
    """A system proposal for the supervisor to confirm or dismiss; never applied by itself. Idempotent."""
    if Violation.objects.filter(source_key=source_key).exists():
        return None
    policy = policy_in_force(on=occurred_on)
    try:
        with transaction.atomic():
            violation = Violation.objects.create(
                merchandiser_id=merchandiser_id,
                code=code,
                occurred_on=occurred_on,
                evidence=evidence,
                description=description,
                order_id_ref=order_id,
                source_key=source_key,
                deduction=Decimal(str(policy.violation_deductions.get(code, 0))),
            )
            _violation_log(violation, None, "proposed")
    except IntegrityError:
        return None
    return violation


@transaction.atomic
def violation_decide(*, violation: Violation, actor: User, action: str, reason: str = "") -> Violation:
    violation = Violation.objects.select_for_update().select_related("merchandiser").get(pk=violation.pk)
    _require_lead(actor, violation.merchandiser)
    transition = transition_check(VIOLATION_TRANSITIONS, action, violation.status, set(actor.roles))
    reason = (reason or "").strip()
    if action in ("dismiss", "revoke") and not reason:
        raise ValidationFailed({"reason": [_("Give the reason.")]})
    if _frozen_month(violation.merchandiser_id, violation.occurred_on):
        raise TransitionError(
            _("That month is signed and frozen; record the change in an open month."), code="month_frozen"
        )
    source = violation.status
    violation.status = transition.target
    violation.decided_by, violation.decided_at, violation.decision_reason = actor, timezone.now(), reason
    violation.save()
    _violation_log(violation, actor, action, from_status=source, note=reason)
    return violation


def violation_candidates_scan(*, today: dt.date | None = None, since_days: int = 120) -> int:
    """Propose violations from the evidence the system holds. Returns how many were proposed."""
    today = today or timezone.localdate()
    since = timezone.now() - dt.timedelta(days=since_days)
    proposed = 0
    # Promised earlier than feasible (胡报交货期) and then shipped late or not shipped by the promise.
    risky = OrderEvent.objects.filter(type=OrderEvent.Type.DATE_RISK, created_at__gte=since).select_related(
        "order"
    )
    for event in risky:
        order = event.order
        if (
            order.promised_date
            and order.promised_date < today
            and order.status
            not in (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.CLOSED, OrderStatus.CANCELLED)
        ):
            proposed += bool(
                violation_propose(
                    merchandiser_id=order.merchandiser_id,
                    code=ViolationCode.FALSE_PROMISE,
                    occurred_on=order.promised_date,
                    source_key=f"false_promise:{order.pk}",
                    order_id=order.pk,
                    evidence=[{"order": order.number, "event": event.pk, "note": event.note}],
                    description=_("Promised %(p)s although feasible was later; not shipped by then.")
                    % {"p": order.promised_date},
                )
            )
    # A duplicate customer PO forced through as a deliberate repeat.
    for event in OrderEvent.objects.filter(
        type=OrderEvent.Type.DUPLICATE_CONFIRMED, created_at__gte=since
    ).select_related("order"):
        proposed += bool(
            violation_propose(
                merchandiser_id=event.order.merchandiser_id,
                code=ViolationCode.ORDER_ERROR,
                occurred_on=timezone.localtime(event.created_at).date(),
                source_key=f"duplicate:{event.order_id}",
                order_id=event.order_id,
                evidence=[
                    {
                        "order": event.order.number,
                        "duplicates": event.data.get("duplicates"),
                        "reason": event.note,
                    }
                ],
                description=_(
                    "Duplicate customer PO confirmed as a repeat; check it was not an input error."
                ),
            )
        )
    # Leave with no approved handover while the merchandiser had open orders.
    for leave in Handover.objects.filter(starts_on__lte=today, status=Handover.Status.REQUESTED):
        if Order.objects.filter(merchandiser_id=leave.owner_id, status__in=OPEN_STATUSES).exists():
            proposed += bool(
                violation_propose(
                    merchandiser_id=leave.owner_id,
                    code=ViolationCode.NO_HANDOVER,
                    occurred_on=leave.starts_on,
                    source_key=f"no_handover:{leave.pk}",
                    evidence=[{"handover": leave.pk}],
                    description=_("Leave started without an approved handover of open orders."),
                )
            )
    for hook in VIOLATION_EVIDENCE_HOOKS:
        proposed += hook(today=today, since=since, propose=violation_propose)
    return proposed


# Other apps (complaints, follow-up concealment) add evidence: hook(today, since, propose) -> count.
VIOLATION_EVIDENCE_HOOKS: list = []


# --- monthly scores ---------------------------------------------------------------------------------------


def _deductions(merchandiser_ids: list[int], month: dt.date) -> dict[int, Decimal]:
    start, end = month_bounds(month)
    rows = (
        Violation.objects.filter(
            merchandiser_id__in=merchandiser_ids,
            status=V.CONFIRMED,
            occurred_on__gte=start,
            occurred_on__lte=end,
        )
        .values("merchandiser_id")
        .annotate(total=Sum("deduction"))
    )
    return {row["merchandiser_id"]: row["total"] for row in rows}


def monthly_scores_compute(*, merchandiser_ids: list[int], month: dt.date) -> dict[int, dict]:
    """Fresh figures (not saved) with the policy in force on the month's first day."""
    month = month.replace(day=1)
    policy = policy_in_force(on=month)
    kpis = kpis_for_month(merchandiser_ids=merchandiser_ids, month=month, policy=policy)
    deductions = _deductions(merchandiser_ids, month)
    result = {}
    for user_id in merchandiser_ids:
        weighted = weighted_score(kpis=kpis.get(user_id, {}), policy=policy)
        deducted = deductions.get(user_id, Decimal("0"))
        result[user_id] = {
            "policy": policy,
            "kpis": _jsonable(kpis.get(user_id, {})),
            "weighted": weighted,
            "deductions": deducted,
            "score": weighted - deducted,
        }
    return result


def _jsonable(kpis: dict) -> dict:
    return {
        code: {**fig, "value": None if fig.get("value") is None else str(fig["value"])}
        for code, fig in kpis.items()
    }


@transaction.atomic
def monthly_scores_refresh(*, merchandiser_ids: list[int], month: dt.date) -> list[MonthlyScore]:
    """Store the fresh figures for every month that is not signed; signed months stay as they were."""
    month = month.replace(day=1)
    fresh = monthly_scores_compute(merchandiser_ids=merchandiser_ids, month=month)
    existing = {
        s.merchandiser_id: s
        for s in MonthlyScore.objects.select_for_update().filter(
            merchandiser_id__in=merchandiser_ids, month=month
        )
    }
    saved = []
    for user_id, figures in fresh.items():
        score = existing.get(user_id)
        if score and score.signed_at:
            saved.append(score)
            continue
        score = score or MonthlyScore(merchandiser_id=user_id, month=month)
        score.policy, score.kpis = figures["policy"], figures["kpis"]
        score.weighted, score.deductions, score.score = (
            figures["weighted"],
            figures["deductions"],
            figures["score"],
        )
        score.save()
        saved.append(score)
    return saved


@transaction.atomic
def monthly_score_sign(*, score: MonthlyScore, actor: User) -> MonthlyScore:
    score = MonthlyScore.objects.select_for_update().select_related("merchandiser").get(pk=score.pk)
    _require_lead(actor, score.merchandiser)
    if score.signed_at:
        raise TransitionError(_("This month is already signed."), code="already_signed")
    if score.month >= timezone.localdate().replace(day=1):
        raise TransitionError(_("A month can be signed only after it has ended."), code="month_not_over")
    score.signed_by, score.signed_at = actor, timezone.now()
    score.save(update_fields=["signed_by", "signed_at", "updated_at"])
    return score


def monthly_score_difference(*, score: MonthlyScore) -> dict:
    """What a re-computation would give now, next to the frozen figures."""
    fresh = monthly_scores_compute(merchandiser_ids=[score.merchandiser_id], month=score.month)[
        score.merchandiser_id
    ]
    return {
        "stored": score.score,
        "now": fresh["score"],
        "difference": fresh["score"] - score.score,
        "policy_then": score.policy_id,
        "policy_now": fresh["policy"].pk,
    }


# --- year bonus -------------------------------------------------------------------------------------------


def year_bonus_compute(*, merchandiser_id: int, year: int) -> dict:
    scores = list(
        MonthlyScore.objects.filter(merchandiser_id=merchandiser_id, month__year=year).values_list(
            "score", flat=True
        )
    )
    average = (sum(scores, Decimal("0")) / len(scores)).quantize(Decimal("0.01")) if scores else Decimal("0")
    policy = policy_in_force(on=dt.date(year, 12, 31))
    confirmed = Violation.objects.filter(
        merchandiser_id=merchandiser_id, status=V.CONFIRMED, occurred_on__year=year
    ).count()
    tier = bonus_for_score(policy=policy, score=average)
    cancelled = confirmed >= policy.violations_cancel_bonus
    return {
        "average_score": average,
        "months": len(scores),
        "confirmed_violations": confirmed,
        "tier_amount": tier,
        "cancelled": cancelled,
        "extra_reward_eligible": confirmed == 0 and bool(scores),
        "extra_reward_range": (policy.extra_reward_min, policy.extra_reward_max),
        "total": Decimal("0") if cancelled else tier,
    }


@transaction.atomic
def year_bonus_approve(
    *, actor: User, merchandiser: User, year: int, extra_reward: Decimal = Decimal("0")
) -> YearBonus:
    if not actor.has_role(R.GENERAL_MANAGER, R.ADMIN) or actor.is_read_only:
        raise PermissionDeniedError(_("Only the general manager approves the bonus table."))
    figures = year_bonus_compute(merchandiser_id=merchandiser.pk, year=year)
    low, high = figures["extra_reward_range"]
    extra_reward = Decimal(str(extra_reward or 0))
    if extra_reward and not figures["extra_reward_eligible"]:
        raise ValidationFailed(
            {"extra_reward": [_("The extra reward is only for a year without violations.")]}
        )
    if extra_reward and not low <= extra_reward <= high:
        raise ValidationFailed(
            {
                "extra_reward": [
                    _("Choose an amount between %(low)s and %(high)s.") % {"low": low, "high": high}
                ]
            }
        )
    if YearBonus.objects.filter(merchandiser=merchandiser, year=year, approved_at__isnull=False).exists():
        raise TransitionError(_("This year's bonus is already approved."), code="already_approved")
    bonus, _created = YearBonus.objects.update_or_create(
        merchandiser=merchandiser,
        year=year,
        defaults={
            "average_score": figures["average_score"],
            "confirmed_violations": figures["confirmed_violations"],
            "tier_amount": figures["tier_amount"],
            "cancelled": figures["cancelled"],
            "extra_reward_eligible": figures["extra_reward_eligible"],
            "extra_reward": extra_reward,
            "total": figures["total"] + extra_reward,
            "approved_by": actor,
            "approved_at": timezone.now(),
        },
    )
    return bonus


# --- handover ---------------------------------------------------------------------------------------------


@transaction.atomic
def handover_request(
    *,
    actor: User,
    owner: User,
    starts_on: dt.date,
    ends_on: dt.date,
    substitute: User | None = None,
    reason: str = "",
) -> Handover:
    if actor.is_read_only or not (actor.pk == owner.pk or _lead_of(actor, owner)):
        raise PermissionDeniedError(_("Only the merchandiser or their supervisor may request a handover."))
    if ends_on < starts_on:
        raise ValidationFailed({"ends_on": [_("The leave cannot end before it starts.")]})
    if substitute is not None and (substitute.pk == owner.pk or not substitute.has_role(R.MERCHANDISER)):
        raise ValidationFailed({"substitute": [_("Choose another merchandiser as substitute.")]})
    handover = Handover.objects.create(
        owner=owner,
        substitute=substitute,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=(reason or "").strip(),
    )
    open_orders = Order.objects.filter(merchandiser=owner, status__in=OPEN_STATUSES)
    HandoverItem.objects.bulk_create(
        HandoverItem(handover=handover, order=order, open_items=_open_items(order)) for order in open_orders
    )
    return handover


def _open_items(order: Order) -> str:
    items = [str(OrderStatus(order.status).label)]
    if order.original_pending:
        items.append(_("original pending"))
    if order.status == OrderStatus.RELEASED and not order.planner_ack_at:
        items.append(_("business notice not yet acknowledged"))
    return "; ".join(items)


@transaction.atomic
def handover_approve(*, handover: Handover, actor: User) -> Handover:
    handover = Handover.objects.select_for_update().select_related("owner").get(pk=handover.pk)
    _require_lead(actor, handover.owner)
    if handover.status != Handover.Status.REQUESTED:
        raise TransitionError(_("Only a requested handover can be approved."))
    if handover.substitute_id is None:
        raise ValidationFailed({"substitute": [_("Name the substitute before approving.")]})
    handover.delegation = Delegation.objects.create(
        owner=handover.owner,
        substitute=handover.substitute,
        starts_on=handover.starts_on,
        ends_on=handover.ends_on,
        approved=True,
    )
    handover.status, handover.approved_by, handover.approved_at = (
        Handover.Status.APPROVED,
        actor,
        timezone.now(),
    )
    handover.save()
    for item in handover.items.select_related("order"):
        order_event_record(
            order=item.order,
            type=OrderEvent.Type.HANDOVER,
            actor=actor,
            note=_("Handed over to %(s)s from %(a)s to %(b)s")
            % {"s": handover.substitute, "a": handover.starts_on, "b": handover.ends_on},
            data={"handover": handover.pk, "phase": "start", "substitute": handover.substitute_id},
        )
    return handover


@transaction.atomic
def handover_return(*, handover: Handover, actor: User | None, today: dt.date | None = None) -> Handover:
    """Ownership returns: the substitute's access ends (at the leave's end, or earlier by hand)."""
    today = today or timezone.localdate()
    handover = (  # of=: PostgreSQL cannot lock the nullable side of the outer join to delegation
        Handover.objects.select_for_update(of=("self", "owner"))
        .select_related("owner", "delegation")
        .get(pk=handover.pk)
    )
    if actor is not None and actor.pk != handover.owner_id:
        _require_lead(actor, handover.owner)
    if handover.status != Handover.Status.APPROVED:
        raise TransitionError(_("Only an approved handover can return."))
    delegation = handover.delegation
    if delegation is not None:
        # Access ends yesterday at the latest; a return before the leave began cancels it outright.
        if today > delegation.starts_on:
            delegation.ends_on = min(delegation.ends_on, today - dt.timedelta(days=1))
        else:
            delegation.approved = False
        delegation.save(update_fields=["ends_on", "approved", "updated_at"])
    handover.status, handover.returned_at = Handover.Status.RETURNED, timezone.now()
    handover.save()
    for item in handover.items.select_related("order"):
        order_event_record(
            order=item.order,
            type=OrderEvent.Type.HANDOVER,
            actor=actor,
            note=_("Returned to %(o)s") % {"o": handover.owner},
            data={"handover": handover.pk, "phase": "end"},
        )
    return handover


def handovers_expire(*, today: dt.date | None = None) -> int:
    """The scan returns every approved handover whose leave has ended. Idempotent."""
    today = today or timezone.localdate()
    due = Handover.objects.filter(status=Handover.Status.APPROVED, ends_on__lt=today)
    count = 0
    for handover in due:
        handover_return(handover=handover, actor=None, today=today)
        count += 1
    return count


def kpi_order_ids(*, score: MonthlyScore, kpi: str) -> list[int]:
    figure = score.kpis.get(kpi) or {}
    if not figure:
        raise ApplicationError(_("No such KPI for this month."), code="not_found", status=404)
    return list(figure.get("orders", []))
