from django import template

from gendan.orders.models import OrderEvent

register = template.Library()


@register.filter
def event_label(event_type: str) -> str:
    """The translated label of an order event type (the event's `type` column has no choices)."""
    return str(dict(OrderEvent.Type.choices).get(event_type, event_type))


@register.filter
def reason_texts(reasons) -> str:
    """A risk's stored reasons (code + values) as sentences in the reader's language, for a tooltip."""
    from gendan.followup.risk import reason_text

    return "；".join(reason_text(r) for r in reasons or [] if isinstance(r, dict))
