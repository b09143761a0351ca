"""Quality API: the ISO 2859-1 look-up, inspections (scoped through the user's orders), concessions,
cancellations, and the shipment gate of an order.

Thin handlers: reads through the scoped selectors, writes through the services; a refused rule answers
{"message", "code", "extra"} with its 4xx.
"""

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import Annotated

from ninja import Field, Path, Query, Router, Schema, Status

from gendan.core.api import ERRORS
from gendan.core.schemas import MAX_ID, DateIn, PageOut, PageParams, StrictId, UserRef, page_of
from gendan.orders.selectors import order_get
from gendan.quality import selectors, services
from gendan.quality.aql import LEVELS, MAX_LOT_SIZE, sampling_plan
from gendan.quality.models import Inspection, InspectionStage

router = Router(tags=["quality"])

RowId = Annotated[int, Path(..., ge=1, le=MAX_ID)]
LevelIn = Enum("LevelIn", {v.replace("-", ""): v for v in LEVELS}, type=str)
InspectionStageIn = Enum("InspectionStageIn", {v: v for v in InspectionStage.values}, type=str)
AqlValue = Annotated[
    Decimal,
    Field(
        ge=0, le=1000, max_digits=7, decimal_places=3, description="An AQL of ISO 2859-1; 0 = zero tolerance"
    ),
]
Defects = Annotated[int, Field(ge=0, le=services.MAX_DEFECTS, strict=True)]


# ------------------------------------------------------------------------------------------------ AQL


class AqlQuery(Schema):
    lot_size: int = Field(..., ge=1, le=MAX_LOT_SIZE, description="Units in the lot")
    level: LevelIn = Field(LevelIn("II"), description="Inspection level: I, II, III, S-1 … S-4")
    aql: AqlValue


class AqlOut(Schema):
    lot_size: int
    level: str
    aql: str
    code_letter: str = Field(..., description="From Table 1 (lot size and level)")
    plan_code_letter: str = Field(..., description="Row of Table 2-A where the plan was found (after arrows)")
    sample_size: int = Field(
        ..., description="Units to inspect (the whole lot when the table's sample ≥ lot)"
    )
    table_sample_size: int
    full_inspection: bool
    ac: int
    re: int


def _plan_out(plan) -> dict:
    return {
        "lot_size": plan.lot_size,
        "level": plan.level,
        "aql": str(plan.aql),
        "code_letter": plan.code_letter,
        "plan_code_letter": plan.plan_code_letter,
        "sample_size": plan.sample_size,
        "table_sample_size": plan.table_sample_size,
        "full_inspection": plan.full_inspection,
        "ac": plan.accept,
        "re": plan.reject,
    }


@router.get(
    "/aql",
    response={200: AqlOut, **ERRORS},
    summary="ISO 2859-1 single sampling plan, normal inspection: code letter, sample size, Ac, Re",
)
def aql_lookup(request, params: Query[AqlQuery]):
    return _plan_out(sampling_plan(lot_size=params.lot_size, level=params.level.value, aql=params.aql))


# ---------------------------------------------------------------------------------------- inspections


class ClassOut(Schema):
    defect_class: str
    aql: Decimal
    plan_code_letter: str
    sample_size: int
    full_inspection: bool
    ac: int
    re: int
    defects_found: int
    passed: bool

    @staticmethod
    def resolve_ac(obj) -> int:
        return obj.accept_number

    @staticmethod
    def resolve_re(obj) -> int:
        return obj.reject_number


class InspectionOut(Schema):
    id: int
    number: str
    order_id: int
    order_number: str
    order_line_no: int | None
    stage: str
    lot_size: int
    level: str
    code_letter: str
    sample_size: int
    status: str
    inspected_on: dt.date
    inspector: UserRef
    note: str
    exception_number: str
    concession_reason: str
    conceded_by: UserRef | None
    conceded_at: dt.datetime | None
    cancel_reason: str
    classes: list[ClassOut]
    version: int

    @staticmethod
    def resolve_order_number(obj: Inspection) -> str:
        return obj.order.number

    @staticmethod
    def resolve_order_line_no(obj: Inspection) -> int | None:
        return obj.order_line.line_no if obj.order_line_id else None

    @staticmethod
    def resolve_classes(obj: Inspection) -> list:
        return list(obj.classes.all())


class InspectionPage(PageOut):
    items: list[InspectionOut]


class InspectionFilter(PageParams):
    order_id: int | None = Field(None, ge=1, le=MAX_ID)
    stage: InspectionStageIn | None = None
    status: str | None = Field(None, pattern="^(passed|failed|conceded|cancelled)$")


class InspectionIn(Schema):
    stage: InspectionStageIn
    order_line_id: StrictId | None = None
    lot_size: int = Field(..., ge=1, le=MAX_LOT_SIZE, strict=True)
    level: LevelIn = LevelIn("II")
    aql_critical: AqlValue | None = None
    aql_major: AqlValue | None = None
    aql_minor: AqlValue | None = None
    critical_found: Defects = 0
    major_found: Defects = 0
    minor_found: Defects = 0
    inspected_on: DateIn | None = None
    note: str = Field("", max_length=2000)


class InspectionReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)
    version: int | None = Field(None, ge=1, le=MAX_ID)


class ShipmentGateOut(Schema):
    order_id: int
    may_ship: bool
    reason: str | None


def _detail(request, pk: int) -> Inspection:
    return selectors.inspection_get(user=request.user, pk=pk)


@router.get("/inspections", response={200: InspectionPage, **ERRORS}, summary="Inspections (scoped)")
def inspections_list(request, filters: Query[InspectionFilter]):
    qs = selectors.inspection_list(
        user=request.user,
        filters={
            "order": filters.order_id,
            "stage": filters.stage.value if filters.stage else None,
            "status": filters.status,
        },
    ).prefetch_related("classes")
    return page_of(qs, limit=filters.limit, offset=filters.offset)


@router.get("/inspections/{inspection_id}", response={200: InspectionOut, **ERRORS}, summary="An inspection")
def inspection_detail(request, inspection_id: RowId):
    return _detail(request, inspection_id)


@router.post(
    "/orders/{order_id}/inspections",
    response={201: InspectionOut, **ERRORS},
    summary="Record an inspection (QC); a failed final inspection blocks shipment",
)
def inspection_create(request, order_id: RowId, payload: InspectionIn):
    order = order_get(user=request.user, pk=order_id)
    inspection = services.inspection_record(
        order=order,
        actor=request.user,
        data={
            "stage": payload.stage.value,
            "order_line": payload.order_line_id,
            "lot_size": payload.lot_size,
            "level": payload.level.value,
            "aql_critical": payload.aql_critical,
            "aql_major": payload.aql_major,
            "aql_minor": payload.aql_minor,
            "critical_found": payload.critical_found,
            "major_found": payload.major_found,
            "minor_found": payload.minor_found,
            "inspected_on": payload.inspected_on,
            "note": payload.note,
        },
    )
    return Status(201, _detail(request, inspection.pk))


@router.post(
    "/inspections/{inspection_id}/concession",
    response={200: InspectionOut, **ERRORS},
    summary="Record a concession (让步接收) on a failed final inspection (supervisor)",
)
def inspection_concession(request, inspection_id: RowId, payload: InspectionReasonIn):
    inspection = _detail(request, inspection_id)
    services.inspection_concede(
        inspection=inspection, actor=request.user, reason=payload.reason, version=payload.version
    )
    return _detail(request, inspection_id)


@router.post(
    "/inspections/{inspection_id}/cancel",
    response={200: InspectionOut, **ERRORS},
    summary="Cancel an inspection recorded in error",
)
def inspection_cancel(request, inspection_id: RowId, payload: InspectionReasonIn):
    inspection = _detail(request, inspection_id)
    services.inspection_cancel(inspection=inspection, actor=request.user, reason=payload.reason)
    return _detail(request, inspection_id)


@router.get(
    "/orders/{order_id}/shipment-gate",
    response={200: ShipmentGateOut, **ERRORS},
    summary="May the order ship as far as quality is concerned?",
)
def shipment_gate(request, order_id: RowId):
    order = order_get(user=request.user, pk=order_id)
    reason = selectors.shipment_block_reason(order=order)
    return {"order_id": order.pk, "may_ship": reason is None, "reason": reason}
