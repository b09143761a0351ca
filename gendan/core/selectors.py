"""The dashboard: "my orders" by status and originals pending, for whoever is logged in."""

from gendan.accounts.models import User
from gendan.core.paging import capped_counts
from gendan.orders.models import OPEN_STATUSES, OrderStatus
from gendan.orders.selectors import order_visible_list, original_pending_q

# A tile shows "999+" beyond this: a supervisor's team holds hundreds of thousands of orders, and counting
# them exactly would cost more than the rest of the page.
STATUS_COUNT_CAP = 999


def dashboard_data(*, user: User) -> dict:
    from gendan.reviews.selectors import review_items_awaiting

    visible = order_visible_list(user=user)
    labels = dict(OrderStatus.choices)
    counts = capped_counts(
        {s: visible.filter(status=s) for s in OPEN_STATUSES},
        cap=STATUS_COUNT_CAP,
    )
    by_status = [
        {
            "status": s,
            "label": labels[s],
            "count": counts[s],
            "display": f"{STATUS_COUNT_CAP}+" if counts[s] > STATUS_COUNT_CAP else str(counts[s]),
        }
        for s in OPEN_STATUSES
    ]
    return {
        "by_status": by_status,
        "originals_pending": list(visible.filter(original_pending_q()).order_by("order_date")[:20]),
        "review_items": list(review_items_awaiting(user=user)[:20]),
        "planner_queue_count": visible.filter(
            status=OrderStatus.RELEASED, planner_ack_at__isnull=True
        ).count()
        if user.has_role("planner")
        else None,
        "followup": _followup(user),
        "after_sales": _after_sales(user),
    }


def _followup(user: User) -> dict:
    """Follow-up's part of "my work today" (follow-ups due, milestones, exceptions, risk)."""
    from gendan.followup.selectors import followup_dashboard

    return followup_dashboard(user=user)


def _after_sales(user: User) -> dict:
    """Shipping, collection, complaints and visits in "my work today" (SPEC §3): today's shipments, overdue
    receivables, complaints past their step's deadline, return visits due."""
    from django.utils import timezone

    from gendan.complaints.selectors import complaints_overdue
    from gendan.ledger.selectors import dunning_list
    from gendan.shipping.selectors import shipments_on
    from gendan.visits.selectors import visits_due

    today = timezone.localdate()
    return {
        "shipments_today": list(shipments_on(user=user, day=today)[:20]),
        "receivables_overdue": dunning_list(user=user, as_of=today)[:20],
        "complaints_overdue": list(complaints_overdue(user=user, as_of=today)[:20]),
        "visits_due": list(visits_due(user=user, as_of=today)[:20]),
    }
