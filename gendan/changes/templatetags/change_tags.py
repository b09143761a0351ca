from django import template

from gendan.changes.selectors import change_requests_for_order
from gendan.changes.workflows import CHANGEABLE_STATUSES, RAISE_ROLES
from gendan.orders.models import EDITABLE_STATUSES, OrderStatus
from gendan.orders.revisions import change_text

register = template.Library()


@register.simple_tag
def order_change_requests(order, user) -> dict:
    """What the order page's change section shows: the order's change requests and whether `user` may raise."""
    may_raise = order.status in CHANGEABLE_STATUSES and user.has_role(*RAISE_ROLES) and not user.is_read_only
    # before approval there can be none: no query (the order page's count stays as it was for drafts)
    before_review = order.status in (*EDITABLE_STATUSES, OrderStatus.IN_REVIEW)
    requests = [] if before_review else list(change_requests_for_order(order=order)[:20])
    return {"requests": requests, "may_raise": may_raise}


@register.filter
def change_sentence(change: dict) -> str:
    return change_text(change)
