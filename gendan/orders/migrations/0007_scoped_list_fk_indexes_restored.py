"""Bring back the single-column indexes of Order.customer, .merchandiser and .salesperson (dropped in 0005).

The composites leading with those columns answer equality lookups, but only these keep each key's rows in id
order (SQLite appends the rowid to every index entry): the scoped order lists sort newest first and walked
the index instead of sorting a merchandiser's 20,000 orders. Created with the names Django gives them, by
CREATE INDEX only (Django's own AlterField would rebuild the table on SQLite).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


RESTORED = [
    ("orders_order_customer_id_0b76f6a4", "customer_id"),
    ("orders_order_merchandiser_id_9767ccce", "merchandiser_id"),
    ("orders_order_salesperson_id_7de1b9f2", "salesperson_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0006_duplicate_po_index_lower"),
        ("parties", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    sql=f'CREATE INDEX IF NOT EXISTS "{index}" ON "orders_order" ("{column}")',
                    reverse_sql=f'DROP INDEX IF EXISTS "{index}"',
                )
                for index, column in RESTORED
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="order",
                    name="customer",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="orders",
                        to="parties.customer",
                        verbose_name="customer",
                    ),
                ),
                migrations.AlterField(
                    model_name="order",
                    name="merchandiser",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="orders_followed",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="merchandiser",
                    ),
                ),
                migrations.AlterField(
                    model_name="order",
                    name="salesperson",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="orders_sold",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="salesperson",
                    ),
                ),
            ],
        ),
    ]
