from django.apps import AppConfig


class ShippingConfig(AppConfig):
    name = "gendan.shipping"
    label = "shipping"

    def ready(self) -> None:
        from gendan.orders.services import ORDER_TRANSITION_HOOKS
        from gendan.shipping.services import shipping_on_order_transition

        if shipping_on_order_transition not in ORDER_TRANSITION_HOOKS:
            ORDER_TRANSITION_HOOKS.append(shipping_on_order_transition)

        from gendan.files.registry import register_attachment_owner
        from gendan.shipping.models import Shipment

        register_attachment_owner(Shipment, key="shipment")  # files on the record (gendan.files)
