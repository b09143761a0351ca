from django import forms
from django.utils.translation import gettext_lazy as _

from gendan.reviews.models import Review, ReviewItem

SIGN_RESULTS = [
    (ReviewItem.Result.PASS, ReviewItem.Result.PASS.label),
    (ReviewItem.Result.CONDITIONAL, ReviewItem.Result.CONDITIONAL.label),
    (ReviewItem.Result.FAIL, ReviewItem.Result.FAIL.label),
]


class ItemSignForm(forms.Form):
    result = forms.ChoiceField(
        label=ReviewItem._meta.get_field("result").verbose_name,
        choices=SIGN_RESULTS,
        required=False,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=ReviewItem._meta.get_field("comment").verbose_name,
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ApproveForm(forms.Form):
    promised_date = forms.DateField(
        label=Review._meta.get_field("promised_date").verbose_name,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(
        label=_("Reason (required when earlier than the feasible date)"), required=False, max_length=300
    )
    conclusion = forms.CharField(
        label=Review._meta.get_field("conclusion").verbose_name,
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejecting"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
