from django.contrib import admin

from gendan.core.admin import ReadOnlyAdmin, ReadOnlyInline
from gendan.orders.models import Order, OrderEvent, OrderLine


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ("line_no", "product", "color", "quantity", "unit", "unit_price", "amount", "tolerance_percent")
    readonly_fields = fields


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ("created_at", "actor", "type", "from_status", "to_status", "note")
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "customer",
        "customer_po",
        "status",
        "order_date",
        "requested_date",
        "promised_date",
        "merchandiser",
        "total_amount",
    )
    list_filter = ("status", "business_type", "industry", "source_document")
    search_fields = ("number", "customer_po", "customer__name")
    list_select_related = ("customer", "merchandiser")
    inlines = [OrderLineInline, OrderEventInline]
    show_full_result_count = False
