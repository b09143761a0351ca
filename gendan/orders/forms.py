"""Order forms: they collect and render raw input; the rules live in orders.validation (via the services)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gendan.accounts import roles as R
from gendan.accounts.models import User
from gendan.accounts.selectors import users_with_role
from gendan.catalog.selectors import product_list
from gendan.core.widgets import PlainSelect
from gendan.orders.models import BusinessType, Incoterm, Order, OrderLine, OrderStatus, SourceDocument
from gendan.parties.models import Currency, Customer
from gendan.parties.selectors import customer_visible_list

SORT_CHOICES = [
    ("-id", _("Newest first")),
    ("id", _("Oldest first")),
    ("requested_date", _("Delivery date, earliest first")),
    ("-requested_date", _("Delivery date, latest first")),
    ("number", _("Order number")),
    ("-total_amount", _("Amount, largest first")),
    ("status", _("Status")),
]


def _label(model, name: str):
    return model._meta.get_field(name).verbose_name


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _decimal_input(placeholder: str = "") -> forms.TextInput:
    attrs = {"inputmode": "decimal", "autocomplete": "off"}
    if placeholder:
        attrs["placeholder"] = placeholder
    return forms.TextInput(attrs=attrs)


class OrderFilterForm(forms.Form):
    """The list filters; bad values are reported next to the filter and ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_label(Order, "status"),
        required=False,
        choices=[("", "—"), *OrderStatus.choices],
        widget=PlainSelect,
    )
    customer = forms.ModelChoiceField(
        label=_label(Order, "customer"),
        required=False,
        queryset=Customer.objects.none(),
        empty_label="—",
        widget=PlainSelect,
    )
    due_from = forms.DateField(label=_("Due from"), required=False, widget=_date_input())
    due_to = forms.DateField(label=_("Due to"), required=False, widget=_date_input())
    original_pending = forms.BooleanField(label=_("Original pending"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES, widget=PlainSelect)

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # the choices show code and name only (no merchandiser or salesperson joined in)
        customers = customer_visible_list(user=user).select_related(None).only("code", "name")
        self.fields["customer"].queryset = customers.order_by("code")

    def filters(self) -> tuple[dict, str]:
        """(filters for orders.selectors.order_list, ordering) from the valid fields only."""
        data = self.cleaned_data if self.is_bound else {}
        filters = {
            name: data.get(name)
            for name in ("q", "status", "due_from", "due_to", "original_pending")
            if name not in self.errors and data.get(name)
        }
        if "customer" not in self.errors and data.get("customer"):
            filters["customer"] = data["customer"].pk
        ordering = data.get("sort") if "sort" not in self.errors else ""
        return filters, ordering or "-id"


class OrderHeaderForm(forms.Form):
    customer = forms.ChoiceField(label=_label(Order, "customer"), required=False)
    customer_po = forms.CharField(label=_label(Order, "customer_po"), required=False, max_length=50)
    order_date = forms.CharField(label=_label(Order, "order_date"), required=False, widget=_date_input())
    requested_date = forms.CharField(
        label=_label(Order, "requested_date"), required=False, widget=_date_input()
    )
    business_type = forms.ChoiceField(
        label=_label(Order, "business_type"), required=False, choices=BusinessType.choices
    )
    source_document = forms.ChoiceField(
        label=_label(Order, "source_document"), required=False, choices=SourceDocument.choices
    )
    currency = forms.ChoiceField(
        label=_label(Order, "currency"),
        required=False,
        choices=[("", _("Customer's currency")), *Currency.choices],
    )
    incoterm = forms.ChoiceField(
        label=_label(Order, "incoterm"), required=False, choices=[("", "—"), *Incoterm.choices]
    )
    payment_terms = forms.CharField(
        label=_label(Order, "payment_terms"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Customer's payment terms")}),
    )
    merchandiser = forms.ChoiceField(label=_label(Order, "merchandiser"), required=False)
    requirements = forms.CharField(
        label=_label(Order, "requirements"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    confirm_repeat = forms.BooleanField(
        label=_("This is a deliberate repeat of an existing customer PO"), required=False
    )
    repeat_reason = forms.CharField(label=_label(Order, "repeat_reason"), required=False, max_length=200)
    confirm_order_date = forms.BooleanField(label=_("The order date is right"), required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        customers = customer_visible_list(user=user).filter(is_active=True).order_by("code")
        self.fields["customer"].choices = [("", "—")] + [(c.code, f"{c.code} {c.name}") for c in customers]
        self.fields["merchandiser"].choices = [("", _("The customer's merchandiser"))] + [
            (u.username, str(u)) for u in users_with_role(role=R.MERCHANDISER)
        ]

    def payload(self) -> dict:
        data = self.cleaned_data
        payload = {
            name: data.get(name) or ""
            for name in (
                "customer",
                "customer_po",
                "order_date",
                "requested_date",
                "business_type",
                "source_document",
                "currency",
                "incoterm",
                "payment_terms",
                "merchandiser",
                "requirements",
                "repeat_reason",
            )
        }
        payload["confirm_repeat"] = bool(data.get("confirm_repeat"))
        payload["confirm_order_date"] = bool(data.get("confirm_order_date"))
        return payload


LINE_FIELDS = ("product", "spec", "color", "quantity", "unit_price", "tolerance_percent", "sizes")


class OrderLineForm(forms.Form):
    product = forms.ChoiceField(label=_label(OrderLine, "product"), required=False)
    spec = forms.CharField(label=_label(OrderLine, "spec"), required=False, max_length=200)
    color = forms.CharField(label=_label(OrderLine, "color"), required=False, max_length=50)
    quantity = forms.CharField(label=_label(OrderLine, "quantity"), required=False, widget=_decimal_input())
    unit_price = forms.CharField(
        label=_label(OrderLine, "unit_price"), required=False, widget=_decimal_input()
    )
    tolerance_percent = forms.CharField(
        label=_label(OrderLine, "tolerance_percent"), required=False, widget=_decimal_input("3")
    )
    sizes = forms.CharField(
        label=_("Size breakdown"),
        required=False,
        max_length=1000,
        widget=forms.TextInput(attrs={"placeholder": "S:30 M:40 L:30", "autocomplete": "off"}),
    )

    def __init__(self, *args, product_choices: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = product_choices

    def is_blank(self) -> bool:
        return not any((self.cleaned_data.get(name) or "").strip() for name in LINE_FIELDS)

    def payload(self) -> dict:
        return {name: (self.cleaned_data.get(name) or "").strip() for name in LINE_FIELDS}


OrderLineFormSet = forms.formset_factory(OrderLineForm, extra=0, max_num=500, absolute_max=500)


def product_choices(*, user: User) -> list[tuple[str, str]]:
    products = product_list(user=user, active=True).only("code", "name")
    return [("", "—")] + [(p.code, f"{p.code} {p.name}") for p in products]


class ActionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000)
    # the inputs some actions take besides the reason (orders.actions.ORDER_ACTIONS[…].fields)
    line_no = forms.IntegerField(label=_("Line"), required=False, min_value=1, max_value=32767)
    quantity = forms.CharField(label=_("Quantity"), required=False, max_length=30)
    customer_contact = forms.CharField(label=_("Agreed by (customer)"), required=False, max_length=100)

    def action_input(self):
        from gendan.orders.actions import ActionInput

        data = self.cleaned_data
        return ActionInput(
            reason=data.get("reason") or "",
            line_no=data.get("line_no"),
            quantity=data.get("quantity") or None,
            customer_contact=data.get("customer_contact") or "",
        )
