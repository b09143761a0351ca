"""Violation evidence from the agreed delivery dates (gendan.orders.promises): a delivery date postponed for
our own cause that was not reported in time (未及时报告交期变更).

"In time" reuses the follow-up policy's "due soon" notion (FollowupPolicy.due_soon_days, working days, in
force on the day of the change): a postponement for our cause agreed after the previous promised date had
passed, or fewer than that many working days before it, was reported too late for the customer and the
plan to react. Proposed as 隐瞒或未报告延误 (ViolationCode.CONCEALED_DELAY) for the supervisor to decide."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.followup.policy import PolicyTimeline
from gendan.orders.models import OrderPromise, PromiseCause
from gendan.performance.models import ViolationCode
from gendan.planning.calendar import WorkingCalendar


def promise_change_reported_late(
    *, agreed_on: dt.date, previous: dt.date, notice_days: int, calendar: WorkingCalendar
) -> bool:
    """Agreed after the previous date, or fewer than `notice_days` working days in (agreed_on, previous]."""
    if agreed_on > previous:
        return True
    return calendar.working_days_between(agreed_on, previous) < notice_days


def late_internal_change_evidence(*, today: dt.date, since: dt.datetime, propose) -> int:
    """Propose a violation for each postponement for our own cause agreed since `since` too late."""
    changes = list(
        OrderPromise.objects.filter(
            cause=PromiseCause.INTERNAL, agreed_at__gte=since, previous_date__isnull=False
        )
        .select_related("order", "agreed_by")
        .order_by("agreed_at", "id")
    )
    changes = [c for c in changes if c.promised_date > c.previous_date]
    if not changes:
        return 0
    days = [timezone.localtime(c.agreed_at).date() for c in changes]
    first = min(min(days), min(c.previous_date for c in changes))
    last = max(max(days), max(c.previous_date for c in changes))
    calendar = WorkingCalendar.load(first.year, last.year)
    policies = PolicyTimeline()
    proposed = 0
    for change, agreed_on in zip(changes, days, strict=True):
        notice = policies.for_day(agreed_on).due_soon_days
        if not promise_change_reported_late(
            agreed_on=agreed_on, previous=change.previous_date, notice_days=notice, calendar=calendar
        ):
            continue
        order = change.order
        proposed += bool(
            propose(
                merchandiser_id=order.merchandiser_id,
                code=ViolationCode.CONCEALED_DELAY,
                occurred_on=agreed_on,
                source_key=f"late_promise_change:{change.pk}",
                order_id=order.pk,
                evidence=[
                    {
                        "order": order.number,
                        "from": change.previous_date.isoformat(),
                        "to": change.promised_date.isoformat(),
                        "agreed_at": timezone.localtime(change.agreed_at).strftime("%Y-%m-%d %H:%M"),
                        "reason": change.reason,
                    }
                ],
                description=_(
                    "Delivery date change not reported in time: %(from)s → %(to)s agreed on %(on)s "
                    "(at least %(days)s working days' notice expected)."
                )
                % {
                    "from": change.previous_date,
                    "to": change.promised_date,
                    "on": agreed_on,
                    "days": notice,
                },
            )
        )
    return proposed
