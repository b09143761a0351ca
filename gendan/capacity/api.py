"""Capacity API: work centres, routes, the stored schedule (scoped to the user's orders), weekly loads, a
schedule run, and what-if completion for one order."""

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from gendan.catalog.selectors import product_get
from gendan.core.errors import NotFoundError, PermissionDeniedError
from gendan.core.schemas import ERRORS, MAX_ID, PageOut, PageParams, page_of
from gendan.orders.selectors import order_get

from . import selectors as sel
from . import services
from .models import MAX_DAILY_MINUTES, ScheduleSnapshot

router = Router(tags=["capacity"])


class WorkCentreOut(Schema):
    id: int
    code: str
    name: str
    daily_minutes: int
    is_active: bool
    version: int


class WorkCentreIn(Schema):
    model_config = {"extra": "forbid"}

    code: str = Field(..., min_length=1, max_length=20)
    name: str = Field(..., min_length=1, max_length=100)
    daily_minutes: int = Field(..., strict=True, ge=1, le=MAX_DAILY_MINUTES)
    is_active: bool = True


class WorkCentreUpdateIn(WorkCentreIn):
    version: int = Field(..., strict=True, ge=1, le=2**31 - 1)


class RouteStepIn(Schema):
    model_config = {"extra": "forbid"}

    work_centre: str = Field(..., min_length=1, max_length=20, description="Work centre code")
    minutes_per_piece: Decimal = Field(..., gt=0, max_digits=10, decimal_places=4)


class RouteIn(Schema):
    model_config = {"extra": "forbid"}

    steps: list[RouteStepIn] = Field(..., max_length=50)


class RouteStepOut(Schema):
    sequence: int
    work_centre: str = Field(..., alias="work_centre.code")
    minutes_per_piece: Decimal


class ResultOut(Schema):
    order_id: int
    order_number: str = Field(..., alias="order.number")
    due_date: dt.date
    material_ready_date: dt.date | None
    start_date: dt.date | None
    completion_date: dt.date | None
    beyond_horizon: bool
    has_route: bool
    is_late: bool
    load: dict[str, float]


class ResultPage(PageOut):
    items: list[ResultOut]


class ResultFilters(PageParams):
    late: bool | None = Field(None, description="Only orders later than due")


class WeekOut(Schema):
    week: dt.date
    capacity: float
    load: float
    demand: float
    percent: int
    overloaded: bool


class WorkCentreLoadOut(Schema):
    work_centre: str
    weeks: list[WeekOut]
    overloaded_weeks: int


class LoadFilters(Schema):
    weeks: int = Field(26, ge=1, le=60)
    work_centre: int | None = Field(None, ge=1, le=MAX_ID)


class RunIn(Schema):
    model_config = {"extra": "forbid"}

    full: bool = Field(False, description="Reschedule everything instead of applying the noted changes")


class RunOut(Schema):
    kind: ScheduleSnapshot.Kind
    horizon_start: dt.date
    horizon_end: dt.date
    orders: int
    changed: int
    duration_ms: int
    warnings: list[str]
    computed_at: dt.datetime


class PreviewOut(Schema):
    order_id: int
    completion: dt.date | None
    start: dt.date | None
    material_ready: dt.date | None
    has_route: bool
    beyond_horizon: bool
    warnings: list[str]


@router.get("/work-centres", response={200: list[WorkCentreOut], **ERRORS}, summary="Work centres")
def work_centre_list_api(request):
    return list(sel.work_centre_list(user=request.auth))


@router.post("/work-centres", response={201: WorkCentreOut, **ERRORS}, summary="Create a work centre")
def work_centre_create_api(request, payload: WorkCentreIn):
    return Status(201, services.work_centre_create(actor=request.auth, data=payload.model_dump()))


@router.put("/work-centres/{wc_id}", response={200: WorkCentreOut, **ERRORS}, summary="Change a work centre")
def work_centre_update_api(request, payload: WorkCentreUpdateIn, wc_id: int = Path(..., ge=1, le=MAX_ID)):
    wc = sel.work_centre_get(user=request.auth, pk=wc_id)
    data = payload.model_dump()
    return services.work_centre_update(
        actor=request.auth, work_centre=wc, version=data.pop("version"), data=data
    )


@router.get(
    "/products/{product_id}/route", response={200: list[RouteStepOut], **ERRORS}, summary="A product's route"
)
def route_api(request, product_id: int = Path(..., ge=1, le=MAX_ID)):
    product = product_get(user=request.auth, pk=product_id)
    return list(sel.route_for_product(product_id=product.pk))


@router.put(
    "/products/{product_id}/route", response={200: list[RouteStepOut], **ERRORS}, summary="Replace a route"
)
def route_set_api(request, payload: RouteIn, product_id: int = Path(..., ge=1, le=MAX_ID)):
    product = product_get(user=request.auth, pk=product_id)
    services.route_set(
        actor=request.auth,
        product=product,
        steps=[
            {"work_centre": s.work_centre, "minutes_per_piece": str(s.minutes_per_piece)}
            for s in payload.steps
        ],
    )
    return list(sel.route_for_product(product_id=product.pk))


@router.get("/schedule", response={200: ResultPage, **ERRORS}, summary="Scheduled orders in scope")
def schedule_api(request, filters: Query[ResultFilters]):
    qs = sel.schedule_result_list(user=request.auth, late_only=bool(filters.late))
    return page_of(qs, limit=filters.limit, offset=filters.offset)


@router.get("/orders/{order_id}", response={200: ResultOut, **ERRORS}, summary="An order's stored schedule")
def schedule_order_api(request, order_id: int = Path(..., ge=1, le=MAX_ID)):
    result = sel.schedule_result_for_order(user=request.auth, order_id=order_id)
    if result is None:
        raise NotFoundError(_("This order is not scheduled."))
    return result


@router.get(
    "/orders/{order_id}/preview", response={200: PreviewOut, **ERRORS}, summary="What-if completion now"
)
def schedule_preview_api(request, order_id: int = Path(..., ge=1, le=MAX_ID)):
    order = order_get(user=request.auth, pk=order_id)
    return {"order_id": order.pk, **sel.order_schedule_preview(order=order)}


@router.get("/load", response={200: list[WorkCentreLoadOut], **ERRORS}, summary="Weekly load per work centre")
def load_api(request, filters: Query[LoadFilters]):
    if not sel.may_view_capacity(request.auth):
        raise PermissionDeniedError(_("Your role may not see capacity."), code="role_not_allowed")
    chart = sel.week_load_chart(user=request.auth, work_centre_id=filters.work_centre, weeks=filters.weeks)
    return [
        {
            "work_centre": row["work_centre"].code,
            "weeks": row["weeks"],
            "overloaded_weeks": row["overloaded_weeks"],
        }
        for row in chart
    ]


@router.post("/runs", response={200: RunOut, **ERRORS}, summary="Run the schedule (changes, or everything)")
def run_api(request, payload: RunIn):
    if not sel.may_plan(request.auth):
        raise PermissionDeniedError(
            _("Only planners, supervisors and administrators may run the schedule."), code="role_not_allowed"
        )
    return services.schedule_run() if payload.full else services.schedule_update()
