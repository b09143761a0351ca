"""Materials API: materials and stock, BOM per product, purchase requests, purchase orders and arrivals, an
order's material requirements, and the late-arrival scan. Same services and scope as the screens."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from gendan.catalog.selectors import product_get
from gendan.core.errors import NotFoundError, PermissionDeniedError
from gendan.core.schemas import ERRORS, MAX_ID, DateIn, PageOut, PageParams, StrictId, page_of

from . import selectors as sel
from . import services
from .models import Material, PurchaseOrderStatus, PurchaseRequestStatus

router = Router(tags=["materials"])

Qty = Decimal  # quantities travel as JSON strings or numbers; the services check scale and range


class StockOut(Schema):
    on_hand: Decimal
    reserved: Decimal
    available: Decimal
    on_order: Decimal


class MaterialOut(Schema):
    id: int
    code: str
    name: str
    spec: str
    unit: str
    supplier: str | None = Field(None, description="Usual supplier's code")
    lead_time_days: int
    is_active: bool
    stock: StockOut

    @staticmethod
    def resolve_supplier(obj: Material) -> str | None:
        return obj.supplier.code if obj.supplier_id else None

    @staticmethod
    def resolve_stock(obj: Material) -> StockOut:
        stock = sel.stock_of(material=obj)
        return StockOut(
            on_hand=stock.on_hand, reserved=stock.reserved, available=stock.available, on_order=stock.on_order
        )


class MaterialPage(PageOut):
    items: list[MaterialOut]


class MaterialFilters(PageParams):
    q: str | None = Field(None, max_length=100)


class MaterialIn(Schema):
    model_config = {"extra": "forbid"}

    code: str = Field(..., min_length=1, max_length=30)
    name: str = Field(..., min_length=1, max_length=200)
    unit: str = Field(..., min_length=1, max_length=10)
    spec: str | None = Field(None, max_length=200)
    supplier: str | None = Field(None, max_length=20, description="Supplier code")
    lead_time_days: int | None = Field(None, strict=True, ge=0, le=365)


class AdjustIn(Schema):
    model_config = {"extra": "forbid"}

    quantity: Qty = Field(
        ..., description="Added to on hand (negative: removed)", max_digits=16, decimal_places=4
    )
    note: str = Field(..., min_length=1, max_length=300)


class BomLineOut(Schema):
    id: int
    material_id: int
    material_code: str = Field(..., alias="material.code")
    usage_per_unit: Decimal
    loss_rate_percent: Decimal


class BomLineIn(Schema):
    model_config = {"extra": "forbid"}

    material: str = Field(..., min_length=1, max_length=30, description="Material code")
    usage_per_unit: Qty = Field(..., gt=0, max_digits=14, decimal_places=6)
    loss_rate_percent: Qty = Field(Decimal("0"), ge=0, lt=100, max_digits=5, decimal_places=2)


class RequestOut(Schema):
    id: int
    number: str
    order_id: int
    order_number: str = Field(..., alias="order.number")
    material_id: int
    material_code: str = Field(..., alias="material.code")
    quantity: Decimal
    required_by: dt.date
    status: PurchaseRequestStatus


class RequestPage(PageOut):
    items: list[RequestOut]


class RequestFilters(PageParams):
    status: PurchaseRequestStatus | None = None
    q: str | None = Field(None, max_length=100)


class POLineOut(Schema):
    id: int
    line_no: int
    request_id: int | None
    material_id: int
    material_code: str = Field(..., alias="material.code")
    quantity: Decimal
    received: Decimal


class POOut(Schema):
    id: int
    number: str
    supplier: str = Field(..., alias="supplier.code")
    order_date: dt.date
    expected_date: dt.date
    status: PurchaseOrderStatus
    note: str
    lines: list[POLineOut]

    @staticmethod
    def resolve_lines(obj) -> list:
        return list(obj.lines.all())


class POSummaryOut(Schema):
    id: int
    number: str
    supplier: str = Field(..., alias="supplier.code")
    order_date: dt.date
    expected_date: dt.date
    status: PurchaseOrderStatus


class POPage(PageOut):
    items: list[POSummaryOut]


class POFilters(PageParams):
    status: PurchaseOrderStatus | None = None
    q: str | None = Field(None, max_length=100)


class POIn(Schema):
    model_config = {"extra": "forbid"}

    supplier: str = Field(..., min_length=1, max_length=20, description="Supplier code")
    requests: list[StrictId] = Field(
        ..., min_length=1, max_length=200, description="Open purchase request ids"
    )
    expected_date: DateIn
    note: str | None = Field(None, max_length=300)


class ExpectedIn(Schema):
    model_config = {"extra": "forbid"}

    expected_date: DateIn
    note: str | None = Field(None, max_length=300)


class PurchaseReasonIn(Schema):
    model_config = {"extra": "forbid"}

    reason: str = Field(..., min_length=1, max_length=300)


class ReceiptIn(Schema):
    model_config = {"extra": "forbid"}

    quantity: Qty = Field(..., gt=0, max_digits=16, decimal_places=4)
    received_on: DateIn | None = Field(None, description="Default: today")
    note: str | None = Field(None, max_length=300)


class ReceiptOut(Schema):
    id: int
    line_id: int
    quantity: Decimal
    received_on: dt.date


class RequirementOut(Schema):
    material_id: int
    material_code: str = Field(..., alias="material.code")
    required: Decimal
    reserved: Decimal
    shortage: Decimal
    required_by: dt.date


class AlertOut(Schema):
    kind: str
    raised_on: dt.date
    purchase_order: str = Field(..., alias="line.purchase_order.number")
    data: dict


class OrderMaterialsOut(Schema):
    order_id: int
    fully_reserved: bool
    requirements: list[RequirementOut]
    alerts: list[AlertOut]


class ScanOut(Schema):
    checked: int
    raised: int
    via_followup: int
    via_event: int


@router.get("/materials", response={200: MaterialPage, **ERRORS}, summary="Materials with stock")
def material_list_api(request, filters: Query[MaterialFilters]):
    return page_of(
        sel.material_list(user=request.auth, q=filters.q or ""), limit=filters.limit, offset=filters.offset
    )


@router.post("/materials", response={201: MaterialOut, **ERRORS}, summary="Create a material")
def material_create_api(request, payload: MaterialIn):
    material = services.material_create(actor=request.auth, data=payload.model_dump())
    return Status(201, sel.material_get(user=request.auth, pk=material.pk))


@router.get("/materials/{material_id}", response={200: MaterialOut, **ERRORS}, summary="One material")
def material_detail_api(request, material_id: int = Path(..., ge=1, le=MAX_ID)):
    return sel.material_get(user=request.auth, pk=material_id)


@router.post("/materials/{material_id}/adjust", response={200: MaterialOut, **ERRORS}, summary="Stock count")
def material_adjust_api(request, payload: AdjustIn, material_id: int = Path(..., ge=1, le=MAX_ID)):
    material = sel.material_get(user=request.auth, pk=material_id)
    services.stock_adjust(
        actor=request.auth, material=material, quantity=str(payload.quantity), note=payload.note
    )
    return sel.material_get(user=request.auth, pk=material_id)


@router.get(
    "/products/{product_id}/bom", response={200: list[BomLineOut], **ERRORS}, summary="A product's BOM"
)
def bom_api(request, product_id: int = Path(..., ge=1, le=MAX_ID)):
    product = product_get(user=request.auth, pk=product_id)
    return list(sel.bom_for_product(product_id=product.pk))


@router.put(
    "/products/{product_id}/bom",
    response={200: list[BomLineOut], **ERRORS},
    summary="Add or change a BOM line",
)
def bom_set_api(request, payload: BomLineIn, product_id: int = Path(..., ge=1, le=MAX_ID)):
    product = product_get(user=request.auth, pk=product_id)
    material = Material.objects.filter(code__iexact=payload.material.strip()).first()
    if material is None:
        raise NotFoundError(
            _("Material not found."), extra={"fields": {"material": [_("Unknown material.")]}}
        )
    services.bom_line_set(
        actor=request.auth,
        product=product,
        material=material,
        usage_per_unit=str(payload.usage_per_unit),
        loss_rate_percent=str(payload.loss_rate_percent),
    )
    return list(sel.bom_for_product(product_id=product.pk))


@router.get("/requests", response={200: RequestPage, **ERRORS}, summary="Purchase requests (请购) in scope")
def request_list_api(request, filters: Query[RequestFilters]):
    qs = sel.purchase_request_list(user=request.auth, status=filters.status, q=filters.q or "")
    return page_of(qs, limit=filters.limit, offset=filters.offset)


@router.get("/purchase-orders", response={200: POPage, **ERRORS}, summary="Purchase orders")
def po_list_api(request, filters: Query[POFilters]):
    if not sel.sees_purchasing(request.auth):
        raise PermissionDeniedError(
            _("Only purchasing and managers see purchase orders."), code="role_not_allowed"
        )
    qs = sel.purchase_order_list(user=request.auth, status=filters.status, q=filters.q or "")
    return page_of(qs, limit=filters.limit, offset=filters.offset)


@router.post("/purchase-orders", response={201: POOut, **ERRORS}, summary="Order open purchase requests")
def po_create_api(request, payload: POIn):
    po = services.purchase_order_create(
        actor=request.auth,
        supplier=payload.supplier,
        request_ids=payload.requests,
        expected_date=payload.expected_date,
        note=payload.note or "",
    )
    return Status(201, sel.purchase_order_get(user=request.auth, pk=po.pk))


@router.get("/purchase-orders/{po_id}", response={200: POOut, **ERRORS}, summary="One purchase order")
def po_detail_api(request, po_id: int = Path(..., ge=1, le=MAX_ID)):
    return sel.purchase_order_get(user=request.auth, pk=po_id)


@router.post(
    "/purchase-orders/{po_id}/expected", response={200: POOut, **ERRORS}, summary="Move the expected arrival"
)
def po_expected_api(request, payload: ExpectedIn, po_id: int = Path(..., ge=1, le=MAX_ID)):
    po = sel.purchase_order_get(user=request.auth, pk=po_id)
    services.purchase_order_expected_change(
        actor=request.auth, purchase_order=po, expected_date=payload.expected_date, note=payload.note or ""
    )
    return sel.purchase_order_get(user=request.auth, pk=po_id)


@router.post(
    "/purchase-orders/{po_id}/cancel", response={200: POOut, **ERRORS}, summary="Cancel a purchase order"
)
def po_cancel_api(request, payload: PurchaseReasonIn, po_id: int = Path(..., ge=1, le=MAX_ID)):
    po = sel.purchase_order_get(user=request.auth, pk=po_id)
    services.purchase_order_cancel(actor=request.auth, purchase_order=po, reason=payload.reason)
    return sel.purchase_order_get(user=request.auth, pk=po_id)


@router.post(
    "/purchase-order-lines/{line_id}/receipts",
    response={201: ReceiptOut, **ERRORS},
    summary="Record an arrival",
)
def po_receive_api(request, payload: ReceiptIn, line_id: int = Path(..., ge=1, le=MAX_ID)):
    line = sel.purchase_order_line_get(user=request.auth, pk=line_id)
    receipt = services.purchase_receive(
        actor=request.auth,
        line=line,
        quantity=str(payload.quantity),
        received_on=payload.received_on,
        note=payload.note or "",
    )
    return Status(201, receipt)


@router.get("/orders/{order_id}", response={200: OrderMaterialsOut, **ERRORS}, summary="An order's materials")
def order_materials_api(request, order_id: int = Path(..., ge=1, le=MAX_ID)):
    summary = sel.order_materials_summary(user=request.auth, order_id=order_id)
    return {
        "order_id": order_id,
        "fully_reserved": summary["fully_reserved"],
        "requirements": summary["requirements"],
        "alerts": summary["alerts"],
    }


@router.post(
    "/scan", response={200: ScanOut, **ERRORS}, summary="Late or short arrivals → exceptions (idempotent)"
)
def scan_api(request):
    if not sel.may_purchase(request.auth):
        raise PermissionDeniedError(
            _("Only purchasing, planners and supervisors may do this."), code="role_not_allowed"
        )
    return services.materials_scan(today=timezone.localdate())
