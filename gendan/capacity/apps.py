from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


def _order_saved(sender, instance, raw=False, **kwargs) -> None:
    """Note the order for the next (incremental) schedule run. Only a marker row: the work is done after
    commit by a task. Drafts never enter the schedule, so intake pays nothing."""
    from gendan.capacity.services import schedule_changes_mark
    from gendan.orders.models import OrderStatus

    if not raw and instance.status not in (OrderStatus.DRAFT, OrderStatus.AWAITING_APPROVAL):
        schedule_changes_mark(order_ids=[instance.pk])


class CapacityConfig(AppConfig):
    name = "gendan.capacity"
    label = "capacity"
    verbose_name = _("Capacity")

    def ready(self) -> None:
        from gendan.capacity.services import schedule_changes_mark
        from gendan.materials.services import READINESS_CHANGED_HOOKS
        from gendan.orders.models import Order

        post_save.connect(_order_saved, sender=Order, dispatch_uid="gendan_capacity_order_saved")
        if schedule_changes_mark not in READINESS_CHANGED_HOOKS:
            READINESS_CHANGED_HOOKS.append(schedule_changes_mark)
