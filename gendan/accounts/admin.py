from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from gendan.accounts.models import ApiToken, Delegation, Department, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "department", "supervisor", "is_active")
    list_filter = ("groups", "department", "is_active")
    search_fields = ("username", "display_name", "email")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Organisation"), {"fields": ("display_name", "department", "supervisor", "phone")}),
    )


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name")


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ("owner", "substitute", "starts_on", "ends_on", "approved")
    list_filter = ("approved",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "name", "prefix", "key_hash", "last_used_at", "created_at")
    exclude = ("key_hash",)

    def has_add_permission(self, request, obj=None):
        return False
