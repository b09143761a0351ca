"""Shipments and samples over the API: the same scope, services and messages as the screens."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, Path, Query, Router, Schema

from gendan.core.schemas import ERRORS, MAX_ID, DateIn, Id, PageOut, PageParams, Ref, StrictId, page_of
from gendan.orders.selectors import order_get
from gendan.shipping import services
from gendan.shipping.models import SampleFeedback, SampleType, ShipmentStatus, TransportMode
from gendan.shipping.selectors import sample_get, sample_list, shipment_get, shipment_lines, shipment_list

router = Router(tags=["shipping"])

ShipmentId = Annotated[int, Path(..., ge=1, le=MAX_ID)]
Qty = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=3)]
Measure = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=3)]


class OrderBrief(Schema):
    id: int
    number: str
    status: str


class ShipmentLineOut(Schema):
    id: int
    line_no: int
    order_line: int = Field(..., alias="order_line_id")
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    cartons: int
    quantity_per_carton: Decimal
    gross_weight_kg: Decimal
    net_weight_kg: Decimal
    volume_m3: Decimal


class ShipmentSummaryOut(Schema):
    id: int
    number: str
    order: OrderBrief
    customer: Ref
    status: ShipmentStatus
    ship_date: dt.date
    expected_arrival: dt.date
    transport_mode: str
    carrier: str
    tracking_number: str
    received_on: dt.date | None
    total_quantity: Decimal
    total_amount: Decimal
    currency: str
    version: int


class ShipmentOut(ShipmentSummaryOut):
    ship_to: str
    notes: str
    received_by: str
    cancel_reason: str
    lines: list[ShipmentLineOut]

    @staticmethod
    def resolve_lines(obj) -> list:
        return list(shipment_lines(shipment=obj))


class ShipmentPage(PageOut):
    items: list[ShipmentSummaryOut]


class ShipmentFilters(PageParams):
    status: ShipmentStatus | None = None
    order: Id | None = None
    customer: Id | None = None
    q: str | None = Field(None, max_length=100)
    date_from: dt.date | None = None
    date_to: dt.date | None = None


class ShipmentLineIn(Schema):
    model_config = {"extra": "forbid"}

    order_line: StrictId = Field(..., description="Id of a line of the order")
    quantity: Qty
    cartons: int = Field(0, strict=True, ge=0, le=1_000_000)
    quantity_per_carton: Measure = Decimal("0")
    gross_weight_kg: Measure = Decimal("0")
    net_weight_kg: Measure = Decimal("0")
    volume_m3: Measure = Decimal("0")


class ShipmentIn(Schema):
    model_config = {"extra": "forbid"}

    order: StrictId
    ship_date: DateIn
    expected_arrival: DateIn
    transport_mode: TransportMode = TransportMode.ROAD
    carrier: str = Field(..., min_length=1, max_length=100)
    tracking_number: str = Field("", max_length=100)
    ship_to: str = Field("", max_length=300)
    notes: str = Field("", max_length=2000)
    lines: list[ShipmentLineIn] = Field(..., min_length=1, max_length=500)


class ReceiveIn(Schema):
    model_config = {"extra": "forbid"}

    received_on: DateIn
    received_by: str = Field("", max_length=100)
    note: str = Field("", max_length=300)


class CancelIn(Schema):
    model_config = {"extra": "forbid"}

    reason: str = Field(..., min_length=1, max_length=300)


class SampleOut(Schema):
    id: int
    customer: Ref
    order: OrderBrief | None
    sample_type: SampleType
    description: str
    quantity: Decimal
    sent_on: dt.date
    courier: str
    tracking_number: str
    recipient: str
    feedback: SampleFeedback
    feedback_on: dt.date | None
    feedback_note: str
    version: int


class SamplePage(PageOut):
    items: list[SampleOut]


class SampleFilters(PageParams):
    feedback: SampleFeedback | None = None
    customer: Id | None = None


class SampleIn(Schema):
    model_config = {"extra": "forbid"}

    customer: str = Field(..., min_length=1, max_length=50, description="Customer code")
    order: StrictId | None = None
    product: str | None = Field(None, max_length=50, description="Product code")
    sample_type: SampleType
    description: str = Field("", max_length=200)
    quantity: Annotated[Decimal, Field(gt=0, max_digits=10, decimal_places=3)]
    sent_on: DateIn
    courier: str = Field(..., min_length=1, max_length=100)
    tracking_number: str = Field(..., min_length=1, max_length=100)
    recipient: str = Field("", max_length=200)


class FeedbackIn(Schema):
    model_config = {"extra": "forbid"}

    feedback: SampleFeedback
    feedback_on: DateIn
    note: str = Field("", max_length=2000)
    version: StrictId | None = None


@router.get("/samples", response={200: SamplePage, **ERRORS}, summary="Sample dispatch register (寄样)")
def sample_list_api(request, filters: Query[SampleFilters]):
    qs = sample_list(
        user=request.auth,
        filters={
            "feedback": filters.feedback.value if filters.feedback else None,
            "customer": filters.customer,
        },
    )
    return page_of(qs, limit=filters.limit, offset=filters.offset)


@router.post("/samples", response={201: SampleOut, **ERRORS}, summary="Record a sample dispatch")
def sample_create_api(request, payload: SampleIn):
    sample = services.sample_dispatch_create(actor=request.auth, data=payload.dict())
    return 201, sample_get(user=request.auth, pk=sample.pk)


@router.post(
    "/samples/{sample_id}/feedback", response={200: SampleOut, **ERRORS}, summary="Customer feedback"
)
def sample_feedback_api(request, sample_id: ShipmentId, payload: FeedbackIn):
    sample = sample_get(user=request.auth, pk=sample_id)
    services.sample_feedback_record(
        sample=sample,
        actor=request.auth,
        feedback=payload.feedback.value,
        feedback_on=payload.feedback_on,
        note=payload.note,
        version=payload.version,
    )
    return sample_get(user=request.auth, pk=sample_id)


@router.get("", response={200: ShipmentPage, **ERRORS}, summary="Shipments of orders I may see")
def shipment_list_api(request, filters: Query[ShipmentFilters]):
    data = filters.dict(exclude={"limit", "offset"})
    if filters.status:
        data["status"] = filters.status.value
    return page_of(shipment_list(user=request.auth, filters=data), limit=filters.limit, offset=filters.offset)


@router.get("/{shipment_id}", response={200: ShipmentOut, **ERRORS}, summary="One shipment with its lines")
def shipment_detail_api(request, shipment_id: ShipmentId):
    return shipment_get(user=request.auth, pk=shipment_id)


@router.post("", response={201: ShipmentOut, **ERRORS}, summary="Record a shipment (posts the ledger)")
def shipment_create_api(request, payload: ShipmentIn):
    """Refused beyond a line's over/short tolerance (`over_shipment`), when quality blocks it
    (`shipping_blocked`), or unless the order is in production or partly shipped."""
    order = order_get(user=request.auth, pk=payload.order)
    data = payload.dict(exclude={"order"})
    shipment = services.shipment_create(order=order, actor=request.auth, data=data)
    return 201, shipment_get(user=request.auth, pk=shipment.pk)


@router.post(
    "/{shipment_id}/receive", response={200: ShipmentOut, **ERRORS}, summary="Customer receipt (签收)"
)
def shipment_receive_api(request, shipment_id: ShipmentId, payload: ReceiveIn):
    shipment = shipment_get(user=request.auth, pk=shipment_id)
    services.shipment_receive(
        shipment=shipment,
        actor=request.auth,
        received_on=payload.received_on,
        received_by=payload.received_by,
        note=payload.note,
    )
    return shipment_get(user=request.auth, pk=shipment_id)


@router.post(
    "/{shipment_id}/cancel", response={200: ShipmentOut, **ERRORS}, summary="Cancel (reverses the ledger)"
)
def shipment_cancel_api(request, shipment_id: ShipmentId, payload: CancelIn):
    shipment = shipment_get(user=request.auth, pk=shipment_id)
    services.shipment_cancel(shipment=shipment, actor=request.auth, reason=payload.reason)
    return shipment_get(user=request.auth, pk=shipment_id)
