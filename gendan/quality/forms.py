"""Thin forms: they render the fields and carry the raw input; the services validate it (field errors come
back from the service and are put next to the fields)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gendan.orders.models import Order
from gendan.quality.aql import AQLS, LEVELS
from gendan.quality.models import InspectionStage

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _aql_choices(*, blank_label) -> list[tuple[str, str]]:
    return [("", blank_label), ("0", _("0 (zero tolerance)"))] + [(str(a), str(a)) for a in AQLS]


class AqlForm(forms.Form):
    lot_size = forms.CharField(label=_("Lot size"), required=False, max_length=12)
    level = forms.ChoiceField(label=_("Inspection level"), choices=[(v, v) for v in LEVELS], initial="II")
    aql = forms.ChoiceField(label=_("AQL"), choices=_aql_choices(blank_label="—")[1:], initial="2.5")


class InspectionForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=InspectionStage.choices, required=False)
    order_line = forms.ChoiceField(label=_("Order line"), required=False)
    lot_size = forms.CharField(label=_("Lot size"), required=False, max_length=12)
    level = forms.ChoiceField(label=_("Inspection level"), choices=[(v, v) for v in LEVELS], required=False)
    aql_critical = forms.ChoiceField(label=_("AQL critical"), required=False)
    critical_found = forms.CharField(label=_("Critical defects found"), required=False, max_length=10)
    aql_major = forms.ChoiceField(label=_("AQL major"), required=False)
    major_found = forms.CharField(label=_("Major defects found"), required=False, max_length=10)
    aql_minor = forms.ChoiceField(label=_("AQL minor"), required=False)
    minor_found = forms.CharField(label=_("Minor defects found"), required=False, max_length=10)
    inspected_on = forms.DateField(label=_("Inspected on"), required=False, widget=DATE)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, order: Order, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["order_line"].choices = [("", _("Whole order"))] + [
            (
                str(line.pk),
                f"{line.line_no} · {line.product.code} {line.product.name} {line.color} ({line.quantity.normalize():f})",
            )
            for line in order.lines.select_related("product").order_by("line_no")
        ]
        for name in ("aql_critical", "aql_major", "aql_minor"):
            self.fields[name].choices = _aql_choices(blank_label=_("Not inspected"))
        for name in ("lot_size", "critical_found", "major_found", "minor_found"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric"})


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
