"""Complaints (客诉单) over the API."""

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from ninja import Field, Path, Query, Router, Schema

from gendan.complaints import services
from gendan.complaints.models import ComplaintStatus, ComplaintType, Severity
from gendan.complaints.selectors import complaint_get, complaint_list
from gendan.core.schemas import ERRORS, MAX_ID, DateIn, PageOut, PageParams, Ref, StrictId, page_of

router = Router(tags=["complaints"])

ComplaintId = Annotated[int, Path(..., ge=1, le=MAX_ID)]


class ComplaintOut(Schema):
    id: int
    number: str
    customer: Ref
    order: int = Field(..., alias="order_id")
    shipment: int | None = Field(None, alias="shipment_id")
    type: ComplaintType
    severity: Severity
    received_on: dt.date
    description: str
    quantity_affected: Decimal
    claim_amount: Decimal
    currency: str
    status: ComplaintStatus
    deadline: dt.date | None
    responsible_department: str | None
    root_cause: str
    corrective_action: str
    customer_confirmation: str
    is_violation_evidence: bool
    violation_note: str
    violation_ref: str
    version: int

    @staticmethod
    def resolve_responsible_department(obj) -> str | None:
        return obj.responsible_department.code if obj.responsible_department_id else None


class ComplaintPage(PageOut):
    items: list[ComplaintOut]


class ComplaintFilters(PageParams):
    status: ComplaintStatus | None = None
    open: bool | None = None
    q: str | None = Field(None, max_length=100)


class ComplaintIn(Schema):
    model_config = {"extra": "forbid"}

    order: StrictId
    shipment: StrictId | None = None
    type: ComplaintType
    severity: Severity = Severity.MAJOR
    received_on: DateIn | None = None
    description: str = Field(..., min_length=1, max_length=5000)
    quantity_affected: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=3)] = Decimal("0")
    claim_amount: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)] = Decimal("0")


class ComplaintAction(StrEnum):
    INVESTIGATE = "investigate"
    RECORD_ROOT_CAUSE = "record_root_cause"
    RECORD_CORRECTIVE_ACTION = "record_corrective_action"
    CONFIRM_BY_CUSTOMER = "confirm_by_customer"
    CLOSE = "close"


class ComplaintActionIn(Schema):
    model_config = {"extra": "forbid"}

    text: str = Field(
        "",
        max_length=5000,
        description="investigate: the department code; otherwise the root cause, corrective action, confirmation or note",
    )
    version: StrictId | None = None


class ViolationIn(Schema):
    model_config = {"extra": "forbid"}

    note: str = Field(..., min_length=1, max_length=300)
    ref: str = Field("", max_length=50)


@router.get("", response={200: ComplaintPage, **ERRORS}, summary="Complaints on orders I may see")
def complaint_list_api(request, filters: Query[ComplaintFilters]):
    qs = complaint_list(
        user=request.auth,
        status=filters.status.value if filters.status else None,
        open_only=bool(filters.open),
        q=filters.q or "",
    )
    return page_of(qs, limit=filters.limit, offset=filters.offset)


@router.get("/{complaint_id}", response={200: ComplaintOut, **ERRORS}, summary="One complaint")
def complaint_detail_api(request, complaint_id: ComplaintId):
    return complaint_get(user=request.auth, pk=complaint_id)


@router.post("", response={201: ComplaintOut, **ERRORS}, summary="Register a complaint")
def complaint_create_api(request, payload: ComplaintIn):
    complaint = services.complaint_register(actor=request.auth, data=payload.dict())
    return 201, complaint_get(user=request.auth, pk=complaint.pk)


@router.post("/{complaint_id}/actions/{action}", response={200: ComplaintOut, **ERRORS}, summary="Next step")
def complaint_action_api(
    request, complaint_id: ComplaintId, action: ComplaintAction, payload: ComplaintActionIn
):
    complaint = complaint_get(user=request.auth, pk=complaint_id)
    services.complaint_transition(
        complaint=complaint,
        actor=request.auth,
        action=action.value,
        text=payload.text,
        version=payload.version,
    )
    return complaint_get(user=request.auth, pk=complaint_id)


@router.post(
    "/{complaint_id}/violation", response={200: ComplaintOut, **ERRORS}, summary="Mark as violation evidence"
)
def complaint_violation_api(request, complaint_id: ComplaintId, payload: ViolationIn):
    complaint = complaint_get(user=request.auth, pk=complaint_id)
    services.complaint_mark_violation(
        complaint=complaint, actor=request.auth, note=payload.note, ref=payload.ref
    )
    return complaint_get(user=request.auth, pk=complaint_id)
