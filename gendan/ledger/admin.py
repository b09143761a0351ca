from django.contrib import admin

from gendan.core.admin import ReadOnlyAdmin, ReadOnlyInline
from gendan.ledger.models import Invoice, InvoiceEvent, InvoiceLine, LedgerEntry, Payment, PaymentAllocation


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "posted_on",
        "kind",
        "shipment",
        "customer",
        "order",
        "product",
        "quantity",
        "unit_price",
        "amount",
    )
    list_filter = ("kind",)
    search_fields = ("shipment__number", "order__number")


class InvoiceLineInline(ReadOnlyInline):
    model = InvoiceLine
    fields = ("line_no", "shipment_line", "order", "quantity", "unit_price", "amount")
    readonly_fields = fields


class InvoiceEventInline(ReadOnlyInline):
    model = InvoiceEvent
    fields = ("created_at", "actor", "type", "note", "data")
    readonly_fields = fields


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ("number", "customer", "invoice_date", "due_date", "total_amount", "paid_amount", "status")
    list_filter = ("status", "payment_terms")
    search_fields = ("number",)
    inlines = [InvoiceLineInline, InvoiceEventInline]


class AllocationInline(ReadOnlyInline):
    model = PaymentAllocation
    fields = ("invoice", "amount")
    readonly_fields = fields


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("received_on", "customer", "amount", "currency", "method", "reference", "recorded_by")
    inlines = [AllocationInline]
