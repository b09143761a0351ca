"""Demo follow-up data: templates and policy, plans for released orders, a day of records and an open
exception on the order in production (so the scan has something to escalate). Idempotent."""

import datetime as dt

from django.utils import timezone

from gendan.accounts.models import User
from gendan.followup.models import FollowupException, ProgressRecord, TaPlan
from gendan.followup.seed import followup_policy_seed, ta_templates_seed
from gendan.orders.models import Order, OrderStatus


def followup_demo_load(users: dict[str, User]) -> dict[str, int]:
    from gendan.followup.services import (
        PLAN_STATUSES,
        exception_raise,
        progress_record_create,
        ta_plan_generate,
    )

    ta_templates_seed()
    followup_policy_seed()
    planner = users["planner"]
    for order in Order.objects.filter(status__in=PLAN_STATUSES, ta_plan__isnull=True):
        ta_plan_generate(order=order, actor=planner)
    now = timezone.now()
    for order in Order.objects.filter(status=OrderStatus.IN_PRODUCTION).select_related("merchandiser"):
        if ProgressRecord.objects.filter(order=order).exists():
            continue
        done = (order.total_quantity * 3 / 10).quantize(1)
        progress_record_create(
            order=order,
            actor=order.merchandiser,
            stage="prepress",
            quantity_done=order.total_quantity,
            note="裁片已全部完成",
            now=now - dt.timedelta(days=1, hours=3),
        )
        progress_record_create(
            order=order,
            actor=order.merchandiser,
            stage="production",
            quantity_done=done,
            state="behind",
            note="车缝二线缺 3 人，今日产量偏低",
            now=now - dt.timedelta(hours=1),
        )
        if not FollowupException.objects.filter(order=order).exists():
            exception_raise(
                order=order,
                actor=order.merchandiser,
                type="schedule",
                severity="high",
                title="车缝人手不足，进度落后",
                description="已向生产部申请调配人手。",
                impact_days=1,
                now=now - dt.timedelta(hours=30),
            )
    return {"plans": TaPlan.objects.count(), "records": ProgressRecord.objects.count()}
