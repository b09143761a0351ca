"""The duplicate-PO check looks its candidates up: (customer, lower(customer_po)) replaces (customer,
customer_po), which served only the customer part (every order of the customer was read and compared)."""

import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0005_fk_indexes_covered_by_composites"),
        ("parties", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                models.F("customer"),
                django.db.models.functions.text.Lower("customer_po"),
                name="orders_customer_po_lower",
            ),
        ),
        migrations.RemoveIndex(model_name="order", name="orders_customer_po"),
    ]
