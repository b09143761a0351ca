import datetime as dt

import pytest

from gendan.core.errors import ValidationFailed
from gendan.planning.calendar import WorkingCalendar, calendar_years_missing
from gendan.planning.models import CalendarDay, CalendarYear
from gendan.planning.services import calendar_year_enter
from tests.factories import PASSWORD
from tests.followup.conftest import at

D = dt.date
HOLIDAYS_2027 = "2027-01-01 元旦\n2027-02-06..2027-02-12 春节\n"
MAKEUP_2027 = "2027-02-20 春节补班\n"


def test_admin_enters_next_years_schedule(db):
    assert calendar_years_missing(first_year=2026, last_year=2027) == [2027]
    with pytest.raises(ValidationFailed) as exc:
        calendar_year_enter(year=2027, holidays=HOLIDAYS_2027, makeup_days="2027-02-22 周一")
    assert "makeup_days" in exc.value.extra["fields"]
    with pytest.raises(ValidationFailed):
        calendar_year_enter(year=2027, holidays="2026-10-01 国庆", makeup_days="")
    calendar_year_enter(year=2027, holidays=HOLIDAYS_2027, makeup_days=MAKEUP_2027)
    assert CalendarYear.objects.get(year=2027).source == CalendarYear.Source.MANUAL
    calendar = WorkingCalendar.load(2027, 2027, strict=True)
    assert not calendar.is_working_day(D(2027, 2, 8))  # Monday in the holiday
    assert calendar.is_working_day(D(2027, 2, 20))  # make-up Saturday
    assert not calendar.is_working_day(D(2027, 1, 1))
    assert calendar.is_working_day(D(2027, 1, 4)) and not calendar.warnings
    # weekend days inside a holiday range are not stored (they are off anyway)
    assert not CalendarDay.objects.filter(date=D(2027, 2, 6)).exists()


def test_company_closure_kept_when_the_year_is_entered_again(db):
    CalendarDay.objects.create(date=D(2027, 8, 2), kind=CalendarDay.Kind.CLOSED, name="厂休")
    calendar_year_enter(year=2027, holidays=HOLIDAYS_2027, makeup_days=MAKEUP_2027)
    calendar_year_enter(year=2027, holidays=HOLIDAYS_2027, makeup_days="")
    assert CalendarDay.objects.filter(date=D(2027, 8, 2), kind=CalendarDay.Kind.CLOSED).exists()
    assert not CalendarDay.objects.filter(date=D(2027, 2, 20)).exists()


def test_admin_pages_warn_about_a_missing_year_and_accept_it(client, people, clock):
    clock.set(at(2026, 11, 27, 10))
    assert client.login(username="admin", password=PASSWORD)
    page = client.get("/admin/planning/calendaryear/").content.decode()
    assert "No holiday schedule for 2027" in page
    response = client.post(
        "/admin/planning/calendaryear/add/",
        {"year": "2027", "holidays": HOLIDAYS_2027, "makeup_days": MAKEUP_2027},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CalendarDay.objects.filter(date=D(2027, 2, 20), kind=CalendarDay.Kind.MAKEUP).exists()
    assert "No holiday schedule for 2027" not in client.get("/admin/planning/calendarday/").content.decode()
    # a weekday entered as a make-up day is refused on the form, nothing saved
    response = client.post(
        "/admin/planning/calendaryear/add/",
        {"year": "2028", "holidays": "", "makeup_days": "2028-01-03 周一"},
    )
    assert response.status_code == 200 and not CalendarYear.objects.filter(year=2028).exists()
    for url in (
        "/admin/followup/followuppolicy/",
        "/admin/followup/tatemplate/",
        "/admin/followup/followupexception/",
    ):
        assert client.get(url).status_code == 200, url
