import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gendan.core.errors import ApplicationError
from gendan.planning.calendar import calendar_years_missing, calendar_years_seed, not_covered_message
from gendan.planning.models import CalendarDay, CalendarYear
from gendan.planning.services import calendar_schedule_parse, calendar_year_enter

_HELP = _(
    "One line each: YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD, then a name (e.g. 2027-02-06..2027-02-14 春节)."
)


class CalendarYearForm(forms.ModelForm):
    holidays = forms.CharField(
        label=_("public holidays"), widget=forms.Textarea, required=False, help_text=_HELP
    )
    makeup_days = forms.CharField(
        label=_("make-up working days (weekends)"), widget=forms.Textarea, required=False, help_text=_HELP
    )

    class Meta:
        model = CalendarYear
        fields = ["year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            days = CalendarDay.objects.filter(date__year=self.instance.year)
            self.fields["holidays"].initial = "\n".join(
                f"{d.date} {d.name}" for d in days if d.kind == CalendarDay.Kind.HOLIDAY
            )
            self.fields["makeup_days"].initial = "\n".join(
                f"{d.date} {d.name}" for d in days if d.kind == CalendarDay.Kind.MAKEUP
            )

    def clean(self):
        cleaned = super().clean()
        year = cleaned.get("year")
        if year:
            try:
                calendar_schedule_parse(
                    year=year,
                    holidays=cleaned.get("holidays", ""),
                    makeup_days=cleaned.get("makeup_days", ""),
                )
            except ApplicationError as exc:
                raise ValidationError(dict(exc.extra["fields"])) from None
        return cleaned


def _warn_missing(request) -> None:
    this_year = timezone.localdate().year
    for year in calendar_years_missing(first_year=this_year, last_year=this_year + 1):
        messages.warning(request, not_covered_message(year))


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    form = CalendarYearForm
    list_display = ["year", "source", "holiday_count", "makeup_count"]
    actions = ["seed_from_package"]

    @admin.display(description=_("holidays"))
    def holiday_count(self, obj: CalendarYear) -> int:
        return CalendarDay.objects.filter(date__year=obj.year, kind=CalendarDay.Kind.HOLIDAY).count()

    @admin.display(description=_("make-up days"))
    def makeup_count(self, obj: CalendarYear) -> int:
        return CalendarDay.objects.filter(date__year=obj.year, kind=CalendarDay.Kind.MAKEUP).count()

    def changelist_view(self, request, extra_context=None):
        _warn_missing(request)
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        entry = calendar_year_enter(
            year=form.cleaned_data["year"],
            holidays=form.cleaned_data.get("holidays", ""),
            makeup_days=form.cleaned_data.get("makeup_days", ""),
        )
        obj.pk, obj.source = entry.pk, entry.source

    @admin.action(description=_("Load the selected years from the chinese-calendar package"))
    def seed_from_package(self, request, queryset):
        for entry in queryset:
            calendar_years_seed(entry.year, entry.year)
        loaded = set(queryset.filter(source=CalendarYear.Source.PACKAGE).values_list("year", flat=True))
        self.message_user(request, gettext("Loaded from the package: %(y)s") % {"y": sorted(loaded) or "-"})


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["name"]

    @admin.display(description=_("weekday"))
    def weekday(self, obj: CalendarDay) -> str:
        return dt.date.strftime(obj.date, "%a")

    def changelist_view(self, request, extra_context=None):
        _warn_missing(request)
        return super().changelist_view(request, extra_context)
