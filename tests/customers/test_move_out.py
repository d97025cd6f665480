"""Move-out: account_close ends every open agreement on the last day of service; the account is final."""

from __future__ import annotations

import datetime as dt

import pytest

from civicbill.core.exceptions import ApplicationError
from civicbill.core.models import AuditEvent
from civicbill.customers import services
from civicbill.customers.models import Account, ServiceAgreement
from tests.customers.conftest import FROZEN_AT, TODAY, WATER_SEWER

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(csr, maria, premise_52):
    return services.account_open(
        customer=maria,
        premise=premise_52,
        services=WATER_SEWER,
        start_date=dt.date(2026, 1, 5),
        actor=csr,
        as_of=TODAY,
    )


def end_dates(account):
    return dict(account.agreements.values_list("service", "end_date"))


def test_move_out_ends_every_agreement_on_the_last_day_and_makes_the_account_final(csr, account):
    closed = services.account_close(
        account=account, end_date=dt.date(2026, 3, 31), reason="moving to Indio", actor=csr
    )

    closed.refresh_from_db()
    assert closed.status == Account.Status.FINAL
    assert closed.closed_on == dt.date(2026, 3, 31)
    assert closed.opened_on == dt.date(2026, 1, 5)
    assert end_dates(closed) == {"water": dt.date(2026, 3, 31), "sewer": dt.date(2026, 3, 31)}
    event = AuditEvent.objects.get(action="account.close")
    assert event.account_number == "1000001-6"
    assert event.occurred_at == FROZEN_AT
    assert event.summary == "Move-out: service ends 2026-03-31; moving to Indio"
    assert event.changes == {
        "closed_on": {"before": None, "after": "2026-03-31"},
        "status": {"before": "active", "after": "final"},
        "water_end_date": {"before": None, "after": "2026-03-31"},
        "sewer_end_date": {"before": None, "after": "2026-03-31"},
    }


def test_service_may_end_on_the_day_it_started(csr, account):
    closed = services.account_close(account=account, end_date=dt.date(2026, 1, 5), actor=csr)
    assert closed.closed_on == dt.date(2026, 1, 5)
    assert end_dates(closed) == {"water": dt.date(2026, 1, 5), "sewer": dt.date(2026, 1, 5)}


def test_an_agreement_already_ended_keeps_its_own_end_date(csr, account):
    account.agreements.filter(service="sewer").update(end_date=dt.date(2026, 2, 10))
    services.account_close(account=account, end_date=dt.date(2026, 3, 31), actor=csr)
    assert end_dates(account) == {"water": dt.date(2026, 3, 31), "sewer": dt.date(2026, 2, 10)}


def assert_still_active(account):
    account.refresh_from_db()
    assert account.status == Account.Status.ACTIVE
    assert account.closed_on is None
    assert set(end_dates(account).values()) == {None}
    assert not AuditEvent.objects.filter(action="account.close").exists()


def test_a_last_day_before_the_account_opened_is_refused(csr, account):
    with pytest.raises(ApplicationError) as refused:
        services.account_close(account=account, end_date=dt.date(2026, 1, 4), actor=csr)
    assert refused.value.message == (
        "The last day of service 2026-01-04 is before account 1000001-6 opened on 2026-01-05."
    )
    assert refused.value.field == "end_date"
    assert_still_active(account)


def test_a_last_day_before_a_service_started_is_refused(csr, account):
    ServiceAgreement.objects.create(
        account=account,
        service="refuse",
        rate_schedule_code="R-96GAL",
        start_date=dt.date(2026, 2, 1),
        created_at=FROZEN_AT,
    )
    with pytest.raises(ApplicationError) as refused:
        services.account_close(account=account, end_date=dt.date(2026, 1, 20), actor=csr)
    assert (
        refused.value.message
        == "The last day of service 2026-01-20 is before refuse service started on 2026-02-01."
    )
    assert_still_active(account)


def test_an_account_already_final_cannot_be_moved_out_again(csr, account):
    services.account_close(account=account, end_date=dt.date(2026, 3, 31), actor=csr)
    with pytest.raises(ApplicationError) as refused:
        services.account_close(account=account, end_date=dt.date(2026, 4, 30), actor=csr)
    assert refused.value.message == "Account 1000001-6 is already final (service ended 2026-03-31)."
    account.refresh_from_db()
    assert account.closed_on == dt.date(2026, 3, 31)
    assert AuditEvent.objects.filter(action="account.close").count() == 1


def test_a_final_account_whose_bill_is_settled_is_marked_closed(csr, account):
    services.account_close(account=account, end_date=dt.date(2026, 3, 31), actor=csr)
    closed = services.account_mark_closed(account=account, actor=csr)
    assert closed.status == Account.Status.CLOSED
    assert closed.closed_on == dt.date(2026, 3, 31)
    assert AuditEvent.objects.get(action="account.mark_closed").changes == {
        "status": {"before": "final", "after": "closed"}
    }


def test_an_account_with_service_still_open_cannot_be_marked_closed(csr, account):
    with pytest.raises(ApplicationError) as refused:
        services.account_mark_closed(account=account, actor=csr)
    assert refused.value.message == (
        "Account 1000001-6 still has sewer service with no end date; move the customer out first."
    )
    account.refresh_from_db()
    assert account.status == Account.Status.ACTIVE
    assert not AuditEvent.objects.filter(action="account.mark_closed").exists()


def test_a_closed_account_cannot_be_closed_twice(csr, account):
    services.account_close(account=account, end_date=TODAY, actor=csr)
    services.account_mark_closed(account=account, actor=csr)
    with pytest.raises(ApplicationError) as refused:
        services.account_mark_closed(account=account, actor=csr)
    assert refused.value.message == "Account 1000001-6 is closed; only a final account can be closed."
    assert AuditEvent.objects.filter(action="account.mark_closed").count() == 1
