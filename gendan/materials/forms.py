"""Thin forms: they collect raw input; gendan.materials.services validates it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gendan.materials.models import PurchaseOrderStatus, PurchaseRequestStatus


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class RequestFilterForm(SearchForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *PurchaseRequestStatus.choices]
    )


class PurchaseOrderFilterForm(SearchForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *PurchaseOrderStatus.choices]
    )


class MaterialForm(forms.Form):
    code = forms.CharField(label=_("Material code"), required=False, max_length=30)
    name = forms.CharField(label=_("Material name"), required=False, max_length=200)
    spec = forms.CharField(label=_("Specification"), required=False, max_length=200)
    unit = forms.CharField(label=_("Unit"), required=False, max_length=10)
    supplier = forms.CharField(label=_("Usual supplier (code)"), required=False, max_length=20)
    lead_time_days = forms.CharField(
        label=_("Purchase lead time (working days)"), required=False, max_length=5
    )


class StockAdjustForm(forms.Form):
    quantity = forms.CharField(
        label=_("Quantity (+ found, − missing)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    note = forms.CharField(label=_("Reason"), required=False, max_length=300)


class BomLineForm(forms.Form):
    material = forms.CharField(label=_("Material (code)"), required=False, max_length=30)
    usage_per_unit = forms.CharField(label=_("Usage per unit"), required=False, max_length=20)
    loss_rate_percent = forms.CharField(label=_("Loss rate %"), required=False, max_length=10)


class PurchaseOrderForm(forms.Form):
    supplier = forms.CharField(label=_("Supplier (code)"), required=False, max_length=20)
    expected_date = forms.CharField(
        label=_("Expected arrival"),
        required=False,
        max_length=10,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class ReceiveForm(forms.Form):
    quantity = forms.CharField(label=_("Quantity arrived"), required=False, max_length=20)
    received_on = forms.CharField(
        label=_("Arrived on"), required=False, max_length=10, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class ExpectedDateForm(forms.Form):
    expected_date = forms.CharField(
        label=_("New expected arrival"),
        required=False,
        max_length=10,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)
