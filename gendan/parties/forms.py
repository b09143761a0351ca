from django import forms
from django.utils.translation import gettext_lazy as _

from gendan.accounts import roles as R
from gendan.accounts.selectors import users_with_role
from gendan.parties.models import Currency, Customer, PaymentTermsType


def _label(name: str):
    return Customer._meta.get_field(name).verbose_name


def _decimal_input() -> forms.TextInput:
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})


class CustomerFilterForm(forms.Form):
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


class CustomerForm(forms.Form):
    """Collects raw input for parties.services.customer_create, which validates it."""

    code = forms.CharField(label=_label("code"), required=False, max_length=20)
    name = forms.CharField(label=_label("name"), required=False, max_length=200)
    is_foreign = forms.BooleanField(label=_label("is_foreign"), required=False)
    address = forms.CharField(label=_label("address"), required=False, max_length=300)
    currency = forms.ChoiceField(label=_label("currency"), required=False, choices=Currency.choices)
    credit_limit = forms.CharField(label=_label("credit_limit"), required=False, widget=_decimal_input())
    payment_terms = forms.ChoiceField(
        label=_label("payment_terms"), required=False, choices=PaymentTermsType.choices
    )
    payment_days = forms.CharField(
        label=_label("payment_days"), required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    deposit_percent = forms.CharField(
        label=_label("deposit_percent"), required=False, widget=_decimal_input()
    )
    merchandiser = forms.ChoiceField(label=_label("merchandiser"), required=False)
    salesperson = forms.ChoiceField(label=_label("salesperson"), required=False)
    notes = forms.CharField(
        label=_label("notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["merchandiser"].choices = [("", "—")] + [
            (u.username, str(u)) for u in users_with_role(role=R.MERCHANDISER)
        ]
        self.fields["salesperson"].choices = [("", "—")] + [
            (u.username, str(u)) for u in users_with_role(role=R.SALES)
        ]

    def payload(self) -> dict:
        return dict(self.cleaned_data)
