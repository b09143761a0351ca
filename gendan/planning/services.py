"""Writes on the working-day calendar: a year's official schedule entered by admin, company closures."""

import re
from datetime import date, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from gendan.core.errors import ValidationFailed
from gendan.planning.models import CalendarDay, CalendarYear

_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\s*(?:\.\.|~|至)\s*(\d{4}-\d{2}-\d{2}))?\s*(.*)$")


def calendar_lines_parse(text: str, *, field: str, year: int) -> list[tuple[date, date, str]]:
    """Lines `2027-01-01..2027-01-03 New Year` or `2027-02-07 Spring Festival` → (first, last, name)."""
    rows, errors = [], []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = _LINE.match(line)
        try:
            if not match:
                raise ValueError
            first = date.fromisoformat(match.group(1))
            last = date.fromisoformat(match.group(2)) if match.group(2) else first
        except ValueError:
            errors.append(
                _("Line %(n)d: write YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD, then a name.") % {"n": number}
            )
            continue
        if last < first or (last - first).days > 31:
            errors.append(
                _("Line %(n)d: the range must run forward and last at most a month.") % {"n": number}
            )
        elif first.year != year or last.year != year:
            errors.append(_("Line %(n)d: dates must be in %(year)s.") % {"n": number, "year": year})
        else:
            rows.append((first, last, match.group(3).strip()[:50]))
    if errors:
        raise ValidationFailed({field: errors})
    return rows


def calendar_schedule_parse(
    *, year: int, holidays: str, makeup_days: str
) -> tuple[dict[date, str], dict[date, str]]:
    """The holidays falling on weekdays and the make-up days (weekends only) of a year's schedule."""
    if not 2000 <= year <= 2100:
        raise ValidationFailed({"year": [_("Enter a year between 2000 and 2100.")]})
    holiday_rows = calendar_lines_parse(holidays, field="holidays", year=year)
    makeup_rows = calendar_lines_parse(makeup_days, field="makeup_days", year=year)
    makeup: dict[date, str] = {}
    for first, last, name in makeup_rows:
        current = first
        while current <= last:
            if current.weekday() < 5:
                raise ValidationFailed(
                    {
                        "makeup_days": [
                            _("%(d)s is a weekday: only a weekend day can be a make-up day.") % {"d": current}
                        ]
                    }
                )
            makeup[current] = name
            current += timedelta(days=1)
    holiday: dict[date, str] = {}
    for first, last, name in holiday_rows:
        current = first
        while current <= last:
            if current in makeup:
                raise ValidationFailed(
                    {"holidays": [_("%(d)s is both a holiday and a make-up day.") % {"d": current}]}
                )
            if current.weekday() < 5:  # a holiday on a weekend changes nothing
                holiday[current] = name
            current += timedelta(days=1)
    return holiday, makeup


@transaction.atomic
def calendar_year_enter(*, year: int, holidays: str, makeup_days: str) -> CalendarYear:
    """Enter a year's official schedule (published by the State Council): holidays falling on weekdays
    and make-up working days on weekends. Company closures of that year are kept."""
    holiday, makeup = calendar_schedule_parse(year=year, holidays=holidays, makeup_days=makeup_days)
    CalendarDay.objects.filter(
        date__year=year, kind__in=(CalendarDay.Kind.HOLIDAY, CalendarDay.Kind.MAKEUP)
    ).delete()
    CalendarDay.objects.filter(date__in=[*holiday, *makeup]).delete()  # an official day wins over a closure
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=d, kind=CalendarDay.Kind.HOLIDAY, name=n) for d, n in sorted(holiday.items())]
        + [CalendarDay(date=d, kind=CalendarDay.Kind.MAKEUP, name=n) for d, n in sorted(makeup.items())]
    )
    entry, _created = CalendarYear.objects.update_or_create(
        year=year, defaults={"source": CalendarYear.Source.MANUAL}
    )
    return entry
