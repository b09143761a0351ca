"""The change request's status table: raised open; approved (and applied), rejected or withdrawn."""

from gendan.accounts import roles as R
from gendan.changes.models import ChangeStatus as S
from gendan.core.workflow import transition_table
from gendan.orders.models import OrderStatus

# Who raises a change: the order's merchandiser (scope) and the leads.
RAISE_ROLES = (R.MERCHANDISER, R.SUPERVISOR, R.ADMIN)
# Orders a change may be raised on and applied to: from approved up to partially shipped. An order on hold
# is frozen: resume it first (the hold's reason usually is the very thing the change settles).
CHANGEABLE_STATUSES = (
    OrderStatus.APPROVED,
    OrderStatus.RELEASED,
    OrderStatus.IN_PRODUCTION,
    OrderStatus.PARTIALLY_SHIPPED,
)

# action: (from statuses, to status, roles allowed)
CHANGE_TRANSITIONS = transition_table(
    ("approve", (S.OPEN,), S.APPROVED, (R.SUPERVISOR, R.GENERAL_MANAGER, R.ADMIN)),
    ("reject", (S.OPEN,), S.REJECTED, (R.SUPERVISOR, R.GENERAL_MANAGER, R.ADMIN)),
    ("cancel", (S.OPEN,), S.CANCELLED, (R.MERCHANDISER, R.SUPERVISOR, R.ADMIN)),
)
