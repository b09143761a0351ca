"""Working days: Chinese public holidays, make-up working days (调休) and company closures.

Years nobody entered fall back to Monday–Friday and say so (`warnings`), because orders promised
for next year are common before the State Council publishes its schedule. Callers that must not
guess (`strict=True`) get `CalendarNotCoveredError` instead.
"""

import threading
import time
from collections.abc import Set
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from gendan.core.errors import ApplicationError
from gendan.planning.models import CalendarDay, CalendarYear


class CalendarNotCoveredError(ApplicationError):
    code = "calendar_not_covered"
    status = 400


def not_covered_message(year: int) -> str:
    return _(
        "No holiday schedule for %(year)s: Monday to Friday assumed. An administrator can enter the "
        "official schedule under Admin › Calendar years."
    ) % {"year": year}


@dataclass
class WorkingCalendar:
    """Loaded once for a range of years; answers without further queries."""

    years: Set[int]
    working_overrides: Set[date]
    closed_overrides: Set[date]
    warnings: list[str] = field(default_factory=list)
    strict: bool = False
    missing_years: set[int] = field(default_factory=set)

    @classmethod
    def load(cls, first_year: int, last_year: int, *, strict: bool = False) -> "WorkingCalendar":
        covered, working, closed = _calendar_rows(first_year, last_year)
        return cls(years=covered, working_overrides=working, closed_overrides=closed, strict=strict)

    def is_working_day(self, day: date) -> bool:
        if day.year not in self.years:
            if self.strict:
                raise CalendarNotCoveredError(
                    _(
                        "The working-day calendar has no holiday schedule for %(year)s. An administrator "
                        "must enter it (Admin › Calendar years) before dates in %(year)s can be planned."
                    )
                    % {"year": day.year},
                    extra={"year": day.year},
                )
            if day.year not in self.missing_years:
                self.missing_years.add(day.year)
                self.warnings.append(not_covered_message(day.year))
        if day in self.working_overrides:
            return True
        if day in self.closed_overrides:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: date, days: int) -> date:
        """The date `days` working days after `start` (start itself not counted)."""
        current, step, remaining = start, (1 if days >= 0 else -1), abs(days)
        while remaining:
            current += timedelta(days=step)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_day_on_or_before(self, day: date) -> date:
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]."""
        count, current = 0, start
        while current < end:
            current += timedelta(days=1)
            count += self.is_working_day(current)
        return count

    def working_days_after(self, start: date, count: int) -> list[date]:
        """The next `count` working days after `start` (for many look-ups against one list)."""
        days, current = [], start
        while len(days) < count:
            current += timedelta(days=1)
            if self.is_working_day(current):
                days.append(current)
        return days

    def working_days_in(self, first: date, last: date) -> list[date]:
        """Working days in [first, last]."""
        days, current = [], first
        while current <= last:
            if self.is_working_day(current):
                days.append(current)
            current += timedelta(days=1)
        return days


# Every review, release and plan reads the same few hundred calendar rows; they change about once a
# year. So each process keeps them for CALENDAR_CACHE_SECONDS: edits in this process clear the cache at
# once (calendar_cache_clear, called by the planning services and model signals), other processes see
# them within that time.
_cache: dict[tuple[int, int], tuple[float, frozenset, frozenset, frozenset]] = {}
_cache_lock = threading.Lock()


def calendar_cache_clear(**_kwargs) -> None:
    with _cache_lock:
        _cache.clear()


def _calendar_rows(first_year: int, last_year: int) -> tuple[frozenset, frozenset, frozenset]:
    ttl = getattr(settings, "CALENDAR_CACHE_SECONDS", 0)
    key = (first_year, last_year)
    now = time.monotonic()
    hit = _cache.get(key) if ttl else None
    if hit and now - hit[0] < ttl:
        return hit[1], hit[2], hit[3]
    covered = frozenset(
        CalendarYear.objects.filter(year__gte=first_year, year__lte=last_year).values_list("year", flat=True)
    )
    working, closed = set(), set()
    for day, kind in CalendarDay.objects.filter(
        date__gte=date(first_year, 1, 1), date__lte=date(last_year, 12, 31)
    ).values_list("date", "kind"):
        (working if kind == CalendarDay.Kind.MAKEUP else closed).add(day)
    rows = (covered, frozenset(working), frozenset(closed))
    if ttl:
        with _cache_lock:
            _cache[key] = (now, *rows)
    return rows


def working_calendar(start: date, horizon_days: int = 800, *, strict: bool = False) -> WorkingCalendar:
    end = start + timedelta(days=horizon_days)
    return WorkingCalendar.load(start.year - 1, end.year, strict=strict)


def add_working_days(start: date, days: int, *, strict: bool = False) -> tuple[date, list[str]]:
    cal = working_calendar(start, horizon_days=max(60, days * 3), strict=strict)
    result = cal.add_working_days(start, days)
    return result, cal.warnings


def calendar_years_missing(*, first_year: int, last_year: int) -> list[int]:
    """Years in the range nobody entered (shown as a warning on planning screens and in admin)."""
    covered = set(
        CalendarYear.objects.filter(year__gte=first_year, year__lte=last_year).values_list("year", flat=True)
    )
    return [year for year in range(first_year, last_year + 1) if year not in covered]


def calendar_years_seed(first_year: int = 2020, last_year: int = 2026) -> int:
    """Copy holidays and make-up days from the chinese-calendar package; returns rows written."""
    import chinese_calendar

    written = 0
    for year in range(first_year, last_year + 1):
        current, end = date(year, 1, 1), date(year, 12, 31)
        while current <= end:
            try:
                holiday, name = chinese_calendar.get_holiday_detail(current)
            except NotImplementedError:
                break
            weekday_rule = current.weekday() < 5
            if holiday and weekday_rule:
                CalendarDay.objects.update_or_create(
                    date=current, defaults={"kind": CalendarDay.Kind.HOLIDAY, "name": name or ""}
                )
                written += 1
            elif not holiday and not weekday_rule:
                CalendarDay.objects.update_or_create(
                    date=current, defaults={"kind": CalendarDay.Kind.MAKEUP, "name": name or ""}
                )
                written += 1
            current += timedelta(days=1)
        else:
            CalendarYear.objects.update_or_create(year=year, defaults={"source": CalendarYear.Source.PACKAGE})
    return written
