"""Copy any orders.OrderAttachment rows into files.Attachment, keeping their stored names (old names keep
working; only new uploads get random names). The model had no screen or API, so there are usually none."""

import mimetypes

from django.db import migrations


def copy_rows(apps, schema_editor):
    OrderAttachment = apps.get_model("orders", "OrderAttachment")
    Attachment = apps.get_model("files", "Attachment")
    ContentType = apps.get_model("contenttypes", "ContentType")
    rows = list(OrderAttachment.objects.all())
    if not rows:
        return
    order_type, _ = ContentType.objects.get_or_create(app_label="orders", model="order")
    for row in rows:
        name = row.file.name or ""
        try:
            size = row.file.size
        except (OSError, ValueError):
            size = 0
        Attachment.objects.create(
            owner_type=order_type,
            owner_id=row.order_id,
            order_id=row.order_id,
            kind="other",
            file=name,
            original_name=(row.name or name.rsplit("/", 1)[-1])[:255],
            size=size,
            content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
            sha256="",
            uploaded_by_id=row.uploaded_by_id,
            uploaded_at=row.uploaded_at,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("files", "0001_initial"),
        ("orders", "0007_scoped_list_fk_indexes_restored"),
    ]

    operations = [migrations.RunPython(copy_rows, migrations.RunPython.noop)]
