"""Thin forms: raw input for gendan.capacity.services, which validates it."""

from django import forms
from django.utils.translation import gettext_lazy as _


class WorkCentreForm(forms.Form):
    code = forms.CharField(label=_("Work centre code"), required=False, max_length=20)
    name = forms.CharField(label=_("Work centre name"), required=False, max_length=100)
    daily_minutes = forms.CharField(
        label=_("Daily capacity (standard minutes)"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class RouteForm(forms.Form):
    steps = forms.CharField(
        label=_("Steps, one per line: work centre code and standard minutes per piece (e.g. SEW 4.5)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def parsed(self) -> list[dict]:
        text = self.cleaned_data.get("steps", "") if self.is_valid() else ""
        steps = []
        for line in text.replace("，", " ").replace(",", " ").splitlines():
            parts = line.split()
            if parts:
                steps.append(
                    {"work_centre": parts[0], "minutes_per_piece": parts[1] if len(parts) > 1 else ""}
                )
        return steps


class ScheduleFilterForm(forms.Form):
    late = forms.BooleanField(label=_("Only later than due"), required=False)


class WeeksForm(forms.Form):
    weeks = forms.TypedChoiceField(
        label=_("Weeks"),
        required=False,
        coerce=int,
        choices=[(13, "13"), (26, "26"), (52, "52")],
        empty_value=26,
    )
