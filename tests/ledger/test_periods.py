"""Closing and reopening accounting months: supervisors only, audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User

from civicbill.core.exceptions import ApplicationError, PermissionDeniedError
from civicbill.core.models import AuditEvent
from civicbill.ledger.models import AccountingPeriod
from civicbill.ledger.selectors import closed_months
from civicbill.ledger.services import entry_post, period_close, period_reopen
from tests.fixtures.accounts import build_account
from tests.fixtures.database import assert_nothing_changed
from tests.ledger.helpers import charge_lines, post_kwargs

pytestmark = pytest.mark.django_db


def test_closing_a_month_records_who_and_when_and_is_audited(supervisor: User, time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2026, 10, 5, 16, 0, tzinfo=dt.UTC), tick=False)

    period = period_close(month=dt.date(2026, 9, 1), actor=supervisor)

    period.refresh_from_db()
    assert (period.month, period.status, period.closed_by) == (dt.date(2026, 9, 1), "closed", supervisor)
    assert period.closed_at == dt.datetime(2026, 10, 5, 16, 0, tzinfo=dt.UTC)
    assert closed_months() == [dt.date(2026, 9, 1)]
    event = AuditEvent.objects.get(action="accounting_period.close")
    assert (event.actor, event.summary) == (supervisor, "Closed accounting period 2026-09")
    assert event.changes["status"] == {"before": "open", "after": "closed"}


def test_closing_a_closed_month_again_is_refused(supervisor: User) -> None:
    period_close(month=dt.date(2026, 9, 1), actor=supervisor)

    with pytest.raises(ApplicationError, match=r"^Accounting period 2026-09 is already closed"):
        period_close(month=dt.date(2026, 9, 1), actor=supervisor)

    assert AuditEvent.objects.filter(action="accounting_period.close").count() == 1


def test_a_period_is_named_by_the_first_day_of_its_month(supervisor: User) -> None:
    with pytest.raises(ApplicationError, match=r"give its first day \(2026-09-01\), not 2026-09-15"):
        period_close(month=dt.date(2026, 9, 15), actor=supervisor)

    assert not AccountingPeriod.objects.exists()


@pytest.mark.parametrize("role", ["CSR", "Technician", "Auditor"])
def test_only_a_supervisor_closes_a_period(make_user: Any, role: str) -> None:
    user = make_user(role)
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError, match=r"\(ledger\.close_period\)"):
        period_close(month=dt.date(2026, 9, 1), actor=user)

    assert not AccountingPeriod.objects.exists()


def test_a_reopened_month_takes_postings_again_and_the_reopen_is_audited_with_its_reason(
    supervisor: User, technician: User
) -> None:
    period_close(month=dt.date(2026, 9, 1), actor=supervisor)

    period = period_reopen(month=dt.date(2026, 9, 1), reason="auditor's adjustment", actor=supervisor)
    entry = entry_post(
        lines=charge_lines(build_account(rows_only=True), water="1.00"), actor=technician, **post_kwargs()
    )

    assert (period.status, period.closed_by, period.closed_at) == ("open", None, None)
    assert entry.accounting_date == dt.date(2026, 9, 15)
    event = AuditEvent.objects.get(action="accounting_period.reopen")
    assert event.summary == "Reopened accounting period 2026-09: auditor's adjustment"
    assert event.changes["reason"] == "auditor's adjustment"


def test_reopening_needs_a_reason_a_closed_month_and_a_supervisor(supervisor: User, technician: User) -> None:
    with pytest.raises(ApplicationError, match=r"^Accounting period 2026-09 is not closed$"):
        period_reopen(month=dt.date(2026, 9, 1), reason="why not", actor=supervisor)
    period_close(month=dt.date(2026, 9, 1), actor=supervisor)
    with pytest.raises(ApplicationError, match="Say why the period is reopened"):
        period_reopen(month=dt.date(2026, 9, 1), reason="", actor=supervisor)
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError):
        period_reopen(month=dt.date(2026, 9, 1), reason="please", actor=technician)

    assert AccountingPeriod.objects.get().status == "closed"
    assert not AuditEvent.objects.filter(action="accounting_period.reopen").exists()
