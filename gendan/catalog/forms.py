from django import forms
from django.utils.translation import gettext_lazy as _

from gendan.catalog.models import Industry, Product


def _label(name: str):
    return Product._meta.get_field(name).verbose_name


class ProductFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    active = forms.ChoiceField(
        label=_label("is_active"),
        required=False,
        choices=[("", _("All")), ("1", _("Active")), ("0", _("Inactive"))],
    )

    def values(self) -> dict:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        active = {"1": True, "0": False}.get(data.get("active") or "")
        return {"q": data.get("q") or "", "active": active}


class ProductForm(forms.Form):
    """Collects raw input for catalog.services.product_create, which validates it."""

    code = forms.CharField(label=_label("code"), required=False, max_length=30)
    name = forms.CharField(label=_label("name"), required=False, max_length=200)
    industry = forms.ChoiceField(label=_label("industry"), required=False, choices=Industry.choices)
    family = forms.CharField(label=_label("family"), required=False, max_length=50)
    work_centre = forms.CharField(label=_label("work_centre"), required=False, max_length=50)
    spec = forms.CharField(label=_label("spec"), required=False, max_length=200)
    unit = forms.CharField(
        label=_label("unit"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"placeholder": "pcs"}),
    )
    production_cycle_days = forms.CharField(
        label=_label("production_cycle_days"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "10"}),
    )
    material_lead_days = forms.CharField(
        label=_label("material_lead_days"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "0"}),
    )
    standard_price = forms.CharField(
        label=_label("standard_price"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def payload(self) -> dict:
        return dict(self.cleaned_data)
