from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaterialsConfig(AppConfig):
    name = "gendan.materials"
    label = "materials"
    verbose_name = _("Materials")

    def ready(self) -> None:
        from gendan.materials.services import (
            materials_order_released,
            materials_order_transitioned,
            materials_orders_released,
        )
        from gendan.orders.bulk import ORDER_RELEASED_MANY_HOOKS
        from gendan.orders.services import ORDER_RELEASED_HOOKS, ORDER_TRANSITION_HOOKS

        if materials_order_released not in ORDER_RELEASED_HOOKS:
            ORDER_RELEASED_HOOKS.append(materials_order_released)
        ORDER_RELEASED_MANY_HOOKS[materials_order_released] = materials_orders_released
        if materials_order_transitioned not in ORDER_TRANSITION_HOOKS:
            ORDER_TRANSITION_HOOKS.append(materials_order_transitioned)
        from gendan.materials.services import materials_on_order_revised
        from gendan.orders.revisions import ORDER_REVISED_HOOKS

        if materials_on_order_revised not in ORDER_REVISED_HOOKS:
            ORDER_REVISED_HOOKS.append(materials_on_order_revised)
