from django.contrib import admin

from gendan.parties.models import Contact, Customer, Supplier


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "currency",
        "credit_limit",
        "payment_terms",
        "merchandiser",
        "salesperson",
        "is_active",
    )
    list_filter = ("is_active", "currency", "payment_terms", "is_foreign")
    search_fields = ("code", "name")
    inlines = [ContactInline]
    readonly_fields = ("version",)


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "processes", "lead_time_days", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")
    readonly_fields = ("version",)
