from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "gendan.exports"
    label = "exports"
    verbose_name = _("Exports")

    def ready(self) -> None:
        from gendan.exports.registry import export_kind_register
        from gendan.orders.exports import ORDER_EXPORT_KIND
        from gendan.parties.exports import CUSTOMER_EXPORT_KIND

        export_kind_register(ORDER_EXPORT_KIND)
        export_kind_register(CUSTOMER_EXPORT_KIND)
