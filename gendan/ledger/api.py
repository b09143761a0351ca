"""The shipped-goods ledger and receivables over the API (read the ledger; issue invoices, record payments)."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema

from gendan.core.schemas import ERRORS, MAX_ID, DateIn, Id, PageOut, PageParams, Ref, StrictId, page_of
from gendan.ledger import services
from gendan.ledger.models import InvoiceStatus, LedgerState, PaymentMethod
from gendan.ledger.selectors import (
    dunning_list,
    invoice_get,
    invoice_lines,
    invoice_list,
    ledger_reconcile,
    ledger_totals,
    ledger_views,
    receivables_ageing,
)

router = Router(tags=["ledger"])

InvoiceId = Annotated[int, Path(..., ge=1, le=MAX_ID)]
Money = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]
MAX_ENTRIES = 5000


class EntryOut(Schema):
    id: int
    kind: str
    posted_on: dt.date
    shipment: str
    shipment_id: int
    customer: Ref
    order: str
    product: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    currency: str
    state: LedgerState
    received_on: dt.date | None
    invoiced_quantity: Decimal
    invoiced_amount: Decimal
    paid_amount: Decimal
    open_amount: Decimal
    invoices: list[str]


def _entry(view) -> dict:
    e = view.entry
    return {
        "id": e.pk,
        "kind": e.kind,
        "posted_on": e.posted_on,
        "shipment": e.shipment.number,
        "shipment_id": e.shipment_id,
        "customer": e.customer,
        "order": e.order.number,
        "product": e.product.code,
        "quantity": e.quantity,
        "unit_price": e.unit_price,
        "amount": e.amount,
        "currency": e.currency,
        "state": view.state,
        "received_on": view.received_on,
        "invoiced_quantity": view.invoiced_quantity,
        "invoiced_amount": view.invoiced_amount,
        "paid_amount": view.paid_amount,
        "open_amount": view.open_amount,
        "invoices": view.invoices,
    }


class TotalsOut(Schema):
    count: int
    quantity: Decimal
    amount: Decimal
    invoiced: Decimal
    paid: Decimal


class LedgerOut(Schema):
    as_of: dt.date | None
    totals: TotalsOut = Field(..., description="Over all matching entries (reversals included)")
    truncated: bool
    entries: list[EntryOut]


class LedgerFilters(Schema):
    customer: Id | None = None
    order: Id | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    as_of: dt.date | None = Field(None, description="States and amounts as they stood at the end of this day")
    state: LedgerState | None = None


@router.get(
    "/entries", response={200: LedgerOut, **ERRORS}, summary="Ledger entries with their derived state"
)
def ledger_api(request, filters: Query[LedgerFilters]):
    data = {k: v for k, v in filters.dict(exclude={"as_of", "state"}).items() if v}
    views = ledger_views(
        user=request.auth,
        filters=data,
        as_of=filters.as_of,
        state=filters.state.value if filters.state else None,
    )
    totals = ledger_totals(views)
    return {
        "as_of": filters.as_of,
        "totals": {
            "count": totals.count,
            "quantity": totals.quantity,
            "amount": totals.amount,
            "invoiced": totals.invoiced,
            "paid": totals.paid,
        },
        "truncated": len(views) > MAX_ENTRIES,
        "entries": [_entry(v) for v in views[:MAX_ENTRIES]],
    }


class ReconcileOut(Schema):
    ok: bool
    shipment_quantity: Decimal
    shipment_amount: Decimal
    ledger_quantity: Decimal
    ledger_amount: Decimal
    problems: list[str]


@router.get("/reconcile", response={200: ReconcileOut, **ERRORS}, summary="Ledger = shipments? (all data)")
def reconcile_api(request):
    if not request.auth.sees_all:
        raise PermissionDenied
    result = ledger_reconcile()
    return {**result.__dict__, "ok": result.ok}


class InvoiceLineOut(Schema):
    line_no: int
    shipment_line: int = Field(..., alias="shipment_line_id")
    order: int = Field(..., alias="order_id")
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


class InvoiceSummaryOut(Schema):
    id: int
    number: str
    customer: Ref
    currency: str
    invoice_date: dt.date
    due_date: dt.date
    payment_terms: str
    status: InvoiceStatus
    payment_state: str
    total_amount: Decimal
    paid_amount: Decimal
    open_amount: Decimal
    version: int


class InvoiceOut(InvoiceSummaryOut):
    notes: str
    lines: list[InvoiceLineOut]

    @staticmethod
    def resolve_lines(obj) -> list:
        return list(invoice_lines(invoice=obj))


class InvoicePage(PageOut):
    items: list[InvoiceSummaryOut]


class InvoiceFilters(PageParams):
    status: InvoiceStatus | None = None
    customer: Id | None = None
    open: bool | None = Field(None, description="Only invoices with an open amount")
    q: str | None = Field(None, max_length=100)


class InvoiceLineIn(Schema):
    model_config = {"extra": "forbid"}

    shipment_line: StrictId
    quantity: Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=3)] | None = Field(
        None, description="Default: all that is shipped and not yet invoiced"
    )


class InvoiceIn(Schema):
    model_config = {"extra": "forbid"}

    invoice_date: DateIn
    shipments: list[StrictId] = Field(
        [], max_length=500, description="Invoice everything still open on these"
    )
    lines: list[InvoiceLineIn] = Field([], max_length=500)
    notes: str = Field("", max_length=300)


class InvoiceReasonIn(Schema):
    model_config = {"extra": "forbid"}

    reason: str = Field(..., min_length=1, max_length=300)


@router.get("/invoices", response={200: InvoicePage, **ERRORS}, summary="Invoices of orders I may see")
def invoice_list_api(request, filters: Query[InvoiceFilters]):
    data = {
        "status": filters.status.value if filters.status else None,
        "customer": filters.customer,
        "open": bool(filters.open),
        "q": filters.q,
    }
    return page_of(invoice_list(user=request.auth, filters=data), limit=filters.limit, offset=filters.offset)


@router.get("/invoices/{invoice_id}", response={200: InvoiceOut, **ERRORS}, summary="One invoice")
def invoice_detail_api(request, invoice_id: InvoiceId):
    return invoice_get(user=request.auth, pk=invoice_id)


@router.post("/invoices", response={201: InvoiceOut, **ERRORS}, summary="Invoice shipped quantities")
def invoice_create_api(request, payload: InvoiceIn):
    """Never more than shipped and not yet invoiced (`invoice_over_shipped`); one customer, one currency."""
    invoice = services.invoice_create(actor=request.auth, data=payload.dict())
    return 201, invoice_get(user=request.auth, pk=invoice.pk)


@router.post(
    "/invoices/{invoice_id}/cancel", response={200: InvoiceOut, **ERRORS}, summary="Cancel an unpaid invoice"
)
def invoice_cancel_api(request, invoice_id: InvoiceId, payload: InvoiceReasonIn):
    invoice = invoice_get(user=request.auth, pk=invoice_id)
    services.invoice_cancel(invoice=invoice, actor=request.auth, reason=payload.reason)
    return invoice_get(user=request.auth, pk=invoice_id)


class AllocationIn(Schema):
    model_config = {"extra": "forbid"}

    invoice: StrictId
    amount: Money


class PaymentIn(Schema):
    model_config = {"extra": "forbid"}

    received_on: DateIn
    amount: Money | None = Field(None, description="Must equal the sum of the allocations if given")
    method: PaymentMethod = PaymentMethod.BANK
    reference: str = Field("", max_length=100)
    note: str = Field("", max_length=300)
    allocations: list[AllocationIn] = Field(..., min_length=1, max_length=500)


class PaymentOut(Schema):
    id: int
    customer: Ref
    received_on: dt.date
    amount: Decimal
    currency: str
    method: str
    reference: str


@router.post("/payments", response={201: PaymentOut, **ERRORS}, summary="Record a payment over invoices")
def payment_create_api(request, payload: PaymentIn):
    """Each allocation at most the invoice's open amount (`payment_exceeds_open`); finance, supervisor, admin."""
    payment = services.payment_record(actor=request.auth, data=payload.dict())
    return 201, payment


class AgeingRowOut(Schema):
    customer: Ref
    buckets: dict[str, Decimal]
    total: Decimal


class AgeingOut(Schema):
    as_of: dt.date
    labels: list[str]
    customers: list[AgeingRowOut]
    totals: dict[str, Decimal]
    total: Decimal


@router.get("/ageing", response={200: AgeingOut, **ERRORS}, summary="Receivables ageing on a date")
def ageing_api(request, as_of: dt.date | None = None, customer: Id | None = None):
    result = receivables_ageing(user=request.auth, as_of=as_of or timezone.localdate(), customer=customer)
    return {k: result[k] for k in ("as_of", "labels", "customers", "totals", "total")}


class DunningOut(Schema):
    id: int
    number: str
    customer: Ref
    currency: str
    due_date: dt.date
    overdue_days: int
    open_amount: Decimal = Field(..., alias="open_as_of")
    orders: list[str]

    @staticmethod
    def resolve_orders(obj) -> list[str]:
        return [order.number for order in obj.orders]


@router.get("/dunning", response={200: list[DunningOut], **ERRORS}, summary="My overdue invoices (催款)")
def dunning_api(request, as_of: dt.date | None = None):
    return dunning_list(user=request.auth, as_of=as_of or timezone.localdate())
