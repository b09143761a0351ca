from django.contrib import admin

from gendan.core.admin import ReadOnlyAdmin, ReadOnlyInline
from gendan.materials.models import (
    BomLine,
    Material,
    MaterialAlert,
    MaterialRequirement,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseRequest,
    Receipt,
    Stock,
    StockMovement,
)


class BomLineInline(admin.TabularInline):
    model = BomLine
    extra = 0
    fields = ("product", "usage_per_unit", "loss_rate_percent")
    autocomplete_fields = ("product",)


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    """Master data. Stock is not edited here: counts go through the stock count (a movement row each)."""

    list_display = ("code", "name", "unit", "supplier", "lead_time_days", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")
    readonly_fields = ("version",)
    inlines = [BomLineInline]


@admin.register(Stock)
class StockAdmin(ReadOnlyAdmin):
    list_display = ("material", "on_hand", "reserved", "on_order", "updated_at")
    search_fields = ("material__code", "material__name")
    list_select_related = ("material",)


@admin.register(MaterialRequirement)
class MaterialRequirementAdmin(ReadOnlyAdmin):
    list_display = ("order", "material", "required", "reserved", "required_by")
    search_fields = ("order__number", "material__code")
    list_select_related = ("order", "material")
    show_full_result_count = False


@admin.register(PurchaseRequest)
class PurchaseRequestAdmin(ReadOnlyAdmin):
    list_display = ("number", "order", "material", "quantity", "required_by", "status")
    list_filter = ("status",)
    search_fields = ("number", "order__number", "material__code")
    list_select_related = ("order", "material")
    show_full_result_count = False


class PurchaseOrderLineInline(ReadOnlyInline):
    model = PurchaseOrderLine
    fields = ("line_no", "material", "request", "quantity", "received")
    readonly_fields = fields


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(ReadOnlyAdmin):
    list_display = ("number", "supplier", "order_date", "expected_date", "status")
    list_filter = ("status",)
    search_fields = ("number", "supplier__name")
    list_select_related = ("supplier",)
    inlines = [PurchaseOrderLineInline]
    show_full_result_count = False


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ("line", "quantity", "received_on", "received_by", "created_at")
    show_full_result_count = False


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "material", "kind", "quantity", "order", "actor")
    list_filter = ("kind",)
    search_fields = ("material__code", "order__number")
    list_select_related = ("material", "order", "actor")
    show_full_result_count = False


@admin.register(MaterialAlert)
class MaterialAlertAdmin(ReadOnlyAdmin):
    list_display = ("raised_on", "order", "line", "kind")
    list_filter = ("kind",)
    show_full_result_count = False
