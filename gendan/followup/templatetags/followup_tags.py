from django import template

from gendan.orders.models import OrderEvent

register = template.Library()


@register.filter
def event_label(event_type: str) -> str:
    """The translated label of an order event type (the event's `type` column has no choices)."""
    return str(dict(OrderEvent.Type.choices).get(event_type, event_type))
