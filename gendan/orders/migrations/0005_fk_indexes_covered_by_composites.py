"""Drop the single-column indexes of six foreign keys that a composite index already leads with.

In the database only DROP INDEX (CREATE INDEX backwards): Django's own AlterField would rebuild each table
on SQLite. The names are the ones Django gave the indexes (the same on SQLite and PostgreSQL);
tests/orders/test_indexes.py checks that none is left.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (index, table, column, covered by)
DROPPED = [
    ("orders_order_customer_id_0b76f6a4", "orders_order", "customer_id", "orders_customer_po"),
    ("orders_order_merchandiser_id_9767ccce", "orders_order", "merchandiser_id", "orders_merch_status_due"),
    ("orders_order_salesperson_id_7de1b9f2", "orders_order", "salesperson_id", "orders_sales_status"),
    ("orders_orderevent_order_id_b26297f3", "orders_orderevent", "order_id", "orders_event_order_time"),
    ("orders_orderline_order_id_17f8f3ef", "orders_orderline", "order_id", "orders_line_no_uniq"),
    ("orders_orderlinesize_line_id_e038c5af", "orders_orderlinesize", "line_id", "orders_linesize_uniq"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0004_list_and_today_indexes"),
        ("parties", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    sql=f'DROP INDEX IF EXISTS "{index}"',
                    reverse_sql=f'CREATE INDEX "{index}" ON "{table}" ("{column}")',
                )
                for index, table, column, _covered_by in DROPPED
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="order",
                    name="customer",
                    field=models.ForeignKey(
                        db_index=False,
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
                        db_index=False,
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
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="orders_sold",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="salesperson",
                    ),
                ),
                migrations.AlterField(
                    model_name="orderevent",
                    name="order",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="orders.order",
                        verbose_name="order",
                    ),
                ),
                migrations.AlterField(
                    model_name="orderline",
                    name="order",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="lines",
                        to="orders.order",
                        verbose_name="order",
                    ),
                ),
                migrations.AlterField(
                    model_name="orderlinesize",
                    name="line",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sizes",
                        to="orders.orderline",
                        verbose_name="order line",
                    ),
                ),
            ],
        ),
    ]
