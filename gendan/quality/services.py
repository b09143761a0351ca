"""Writes of quality: record an inspection (sampling plan per defect class from ISO 2859-1, pass/fail from
the table), a supervisor's concession on a failed final inspection, the cancellation of a record made in
error. Every act is on the order's timeline; a failed final inspection opens a quality exception."""

import dataclasses
import datetime as dt
import importlib.util
import logging
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.accounts import roles as R
from gendan.accounts.models import User
from gendan.core.errors import (
    ApplicationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    TransitionError,
)
from gendan.core.numbering import document_number_next
from gendan.core.numbers import number_text
from gendan.core.parsing import FieldErrors, blank, parse_choice, parse_date, parse_int, parse_text
from gendan.core.workflow import transition_check
from gendan.orders.models import Order, OrderEvent, OrderLine, OrderStatus
from gendan.orders.selectors import order_visible_list
from gendan.orders.services import order_event_record
from gendan.quality.aql import AqlError, SamplingPlan, aql_parse, sampling_plan
from gendan.quality.models import (
    DefectClass,
    Inspection,
    InspectionClassResult,
    InspectionLevel,
    InspectionStage,
    InspectionStatus,
)
from gendan.quality.workflows import INSPECTION_TRANSITIONS, RECORD_DEPARTMENT, RECORD_ROLES

logger = logging.getLogger("gendan.quality")

INSPECTION_SERIES = "QC"
# Orders QC inspects: from release (first article) until the last shipment.
INSPECTABLE_STATUSES = (OrderStatus.RELEASED, OrderStatus.IN_PRODUCTION, OrderStatus.PARTIALLY_SHIPPED)
MAX_DEFECTS = 1_000_000
CLASS_FIELDS = {
    DefectClass.CRITICAL: ("aql_critical", "critical_found"),
    DefectClass.MAJOR: ("aql_major", "major_found"),
    DefectClass.MINOR: ("aql_minor", "minor_found"),
}
# What a new inspection form proposes (the customer's standard may differ: QC changes them).
DEFAULT_AQLS = {"aql_critical": "0", "aql_major": "2.5", "aql_minor": "4.0"}


def _ensure_can_write(actor: User) -> None:
    if not actor.is_active or actor.is_read_only or not actor.roles:
        raise PermissionDeniedError(_("Your account is read-only."), code="read_only")


def is_qc(user: User) -> bool:
    """QC: a reviewer of the quality department, or an administrator."""
    if not user.is_active or user.is_read_only:
        return False
    if user.has_role(R.ADMIN):
        return True
    return bool(user.roles & RECORD_ROLES) and user.department_code == RECORD_DEPARTMENT


def _ensure_qc(actor: User) -> None:
    _ensure_can_write(actor)
    if not is_qc(actor):
        raise PermissionDeniedError(
            _("Inspections are recorded by QC (a reviewer of the quality department)."),
            code="role_not_allowed",
        )


def _order_locked(order: Order | int, actor: User) -> Order:
    pk = order if isinstance(order, int) else order.pk
    if not order_visible_list(user=actor).filter(pk=pk).exists():
        raise NotFoundError(_("Order not found."))
    return Order.objects.select_for_update().select_related("customer", "merchandiser").get(pk=pk)


def _inspection_locked(inspection: Inspection | int, actor: User) -> Inspection:
    pk = inspection if isinstance(inspection, int) else inspection.pk
    row = Inspection.objects.filter(pk=pk).values("order_id").first()
    if row is None or not order_visible_list(user=actor).filter(pk=row["order_id"]).exists():
        raise NotFoundError(_("Inspection not found."))
    # of=: PostgreSQL cannot lock the nullable side of the outer join to order_line.
    return (
        Inspection.objects.select_for_update(of=("self", "order"))
        .select_related("order", "order_line")
        .get(pk=pk)
    )


def lot_size_limit(*, order: Order, line: OrderLine | None) -> int:
    """The largest lot that can be inspected: the quantity ordered plus the over-shipment tolerance."""
    lines = [line] if line is not None else list(order.lines.all())
    total = sum((ln.quantity * (1 + ln.tolerance_percent / 100) for ln in lines), Decimal(0))
    return max(1, math.ceil(total))


def _line_parse(order: Order, value: Any, errors: FieldErrors) -> OrderLine | None:
    if blank(value):
        return None
    if isinstance(value, OrderLine):
        value = value.pk
    number = parse_int(value, "order_line", errors, required=False)
    if number is None:
        return None
    line = OrderLine.objects.filter(order=order, pk=number).select_related("product").first()
    if line is None:
        errors.add("order_line", _("Choose a line of this order."))
    return line


def _plans_compute(
    *, lot_size: int, level: str, aqls: dict[str, Decimal | None], errors: FieldErrors
) -> dict[str, SamplingPlan]:
    """One plan per defect class that has an AQL. A zero-tolerance class (AQL 0) is checked on every unit
    drawn: the largest sample of the other classes (or the code letter's sample if it stands alone)."""
    plans: dict[str, SamplingPlan] = {}
    for defect_class, aql in aqls.items():
        if aql is None:
            continue
        try:
            plans[defect_class] = sampling_plan(lot_size=lot_size, level=level, aql=aql)
        except AqlError as exc:
            errors.add(CLASS_FIELDS[defect_class][0], exc.message)
    if errors:
        return plans
    sampled = [p.sample_size for p in plans.values() if p.aql != 0]
    if sampled:
        drawn = max(sampled)
        for defect_class, plan in list(plans.items()):
            if plan.aql == 0:
                plans[defect_class] = dataclasses.replace(plan, sample_size=drawn)
    return plans


def _found_within_sample(
    *, plans: dict[str, SamplingPlan], found: dict[str, int], errors: FieldErrors
) -> None:
    """Defective units are counted in the sample drawn: never more units than the sample has."""
    for defect_class, plan in plans.items():
        field_name, count = CLASS_FIELDS[defect_class][1], found.get(defect_class, 0)
        if count > plan.sample_size:
            errors.add(
                field_name,
                _("At most %(n)s: the sample of lot size %(lot)s at this level has %(n)s units.")
                % {"n": number_text(plan.sample_size), "lot": number_text(plan.lot_size)},
            )


@transaction.atomic
def inspection_record(*, order: Order, actor: User, data: Mapping[str, Any]) -> Inspection:
    """Record an inspection of `order` (or one of its lines).

    data: stage, lot_size, level (default II), aql_critical / aql_major / aql_minor (blank: class not
    inspected; 0: zero tolerance), critical_found / major_found / minor_found, order_line (id, optional),
    inspected_on (default today), note. Pass or fail per class follows the plan's Ac/Re; the inspection
    fails if any class fails. A failed final inspection opens a quality exception and blocks shipment.
    """
    _ensure_qc(actor)
    order = _order_locked(order, actor)
    if order.status not in INSPECTABLE_STATUSES:
        raise TransitionError(
            _("Inspections are recorded on released orders until they are fully shipped (now: %(status)s).")
            % {"status": order.get_status_display()},
            code="order_not_inspectable",
        )
    errors = FieldErrors()
    stage = parse_choice(data.get("stage"), "stage", errors, InspectionStage)
    level = parse_choice(data.get("level"), "level", errors, InspectionLevel, default=InspectionLevel.II)
    line = _line_parse(order, data.get("order_line"), errors)
    lot_size = parse_int(data.get("lot_size"), "lot_size", errors)
    if lot_size is not None:
        limit = lot_size_limit(order=order, line=line)
        if lot_size < 1:
            errors.add("lot_size", _("The lot has at least one unit."))
        elif lot_size > limit:
            errors.add(
                "lot_size",
                _("At most %(limit)s: the quantity ordered plus the tolerance.") % {"limit": f"{limit:,}"},
            )
    today = timezone.localdate()
    inspected_on = parse_date(data.get("inspected_on"), "inspected_on", errors, required=False) or today
    if inspected_on > today:
        errors.add("inspected_on", _("Record an inspection on or after the day it was done."))
    elif inspected_on < order.order_date:
        errors.add("inspected_on", _("The inspection cannot be before the order date."))
    note = parse_text(data.get("note"), "note", errors, max_length=2000)
    aqls: dict[str, Decimal | None] = {}
    found: dict[str, int] = {}
    for defect_class, (aql_field, found_field) in CLASS_FIELDS.items():
        raw = data.get(aql_field)
        if blank(raw):
            aqls[defect_class] = None
            continue
        try:
            aqls[defect_class] = aql_parse(raw)
        except AqlError as exc:
            errors.add(aql_field, exc.message)
            aqls[defect_class] = None
            continue
        count = parse_int(data.get(found_field), found_field, errors)
        if count is not None and count > MAX_DEFECTS:
            errors.add(found_field, _("This number is out of range."))
        found[defect_class] = count or 0
    if not any(v is not None for v in aqls.values()) and not errors.fields.get("aql_major"):
        errors.add("aql_major", _("Give the AQL of at least one defect class."))
    errors.raise_if_any()
    plans = _plans_compute(lot_size=lot_size, level=level, aqls=aqls, errors=errors)
    errors.raise_if_any()
    _found_within_sample(plans=plans, found=found, errors=errors)
    errors.raise_if_any()

    results = {c: plan.passes(found[c]) for c, plan in plans.items()}
    status = InspectionStatus.PASSED if all(results.values()) else InspectionStatus.FAILED
    any_plan = next(iter(plans.values()))
    inspection = Inspection.objects.create(
        number=document_number_next(series=INSPECTION_SERIES, year=inspected_on.year),
        order=order,
        order_line=line,
        stage=stage,
        lot_size=lot_size,
        level=level,
        code_letter=any_plan.code_letter,
        sample_size=max(p.sample_size for p in plans.values()),
        status=status,
        inspected_on=inspected_on,
        inspector=actor,
        note=note,
    )
    InspectionClassResult.objects.bulk_create(
        [
            InspectionClassResult(
                inspection=inspection,
                defect_class=defect_class,
                aql=plan.aql,
                plan_code_letter=plan.plan_code_letter,
                sample_size=plan.sample_size,
                full_inspection=plan.full_inspection,
                accept_number=plan.accept,
                reject_number=plan.reject,
                defects_found=found[defect_class],
                passed=results[defect_class],
            )
            for defect_class, plan in plans.items()
        ]
    )
    summary = {
        c: {
            "aql": str(p.aql),
            "code": p.plan_code_letter,
            "n": p.sample_size,
            "ac": p.accept,
            "re": p.reject,
            "found": found[c],
            "passed": results[c],
        }
        for c, p in plans.items()
    }
    order_event_record(
        order=order,
        type=OrderEvent.Type.QUALITY_INSPECTED,
        actor=actor,
        to_status=status,
        note=_("%(stage)s inspection %(number)s: %(result)s")
        % {
            "stage": InspectionStage(stage).label,
            "number": inspection.number,
            "result": InspectionStatus(status).label,
        },
        data={
            "inspection": inspection.pk,
            "number": inspection.number,
            "stage": stage,
            "line": line.line_no if line else None,
            "lot_size": lot_size,
            "level": level,
            "code_letter": inspection.code_letter,
            "classes": summary,
        },
    )
    if status == InspectionStatus.FAILED and stage == InspectionStage.FINAL:
        inspection.exception_number = _quality_exception_raise(
            inspection=inspection, actor=actor, summary=summary
        )
        if inspection.exception_number:
            Inspection.objects.filter(pk=inspection.pk).update(exception_number=inspection.exception_number)
    return inspection


def _quality_exception_raise(*, inspection: Inspection, actor: User, summary: dict) -> str:
    """Through gendan.followup's exception service (type quality); if that refuses or is absent, the fact
    stays on the order's timeline as a quality exception event. Returns the exception number or ''."""
    order = inspection.order
    failed = ", ".join(
        f"{DefectClass(c).label} {v['found']}>{v['ac']} (AQL {v['aql']}, n={v['n']})"
        for c, v in summary.items()
        if not v["passed"]
    )
    title = _("Final inspection %(number)s failed: %(failed)s") % {
        "number": inspection.number,
        "failed": failed,
    }
    description = _(
        "Lot %(lot)s, level %(level)s, code letter %(letter)s. Shipment is blocked until a supervisor records "
        "a concession or a re-inspection passes."
    ) % {"lot": inspection.lot_size, "level": inspection.level, "letter": inspection.code_letter}
    refused = "absent"
    if importlib.util.find_spec("gendan.followup.services") is not None:
        from gendan.followup.models import ExceptionType, Severity
        from gendan.followup.services import exception_raise

        try:
            exception = exception_raise(
                order=order,
                actor=actor,
                type=ExceptionType.QUALITY,
                title=title[:200],
                severity=Severity.HIGH,
                description=description,
            )
            return exception.number
        except ApplicationError as exc:
            refused = exc.code
            logger.warning("quality exception for %s refused by followup: %s", inspection.number, exc.code)
    order_event_record(
        order=order,
        type=OrderEvent.Type.QUALITY_EXCEPTION,
        actor=actor,
        note=title[:500],
        data={"inspection": inspection.pk, "number": inspection.number, "followup_refused": refused},
    )
    return ""


@transaction.atomic
def inspection_concede(
    *, inspection: Inspection, actor: User, reason: str, version: int | None = None
) -> Inspection:
    """A supervisor accepts a failed final inspection's lot (让步接收), with a reason: shipment may go."""
    _ensure_can_write(actor)
    inspection = _inspection_locked(inspection, actor)
    if not set(actor.roles) & INSPECTION_TRANSITIONS["concede"].roles:  # who may, before what state
        raise PermissionDeniedError(_("Your role may not do this."), code="role_not_allowed")
    transition_check(INSPECTION_TRANSITIONS, "concede", inspection.status, set(actor.roles))
    if inspection.stage != InspectionStage.FINAL:
        raise TransitionError(
            _("A concession is recorded on a failed final inspection; rework and re-inspect the others."),
            code="not_final",
        )
    if version is not None and version != inspection.version:
        raise ConflictError(_("Someone else changed this inspection. Reload the page."))
    errors = FieldErrors()
    reason = parse_text(reason, "reason", errors, required=True, max_length=2000)
    errors.raise_if_any()
    moment = timezone.now()
    source = inspection.status
    inspection.status = InspectionStatus.CONCEDED
    inspection.concession_reason, inspection.conceded_by, inspection.conceded_at = reason, actor, moment
    inspection.version += 1
    inspection.save(
        update_fields=["status", "concession_reason", "conceded_by", "conceded_at", "version", "updated_at"]
    )
    order_event_record(
        order=inspection.order,
        type=OrderEvent.Type.QUALITY_CONCESSION,
        actor=actor,
        from_status=source,
        to_status=inspection.status,
        note=reason,
        data={
            "inspection": inspection.pk,
            "number": inspection.number,
            "exception": inspection.exception_number,
        },
    )
    _exception_resolve(inspection=inspection, actor=actor, reason=reason)
    return inspection


def _exception_resolve(*, inspection: Inspection, actor: User, reason: str) -> None:
    """The concession answers the quality exception: resolve it if it is still open (best effort)."""
    if not inspection.exception_number or importlib.util.find_spec("gendan.followup.services") is None:
        return
    from gendan.followup.models import ExceptionStatus, FollowupException
    from gendan.followup.services import exception_resolve

    exception = FollowupException.objects.filter(
        number=inspection.exception_number, status=ExceptionStatus.OPEN
    ).first()
    if exception is None:
        return
    try:
        exception_resolve(
            exception=exception,
            actor=actor,
            resolution=_("Concession (让步接收) on %(number)s: %(reason)s")
            % {"number": inspection.number, "reason": reason},
        )
    except ApplicationError as exc:
        logger.info("exception %s not resolved by the concession: %s", exception.number, exc.code)


@transaction.atomic
def inspection_cancel(*, inspection: Inspection, actor: User, reason: str) -> Inspection:
    """A record made in error is cancelled (never deleted); the shipment gate then ignores it."""
    _ensure_can_write(actor)
    inspection = _inspection_locked(inspection, actor)
    transition_check(INSPECTION_TRANSITIONS, "cancel", inspection.status, set(actor.roles))
    if actor.has_role(R.REVIEWER) and not actor.has_role(R.SUPERVISOR, R.ADMIN) and not is_qc(actor):
        raise PermissionDeniedError(_("Only QC may cancel an inspection."), code="role_not_allowed")
    errors = FieldErrors()
    reason = parse_text(reason, "reason", errors, required=True, max_length=500)
    errors.raise_if_any()
    source = inspection.status
    inspection.status = InspectionStatus.CANCELLED
    inspection.cancel_reason, inspection.cancelled_by, inspection.cancelled_at = reason, actor, timezone.now()
    inspection.version += 1
    inspection.save(
        update_fields=["status", "cancel_reason", "cancelled_by", "cancelled_at", "version", "updated_at"]
    )
    order_event_record(
        order=inspection.order,
        type=OrderEvent.Type.QUALITY_INSPECTION_CANCELLED,
        actor=actor,
        from_status=source,
        to_status=inspection.status,
        note=reason,
        data={"inspection": inspection.pk, "number": inspection.number},
    )
    return inspection


def inspection_defaults(*, order: Order, line: OrderLine | None = None, today: dt.date | None = None) -> dict:
    """What the form proposes: level II, the usual AQLs, the line's (or order's) quantity as the lot."""
    quantity = line.quantity if line is not None else order.total_quantity
    return {
        "level": InspectionLevel.II,
        "lot_size": max(1, int(quantity)) if quantity else "",
        "inspected_on": (today or timezone.localdate()).isoformat(),
        **DEFAULT_AQLS,
    }
