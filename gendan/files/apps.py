from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilesConfig(AppConfig):
    name = "gendan.files"
    label = "files"
    verbose_name = _("Files")

    def ready(self) -> None:
        # Orders sit below this app (it reuses their scope and timeline), so the order is registered here;
        # the apps above (reviews, shipping, complaints, change requests) register themselves in ready().
        from gendan.files.registry import register_attachment_owner
        from gendan.orders.models import Order

        register_attachment_owner(Order, key="order", order_of=lambda order: order)
