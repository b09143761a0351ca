"""The follow-up policy in force on a day, and the time slots of a follow-up day."""

import datetime as dt
from bisect import bisect_right

from django.utils import timezone

from gendan.followup.models import FollowupPolicy

DEFAULT_FROM = dt.date(2000, 1, 1)


def policy_for(day: dt.date) -> FollowupPolicy:
    """The row in force on `day` (the latest effective on or before it); the defaults if none."""
    policy = FollowupPolicy.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    return policy or FollowupPolicy(effective_from=DEFAULT_FROM)


class PolicyTimeline:
    """Every policy row loaded once; answers `for_day` without queries (for reports over many days)."""

    def __init__(self) -> None:
        self.rows = list(FollowupPolicy.objects.order_by("effective_from"))
        self.starts = [row.effective_from for row in self.rows]
        self.default = FollowupPolicy(effective_from=DEFAULT_FROM)

    def for_day(self, day: dt.date) -> FollowupPolicy:
        index = bisect_right(self.starts, day) - 1
        return self.rows[index] if index >= 0 else self.default


def slot_of(policy: FollowupPolicy, moment: dt.datetime) -> tuple[dt.date, int]:
    local = timezone.localtime(moment)
    return local.date(), policy.slot_of(local.time())


def slot_window(policy: FollowupPolicy, day: dt.date, slot: int) -> tuple[dt.datetime, dt.datetime]:
    """Aware start and end of a slot on a day (the end is when a missing record becomes "missed")."""
    first, last = policy.slot_bounds(slot)
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(dt.datetime.combine(day, first), zone),
        timezone.make_aware(dt.datetime.combine(day, last), zone),
    )


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())
