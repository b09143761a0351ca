"""The inspection status table and who may do what in quality (SPEC §2.9).

passed / failed are derived from the table when QC records the inspection; afterwards:

    failed (final) ──concede (supervisor, GM)──▶ conceded          让步接收, with a reason
    passed, failed, conceded ──cancel (QC, supervisor)──▶ cancelled     a record made in error
"""

from gendan.accounts import roles as R
from gendan.core.workflow import transition_table
from gendan.quality.models import InspectionStatus as S

# QC records inspections: the reviewer role in the quality department (checked in the service), or admin.
RECORD_ROLES = frozenset({R.REVIEWER, R.ADMIN})
RECORD_DEPARTMENT = "quality"
CONCESSION_ROLES = (R.SUPERVISOR, R.GENERAL_MANAGER, R.ADMIN)

# action: (from statuses, to status, roles allowed)
INSPECTION_TRANSITIONS = transition_table(
    ("concede", (S.FAILED,), S.CONCEDED, CONCESSION_ROLES),
    ("cancel", (S.PASSED, S.FAILED, S.CONCEDED), S.CANCELLED, (R.REVIEWER, R.SUPERVISOR, R.ADMIN)),
)
