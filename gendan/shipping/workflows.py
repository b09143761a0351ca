"""The shipment status table: shipped → received (签收), shipped → cancelled (reversed in the ledger)."""

from gendan.accounts import roles as R
from gendan.core.workflow import transition_table
from gendan.shipping.models import ShipmentStatus as S

SHIPPERS = (R.MERCHANDISER, R.SUPERVISOR, R.ADMIN)

# action: (from statuses, to status, roles allowed)
SHIPMENT_TRANSITIONS = transition_table(
    ("receive", (S.SHIPPED,), S.RECEIVED, SHIPPERS),
    ("cancel", (S.SHIPPED,), S.CANCELLED, (R.SUPERVISOR, R.ADMIN)),
)
