import datetime as dt

import pytest
import time_machine

from civicbill.core import clock
from civicbill.core.clock import BusinessCalendar
from civicbill.core.models import OfficeClosure

CALENDAR = BusinessCalendar()


def test_a_payment_at_half_past_eleven_at_night_belongs_to_that_pacific_day():
    late = dt.datetime(2026, 11, 25, 7, 30, tzinfo=dt.UTC)  # 23:30 on the 24th in Coachella
    assert clock.business_date(late) == dt.date(2026, 11, 24)


def test_today_is_the_utility_date_under_a_frozen_clock():
    with time_machine.travel(dt.datetime(2026, 7, 1, 6, 59, tzinfo=dt.UTC), tick=False):
        assert clock.today() == dt.date(2026, 6, 30)


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (dt.date(2026, 11, 26), "holiday: Thanksgiving Day"),
        (dt.date(2026, 11, 27), "holiday: Day After Thanksgiving"),
        (dt.date(2026, 3, 31), "holiday: Cesar Chavez Day"),
        (dt.date(2026, 7, 3), "holiday: Independence Day (observed)"),
        (dt.date(2026, 11, 28), "weekend"),
    ],
)
def test_the_office_is_closed_on_weekends_and_us_california_holidays(day, reason):
    assert not CALENDAR.is_business_day(day)
    assert CALENDAR.why_closed(day) == reason


def test_seven_business_days_skip_the_thanksgiving_weekend():
    assert CALENDAR.add_business_days(dt.date(2026, 11, 23), 7) == dt.date(2026, 12, 4)
    assert CALENDAR.business_days_between(dt.date(2026, 11, 23), dt.date(2026, 12, 4)) == 7


def test_going_back_in_business_days():
    assert CALENDAR.add_business_days(dt.date(2026, 11, 30), -1) == dt.date(2026, 11, 25)


@pytest.mark.django_db
def test_an_office_closure_recorded_by_the_utility_is_not_a_business_day():
    OfficeClosure.objects.create(closed_on=dt.date(2026, 12, 24), reason="Christmas Eve closure")
    calendar = clock.business_calendar()
    assert calendar.why_closed(dt.date(2026, 12, 24)) == "office closed"
    assert calendar.next_business_day(dt.date(2026, 12, 24)) == dt.date(2026, 12, 28)


def test_replaying_an_event_of_the_past_makes_it_now_and_today_inside_only():
    at = dt.datetime(2025, 12, 1, 6, 0, tzinfo=clock.utility_zone())
    with time_machine.travel(dt.datetime(2026, 12, 1, 17, 0, tzinfo=dt.UTC), tick=False):
        with clock.replaying(at) as replayed:
            assert replayed == at
            assert clock.now() == dt.datetime(2025, 12, 1, 14, 0, tzinfo=dt.UTC)
            assert clock.today() == dt.date(2025, 12, 1)
            with clock.replaying(at + dt.timedelta(days=1)):
                assert clock.today() == dt.date(2025, 12, 2)
            assert clock.today() == dt.date(2025, 12, 1)
        assert clock.now() == dt.datetime(2026, 12, 1, 17, 0, tzinfo=dt.UTC)


def test_replaying_refuses_a_naive_datetime():
    naive = dt.datetime(2025, 12, 1, 6, 0)  # no time zone: refused
    with pytest.raises(ValueError, match="aware"), clock.replaying(naive):
        pass
