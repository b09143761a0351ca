"""Inquiries and quotations over the API."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, Path, Query, Router, Schema

from gendan.core.schemas import ERRORS, MAX_ID, DateIn, PageOut, PageParams, Ref, StrictId, page_of
from gendan.quotes import services
from gendan.quotes.models import InquiryStatus, QuotationStatus
from gendan.quotes.selectors import inquiry_get, inquiry_list, inquiry_waiting, quotation_get, quotation_list

router = Router(tags=["quotes"])

ObjId = Annotated[int, Path(..., ge=1, le=MAX_ID)]
Cost = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=4)]


class InquiryItemIn(Schema):
    model_config = {"extra": "forbid"}

    product: str | None = Field(None, max_length=50, description="Product code")
    description: str = Field("", max_length=200)
    quantity: Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=3)]
    unit: str = Field("", max_length=10)
    target_price: Cost | None = None


class InquiryIn(Schema):
    model_config = {"extra": "forbid"}

    customer: str = Field(..., min_length=1, max_length=50)
    subject: str = Field(..., min_length=1, max_length=200)
    received_at: dt.datetime | None = None
    notes: str = Field("", max_length=5000)
    items: list[InquiryItemIn] = Field(..., min_length=1, max_length=200)


class InquiryOut(Schema):
    id: int
    customer: Ref
    subject: str
    received_at: dt.datetime
    replied_at: dt.datetime | None
    waiting_hours: int
    status: InquiryStatus

    @staticmethod
    def resolve_waiting_hours(obj) -> int:
        return int(inquiry_waiting(obj).total_seconds() // 3600)


class InquiryPage(PageOut):
    items: list[InquiryOut]


class InquiryFilters(PageParams):
    status: InquiryStatus | None = None


class QuoteMaterialIn(Schema):
    model_config = {"extra": "forbid"}

    code: str = Field("", max_length=30)
    name: str = Field(..., min_length=1, max_length=200)
    unit: str = Field("", max_length=10)
    usage: Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=6)]
    loss_percent: Annotated[Decimal, Field(ge=0, lt=100, max_digits=5, decimal_places=2)] = Decimal("0")
    unit_price: Cost


class QuotationLineIn(Schema):
    model_config = {"extra": "forbid"}

    product: str = Field(..., min_length=1, max_length=50)
    quantity: Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=3)]
    unit: str = Field("", max_length=10)
    spec: str = Field("", max_length=200)
    color: str = Field("", max_length=50)
    processing_cost: Cost = Decimal("0")
    outsourcing_cost: Cost = Decimal("0")
    materials: list[QuoteMaterialIn] = Field([], max_length=100)
    materials_from_bom: bool = Field(False, strict=True)
    material_prices: dict[str, Cost] = Field(
        {}, description="With materials_from_bom: price per material code"
    )


class QuotationIn(Schema):
    model_config = {"extra": "forbid"}

    customer: str = Field(..., min_length=1, max_length=50)
    inquiry: StrictId | None = None
    currency: str | None = Field(None, max_length=3)
    quote_date: DateIn | None = None
    valid_until: DateIn
    overhead_percent: Annotated[Decimal, Field(ge=0, le=500, max_digits=5, decimal_places=2)] = Decimal("0")
    margin_percent: Annotated[Decimal, Field(ge=-100, le=1000, max_digits=6, decimal_places=2)] = Decimal("0")
    notes: str = Field("", max_length=5000)
    lines: list[QuotationLineIn] = Field(..., min_length=1, max_length=200)


class QuotationLineOut(Schema):
    line_no: int
    product: str
    quantity: Decimal
    material_cost: Decimal
    processing_cost: Decimal
    outsourcing_cost: Decimal
    overhead_cost: Decimal
    unit_cost: Decimal
    unit_price: Decimal
    amount: Decimal

    @staticmethod
    def resolve_product(obj) -> str:
        return obj.product.code


class QuotationOut(Schema):
    id: int
    number: str
    revision: int
    customer: Ref
    status: QuotationStatus
    currency: str
    quote_date: dt.date
    valid_until: dt.date
    overhead_percent: Decimal
    margin_percent: Decimal
    total_amount: Decimal
    order: int | None = Field(None, alias="order_id")
    version: int
    lines: list[QuotationLineOut]

    @staticmethod
    def resolve_lines(obj) -> list:
        return list(obj.lines.select_related("product").order_by("line_no"))


class QuotationPage(PageOut):
    items: list[QuotationOut]


class QuotationFilters(PageParams):
    status: QuotationStatus | None = None


class AcceptIn(Schema):
    model_config = {"extra": "forbid"}

    customer_po: str = Field(..., min_length=1, max_length=50)
    requested_date: DateIn
    order_date: DateIn | None = None
    merchandiser: str | None = Field(None, max_length=150)
    incoterm: str | None = Field(None, max_length=3)


class OrderCreatedOut(Schema):
    id: int
    number: str
    status: str


class QuoteReasonIn(Schema):
    model_config = {"extra": "forbid"}

    reason: str = Field(..., min_length=1, max_length=300)


@router.get("/inquiries", response={200: InquiryPage, **ERRORS}, summary="Inquiries (询盘)")
def inquiry_list_api(request, filters: Query[InquiryFilters]):
    qs = inquiry_list(user=request.auth, status=filters.status.value if filters.status else None)
    return page_of(qs, limit=filters.limit, offset=filters.offset)


@router.post("/inquiries", response={201: InquiryOut, **ERRORS}, summary="Record an inquiry")
def inquiry_create_api(request, payload: InquiryIn):
    inquiry = services.inquiry_create(actor=request.auth, data=payload.dict())
    return 201, inquiry_get(user=request.auth, pk=inquiry.pk)


@router.post("/inquiries/{inquiry_id}/lose", response={200: InquiryOut, **ERRORS}, summary="Mark as lost")
def inquiry_lose_api(request, inquiry_id: ObjId, payload: QuoteReasonIn):
    inquiry = inquiry_get(user=request.auth, pk=inquiry_id)
    services.inquiry_lose(inquiry=inquiry, actor=request.auth, reason=payload.reason)
    return inquiry_get(user=request.auth, pk=inquiry_id)


@router.get("", response={200: QuotationPage, **ERRORS}, summary="Quotations (current revisions)")
def quotation_list_api(request, filters: Query[QuotationFilters]):
    qs = quotation_list(user=request.auth, status=filters.status.value if filters.status else None)
    return page_of(qs, limit=filters.limit, offset=filters.offset)


@router.get(
    "/{quotation_id}", response={200: QuotationOut, **ERRORS}, summary="One quotation with its costing"
)
def quotation_detail_api(request, quotation_id: ObjId):
    return quotation_get(user=request.auth, pk=quotation_id)


@router.post("", response={201: QuotationOut, **ERRORS}, summary="Cost and create a quotation")
def quotation_create_api(request, payload: QuotationIn):
    quotation = services.quotation_create(actor=request.auth, data=payload.dict())
    return 201, quotation_get(user=request.auth, pk=quotation.pk)


@router.post("/{quotation_id}/revise", response={201: QuotationOut, **ERRORS}, summary="A new revision")
def quotation_revise_api(request, quotation_id: ObjId, payload: QuotationIn):
    quotation = quotation_get(user=request.auth, pk=quotation_id)
    revision = services.quotation_revise(quotation=quotation, actor=request.auth, data=payload.dict())
    return 201, quotation_get(user=request.auth, pk=revision.pk)


@router.post("/{quotation_id}/send", response={200: QuotationOut, **ERRORS}, summary="Sent to the customer")
def quotation_send_api(request, quotation_id: ObjId):
    quotation = quotation_get(user=request.auth, pk=quotation_id)
    services.quotation_send(quotation=quotation, actor=request.auth)
    return quotation_get(user=request.auth, pk=quotation_id)


@router.post(
    "/{quotation_id}/reject", response={200: QuotationOut, **ERRORS}, summary="Rejected by the customer"
)
def quotation_reject_api(request, quotation_id: ObjId, payload: QuoteReasonIn):
    quotation = quotation_get(user=request.auth, pk=quotation_id)
    services.quotation_reject(quotation=quotation, actor=request.auth, reason=payload.reason)
    return quotation_get(user=request.auth, pk=quotation_id)


@router.post(
    "/{quotation_id}/accept", response={201: OrderCreatedOut, **ERRORS}, summary="Accepted: create the order"
)
def quotation_accept_api(request, quotation_id: ObjId, payload: AcceptIn):
    quotation = quotation_get(user=request.auth, pk=quotation_id)
    order = services.quotation_accept(quotation=quotation, actor=request.auth, data=payload.dict())
    return 201, order
