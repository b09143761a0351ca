"""Who decides a reassignment and who reads one (gendan/reassignments/selectors.py)."""

import pytest

from gendan.reassignments.models import Reassignment
from gendan.reassignments.selectors import may_decide, merchandisers_for, reassignment_visible_list

pytestmark = pytest.mark.django_db


def test_a_supervisor_decides_for_their_team_the_gm_for_everyone(people):
    m1, m3 = people["m1"], people["m3"]
    assert may_decide(actor=people["sup"], merchandiser=m1)
    assert not may_decide(actor=people["sup"], merchandiser=m3)
    assert may_decide(actor=people["gm"], merchandiser=m3) and may_decide(
        actor=people["admin"], merchandiser=m1
    )
    for name in ("m1", "auditor", "planner", "sales"):
        assert not may_decide(actor=people[name], merchandiser=m1), name
    assert {u.username for u in merchandisers_for(actor=people["sup"])} == {"m1", "m2"}
    assert not merchandisers_for(actor=people["m1"]).exists()


def test_a_reassignment_is_read_by_both_merchandisers_their_leads_and_see_all(people):
    row = Reassignment.objects.create(
        from_merchandiser=people["m1"], to_merchandiser=people["m2"], reason="离职", decided_by=people["sup"]
    )
    readers = {
        name for name, user in people.items() if reassignment_visible_list(user=user).filter(pk=row.pk)
    }
    assert readers == {"m1", "m2", "sup", "gm", "admin", "auditor"}
