"""Products / styles: shared master data, list and detail for every role, creation through the service."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Path, Query, Router, Schema, Status

from gendan.catalog.models import Industry
from gendan.catalog.selectors import product_get, product_list
from gendan.catalog.services import product_create
from gendan.core.schemas import ERRORS, MAX_ID, PageOut, PageParams, page_of

router = Router(tags=["products"])


class ProductFilters(PageParams):
    q: str | None = Field(None, max_length=100, description="Part of the code, name, family or spec")
    active: bool | None = None


class ProductOut(Schema):
    id: int
    code: str
    name: str
    industry: str
    family: str
    work_centre: str
    spec: str
    unit: str
    production_cycle_days: int
    material_lead_days: int
    standard_price: Decimal
    is_active: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ProductPage(PageOut):
    items: list[ProductOut]


class ProductIn(Schema):
    model_config = {"extra": "forbid"}

    code: str = Field(..., min_length=1, max_length=30)
    name: str = Field(..., min_length=1, max_length=200)
    industry: Industry | None = None
    family: str | None = Field(None, max_length=50)
    work_centre: str | None = Field(None, max_length=50)
    spec: str | None = Field(None, max_length=200)
    unit: str | None = Field(None, max_length=10)
    production_cycle_days: int | None = Field(None, strict=True, ge=1, le=365)
    material_lead_days: int | None = Field(None, strict=True, ge=0, le=365)
    standard_price: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=4)


@router.get("", response={200: ProductPage, **ERRORS}, summary="Products / styles")
def product_list_view(request, filters: Query[ProductFilters]):
    qs = product_list(user=request.auth, q=filters.q or "", active=filters.active)
    return page_of(qs, limit=filters.limit, offset=filters.offset)


@router.post("", response={201: ProductOut, **ERRORS}, summary="Create a product / style")
def product_create_view(request, payload: ProductIn):
    product = product_create(actor=request.auth, data=payload.model_dump(mode="json"))
    product.refresh_from_db()  # as stored (decimals at their scale), like GET answers
    return Status(201, product)


@router.get("/{product_id}", response={200: ProductOut, **ERRORS}, summary="One product / style")
def product_detail(request, product_id: int = Path(..., ge=1, le=MAX_ID)):
    return product_get(user=request.auth, pk=product_id)
