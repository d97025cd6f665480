"""Transfer: the customer moves; the old account ends on the move date, a new one starts the next day."""

from __future__ import annotations

import datetime as dt

import pytest

from civicbill.core.exceptions import ApplicationError
from civicbill.core.models import AuditEvent
from civicbill.customers import services
from civicbill.customers.models import Account
from tests.customers.conftest import TODAY, WATER_SEWER

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_account(csr, maria, premise_52):
    return services.account_open(
        customer=maria,
        premise=premise_52,
        services=WATER_SEWER,
        start_date=dt.date(2025, 6, 1),
        actor=csr,
        as_of=TODAY,
    )


@pytest.fixture
def premise_1200(make_premise):
    return make_premise("1200", "Avenue 50", unit="7", premise_type="multi_family")


def agreements_of(account):
    return [
        (agreement.service, agreement.rate_schedule_code, agreement.start_date, agreement.end_date)
        for agreement in account.agreements.order_by("service")
    ]


def test_transfer_ends_the_old_account_on_the_move_date_and_starts_a_new_one_the_next_day(
    csr, maria, old_account, premise_1200
):
    new = services.customer_transfer(
        account=old_account, new_premise=premise_1200, move_date=dt.date(2026, 2, 27), actor=csr, as_of=TODAY
    )

    old_account.refresh_from_db()
    assert old_account.status == Account.Status.FINAL
    assert old_account.closed_on == dt.date(2026, 2, 27)
    assert agreements_of(old_account) == [
        ("sewer", "S-RES", dt.date(2025, 6, 1), dt.date(2026, 2, 27)),
        ("water", "W-RES", dt.date(2025, 6, 1), dt.date(2026, 2, 27)),
    ]
    assert new.number == "1000002-4"
    assert new.customer == maria
    assert new.premise == premise_1200
    assert new.opened_on == dt.date(2026, 2, 28)
    assert new.status == Account.Status.ACTIVE  # 2026-02-28 is before today, 2026-03-02
    assert agreements_of(new) == [
        ("sewer", "S-RES", dt.date(2026, 2, 28), None),
        ("water", "W-RES", dt.date(2026, 2, 28), None),
    ]
    events = list(AuditEvent.objects.filter(account_number__in=["1000001-6", "1000002-4"]).order_by("id"))
    assert [(event.action, event.account_number) for event in events] == [
        ("account.open", "1000001-6"),
        ("account.close", "1000001-6"),
        ("account.open", "1000002-4"),
        ("account.transfer", "1000002-4"),
    ]
    assert events[1].summary == "Move-out: service ends 2026-02-27; transfer to 1200 Avenue 50 #7"
    assert events[2].summary == ("Transfer from account 1000001-6 at 52 Ave 48: service from 2026-02-28")
    assert events[3].summary == (
        "María García moved from 52 Ave 48 (account 1000001-6, last day 2026-02-27) "
        "to 1200 Avenue 50 #7 (account 1000002-4)"
    )


def test_a_transfer_to_a_later_date_opens_a_pending_account(csr, old_account, premise_1200):
    new = services.customer_transfer(
        account=old_account, new_premise=premise_1200, move_date=dt.date(2026, 3, 14), actor=csr, as_of=TODAY
    )
    assert new.status == Account.Status.PENDING
    assert new.opened_on == dt.date(2026, 3, 15)


def test_a_transfer_may_change_the_services(csr, old_account, premise_1200):
    new = services.customer_transfer(
        account=old_account,
        new_premise=premise_1200,
        move_date=dt.date(2026, 2, 27),
        services=[services.AgreementSpec("water", "W-MF")],
        actor=csr,
        as_of=TODAY,
    )
    assert agreements_of(new) == [("water", "W-MF", dt.date(2026, 2, 28), None)]


def assert_nothing_changed(old_account):
    old_account.refresh_from_db()
    assert old_account.status == Account.Status.ACTIVE
    assert old_account.closed_on is None
    assert set(old_account.agreements.values_list("end_date", flat=True)) == {None}
    assert Account.objects.count() in (1, 2)
    assert not AuditEvent.objects.filter(action__in=["account.close", "account.transfer"]).exists()


def test_a_transfer_into_an_occupied_premise_is_refused_and_the_old_account_stays_open(
    csr, make_customer, old_account, premise_1200
):
    occupant = services.account_open(
        customer=make_customer("Ana", "Peña"),
        premise=premise_1200,
        services=WATER_SEWER,
        start_date=dt.date(2024, 1, 1),
        actor=csr,
        as_of=TODAY,
    )
    with pytest.raises(ApplicationError) as refused:
        services.customer_transfer(
            account=old_account,
            new_premise=premise_1200,
            move_date=dt.date(2026, 2, 27),
            actor=csr,
            as_of=TODAY,
        )
    assert refused.value.message == (
        f"1200 Avenue 50 #7 already has water service on account {occupant.number} (Ana Peña) since "
        "2024-01-01 with no end date; move that account out first."
    )
    assert_nothing_changed(old_account)
    assert Account.objects.count() == 2


def test_a_transfer_to_the_same_premise_is_refused(csr, old_account, premise_52):
    with pytest.raises(ApplicationError) as refused:
        services.customer_transfer(
            account=old_account,
            new_premise=premise_52,
            move_date=dt.date(2026, 2, 27),
            actor=csr,
            as_of=TODAY,
        )
    assert refused.value.message == "Account 1000001-6 is already at 52 Ave 48; choose the new address."
    assert_nothing_changed(old_account)


def test_a_final_account_cannot_be_transferred(csr, old_account, premise_1200):
    services.account_close(account=old_account, end_date=dt.date(2026, 2, 1), actor=csr)
    with pytest.raises(ApplicationError) as refused:
        services.customer_transfer(
            account=old_account,
            new_premise=premise_1200,
            move_date=dt.date(2026, 2, 27),
            actor=csr,
            as_of=TODAY,
        )
    assert refused.value.message == "Account 1000001-6 is final; only an active account can be transferred."
    assert Account.objects.count() == 1
