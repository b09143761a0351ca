"""The order status table of SPEC §2, in one place."""

from gendan.accounts import roles as R
from gendan.core.workflow import transition_table
from gendan.orders.models import OrderStatus as S

_OWNERS = (R.MERCHANDISER, R.SUPERVISOR, R.SALES, R.ADMIN)
_LEADS = (R.SUPERVISOR, R.GENERAL_MANAGER, R.ADMIN)
_HOLDABLE = (
    S.DRAFT,
    S.AWAITING_APPROVAL,
    S.IN_REVIEW,
    S.APPROVED,
    S.REJECTED,
    S.RELEASED,
    S.IN_PRODUCTION,
    S.PARTIALLY_SHIPPED,
)

# action: (from statuses, to status, roles allowed)
ORDER_TRANSITIONS = transition_table(
    ("request_approval", (S.DRAFT,), S.AWAITING_APPROVAL, _OWNERS),
    ("approve_verbal", (S.AWAITING_APPROVAL,), S.DRAFT, _LEADS),
    ("reject_verbal", (S.AWAITING_APPROVAL,), S.REJECTED, _LEADS),
    ("submit_review", (S.DRAFT,), S.IN_REVIEW, _OWNERS),
    ("approve", (S.IN_REVIEW,), S.APPROVED, _LEADS),
    ("reject", (S.IN_REVIEW,), S.REJECTED, _LEADS),
    ("revise", (S.REJECTED,), S.DRAFT, _OWNERS),
    ("release", (S.APPROVED,), S.RELEASED, (R.MERCHANDISER, R.SUPERVISOR, R.ADMIN)),
    ("start_production", (S.RELEASED,), S.IN_PRODUCTION, (R.PLANNER, R.SUPERVISOR, R.ADMIN)),
    ("ship_partially", (S.IN_PRODUCTION,), S.PARTIALLY_SHIPPED, (R.MERCHANDISER, R.SUPERVISOR, R.ADMIN)),
    ("ship", (S.IN_PRODUCTION, S.PARTIALLY_SHIPPED), S.SHIPPED, (R.MERCHANDISER, R.SUPERVISOR, R.ADMIN)),
    # A cancelled shipment takes the order back to what the remaining shipped quantities say.
    ("reopen_shipping", (S.SHIPPED,), S.PARTIALLY_SHIPPED, (R.MERCHANDISER, R.SUPERVISOR, R.ADMIN)),
    ("unship", (S.PARTIALLY_SHIPPED, S.SHIPPED), S.IN_PRODUCTION, (R.MERCHANDISER, R.SUPERVISOR, R.ADMIN)),
    ("deliver", (S.SHIPPED,), S.DELIVERED, (R.MERCHANDISER, R.SUPERVISOR, R.ADMIN)),
    # By hand once invoiced and paid (gendan.ledger checks "settled"); `settle` is the same step taken by the
    # system from whichever comes second, the last receipt or the payment (whoever recorded it).
    ("close", (S.DELIVERED,), S.CLOSED, (R.SUPERVISOR, R.GENERAL_MANAGER, R.REVIEWER, R.ADMIN)),
    (
        "settle",
        (S.DELIVERED,),
        S.CLOSED,
        (R.MERCHANDISER, R.SUPERVISOR, R.GENERAL_MANAGER, R.REVIEWER, R.ADMIN),
    ),
    # 短交结案: the customer accepts what shipped; the unshipped rest is cancelled (gendan.shipping).
    ("close_short", (S.PARTIALLY_SHIPPED,), S.CLOSED, _LEADS),
    ("hold", _HOLDABLE, S.ON_HOLD, _LEADS + (R.MERCHANDISER,)),
    ("resume", (S.ON_HOLD,), None, _LEADS + (R.MERCHANDISER,)),
    ("cancel", (*_HOLDABLE[:7], S.ON_HOLD), S.CANCELLED, _LEADS),
)

# Actions that must carry a written reason.
REASON_REQUIRED = frozenset({"reject_verbal", "reject", "hold", "cancel", "close_short", "cancel_rest"})
