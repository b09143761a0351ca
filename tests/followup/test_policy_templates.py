import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from gendan.followup.models import FollowupPolicy, TaTemplate, TaTemplateMilestone
from gendan.followup.policy import PolicyTimeline, policy_for

T = dt.time


def test_slots_split_the_follow_up_day_evenly():
    two = FollowupPolicy(effective_from=dt.date(2020, 1, 1))  # defaults: 2 a day, 06:00–18:00
    assert [two.slot_of(t) for t in (T(5), T(6), T(11, 59), T(12), T(17, 59), T(22))] == [0, 0, 0, 1, 1, 1]
    assert (two.slot_label(0), two.slot_label(1)) == ("Morning", "Afternoon")
    three = FollowupPolicy(effective_from=dt.date(2020, 1, 1), records_per_day=3)
    assert [three.slot_of(t) for t in (T(9, 59), T(10), T(13, 59), T(14))] == [0, 1, 1, 2]
    assert three.slot_bounds(1) == (T(10), T(14)) and three.slot_bounds(2) == (T(14), T(18))
    assert three.slot_label(2) == "14:00–18:00"


def test_policy_in_force_is_the_latest_effective_on_the_day(db):
    FollowupPolicy.objects.create(effective_from=dt.date(2026, 3, 1), escalation_l1_hours=8)
    assert policy_for(dt.date(2026, 2, 28)).escalation_l1_hours == 24  # the seeded row of 2020
    assert policy_for(dt.date(2026, 3, 1)).escalation_l1_hours == 8
    timeline = PolicyTimeline()
    assert timeline.for_day(dt.date(2026, 2, 28)).escalation_l1_hours == 24
    assert timeline.for_day(dt.date(2027, 1, 1)).escalation_l1_hours == 8


def test_template_milestones_cannot_count_back_in_a_circle(db):
    template = TaTemplate.objects.create(code="t", name="t", industry="generic")
    first = TaTemplateMilestone.objects.create(template=template, code="a", name="A", lead_days=1)
    second = TaTemplateMilestone.objects.create(
        template=template, code="b", name="B", lead_days=1, offset_from=first
    )
    first.offset_from = second
    with pytest.raises(ValidationError):
        first.full_clean()
    other = TaTemplate.objects.create(code="u", name="u", industry="generic")
    stranger = TaTemplateMilestone(template=other, code="c", name="C", offset_from=first)
    with pytest.raises(ValidationError):
        stranger.full_clean()
