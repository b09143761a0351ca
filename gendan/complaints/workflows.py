"""The complaint status table (客诉单) and the deadline policy per step."""

from gendan.accounts import roles as R
from gendan.complaints.models import ComplaintStatus as S
from gendan.core.workflow import transition_table

_HANDLERS = (R.MERCHANDISER, R.SUPERVISOR, R.REVIEWER, R.ADMIN)
_LEADS = (R.SUPERVISOR, R.GENERAL_MANAGER, R.ADMIN)

# Seed (七): the merchandiser writes the 客诉单, the manager sees it through.
# action: (from statuses, to status, roles allowed)
COMPLAINT_TRANSITIONS = transition_table(
    ("investigate", (S.REGISTERED,), S.INVESTIGATING, _LEADS),
    ("record_root_cause", (S.INVESTIGATING,), S.ROOT_CAUSE, _HANDLERS + _LEADS),
    ("record_corrective_action", (S.ROOT_CAUSE,), S.CORRECTIVE_ACTION, _HANDLERS + _LEADS),
    ("confirm_by_customer", (S.CORRECTIVE_ACTION,), S.CUSTOMER_CONFIRMED, (R.MERCHANDISER, R.SALES) + _LEADS),
    ("close", (S.CUSTOMER_CONFIRMED,), S.CLOSED, _LEADS),
)

# Policy: calendar days allowed in each step before the complaint is overdue (shown on the dashboard).
STEP_DEADLINE_DAYS = {
    S.REGISTERED: 1,  # assign the investigation
    S.INVESTIGATING: 3,  # find the root cause
    S.ROOT_CAUSE: 5,  # take the corrective action
    S.CORRECTIVE_ACTION: 7,  # get the customer's confirmation
    S.CUSTOMER_CONFIRMED: 2,  # close
}
