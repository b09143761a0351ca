from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CapacityConfig(AppConfig):
    name = "gendan.capacity"
    label = "capacity"
    verbose_name = _("Capacity")

    def ready(self) -> None:
        from gendan.capacity.services import (
            schedule_changes_mark,
            schedule_order_transitioned,
            schedule_orders_transitioned,
        )
        from gendan.materials.services import READINESS_CHANGED_HOOKS
        from gendan.orders.bulk import ORDER_TRANSITION_MANY_HOOKS
        from gendan.orders.services import ORDER_TRANSITION_HOOKS

        if schedule_order_transitioned not in ORDER_TRANSITION_HOOKS:
            ORDER_TRANSITION_HOOKS.append(schedule_order_transitioned)
        ORDER_TRANSITION_MANY_HOOKS[schedule_order_transitioned] = schedule_orders_transitioned
        if schedule_changes_mark not in READINESS_CHANGED_HOOKS:
            READINESS_CHANGED_HOOKS.append(schedule_changes_mark)
        from gendan.capacity.services import schedule_order_revised
        from gendan.orders.revisions import ORDER_REVISED_HOOKS

        if schedule_order_revised not in ORDER_REVISED_HOOKS:
            ORDER_REVISED_HOOKS.append(schedule_order_revised)
