"""The order page's agreed delivery date history: `{% load promise_tags %}{% order_promise_history order %}`."""

from django import template

from gendan.orders import promises as order_promises
from gendan.orders.models import PromiseCause

register = template.Library()

_BADGES = {PromiseCause.INITIAL: "", PromiseCause.CUSTOMER: "green", PromiseCause.INTERNAL: "amber"}


@register.inclusion_tag("orders/partials/promises.html")
def order_promise_history(order) -> dict:
    history = order_promises.order_promise_history(order=order)
    rows = [
        {
            "promise": promise,
            "badge": _BADGES.get(promise.cause, ""),
            "from_review": promise.source == order_promises.SOURCE_REVIEW,
        }
        for promise in history
    ]
    return {
        "order": order,
        "rows": rows,
        **order_promises.promise_dates_summary(order=order, history=history),
    }
