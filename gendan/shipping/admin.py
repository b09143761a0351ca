from django.contrib import admin

from gendan.core.admin import ReadOnlyAdmin, ReadOnlyInline
from gendan.shipping.models import SampleDispatch, Shipment, ShipmentEvent, ShipmentLine


class ShipmentLineInline(ReadOnlyInline):
    model = ShipmentLine
    fields = (
        "line_no",
        "order_line",
        "quantity",
        "unit_price",
        "amount",
        "cartons",
        "gross_weight_kg",
        "net_weight_kg",
        "volume_m3",
    )
    readonly_fields = fields


class ShipmentEventInline(ReadOnlyInline):
    model = ShipmentEvent
    fields = ("created_at", "actor", "type", "from_status", "to_status", "note")
    readonly_fields = fields


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "order",
        "customer",
        "status",
        "ship_date",
        "expected_arrival",
        "received_on",
        "total_amount",
    )
    list_filter = ("status", "transport_mode")
    search_fields = ("number", "order__number", "tracking_number")
    inlines = [ShipmentLineInline, ShipmentEventInline]


@admin.register(SampleDispatch)
class SampleDispatchAdmin(ReadOnlyAdmin):
    list_display = (
        "pk",
        "customer",
        "order",
        "sample_type",
        "sent_on",
        "courier",
        "tracking_number",
        "feedback",
    )
    list_filter = ("sample_type", "feedback")
