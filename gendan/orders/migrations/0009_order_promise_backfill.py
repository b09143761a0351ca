"""An INITIAL agreed-date row for every order that already has a promised date (from before the history).

Who and when: the order's latest approval transition (the review's conclusion) when there is one, else the
order's creator at its last change. Batched and set-based; orders that already have a row are skipped."""

from django.db import migrations
from django.db.models import Exists, OuterRef

BATCH = 2000


def backfill(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    OrderEvent = apps.get_model("orders", "OrderEvent")
    OrderPromise = apps.get_model("orders", "OrderPromise")
    pending = (
        Order.objects.filter(promised_date__isnull=False)
        .exclude(Exists(OrderPromise.objects.filter(order_id=OuterRef("pk"))))
        .order_by("pk")
        .values_list("pk", "promised_date", "created_by_id", "updated_at")
    )
    last_pk = 0
    while True:
        batch = list(pending.filter(pk__gt=last_pk)[:BATCH])
        if not batch:
            break
        last_pk = batch[-1][0]
        approvals = {}
        for order_id, actor_id, created_at in (
            OrderEvent.objects.filter(
                order_id__in=[row[0] for row in batch], type="transition", to_status="approved"
            )
            .order_by("order_id", "created_at", "id")
            .values_list("order_id", "actor_id", "created_at")
        ):
            approvals[order_id] = (actor_id, created_at)  # the latest approval wins
        rows = []
        for order_id, promised, created_by_id, updated_at in batch:
            actor_id, at = approvals.get(order_id, (None, None))
            rows.append(
                OrderPromise(
                    order_id=order_id,
                    promised_date=promised,
                    previous_date=None,
                    cause="initial",
                    reason="",
                    agreed_by_id=actor_id or created_by_id,
                    agreed_at=at or updated_at,
                    source="review",
                )
            )
        OrderPromise.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [("orders", "0008_order_promise")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
