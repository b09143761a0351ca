from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gendan.notify.models import Delivery, Notification, WebhookEndpoint
from gendan.notify.services import delivery_retry, webhook_test_send


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "order_id", "created_at", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "body", "recipient__username", "recipient__display_name", "dedupe_key"]
    raw_id_fields = ["recipient"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "active", "kinds", "updated_at"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "kinds"]
    actions = ["send_test_message"]

    @admin.action(description=_("Send a test message"))
    def send_test_message(self, request, queryset):
        for endpoint in queryset:
            webhook_test_send(endpoint=endpoint)
        self.message_user(
            request,
            _("Test messages queued; their outcome is under Deliveries."),
            messages.SUCCESS,
        )


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "target", "kind", "status", "attempts", "sent_at", "short_error"]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["target", "kind", "last_error"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "channel",
        "target",
        "status",
        "attempts",
        "last_error",
        "payload",
        "kind",
        "order_id",
        "notification",
        "endpoint",
        "sent_at",
        "created_at",
        "updated_at",
    ]
    actions = ["send_again"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description=_("last error"))
    def short_error(self, obj: Delivery) -> str:
        return obj.last_error[:80]

    @admin.action(description=_("Send again (failed or stuck pending)"))
    def send_again(self, request, queryset):
        count = delivery_retry(deliveries=queryset)
        self.message_user(
            request,
            ngettext("%(count)d delivery queued again.", "%(count)d deliveries queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )
