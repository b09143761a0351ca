"""Customers: scoped list and detail, creation through the validated service."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Path, Query, Router, Schema, Status

from gendan.core.schemas import ERRORS, MAX_ID, IdOrCode, PageOut, PageParams, UserRef, page_of
from gendan.parties.models import Currency, PaymentTermsType
from gendan.parties.selectors import customer_get, customer_list
from gendan.parties.services import customer_create

router = Router(tags=["customers"])


class CustomerFilters(PageParams):
    q: str | None = Field(None, max_length=100, description="Part of the code or the name")
    active: bool | None = None


class CustomerOut(Schema):
    id: int
    code: str
    name: str
    is_foreign: bool
    address: str
    currency: str
    credit_limit: Decimal
    payment_terms: str
    payment_terms_text: str
    payment_days: int
    deposit_percent: Decimal
    merchandiser: UserRef | None
    salesperson: UserRef | None
    is_active: bool
    notes: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class CustomerPage(PageOut):
    items: list[CustomerOut]


class CustomerIn(Schema):
    model_config = {"extra": "forbid"}

    code: str = Field(..., min_length=1, max_length=20)
    name: str = Field(..., min_length=1, max_length=200)
    is_foreign: bool = Field(False, strict=True)
    address: str | None = Field(None, max_length=300)
    currency: Currency | None = None
    credit_limit: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    payment_terms: PaymentTermsType | None = None
    payment_days: int | None = Field(None, strict=True, ge=0, le=365)
    deposit_percent: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2)
    merchandiser: IdOrCode | None = Field(None, description="Username or id of a merchandiser")
    salesperson: IdOrCode | None = Field(None, description="Username or id of a salesperson")
    notes: str | None = Field(None, max_length=5000)


@router.get("", response={200: CustomerPage, **ERRORS}, summary="Customers I may see")
def customer_list_view(request, filters: Query[CustomerFilters]):
    qs = customer_list(user=request.auth, q=filters.q or "", active=filters.active)
    return page_of(qs, limit=filters.limit, offset=filters.offset)


@router.post("", response={201: CustomerOut, **ERRORS}, summary="Create a customer")
def customer_create_view(request, payload: CustomerIn):
    customer = customer_create(actor=request.auth, data=payload.model_dump(mode="json"))
    customer.refresh_from_db()  # as stored (decimals at their scale), like GET answers
    return Status(201, customer)


@router.get("/{customer_id}", response={200: CustomerOut, **ERRORS}, summary="One customer")
def customer_detail(request, customer_id: int = Path(..., ge=1, le=MAX_ID)):
    return customer_get(user=request.auth, pk=customer_id)
