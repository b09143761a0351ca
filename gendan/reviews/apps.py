from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "gendan.reviews"
    label = "reviews"

    def ready(self) -> None:
        from gendan.orders.services import ORDER_TRANSITION_HOOKS
        from gendan.reviews.services import review_on_order_transition

        if review_on_order_transition not in ORDER_TRANSITION_HOOKS:
            ORDER_TRANSITION_HOOKS.append(review_on_order_transition)

        from gendan.files.registry import register_attachment_owner
        from gendan.reviews.models import Review

        register_attachment_owner(Review, key="review")  # files on the record (gendan.files)
