import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from civicbill.core.calendar_services import office_closure_add
from civicbill.core.clock import business_calendar
from civicbill.core.exceptions import PermissionDeniedError
from civicbill.core.models import AuditEvent, OfficeClosure
from tests.fixtures.database import assert_nothing_changed

pytestmark = pytest.mark.django_db


def test_a_supervisor_records_a_closure_and_it_stops_being_a_business_day(supervisor):
    out = io.StringIO()
    call_command(
        "office_closure", "add", "2026-12-24", "--reason", "Christmas Eve", "--user", "supervisor", stdout=out
    )
    assert "closed on 2026-12-24" in out.getvalue()
    assert business_calendar().why_closed(dt.date(2026, 12, 24)) == "office closed"
    assert AuditEvent.objects.filter(action="office_closure.add", actor=supervisor).count() == 1


def test_the_same_day_twice_is_refused_naming_the_first_reason(supervisor):
    office_closure_add(closed_on=dt.date(2026, 12, 24), reason="Christmas Eve", actor=supervisor)
    with pytest.raises(CommandError, match="already recorded as closed: Christmas Eve"):
        call_command("office_closure", "add", "2026-12-24", "--reason", "again", "--user", "supervisor")
    assert OfficeClosure.objects.count() == 1


def test_a_csr_may_not_close_the_office(csr):
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError):
        office_closure_add(closed_on=dt.date(2026, 12, 24), reason="Christmas Eve", actor=csr)
    assert OfficeClosure.objects.count() == 0
