"""Violation evidence keys (stored as stable codes in Violation.evidence) shown by their labels."""

from django import template
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

register = template.Library()

EVIDENCE_LABELS = {
    "order": _("Order"),
    "event": _("Event"),
    "note": _("Note"),
    "duplicates": _("Duplicates"),
    "reason": _("Reason"),
    "handover": _("Handover"),
    "signal": _("Signal"),
    "detail": _("Detail"),
    "at": pgettext_lazy("evidence", "At"),
    "complaint": _("Complaint"),
    "type": _("Type"),
    "missed_records": _("Missed records"),
    "from": pgettext_lazy("date change", "From"),
    "to": pgettext_lazy("date change", "To"),
    "agreed_at": _("Agreed at"),
}


@register.filter
def evidence_label(key: str) -> str:
    return str(EVIDENCE_LABELS.get(key, key))
