"""Thin forms: they render the fields and carry the raw input; the services validate it (their field errors
are put next to the fields)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gendan.orders.models import Order
from gendan.outsourcing.models import Process
from gendan.outsourcing.services import qty_text

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER = {"inputmode": "decimal"}


def _line_choices(order: Order) -> list[tuple[str, str]]:
    return [("", _("Whole order"))] + [
        (str(line.pk), f"{line.line_no} · {line.product.code} {line.product.name} {line.color}".strip())
        for line in order.lines.select_related("product").order_by("line_no")
    ]


def _subcontractor_choices(subcontractors) -> list[tuple[str, str]]:
    return [("", "—")] + [(str(s.pk), f"{s.code} {s.name}") for s in subcontractors]


class PlanItemForm(forms.Form):
    process = forms.ChoiceField(label=_("Process"), choices=[("", "—"), *Process.choices], required=False)
    process_detail = forms.CharField(label=_("Process detail"), required=False, max_length=200)
    subcontractor = forms.ChoiceField(label=_("Subcontractor"), required=False)
    order_line = forms.ChoiceField(label=_("Order line"), required=False)
    quantity = forms.CharField(
        label=_("Quantity"), required=False, max_length=20, widget=forms.TextInput(NUMBER)
    )
    planned_send_date = forms.DateField(label=_("Planned send date"), required=False, widget=DATE)
    planned_return_date = forms.DateField(label=_("Planned return date"), required=False, widget=DATE)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, order: Order, subcontractors, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["order_line"].choices = _line_choices(order)
        self.fields["subcontractor"].choices = _subcontractor_choices(subcontractors)


class OutsourcingOrderForm(forms.Form):
    plan_item = forms.ChoiceField(label=_("Plan item"), required=False)
    subcontractor = forms.ChoiceField(label=_("Subcontractor"), required=False)
    process = forms.ChoiceField(label=_("Process"), choices=[("", "—"), *Process.choices], required=False)
    description = forms.CharField(label=_("Specification"), required=False, max_length=300)
    order_line = forms.ChoiceField(label=_("Order line"), required=False)
    quantity = forms.CharField(
        label=_("Quantity"), required=False, max_length=20, widget=forms.TextInput(NUMBER)
    )
    unit = forms.CharField(label=_("Unit"), required=False, max_length=10)
    unit_price = forms.CharField(
        label=_("Unit price"), required=False, max_length=20, widget=forms.TextInput(NUMBER)
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE)
    materials_issued = forms.CharField(
        label=_("Materials issued"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    quality_requirements = forms.CharField(
        label=_("Quality requirements"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, order: Order, subcontractors, plan_items, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["order_line"].choices = _line_choices(order)
        self.fields["subcontractor"].choices = _subcontractor_choices(subcontractors)
        self.fields["plan_item"].choices = [("", "—")] + [
            (str(p.pk), f"{p.get_process_display()} · {p.subcontractor.name} · {qty_text(p.quantity)}")
            for p in plan_items
        ]


class DispatchForm(forms.Form):
    quantity = forms.CharField(
        label=_("Quantity sent"), required=False, max_length=20, widget=forms.TextInput(NUMBER)
    )
    dispatched_on = forms.DateField(label=_("Sent on"), required=False, widget=DATE)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ReturnForm(forms.Form):
    quantity_returned = forms.CharField(
        label=_("Quantity returned"), required=False, max_length=20, widget=forms.TextInput(NUMBER)
    )
    quantity_defective = forms.CharField(
        label=_("Of which defective"), required=False, max_length=20, widget=forms.TextInput(NUMBER)
    )
    returned_on = forms.DateField(label=_("Returned on"), required=False, widget=DATE)
    deduction_amount = forms.CharField(
        label=_("Deduction (blank: defective × unit price)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(NUMBER),
    )
    inspection_note = forms.CharField(label=_("Inspection note"), required=False, max_length=500)
