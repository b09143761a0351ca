from django.apps import AppConfig


class ChangesConfig(AppConfig):
    name = "gendan.changes"
    label = "changes"

    def ready(self) -> None:
        from gendan.changes.services import changes_on_order_transition
        from gendan.orders.services import ORDER_TRANSITION_HOOKS

        if changes_on_order_transition not in ORDER_TRANSITION_HOOKS:
            ORDER_TRANSITION_HOOKS.append(changes_on_order_transition)

        from gendan.changes.models import ChangeRequest
        from gendan.files.registry import register_attachment_owner

        register_attachment_owner(ChangeRequest, key="change_request")
        from gendan.discussion.registry import register_comment_owner

        register_comment_owner(
            ChangeRequest, key="change_request", order_of="order", url_name="changes:detail"
        )
