from django.contrib import admin

from gendan.catalog.models import Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "industry",
        "family",
        "work_centre",
        "unit",
        "production_cycle_days",
        "material_lead_days",
        "standard_price",
        "is_active",
    )
    list_filter = ("industry", "family", "is_active")
    search_fields = ("code", "name")
    readonly_fields = ("version",)
