from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _seed(sender, **kwargs) -> None:
    from gendan.followup.seed import followup_reference_seed

    followup_reference_seed()


def _label_order_event_values() -> None:
    """The order timeline reads risk levels through their labels ("绿 → 红", not "green → red")."""
    from gendan.followup.models import RiskLevel
    from gendan.orders.models import OrderEvent

    OrderEvent.label_values(RiskLevel, OrderEvent.Type.RISK_CHANGED)


class FollowupConfig(AppConfig):
    name = "gendan.followup"
    label = "followup"
    verbose_name = _("Follow-up")

    def ready(self) -> None:
        from gendan.discussion.registry import register_comment_owner
        from gendan.followup.models import FollowupException
        from gendan.followup.services import (
            followup_on_order_transition,
            ta_plan_on_release,
            ta_plans_on_release_many,
        )

        register_comment_owner(
            FollowupException, key="exception", order_of="order", url_name="followup:exception_detail"
        )
        from gendan.orders.bulk import ORDER_RELEASED_MANY_HOOKS
        from gendan.orders.services import ORDER_RELEASED_HOOKS, ORDER_TRANSITION_HOOKS

        if ta_plan_on_release not in ORDER_RELEASED_HOOKS:
            ORDER_RELEASED_HOOKS.append(ta_plan_on_release)
        ORDER_RELEASED_MANY_HOOKS[ta_plan_on_release] = ta_plans_on_release_many
        if followup_on_order_transition not in ORDER_TRANSITION_HOOKS:
            ORDER_TRANSITION_HOOKS.append(followup_on_order_transition)
        _label_order_event_values()
        # Default templates and policy into empty tables, after every migrate and test-database flush.
        post_migrate.connect(_seed, sender=self, dispatch_uid="gendan_followup_seed")
        from gendan.followup.services import ta_plan_on_revised
        from gendan.orders.revisions import ORDER_REVISED_HOOKS

        if ta_plan_on_revised not in ORDER_REVISED_HOOKS:
            ORDER_REVISED_HOOKS.append(ta_plan_on_revised)
