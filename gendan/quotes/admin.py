from django.contrib import admin

from gendan.core.admin import ReadOnlyAdmin, ReadOnlyInline
from gendan.quotes.models import Inquiry, InquiryItem, Quotation, QuotationLine


class InquiryItemInline(ReadOnlyInline):
    model = InquiryItem
    fields = ("line_no", "product", "description", "quantity", "unit", "target_price")
    readonly_fields = fields


@admin.register(Inquiry)
class InquiryAdmin(ReadOnlyAdmin):
    list_display = ("pk", "customer", "subject", "received_at", "replied_at", "status", "salesperson")
    list_filter = ("status",)
    inlines = [InquiryItemInline]


class QuotationLineInline(ReadOnlyInline):
    model = QuotationLine
    fields = (
        "line_no",
        "product",
        "quantity",
        "material_cost",
        "processing_cost",
        "outsourcing_cost",
        "overhead_cost",
        "unit_cost",
        "unit_price",
        "amount",
    )
    readonly_fields = fields


@admin.register(Quotation)
class QuotationAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "revision",
        "customer",
        "quote_date",
        "valid_until",
        "total_amount",
        "status",
        "order",
    )
    list_filter = ("status",)
    search_fields = ("number",)
    inlines = [QuotationLineInline]
