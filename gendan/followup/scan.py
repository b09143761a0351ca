"""The periodic follow-up scan: auto-escalation, risk, milestones due and overdue, missed records, originals
pending. Idempotent: what was reported is remembered (levels, risk rows, noticed dates, scan marks), so a
second run sends nothing twice and writes no duplicate events. Set-based: a fixed number of queries per
step, whatever the number of orders, plus one write per thing that actually changed."""

import datetime as dt
import hashlib
import logging
from collections.abc import Callable

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.accounts.models import User
from gendan.followup.links import missed_path, order_plan_path, plans_path
from gendan.followup.models import MilestoneStatus, ScanMark, ScanRun, TaMilestone
from gendan.followup.notices import notice_send
from gendan.followup.policy import policy_for
from gendan.followup.risk import RISK_STATUSES, risk_counts, risk_refresh
from gendan.followup.scan_inputs import cursor_get, cursor_save, orders_touched, same_set, scan_inputs
from gendan.followup.selectors import (
    calendar_around,
    calendar_warnings,
    ended_slots,
    missed_slot_counts,
)
from gendan.followup.services import exceptions_escalate_due
from gendan.notify.services import Notice, notify_many
from gendan.orders.models import Order, OrderEvent
from gendan.orders.selectors import original_pending_q

logger = logging.getLogger(__name__)
_CHUNK = 500
OVERDUE_LOOKBACK_DAYS = 30  # older overdue milestones were reported by earlier scans


def _lock() -> None:
    """Serialise concurrent scans (a row lock on PostgreSQL; SQLite transactions are serial anyway)."""
    ScanMark.objects.get_or_create(key="lock:scan")
    ScanMark.objects.select_for_update().filter(key="lock:scan").first()


def _claim(keys: list[str]) -> set[str]:
    """The keys no earlier scan claimed; claims them in the caller's transaction."""
    fresh = set(keys)
    for start in range(0, len(keys), _CHUNK):
        fresh -= set(
            ScanMark.objects.filter(key__in=keys[start : start + _CHUNK]).values_list("key", flat=True)
        )
    ScanMark.objects.bulk_create(
        [ScanMark(key=key) for key in fresh], ignore_conflicts=True, batch_size=_CHUNK
    )
    return fresh


def _users(ids) -> dict[int, User]:
    ids = {pk for pk in ids if pk}
    return {u.pk: u for u in User.objects.filter(pk__in=ids)} if ids else {}


@transaction.atomic
def risk_step(*, now: dt.datetime, inputs: dict) -> dict[str, int]:
    """Every order's risk on a new day (or policy, or calendar); else only the orders touched since the
    last run, or none. Unchanged orders are only compared, changed ones written (risk_refresh)."""
    _lock()
    cursor = cursor_get("risk")
    if not same_set(cursor.inputs if cursor else None, inputs):
        summary = risk_refresh(now=now)
    elif cursor.inputs == inputs:
        summary = {**cursor.summary, "changed": 0}
    else:
        touched = orders_touched(previous=cursor.inputs, current=inputs)
        changed = risk_refresh(order_ids=sorted(touched), now=now)["changed"] if touched else 0
        summary = {**risk_counts(), "changed": changed}
    cursor_save(step="risk", inputs=inputs, summary=summary)
    return summary


@transaction.atomic
def milestones_step(*, now: dt.datetime) -> dict[str, int]:
    """Milestones newly overdue (timeline + owner and merchandiser told) and newly due soon (owner reminded);
    each person gets one notice per run (_milestone_digests)."""
    _lock()
    today = timezone.localdate(now)
    calendar = calendar_around(today)
    soon = calendar.add_working_days(today, policy_for(today).due_soon_days)
    base = TaMilestone.objects.select_for_update(of=("self",)).filter(
        actual_date__isnull=True, plan__order__status__in=RISK_STATUSES
    )
    fields = (
        "id",
        "name",
        "planned_date",
        "owner_id",
        "plan__order_id",
        "plan__order__number",
        "plan__order__merchandiser_id",
    )
    overdue = list(
        base.filter(
            planned_date__lt=today, planned_date__gte=today - dt.timedelta(days=OVERDUE_LOOKBACK_DAYS)
        )
        .filter(Q(overdue_noticed_for__isnull=True) | ~Q(overdue_noticed_for=F("planned_date")))
        .values(*fields)
    )
    due = list(
        base.filter(planned_date__gte=today, planned_date__lte=soon)
        .filter(Q(due_noticed_for__isnull=True) | ~Q(due_noticed_for=F("planned_date")))
        .values(*fields)
    )
    users = _users(
        [r["owner_id"] for r in overdue + due] + [r["plan__order__merchandiser_id"] for r in overdue + due]
    )
    events = [
        OrderEvent(
            order_id=row["plan__order_id"],
            type=OrderEvent.Type.TA_MILESTONE_OVERDUE,
            data={"milestone": row["id"], "name": row["name"], "planned": row["planned_date"].isoformat()},
        )
        for row in overdue
    ]
    notices = _milestone_digests(
        overdue,
        recipients=lambda r: (r["owner_id"], r["plan__order__merchandiser_id"]),
        kind="milestone_overdue",
        status=MilestoneStatus.OVERDUE,
        today=today,
        users=users,
    ) + _milestone_digests(
        due,
        recipients=lambda r: (r["owner_id"] or r["plan__order__merchandiser_id"],),
        kind="milestone_due",
        status=MilestoneStatus.DUE_SOON,
        today=today,
        users=users,
    )
    notify_many(notices)
    OrderEvent.objects.bulk_create(events, batch_size=_CHUNK)
    for rows, field in ((overdue, "overdue_noticed_for"), (due, "due_noticed_for")):
        ids = [r["id"] for r in rows]
        for start in range(0, len(ids), _CHUNK):
            TaMilestone.objects.filter(pk__in=ids[start : start + _CHUNK]).update(
                **{field: F("planned_date")}
            )
    return {"overdue": len(overdue), "due_soon": len(due)}


DIGEST_LISTED = 20  # milestones named in one digest's text; the link shows them all


def _milestone_title(kind: str, row: dict) -> str:
    values = {"name": row["name"], "order": row["plan__order__number"], "date": row["planned_date"]}
    if kind == "milestone_overdue":
        return _("Overdue: %(name)s of %(order)s (planned %(date)s)") % values
    return _("Due %(date)s: %(name)s of %(order)s") % values


def _milestone_digests(
    rows: list[dict],
    *,
    recipients: Callable[[dict], tuple[int | None, ...]],
    kind: str,
    status: str,
    today: dt.date,
    users: dict[int, User],
) -> list[Notice]:
    """One notice per person and scan: a single milestone as itself (its order's plan), several as one list
    (the plans page filtered to them), so a planner releasing 500 orders does not bury anyone under a
    thousand reminders. Each milestone is still marked noticed and, when overdue, on its order's timeline."""
    mine: dict[int, list[dict]] = {}
    for row in rows:
        for user_id in dict.fromkeys(recipients(row)):
            if user_id in users:
                mine.setdefault(user_id, []).append(row)
    notices = []
    for user_id, listed in mine.items():
        if len(listed) == 1:
            row = listed[0]
            notices.append(
                Notice(
                    recipients=(users[user_id],),
                    kind=kind,
                    title=_milestone_title(kind, row),
                    link=order_plan_path(row["plan__order_id"]),
                    dedupe_key=f"milestone:{row['id']}:{'overdue' if kind == 'milestone_overdue' else 'due'}:"
                    f"{row['planned_date'].isoformat()}",
                    order_id=row["plan__order_id"],
                )
            )
            continue
        listed.sort(key=lambda r: (r["planned_date"], r["plan__order__number"], r["id"]))
        ids = ",".join(str(r["id"]) for r in listed)
        title = (
            _("%(n)d milestones overdue") if kind == "milestone_overdue" else _("%(n)d milestones due soon")
        ) % {"n": len(listed)}
        lines = [
            f"{r['plan__order__number']} {r['name']} ({r['planned_date'].isoformat()})"
            for r in listed[:DIGEST_LISTED]
        ]
        notices.append(
            Notice(
                recipients=(users[user_id],),
                kind=kind,
                title=title,
                body="\n".join(lines) + ("\n…" if len(listed) > DIGEST_LISTED else ""),
                link=plans_path(status=status),
                dedupe_key=f"milestones:{kind}:{today.isoformat()}:"
                f"{hashlib.sha256(ids.encode()).hexdigest()[:32]}",
            )
        )
    return notices


@transaction.atomic
def missed_records_step(*, now: dt.datetime, inputs: dict | None = None) -> dict[str, int]:
    """Slots of the previous working day and of today that ended without a record: each merchandiser is told
    once per slot (one notice listing their orders, not one per order). One query for every order and slot
    (missed_slot_counts); skipped when neither the slots that have ended nor any input moved since the last
    run (its notices were sent)."""
    _lock()
    today = timezone.localdate(now)
    calendar = calendar_around(today)
    previous = calendar.add_working_days(today, -1)
    ended = ended_slots(date_from=previous, date_to=today, now=now)
    seen = {**(inputs or {}), "slots": [[day.isoformat(), slot] for day, slot, _start, _label in ended]}
    cursor = cursor_get("missed_records")
    if inputs and cursor and cursor.inputs == seen:
        return {"slots": cursor.summary["slots"], "notices": 0}
    found = missed_slot_counts(date_from=previous, date_to=today, now=now)
    labels = {(day, slot): label for day, slot, _start, label in found["slots"]}
    keys = {
        f"missed:{user}:{day.isoformat()}:{slot}": (user, day, slot) for user, day, slot in found["counts"]
    }
    fresh = _claim(list(keys))
    users = _users(keys[key][0] for key in fresh)
    for key in sorted(fresh):
        user_id, day, slot = keys[key]
        if users.get(user_id) is None:
            continue  # nobody to tell (no merchandiser, or gone); the key is claimed like the full path
        listed = sorted(found["numbers"][keys[key]])
        notice_send(
            recipients=[users.get(user_id)],
            kind="followup_missed",
            title=_("No follow-up record for %(n)d order(s): %(date)s %(slot)s")
            % {"n": found["counts"][keys[key]], "date": day, "slot": labels[(day, slot)]},
            body=", ".join(listed[:20]) + (" …" if len(listed) > 20 else ""),
            link=missed_path(day=day),
            dedupe_key=key,
        )
    summary = {"slots": sum(found["counts"].values()), "notices": len(fresh)}
    if inputs:
        cursor_save(step="missed_records", inputs=seen, summary=summary)
    return summary


@transaction.atomic
def originals_step(*, now: dt.datetime) -> dict[str, int]:
    """Orders taken on a fax / e-mail / scan whose original is still missing: a reminder every N days."""
    _lock()
    today = timezone.localdate(now)
    every = policy_for(today).original_reminder_days
    rows = list(
        Order.objects.filter(original_pending_q(), order_date__lte=today - dt.timedelta(days=every)).values(
            "id", "number", "order_date", "merchandiser_id", "source_document"
        )
    )
    keys = {f"original:{r['id']}:{(today - r['order_date']).days // every}": r for r in rows}
    fresh = _claim(list(keys))
    users = _users(keys[key]["merchandiser_id"] for key in fresh)
    events = []
    for key in sorted(fresh):
        row = keys[key]
        waited = (today - row["order_date"]).days
        events.append(
            OrderEvent(
                order_id=row["id"],
                type=OrderEvent.Type.ORIGINAL_REMINDER,
                data={"days": waited, "source_document": row["source_document"]},
            )
        )
        notice_send(
            recipients=[users.get(row["merchandiser_id"])],
            kind="original_pending",
            title=_("Original of %(order)s still not received (%(days)d days)")
            % {"order": row["number"], "days": waited},
            link=f"/orders/{row['id']}/",
            dedupe_key=key,
            order_id=row["id"],
        )
    OrderEvent.objects.bulk_create(events, batch_size=_CHUNK)
    return {"reminded": len(fresh), "pending": len(rows)}


# Steps of apps downstream of follow-up (materials, outsourcing, ledger, complaints, performance):
# name → callable(*, now) returning a JSON-able summary, registered in their AppConfig.ready().
SCAN_STEPS: dict[str, Callable[..., dict]] = {}


def followup_scan(*, now: dt.datetime | None = None) -> dict:
    """Run every step once (the huey periodic task and `gendan scan`); returns a JSON-able summary."""
    now = now or timezone.now()
    run = ScanRun.objects.create(started_at=timezone.now(), as_of=now)
    summary: dict = {"as_of": timezone.localtime(now).isoformat()}
    escalated = exceptions_escalate_due(now=now)
    summary["escalated"] = {"count": len(escalated), "numbers": [e.number for e in escalated[:50]]}
    inputs = scan_inputs(today=timezone.localdate(now))
    summary["risk"] = risk_step(now=now, inputs=inputs)
    summary["milestones"] = milestones_step(now=now)
    summary["missed_records"] = missed_records_step(now=now, inputs=inputs)
    summary["originals"] = originals_step(now=now)
    summary["calendar_warnings"] = calendar_warnings(today=timezone.localdate(now))
    for name, step in SCAN_STEPS.items():
        summary[name] = step(now=now)
    run.finished_at = timezone.now()
    run.summary = summary
    run.save(update_fields=["finished_at", "summary"])
    logger.info("follow-up scan: %s", summary)
    return summary
