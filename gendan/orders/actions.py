"""The order page's actions, in one table: the screen (orders.views) and the API (POST
/orders/{id}/actions/{action}) look an action up here and call the same service ("one verb, one place").

Each service checks status, role and scope itself; this table only says how to call it, how to label it and
which inputs it takes. Actions of apps above orders (the review, shipping, the ledger) are imported when
called: orders does not depend on them, the screens and the API are assembled above them all.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gendan.accounts.models import User
from gendan.orders import services
from gendan.orders.models import Order


@dataclass(frozen=True)
class ActionInput:
    """What a person or a client sent with an action (only the inputs the action names are read)."""

    reason: str = ""
    line_no: Any = None
    quantity: Any = None
    customer_contact: str = ""


@dataclass(frozen=True)
class OrderActionSpec:
    name: str
    label: Promise
    run: Callable[[Order, User, ActionInput], object]
    style: str = ""  # "primary" | "danger" | ""
    reason: str = ""  # "required" | "optional" | ""
    fields: tuple[str, ...] = ()  # further inputs: "line_no", "quantity", "customer_contact"


def _review_open(order: Order, actor: User, given: ActionInput) -> object:
    from gendan.reviews.services import review_open

    return review_open(order=order, actor=actor)


def _close_short(order: Order, actor: User, given: ActionInput) -> object:
    from gendan.shipping.services import order_short_close

    return order_short_close(
        order=order, actor=actor, reason=given.reason, customer_contact=given.customer_contact
    )


def _cancel_rest(order: Order, actor: User, given: ActionInput) -> object:
    from gendan.shipping.services import line_rest_cancel

    return line_rest_cancel(
        order=order, actor=actor, line_no=given.line_no, quantity=given.quantity, reason=given.reason
    )


def _close(order: Order, actor: User, given: ActionInput) -> object:
    from gendan.ledger.services import order_close_settled

    return order_close_settled(order=order, actor=actor, reason=given.reason)


def _spec(name: str, label: Promise, run: Callable[[Order, User, ActionInput], object], **kw: Any) -> tuple:
    return name, OrderActionSpec(name=name, label=label, run=run, **kw)


ORDER_ACTIONS: dict[str, OrderActionSpec] = dict(
    [
        _spec(
            "request_approval",
            _("Request approval"),
            lambda o, u, g: services.order_request_approval(order=o, actor=u),
        ),
        _spec(
            "approve_verbal",
            _("Approve verbal order"),
            lambda o, u, g: services.order_approve_verbal(order=o, actor=u, note=g.reason),
            style="primary",
            reason="optional",
        ),
        _spec(
            "reject_verbal",
            _("Reject verbal order"),
            lambda o, u, g: services.order_reject_verbal(order=o, actor=u, reason=g.reason),
            style="danger",
            reason="required",
        ),
        _spec("submit_review", _("Submit for review"), _review_open, style="primary"),
        _spec("revise", _("Revise"), lambda o, u, g: services.order_revise(order=o, actor=u)),
        _spec(
            "release",
            _("Release to planner"),
            lambda o, u, g: services.order_release(order=o, actor=u),
            style="primary",
        ),
        _spec(
            "acknowledge",
            _("Acknowledge business notice"),
            lambda o, u, g: services.order_planner_acknowledge(order=o, actor=u),
            style="primary",
        ),
        _spec(
            "start_production",
            _("Start production"),
            lambda o, u, g: services.order_start_production(order=o, actor=u),
            style="primary",
        ),
        _spec(
            "hold",
            _("Hold"),
            lambda o, u, g: services.order_hold(order=o, actor=u, reason=g.reason),
            reason="required",
        ),
        _spec("resume", _("Resume"), lambda o, u, g: services.order_resume(order=o, actor=u)),
        _spec(
            "cancel",
            _("Cancel order"),
            lambda o, u, g: services.order_cancel(order=o, actor=u, reason=g.reason),
            style="danger",
            reason="required",
        ),
        _spec(
            "receive_original",
            _("Original received"),
            lambda o, u, g: services.order_original_receive(order=o, actor=u),
        ),
        _spec(
            "cancel_rest",
            _("Cancel the rest of a line"),
            _cancel_rest,
            style="danger",
            reason="required",
            fields=("line_no", "quantity"),
        ),
        _spec(
            "close_short",
            _("Close short"),
            _close_short,
            style="danger",
            reason="required",
            fields=("customer_contact",),
        ),
        _spec("close", _("Close order"), _close, style="primary", reason="optional"),
    ]
)


def order_action_run(*, action: str, order: Order, actor: User, given: ActionInput) -> object:
    """Run one action of ORDER_ACTIONS (KeyError for an unknown name: the callers admit only the table's)."""
    return ORDER_ACTIONS[action].run(order, actor, given)
