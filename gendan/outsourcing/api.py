"""Outsourcing API (外协): the order's outsourcing plan, outsourcing orders and their actions, dispatches and
returns, the monthly fee statement of a subcontractor and the scorecard. Everything is scoped through the
user's orders; a refused rule answers {"message", "code", "extra"} with its 4xx."""

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import Annotated

from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status

from gendan.core.api import ERRORS
from gendan.core.errors import ValidationFailed
from gendan.core.schemas import MAX_ID, DateIn, PageOut, PageParams, StrictId, UserRef, page_of
from gendan.orders.selectors import order_get
from gendan.outsourcing import selectors, services
from gendan.outsourcing.models import OutsourcingOrder, OutsourcingPlanItem, Process

router = Router(tags=["outsourcing"])

RowId = Annotated[int, Path(..., ge=1, le=MAX_ID)]
ProcessIn = Enum("ProcessIn", {v: v for v in Process.values}, type=str)
Quantity = Annotated[Decimal, Field(gt=0, le=Decimal("9999999999"), max_digits=14, decimal_places=3)]
QuantityOrZero = Annotated[Decimal, Field(ge=0, le=Decimal("9999999999"), max_digits=14, decimal_places=3)]
Price = Annotated[Decimal, Field(ge=0, le=Decimal("9999999999"), max_digits=14, decimal_places=4)]
Money = Annotated[Decimal, Field(ge=0, le=Decimal("999999999999"), max_digits=14, decimal_places=2)]


class SubcontractorRef(Schema):
    id: int
    code: str
    name: str


# ------------------------------------------------------------------------------------------------ plan


class PlanItemOut(Schema):
    id: int
    order_id: int
    order_line_id: int | None
    process: str
    process_detail: str
    subcontractor: SubcontractorRef
    quantity: Decimal
    planned_send_date: dt.date
    planned_return_date: dt.date
    note: str
    cancelled: bool
    version: int

    @staticmethod
    def resolve_cancelled(obj: OutsourcingPlanItem) -> bool:
        return obj.cancelled_at is not None


class PlanItemIn(Schema):
    order_id: StrictId
    order_line_id: StrictId | None = None
    process: ProcessIn
    process_detail: str = Field("", max_length=200)
    subcontractor_id: StrictId
    quantity: Quantity
    planned_send_date: DateIn
    planned_return_date: DateIn
    note: str = Field("", max_length=500)


class PlanQuery(Schema):
    order_id: int = Field(..., ge=1, le=MAX_ID)
    include_cancelled: bool = False


def _plan_values(payload) -> dict:
    return {
        "order_line": payload.order_line_id,
        "process": payload.process.value,
        "process_detail": payload.process_detail,
        "subcontractor": payload.subcontractor_id,
        "quantity": payload.quantity,
        "planned_send_date": payload.planned_send_date,
        "planned_return_date": payload.planned_return_date,
        "note": payload.note,
    }


@router.get("/plan", response={200: list[PlanItemOut], **ERRORS}, summary="An order's outsourcing plan")
def plan_list(request, params: Query[PlanQuery]):
    order = order_get(user=request.user, pk=params.order_id)
    return list(selectors.plan_items_for_order(order=order, include_cancelled=params.include_cancelled))


@router.post(
    "/plan", response={201: PlanItemOut, **ERRORS}, summary="Add a line to an order's outsourcing plan"
)
def plan_create(request, payload: PlanItemIn):
    order = order_get(user=request.user, pk=payload.order_id)
    return Status(201, services.plan_item_create(order=order, actor=request.user, data=_plan_values(payload)))


class PlanItemUpdateIn(PlanItemIn):
    version: int = Field(..., ge=1, le=MAX_ID)


@router.post("/plan/{item_id}", response={200: PlanItemOut, **ERRORS}, summary="Change a plan line")
def plan_update(request, item_id: RowId, payload: PlanItemUpdateIn):
    item = selectors.plan_item_get(user=request.user, pk=item_id)
    if item.order_id != payload.order_id:
        raise ValidationFailed({"order_id": ["A plan line stays on its order."]})
    return services.plan_item_update(
        item=item, actor=request.user, data=_plan_values(payload), version=payload.version
    )


@router.post("/plan/{item_id}/cancel", response={200: PlanItemOut, **ERRORS}, summary="Cancel a plan line")
def plan_cancel(request, item_id: RowId):
    item = selectors.plan_item_get(user=request.user, pk=item_id)
    return services.plan_item_cancel(item=item, actor=request.user)


# ---------------------------------------------------------------------------------- outsourcing orders


class DispatchOut(Schema):
    id: int
    dispatched_on: dt.date
    quantity: Decimal
    note: str


class ReturnOut(Schema):
    id: int
    returned_on: dt.date
    quantity_returned: Decimal
    quantity_defective: Decimal
    inspection_note: str
    fee_amount: Decimal
    deduction_amount: Decimal
    net_amount: Decimal
    explicit_deduction: bool


class OutsourcingOrderOut(Schema):
    id: int
    number: str
    order_id: int
    order_number: str
    order_line_id: int | None
    plan_item_id: int | None
    subcontractor: SubcontractorRef
    process: str
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    materials_issued: str
    due_date: dt.date
    quality_requirements: str
    status: str
    quantity_dispatched: Decimal
    quantity_returned: Decimal
    quantity_defective: Decimal
    quantity_at_subcontractor: Decimal = Field(..., description="Sent and not yet back")
    quantity_outstanding: Decimal = Field(..., description="Ordered and not yet back")
    overdue: bool
    created_by: UserRef
    issued_at: dt.datetime | None
    version: int

    @staticmethod
    def resolve_order_number(obj: OutsourcingOrder) -> str:
        return obj.order.number

    @staticmethod
    def resolve_overdue(obj: OutsourcingOrder) -> bool:
        return selectors.is_overdue(obj, timezone.localdate())


class OutsourcingOrderDetailOut(OutsourcingOrderOut):
    dispatches: list[DispatchOut]
    returns: list[ReturnOut]

    @staticmethod
    def resolve_dispatches(obj: OutsourcingOrder) -> list:
        return list(obj.dispatches.all())

    @staticmethod
    def resolve_returns(obj: OutsourcingOrder) -> list:
        return list(obj.returns.all())


class OutsourcingOrderPage(PageOut):
    items: list[OutsourcingOrderOut]


class OutsourcingOrderFilter(PageParams):
    status: str | None = Field(
        None, pattern="^(open|draft|issued|partially_returned|returned|closed|cancelled)$"
    )
    subcontractor_id: int | None = Field(None, ge=1, le=MAX_ID)
    order_id: int | None = Field(None, ge=1, le=MAX_ID)
    overdue: bool = False


class OutsourcingOrderIn(Schema):
    order_id: StrictId
    plan_item_id: StrictId | None = None
    subcontractor_id: StrictId | None = Field(None, description="Required unless a plan item gives it")
    process: ProcessIn | None = None
    description: str = Field("", max_length=300)
    order_line_id: StrictId | None = None
    quantity: Quantity | None = None
    unit: str = Field("", max_length=10)
    unit_price: Price
    due_date: DateIn | None = None
    materials_issued: str = Field("", max_length=4000)
    quality_requirements: str = Field("", max_length=4000)


class OutsourcingReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500)


class CloseIn(Schema):
    note: str = Field("", max_length=500)


class DueDateIn(Schema):
    due_date: DateIn
    reason: str = Field(..., min_length=1, max_length=500)


class DispatchIn(Schema):
    quantity: Quantity
    dispatched_on: DateIn | None = None
    note: str = Field("", max_length=500)


class ReturnIn(Schema):
    quantity_returned: Quantity
    quantity_defective: QuantityOrZero = Decimal(0)
    returned_on: DateIn | None = None
    deduction_amount: Money | None = Field(None, description="Blank: defective × unit price")
    inspection_note: str = Field("", max_length=500)


def _detail(request, pk: int) -> OutsourcingOrder:
    return selectors.outsourcing_order_get(user=request.user, pk=pk)


@router.get("/orders", response={200: OutsourcingOrderPage, **ERRORS}, summary="Outsourcing orders (scoped)")
def outsourcing_orders(request, filters: Query[OutsourcingOrderFilter]):
    qs = selectors.outsourcing_order_list(
        user=request.user,
        filters={
            "status": filters.status,
            "subcontractor": filters.subcontractor_id,
            "order": filters.order_id,
            "overdue": filters.overdue,
        },
        today=timezone.localdate(),
    )
    return page_of(qs, limit=filters.limit, offset=filters.offset)


@router.post(
    "/orders",
    response={201: OutsourcingOrderDetailOut, **ERRORS},
    summary="Create an outsourcing order (draft)",
)
def outsourcing_order_create(request, payload: OutsourcingOrderIn):
    order = order_get(user=request.user, pk=payload.order_id)
    oo = services.outsourcing_order_create(
        order=order,
        actor=request.user,
        data={
            "plan_item": payload.plan_item_id,
            "subcontractor": payload.subcontractor_id,
            "process": payload.process.value if payload.process else None,
            "description": payload.description,
            "order_line": payload.order_line_id,
            "quantity": payload.quantity,
            "unit": payload.unit,
            "unit_price": payload.unit_price,
            "due_date": payload.due_date,
            "materials_issued": payload.materials_issued,
            "quality_requirements": payload.quality_requirements,
        },
    )
    return Status(201, _detail(request, oo.pk))


@router.get(
    "/orders/{oo_id}", response={200: OutsourcingOrderDetailOut, **ERRORS}, summary="An outsourcing order"
)
def outsourcing_order_detail(request, oo_id: RowId):
    return _detail(request, oo_id)


@router.post("/orders/{oo_id}/issue", response={200: OutsourcingOrderDetailOut, **ERRORS}, summary="Issue")
def outsourcing_order_issue(request, oo_id: RowId):
    services.outsourcing_order_issue(outsourcing_order=_detail(request, oo_id), actor=request.user)
    return _detail(request, oo_id)


@router.post(
    "/orders/{oo_id}/cancel",
    response={200: OutsourcingOrderDetailOut, **ERRORS},
    summary="Cancel (nothing sent yet)",
)
def outsourcing_order_cancel(request, oo_id: RowId, payload: OutsourcingReasonIn):
    services.outsourcing_order_cancel(
        outsourcing_order=_detail(request, oo_id), actor=request.user, reason=payload.reason
    )
    return _detail(request, oo_id)


@router.post(
    "/orders/{oo_id}/close",
    response={200: OutsourcingOrderDetailOut, **ERRORS},
    summary="Close (a note is required when closed short)",
)
def outsourcing_order_close(request, oo_id: RowId, payload: CloseIn):
    services.outsourcing_order_close(
        outsourcing_order=_detail(request, oo_id), actor=request.user, note=payload.note
    )
    return _detail(request, oo_id)


@router.post(
    "/orders/{oo_id}/due-date",
    response={200: OutsourcingOrderDetailOut, **ERRORS},
    summary="Change the due date",
)
def outsourcing_order_due_date(request, oo_id: RowId, payload: DueDateIn):
    services.outsourcing_order_due_date_change(
        outsourcing_order=_detail(request, oo_id),
        actor=request.user,
        due_date=payload.due_date,
        reason=payload.reason,
    )
    return _detail(request, oo_id)


@router.post(
    "/orders/{oo_id}/dispatches",
    response={201: OutsourcingOrderDetailOut, **ERRORS},
    summary="Record goods sent to the subcontractor",
)
def outsourcing_dispatch(request, oo_id: RowId, payload: DispatchIn):
    services.outsourcing_dispatch_record(
        outsourcing_order=_detail(request, oo_id),
        actor=request.user,
        data={"quantity": payload.quantity, "dispatched_on": payload.dispatched_on, "note": payload.note},
    )
    return Status(201, _detail(request, oo_id))


@router.post(
    "/orders/{oo_id}/returns",
    response={201: OutsourcingOrderDetailOut, **ERRORS},
    summary="Record goods back from the subcontractor (with defective pieces)",
)
def outsourcing_return(request, oo_id: RowId, payload: ReturnIn):
    services.outsourcing_return_record(
        outsourcing_order=_detail(request, oo_id),
        actor=request.user,
        data={
            "quantity_returned": payload.quantity_returned,
            "quantity_defective": payload.quantity_defective,
            "returned_on": payload.returned_on,
            "deduction_amount": payload.deduction_amount,
            "inspection_note": payload.inspection_note,
        },
    )
    return Status(201, _detail(request, oo_id))


# ------------------------------------------------------------------------------- statement, scorecard


class StatementQuery(Schema):
    subcontractor_id: int = Field(..., ge=1, le=MAX_ID)
    year: int = Field(..., ge=2000, le=2100)
    month: int = Field(..., ge=1, le=12)


class StatementRowOut(Schema):
    returned_on: dt.date
    number: str
    order_number: str
    product: str
    process: str
    unit: str
    quantity_returned: Decimal
    quantity_defective: Decimal
    unit_price: Decimal
    fee: Decimal
    deduction: Decimal
    net: Decimal
    explicit_deduction: bool
    note: str


class StatementOut(Schema):
    subcontractor: SubcontractorRef
    month: str
    rows: list[StatementRowOut]
    total_returned: Decimal
    total_defective: Decimal
    total_fee: Decimal
    total_deduction: Decimal
    total_net: Decimal


@router.get(
    "/statement",
    response={200: StatementOut, **ERRORS},
    summary="A subcontractor's processing fees of a month, with rework deductions",
)
def statement(request, params: Query[StatementQuery]):
    sub = selectors.subcontractor_get(user=request.user, pk=params.subcontractor_id)
    st = selectors.fee_statement(user=request.user, subcontractor=sub, year=params.year, month=params.month)
    return {
        "subcontractor": sub,
        "month": st.label,
        "rows": st.rows,
        "total_returned": st.total_returned,
        "total_defective": st.total_defective,
        "total_fee": st.total_fee,
        "total_deduction": st.total_deduction,
        "total_net": st.total_net,
    }


class ScorecardQuery(Schema):
    date_from: dt.date
    date_to: dt.date


class ScorecardOut(Schema):
    subcontractor: SubcontractorRef
    orders_due: int
    orders_on_time: int
    on_time_rate: Decimal | None = Field(..., description="Percent of orders due in the period back on time")
    quantity_returned: Decimal
    quantity_defective: Decimal
    defect_rate: Decimal | None = Field(..., description="Defective per hundred returned")
    fee: Decimal
    deduction: Decimal
    cost: Decimal
    open_orders: int
    overdue_orders: int


@router.get("/scorecard", response={200: list[ScorecardOut], **ERRORS}, summary="Subcontractor scorecard")
def scorecard(request, params: Query[ScorecardQuery]):
    if not (dt.date(2000, 1, 1) <= params.date_from <= params.date_to <= dt.date(2100, 12, 31)):
        raise ValidationFailed({"date_from": ["date_from must not be after date_to (2000–2100)."]})
    return selectors.subcontractor_scorecard(
        user=request.user, date_from=params.date_from, date_to=params.date_to, today=timezone.localdate()
    )
