import datetime as dt

from gendan.planning.calendar import WorkingCalendar, add_working_days
from gendan.planning.models import CalendarDay, CalendarYear

D = dt.date


def test_spring_festival_2026_is_skipped_and_makeup_saturday_counts(db):
    # given the seeded 2026 schedule: holiday 02-15…02-23, make-up working days 02-14 (Sat) and 02-28 (Sat)
    cal = WorkingCalendar.load(2026, 2026)
    assert cal.is_working_day(D(2026, 2, 14)) and cal.is_working_day(D(2026, 2, 28))
    assert not any(cal.is_working_day(D(2026, 2, day)) for day in range(15, 24))
    # when counting 1 working day from Friday 02-13
    # then the next working day is the make-up Saturday 02-14, and the one after is 02-24
    assert cal.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert cal.add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)
    assert cal.warnings == []


def test_national_day_week_and_working_days_between(db):
    cal = WorkingCalendar.load(2026, 2026)
    # 2026-09-30 (Wed) + 1 working day: Oct 1–7 are holidays, Oct 10 (Sat) is a make-up day
    assert cal.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert cal.add_working_days(D(2026, 10, 9), 1) == D(2026, 10, 10)
    assert cal.working_days_between(D(2026, 9, 30), D(2026, 10, 10)) == 3  # 10-08, 10-09, 10-10


def test_year_without_schedule_falls_back_to_weekdays_with_warning(db):
    assert not CalendarYear.objects.filter(year=2027).exists()
    result, warnings = add_working_days(D(2026, 12, 31), 1)
    assert result == D(2027, 1, 1)  # a Friday, assumed working: no 2027 schedule
    assert warnings and "2027" in warnings[0]


def test_company_closure_and_admin_entered_year(db):
    CalendarYear.objects.create(year=2027, source=CalendarYear.Source.MANUAL)
    CalendarDay.objects.create(date=D(2027, 1, 1), kind=CalendarDay.Kind.HOLIDAY, name="元旦")
    CalendarDay.objects.create(date=D(2026, 12, 31), kind=CalendarDay.Kind.CLOSED, name="盘点")
    cal = WorkingCalendar.load(2026, 2027)
    assert not cal.is_working_day(D(2026, 12, 31))
    assert cal.add_working_days(D(2026, 12, 30), 1) == D(2027, 1, 4)
    assert cal.warnings == []


def test_cached_calendar_answers_without_queries_and_edits_clear_it(db, settings, django_assert_num_queries):
    from gendan.planning.calendar import calendar_cache_clear
    from gendan.planning.services import calendar_year_enter

    settings.CALENDAR_CACHE_SECONDS = 60
    calendar_cache_clear()
    try:
        WorkingCalendar.load(2026, 2027)
        with django_assert_num_queries(0):
            cal = WorkingCalendar.load(2026, 2027)
        assert cal.is_working_day(D(2027, 1, 1)) and cal.warnings  # 2027 not entered yet: weekday rule
        # an admin closes a day (model save) and enters 2027 (bulk service): both show at once
        CalendarDay.objects.create(date=D(2026, 12, 31), kind=CalendarDay.Kind.CLOSED, name="盘点")
        assert not WorkingCalendar.load(2026, 2027).is_working_day(D(2026, 12, 31))
        calendar_year_enter(year=2027, holidays="2027-01-01 元旦", makeup_days="")
        after = WorkingCalendar.load(2026, 2027)
        assert not after.is_working_day(D(2027, 1, 1)) and after.warnings == []
    finally:
        calendar_cache_clear()
