"""The outsourcing order's status table (外协加工单) and who may do what.

    draft ──issue──▶ issued ──(returns)──▶ partially_returned ──(returns)──▶ returned ──close──▶ closed
      │                 │                         └──close (short, with a note)──▶ closed
      └──cancel──▶ cancelled ◀──cancel (nothing sent yet)──┘

"return_partially" and "return_all" are not buttons: the return service applies them when the quantities
returned say so (a derived status, checked against this table like any other).
"""

from gendan.accounts import roles as R
from gendan.core.workflow import transition_table
from gendan.outsourcing.models import OutsourcingStatus as S

# Plans and outsourcing orders are the merchandiser's (or the planner's) work; supervisors and admin too.
WRITE_ROLES = frozenset({R.MERCHANDISER, R.SUPERVISOR, R.PLANNER, R.ADMIN})
# Returns are received by the same people, and by QC (a reviewer) who inspects what comes back.
RECEIVE_ROLES = frozenset({*WRITE_ROLES, R.REVIEWER})

# action: (from statuses, to status, roles allowed)
OUTSOURCING_TRANSITIONS = transition_table(
    ("issue", (S.DRAFT,), S.ISSUED, tuple(WRITE_ROLES)),
    ("return_partially", (S.ISSUED, S.PARTIALLY_RETURNED), S.PARTIALLY_RETURNED, tuple(RECEIVE_ROLES)),
    ("return_all", (S.ISSUED, S.PARTIALLY_RETURNED), S.RETURNED, tuple(RECEIVE_ROLES)),
    ("close", (S.RETURNED, S.PARTIALLY_RETURNED), S.CLOSED, tuple(WRITE_ROLES)),
    ("cancel", (S.DRAFT, S.ISSUED), S.CANCELLED, tuple(WRITE_ROLES)),
)
# Shown as buttons on the outsourcing order's page.
PAGE_ACTIONS = ("issue", "close", "cancel")
