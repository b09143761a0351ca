"""Follow-up API: T&A plans and milestones, progress records (with photos), shipment confirmations,
exceptions and their actions, risk, missed records, possible concealment.

Thin handlers: reads through the scoped selectors (`order_visible_list`), writes through the services;
a refused rule is an ApplicationError answered as {"message", "code", "extra"} with its 4xx.
"""

import datetime as dt
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Annotated

from django.utils import timezone
from ninja import Field, File, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile

from gendan.core.api import ERRORS
from gendan.core.errors import NotFoundError, ValidationFailed
from gendan.core.schemas import MAX_ID, DateIn, PageOut, PageParams, StrictId, UserRef, page_of
from gendan.followup import selectors, services
from gendan.followup.models import (
    ExceptionType,
    FollowupException,
    ProgressRecord,
    ProgressStage,
    ProgressState,
    Severity,
)
from gendan.followup.risk import reason_text

router = Router(tags=["follow-up"])

OrderId = Annotated[int, Path(..., ge=1, le=MAX_ID)]
RowId = Annotated[int, Path(..., ge=1, le=MAX_ID)]
Quantity = Annotated[Decimal, Field(ge=0, le=Decimal("9999999999"), max_digits=14, decimal_places=3)]

ProgressStageIn = Enum("ProgressStageIn", {v: v for v in ProgressStage.values}, type=str)
StateIn = Enum("StateIn", {v: v for v in ProgressState.values}, type=str)
ExceptionTypeIn = Enum("ExceptionTypeIn", {v: v for v in ExceptionType.values}, type=str)
SeverityIn = Enum("SeverityIn", {v: v for v in Severity.values}, type=str)


# ---------------------------------------------------------------------------------------------- plans


class MilestoneOut(Schema):
    id: int
    code: str
    name: str
    owner_role: str
    owner: UserRef | None
    lead_days: int
    offset_from_id: int | None
    mandatory: bool
    sequence: int
    baseline_date: dt.date
    planned_date: dt.date
    actual_date: dt.date | None
    status: str = Field(
        ..., description="not_due, due_soon, overdue or done: derived from the dates and today"
    )
    version: int


class PlanOut(Schema):
    id: int
    order_id: int
    order_number: str
    template: str | None
    promised_date: dt.date
    warnings: list[str]
    milestones: list[MilestoneOut]


class PlanGenerateIn(Schema):
    strict: bool = Field(False, description="Refuse (400 calendar_not_covered) instead of assuming Mon–Fri")


class MilestoneMoveIn(Schema):
    planned_date: DateIn
    reason: str = Field(..., min_length=1, max_length=500)
    version: int | None = Field(None, ge=1, le=MAX_ID)


class MilestoneActualIn(Schema):
    actual_date: DateIn
    note: str = Field("", max_length=500)


def _plan_out(plan, today: dt.date) -> dict:
    milestones = selectors.plan_milestones(plan=plan, today=today)
    return {
        "id": plan.pk,
        "order_id": plan.order_id,
        "order_number": plan.order.number,
        "template": plan.template.code if plan.template else None,
        "promised_date": plan.promised_date,
        "warnings": plan.warnings,
        "milestones": milestones,
    }


@router.get("/orders/{order_id}/plan", response={200: PlanOut, **ERRORS}, summary="An order's T&A plan")
def plan_get(request, order_id: OrderId):
    order = selectors.order_for_followup(user=request.user, pk=order_id)
    plan = selectors.plan_for_order(order=order)
    if plan is None:
        raise NotFoundError("This order has no T&A plan yet.", code="no_plan")
    return _plan_out(plan, timezone.localdate())


@router.post(
    "/orders/{order_id}/plan",
    response={201: PlanOut, **ERRORS},
    summary="Generate the T&A plan (orders released before plans existed)",
)
def plan_generate(request, order_id: OrderId, payload: PlanGenerateIn):
    order = selectors.order_for_followup(user=request.user, pk=order_id)
    plan = services.ta_plan_generate(order=order, actor=request.user, strict=payload.strict)
    return Status(201, _plan_out(plan, timezone.localdate()))


def _milestone_out(milestone) -> dict:
    plan = milestone.plan
    today = timezone.localdate()
    return next(m for m in selectors.plan_milestones(plan=plan, today=today) if m.pk == milestone.pk)


@router.post(
    "/milestones/{milestone_id}/move",
    response={200: MilestoneOut, **ERRORS},
    summary="Move a milestone's planned date (planner); the reason goes on the order's timeline",
)
def milestone_move(request, milestone_id: RowId, payload: MilestoneMoveIn):
    milestone = selectors.milestone_get(user=request.user, pk=milestone_id)
    milestone = services.ta_milestone_move(
        milestone=milestone,
        actor=request.user,
        planned_date=payload.planned_date,
        reason=payload.reason,
        version=payload.version,
    )
    return _milestone_out(milestone)


@router.post(
    "/milestones/{milestone_id}/actual",
    response={200: MilestoneOut, **ERRORS},
    summary="Record the day a milestone was reached",
)
def milestone_actual(request, milestone_id: RowId, payload: MilestoneActualIn):
    milestone = selectors.milestone_get(user=request.user, pk=milestone_id)
    milestone = services.ta_milestone_actual(
        milestone=milestone, actor=request.user, actual_date=payload.actual_date, note=payload.note
    )
    return _milestone_out(milestone)


class MilestoneOwnerIn(Schema):
    owner_id: StrictId | None = Field(None, description="A user; null clears the owner (the role remains)")


@router.post(
    "/milestones/{milestone_id}/owner",
    response={200: MilestoneOut, **ERRORS},
    summary="Assign a milestone's owner (planner, supervisor)",
)
def milestone_owner(request, milestone_id: RowId, payload: MilestoneOwnerIn):
    from gendan.accounts.models import User

    milestone = selectors.milestone_get(user=request.user, pk=milestone_id)
    owner = None
    if payload.owner_id is not None:
        owner = User.objects.filter(pk=payload.owner_id, is_active=True).first()
        if owner is None:
            raise ValidationFailed({"owner_id": ["Unknown or inactive user."]})
    milestone = services.ta_milestone_assign(milestone=milestone, actor=request.user, owner=owner)
    return _milestone_out(milestone)


# ---------------------------------------------------------------------------------------------- records


class PhotoOut(Schema):
    id: int
    url: str
    image_format: str
    size: int
    width: int
    height: int

    @staticmethod
    def resolve_url(obj) -> str:
        from django.urls import reverse

        return reverse("followup:photo", args=[obj.pk])


class RecordOut(Schema):
    id: int
    order_id: int
    recorded_at: dt.datetime
    work_date: dt.date
    slot: int
    stage: str
    quantity_done: Decimal
    state: str
    note: str
    recorded_by: UserRef
    photos: list[PhotoOut]

    @staticmethod
    def resolve_photos(obj) -> list:
        return list(obj.photos.all())


class RecordPage(PageOut):
    items: list[RecordOut]


class RecordIn(Schema):
    stage: ProgressStageIn
    quantity_done: Quantity = Field(..., description="Quantity finished so far at this stage (cumulative)")
    state: StateIn = StateIn("normal")
    note: str = Field("", max_length=2000)


class ShipmentConfirmIn(Schema):
    quantity_shipped: Quantity
    note: str = Field("", max_length=300)


class ShipmentConfirmOut(Schema):
    order_id: int
    work_date: dt.date
    quantity_shipped: Decimal
    note: str
    confirmed_at: dt.datetime


@router.get("/orders/{order_id}/records", response={200: RecordPage, **ERRORS}, summary="Progress records")
def records_list(request, order_id: OrderId, page: Query[PageParams]):
    order = selectors.order_for_followup(user=request.user, pk=order_id)
    return page_of(selectors.records_for_order(order=order), limit=page.limit, offset=page.offset)


@router.post(
    "/orders/{order_id}/records",
    response={201: RecordOut, **ERRORS},
    summary="Record progress (the slot comes from the time; photos via /records/{id}/photos)",
)
def record_create(request, order_id: OrderId, payload: RecordIn):
    order = selectors.order_for_followup(user=request.user, pk=order_id)
    record = services.progress_record_create(
        order=order,
        actor=request.user,
        stage=payload.stage.value,
        quantity_done=payload.quantity_done,
        state=payload.state.value,
        note=payload.note,
    )
    return Status(201, record)


@router.post(
    "/records/{record_id}/photos",
    response={201: list[PhotoOut], **ERRORS},
    summary="Add photos to a record (JPEG, PNG or WebP, at most 8 MB each, 6 per record)",
)
def record_photos(request, record_id: RowId, photos: File[list[UploadedFile]]):
    record = ProgressRecord.objects.filter(pk=record_id).first()
    if record is None:
        raise NotFoundError("Record not found.")
    return Status(201, services.progress_photos_add(record=record, actor=request.user, photos=list(photos)))


@router.post(
    "/orders/{order_id}/shipment-confirmation",
    response={200: ShipmentConfirmOut, **ERRORS},
    summary="Confirm what left today (before the end of the day); again to correct",
)
def shipment_confirm(request, order_id: OrderId, payload: ShipmentConfirmIn):
    order = selectors.order_for_followup(user=request.user, pk=order_id)
    return services.shipment_confirm(
        order=order, actor=request.user, quantity_shipped=payload.quantity_shipped, note=payload.note
    )


class MissedOut(Schema):
    order_id: int
    number: str
    date: dt.date
    slot: int
    slot_label: str
    merchandiser_id: int


class MissedFilter(Schema):
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@router.get("/missed-records", response={200: list[MissedOut], **ERRORS}, summary="Missed progress records")
def missed_records(request, filters: Query[MissedFilter]):
    today = timezone.localdate()
    date_to = filters.date_to or today
    date_from = filters.date_from or date_to - dt.timedelta(days=6)
    if not (dt.date(2000, 1, 1) <= date_from <= date_to <= dt.date(2100, 12, 31)):
        raise ValidationFailed({"date_from": ["date_from must not be after date_to (2000–2100)."]})
    return selectors.missed_records(user=request.user, date_from=date_from, date_to=date_to)[:5000]


# ---------------------------------------------------------------------------------------------- exceptions


class ExceptionOut(Schema):
    id: int
    number: str
    order_id: int
    order_number: str
    type: str
    severity: str
    title: str
    description: str
    impact_days: int
    owner: UserRef
    level: int
    status: str
    resolution: str
    raised_at: dt.datetime
    escalated_at: dt.datetime = Field(..., description="When the exception reached its current level")
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    version: int

    @staticmethod
    def resolve_order_number(obj) -> str:
        return obj.order.number


class ExceptionPage(PageOut):
    items: list[ExceptionOut]


class ExceptionIn(Schema):
    order_id: StrictId
    type: ExceptionTypeIn
    severity: SeverityIn = SeverityIn("medium")
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=4000)
    impact_days: int = Field(0, ge=0, le=365, strict=True)


class ExceptionActionIn(Schema):
    text: str = Field(
        "", max_length=4000, description="Resolution (resolve), reason (reopen), note (escalate, close)"
    )


class ExceptionFilter(PageParams):
    status: str | None = Field(None, pattern="^(open|resolved|closed|active)$")
    level: int | None = Field(None, ge=1, le=3)
    type: ExceptionTypeIn | None = None
    order_id: int | None = Field(None, ge=1, le=MAX_ID)
    mine: bool = False


@router.get("/exceptions", response={200: ExceptionPage, **ERRORS}, summary="Exceptions (scoped)")
def exceptions_list(request, filters: Query[ExceptionFilter]):
    qs = selectors.exception_list(
        user=request.user,
        filters={
            "status": filters.status,
            "level": filters.level,
            "type": filters.type.value if filters.type else None,
            "order": filters.order_id,
            "mine": filters.mine,
        },
    )
    return page_of(qs, limit=filters.limit, offset=filters.offset)


@router.post("/exceptions", response={201: ExceptionOut, **ERRORS}, summary="Raise an exception (level 1)")
def exception_create(request, payload: ExceptionIn):
    order = selectors.order_for_followup(user=request.user, pk=payload.order_id)
    exception = services.exception_raise(
        order=order,
        actor=request.user,
        type=payload.type.value,
        severity=payload.severity.value,
        title=payload.title,
        description=payload.description,
        impact_days=payload.impact_days,
    )
    return Status(201, exception)


@router.get("/exceptions/{exception_id}", response={200: ExceptionOut, **ERRORS}, summary="One exception")
def exception_detail(request, exception_id: RowId):
    return selectors.exception_get(user=request.user, pk=exception_id)


class ExceptionAction(StrEnum):
    escalate = "escalate"
    resolve = "resolve"
    reopen = "reopen"
    close = "close"


@router.post(
    "/exceptions/{exception_id}/{action}",
    response={200: ExceptionOut, **ERRORS},
    summary="escalate (next level), resolve (with the resolution), reopen (with a reason) or close",
)
def exception_action(
    request, exception_id: RowId, action: Annotated[ExceptionAction, Path(...)], payload: ExceptionActionIn
):
    exception: FollowupException = selectors.exception_get(user=request.user, pk=exception_id)
    if action == ExceptionAction.escalate:
        return services.exception_escalate(exception=exception, actor=request.user, note=payload.text)
    if action == ExceptionAction.resolve:
        return services.exception_resolve(exception=exception, actor=request.user, resolution=payload.text)
    if action == ExceptionAction.reopen:
        return services.exception_reopen(exception=exception, actor=request.user, reason=payload.text)
    return services.exception_close(exception=exception, actor=request.user, note=payload.text)


# ---------------------------------------------------------------------------------------------- risk


class RiskOut(Schema):
    order_id: int
    order_number: str
    level: str
    reasons: list[str]
    projected_finish: dt.date | None
    daily_output: Decimal | None
    promised_date: dt.date

    @staticmethod
    def resolve_order_number(obj) -> str:
        return obj.order.number

    @staticmethod
    def resolve_reasons(obj) -> list[str]:
        return [reason_text(r) for r in obj.reasons]

    @staticmethod
    def resolve_promised_date(obj) -> dt.date:
        return obj.order.due_date


class RiskPage(PageOut):
    items: list[RiskOut]


class RiskFilter(PageParams):
    red_only: bool = False


@router.get("/risk", response={200: RiskPage, **ERRORS}, summary="Orders at risk (red first)")
def risk_list(request, filters: Query[RiskFilter]):
    levels = ("red",) if filters.red_only else ("red", "amber")
    return page_of(
        selectors.orders_at_risk(user=request.user, levels=levels), limit=filters.limit, offset=filters.offset
    )


class ConcealmentOut(Schema):
    kind: str
    order_id: int
    order_number: str
    at: dt.datetime
    deadline: dt.datetime
    detail: str


@router.get(
    "/concealment",
    response={200: list[ConcealmentOut], **ERRORS},
    summary="Possible concealment: delays or quality problems with no exception in time (supervisors)",
)
def concealment(request):
    return [
        {**row, "order_number": row["order"].number, "detail": str(row["detail"])}
        for row in selectors.concealment_list(user=request.user)
    ]
