"""Orders whose default payment terms were stored as a choice label with a literal N and the number in
brackets ("月结 N 天 (30)") get the worded terms ("月结 30 天"), as `payment_terms_text` writes them now."""

import re

from django.db import migrations

# (stored label, worded template with {n}) in both languages the label could have been stored in
REWRITES = (
    ("月结 N 天", "月结 {n} 天"),
    ("发票后 N 天付款", "票到 {n} 天付款"),
    ("Monthly statement, net N days", "Monthly statement, net {n} days"),
    ("Net N days after invoice", "Net {n} days after invoice"),
    ("预付定金，发货前付清余款", "订金 {n}%，余款发货前付清"),
    ("Deposit, balance before shipment", "Deposit {n}%, balance before shipment"),
)
PATTERN = re.compile(r"^(?P<label>.+?) \((?P<n>\d+(?:\.\d+)?)%?\)$")


def reword(text: str) -> str | None:
    match = PATTERN.match(text or "")
    if not match:
        return None
    for label, worded in REWRITES:
        if match["label"] == label:
            n = match["n"].rstrip("0").rstrip(".") if "." in match["n"] else match["n"]
            return worded.format(n=n)
    return None


def forwards(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    for order in Order.objects.filter(payment_terms__regex=r" \(").only("pk", "payment_terms").iterator():
        worded = reword(order.payment_terms)
        if worded:
            Order.objects.filter(pk=order.pk).update(payment_terms=worded)


class Migration(migrations.Migration):
    dependencies = [("orders", "0013_orderattachment_moved_to_files")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
