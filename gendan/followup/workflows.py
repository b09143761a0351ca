"""The exception status table (§2.7) and who may do what in follow-up."""

from gendan.accounts import roles as R
from gendan.core.workflow import transition_table
from gendan.followup.models import ExceptionStatus as S

# Everyone who works on orders may raise and escalate an exception on an order they see.
RAISE_ROLES = (R.MERCHANDISER, R.SUPERVISOR, R.GENERAL_MANAGER, R.SALES, R.PLANNER, R.REVIEWER, R.ADMIN)
LEAD_ROLES = (R.SUPERVISOR, R.GENERAL_MANAGER, R.ADMIN)

# action: (from statuses, to status, roles allowed)
EXCEPTION_TRANSITIONS = transition_table(
    ("escalate", (S.OPEN,), S.OPEN, RAISE_ROLES),
    ("resolve", (S.OPEN,), S.RESOLVED, (R.MERCHANDISER, R.PLANNER, R.REVIEWER, *LEAD_ROLES)),
    ("reopen", (S.RESOLVED,), S.OPEN, (R.MERCHANDISER, *LEAD_ROLES)),
    ("close", (S.RESOLVED,), S.CLOSED, LEAD_ROLES),
)

# T&A plans: the planner moves dates and assigns owners; actual dates also by the merchandiser.
PLAN_GENERATE_ROLES = frozenset({R.PLANNER, R.MERCHANDISER, R.SUPERVISOR, R.ADMIN})
PLAN_EDIT_ROLES = frozenset({R.PLANNER, R.SUPERVISOR, R.ADMIN})
ACTUAL_ROLES = frozenset({R.PLANNER, R.MERCHANDISER, R.SUPERVISOR, R.REVIEWER, R.ADMIN})
# Progress records and shipment confirmations: the merchandiser (or their supervisor).
RECORD_ROLES = frozenset({R.MERCHANDISER, R.SUPERVISOR, R.ADMIN})
# The concealment list is for those who judge it.
CONCEALMENT_ROLES = frozenset({R.SUPERVISOR, R.GENERAL_MANAGER, R.AUDITOR, R.ADMIN})
