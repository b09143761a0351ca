from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscussionConfig(AppConfig):
    name = "gendan.discussion"
    label = "discussion"
    verbose_name = _("Discussion")

    def ready(self) -> None:
        # The order's own thread. Apps above this one (follow-up exceptions, complaints, change requests)
        # register their documents in their own AppConfig.ready(), one line each.
        from gendan.discussion.registry import register_comment_owner
        from gendan.orders.models import Order

        register_comment_owner(Order, key="order", order_of=lambda order: order, url_name="orders:detail")
